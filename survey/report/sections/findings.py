"""Notebook 07: triangulation, and the committee's six questions answered from the other sections."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from survey.report import narrative as nz
from survey.report.sections.base import (
    Answer,
    Context,
    Section,
    _against,
    _main_group,
    _skip,
    markdown_text,
)
from survey.report.sections.cache import cached
from survey.report.sections.gaps import _verdict, benchmark_gaps, composition, gap_sentence
from survey.report.sections.indicators import indicators
from survey.report.sections.measurement import measurement
from survey.report.sections.priorities import priorities
from survey.report.sections.symposium import _themes, symposium

#: The sections (of notebooks 02–06) that :func:`findings` reads: computed there, read here.
UPSTREAM = {"measurement": measurement, "gaps": benchmark_gaps, "composition": composition,
            "priorities": priorities, "symposium": symposium, "indicators": indicators}


@cached("triangulation")
def triangulation(ctx: Context) -> Section:
    """Join questionnaire, symposium and indicators per problem area (P1–P5).

    The questionnaire gaps and the indicator gaps are those of :func:`benchmark_gaps` and
    :func:`indicators` (read from the cache when another notebook computed them).

    Returns
    -------
    Section
        data ``triangulation`` (:func:`survey.stats.triangulate.triangulate`); table of the same
        name; one sentence per area.
    """
    title = "三角互证"
    from survey.instruments.tables import AREAS
    from survey.stats.triangulate import rule_summary, rule_table, triangulate

    areas = [s for s in ctx.scales if s in AREAS]
    if not areas:
        return _skip(title, "本研究的量表编号与调研报告的五个问题（P1–P5）不对应，不做三角互证。")
    gaps = benchmark_gaps(ctx)
    q = None
    if not gaps.skipped:
        t = gaps.data["scale"]
        q = t[t["group"] == _main_group(t)][["scale", "effect", "effect_ci_low",
                                               "effect_ci_high", "p_adj"]]
    ig = None
    if ctx.processed.indicators is not None and len(ctx.processed.indicators):
        ig = indicators(ctx).data["gaps"]
    st = ctx.processed.statements
    themes = (_themes(ctx.processed.themes)
              if st is not None and ctx.processed.themes is not None else None)
    tri = triangulate(q, ig, statements=st if themes is not None else None, themes=themes,
                      scale_areas={a: a for a in areas}, areas=areas,
                      scale_directions=ctx.codebook.scale_directions())
    tri["area_label"] = tri["area"].map(ctx.scale_labels).fillna(tri["area_label"])
    sec = Section(title=title, data={"triangulation": tri})
    sec.tables["triangulation"] = pd.DataFrame({
        "问题": tri["area"], "维度": tri["area_label"],
        "问卷：Hedges g": tri["effect"].map(nz.num),
        "g 的 95% CI": [nz.ci(a, b) for a, b in zip(tri["effect_ci_low"], tri["effect_ci_high"],
                                                    strict=True)],
        "Holm 校正 p": tri["p_adj"].map(nz.pval), "问卷信号": tri["q_signal"],
        "座谈：涉及该问题的发言": tri["share"].map(nz.pct),
        "编码一致性 κ": tri["kappa"].map(nz.num), "座谈信号": tri["s_signal"],
        "指标：实质落后项 / 全部": [f"{b} / {n}" if n else nz.MISSING
                             for b, n in zip(tri["n_material"], tri["n_indicators"], strict=True)],
        "指标信号": tri["i_signal"], "证据强度": tri["rating"]})
    sec.counts["triangulation"] = []
    for r in tri.itertuples():
        sec.sentences.append(
            f"{r.area} {nz.quoted(str(r.area_label))}：证据强度「{r.rating}」——问卷{r.q_signal}，"
            f"座谈{r.s_signal}，指标{r.i_signal}。")
    materiality = ctx.study.indicators.materiality if ctx.study.indicators is not None else None
    sec.notes.append("证据强度的判定规则：" + rule_summary(materiality=materiality))
    sec.tables["evidence_rule"] = rule_table(materiality=materiality)
    sec.counts["evidence_rule"] = []
    return sec


QUESTIONS = {
    1: "本院在哪些维度上落后于对标院校？差距有多大？校正多重比较后是否仍不只是抽样波动？",
    2: "差距是否在各类党员内部都存在，还是只因为双方样本中在职、学生、离退休党员的比例不同？",
    3: "各维度的测量是否可靠（α / ω）？",
    4: "座谈会上大家提得最多的是什么？不同座谈对象是否不同？两位编码员是否一致？",
    5: "八项工程中哪些应优先推进（重要性高、表现低、与对标差距大）？",
    6: "综合问卷、座谈会和对标指标，五个问题中哪些有证据支持，证据有多强？",
}


def findings(ctx: Context) -> Section:
    """The committee's six questions answered in plain Chinese, conclusions first.

    Nothing is computed here but sentences: every number comes from the sections of notebooks
    02–06 (:data:`UPSTREAM`) and from :func:`triangulation`, read from the section cache (and
    computed only when missing, e.g. when this notebook runs alone).

    Returns
    -------
    Section
        ``data["answers"]`` (question number, question, sentence); tables
        ``triangulation`` and ``scale`` (the gap against the pooled benchmark);
        figure ``gap_by_dimension``; ``sentences`` = every answer sentence in order.
        The sections it used are in ``findings.parts`` (attribute on the returned object).
    """
    sec = Section(title="主要结论")
    parts = {name: f(ctx) for name, f in UPSTREAM.items()}
    parts["triangulation"] = tri = triangulation(ctx)
    gaps, comp, meas = parts["gaps"], parts["composition"], parts["measurement"]
    sym, prio = parts["symposium"], parts["priorities"]
    answers: list[Answer] = []

    q1 = list(gaps.notes)
    if not gaps.skipped:
        t = gaps.data["scale"]
        main = t[t["group"] == _main_group(t)]
        against = _against(_main_group(t), ctx)
        q1 = [gap_sentence(row, ctx, against=against) for row in main.itertuples()]
        behind = [r.label for r in main.itertuples() if _verdict(r) == "behind"]
        lead = (f"结论：{ctx.reference}在{nz.join_zh([nz.quoted(str(b)) for b in behind])}上明显落后于"
                f"{against}。" if behind else f"结论：没有哪个维度{ctx.reference}明显落后于{against}。")
        q1 = [lead, *q1]
    answers.append(Answer(1, QUESTIONS[1], q1))
    q2 = list(comp.sentences) if not comp.skipped else list(comp.notes)
    if not comp.skipped:
        pooled = comp.data["pooled"].pivot_table(index="scale", columns="estimator", values="diff")
        if {"naive", "poststratified"} <= set(pooled.columns):
            larger = [str(sid) for sid, r in pooled.iterrows()
                      if r["poststratified"] < 0 and abs(r["poststratified"]) > abs(r["naive"])]
            if larger:
                w = comp.data["within"]
                w = w[w["scale"].isin(larger) & (w["n_ref"] >= ctx.min_n) & (w["n"] >= ctx.min_n)]
                everywhere = bool(len(w)) and bool((w["diff"] < 0).all())
                names = nz.join_zh([nz.quoted(ctx.scale_labels[x]) for x in larger])
                lead = (f"结论：按党员构成调整后，{names}的差距比未调整时更大，"
                        "说明双方党员构成不同掩盖了一部分差距")
                lead += ("；这些维度在每一类党员内部都是本院较低，差距不是样本构成造成的。"
                         if everywhere else "。")
                q2 = [lead.replace("本院", ctx.reference), *q2]
    answers.append(Answer(2, QUESTIONS[2], q2))
    answers.append(Answer(3, QUESTIONS[3], list(meas.sentences) if not meas.skipped
                          else list(meas.notes)))
    answers.append(Answer(4, QUESTIONS[4], list(sym.sentences) if not sym.skipped
                          else list(sym.notes)))
    answers.append(Answer(5, QUESTIONS[5], list(prio.sentences) if not prio.skipped
                          else list(prio.notes)))
    q6 = list(tri.sentences) if not tri.skipped else list(tri.notes)
    if not tri.skipped:
        d = tri.data["triangulation"]
        strong = [f"{r.area_label}" for r in d.itertuples() if r.rating == "强"]
        if strong:
            q6 = [f"结论：{nz.join_zh([nz.quoted(x) for x in strong])}三方面证据一致，证据强度为“强”。",
                  *q6]
        sec.tables["triangulation"] = tri.tables["triangulation"]
        sec.counts["triangulation"] = []
    answers.append(Answer(6, QUESTIONS[6], q6))
    sec.data["answers"] = pd.DataFrame(
        [{"number": a.number, "question": a.question, "sentence": s}
         for a in answers for s in a.sentences])
    sec.sentences = [s for a in answers for s in a.sentences]
    if not gaps.skipped:
        sec.tables["scale"] = gaps.tables["scale"][
            gaps.tables["scale"]["比较对象"] == _against(_main_group(gaps.data["scale"]), ctx)]
        sec.counts["scale"] = gaps.counts["scale"]
        sec.figures["gap_by_dimension"] = gaps.figures["gap_by_dimension"]
        sec.data["scale"] = gaps.data["scale"]
    sec.notes += [nz.EXPLAIN_CI, nz.EXPLAIN_P_ADJ, nz.EXPLAIN_G]
    sec.parts = parts
    sec.answers = answers
    return sec


def answer_markdown(section: Section, number: int) -> str:
    """The answer to question ``number`` of a :func:`findings` section as Markdown."""
    for a in section.answers:
        if a.number == number:
            return (f"**问：{markdown_text(a.question)}**\n\n"
                    + "\n\n".join(markdown_text(s) for s in a.sentences))
    return ""


def iter_report_tables(sections: Iterable[Section]) -> Iterable[tuple[str, str, pd.DataFrame,
                                                                        list[str]]]:
    """(section title, table name, table, count columns) of every report table (for tests)."""
    for s in sections:
        for name, t in s.tables.items():
            yield s.title, name, t, s.counts.get(name, [])
