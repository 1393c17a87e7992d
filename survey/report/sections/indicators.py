"""Notebook 06: the objective indicators against the benchmark median and best."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from survey.report import narrative as nz
from survey.report.sections.base import Context, Section, _skip
from survey.report.sections.cache import cached

DIRECTION_ZH = {"higher": "越高越好", "lower": "越低越好"}


@cached("indicators")
def indicators(ctx: Context) -> Section:
    """Home vs benchmark median and best on each indicator, respecting its direction.

    Returns
    -------
    Section
        data ``gaps`` (:func:`survey.stats.indicators.indicator_gaps`); table ``gaps``; figure
        ``indicator_gaps``.
    """
    title = "对标指标"
    ind = ctx.processed.indicators
    if ind is None or ind.empty:
        return _skip(title, "本研究没有对标指标数据，跳过这一部分。")
    from survey.report.plots import gap_bars
    from survey.stats.indicators import indicator_gaps

    materiality = ctx.study.indicators.materiality if ctx.study.indicators is not None else None
    gaps = indicator_gaps(ind, home=ctx.reference, materiality=materiality)
    sec = Section(title=title, data={"gaps": gaps})
    sec.tables["gaps"] = pd.DataFrame({
        "指标": gaps["indicator"], "单位": gaps["unit"].fillna(""),
        "方向": gaps["direction"].map(DIRECTION_ZH).fillna(gaps["direction"]),
        "问题领域": gaps["area"].fillna(""),
        ctx.reference: gaps["home"].map(_value),
        "对标中位数": gaps["benchmark_median"].map(_value),
        "对标最好": gaps["benchmark_best"].map(_value),
        "最好的院校": gaps["best_college"],
        "与中位数差距": gaps["gap_median"].map(_value),
        "与中位数差距（%）": gaps["gap_median_share"].map(nz.pct),
        "与最好差距（%）": gaps["gap_best_share"].map(nz.pct),
        "是否落后于中位数": gaps["behind_median"].map(lambda v: "是" if v is True else
                                               ("否" if v is False else nz.MISSING)),
        "是否构成实质差距": gaps["material"].map(lambda v: "是" if v is True else
                                            ("否" if v is False else nz.MISSING)),
        "实质差距标准": gaps["material_rule"].fillna("")})
    sec.counts["gaps"] = []
    sec.figures["indicator_gaps"] = gap_bars(
        _bar_table(gaps, ctx), label="indicator", value="pct", text="text",
        xlabel="与对标院校中位数的差距（%，已按指标方向换算；负数 = 落后）",
        title=f"{ctx.reference}各项对标指标与对标院校中位数的差距")
    behind = gaps[gaps["material"] == True]  # noqa: E712 - pd.NA aware
    n_behind = int((gaps["behind_median"] == True).sum())  # noqa: E712 - pd.NA aware
    n = int(gaps["gap_median"].notna().sum())
    sec.sentences.append(f"在可比较的 {n} 项对标指标中，{ctx.reference}有 {n_behind} 项落后于对标院校中位数，"
                         f"其中 {len(behind)} 项差距达到实质标准。")
    for r in behind.sort_values("gap_median_share").itertuples():
        sec.sentences.append(
            f"{nz.quoted(str(r.indicator))}：{ctx.reference} {_with_unit(r.home, r.unit)}，对标中位数 "
            f"{_with_unit(r.benchmark_median, r.unit)}，差距 {nz.pct(r.gap_median_share)}"
            f"（{DIRECTION_ZH.get(str(r.direction), r.direction)}）。")
    sec.notes.append("差距已按指标方向换算：对“越低越好”的指标（如整改用时），数值高于对标即为落后；"
                     "百分比 = 差距 ÷ 对标中位数。")
    return sec


def _with_unit(v: Any, unit: Any) -> str:
    unit = "" if unit is None or pd.isna(unit) else str(unit)
    if unit.startswith("是/否"):
        if pd.isna(v):
            return nz.MISSING
        return "是" if float(v) == 1 else "否" if float(v) == 0 else _value(v)
    return _value(v) + unit


def _value(v: Any) -> str:
    if v is None or pd.isna(v):
        return nz.MISSING
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")




def _is_yes_no(unit: Any) -> bool:
    return unit is not None and not pd.isna(unit) and str(unit).startswith("是/否")


def _bar_table(gaps: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Rows of the indicator chart: the gap in % with its values beside it; a yes/no indicator
    gets no bar (a −100 % bar would overstate it) but the words 有/无."""
    rows: list[tuple[str, float, str]] = []
    shares = pd.to_numeric(gaps["gap_median_share"], errors="coerce").to_numpy(dtype=float)
    for r, share in zip(gaps.itertuples(), shares, strict=True):
        if _is_yes_no(r.unit):
            text = f"{ctx.reference}{_has(r.home)}，对标中位数{_has(r.benchmark_median)}"
            rows.append((str(r.indicator), np.nan, text))
            continue
        pct = 100 * share
        word = nz.MISSING if np.isnan(pct) else f"{pct:+.0f}%"
        text = (f"{word}（{_with_unit(r.home, r.unit)} 对 {_with_unit(r.benchmark_median, r.unit)}）")
        rows.append((str(r.indicator), pct, text))
    return pd.DataFrame(rows, columns=["indicator", "pct", "text"])


def _has(v: Any) -> str:
    """有 / 无 for a yes/no value (1 / 0); a median between them (0.5) is 各半."""
    if v is None or pd.isna(v):
        return nz.MISSING
    v = float(v)
    return "有" if v == 1 else "无" if v == 0 else "各半" if v == 0.5 else _value(v)
