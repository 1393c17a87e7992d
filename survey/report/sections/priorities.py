"""Notebook 04: importance–performance analysis of the projects, with the benchmark gap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.report import narrative as nz
from survey.report.sections.base import (
    Context,
    Section,
    _main_group,
    _skip,
    _summaries,
    _suppress_rows,
)
from survey.report.sections.cache import cached


@cached("priorities")
def priorities(ctx: Context) -> Section:
    """Importance–performance analysis of the projects, with the gap against the benchmarks.

    Returns
    -------
    Section
        data ``ipa`` (:func:`survey.stats.ipa.ipa` on the home college; the benchmark columns
        recomputed with summary-only colleges folded in); table ``ipa``; figure
        ``ipa_quadrant``; sentences naming the 重点改进 projects in priority order.
    """
    title = "重点项目排序"
    from survey.stats.ipa import QUADRANTS, ipa, project_items

    try:
        proj = project_items(ctx.codebook)
    except SurveyError:
        return _skip(title, "编码手册中没有成对的“重要性—表现”题目（IMP_k / PERF_k），"
                            "不做重要性—表现分析。")
    from survey.report.plots import ipa_quadrant
    from survey.stats.compare import gap_table

    home = ctx.responses[ctx.responses[ctx.by] == ctx.reference]
    res = ipa(home, ctx.codebook, by=ctx.by, reference=ctx.reference)
    # benchmark gap of the performance items, with summary-only colleges folded in
    perf = list(proj["item_perf"])
    if len(ctx.groups) + len(ctx.summary_groups) > 1:
        summ = _summaries(ctx, "item")
        if summ is not None:
            summ = summ[summ["item"].isin(perf)]
        gap = gap_table(ctx.responses, columns=perf, by=ctx.by, reference=ctx.reference,
                        level="item", summaries=summ if summ is not None and len(summ) else None,
                        p_adjust="fdr_bh")
        main = _main_group(gap)
        g = gap[gap["group"] == main].rename(columns={
            "item": "item_perf", "mean": "bench_mean", "diff": "bench_diff",
            "ci_low": "bench_ci_low", "ci_high": "bench_ci_high", "p_adj": "bench_p_adj",
            "effect": "bench_effect", "n": "bench_n"})
        res = res.merge(g[["item_perf", "bench_mean", "bench_diff", "bench_ci_low",
                           "bench_ci_high", "bench_p_adj", "bench_effect", "bench_n"]],
                        on="item_perf", how="left")
    else:
        for c in ("bench_mean", "bench_diff", "bench_ci_low", "bench_ci_high", "bench_p_adj",
                  "bench_effect", "bench_n"):
            res[c] = np.nan
    res["priority"] = np.where(res["quadrant"] == "重点改进", 0, 1)
    res = res.sort_values(["priority", "bench_diff", "diff"], ascending=[True, True, False],
                          kind="stable").reset_index(drop=True)
    res["rank"] = np.arange(1, len(res) + 1)
    sec = Section(title=title, data={"ipa": res})
    sec.tables["ipa"] = _suppress_rows(pd.DataFrame({
        "优先顺序": res["rank"], "项目": res["name"], "象限": res["quadrant"],
        "样本量": res["n"],
        "重要性均值": res["imp_mean"].map(nz.num), "表现均值": res["perf_mean"].map(nz.num),
        "重要性 − 表现": res["diff"].map(nz.num),
        "95% CI": [nz.ci(a, b) for a, b in zip(res["ci_low"], res["ci_high"], strict=True)],
        "对标表现均值": res["bench_mean"].map(nz.num),
        "与对标的表现差值": res["bench_diff"].map(nz.num),
        "差值 95% CI": [nz.ci(a, b) for a, b in zip(res["bench_ci_low"], res["bench_ci_high"],
                                                     strict=True)],
        "BH 校正 p": res["bench_p_adj"].map(nz.pval)}), ["样本量"],
        dependent=["重要性均值", "表现均值", "重要性 − 表现", "95% CI"])
    sec.counts["ipa"] = ["样本量"]
    quads = {"upper_left": QUADRANTS[(True, False)], "upper_right": QUADRANTS[(True, True)],
             "lower_left": QUADRANTS[(False, False)], "lower_right": QUADRANTS[(False, True)]}
    sec.figures["ipa_quadrant"] = ipa_quadrant(
        res, x="perf_mean", y="imp_mean", label="name", x_ref=float(res["perf_grand"].iloc[0]),
        y_ref=float(res["imp_grand"].iloc[0]), quadrant_labels=quads,
        xlabel=f"{ctx.reference}现状表现（均值）", ylabel="重要性（均值）",
        title=f"{ctx.reference}各项目的重要性—表现象限图（虚线为总均值）")
    focus = res[res["quadrant"] == "重点改进"]
    if len(focus):
        sec.sentences.append(
            f"落在「重点改进」象限（重要性高于各项目平均、表现低于平均）的项目有 {len(focus)} 个，"
            f"按与对标院校的表现差距从大到小依次为：{nz.join_zh([nz.quoted(x) for x in focus['name']])}。")
        bench = pd.to_numeric(focus["bench_diff"], errors="coerce").to_numpy(dtype=float)
        for r, bench_diff in zip(focus.itertuples(), bench, strict=True):
            s = (f"{nz.quoted(str(r.name))}：重要性 {nz.num(r.imp_mean)}，表现 {nz.num(r.perf_mean)}"
                 f"（相差 {nz.num(r.diff)} 分）")
            if not np.isnan(bench_diff):
                word = "低" if bench_diff < 0 else "高"
                s += (f"；表现比对标院校{word} {nz.num(abs(bench_diff))} 分"
                      f"（95% CI {nz.ci(r.bench_ci_low, r.bench_ci_high)}，BH 校正 p {nz.p_eq(r.bench_p_adj)}）")
            sec.sentences.append(s + "。")
    else:
        sec.sentences.append("没有项目落在「重点改进」象限。")
    keep = res[res["quadrant"] == "继续保持"]
    if len(keep):
        sec.sentences.append(f"{nz.join_zh([nz.quoted(x) for x in keep['name']])}重要且表现较好，宜继续保持。")
    sec.notes += ["象限以各项目重要性均值和表现均值的总平均为界（Martilla & James 1977）。",
                  "“与对标的表现差值”= " + ctx.reference + "表现 − 对标院校表现，"
                  "多个项目一起比较时用 Benjamini–Hochberg 方法校正 p 值。"]
    return sec


