"""Notebook 02: reliability of each scale (α with its CI, ω, item-total correlations)."""

from __future__ import annotations

import pandas as pd

from survey.report import narrative as nz
from survey.report.sections.base import Context, Section, _skip, _suppress_rows
from survey.report.sections.cache import cached


@cached("measurement")
def measurement(ctx: Context) -> Section:
    """Reliability of each scale: alpha with its CI, omega, item-total correlations.

    Returns
    -------
    Section
        tables ``scales`` and ``items``; data ``scales`` and ``items`` from
        :func:`survey.stats.reliability.reliability`.
    """
    if not ctx.scales:
        return _skip("量表信度", "编码手册中没有定义量表（scales），不计算信度。")
    from survey.stats.reliability import THRESHOLD, reliability

    scale_t, item_t = reliability(ctx.responses, ctx.codebook)
    sec = Section(title="量表信度", data={"scales": scale_t, "items": item_t})
    sec.tables["scales"] = _suppress_rows(pd.DataFrame({
        "维度": scale_t["label"],
        "编号": scale_t["scale"],
        "题目数": scale_t["n_items"],
        "完整作答人数": scale_t["n"],
        "Cronbach's α": scale_t["alpha"].map(nz.num),
        "α 的 95% CI": [nz.ci(a, b) for a, b in zip(scale_t["alpha_ci_low"],
                                                     scale_t["alpha_ci_high"], strict=True)],
        "McDonald's ω": scale_t["omega"].map(nz.num),
        "是否低于 0.70": scale_t["flag"].map({True: "是", False: "否"}),
        "说明": scale_t["note"].fillna(""),
    }), ["完整作答人数"])
    sec.counts["scales"] = ["完整作答人数"]
    labels = ctx.scale_labels
    sec.tables["items"] = pd.DataFrame({
        "维度": item_t["scale"].map(labels),
        "题目": item_t["item"],
        "题目内容": item_t["item"].map(ctx.item_label),
        "反向题": item_t["reversed"].map({True: "是", False: ""}),
        "均值（反向计分后）": item_t["mean"].map(nz.num),
        "校正题总相关": item_t["r_drop"].map(nz.num),
        "删除该题后的 α": item_t["alpha_if_deleted"].map(nz.num),
    })
    sec.counts["items"] = []
    ok = scale_t.dropna(subset=["alpha"])
    if len(ok):
        s = (f"{len(ok)} 个维度的 Cronbach's α 在 {nz.num(ok['alpha'].min())}–"
             f"{nz.num(ok['alpha'].max())} 之间")
        om = ok["omega"].dropna()
        if len(om):
            s += f"，McDonald's ω 在 {nz.num(om.min())}–{nz.num(om.max())} 之间"
        flagged = scale_t[scale_t["flag"]]
        if flagged.empty:
            s += f"，都达到 {THRESHOLD:.2f} 的常用标准，量表可以信赖。"
        else:
            s += (f"；{nz.join_zh([nz.quoted(x) for x in flagged['label']])}低于 "
                  f"{THRESHOLD:.2f}，这些维度的结果要谨慎解读。")
        sec.sentences.append(s)
        for r in scale_t.itertuples():
            sec.sentences.append(
                f"{nz.quoted(str(r.label))}：α = {nz.num(r.alpha)}（95% CI {nz.ci(r.alpha_ci_low, r.alpha_ci_high)}），"
                f"ω = {nz.num(r.omega)}。")
    weak = item_t[item_t["r_drop"] < 0.3]
    if len(weak):
        sec.sentences.append(
            f"校正题总相关低于 0.30 的题目：{nz.join_zh(list(weak['item']))}，"
            "这些题与同维度其他题的一致性较弱，修订问卷时可重点检查。")
    sec.notes.append("α 和 ω 衡量同一维度的几道题是否在测同一件事，一般以 0.70 为可接受的下限；"
                     "计算前反向题已反向计分，只用所有题都作答的答卷。")
    return sec


