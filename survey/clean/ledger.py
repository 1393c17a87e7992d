"""Apply the cleaning rules: the kept responses, the exclusion ledger and the CONSORT-style log.

:func:`clean` is the one place where rows leave the data. The rules in :mod:`survey.clean.rules` only
flag; here the out-of-range cell rule runs first, then every row rule in
:data:`survey.clean.rules.ROW_RULES` order on the same (cell-cleaned) frame, and a row flagged by any
enabled rule is excluded. Each excluded raw row appears once in the ledger with all its reasons.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from survey.clean.rules import (
    COULD_NOT_RUN,
    OUT_OF_RANGE_ID,
    OUT_OF_RANGE_LABEL,
    RAN,
    ROW_RULES,
    SKIPPED,
    RuleContext,
    out_of_range,
    status_zh,
)
from survey.config.codebook import Codebook
from survey.config.study import Study
from survey.errors import SurveyError, SurveyWarning
from survey.io.arrays import factorize_runs

EXCLUSION_COLUMNS = ["file", "row", "rules", "rule_ids", "detail"]
LOG_COLUMNS = [
    "step",
    "rule_id",
    "rule",
    "enabled",
    "n_flagged",
    "n_excluded",
    "n_remaining",
    "note",
    "status",
    "status_zh",
]
#: Separator between rules in the ledger (full-width semicolon, as in Chinese prose).
SEP = "；"


@dataclass(frozen=True)
class CleanResult:
    """Everything :func:`clean` produces.

    Attributes
    ----------
    kept
        The rows no rule flagged, in input order, index reset, invalid cells set to missing.
    exclusions
        One row per excluded raw row, sorted by file then row: ``file``, ``row`` (Excel row),
        ``rules`` (Chinese labels joined by ``；``), ``rule_ids`` (ids joined by ``;``) and
        ``detail`` (``label：why`` per rule, joined by ``；``).
    cell_changes
        The out-of-range log: ``file``, ``row``, ``column``, ``item``, ``value``, ``allowed``.
    log
        The flow, one row per step: ``step``, ``rule_id``, ``rule`` (Chinese), ``enabled``
        (the rule was in effect: switched on *and* able to run), ``n_flagged`` (rows this rule
        flags, whether or not an earlier rule did), ``n_excluded`` (rows newly excluded at this
        step), ``n_remaining``, ``note`` (for a rule that could not run: what is missing),
        ``status`` (``ran``, ``skipped`` = switched off, ``could_not_run``) and ``status_zh``
        (``已运行``, ``未启用``, ``未能运行：缺少…``; empty on the ``raw`` and ``kept`` rows).
        The first row is the raw total (``raw``), the second the out-of-range cell step (never
        excludes), the last the kept sample (``kept``).
    flags
        One boolean column per row rule id, one row per raw row (input order), plus ``_file``
        and ``_row``: which rule flagged what, for notebooks and audits.
    """

    kept: pd.DataFrame
    exclusions: pd.DataFrame
    cell_changes: pd.DataFrame
    log: pd.DataFrame
    flags: pd.DataFrame

    def summary_zh(self) -> str:
        """A short Chinese account of the cleaning flow (for the CLI and the report)."""
        log = self.log
        n_raw = int(log["n_remaining"].iloc[0])
        n_kept = int(log["n_remaining"].iloc[-1])
        lines = [f"原始记录 {n_raw:,} 条。"]
        oor = log[log["rule_id"] == OUT_OF_RANGE_ID].iloc[0]
        if oor["enabled"]:
            n_cells = len(self.cell_changes)
            lines.append(
                f"取值越界的单元格 {n_cells:,} 个已设为缺失（涉及 {int(oor['n_flagged']):,} 行，"
                "不因此排除记录）。"
                if n_cells
                else "未发现取值越界的单元格。"
            )
        rules = log[log["rule_id"].isin([r.id for r in ROW_RULES])]
        on = rules[rules["status"] == RAN]
        parts = [f"{rule} {int(n):,} 条" for rule, n in zip(on["rule"], on["n_excluded"], strict=True)]
        if parts:
            lines.append("依次排除：" + "、".join(parts) + "。")
        cannot = rules[rules["status"] == COULD_NOT_RUN]
        if len(cannot):
            lines.append(
                "未能运行的规则："
                + "；".join(f"{r.rule}，{r.note}" for r in cannot.itertuples())
                + "。"
            )
        off = rules.loc[rules["status"] == SKIPPED, "rule"].tolist()
        if off:
            lines.append("未启用的规则：" + "、".join(off) + "。")
        share = f"（{n_kept / n_raw:.1%}）" if n_raw else ""
        lines.append(f"共排除 {len(self.exclusions):,} 条，保留 {n_kept:,} 条{share}。")
        return "\n".join(lines)


def _check_frame(responses: pd.DataFrame) -> None:
    missing = [c for c in ("_file", "_row") if c not in responses.columns]
    if missing:
        raise SurveyError(
            "作答数据缺少记录来源列，无法清洗",
            column="、".join(missing),
            expected="由 survey 读取函数生成的作答表（含 _file、_row 列）",
            hint="请用 survey.io.readers.read_responses 读取原始文件后再清洗",
        )


def _log_row(
    step: int,
    rule_id: str,
    rule: str,
    enabled: bool,
    n_flagged: int,
    n_excluded: int,
    n_remaining: int,
    note: str = "",
    status: str = RAN,
    status_text: str | None = None,
) -> dict[str, object]:
    """One row of the cleaning log; ``status_text`` defaults to :func:`status_zh` of ``status``."""
    text = status_zh(status, note) if status_text is None else status_text
    values = [
        step, rule_id, rule, enabled, int(n_flagged), int(n_excluded), int(n_remaining), note,
        status, text,
    ]  # fmt: skip
    return dict(zip(LOG_COLUMNS, values, strict=True))


def _exclusions(
    df: pd.DataFrame,
    flags: np.ndarray,
    details: list[np.ndarray],
    excluded: np.ndarray,
    file_index: tuple[np.ndarray, np.ndarray],
) -> pd.DataFrame:
    """The ledger: one row per excluded raw row with every rule that flagged it.

    Sorted by file name, then Excel row (stable). The text columns are put together as Arrow
    strings: a repeated value (file, rule labels) is held once and expanded by index, which
    saves building and converting a Python string per excluded row.
    """
    idx = np.flatnonzero(excluded)
    if len(idx) == 0:
        empty = np.zeros(0, dtype=object)
        return pd.DataFrame({c: empty for c in EXCLUSION_COLUMNS} | {"row": np.zeros(0, np.int64)})
    codes, files = file_index
    names = [str(f) for f in files]
    # Files in name order (code point order, as pandas sorts strings; a missing name last),
    # then Excel rows; lexsort is stable like the ledger's former sort_values.
    rank = np.append(np.argsort(np.argsort(np.asarray(names, dtype=object), kind="stable")), len(names))
    file_of = codes[idx]
    rows = df["_row"].to_numpy()[idx]
    order = np.lexsort([rows, rank[file_of]])
    idx, file_of, rows = idx[order], file_of[order], rows[order]
    sub = flags[idx]
    # Label strings depend only on which rules fired: built once per pattern.
    weights = 1 << np.arange(len(ROW_RULES), dtype=np.int64)
    pattern = (sub.astype(np.int64) * weights).sum(axis=1)
    patterns, which = np.unique(pattern, return_inverse=True)
    labels, ids = [], []
    for pat in patterns:
        on = [r for k, r in enumerate(ROW_RULES) if pat & (1 << k)]
        labels.append(SEP.join(r.label for r in on))
        ids.append(";".join(r.id for r in on))
    # Only the rules that flagged some excluded row contribute text: "label：why", null
    # elsewhere, joined with the nulls skipped (in Arrow, not per Python string).
    parts = [
        pc.binary_join_element_wise(
            pa.scalar(r.label + "：", pa.large_string()),
            pa.array(details[k][idx], type=pa.large_string(), mask=~sub[:, k]),
            pa.scalar("", pa.large_string()),
        )
        for k, r in enumerate(ROW_RULES)
        if sub[:, k].any()
    ]
    detail = pc.binary_join_element_wise(
        *parts, pa.scalar(SEP, pa.large_string()), null_handling="skip"
    )
    return pd.DataFrame(
        {
            "file": _arrow_strings(file_of, names),
            "row": pd.Series(rows, dtype=np.int64),
            "rules": _arrow_strings(which, labels),
            "rule_ids": _arrow_strings(which, ids),
            "detail": pd.Series(detail, dtype="str"),
        }
    )


def _arrow_strings(codes: np.ndarray, values: Sequence[str] | np.ndarray) -> pd.Series:
    """``values[codes]`` as a pandas ``str`` column, each distinct value converted once."""
    dictionary = pa.array(list(values), type=pa.large_string())
    codes = np.asarray(codes, dtype=np.int32)
    indices = pa.array(codes, mask=(codes < 0) | (codes >= len(dictionary)))
    strings = pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.large_string())
    return pd.Series(strings, dtype="str")


def clean(responses: pd.DataFrame, codebook: Codebook, study: Study) -> CleanResult:
    """Apply every enabled cleaning rule and account for every raw row.

    Parameters
    ----------
    responses
        The canonical response frame (``docs/architecture.md``); not modified.
    codebook
        The questionnaire codebook.
    study
        The study; ``study.cleaning`` switches and tunes the rules, ``study.fieldwork`` gives
        the fieldwork window, the files' ``attributes`` keys name the attribute columns.

    Returns
    -------
    CleanResult
        ``kept``, ``exclusions``, ``cell_changes``, ``log`` and ``flags``; see its docstring.

    Raises
    ------
    SurveyError
        When the frame lacks ``_file``/``_row`` or the configuration names an unknown battery.

    Notes
    -----
    A rule that is switched on but cannot run on this study (no respondent key, no attention
    item, no durations, no submission times, no fieldwork dates, no battery) flags nothing, is
    logged with ``status = "could_not_run"``, ``enabled = False`` and the reason in ``note``,
    and is announced once with a :class:`~survey.errors.SurveyWarning`.

    Rules run in this order: out-of-range cells, 测试提交, 完全重复, 重复作答, 作答过快,
    直线作答, 注意力检测未通过, 作答过少. Every rule sees the whole (cell-cleaned) frame and
    the flags of the rules before it, so ``n_flagged`` counts a row a rule flags even when an
    earlier rule already excluded it, while ``n_excluded`` counts only rows newly excluded.
    Invariants (tested): each raw row is in ``kept`` or in ``exclusions`` with at least one
    reason, never both; ``log.n_remaining`` ends at ``len(kept)``; the ``n_excluded`` add up to
    ``len(exclusions)``.

    Examples
    --------
    >>> result = clean(frame, codebook, study)  # doctest: +SKIP
    >>> print(result.summary_zh())  # doctest: +SKIP
    """
    _check_frame(responses)
    df = responses.reset_index(drop=True)  # a new object: the caller's frame is never touched
    n = len(df)
    file_index = factorize_runs(df["_file"])
    ctx = replace(RuleContext.from_study(codebook, study), file_codes=file_index[0])

    flags = np.zeros((n, len(ROW_RULES)), dtype=bool)
    details: list[np.ndarray] = []
    excluded = np.zeros(n, dtype=bool)
    prior: dict[str, pd.Series] = {}
    cells = out_of_range(df, ctx)
    df = cells.frame
    changed_rows = len(cells.changes[["file", "row"]].drop_duplicates())
    oor_on = study.cleaning.out_of_range.enabled
    log = [
        _log_row(0, "raw", "原始记录", True, 0, 0, n, status_text=""),
        _log_row(
            1, OUT_OF_RANGE_ID, OUT_OF_RANGE_LABEL, oor_on, changed_rows, 0, n,
            note=f"{len(cells.changes)} 个单元格设为缺失，不排除记录" if oor_on else "",
            status=RAN if oor_on else SKIPPED,
        ),
    ]  # fmt: skip
    for k, spec in enumerate(ROW_RULES):
        res = spec.func(df, replace(ctx, prior_flags=dict(prior)))
        flag = res.flag.to_numpy(dtype=bool)
        flags[:, k] = flag
        details.append(res.detail.to_numpy(dtype=object))
        new = flag & ~excluded
        excluded |= flag
        prior[spec.id] = res.flag
        n_left = n - excluded.sum()
        log.append(
            _log_row(
                k + 2, spec.id, spec.label, res.status == RAN, flag.sum(), new.sum(), n_left,
                note=res.reason, status=res.status,
            )
        )  # fmt: skip
        if res.status == COULD_NOT_RUN:
            warnings.warn(
                f"清洗规则「{spec.label}」未能运行：{res.reason}；清洗日志中记为“未能运行”。",
                SurveyWarning,
                stacklevel=2,
            )

    kept = df.loc[~excluded].reset_index(drop=True)
    log.append(
        _log_row(len(ROW_RULES) + 2, "kept", "最终保留", True, 0, 0, len(kept), status_text="")
    )
    flag_frame = pd.DataFrame(
        {"_file": df["_file"], "_row": df["_row"]}
        | {r.id: flags[:, k] for k, r in enumerate(ROW_RULES)},
        copy=False,
    )
    return CleanResult(
        kept=kept,
        exclusions=_exclusions(df, flags, details, excluded, file_index),
        cell_changes=cells.changes,
        log=pd.DataFrame(log, columns=LOG_COLUMNS),
        flags=flag_frame,
    )


def _group_labels(values: pd.Series, options: dict[int, str]) -> pd.Series:
    """Group values as the report names them: option labels for codes, text stripped."""
    if options and pd.api.types.is_numeric_dtype(values.dtype):
        x = values.to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(x) & (x == np.round(x))
        labels = [options.get(int(v)) if w else None for v, w in zip(x, whole, strict=True)]
        values = pd.Series(labels, index=values.index, dtype="object")
    return values.astype("string").str.strip().replace("", pd.NA)  # type: ignore[call-overload]  # stubs: NA is a valid value


def check_reference_group(
    responses: pd.DataFrame, result: CleanResult, codebook: Codebook, study: Study
) -> None:
    """Stop when the comparison's reference group has no kept response.

    Parameters
    ----------
    responses
        The raw response frame given to :func:`clean` (same rows, same order).
    result
        What :func:`clean` returned for it.
    codebook
        The codebook: when the grouping column is a single-choice item, its codes are compared
        by their option labels (as the report does).
    study
        The study; ``questionnaire.compare`` names the grouping column (``by``) and the
        reference group.

    Raises
    ------
    SurveyError
        When the reference group has no raw row, or every one of its rows was excluded: the
        message names the group, its raw row count and how many rows each rule removed, so the
        problem surfaces at ``survey clean`` rather than minutes later in the report.

    Notes
    -----
    A study whose responses lack the grouping column (a generic study with no comparison) is
    not checked.
    """
    compare = study.questionnaire.compare
    if compare.by not in responses.columns or len(responses) == 0:
        return
    try:
        options = codebook.options(compare.by)
    except KeyError:
        options = {}
    raw_groups = _group_labels(responses[compare.by], options)
    in_group = raw_groups.eq(compare.reference).fillna(False).to_numpy(dtype=bool)
    if _group_labels(result.kept[compare.by], options).eq(compare.reference).fillna(False).any():
        return
    n_raw = int(in_group.sum())
    where = f"对照组（questionnaire.compare.reference）「{compare.reference}」"
    if n_raw == 0:
        groups = raw_groups.dropna().unique().tolist()
        raise SurveyError(
            f"{where}在原始数据中没有任何答卷（{compare.by} 列中没有该值），无法对标比较；本次未写入结果",
            file=study.source,
            key="questionnaire.compare.reference",
            expected=f"{compare.by} 列中出现的某个组：" + ("、".join(groups[:10]) or "（该列为空）"),
            hint="检查 compare.reference 的写法是否与各文件 attributes 中的取值一致",
        )
    flags = result.flags
    excluded = np.zeros(len(flags), dtype=bool)
    parts = []
    for r in ROW_RULES:
        hit = flags[r.id].to_numpy(dtype=bool) & in_group
        new = hit & ~excluded
        excluded |= hit
        if new.any():
            parts.append(f"{r.label} {int(new.sum()):,} 条")
    raise SurveyError(
        f"{where}清洗后没有保留任何答卷：原始 {n_raw:,} 条全部被清洗规则排除"
        f"（依次为：{'、'.join(parts)}），无法对标比较；本次未写入结果",
        file=study.source,
        key="questionnaire.compare.reference",
        expected=f"对照组「{compare.reference}」至少保留 1 条答卷",
        hint="查看排除原因（exclusions）的明细；常见原因是 fieldwork 的开始/结束日期写错"
        "（全部记为测试提交）或作答用时列读错",
    )
