"""The committee's brief: a :class:`~survey.report.document.Document` built from section results.

The Party committee reads the report in a meeting room, on paper, in ten minutes. So the brief
is not the notebooks one after another but, in this order:

1. **摘要** (at most two printed A4 pages): the study in one paragraph (who answered, how
   many, the response rate, what was excluded); the six answers, each one sentence with its
   key number, and the one figure that carries it; the evidence strength of the problem areas
   with its rule; the first three of the proposed projects.
2. **一、调研基本情况** and **二、六个问题的回答**: each answer in full, with its key table and
   a reference to its appendix tables.
3. **附录**: only what a committee member may want to check — scale reliabilities, the gap of
   every dimension against every comparison group, the gap of every item (sorted), the
   symposium themes, the evidence rule and the next wave's sample size (下一轮调查的样本量:
   :func:`survey.report.sections.plan.next_wave`).

Audit material (raw-file fingerprints, per-item missingness, per-file exclusions, rank tests,
the full within-member-type table, manifest hashes) stays in the audit report; the brief ends
with a short provenance footer naming it.

Everything comes from the section results of :mod:`survey.analysis` (``A.results(ctx)``):
group names, labels, scales, projects and themes are the study's own; a study without a
member-type item, symposium, indicators or importance–performance items leaves those parts out
with a note. Numbers are the section tables' cells (formatted once from the full value by
:mod:`survey.report.narrative`); where the brief writes a number of its own it formats it with
the same functions from the same full value.

The same :class:`Document` feeds :func:`survey.report.html.render_html` (``committee.html``)
and :func:`survey.report.docx.write_committee_docx` (``committee.docx``).

Examples
--------
>>> from survey import analysis as A
>>> from survey.report.brief import build_brief
>>> ctx = A.load("study.yaml")  # doctest: +SKIP
>>> doc = build_brief(ctx, A.results(ctx), figures_dir="figures")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey.report import narrative as nz
from survey.report.document import Document, Figure, Heading, PageBreak, Paragraph, Table
from survey.report.sections.base import Context, Section, _against, _by_word, _main_group
from survey.report.sections.gaps import _worse, gap_sentence, worse_strata
from survey.report.sections.waves import TITLE as WAVES_TITLE
from survey.report.sections.waves import waves_summary
from survey.stats.common import POOLED

__all__ = ["build_brief", "SUMMARY_TITLE", "APPENDIX_TITLE", "SUMMARY_FIGURE_CM",
           "FULL_FIGURE_CM", "evidence_rule_table"]

SUMMARY_TITLE = "摘要"
APPENDIX_TITLE = "附录"
#: Width of a figure in the 摘要 (two side by side on an A4 page) and in the full answers.
SUMMARY_FIGURE_CM = 8.2
FULL_FIGURE_CM = 12.0
#: Short topic of each of the committee's six questions (the headings of the full answers).
TOPICS = {1: "差距在哪里、有多大", 2: "差距是否来自样本构成", 3: "测量是否可靠",
          4: "座谈会反映了什么", 5: "哪些项目应优先推进", 6: "问题的证据有多强"}
_NUM = "一二三四五六七八九十"
#: Which section answers which question (an answer whose section is skipped is left out).
_ANSWER_SECTION = {1: "gaps", 2: "composition", 3: "measurement", 4: "symposium",
                   5: "priorities", 6: "triangulation"}


def _questions(ctx: Context, against: str) -> dict[int, str]:
    """The committee's six questions in the words of this study (its groups, its labels)."""
    ref = ctx.reference
    return {
        1: f"{ref}在哪些维度上与{against}有差距？差距有多大？校正多重比较后是否仍不只是抽样波动？",
        2: "差距是否在各类党员内部都存在，还是只因为双方样本中各类党员的比例不同？",
        3: "各维度的测量是否可靠（α / ω）？",
        4: "座谈会上大家提得最多的是什么？不同座谈对象是否不同？两位编码员是否一致？",
        5: f"哪些项目应优先推进（重要性高、表现低、与{against}差距大）？",
        6: "综合问卷、座谈会和对标指标，各问题中哪些有证据支持，证据有多强？",
    }


def _renumber(doc: Document) -> None:
    """Number the tables 表 1, 表 2 … in reading order and update the references to them."""
    import re

    mapping: dict[str, str] = {}
    blocks = []
    for b in doc.blocks:
        if isinstance(b, Table):
            m = re.match(r"表 (\S+) (.*)", b.caption)
            if m:
                new = str(len(mapping) + 1)
                mapping[m.group(1)] = new
                b = Table(b.frame, caption=f"表 {new} {m.group(2)}", numeric=b.numeric,
                          note=b.note, anchor=b.anchor)
        blocks.append(b)

    def fix(text: str) -> str:
        return re.sub(r"(?<![附A])表 (\d+[a-z]?)", lambda m: f"表 {mapping.get(m.group(1), m.group(1))}",
                      text)

    doc.blocks = [Paragraph(fix(b.text), b.style) if isinstance(b, Paragraph) else
                  Table(b.frame, b.caption, b.numeric, fix(b.note) if b.note else None, b.anchor)
                  if isinstance(b, Table) else b for b in blocks]


def _rows(frame: pd.DataFrame) -> list[Any]:
    """The rows of ``frame`` as named tuples (typed loosely: their fields are the columns)."""
    return list(frame.itertuples())


def _zh(n: int) -> str:
    return _NUM[n - 1] if 1 <= n <= 10 else str(n)


# ---------------------------------------------------------------------------------------------
# helpers


def _sec(results: Mapping[str, Section], name: str) -> Section | None:
    s = results.get(name)
    return None if s is None or s.skipped else s


def _first_conclusion(sentences: list[str]) -> str:
    for s in sentences:
        if s.startswith("结论："):
            return s.removeprefix("结论：")
    return sentences[0] if sentences else ""


def _fig(figures_dir: Path, name: str, caption: str, width: float) -> Figure | None:
    """A figure the notebooks saved (``<figures>/<name>.png``), or ``None`` if there is none."""
    png = figures_dir / f"{name}.png"
    return Figure(path=png, caption=caption, width_cm=width, anchor=f"fig-{name}") \
        if png.is_file() else None


def _ci_col(lo: pd.Series, hi: pd.Series, nd: int = 2) -> list[str]:
    return [nz.ci(a, b, nd) for a, b in zip(lo, hi, strict=True)]


def _who(ctx: Context) -> str:
    """What one respondent is called in a sentence (党员 when the study has member types)."""
    return "党员" if ctx.strata else "受访者"


def _group_words(ctx: Context, group: str) -> str:
    """The comparison group in a column header: the group itself, or 比较组 for the pool."""
    return "比较组" if group == POOLED else group


def _ps_text(row: Any, ctx: Context, against: str) -> str:
    """The probability of superiority in words (McGraw & Wong 1992), or ``""``."""
    ps = getattr(row, "ps", np.nan)
    if ps is None or nz._bad(ps):
        return ""
    from survey.stats.compare import ps_sentence

    return ps_sentence(float(ps), float(getattr(row, "ps_ci_low", np.nan)),
                       float(getattr(row, "ps_ci_high", np.nan)),
                       reference=ctx.reference, group=against, who=_who(ctx))


# ---------------------------------------------------------------------------------------------
# the study in one paragraph


def _study_paragraph(ctx: Context, results: Mapping[str, Section]) -> str:
    audit = results.get("audit")
    parts: list[str] = []
    sizes = ctx.responses[ctx.by].value_counts()
    by_word = _by_word(ctx)
    groups = "，".join(f"{g} {nz.count(sizes.get(g, 0))} 份" for g in ctx.groups)
    log = audit.data.get("cleaning_log") if audit is not None else None
    if log is not None and len(log):
        raw = int(log["n_remaining"].iloc[0]) if "n_remaining" in log else None
        excl = log[pd.to_numeric(log["n_excluded"], errors="coerce").fillna(0) > 0]
        n_excl = int(pd.to_numeric(excl["n_excluded"]).sum())
        kept = len(ctx.responses)
        reasons = "、".join(f"{r.rule} {int(r.n_excluded)} 份" for r in _rows(excl))
        share = nz.pct(kept / raw) if raw else nz.MISSING
        parts.append(f"本次调研共收回问卷 {raw} 份，按事先确定的清洗规则排除 {n_excl} 份"
                     f"（{reasons}），保留有效答卷 {kept} 份（{share}）")
    else:
        parts.append(f"本次调研共有有效答卷 {len(ctx.responses)} 份")
    parts[-1] += f"，按{by_word}分：{groups}"
    if ctx.summary_groups:
        parts[-1] += f"；另有{nz.join_zh(ctx.summary_groups)}只提供了汇总统计"
    parts[-1] += "。"
    if audit is not None:
        parts += [s for s in audit.sentences if "应答率" in s]
    sym = _sec(results, "symposium")
    if sym is not None and sym.sentences:
        parts.append(sym.sentences[0].split("，提到最多")[0] + "。")
    ind = _sec(results, "indicators")
    if ind is not None and "gaps" in ind.data:
        parts.append(f"另与对标院校比较了 {len(ind.data['gaps'])} 项客观指标。")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# the six answers: one sentence each (摘要) and in full


def _gap_rows(results: Mapping[str, Section]) -> pd.DataFrame | None:
    gaps = _sec(results, "gaps")
    if gaps is None:
        return None
    t = gaps.data["scale"]
    return t[t["group"] == _main_group(t)]


def _summary_q1(ctx: Context, results: Mapping[str, Section]) -> str:
    main = _gap_rows(results)
    if main is None:
        return _first_conclusion(results["gaps"].notes)
    against = _against(_main_group(main), ctx)
    worse: list[Any] = [r for r in _rows(main) if _worse(r, ctx)]
    if not worse:
        return f"没有哪个维度{ctx.reference}明显差于{against}。"
    big = max(worse, key=lambda r: abs(r.effect))
    word = "低" if big.diff < 0 else "高"
    names = nz.join_zh([nz.quoted(r.label) for r in worse])
    return (f"{ctx.reference}在{names}上明显差于{against}；差距最大的是{nz.quoted(big.label)}，"
            f"平均{word} {nz.num(abs(big.diff))} 分（Hedges g = {nz.num(big.effect)}）。"
            + _ps_text(big, ctx, against))


def _summary_q2(ctx: Context, results: Mapping[str, Section]) -> str:
    comp = _sec(results, "composition")
    if comp is None:
        s = results.get("composition")
        return s.notes[0] if s is not None and s.notes else "本研究没有党员类别，不做构成调整。"
    lead = _first_conclusion(results["findings"].answers[1].sentences)
    pooled = comp.data["pooled"]
    post = pooled[pooled["estimator"] == "poststratified"]
    if len(post):
        worst = post.sort_values("diff", kind="stable").iloc[0]
        label = ctx.scale_labels.get(worst["scale"], worst["scale"])
        lead = lead.rstrip("。") + (f"（调整后差距最大的是{nz.quoted(label)}，{nz.num(worst['diff'])} 分，"
                                   f"95% CI {nz.ci(worst['ci_low'], worst['ci_high'])}）。")
    return lead


def _summary_sentence(number: int, ctx: Context, results: Mapping[str, Section]) -> str:
    fin = results["findings"]
    answer = next((a for a in fin.answers if a.number == number), None)
    if number == 1:
        return _summary_q1(ctx, results)
    if number == 2:
        return _summary_q2(ctx, results)
    return _first_conclusion(answer.sentences) if answer else ""


_SUMMARY_FIGURES = {1: ("gap_by_dimension", "各维度与比较组的差距"),
                    2: ("gap_adjusted", "按党员构成调整前后的差距"),
                    4: ("symposium_heatmap", "各座谈对象提到各主题的比例"),
                    5: ("ipa_quadrant", "八项工程的重要性与表现"),
                    6: ("indicator_gaps", "对标指标的差距")}


def _figure_captions(ctx: Context) -> dict[int, tuple[str, str]]:
    caps = dict(_SUMMARY_FIGURES)
    against = "比较组" if ctx.by != "college" else "对标院校"
    caps[1] = ("gap_by_dimension", f"各维度与{against}的差距")
    caps[5] = ("ipa_quadrant", "各项目的重要性与表现")
    return caps


def _evidence_table(results: Mapping[str, Section]) -> Table | None:
    tri = _sec(results, "triangulation")
    if tri is None:
        return None
    d = tri.data["triangulation"]
    frame = pd.DataFrame({"问题": d["area"], "维度": d["area_label"], "问卷": d["q_signal"],
                          "座谈会": d["s_signal"], "对标指标": d["i_signal"], "证据强度": d["rating"]})
    return Table(frame, caption="表 1 各问题的证据强度", anchor="tab-evidence",
                 note="证据强度的判定规则见附录表 A5。")


def evidence_rule_table() -> pd.DataFrame:
    """The rule of the evidence rating (强/中/弱) in words, with the thresholds in force.

    Uses :func:`survey.stats.triangulate.rule_summary` when the statistics module provides it,
    else writes the rule from :func:`~survey.stats.triangulate.rule_table`'s thresholds.
    """
    from survey.stats import triangulate as tg

    summary = getattr(tg, "rule_summary", None)
    if summary is not None:
        thresholds = getattr(tg, "RULE_THRESHOLDS", None)
        try:
            out = summary(thresholds) if thresholds is not None else summary()
        except TypeError:
            out = summary()
        if isinstance(out, pd.DataFrame):
            return out.astype(str)
        return pd.DataFrame({"规则": [str(x) for x in (out if isinstance(out, list) else [out])]})
    t = dict(zip(tg.rule_table()["threshold"], tg.rule_table()["value"], strict=True))
    alpha, eff = nz.num(t.get("alpha", 0.05)), nz.num(t.get("min_effect", 0.2))
    return pd.DataFrame({
        "来源或等级": ["问卷", "座谈会", "对标指标", "强", "中", "弱"],
        "判定规则": [
            f"支持：差距为负、95% CI 整体低于 0 且校正后 p < {alpha}；部分支持：g ≤ -{eff}；"
            f"相反：显著为正。",
            f"支持：涉及该问题的发言占 {nz.pct(t.get('share_support', 0.15), 0)} 以上且编码一致性 "
            f"κ ≥ {nz.num(t.get('kappa_support', 0.6))}；部分支持：占 {nz.pct(t.get('share_partial', 0.05), 0)} 以上。",
            f"支持：该问题的指标中落后于对标中位数的超过 {nz.pct(t.get('behind_support', 0.5), 0)}；"
            "部分支持：至少一项落后。",
            "至少两种来源“支持”，其中包括问卷，且没有“相反”。",
            "不到“强”，没有“相反”，且两种来源支持、或一种支持一种部分支持、或问卷单独支持。",
            "其余至少一种来源支持或部分支持的情形。"]})


def _projects_table(ctx: Context, results: Mapping[str, Section], k: int | None) -> Table | None:
    prio = _sec(results, "priorities")
    if prio is None:
        return None
    t = prio.tables["ipa"]
    keep = [c for c in ("优先顺序", "项目", "象限", "重要性均值", "表现均值", "与对标的表现差值",
                        "差值 95% CI") if c in t.columns]
    t = t[keep].rename(columns={"与对标的表现差值": "与比较组的表现差值"})
    if k is not None:
        t = t.head(k)
    cap = f"表 2 优先推进的前 {len(t)} 个项目" if k is not None else "表 6 各项目的重要性与表现"
    return Table(t.reset_index(drop=True), caption=cap,
                 numeric=("优先顺序", "重要性均值", "表现均值", "与比较组的表现差值", "差值 95% CI"),
                 anchor="tab-projects-top" if k is not None else "tab-projects")


# ---------------------------------------------------------------------------------------------
# full answers and appendix tables


def _q1_table(ctx: Context, results: Mapping[str, Section], main: pd.DataFrame) -> Table:
    g = _main_group(main)
    other = _group_words(ctx, g)
    rows = []
    for r in _rows(main):
        nd = nz.mean_digits(r.diff, r.mean_ref, r.mean)
        rows.append({"维度": r.label, f"{ctx.reference}均值": nz.num(r.mean_ref, nd),
                     f"{other}均值": nz.num(r.mean, nd), "差值": nz.num(r.diff),
                     "差值 95% CI": nz.ci(r.ci_low, r.ci_high), "Hedges g": nz.num(r.effect),
                     "Holm 校正 p": nz.pval(r.p_adj),
                     "优势概率": nz.pct(getattr(r, "ps", np.nan), 0)})
    frame = pd.DataFrame(rows)
    numeric = tuple(c for c in frame.columns if c != "维度")
    against = _against(g, ctx)
    return Table(frame, caption=f"表 3 各维度{ctx.reference}与{against}的差距", numeric=numeric,
                 anchor="tab-gaps",
                 note=(f"差值 = {ctx.reference} − {against}；g 的置信区间见正文。优势概率：随机各抽一名，"
                       f"{ctx.reference}的{_who(ctx)}打分更高的概率（50% 为持平）。各{_by_word(ctx)}"
                       "分别比较见附录表 A2，逐题差距见附录表 A3。"))


def _q2_table(ctx: Context, comp: Section, main: pd.DataFrame | None) -> Table:
    pooled = comp.data["pooled"]
    within = comp.data["within"]
    rows = []
    for sid, label in ctx.scale_labels.items():
        post = pooled[(pooled["scale"] == sid) & (pooled["estimator"] == "poststratified")]
        raw: pd.Series | None
        if main is not None and (main["scale"] == sid).any():  # the unadjusted gap of 表 3
            raw = main[main["scale"] == sid].iloc[0]
        else:
            naive = pooled[(pooled["scale"] == sid) & (pooled["estimator"] == "naive")]
            raw = naive.iloc[0] if len(naive) else None
        n_worse, n_strata = worse_strata(ctx, sid, within)
        rows.append({"维度": label,
                     "未调整差值": nz.num(raw["diff"]) if raw is not None else nz.MISSING,
                     "未调整 95% CI": nz.ci(raw["ci_low"], raw["ci_high"]) if raw is not None else nz.MISSING,
                     "调整后差值": nz.num(post["diff"].iloc[0]) if len(post) else nz.MISSING,
                     "调整后 95% CI": nz.ci(post["ci_low"].iloc[0], post["ci_high"].iloc[0])
                     if len(post) else nz.MISSING,
                     f"{ctx.reference}较差的党员类别": f"{n_worse} / {n_strata}"})
    frame = pd.DataFrame(rows)
    return Table(frame, caption="表 4 按党员构成调整前后的差距", anchor="tab-adjusted",
                 numeric=tuple(c for c in frame.columns if c != "维度"),
                 note=(comp.notes[0] if comp.notes else None))


def _reliability_table(results: Mapping[str, Section]) -> Table | None:
    meas = _sec(results, "measurement")
    if meas is None:
        return None
    t = meas.tables["scales"]
    keep = [c for c in ("维度", "题目数", "完整作答人数", "Cronbach's α", "α 的 95% CI",
                        "McDonald's ω") if c in t.columns]
    return Table(t[keep], caption="附表 A1 各维度的信度", anchor="A1",
                 numeric=tuple(c for c in keep if c != "维度"),
                 note=meas.notes[0] if meas.notes else None)


def _by_group_table(ctx: Context, results: Mapping[str, Section]) -> Table | None:
    gaps = _sec(results, "gaps")
    if gaps is None:
        return None
    t = gaps.data["scale"]
    rows = []
    for r in _rows(t):
        small = min(r.n_ref, r.n) < ctx.min_n
        rows.append({"维度": r.label, "比较对象": _against(r.group, ctx),
                     "比较对象人数": nz.count(r.n, ctx.min_n),
                     "差值": nz.MISSING if small else nz.num(r.diff),
                     "差值 95% CI": nz.MISSING if small else nz.ci(r.ci_low, r.ci_high),
                     "Hedges g": nz.MISSING if small else nz.num(r.effect),
                     "Holm 校正 p": nz.MISSING if small else nz.pval(r.p_adj)})
    frame = pd.DataFrame(rows)
    return Table(frame, caption=f"附表 A2 各维度{ctx.reference}与各{_by_word(ctx)}的差距",
                 anchor="A2", numeric=("比较对象人数", "差值", "差值 95% CI", "Hedges g", "Holm 校正 p"),
                 note=f"差值 = {ctx.reference} − 比较对象；负数表示{ctx.reference}较低。")


def _item_table(ctx: Context, results: Mapping[str, Section]) -> Table | None:
    gaps = _sec(results, "gaps")
    if gaps is None or "item" not in gaps.data:
        return None
    t = gaps.data["item"]
    t = t[t["group"] == _main_group(t)].sort_values(["diff", "item"], kind="stable")
    labels = ctx.scale_labels
    frame = pd.DataFrame({
        "题目": [f"{r.item} {ctx.item_label(r.item)}" + ("（反向题）" if r.reversed else "")
               for r in _rows(t)],
        "维度": t["scale"].map(labels).fillna(t["scale"]),
        "差值": t["diff"].map(nz.num), "差值 95% CI": _ci_col(t["ci_low"], t["ci_high"]),
        "BH 校正 p": t["p_adj"].map(nz.pval)})
    return Table(frame.reset_index(drop=True),
                 caption=f"附表 A3 逐题差距（{ctx.reference} − {_against(_main_group(t), ctx)}，"
                         "从落后最多排起）",
                 anchor="A3", numeric=("差值", "差值 95% CI", "BH 校正 p"),
                 note="反向题已反向计分，分数越高越好；BH 校正 p：多道题一起比较时按 Benjamini–Hochberg 方法校正。")


def _themes_table(results: Mapping[str, Section]) -> Table | None:
    sym = _sec(results, "symposium")
    if sym is None:
        return None
    f = sym.tables["frequencies"]
    keep = [c for c in ("编码", "主题", "问题领域", "提及条数（全部）", "占全部发言") if c in f.columns]
    t = f[keep].copy()
    data = sym.data.get("frequencies")
    if data is not None and {"group", "code", "n", "share"} <= set(data.columns):
        # counts of statements are not personal data: shown as they are (no "<5")
        from survey.stats.themes import ALL_GROUPS

        total = data[data["group"] == ALL_GROUPS].set_index("code")
        if len(total) and "提及条数（全部）" in t.columns:
            t["提及条数（全部）"] = t["编码"].map(lambda c: nz.count(total["n"].get(c), 0)
                                             if c in total.index else nz.MISSING)
            t["占全部发言"] = t["编码"].map(lambda c: nz.pct(total["share"].get(c)))
    ag = sym.tables.get("agreement")
    if ag is not None and "Cohen's κ" in ag.columns:
        t = t.merge(ag[["编码", "Cohen's κ"]].rename(columns={"Cohen's κ": "编码一致性 κ"}),
                    on="编码", how="left")
    share_col = "占全部发言"
    if share_col in t.columns:
        t = t.sort_values(share_col, key=lambda s: pd.to_numeric(
            s.astype(str).str.rstrip("%"), errors="coerce"), ascending=False, kind="stable")
    return Table(t.reset_index(drop=True), caption="附表 A4 座谈会主题", anchor="A4",
                 numeric=("提及条数（全部）", "占全部发言", "编码一致性 κ"),
                 note=("一条发言可涉及多个主题；编码一致性 κ：两位编码员各自编码的吻合程度，"
                       "0.60 以上为较高一致，0.80 以上为几乎完全一致。"))


def _quote_paragraphs(sym: Section, k: int = 3) -> list[Paragraph]:
    """Up to ``k`` scrubbed quotations, one for each of the most-raised themes.

    From the symposium section's ``quotes`` (texts scrubbed by ``survey clean``, speakers
    pseudonymised), the first-ranked quote of each theme, themes in order of how many
    statements raised them (all groups); an introducing line, then one ``quote`` paragraph each.
    """
    quotes = sym.data.get("quotes")
    freq = sym.data.get("frequencies")
    if quotes is None or not len(quotes) or freq is None:
        return []
    from survey.stats.themes import ALL_GROUPS

    total = freq[freq["group"] == ALL_GROUPS].sort_values(["n", "code"], ascending=[False, True],
                                                          kind="stable")
    first = quotes.sort_values("rank", kind="stable").drop_duplicates("code").set_index("code")
    picked = [c for c in total["code"] if c in first.index][:k]
    if not picked:
        return []
    out = [Paragraph(f"提到最多的 {len(picked)} 个主题的发言摘录（已去除个人信息，发言人以代号表示）：", "note")]
    for c in picked:
        q = first.loc[c]
        out.append(Paragraph(f"{nz.quoted(str(q['label']))}　{q['group']}（{q['speaker']}）："
                             f"“{q['text']}”", "quote"))
    return out


def _indicator_table(results: Mapping[str, Section]) -> Table | None:
    ind = _sec(results, "indicators")
    if ind is None:
        return None
    t = ind.tables["gaps"]
    keep = [c for c in ("指标", "本院", "对标中位数", "与中位数差距（%）", "是否落后于中位数")
            if c in t.columns]
    return Table(t[keep], caption="表 5 对标指标", anchor="tab-indicators",
                 numeric=tuple(c for c in keep if c not in ("指标", "是否落后于中位数")),
                 note=ind.notes[0] if ind.notes else None)


def _plan_blocks(ctx: Context, results: Mapping[str, Section]) -> list[Heading | Paragraph | Table]:
    """The appendix section 下一轮调查的样本量: the sentence and the table per dimension.

    From the ``plan`` section (:func:`survey.report.sections.plan.next_wave`, computed here
    through the section cache when ``results`` lacks it); nothing for a study it skips.
    """
    plan = results.get("plan")
    if plan is None:
        from survey.report.sections.plan import next_wave

        plan = next_wave(ctx)
    if plan.skipped:
        return []
    t = plan.tables["plan"]
    blocks: list[Heading | Paragraph | Table] = [
        Heading(plan.title, 2, anchor="next-wave"),
        *[Paragraph(s, "body") for s in plan.sentences],
        Table(t, caption="附表 A6 下一轮调查各维度所需的有效问卷"
              + ("和邀请人数" if "所需邀请人数" in t.columns else ""), anchor="A6",
              numeric=tuple(c for c in t.columns if c != "维度"),
              note="".join(plan.notes) or None)]
    gap = plan.tables.get("gap_change")
    if gap is not None:
        blocks.append(Table(gap, caption="附表 A7 判断差距是否变化所需的有效问卷", anchor="A7",
                            numeric=tuple(c for c in gap.columns if c != "维度"),
                            note="差距的变化 = 下一轮（本院 − 对标）− 本轮（本院 − 对标）；"
                                 "本轮的样本量、标准差和党支部内相关系数取自本轮数据，Holm 校正各维度。"))
    return blocks


# ---------------------------------------------------------------------------------------------
# the document


def build_brief(ctx: Context, results: Mapping[str, Section], *,
                figures_dir: str | Path | None = None, footer: str | None = None,
                audit_path: str = "reports/audit/index.html") -> Document:
    """The committee's brief as a :class:`Document` (摘要, the six answers, 附录).

    Parameters
    ----------
    ctx
        ``A.load(study)``.
    results
        ``A.results(ctx)``: every section, ``findings`` with its answers.
    figures_dir
        Where the notebooks saved the figures (default ``ctx.figures_dir``); a figure that was
        not saved is left out.
    footer
        The provenance line (data, configuration and code fingerprints); the path of the audit
        report is added.
    audit_path
        Where the audit report is, as the reader should look for it.

    Returns
    -------
    Document
        Every figure appears once; tables are already formatted as text.
    """
    figs = Path(figures_dir) if figures_dir is not None else Path(ctx.figures_dir)
    fin = results["findings"]
    doc = Document(title=ctx.study.title, subtitle="调研结果报告（供党委会议审阅）",
                   notice=("合成数据，仅供演示：本报告中的数据由程序生成，不代表任何真实院校或个人。"
                           if ctx.study.synthetic else None))
    doc.footer = ((footer + "　") if footer else "") + (
        f"原始文件指纹、逐题缺失、逐文件排除明细、秩检验、完整的分层比较表和全部计算代码见审计版报告 "
        f"{audit_path}。")

    # 摘要 -----------------------------------------------------------------------------------
    doc.add(Heading(SUMMARY_TITLE, 1, anchor="summary"),
            Paragraph(_study_paragraph(ctx, results), "body"))
    captions = _figure_captions(ctx)
    summary_figs: list[Figure] = []
    fig_no: dict[int, int] = {}
    answers = [a for a in fin.answers if _sec(results, _ANSWER_SECTION.get(a.number, "findings"))]
    missing = [TOPICS[a.number] for a in fin.answers if a not in answers]
    order = {a.number: k for k, a in enumerate(answers, start=1)}
    main0 = _gap_rows(results)
    questions = _questions(ctx, _against(_main_group(main0), ctx) if main0 is not None
                           else f"其他{_by_word(ctx)}")
    for a in answers:
        name, cap = captions.get(a.number, (None, None))
        fig = None
        if name is not None and _sec_has_figure(results, name):
            fig = _fig(figs, name, f"图 {len(summary_figs) + 1} {cap}", SUMMARY_FIGURE_CM)
        ref = ""
        if fig is not None:
            summary_figs.append(fig)
            fig_no[a.number] = len(summary_figs)
            ref = f"（图 {len(summary_figs)}）"
        sentence = _summary_sentence(a.number, ctx, results)
        if sentence:
            doc.add(Paragraph(f"{_zh(order[a.number])}、{TOPICS[a.number]}：{sentence}{ref}", "body"))
    if missing:
        doc.add(Paragraph(f"本研究的数据不涉及“{'”“'.join(missing)}”，这些问题不作回答。", "note"))
    wave_line = waves_summary(_sec(results, "waves"))
    if wave_line:
        doc.add(Paragraph(f"与上一轮相比：{wave_line}（详见第三部分）", "body"))
    doc.add(*summary_figs)
    ev = _evidence_table(results)
    if ev is not None:
        doc.add(ev)
    top = _projects_table(ctx, results, 3)
    if top is not None:
        doc.add(top)
    doc.add(PageBreak())

    # 一、调研基本情况 -------------------------------------------------------------------------
    audit = results.get("audit")
    doc.add(Heading("一、调研基本情况", 1, anchor="basics"))
    if audit is not None:
        # the exclusions are in the 摘要's paragraph (with every count: rows are not people)
        doc.add(*[Paragraph(s) for s in audit.sentences if "应答率" not in s and "排除" not in s])
        sample = audit.tables.get("sample")
        if sample is not None and len(sample.columns) > 1:
            kind = "和党员类别" if ctx.strata else ""
            doc.add(Table(sample, caption=f"表 0 有效答卷按{_by_word(ctx)}{kind}分",
                          numeric=tuple(c for c in sample.columns if c != sample.columns[0]),
                          anchor="tab-sample", note=nz.EXPLAIN_SMALL))

    # 二、六个问题的回答 -----------------------------------------------------------------------
    doc.add(Heading("二、六个问题的回答", 1, anchor="answers"))
    main = _gap_rows(results)
    for a in answers:
        doc.add(Heading(f"（{_zh(order[a.number])}）{TOPICS[a.number]}", 2, anchor=f"q{a.number}"),
                Paragraph(f"问：{questions[a.number]}", "note"))
        see = f"（见图 {fig_no[a.number]}）" if a.number in fig_no else ""
        if a.number == 1 and main is not None:
            against = _against(_main_group(main), ctx)
            lead = _first_conclusion(a.sentences)
            doc.add(Paragraph(lead + see, "lead"))
            for r in _rows(main):
                doc.add(Paragraph(gap_sentence(r, ctx, against=against) + _ps_text(r, ctx, against)))
            doc.add(_q1_table(ctx, results, main))
            doc.add(Paragraph(nz.EXPLAIN_G + nz.EXPLAIN_PS, "note"),
                    Paragraph(nz.EXPLAIN_CI + nz.EXPLAIN_P_ADJ, "note"))
            continue
        sentences = list(a.sentences)
        if sentences and sentences[0].startswith("结论："):
            doc.add(Paragraph(sentences.pop(0).removeprefix("结论：") + see, "lead"))
        elif see and sentences:
            sentences[0] = sentences[0].rstrip("。") + see + "。"
        if a.number == 3:  # the per-dimension values are the table in the appendix
            sentences = sentences[:1] + ["各维度的 α、ω 及其置信区间见附录表 A1。"]
        if a.number == 4:
            sentences = [s.replace("Cramér's V = ", "Cramér's V（0 为各群体完全相同，1 为完全不同）= ")
                         for s in sentences] + ["各主题的提及次数和编码一致性见附录表 A4。"]
        doc.add(*[Paragraph(s) for s in sentences])
        comp = _sec(results, "composition")
        if a.number == 2 and comp is not None:
            doc.add(_q2_table(ctx, comp, main))
        if a.number == 4:
            sym = _sec(results, "symposium")
            ov = sym.tables.get("overview") if sym is not None else None
            if ov is not None:
                doc.add(Table(ov, caption="表 4b 座谈会概况", anchor="tab-symposium",
                              numeric=tuple(c for c in ov.columns if c != ov.columns[0])))
            if sym is not None:
                doc.add(*_quote_paragraphs(sym))
        if a.number == 5:
            t = _projects_table(ctx, results, None)
            if t is not None:
                doc.add(t)
        if a.number == 6:
            t = _indicator_table(results)
            if t is not None:
                doc.add(t)
            tri = _sec(results, "triangulation")
            if tri is not None:
                doc.add(Paragraph("各问题的证据强度见摘要表 1，判定规则见附录表 A5。", "note"))

    # 三、与上一轮调查相比 --------------------------------------------------------------------
    _waves_part(doc, ctx, _sec(results, "waves"), figs)

    # 附录 -------------------------------------------------------------------------------------
    doc.add(PageBreak(), Heading(APPENDIX_TITLE, 1, anchor="appendix"))
    for t in (_reliability_table(results), _by_group_table(ctx, results), _item_table(ctx, results),
              _themes_table(results)):
        if t is not None:
            doc.add(t)
    if _sec(results, "triangulation") is not None:
        rule = evidence_rule_table()
        doc.add(Table(rule, caption="附表 A5 证据强度的判定规则", anchor="A5"))
    doc.add(*_plan_blocks(ctx, results))
    _renumber(doc)
    return doc


def _waves_part(doc: Document, ctx: Context, sec: Section | None, figs: Path) -> None:
    """Part three: the comparison with the previous wave (left out for a single-wave study)."""
    if sec is None:
        return
    doc.add(Heading(f"三、{WAVES_TITLE}", 1, anchor="waves"))
    sentences = list(sec.sentences)
    if sentences and sentences[0].startswith("结论："):
        doc.add(Paragraph(sentences.pop(0).removeprefix("结论："), "lead"))
    doc.add(*[Paragraph(s) for s in sentences])
    gap = sec.tables.get("gap")
    if gap is not None:
        # The brief keeps the change and its CI; each wave's own CI is in the audit report.
        gap = gap.drop(columns=[c for c in gap.columns if c.endswith("差距 95% CI")])
        if "估计" in gap.columns:
            adjusted = gap["估计"].astype(str) != "未调整"
            gap = gap.assign(比较对象=gap["比较对象"].astype(str).where(
                ~adjusted, gap["比较对象"].astype(str) + "（" + gap["估计"].astype(str) + "）"))
            gap = gap.drop(columns=["估计"])
        doc.add(Table(gap, caption="表 7 与上一轮相比各维度差距的变化", anchor="tab-waves-gap",
                      numeric=tuple(c for c in gap.columns if c not in ("维度", "比较对象", "判断")),
                      note="每一轮各自的差距置信区间见审计版报告。"))
    change = sec.tables.get("change")
    if change is not None:
        change = change.drop(columns=[c for c in change.columns if c.endswith("样本量")])
        doc.add(Table(change, caption="表 8 各院校各维度与上一轮相比的变化", anchor="tab-waves-change",
                      numeric=tuple(c for c in change.columns if c not in ("维度", "院校")),
                      note=nz.EXPLAIN_SMALL + " 各轮样本量见审计版报告。"))
    mv = sec.tables.get("ipa_movement")
    if mv is not None:
        fig = _fig(figs, "ipa_movement", "各项目重要性—表现位置的变化", FULL_FIGURE_CM)
        if fig is not None:
            doc.add(fig)
        doc.add(Table(mv, caption="表 9 各项目象限与表现的变化", anchor="tab-waves-ipa",
                      numeric=tuple(c for c in mv.columns if c.endswith("变化"))))
    themes = sec.tables.get("themes")
    if themes is not None:
        doc.add(Table(themes, caption="表 10 座谈会各主题提及比例的变化", anchor="tab-waves-themes",
                      numeric=tuple(c for c in themes.columns if c != "主题")))
    rel = sec.tables.get("reliability")
    if rel is not None:
        doc.add(Table(rel, caption="表 11 两轮各维度的信度（只计两轮共同的题目）",
                      anchor="tab-waves-reliability",
                      numeric=("题数", "样本量", "α", "α 的 95% CI", "ω")))
    doc.add(*[Paragraph(n, "note") for n in sec.notes])


def _sec_has_figure(results: Mapping[str, Section], name: str) -> bool:
    return any(name in s.figures for s in results.values() if s is not None and not s.skipped)
