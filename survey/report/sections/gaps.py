"""Notebook 03: gaps against the benchmark colleges, and the composition adjustment."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from survey.report import narrative as nz
from survey.report.sections.base import (
    ALPHA,
    Context,
    Section,
    _against,
    _main_group,
    _skip,
    _summaries,
    _suppress_rows,
)
from survey.report.sections.cache import cached
from survey.stats.common import POOLED


def _means(table: pd.DataFrame, col: str) -> list[str]:
    """Means written so that the two shown means give the shown difference
    (:func:`.narrative.mean_digits`: one more decimal where two would not)."""
    return [nz.num(getattr(r, col), nz.mean_digits(r.diff, r.mean_ref, r.mean))
            for r in table.itertuples()]


def _gap_report(table: pd.DataFrame, ctx: Context, level: str) -> pd.DataFrame:
    ref = ctx.reference
    method = "Holm" if level == "scale" else "BH"
    if level == "scale":
        first = ("维度", table["label"] if "label" in table else table["scale"])
    else:
        first = ("题目", table["item"])
    cols: dict[str, Any] = {first[0]: first[1]}
    if level == "item":
        cols["题目内容"] = table["item"].map(ctx.item_label)
    cols.update({
        "比较对象": table["group"].map(lambda g: _against(g, ctx)),
        f"{ref}样本量": table["n_ref"],
        f"{ref}均值": _means(table, "mean_ref"),
        "对标样本量": table["n"],
        "对标均值": _means(table, "mean"),
        "差值": table["diff"].map(nz.num),
        "差值 95% CI": [nz.ci(a, b) for a, b in zip(table["ci_low"], table["ci_high"], strict=True)],
        "Hedges g": table["effect"].map(nz.num),
        "g 的 95% CI": [nz.ci(a, b) for a, b in zip(table["effect_ci_low"],
                                                    table["effect_ci_high"], strict=True)],
        "p 值": table["p"].map(nz.pval),
        f"{method} 校正 p": table["p_adj"].map(nz.pval),
        "Cliff's δ": table["delta"].map(nz.num),
    })
    t = pd.DataFrame(cols)
    return _suppress_rows(t, [f"{ref}样本量", "对标样本量"],
                          dependent=[c for c in t.columns if c not in
                                     (first[0], "题目内容", "比较对象", f"{ref}样本量", "对标样本量")])


def _verdict(row: Any) -> str:
    """behind / ahead / level from the bootstrap CI of the difference and the adjusted p."""
    return nz.gap_verdict(row.diff, row.ci_low, row.ci_high, row.p_adj, ALPHA)


def lower_is_better(ctx: Context, scale: str) -> bool:
    """Whether the codebook declares ``scale`` lower-is-better (a burden scale)."""
    return ctx.codebook.scale_directions().get(scale) == nz.LOWER_IS_BETTER


def gap_sentence(row: Any, ctx: Context, *, against: str) -> str:
    """The committee's sentence for one scale gap (numbers as in the gap table), in the
    study's own labels and following the scale's direction (:func:`.narrative.gap_sentence`)."""
    return nz.gap_sentence(row, reference=ctx.reference, against=against,
                           lower_is_better=lower_is_better(ctx, row.scale), alpha=ALPHA)


def _worse(row: Any, ctx: Context) -> bool:
    """The home group is significantly worse on this row (scale or item of a scale)."""
    v = _verdict(row)
    if v not in {"behind", "ahead"}:
        return False
    return (v == "behind") != lower_is_better(ctx, row.scale)


def _likert_figures(ctx: Context) -> dict[str, Any]:
    """One diverging Likert chart per scale: every item with its full text, reverse-keyed items
    turned round (so that the good end is always blue), the groups in the order of
    ``ctx.groups`` with the home group highlighted."""
    from survey.report.plots import diverging_likert

    figs: dict[str, Any] = {}
    groups = [g for g in ctx.groups if g not in ctx.small_groups]
    resp = ctx.responses[ctx.responses[ctx.by].isin(groups)]
    used: set[str] = set()
    for k, sc in enumerate(ctx.codebook.scales, start=1):
        options = ctx.codebook.options(sc.items[0])
        cats = sorted(options)
        lo, hi = sc.range if sc.range is not None else (min(cats), max(cats))
        long = resp[[ctx.by, *sc.items]].melt(id_vars=ctx.by, var_name="item",
                                              value_name="category").dropna()
        # reverse-keyed items as scored: code c counts as lo + hi - c
        rev = long["item"].isin(sc.reverse)
        long.loc[rev, "category"] = lo + hi - long.loc[rev, "category"]
        counts = long.groupby(["item", ctx.by, "category"]).size().rename("n").reset_index()
        counts = counts[counts["category"].isin(cats)]
        labels = {it: f"{it}  {ctx.item_label(it)}" + ("（反向题，已反向计分）" if it in sc.reverse else "")
                  for it in sc.items}
        lower = sc.direction == nz.LOWER_IS_BETTER
        note = "；反向题已反向计分" if sc.reverse else ""
        fig = diverging_likert(counts, item="item", group=ctx.by, categories=cats,
                               labels=options, items=list(sc.items), groups=groups,
                               item_labels=labels, highlight=ctx.reference,
                               good="low" if lower else "high",
                               xlabel=f"占比（%）；蓝色 = 有利评价，红色 = 不利评价{note}",
                               title=f"{sc.label}：各题作答分布")
        name = "likert_" + re.sub(r"[^a-z0-9_-]", "_", sc.id.lower())
        if not re.match(r"^[a-z][a-z0-9_-]*$", name) or name in used:
            name = f"likert_scale_{k}"
        used.add(name)
        figs[name] = fig
    return figs


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@cached("gaps")
def benchmark_gaps(ctx: Context, *, items: bool = True, likert: bool = True) -> Section:
    """Gaps home − benchmark per scale (and item), rank tests, forest and Likert charts.

    Parameters
    ----------
    ctx
        The study.
    items
        Also compare every scale item (Benjamini–Hochberg across items).
    likert
        Draw the diverging stacked Likert chart of each scale.

    Returns
    -------
    Section
        data ``scale`` (:func:`survey.stats.compare.gap_by_scale`, summary-only colleges folded in),
        ``item``, ``kruskal``, ``dunn``; tables of the same names; figures
        ``gap_by_dimension`` and ``likert_<scale>``; one sentence per scale against the
        pooled benchmark (or the only benchmark).
    """
    if not ctx.scales:
        return _skip("对标差距", "编码手册中没有定义量表（scales），不做对标比较。")
    if len(ctx.groups) + len(ctx.summary_groups) < 2:
        return _skip("对标差距", f"数据中只有“{ctx.reference}”一个分组，没有可比较的对标组。")
    from survey.report.plots import forest_plot
    from survey.stats.compare import gap_by_item, gap_by_scale, kruskal_dunn

    sec = Section(title="对标差距")
    table = gap_by_scale(ctx.responses, ctx.codebook, by=ctx.by, reference=ctx.reference,
                         summaries=_summaries(ctx, "scale"))
    sec.data["scale"] = table
    order = {g: i for i, g in enumerate([POOLED, *ctx.groups, *ctx.summary_groups])}
    report = table.assign(_o=table["group"].map(order)).sort_values(["_o"], kind="stable")
    sec.tables["scale"] = _gap_report(report.drop(columns="_o"), ctx, "scale")
    sec.counts["scale"] = [f"{ctx.reference}样本量", "对标样本量"]
    main = _main_group(table)
    sec.data["main_group"] = pd.DataFrame({"group": [main]})
    against = _against(main, ctx)
    for row in table[table["group"] == main].itertuples():
        sec.sentences.append(gap_sentence(row, ctx, against=against))
    # forest plot: every comparison with enough respondents
    fig_t = report[~report["group"].isin(ctx.small_groups) & (report["n"] >= ctx.min_n)]
    fig_t = fig_t.assign(comparison=fig_t["group"].map(lambda g: _against(g, ctx)))
    sec.figures["gap_by_dimension"] = forest_plot(
        fig_t, label="label", est="effect", lo="effect_ci_low", hi="effect_ci_high",
        group="comparison", highlight=_against(POOLED, ctx),
        xlabel=f"Hedges g（{ctx.reference} − 比较对象，95% 置信区间；负数 = {ctx.reference}较低）",
        title=f"{ctx.reference}与各比较对象的差距（各维度）")
    # items
    if items:
        it = gap_by_item(ctx.responses, ctx.codebook, by=ctx.by, reference=ctx.reference,
                         summaries=_summaries(ctx, "item"))
        sec.data["item"] = it
        it_main = it[it["group"] == main].copy()
        it_main.insert(1, "label_scale", it_main["scale"].map(ctx.scale_labels))
        t = _gap_report(it_main, ctx, "item")
        t.insert(0, "维度", it_main["label_scale"].to_numpy())
        sec.tables["item"] = t
        sec.counts["item"] = [f"{ctx.reference}样本量", "对标样本量"]
        worse: list[Any] = [r for r in it_main.itertuples() if _worse(r, ctx)]
        worst = sorted(worse, key=lambda r: (-abs(r.diff), r.item))[:3]
        if worst:
            parts = [f"{r.item}“{_short(ctx.item_label(r.item), 20)}”"
                     f"（{'低' if r.diff < 0 else '高'} {nz.num(abs(r.diff))} 分，"
                     f"BH 校正 p {nz.p_eq(r.p_adj)}）" for r in worst]
            sec.sentences.append(f"逐题看，{ctx.reference}比{against}差得最多的是："
                                 + "；".join(parts) + "。")
    # Kruskal-Wallis + Dunn over the groups with raw answers and enough respondents
    scores = _scores(ctx)
    big = scores[~scores[ctx.by].isin(ctx.small_groups)]
    if big[ctx.by].nunique() >= 2:
        kw, dunn = kruskal_dunn(big, columns=ctx.scales, by=ctx.by)
        sec.data["kruskal"], sec.data["dunn"] = kw, dunn
        sec.tables["kruskal"] = pd.DataFrame({
            "维度": kw["scale"].map(ctx.scale_labels), "样本量": kw["n"], "组数": kw["k"],
            "H": kw["statistic"].map(nz.num), "自由度": kw["df"],
            "p 值": kw["p"].map(nz.pval), "Holm 校正 p": kw["p_adj"].map(nz.pval)})
        sec.counts["kruskal"] = ["样本量"]
        if len(dunn):
            d = dunn[(dunn["group"] == ctx.reference) | (dunn["group2"] == ctx.reference)].copy()
            flip = d["group2"] == ctx.reference
            d.loc[flip, ["group", "group2"]] = d.loc[flip, ["group2", "group"]].to_numpy()
            d.loc[flip, ["mean_rank_diff", "statistic"]] *= -1
            sec.data["dunn_reference"] = d
            sec.tables["dunn"] = pd.DataFrame({
                "维度": d["scale"].map(ctx.scale_labels), "比较对象": d["group2"],
                "平均秩差": d["mean_rank_diff"].map(lambda v: nz.num(v, 1)),
                "z": d["statistic"].map(nz.num), "p 值": d["p"].map(nz.pval),
                "Holm 校正 p": d["p_adj"].map(nz.pval)})
            sec.counts["dunn"] = []
    if likert:
        sec.figures.update(_likert_figures(ctx))
    if ctx.summary_groups:
        sec.notes.append(f"{nz.join_zh(ctx.summary_groups)}只提供了汇总统计（均值、标准差、人数）：它们与"
                         f"{ctx.reference}的比较用 Welch t 检验和 Hedges g，并按人数精确并入合并对标组；"
                         "秩检验、Cliff's δ 和作答分布图只用有逐份答卷的院校。")
    if ctx.small_groups:
        sec.notes.append(f"{nz.join_zh(ctx.small_groups)}不足 5 人，只计入合并后的比较组，不单独比较、不画图。")
    lower = [ctx.scale_labels[s] for s in ctx.scales if lower_is_better(ctx, s)]
    sec.notes += [f"差值 = {ctx.reference} − 比较对象（负数表示{ctx.reference}得分较低）；差值的置信区间由"
                  "自助法（bootstrap，5000 次，固定随机种子）得到。" + (
                      f"{nz.join_zh([nz.quoted(x) for x in lower])}分数越低越好：得分较高即较差。"
                      if lower else ""),
                  nz.EXPLAIN_CI, nz.EXPLAIN_P_ADJ, nz.EXPLAIN_G]
    return sec


# ---------------------------------------------------------------------------------------------
# composition adjustment


@cached("composition")
def composition(ctx: Context) -> Section:
    """Naive vs composition-adjusted gaps, and the gap within each member type.

    Returns
    -------
    Section
        data ``adjusted`` (:func:`survey.stats.adjust.poststratified_gap`, pooled and each college)
        and ``within`` (:func:`survey.stats.adjust.gap_within_strata`); tables of the same names;
        figure ``gap_adjusted``; a sentence per scale.
    """
    title = "党员构成调整"
    if not ctx.scales:
        return _skip(title, "编码手册中没有定义量表，不做构成调整。")
    if ctx.strata is None:
        return _skip(title, "数据中没有党员类别（member_type）题，无法按党员构成调整，"
                            "只报告未调整的差距。")
    from survey.report.plots import forest_plot
    from survey.stats.adjust import gap_within_strata, poststratified_gap, roster_shares

    scores = _scores(ctx)
    scores = scores[~scores[ctx.by].isin(ctx.small_groups)]
    if scores[ctx.by].nunique() < 2:
        return _skip(title, "有逐份答卷的对标组不足，无法做构成调整。")
    sec = Section(title=title)
    target, target_word = None, f"{ctx.reference}样本的党员构成"
    roster = ctx.processed.roster
    if roster is not None and len(roster) and ctx.by == "college":
        from survey.stats.roster import college_totals

        tot = college_totals(roster).rename(columns={"members": "count"})
        if (tot["college"] == ctx.reference).any():
            target = roster_shares(tot, group=ctx.reference, by="college", strata="member_type",
                                   count="count")
            target_word = f"{ctx.reference}党员名册的构成（" + "，".join(
                f"{k} {nz.pct(v)}" for k, v in target.items()) + "）"
    strata_summaries = _strata_summaries(ctx)
    adj = poststratified_gap(scores, columns=ctx.scales, by=ctx.by, reference=ctx.reference,
                             strata=ctx.strata, target=target, each=True,
                             summaries=strata_summaries)
    within = gap_within_strata(scores, columns=ctx.scales, by=ctx.by, reference=ctx.reference,
                               strata=ctx.strata, summaries=strata_summaries)
    sec.data["adjusted"], sec.data["within"] = adj, within
    est = {"naive": "未调整", "poststratified": "按构成调整"}
    sec.tables["adjusted"] = _suppress_rows(pd.DataFrame({
        "维度": adj["scale"].map(ctx.scale_labels), "比较对象": adj["group"].map(lambda g: _against(g, ctx)),
        "估计方法": adj["estimator"].map(est),
        f"{ctx.reference}样本量": adj["n_ref"], "对标样本量": adj["n"],
        f"{ctx.reference}均值": _means(adj, "mean_ref"), "对标均值": _means(adj, "mean"),
        "差值": adj["diff"].map(nz.num),
        "95% CI": [nz.ci(a, b) for a, b in zip(adj["ci_low"], adj["ci_high"], strict=True)],
        "p 值": adj["p"].map(nz.pval),
        "设计效应（对标）": adj["deff"].map(nz.num),
        "有效样本量（对标）": adj["n_eff"].map(lambda v: nz.num(v, 0)),
        "说明": adj["note"].fillna("")}),
        [f"{ctx.reference}样本量", "对标样本量"])
    sec.counts["adjusted"] = [f"{ctx.reference}样本量", "对标样本量"]
    sec.tables["within"] = _suppress_rows(pd.DataFrame({
        "维度": within["scale"].map(ctx.scale_labels), "党员类别": within["stratum"],
        f"{ctx.reference}样本量": within["n_ref"], "对标样本量": within["n"],
        f"{ctx.reference}均值": _means(within, "mean_ref"),
        "对标均值": _means(within, "mean"), "差值": within["diff"].map(nz.num),
        "95% CI": [nz.ci(a, b) for a, b in zip(within["ci_low"], within["ci_high"], strict=True)],
        "Hedges g": within["effect"].map(nz.num), "p 值": within["p"].map(nz.pval)}),
        [f"{ctx.reference}样本量", "对标样本量"])
    sec.counts["within"] = [f"{ctx.reference}样本量", "对标样本量"]
    main = POOLED if (adj["group"] == POOLED).any() else adj["group"].iloc[0]
    pooled = adj[adj["group"] == main].assign(
        label=lambda d: d["scale"].map(ctx.scale_labels),
        estimator_zh=lambda d: d["estimator"].map(est))
    sec.figures["gap_adjusted"] = forest_plot(
        pooled, label="label", est="diff", lo="ci_low", hi="ci_high", group="estimator_zh",
        xlabel=f"差值（{ctx.reference} − {_against(main, ctx)}，分；95% 置信区间）",
        title="未调整与按党员构成调整后的差距")
    against = _against(main, ctx)
    for sid in ctx.scales:
        s = composition_sentence(ctx, sid, pooled, within, against=against)
        if s:
            sec.sentences.append(s)
    sec.data["pooled"] = pooled
    sec.notes += [
        f"按构成调整：把{ctx.reference}和{against}都按同一党员构成（{target_word}）重新加权后再比较"
        "（事后分层），这样差距不会因为双方在职、学生、离退休党员的比例不同而被放大或掩盖。",
        "设计效应表示加权使抽样误差放大了多少倍；有效样本量 = 样本量 ÷ 设计效应。"]
    if ctx.summary_groups:
        joined = [] if strata_summaries is None else list(dict.fromkeys(strata_summaries["group"]))
        joined = [g for g in ctx.summary_groups if g in joined]
        rest = [g for g in ctx.summary_groups if g not in joined]
        if joined:
            sec.notes.append(f"{nz.join_zh(joined)}没有逐份答卷，但提供了分党员类别的人数、均值和标准差："
                             "它们按各类别的汇总统计并入对标组参与调整，与用逐份答卷计算的结果相同。")
        if rest:
            sec.notes.append(f"{nz.join_zh(rest)}没有逐份答卷，也没有分党员类别的汇总统计，不参与构成调整；"
                             "因此这里的“未调整”差距与上一节合并对标组的差距可能略有不同。")
    return sec


def worse_strata(ctx: Context, scale: str, within: pd.DataFrame) -> tuple[int, int]:
    """(member types where the home group scores worse, member types compared) for ``scale``:
    rows of :func:`survey.stats.adjust.gap_within_strata` with at least ``ctx.min_n``
    respondents on both sides; "worse" follows the scale's direction."""
    w = within[(within["scale"] == scale) & within["diff"].notna()
               & (within["n_ref"] >= ctx.min_n) & (within["n"] >= ctx.min_n)]
    sign = -1.0 if lower_is_better(ctx, scale) else 1.0
    return int((sign * w["diff"] < 0).sum()), len(w)


def composition_sentence(ctx: Context, scale: str, pooled: pd.DataFrame, within: pd.DataFrame,
                         *, against: str) -> str:
    """The sentence for one scale of the composition adjustment, or ``""`` without both
    estimates.

    Parameters
    ----------
    ctx
        The study (its labels and the scale's direction).
    scale
        Scale id.
    pooled
        Rows of :func:`survey.stats.adjust.poststratified_gap` against one comparison group
        (``estimator`` ``naive`` and ``poststratified``).
    within
        :func:`survey.stats.adjust.gap_within_strata`.
    against
        The comparison group as named in a sentence.
    """
    sub = pooled[pooled["scale"] == scale].set_index("estimator")
    if not {"naive", "poststratified"} <= set(sub.index):
        return ""
    n, a = sub.loc["naive"], sub.loc["poststratified"]
    s = (f"{nz.quoted(ctx.scale_labels[scale])}：未调整差距 {nz.num(n['diff'])} 分"
         f"（95% CI {nz.ci(n['ci_low'], n['ci_high'])}），按党员构成调整后 {nz.num(a['diff'])} 分"
         f"（95% CI {nz.ci(a['ci_low'], a['ci_high'])}）")
    n_worse, n_strata = worse_strata(ctx, scale, within)
    if n_strata:
        lower = "（该维度分数越低越好）" if lower_is_better(ctx, scale) else ""
        s += (f"；在 {n_strata} 个党员类别内部，有 {n_worse} 个类别{ctx.reference}"
              f"差于{against}{lower}")
    return s + "。"


def _strata_summaries(ctx: Context) -> pd.DataFrame | None:
    """Per-member-type scale summaries of summary-only colleges, for the composition
    adjustment (columns group, scale, stratum, n, mean, sd; member types spelled as in the
    answers). ``None`` when there are none."""
    s = ctx.processed.summaries
    if s is None or not len(s) or "member_type" not in s.columns or ctx.by != "college":
        return None
    if "scale" not in s.columns:
        return None
    from survey.instruments.roster import normalise_member_type

    s = s.rename(columns={"college": "group", "member_type": "stratum"})
    s = s[s["scale"].astype(str).isin(ctx.scales) & ~s["group"].astype(str).isin(ctx.groups)]
    s = s.assign(
        scale=s["scale"].astype(str),
        stratum=s["stratum"].map(
            lambda v: "" if pd.isna(v) or not str(v).strip()
            else (normalise_member_type(str(v)) or str(v).strip())
        ),
    )
    if not (s["stratum"] != "").any():
        return None
    return s[["group", "scale", "stratum", "n", "mean", "sd"]].reset_index(drop=True)


def _scores(ctx: Context) -> pd.DataFrame:
    from survey.stats.scoring import score_scales

    scores = score_scales(ctx.responses, ctx.codebook)
    scores[ctx.by] = ctx.responses[ctx.by]
    if ctx.strata:
        scores[ctx.strata] = ctx.responses[ctx.strata]
    return scores


