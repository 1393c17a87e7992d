"""Cleaning rules: each flags rows (or, for out-of-range codes, cells) and says why; none drops.

Every row rule is a pure function ``rule(df, ctx) -> RuleResult`` on the canonical response frame
(see ``docs/architecture.md``). ``RuleResult.flag`` is a boolean Series aligned to ``df.index``;
``RuleResult.detail`` is a Series of Chinese explanations, ``""`` for rows not flagged.
:func:`survey.clean.ledger.clean` runs the rules in :data:`ROW_RULES` order and builds the ledger.

The cell rule :func:`out_of_range` runs before the row rules: it sets codes that are not valid
for their item to missing, logs each cell, and never excludes a row.

Everything is vectorised over rows (numpy / pandas column operations, Python loops only over
columns, items or batteries): one million rows with forty items take seconds.

Rules and their ids (``study.yaml`` → ``cleaning.<id>``)
-------------------------------------------------------
============================  ==================  ==============================================
id                            label               flags a row when
============================  ==================  ==============================================
``test_submissions``          测试提交            submitted before fieldwork.start, or on/after the
                                                  day after fieldwork.end
``exact_duplicates``          完全重复            identical to an earlier row on every item,
                                                  attribute and the respondent key
``repeated_respondent``       重复作答            same respondent key as another row that is kept
                                                  under the ``keep`` policy
``speeders``                  作答过快            duration < fraction_of_median × median
``straight_lining``           直线作答            the same answer on every item of a battery that
                                                  mixes normal and reverse-worded items
``attention_check``           注意力检测未通过    the attention item is not answered correctly
                                                  (a missing answer counts as failed)
``min_answered``              作答过少            fewer than min_fraction of substantive questions
                                                  answered
``out_of_range``              取值越界            (cells) code not valid for the item → missing;
                                                  a duration ≤ 0 s or longer than the fieldwork
                                                  window → missing
============================  ==================  ==============================================

Every rule also says whether it ran (``RuleResult.status``): :data:`RAN`, :data:`SKIPPED`
(switched off in ``study.yaml``) or :data:`COULD_NOT_RUN` (switched on, but the study lacks what
the rule needs: a respondent key, an attention item, durations, submission times, fieldwork
dates, or a battery with reverse-worded items); the cleaning log shows the last as
``未能运行：缺少…``, never as a rule that ran and found nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from survey.clean.identifiers import redact_values
from survey.config.codebook import Codebook, Item
from survey.config.study import Cleaning, Fieldwork, Study
from survey.errors import SurveyError
from survey.io.arrays import factorize_runs, object_full

#: Columns of the canonical frame that are bookkeeping, not answers.
META_COLUMNS = ("_file", "_row", "_format", "submitted_at", "duration_s")
RESPONDENT_KEY = "respondent_key"
#: Item types that count as substantive questions for ``min_answered`` and ``most_complete``.
SUBSTANTIVE_TYPES = ("likert", "single", "numeric", "multiple", "ranking")


# ---------------------------------------------------------------------------------------------
# Result and context types
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleResult:
    """What a row rule found.

    Attributes
    ----------
    flag
        Boolean Series aligned to the frame's index: ``True`` = the rule flags this row.
    detail
        Series of Chinese explanations aligned to the frame's index; ``""`` where not flagged.
    status
        :data:`RAN`, :data:`SKIPPED` (switched off) or :data:`COULD_NOT_RUN`; the last two flag
        nothing.
    reason
        For :data:`COULD_NOT_RUN`: what the study lacks, in Chinese, starting with ``缺少``
        (e.g. ``缺少作答用时（导出文件没有可用的作答用时）``); ``""`` otherwise.
    """

    flag: pd.Series
    detail: pd.Series
    status: str = "ran"
    reason: str = ""

    @property
    def status_zh(self) -> str:
        """``已运行``, ``未启用`` or ``未能运行：缺少…`` (as the cleaning log shows it)."""
        return status_zh(self.status, self.reason)


#: ``RuleResult.status`` values.
RAN = "ran"
SKIPPED = "skipped"
COULD_NOT_RUN = "could_not_run"
STATUSES = (RAN, SKIPPED, COULD_NOT_RUN)


def status_zh(status: str, reason: str = "") -> str:
    """A rule status in Chinese: ``已运行``, ``未启用`` or ``未能运行：<reason>``.

    Examples
    --------
    >>> status_zh("could_not_run", "缺少注意力检测题")
    '未能运行：缺少注意力检测题'
    """
    if status == COULD_NOT_RUN:
        return f"未能运行：{reason}" if reason else "未能运行"
    return {RAN: "已运行", SKIPPED: "未启用"}[status]


@dataclass(frozen=True)
class CellResult:
    """What the cell rule :func:`out_of_range` changed.

    Attributes
    ----------
    frame
        A new frame with invalid cells set to NaN (the input frame is untouched).
    changes
        One row per changed cell, columns ``file``, ``row`` (Excel row), ``column``, ``item``,
        ``value`` (the original value as text, or ``[已隐去，N个字符]`` when it is no plausible
        answer: see :func:`survey.clean.identifiers.redact_value`) and ``allowed`` (valid codes
        or range, Chinese).
    """

    frame: pd.DataFrame
    changes: pd.DataFrame


CELL_CHANGE_COLUMNS = ["file", "row", "column", "item", "value", "allowed"]


@dataclass(frozen=True)
class RuleContext:
    """Everything a rule needs besides the frame.

    Attributes
    ----------
    codebook
        The questionnaire codebook.
    cleaning
        The ``cleaning`` section of ``study.yaml`` (switches and parameters).
    fieldwork
        The fieldwork window; ``None`` (no ``fieldwork`` in ``study.yaml``): the test-submission
        rule cannot run and durations have no upper bound.
    attributes
        Attribute columns (constants from ``study.yaml`` such as ``college``), used by the
        exact-duplicate rule.
    prior_flags
        Flags of the rules that ran earlier in :func:`survey.clean.ledger.clean`, by rule id.
        Used to prefer rows still in play as survivors of duplicate groups and to compute the
        speeder median without test submissions. Empty when a rule is called on its own.
    """

    codebook: Codebook
    cleaning: Cleaning = field(default_factory=Cleaning)
    fieldwork: Fieldwork | None = None
    attributes: tuple[str, ...] = ()
    prior_flags: Mapping[str, pd.Series] = field(default_factory=dict)
    #: ``factorize_runs(df["_file"])`` codes, computed once by ``clean``; ``None`` = compute.
    file_codes: np.ndarray | None = None

    @classmethod
    def from_study(cls, codebook: Codebook, study: Study) -> RuleContext:
        """Build the context from a study: its cleaning section, fieldwork and attribute keys."""
        attrs: dict[str, None] = {}
        for f in study.questionnaire.files:
            attrs.update(dict.fromkeys(f.attributes))
        return cls(
            codebook=codebook,
            cleaning=study.cleaning,
            fieldwork=study.fieldwork,
            attributes=tuple(attrs),
        )

    def files(self, df: pd.DataFrame) -> np.ndarray:
        """Integer code of each row's file (``0..F-1``)."""
        if self.file_codes is not None and len(self.file_codes) == len(df):
            return self.file_codes
        return factorize_runs(df["_file"])[0]

    def excluded_before(self, n: int) -> np.ndarray:
        """Rows flagged by any earlier rule (all ``False`` when none ran)."""
        out = np.zeros(n, dtype=bool)
        for flag in self.prior_flags.values():
            out |= np.asarray(flag, dtype=bool)
        return out


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def _empty_result(df: pd.DataFrame, status: str = RAN, reason: str = "") -> RuleResult:
    return RuleResult(
        flag=pd.Series(False, index=df.index, dtype=bool),
        detail=pd.Series("", index=df.index, dtype=object),
        status=status,
        reason=reason,
    )


def _skipped(df: pd.DataFrame) -> RuleResult:
    """The result of a rule switched off in ``study.yaml``."""
    return _empty_result(df, SKIPPED)


def _cannot(df: pd.DataFrame, reason: str) -> RuleResult:
    """The result of a rule that is switched on but lacks its input (``reason``: ``缺少…``)."""
    return _empty_result(df, COULD_NOT_RUN, reason)


def _all_missing(df: pd.DataFrame, column: str) -> bool:
    """The frame has no such column or not one non-missing value in it (an empty frame: no)."""
    return len(df) > 0 and (column not in df.columns or not df[column].notna().any())


def _result(
    df: pd.DataFrame, flag: np.ndarray, detail_flagged: Sequence[str] | np.ndarray
) -> RuleResult:
    """Wrap a boolean array and the details of the flagged rows (in row order)."""
    detail = object_full(len(df), "")
    detail[flag] = np.asarray(detail_flagged, dtype=object)
    return RuleResult(
        flag=pd.Series(flag, index=df.index, dtype=bool),
        detail=pd.Series(detail, index=df.index, dtype=object),
    )


def fmt_num(values: np.ndarray | pd.Series) -> np.ndarray:
    """Format numbers for Chinese text: ``41.0`` → ``"41"``, ``33.333`` → ``"33.3"``."""
    s = pd.Series(np.asarray(values, dtype=float)).round(1)
    txt = s.astype(str).str.removesuffix(".0").where(s.notna(), "")
    return txt.to_numpy(dtype=object)


def fmt_fraction(x: float) -> str:
    """``1/3`` → ``"1/3"``; fractions without a small denominator as a percentage."""
    fr = Fraction(x).limit_denominator(20)
    if abs(float(fr) - x) < 1e-9:
        return f"{fr.numerator}/{fr.denominator}"
    return f"{x * 100:.4g}%"


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-missing one when the frame lacks it."""
    if name in df.columns:
        return df[name]
    return pd.Series(np.nan, index=df.index, dtype=float)


def _floats(s: pd.Series) -> np.ndarray:
    """A column as float64 (non-numeric text becomes NaN). Read-only: may be the frame's data."""
    if s.dtype == np.float64:
        return s.to_numpy()  # NaN already marks missing: no copy, no isna pass
    if pd.api.types.is_float_dtype(s.dtype) or pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _timestamps(df: pd.DataFrame) -> pd.Series:
    ts = pd.to_datetime(_col(df, "submitted_at"), errors="coerce")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts


def _row_names(df: pd.DataFrame, pos: np.ndarray) -> np.ndarray:
    """``"<file> 第 <row> 行"`` for the given positions."""
    files = df["_file"].iloc[pos].astype(str).to_numpy(dtype=object)
    rows = df["_row"].iloc[pos].astype(str).to_numpy(dtype=object)
    return files + " 第 " + rows + " 行"


def question_columns(codebook: Codebook, df: pd.DataFrame) -> dict[str, list[str]]:
    """Substantive questions and their answer columns present in ``df``.

    Likert, single and numeric items have one column; multiple-choice and ranking items one per
    option (a question counts once). ``<id>_other`` text columns are not answers here.
    """
    out: dict[str, list[str]] = {}
    for item in codebook.items_of_type(*SUBSTANTIVE_TYPES):
        cols = [c for c in codebook.columns(item.id) if c != f"{item.id}_other" and c in df]
        if cols:
            out[item.id] = cols
    return out


def answered_matrix(df: pd.DataFrame, questions: Mapping[str, list[str]]) -> np.ndarray:
    """Boolean ``(rows, questions)``: the question has at least one non-missing answer column."""
    mat = np.zeros((len(questions), len(df)), dtype=bool)  # filled row-wise: contiguous
    for j, cols in enumerate(questions.values()):
        for c in cols:
            mat[j] |= df[c].notna().to_numpy()
    return mat.T


def _n_asked(answered: np.ndarray, files: np.ndarray) -> np.ndarray:
    """Per row, how many questions were asked in the row's file at all.

    A question no row of a file answers was not part of that file's questionnaire version
    (optional items absent from an export are all-missing); rules must not hold it against
    the respondents of that file.
    """
    if len(files) == 0:
        return np.zeros(0, dtype=np.int64)
    n_files = int(files.max()) + 1
    if n_files == 1:
        return np.full(len(files), int(answered.any(axis=0).sum()), dtype=np.int64)
    if n_files <= 64:  # few files (the usual case): one pass per file, all questions at once
        per_file = np.array(
            [int(answered[files == f].any(axis=0).sum()) for f in range(n_files)], dtype=np.int64
        )
        return per_file[files]
    per_file = np.zeros(n_files, dtype=np.int64)
    for j in range(answered.shape[1]):
        per_file += np.bincount(files[answered[:, j]], minlength=n_files) > 0
    return per_file[files]


def _survivors(group: np.ndarray, sort_keys: Sequence[np.ndarray]) -> np.ndarray:
    """For each row, the position of the row its group keeps (its own position if ungrouped).

    ``group`` holds group codes ``0..G-1`` (``-1`` = not in any group); within a group the row
    that sorts first on ``sort_keys`` (most significant first, then frame position) survives.
    Hand-written with ``np.lexsort`` because pandas' ``duplicated`` cannot take a priority
    order and ``groupby().idxmin`` over several keys is far slower on a million rows.
    """
    n = len(group)
    pos = np.arange(n)
    if n == 0 or group.max() < 0:
        return pos
    sizes = np.bincount(group[group >= 0])
    # Only rows in groups of two or more need sorting (usually a small share).
    sub = np.flatnonzero((group >= 0) & (sizes[np.maximum(group, 0)] > 1))
    if len(sub) == 0:
        return pos
    order = sub[np.lexsort([pos[sub], *[k[sub] for k in reversed(list(sort_keys))], group[sub]])]
    g_sorted = group[order]
    first = np.r_[True, g_sorted[1:] != g_sorted[:-1]]
    keep = pos.copy()
    keep_of_group = np.full(len(sizes), -1, dtype=np.int64)
    keep_of_group[g_sorted[first]] = order[first]
    keep[sub] = keep_of_group[group[sub]]
    return keep


# ---------------------------------------------------------------------------------------------
# Row rules
# ---------------------------------------------------------------------------------------------
def test_submissions(df: pd.DataFrame, ctx: RuleContext) -> RuleResult:
    """测试提交: flag rows submitted outside the fieldwork window.

    The window runs from ``fieldwork.start`` 00:00 up to (not including) 00:00 of the day after
    ``fieldwork.end``, i.e. ``fieldwork.end`` is the last valid day. Without an end date only
    the start is checked. A row without a submission time is never flagged (unknown ≠ test).

    Returns
    -------
    RuleResult
        Detail such as ``提交时间 2026-08-30 10:12:00 早于调查开始日期 2026-09-01``.
    """
    if not ctx.cleaning.test_submissions.enabled:
        return _skipped(df)
    if ctx.fieldwork is None:
        return _cannot(df, "缺少调查日期（study.yaml 未设 fieldwork）")
    ts = _timestamps(df)
    if len(df) and not ts.notna().any():
        return _cannot(df, "缺少提交时间（导出文件没有可读的提交时间）")
    start = pd.Timestamp(ctx.fieldwork.start)
    early = (ts < start).to_numpy(dtype=bool)
    late = np.zeros(len(df), dtype=bool)
    end_txt = ""
    if ctx.fieldwork.end is not None:
        late = (ts >= pd.Timestamp(ctx.fieldwork.end) + pd.Timedelta(days=1)).to_numpy(dtype=bool)
        end_txt = ctx.fieldwork.end.isoformat()
    flag = early | late
    when = ts[flag].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    why = np.where(
        early[flag],
        f" 早于调查开始日期 {ctx.fieldwork.start.isoformat()}",
        f" 晚于调查结束日期 {end_txt}",
    ).astype(object)
    return _result(df, flag, "提交时间 " + when + why)


# The name comes from the ``cleaning.test_submissions`` key; stop pytest from collecting the
# function when a test module imports it by name.
test_submissions.__test__ = False  # type: ignore[attr-defined]


def _row_hash(df: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Per row, a 64-bit hash over ``cols`` with ``pandas.util.hash_pandas_object``.

    Float columns are normalised first so that values equal for ``==`` hash alike: ``-0.0``
    becomes ``0.0`` and every NaN the same NaN (pandas hashes the bits of a float). Missing
    values of other columns already hash alike (pandas factorises them to one code).
    """
    frame = {}
    for c in cols:
        s = df[c]
        if s.dtype == np.float64:
            x = s.to_numpy() + 0.0  # a copy; -0.0 -> 0.0
            x[np.isnan(x)] = np.nan
            s = pd.Series(x, index=df.index)
        frame[c] = s
    return pd.util.hash_pandas_object(
        pd.DataFrame(frame, index=df.index, copy=False), index=False
    ).to_numpy()


def _exact_groups(df: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Group code of each row by exact equality on ``cols`` (NaN equals NaN), first-seen order."""
    return df[list(cols)].groupby(list(cols), dropna=False, sort=False).ngroup().to_numpy(np.int64)


def _same_rows(df: pd.DataFrame, cols: Sequence[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact comparison of rows ``a[i]`` and ``b[i]`` on ``cols`` (NaN equals NaN)."""
    same = np.ones(len(a), dtype=bool)
    for c in cols:
        va = df[c].iloc[a].reset_index(drop=True)
        vb = df[c].iloc[b].reset_index(drop=True)
        eq = (va == vb).fillna(False).to_numpy(dtype=bool) | (va.isna() & vb.isna()).to_numpy()
        same &= eq
    return same


def exact_duplicates(df: pd.DataFrame, ctx: RuleContext) -> RuleResult:
    """完全重复: flag every copy of a response but one.

    Rows are copies when they are identical on every item column, every attribute column and
    ``respondent_key`` (``_row``, ``_format``, ``_file``, submission time and duration are
    ignored, so the same answers in two overlapping downloads are copies too). The copy kept is
    the first in frame order (files in ``study.yaml`` order, rows in Excel order) among the rows
    no earlier rule excluded; if every copy was already excluded, simply the first. Rows with
    no item answered at all are never copies (``min_answered`` deals with them).

    Notes
    -----
    Rows are grouped by a 64-bit hash of their values (``pandas.util.hash_pandas_object``) and
    every flagged row is then compared exactly with the row it copies; on the (astronomically
    unlikely) hash collision the rule falls back to pandas' exact ``groupby``. Not
    ``DataFrame.duplicated``: it cannot prefer rows still in play as the survivor.
    """
    if not ctx.cleaning.exact_duplicates.enabled:
        return _skipped(df)
    if len(df) == 0:
        return _empty_result(df)
    items = [c for c in ctx.codebook.item_columns() if c in df.columns]
    cols = items + [a for a in ctx.attributes if a in df.columns and a not in items]
    if RESPONDENT_KEY in df.columns:
        cols.append(RESPONDENT_KEY)
    any_answer = np.zeros(len(df), dtype=bool)
    for c in items:
        any_answer |= df[c].notna().to_numpy()
    group, _ = pd.factorize(_row_hash(df, cols))
    group = np.where(any_answer, group, -1).astype(np.int64)
    keep = _survivors(group, [ctx.excluded_before(len(df)).astype(np.int8)])
    pos = np.arange(len(df))
    flag = keep != pos
    if flag.any() and not _same_rows(df, cols, pos[flag], keep[flag]).all():
        group = np.where(any_answer, _exact_groups(df, cols), -1)
        keep = _survivors(group, [ctx.excluded_before(len(df)).astype(np.int8)])
        flag = keep != pos
    return _result(df, flag, "与 " + _row_names(df, keep[flag]) + "完全相同")


_KEEP_ZH = {
    "first": "保留最早提交的一条",
    "last": "保留最后提交的一条",
    "most_complete": "保留作答最完整的一条",
}


def repeated_respondent(df: pd.DataFrame, ctx: RuleContext) -> RuleResult:
    """重复作答: several rows with the same (non-missing) ``respondent_key``; keep one.

    The kept row follows ``cleaning.repeated_respondent.keep``:

    - ``first``: earliest ``submitted_at``; ``last``: latest ``submitted_at``. Rows without a
      time lose to rows with one; ties (or no times) go to frame order (first → earlier row,
      last → later row).
    - ``most_complete``: most substantive questions answered; ties as ``last``.

    Rows that an earlier rule excluded (test submissions, exact copies) are kept only when no
    row of the respondent is still in play, so a test submission never pushes out the real one.

    Returns
    -------
    RuleResult
        Detail such as ``与 本院.xlsx 第 9 行为同一作答者（共 3 条，保留最后提交的一条）``.
    """
    cfg = ctx.cleaning.repeated_respondent
    if not cfg.enabled:
        return _skipped(df)
    if _all_missing(df, RESPONDENT_KEY):
        return _cannot(df, "缺少作答者标识（编码手册未标记 respondent_key 标识列，或该列为空）")
    if len(df) == 0:
        return _empty_result(df)
    group, _ = pd.factorize(df[RESPONDENT_KEY], use_na_sentinel=True)
    group = group.astype(np.int64)
    pos = np.arange(len(df))
    ts = _timestamps(df)
    ts_na = ts.isna().to_numpy().astype(np.int8)
    ts_val = np.where(ts_na == 1, 0, ts.to_numpy(dtype="datetime64[ns]").view(np.int64))
    before = ctx.excluded_before(len(df)).astype(np.int8)
    if cfg.keep == "first":
        keys = [before, ts_na, ts_val, pos]
    elif cfg.keep == "last":
        keys = [before, ts_na, -ts_val, -pos]
    else:
        answered = answered_matrix(df, question_columns(ctx.codebook, df)).sum(axis=1)
        keys = [before, -answered, ts_na, -ts_val, -pos]
    keep = _survivors(group, keys)
    flag = keep != pos
    sizes = np.bincount(group[group >= 0], minlength=int(group.max()) + 1 if len(group) else 0)
    n_txt = pd.Series(sizes[group[flag]]).astype(str).to_numpy(dtype=object)
    detail = (
        "与 "
        + _row_names(df, keep[flag])
        + "为同一作答者（共 "
        + n_txt
        + f" 条，{_KEEP_ZH[cfg.keep]}）"
    )
    return _result(df, flag, detail)


def speeders(df: pd.DataFrame, ctx: RuleContext) -> RuleResult:
    """作答过快: ``duration_s < fraction_of_median × median duration``.

    The median is taken per file (``per_file: true``, one platform download each) or over the
    whole study, over rows with a duration that the test-submission rule did not flag. Rows
    without a duration are never flagged.

    Returns
    -------
    RuleResult
        Detail such as ``用时 41 秒，低于中位数 300 秒的 1/3（100 秒）``.
    """
    cfg = ctx.cleaning.speeders
    if not cfg.enabled:
        return _skipped(df)
    if _all_missing(df, "duration_s"):
        return _cannot(df, "缺少作答用时（导出文件没有可用的作答用时）")
    if len(df) == 0:
        return _empty_result(df)
    dur = _floats(_col(df, "duration_s"))
    base = pd.Series(dur)
    tests = ctx.prior_flags.get("test_submissions")
    if tests is not None:
        base = base.where(~np.asarray(tests, dtype=bool))
    if cfg.per_file:
        median = base.groupby(ctx.files(df)).transform("median").to_numpy(dtype=float)
    else:
        median = np.full(len(df), base.median(), dtype=float)
    limit = cfg.fraction_of_median * median
    with np.errstate(invalid="ignore"):
        flag = dur < limit  # NaN on either side compares False
    detail = (
        "用时 "
        + fmt_num(dur[flag])
        + " 秒，低于中位数 "
        + fmt_num(median[flag])
        + f" 秒的 {fmt_fraction(cfg.fraction_of_median)}（"
        + fmt_num(limit[flag])
        + " 秒）"
    )
    return _result(df, flag, detail)


def batteries(codebook: Codebook, cleaning: Cleaning) -> list[str]:
    """Scale ids checked by :func:`straight_lining` (configured, or every scale with reverse items).

    Raises
    ------
    SurveyError
        When ``cleaning.straight_lining.batteries`` names a scale the codebook does not have.
    """
    configured = cleaning.straight_lining.batteries
    known = [s.id for s in codebook.scales]
    if configured is None:
        return [s.id for s in codebook.scales if s.reverse]
    for i, b in enumerate(configured):
        if b not in known:
            raise SurveyError(
                f"直线作答规则列出的量表 {b!r} 不在编码手册的 scales 中",
                key=f"cleaning.straight_lining.batteries[{i}]",
                expected="编码手册中的量表编号：" + ("、".join(known) or "（编码手册未定义量表）"),
            )
    return list(configured)


def straight_lining(df: pd.DataFrame, ctx: RuleContext) -> RuleResult:
    """直线作答: the same raw answer on every item of a battery that has reverse-worded items.

    A battery (scale) applies to a row when at least ``min_items`` of its items are answered
    and, if the scale has reverse-keyed items, at least one reverse-keyed and one normally keyed
    item are among them: only then is one answer throughout self-contradictory. Answers are the
    raw codes (before reverse keying); an all-midpoint pattern counts as straight-lining too.

    Returns
    -------
    RuleResult
        Detail such as ``量表「学习型党组织建设」（P1）6 题均答 4（含反向题）``; several
        batteries are joined by ``，``.
    """
    cfg = ctx.cleaning.straight_lining
    if not cfg.enabled:
        return _skipped(df)
    checked = []
    for sid in batteries(ctx.codebook, ctx.cleaning):
        scale = ctx.codebook.scale(sid)
        items = [i for i in scale.items if i in df.columns]
        if len(items) >= cfg.min_items:
            checked.append((sid, scale, items))
    if not checked:
        return _cannot(
            df, f"缺少可检查的量表（需要含反向题、至少 {cfg.min_items} 题在数据中的量表）"
        )
    n = len(df)
    flag = np.zeros(n, dtype=bool)
    detail = object_full(n, "")
    for sid, scale, items in checked:
        n_ans, hi, same, any_rev, any_fwd = _battery_stats(df, items, set(scale.reverse))
        hit = (n_ans >= cfg.min_items) & same
        if scale.reverse:
            hit &= any_rev & any_fwd
        if not hit.any():
            continue
        suffix = "（含反向题）" if scale.reverse else ""
        # The text depends only on (number answered, answer): built once per pair.
        pos = np.flatnonzero(hit)
        which, pairs = pd.factorize(hi[pos] + 1j * n_ans[pos])
        texts = (
            f"量表「{scale.label}」（{sid}）"
            + pd.Series(pairs.imag.astype(np.int64)).astype(str).to_numpy(dtype=object)
            + " 题均答 "
            + fmt_num(pairs.real)
            + suffix
        )
        txt = texts.take(which)
        if flag.any():
            sep = np.where(detail[pos] == "", "", "，").astype(object)
            detail[pos] = detail[pos] + sep + txt
        else:
            detail[pos] = txt
        flag |= hit
    return _result(df, flag, detail[flag])


def _battery_stats(
    df: pd.DataFrame, items: list[str], reverse: set[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row over ``items``: number answered, highest answer (NaN if none), whether the
    lowest answer equals the highest, and whether any reverse / normally keyed item is answered.

    Column by column (items are few, rows many).
    """
    n = len(df)
    any_rev = np.zeros(n, dtype=bool)
    any_fwd = np.zeros(n, dtype=bool)
    n_ans = np.zeros(n, dtype=np.int32)
    hi = np.full(n, np.nan)
    lo = np.full(n, np.nan)
    for i in items:
        x = _floats(df[i])
        ans = ~np.isnan(x)
        n_ans += ans
        hi = np.fmax(hi, x)  # fmax/fmin skip NaN
        lo = np.fmin(lo, x)
        (any_rev if i in reverse else any_fwd)[:] |= ans
    return n_ans, hi, hi == lo, any_rev, any_fwd


def attention_check(df: pd.DataFrame, ctx: RuleContext) -> RuleResult:
    """注意力检测未通过: an attention item answered with anything but the correct code.

    A **missing answer counts as failed**: the item is an instruction ("please choose 同意")
    that a careful respondent follows; skipping it is as uninformative as a wrong answer.
    Exception: in a file where nobody answered the item it was not part of that file's
    questionnaire version, and its rows are not flagged. An attention item absent from the
    frame is skipped.

    Returns
    -------
    RuleResult
        Detail such as ``注意力检测题 att1 应选 4（同意），实际作答 2（不同意）`` or ``…，未作答``.
    """
    if not ctx.cleaning.attention_check.enabled:
        return _skipped(df)
    if not any(chk.item in df.columns for chk in ctx.codebook.attention_checks):
        return _cannot(df, "缺少注意力检测题（编码手册未定义 attention_checks，或数据中没有该题）")
    if len(df) == 0:
        return _empty_result(df)
    n = len(df)
    flag = np.zeros(n, dtype=bool)
    detail = object_full(n, "")
    codes = ctx.files(df)
    n_files = int(codes.max()) + 1
    for chk in ctx.codebook.attention_checks:
        if chk.item not in df.columns:
            continue
        v = _floats(df[chk.item])
        answered = ~np.isnan(v)
        asked = (np.bincount(codes, weights=answered, minlength=n_files) > 0)[codes]
        fail = asked & (~answered | (v != chk.correct))
        if not fail.any():
            continue
        labels = ctx.codebook.options(chk.item)
        got = pd.Series(v[fail])
        got_label = got.map({float(k): lab for k, lab in labels.items()}).fillna("无此选项")
        got_txt = np.where(
            got.isna().to_numpy(),
            "未作答",
            "实际作答 " + fmt_num(got) + "（" + got_label.astype(str).to_numpy(dtype=object) + "）",
        ).astype(object)
        txt = (
            f"注意力检测题 {chk.item} 应选 {chk.correct}（{labels.get(chk.correct, '')}），"
            + got_txt
        )
        sep = np.where(detail[fail] == "", "", "，").astype(object)
        detail[fail] = detail[fail] + sep + txt
        flag |= fail
    return _result(df, flag, detail[flag])


def min_answered(df: pd.DataFrame, ctx: RuleContext) -> RuleResult:
    """作答过少: fewer than ``min_fraction`` of the substantive questions answered.

    Substantive questions are likert, single, numeric, multiple and ranking items; a
    multiple-choice or ranking question counts once (answered when any of its option columns is
    non-missing); text items and ``_other`` texts do not count. The denominator is per file:
    the questions answered by at least one row of that file (a question nobody in a file
    answered was not asked there). A row of a file in which nothing was asked is flagged.

    Returns
    -------
    RuleResult
        Detail such as ``作答 3/20 题（15%），低于要求的 50%``.
    """
    cfg = ctx.cleaning.min_answered
    if not cfg.enabled:
        return _skipped(df)
    if len(df) == 0:
        return _empty_result(df)
    questions = question_columns(ctx.codebook, df)
    answered = answered_matrix(df, questions)
    k = answered.sum(axis=1)
    q = _n_asked(answered, ctx.files(df))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(q > 0, k / np.maximum(q, 1), 0.0)
    flag = share < cfg.min_fraction - 1e-12
    pct = pd.Series(np.round(share[flag] * 100)).astype(int).astype(str).to_numpy(dtype=object)
    detail = (
        "作答 "
        + pd.Series(k[flag]).astype(str).to_numpy(dtype=object)
        + "/"
        + pd.Series(q[flag]).astype(str).to_numpy(dtype=object)
        + " 题（"
        + pct
        + f"%），低于要求的 {cfg.min_fraction * 100:.4g}%"
    )
    return _result(df, flag, detail)


# ---------------------------------------------------------------------------------------------
# Cell rule
# ---------------------------------------------------------------------------------------------
def _fmt_value(values: pd.Series) -> np.ndarray:
    """Original cell values as text (``3.0`` → ``"3"``)."""

    if pd.api.types.is_numeric_dtype(values.dtype):
        txt = values.astype(float).astype(str).str.removesuffix(".0")
    else:
        txt = values.astype(str)
    return txt.to_numpy(dtype=object)


def _valid_mask(
    item: Item, col: str, x: np.ndarray, codebook: Codebook
) -> tuple[np.ndarray, str] | None:
    """Validity of the non-missing numeric values ``x`` of one column, and the rule in Chinese."""
    if item.type in ("likert", "single"):
        codes = sorted(codebook.options(item.id))
        return np.isin(x, np.asarray(codes, dtype=float)), "、".join(str(c) for c in codes)
    if item.type == "numeric":
        if item.range is None:
            return None
        lo, hi = item.range
        return (x >= lo) & (x <= hi), f"{fmt_num(np.array([lo]))[0]}～{fmt_num(np.array([hi]))[0]}"
    if item.type == "ranking":
        n_opt = len(codebook.options(item.id))
        return (x >= 1) & (x <= n_opt) & (x == np.floor(x)), f"1～{n_opt} 的整数"
    if item.type == "multiple":
        return (x == 0) | (x == 1), "0 或 1"
    return None


def out_of_range(df: pd.DataFrame, ctx: RuleContext) -> CellResult:
    """取值越界: set invalid codes to missing and log each cell; never excludes a row.

    Invalid means: for likert/single items a code that is not an option; for numeric items a
    value outside ``Item.range`` (inclusive; no range, no check); for ranking option columns
    anything but an integer 1…number of options; for multiple-choice option columns anything
    but 0/1. A non-numeric text in any of these columns is invalid too. A duration
    (``duration_s``) is invalid when it is not positive or longer than the fieldwork window
    (:func:`max_duration_s`), whatever its spelling in the export (``-5``, ``-120秒``, ``0``);
    the speeder rule then treats it as unknown.

    Returns
    -------
    CellResult
        The new frame (the input is not modified) and the log of changed cells in file, row
        and codebook column order.
    """
    out = df.copy(deep=False)
    logs: list[pd.DataFrame] = []
    if not ctx.cleaning.out_of_range.enabled or len(df) == 0:
        return CellResult(
            out, pd.DataFrame({c: pd.Series(dtype=object) for c in CELL_CHANGE_COLUMNS})
        )
    durations = _durations_out_of_range(df, ctx.fieldwork)
    if durations is not None:
        out["duration_s"], log = durations
        logs.append(log)
    order = 0
    for item in ctx.codebook.items_of_type(*SUBSTANTIVE_TYPES):
        for col in ctx.codebook.columns(item.id):
            if col == f"{item.id}_other" or col not in df.columns:
                continue
            raw = df[col]
            x = _floats(raw)
            present = ~np.isnan(x) if raw.dtype == np.float64 else raw.notna().to_numpy()
            check = _valid_mask(item, col, x, ctx.codebook)
            if check is None:
                continue
            valid, allowed = check
            bad = present & ~(valid & ~np.isnan(x))
            if not bad.any():
                continue
            out[col] = np.where(bad, np.nan, x)
            idx = np.flatnonzero(bad)
            logs.append(
                pd.DataFrame(
                    {
                        "file": df["_file"].iloc[idx].to_numpy(),
                        "row": df["_row"].iloc[idx].to_numpy(),
                        "column": col,
                        "item": item.id,
                        "value": redact_values(_fmt_value(raw.iloc[idx])),
                        "allowed": allowed,
                        "_order": order,
                        "_pos": idx,
                    }
                )
            )
            order += 1
    if not logs:
        changes = pd.DataFrame({c: pd.Series(dtype=object) for c in CELL_CHANGE_COLUMNS})
    else:
        changes = (
            pd.concat(logs, ignore_index=True)
            .sort_values(["_pos", "_order"], kind="stable")
            .drop(columns=["_order", "_pos"])
            .reset_index(drop=True)
        )
    return CellResult(out, changes)


def max_duration_s(fieldwork: Fieldwork | None) -> float | None:
    """The longest possible duration in seconds: the fieldwork window, ``None`` if unbounded.

    The window runs from ``fieldwork.start`` 00:00 to the end of ``fieldwork.end`` (the end date
    is the last valid day, as for :func:`test_submissions`), so a one-day fieldwork allows
    86 400 s. Without an end date (or without fieldwork dates) there is no upper bound.

    Examples
    --------
    >>> import datetime as dt
    >>> max_duration_s(Fieldwork(start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)))
    2592000.0
    """
    if fieldwork is None or fieldwork.end is None:
        return None
    return float(((fieldwork.end - fieldwork.start).days + 1) * 86_400)


def _durations_out_of_range(
    df: pd.DataFrame, fieldwork: Fieldwork | None
) -> tuple[np.ndarray, pd.DataFrame] | None:
    """Durations ≤ 0 or beyond :func:`max_duration_s` set missing, and their cell log.

    ``None`` when the frame has no duration column or every duration is valid.
    """
    if "duration_s" not in df.columns:
        return None
    x = _floats(df["duration_s"])
    longest = max_duration_s(fieldwork)
    with np.errstate(invalid="ignore"):
        bad = x <= 0
        if longest is not None:
            bad |= x > longest
    if not bad.any():
        return None
    allowed = "大于 0 秒"
    if longest is not None and fieldwork is not None and fieldwork.end is not None:
        allowed += (
            f"且不超过调查期 {fieldwork.start.isoformat()}～{fieldwork.end.isoformat()}"
            f"（{fmt_num(np.array([longest]))[0]} 秒）"
        )
    idx = np.flatnonzero(bad)
    log = pd.DataFrame(
        {
            "file": df["_file"].iloc[idx].to_numpy(),
            "row": df["_row"].iloc[idx].to_numpy(),
            "column": "duration_s",
            "item": "duration_s",
            "value": fmt_num(x[idx]),
            "allowed": allowed,
            "_order": -1,
            "_pos": idx,
        }
    )
    return np.where(bad, np.nan, x), log


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSpec:
    """A row rule as :func:`survey.clean.ledger.clean` runs it."""

    id: str
    label: str
    func: Callable[[pd.DataFrame, RuleContext], RuleResult]


#: The row rules, in the order ``clean`` applies them (after :func:`out_of_range`).
ROW_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("test_submissions", "测试提交", test_submissions),
    RuleSpec("exact_duplicates", "完全重复", exact_duplicates),
    RuleSpec("repeated_respondent", "重复作答", repeated_respondent),
    RuleSpec("speeders", "作答过快", speeders),
    RuleSpec("straight_lining", "直线作答", straight_lining),
    RuleSpec("attention_check", "注意力检测未通过", attention_check),
    RuleSpec("min_answered", "作答过少", min_answered),
)

OUT_OF_RANGE_ID = "out_of_range"
OUT_OF_RANGE_LABEL = "取值越界"

#: Chinese label of every rule id.
LABELS: dict[str, str] = {OUT_OF_RANGE_ID: OUT_OF_RANGE_LABEL} | {r.id: r.label for r in ROW_RULES}
