"""Apply the cleaning rules: the kept responses, the exclusion ledger and the CONSORT-style log.

:func:`clean` is the one place where rows leave the data. The rules in :mod:`survey.rules` only
flag; here the out-of-range cell rule runs first, then every row rule in
:data:`survey.rules.ROW_RULES` order on the same (cell-cleaned) frame, and a row flagged by any
enabled rule is excluded. Each excluded raw row appears once in the ledger with all its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from survey.codebook import Codebook
from survey.config import Study
from survey.errors import SurveyError
from survey.rules import (
    OUT_OF_RANGE_ID,
    OUT_OF_RANGE_LABEL,
    ROW_RULES,
    RuleContext,
    out_of_range,
    shared_codes,
)

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
        The flow, one row per step: ``step``, ``rule_id``, ``rule`` (Chinese), ``enabled``,
        ``n_flagged`` (rows this rule flags, whether or not an earlier rule did),
        ``n_excluded`` (rows newly excluded at this step), ``n_remaining``, ``note``. The first
        row is the raw total (``raw``), the second the out-of-range cell step (never excludes),
        the last the kept sample (``kept``).
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
        on = rules[rules["enabled"]]
        parts = [f"{r.rule} {int(r.n_excluded):,} 条" for r in on.itertuples()]
        if parts:
            lines.append("依次排除：" + "、".join(parts) + "。")
        off = rules.loc[~rules["enabled"], "rule"].tolist()
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
            hint="请用 survey.readers.read_responses 读取原始文件后再清洗",
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
) -> dict[str, object]:
    values = [step, rule_id, rule, enabled, int(n_flagged), int(n_excluded), int(n_remaining), note]
    return dict(zip(LOG_COLUMNS, values, strict=True))


def _join_columns(parts: list[np.ndarray], sep: str) -> np.ndarray:
    """Join per-row strings column-wise, skipping empty ones (numpy object arithmetic)."""
    if not parts:
        return np.zeros(0, dtype=object)
    acc = parts[0]
    for p in parts[1:]:
        glue = np.where((acc != "") & (p != ""), sep, "").astype(object)
        acc = acc + glue + p
    return acc


def _exclusions(
    df: pd.DataFrame, flags: np.ndarray, details: list[np.ndarray], excluded: np.ndarray
) -> pd.DataFrame:
    """The ledger: one row per excluded raw row with every rule that flagged it."""
    idx = np.flatnonzero(excluded)
    sub = flags[idx]
    # Label strings depend only on which rules fired: build them once per pattern.
    weights = 1 << np.arange(len(ROW_RULES), dtype=np.int64)
    pattern = (sub.astype(np.int64) * weights).sum(axis=1) if len(idx) else np.zeros(0, np.int64)
    labels, ids = {}, {}
    for pat in np.unique(pattern):
        on = [r for k, r in enumerate(ROW_RULES) if pat & (1 << k)]
        labels[pat] = SEP.join(r.label for r in on)
        ids[pat] = ";".join(r.id for r in on)
    # Only the rules that flagged some excluded row contribute text (the rest are all "").
    parts = [
        np.where(sub[:, k], (r.label + "：") + details[k][idx], "").astype(object)
        for k, r in enumerate(ROW_RULES)
        if sub[:, k].any()
    ]
    out = pd.DataFrame(
        {
            "file": df["_file"].iloc[idx].to_numpy(),
            "row": df["_row"].iloc[idx].to_numpy(),
            "rules": pd.Series(pattern, dtype=np.int64).map(labels).to_numpy(dtype=object),
            "rule_ids": pd.Series(pattern, dtype=np.int64).map(ids).to_numpy(dtype=object),
            "detail": _join_columns(parts, SEP),
        }
    )
    return out.sort_values(["file", "row"], kind="stable").reset_index(drop=True)


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
    ctx = replace(RuleContext.from_study(codebook, study), file_codes=pd.factorize(df["_file"])[0])

    cells = out_of_range(df, ctx)
    df = cells.frame
    changed_rows = len(cells.changes[["file", "row"]].drop_duplicates())
    oor_on = study.cleaning.out_of_range.enabled
    log = [
        _log_row(0, "raw", "原始记录", True, 0, 0, n),
        _log_row(
            1, OUT_OF_RANGE_ID, OUT_OF_RANGE_LABEL, oor_on, changed_rows, 0, n,
            note=f"{len(cells.changes)} 个单元格设为缺失，不排除记录" if oor_on else "",
        ),
    ]  # fmt: skip

    flags = np.zeros((n, len(ROW_RULES)), dtype=bool)
    details: list[np.ndarray] = []
    excluded = np.zeros(n, dtype=bool)
    prior: dict[str, pd.Series] = {}
    with shared_codes(df):  # the rules read the answer columns as one-byte codes, made once
        for k, spec in enumerate(ROW_RULES):
            res = spec.func(df, replace(ctx, prior_flags=dict(prior)))
            flag = res.flag.to_numpy(dtype=bool)
            flags[:, k] = flag
            details.append(res.detail.to_numpy(dtype=object))
            new = flag & ~excluded
            excluded |= flag
            prior[spec.id] = res.flag
            enabled = bool(getattr(study.cleaning, spec.id).enabled)
            n_left = n - excluded.sum()
            log.append(_log_row(k + 2, spec.id, spec.label, enabled, flag.sum(), new.sum(), n_left))

    kept = df.loc[~excluded].reset_index(drop=True)
    log.append(_log_row(len(ROW_RULES) + 2, "kept", "最终保留", True, 0, 0, len(kept)))
    flag_frame = pd.DataFrame(flags, columns=[r.id for r in ROW_RULES])
    flag_frame.insert(0, "_row", df["_row"].to_numpy())
    flag_frame.insert(0, "_file", df["_file"].to_numpy())
    return CleanResult(
        kept=kept,
        exclusions=_exclusions(df, flags, details, excluded),
        cell_changes=cells.changes,
        log=pd.DataFrame(log, columns=LOG_COLUMNS),
        flags=flag_frame,
    )
