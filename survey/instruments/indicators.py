"""Benchmark indicators (对标指标) and benchmark summary statistics.

Indicators file (``study.yaml`` → ``indicators.path``): a **long** table, one row per
college × indicator, xlsx/xls/csv. Headers are matched after NFKC normalisation; the first
header listed is preferred, the others are accepted aliases.

    ============  ===========================================  =========
    column        accepted headers                             required
    ============  ===========================================  =========
    college       院校, 学院, college                            yes
    indicator     指标, 指标名称, indicator                       yes
    value         数值, 取值, 值, value                           yes
    unit          单位, 计量单位, unit                             no
    direction     方向, 指标方向, 方向性, direction                 yes
    source        来源, 数据来源, source                          no
    area          问题领域, 领域, area                             no (P1–P5)
    ============  ===========================================  =========

``value`` is a number; ``85%`` is read as 85, ``是/有`` as 1 and ``否/无`` as 0; an empty cell is
"not reported" (NaN, kept). ``direction`` is one of 越高越好 / 正向 / 高 / higher / + and
越低越好 / 负向 / 低 / lower / −; it must be the same for an indicator in every row, as must the
unit. All problems are listed in one :class:`~survey.errors.SurveyError`.

Summary statistics file (``indicators.summaries``): benchmark questionnaire results given
only as summaries, one row per college × scale (or item) [× member type].

    ============  ============================================  =========
    college       院校, 学院, college                             yes
    scale         量表, 维度, 题目, 量表或题目, scale, item          yes
    member_type   党员类型, 类别, member_type                      no
    mean          均值, 平均值, 平均分, mean                        yes
    sd            标准差, sd, std                                 yes
    n             样本量, 人数, n                                  yes
    ============  ============================================  =========

``n`` must be a positive integer and ``sd`` ≥ 0 (otherwise SurveyError).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from survey.instruments.tables import (
    AREAS,
    ISSUE_COLUMNS,
    Issue,
    issue,
    norm_key,
    norm_text,
    pick_columns,
    raise_issues,
    read_frame,
    split_codes,
)
from survey.io.normalise import parse_number

INDICATOR_COLUMNS = {
    "college": (("院校", "学院", "college"), True),
    "indicator": (("指标", "指标名称", "indicator"), True),
    "value": (("数值", "取值", "值", "value"), True),
    "unit": (("单位", "计量单位", "unit"), False),
    "direction": (("方向", "指标方向", "方向性", "direction"), True),
    "source": (("来源", "数据来源", "source"), False),
    "area": (("问题领域", "领域", "area"), False),
}
SUMMARY_COLUMNS = {
    "college": (("院校", "学院", "college"), True),
    "scale": (("量表", "维度", "题目", "量表或题目", "scale", "item"), True),
    "member_type": (("党员类型", "类别", "member_type"), False),
    "mean": (("均值", "平均值", "平均分", "mean"), True),
    "sd": (("标准差", "sd", "std"), True),
    "n": (("样本量", "人数", "n"), True),
}
DIRECTIONS = {
    **dict.fromkeys(["越高越好", "正向", "高", "高优", "HIGHER", "+", "UP"], "higher"),
    **dict.fromkeys(["越低越好", "负向", "低", "低优", "LOWER", "-", "−", "DOWN"], "lower"),
}
def read_indicators(path: str | Path, *, display: str | None = None) -> pd.DataFrame:
    """Read and validate the benchmark indicators table.

    Returns
    -------
    pandas.DataFrame
        ``college, indicator, value`` (float, NaN = not reported), ``unit, direction``
        (``higher``/``lower``), ``source, area`` (``P1``…``P5`` or empty), ``_file, _row``.

    Raises
    ------
    SurveyError
        Non-numeric values, unknown or inconsistent direction, inconsistent unit, an area
        outside P1–P5, a duplicated college × indicator (all problems listed at once).

    Examples
    --------
    >>> ind = read_indicators("data/raw/demo/indicators.xlsx")  # doctest: +SKIP
    """
    df, shown = pick_columns(read_frame(path, display=display), INDICATOR_COLUMNS, what="对标指标表")
    out = df[["_file", "_row"]].copy()
    for col in ("college", "indicator", "unit", "source"):
        out[col] = df[col].map(norm_text).astype(object) if col in df else ""
    out["area"] = df["area"].map(lambda v: norm_key(v)).astype(object) if "area" in df else ""
    issues: list[Issue] = []
    values, dirs = [], []
    for i in range(len(df)):
        v = parse_number(df["value"].iat[i], percent=True, yes_no=True)
        if np.isnan(v) and norm_text(df["value"].iat[i]):
            issues.append(issue(df, i, shown["value"], norm_text(df["value"].iat[i]), "指标数值不是数字",
                                 "数字（可带 %），或 是/否、有/无；未报告请留空"))
        values.append(v)
        d = DIRECTIONS.get(norm_key(df["direction"].iat[i]))
        if d is None:
            issues.append(issue(df, i, shown["direction"], norm_text(df["direction"].iat[i]),
                                 "指标方向无法识别", "越高越好 或 越低越好"))
        dirs.append(d)
        if not out["college"].iat[i] or not out["indicator"].iat[i]:
            issues.append(issue(df, i, shown["college"], "", "院校或指标名称为空", "非空的院校和指标名称"))
        if out["area"].iat[i] and any(a not in AREAS for a in split_codes(out["area"].iat[i])):
            issues.append(issue(df, i, shown["area"], out["area"].iat[i], "问题领域无效", "P1–P5"))
    out["value"] = np.asarray(values, dtype=float)
    out["direction"] = pd.Series(dirs, index=out.index, dtype=object)
    for col, what in (("direction", "方向"), ("unit", "计量单位")):
        if col == "unit" and "unit" not in df:
            continue
        first = out.dropna(subset=[col]).groupby("indicator")[col].first()
        as_first = out["indicator"].map(first)
        bad = out[col].notna() & (out[col] != as_first)
        for i in np.flatnonzero(bad.to_numpy()).tolist():
            issues.append(issue(df, int(i), shown[col], out[col].iat[i], f"同一指标在不同行的{what}不一致",
                                 f"与该指标第一行相同：{as_first.iat[i]}"))
    dup = out.duplicated(["college", "indicator"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()).tolist():
        issues.append(issue(df, int(i), shown["indicator"], out["indicator"].iat[i], "同一院校的同一指标出现多次",
                             "每个院校 × 指标只占一行"))
    issues_df = pd.DataFrame(issues, columns=ISSUE_COLUMNS).sort_values("row", kind="stable")
    raise_issues(issues_df, what="对标指标表")
    cols = ["college", "indicator", "value", "unit", "direction", "source", "area", "_file", "_row"]
    return out[cols].reset_index(drop=True)


def read_summaries(path: str | Path, *, display: str | None = None) -> pd.DataFrame:
    """Read benchmark summary statistics (mean, SD, n per college × scale or item).

    Returns
    -------
    pandas.DataFrame
        ``college, scale, member_type`` (empty if absent), ``mean, sd`` (float), ``n`` (int),
        ``_file, _row``.

    Raises
    ------
    SurveyError
        A non-numeric mean/SD/n, ``n`` ≤ 0 or not an integer, ``sd`` < 0, a duplicated
        college × scale × member type (all listed at once).
    """
    df, shown = pick_columns(read_frame(path, display=display), SUMMARY_COLUMNS, what="对标院校汇总统计表")
    out = df[["_file", "_row"]].copy()
    for col in ("college", "scale", "member_type"):
        out[col] = df[col].map(norm_text).astype(object) if col in df else ""
    issues: list[Issue] = []
    parsed: dict[str, list[float]] = {c: [] for c in ("mean", "sd", "n")}
    for i in range(len(df)):
        for col in ("mean", "sd", "n"):
            raw = norm_text(df[col].iat[i])
            v = parse_number(raw)
            if np.isnan(v):
                issues.append(issue(df, i, shown[col], raw, "不是数字或为空", "数字"))
            elif col == "n" and (v <= 0 or not float(v).is_integer()):
                issues.append(issue(df, i, shown[col], raw, "样本量必须是正整数", "大于 0 的整数"))
            elif col == "sd" and v < 0:
                issues.append(issue(df, i, shown[col], raw, "标准差不能为负", "≥ 0 的数字"))
            parsed[col].append(v)
        if not out["college"].iat[i] or not out["scale"].iat[i]:
            issues.append(issue(df, i, shown["college"], "", "院校或量表名称为空", "非空的院校与量表/题目编号"))
    dup = out.duplicated(["college", "scale", "member_type"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()).tolist():
        issues.append(issue(df, int(i), shown["scale"], out["scale"].iat[i], "重复的院校 × 量表行", "每个组合只占一行"))
    raise_issues(pd.DataFrame(issues, columns=ISSUE_COLUMNS).sort_values("row", kind="stable"),
                 what="对标院校汇总统计表")
    out["mean"] = np.asarray(parsed["mean"], dtype=float)
    out["sd"] = np.asarray(parsed["sd"], dtype=float)
    out["n"] = np.asarray(parsed["n"], dtype=float).astype(int)
    return out[["college", "scale", "member_type", "mean", "sd", "n", "_file", "_row"]].reset_index(drop=True)


def load_indicators(path: str | Path, summaries: str | Path | None = None, *, display: str | None = None,
                    summaries_display: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read the indicators table and, when given, the benchmark summaries.

    Parameters
    ----------
    path
        The indicators file (:func:`read_indicators`).
    summaries
        The summary statistics file (:func:`read_summaries`), or ``None``.
    display, summaries_display
        How the two files are named in messages (default: the path as given).

    Returns
    -------
    (indicators, summaries)
        ``summaries`` is ``None`` when no file was given.
    """
    ind = read_indicators(path, display=display)
    summ = None if summaries is None else read_summaries(summaries, display=summaries_display)
    return ind, summ
