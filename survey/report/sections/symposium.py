"""Notebook 05: symposium themes by stakeholder group, tests, coder agreement, quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from survey.report import narrative as nz
from survey.report.sections.base import (
    ALPHA,
    Context,
    Section,
    _skip,
    _suppress_cells,
    _suppress_rows,
)
from survey.report.sections.cache import cached

if TYPE_CHECKING:
    from survey.instruments.symposium import ThemeCodebook


def _themes(table: pd.DataFrame) -> ThemeCodebook:
    """The theme codebook of the processed ``symposium_themes`` table."""
    from survey.instruments.symposium import themes_from_frame

    return themes_from_frame(table)


@cached("symposium")
def symposium(ctx: Context, *, quotes: bool = True, n_boot: int = 1000) -> Section:
    """Theme frequencies by stakeholder group, tests, coder agreement and quotes.

    Returns
    -------
    Section
        data ``frequencies``, ``tests``, ``residuals``, ``agreement``, ``alpha``, ``quotes``;
        tables ``overview``, ``frequencies``, ``tests``, ``agreement``, ``quotes``; figure
        ``symposium_heatmap`` (share of each group's statements raising each theme).
    """
    title = "座谈会"
    p = ctx.processed
    if p.statements is None or p.themes is None or p.statements.empty:
        return _skip(title, "本研究没有座谈会记录，跳过这一部分。")
    from survey.report.plots import heatmap
    from survey.stats import agreement, contingency
    from survey.stats import themes as sy

    st = p.statements.copy()
    # survey clean scrubs statement text before writing it (pipeline), so the processed
    # statements are safe to quote.
    st["text_scrubbed"] = True
    themes = _themes(p.themes)
    freq = sy.theme_frequencies(st, themes)
    tests, resid = contingency.theme_group_tests(st, themes)
    agree = agreement.theme_agreement(st, themes)
    alpha = agreement.krippendorff_alpha_presence(st, themes, n_boot=n_boot)
    sec = Section(title=title, data={"frequencies": freq, "tests": tests, "residuals": resid,
                                     "agreement": agree, "alpha": alpha})
    if p.sessions is not None and len(p.sessions):
        ov = p.sessions.groupby("group", sort=False).agg(
            场次=("session", lambda s: "、".join(map(str, s))),
            参会人数=("participants", lambda x: x.sum(min_count=1)))
        ov["发言条数"] = st.groupby("group").size().reindex(ov.index).fillna(0).astype(int)
        ov = ov.reset_index().rename(columns={"group": "座谈对象"})
        ov["参会人数"] = ov["参会人数"].map(lambda v: np.nan if pd.isna(v) else int(v))
        sec.tables["overview"] = _suppress_cells(ov, ["参会人数", "发言条数"])
        sec.counts["overview"] = ["参会人数", "发言条数"]
    groups = [g for g in dict.fromkeys(st["group"])]
    labels = dict(zip(themes.table["code"], themes.table["label"], strict=True))
    wide = pd.DataFrame({"编码": themes.codes, "主题": [labels[c] for c in themes.codes],
                         "问题领域": themes.table["area"].map("、".join).to_numpy()})
    allrows = freq[freq["group"] == sy.ALL_GROUPS].set_index("code")
    wide["提及条数（全部）"] = allrows.loc[themes.codes, "n"].to_numpy()
    wide["占全部发言"] = [nz.pct(v) for v in allrows.loc[themes.codes, "share"]]
    for g in groups:
        sub = freq[freq["group"] == g].set_index("code").loc[themes.codes]
        wide[f"{g}（占该群体发言）"] = [nz.pct(s) if n >= ctx.min_n or n == 0 else "<5"
                                 for n, s in zip(sub["n"], sub["share"], strict=True)]
    wide = _suppress_rows(wide, ["提及条数（全部）"], dependent=["占全部发言"])
    sec.tables["frequencies"] = wide.sort_values("编码", kind="stable")
    sec.counts["frequencies"] = ["提及条数（全部）"]
    heat = (freq[freq["group"] != sy.ALL_GROUPS]
            .assign(label=lambda d: d["code"].map(labels), pct=lambda d: 100 * d["share"])
            .pivot_table(index="label", columns="group", values="pct", sort=False)
            .reindex(index=[labels[c] for c in themes.codes], columns=groups))
    # plots.heatmap keeps x labels horizontal: wrap long group names so they do not overlap
    heat.index.name, heat.columns.name = "主题", "座谈对象"
    sec.figures["symposium_heatmap"] = heatmap(
        heat, fmt=".0f", cmap="Blues", cbar_label="占该群体发言的百分比（%）",
        title="各座谈对象提到各主题的比例（%）")
    t = tests.copy()
    sec.tables["tests"] = pd.DataFrame({
        "范围": t["scope"], "主题": t["label"], "χ²": t["statistic"].map(nz.num),
        "自由度": t["df"].map(lambda v: nz.MISSING if pd.isna(v) else str(int(v))),
        "p 值": t["p"].map(nz.pval), "Holm 校正 p": t["p_adj"].map(nz.pval),
        "方法": t["method"].map({"chi2": "卡方检验", "monte_carlo": "蒙特卡洛精确检验"}).fillna("不适用"),
        "Cramér's V": t["effect"].map(nz.num),
        "V 的 95% CI": [nz.ci(a, b) for a, b in zip(t["ci_low"], t["ci_high"], strict=True)]})
    sec.counts["tests"] = []
    ag = agree.copy()
    sec.tables["agreement"] = _suppress_rows(pd.DataFrame({
        "编码": ag["code"], "主题": ag["label"], "编码员A次数": ag["n_a"], "编码员B次数": ag["n_b"],
        "一致比例": ag["agreement"].map(nz.pct), "Cohen's κ": ag["effect"].map(nz.num),
        "κ 的 95% CI": [nz.ci(a, b) for a, b in zip(ag["ci_low"], ag["ci_high"], strict=True)]}),
        ["编码员A次数", "编码员B次数"], dependent=["一致比例", "Cohen's κ", "κ 的 95% CI"])
    sec.counts["agreement"] = ["编码员A次数", "编码员B次数"]
    # sentences
    n_all = len(st)
    top = allrows.loc[themes.codes].sort_values(["n"], ascending=False, kind="stable").head(3)
    parts = [f"{nz.quoted(labels[c])}（{nz.count(r['n'], 0)} 条，占 {nz.pct(r['share'])}）"
             for c, r in top.iterrows()]
    sec.sentences.append(f"{nz.count(len(st['session'].unique()), 0)} 场座谈会共记录发言 {nz.count(n_all, 0)} 条，"
                         f"提到最多的主题是：{'；'.join(parts)}。")
    ov_row = tests[tests["scope"] == "总体"].iloc[0]
    differs = pd.notna(ov_row["p"]) and ov_row["p"] < ALPHA
    sec.sentences.append(
        ("不同座谈对象关注的主题明显不同" if differs else "不同座谈对象关注的主题没有明显差别")
        + f"（χ² = {nz.num(ov_row['statistic'])}，p {nz.p_eq(ov_row['p'])}，"
        f"Cramér's V = {nz.num(ov_row['effect'])}）。")
    # the most over-represented theme per group (adjusted residual > 2)
    r2 = resid[resid["residual"] > 2].sort_values("residual", ascending=False)
    r2 = r2.drop_duplicates("group")
    if len(r2):
        sec.sentences.append("各群体相对更常提到的主题：" + "；".join(
            f"{r.group}—{nz.quoted(labels.get(r.code, r.code))}" for r in r2.itertuples()) + "。")
    a = alpha.iloc[0]
    kap = agree["effect"].dropna()
    s = (f"两位编码员独立编码的一致性：Krippendorff's α = {nz.num(a['effect'])}"
         f"（95% CI {nz.ci(a['ci_low'], a['ci_high'])}）")
    if len(kap):
        lo_row = agree.loc[[kap.idxmin()]].iloc[0]
        s += (f"，各主题 Cohen's κ 的中位数为 {nz.num(kap.median())}，最低的是"
              f"{nz.quoted(lo_row['label'])}（κ = {nz.num(lo_row['effect'])}）")
    sec.sentences.append(s + "；一般认为 0.60 以上为较高一致，0.80 以上为几乎完全一致。")
    if quotes:
        q = sy.representative_quotes(st, themes, k=2)
        sec.data["quotes"] = q
        sec.tables["quotes"] = pd.DataFrame({"主题": q["label"], "座谈对象": q["group"],
                                             "发言人（代号）": q["speaker"], "发言摘录": q["text"]})
        sec.counts["quotes"] = []
    sec.notes += ["频次按编码员 A 的编码计算（编码员 B 用于检验一致性）；一条发言可涉及多个主题。",
                  "按主题的检验比较各群体提到该主题的比例（期望频数过小时用蒙特卡洛精确检验），"
                  "多个主题一起检验时用 Holm 方法校正。", "发言摘录已去除姓名、电话等个人信息。"]
    return sec


