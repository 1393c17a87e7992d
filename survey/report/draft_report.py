"""A draft of the research report's sections 三 (problems) and 四 (measures), built from data.

The research group writes the 调研报告 themselves; this module gives them a starting point in
Word: for every problem area of the study (the codebook's scales, P1–P5 in the demo) the
evidence in plain sentences — the questionnaire gap, what symposium participants said with two
or three scrubbed quotations, the benchmark indicators — and its evidence strength; then for
every proposed project its position in the importance–performance analysis.

Nothing is typed in for a particular study: areas, labels, themes, indicators and projects all
come from the section results of :mod:`survey.analysis` (``benchmark_gaps``, ``symposium``,
``indicators``, ``priorities``, ``triangulation``). Every number in a sentence is a cell of
those sections' report tables (formatted once by :mod:`survey.report.narrative` from the full
value) or, for a gap written as "低 0.24 分", that cell without its sign. An instrument the study
does not have gives a note instead of sentences.

Typical use::

    from survey import analysis as A
    from survey.report.draft_report import draft_results, write_draft_sections

    ctx = A.load("study.yaml")
    write_draft_sections(draft_results(ctx), "reports/调研报告_问题与对策_草稿.docx")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from survey import analysis as A
from survey.report import narrative as nz
from survey.report.document import Block, Document, Figure, Heading, Paragraph, Table

__all__ = ["DraftResults", "draft_results", "draft_document", "write_draft_sections",
           "DRAFT_FILENAME", "DRAFT_NOTICE", "zh_ordinal"]

#: Suggested file name (in the study's ``reports/`` folder).
DRAFT_FILENAME = "调研报告_问题与对策_草稿.docx"
DRAFT_NOTICE = ("草稿：本文由程序根据调查数据自动生成，供调研组修改。每句话中的数字都取自所附统计表，"
                "定稿前请核对措辞，补充数据以外的情况。")
SYNTHETIC_NOTICE = "注意：本文所用数据为合成演示数据，不是真实调研结果。"

#: What each importance–performance quadrant means (Martilla & James 1977), for the sentences.
QUADRANT_MEANING = {
    "重点改进": "重要性高于各项目平均、表现低于平均",
    "继续保持": "重要性和表现都高于各项目平均",
    "可能过度投入": "表现高于各项目平均、重要性低于平均",
    "低优先级": "重要性和表现都低于各项目平均",
}
#: Significance level of an item gap (as in the gap sentences of ``benchmark_gaps``).
ALPHA = 0.05
#: At most this many quotations per problem area.
MAX_QUOTES = 3

_DIGITS = "零一二三四五六七八九"


def zh_ordinal(n: int) -> str:
    """Chinese numeral for 1–99 (``1`` → ``一``, ``12`` → ``十二``, ``20`` → ``二十``)."""
    if not 1 <= n <= 99:
        raise ValueError(f"zh_ordinal: {n} is outside 1–99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


@dataclass
class DraftResults:
    """The section results the draft is written from (see :func:`draft_results`).

    Attributes
    ----------
    title
        The study's title (shown under the draft's title).
    reference
        The home group (``本院``).
    areas
        Problem areas in report order: scale id → label (the codebook's scales).
    gaps, symposium, indicators, priorities, triangulation
        :mod:`survey.analysis` sections (a skipped section carries its Chinese note).
    synthetic
        The study is the synthetic demo (a notice is printed).
    when
        Date for the Word file's core properties (the end of fieldwork, else its start).
    """

    title: str
    reference: str
    areas: dict[str, str]
    gaps: A.Section
    symposium: A.Section
    indicators: A.Section
    priorities: A.Section
    triangulation: A.Section
    synthetic: bool = False
    when: dt.datetime | None = None


def draft_results(ctx: A.Context, *, sections: Mapping[str, A.Section] | None = None) -> DraftResults:
    """Compute (or reuse) the sections the draft needs.

    Parameters
    ----------
    ctx
        ``A.load(study_path)``.
    sections
        Sections already computed, by name (``gaps``, ``symposium``, ``indicators``,
        ``priorities``, ``triangulation``); the others are computed. ``gaps`` must include
        the item comparisons and ``symposium`` the quotations to be used in full.

    Returns
    -------
    DraftResults
    """
    have = dict(sections or {})
    # The same parameters as the notebooks, so the sections come from the section cache.
    gaps = have.get("gaps") or A.benchmark_gaps(ctx)
    sym = have.get("symposium") or A.symposium(ctx)
    ind = have.get("indicators") or A.indicators(ctx)
    prio = have.get("priorities") or A.priorities(ctx)
    tri = have.get("triangulation") or A.triangulation(ctx)
    fw = ctx.study.fieldwork
    day = (fw.end or fw.start) if fw is not None else None
    return DraftResults(
        title=ctx.study.title, reference=ctx.reference, areas=dict(ctx.scale_labels),
        gaps=gaps, symposium=sym, indicators=ind, priorities=prio, triangulation=tri,
        synthetic=bool(ctx.study.synthetic),
        when=dt.datetime(day.year, day.month, day.day) if day else None)


# ---------------------------------------------------------------------------------------------
# section 三: the problem areas


def _row(table: pd.DataFrame | None, column: str, value: str) -> pd.Series | None:
    if table is None or column not in table:
        return None
    hit = table[table[column].astype(str) == value]
    return None if hit.empty else hit.iloc[0]


def _areas_of(cell: object) -> list[str]:
    return [a for a in str(cell).split("、") if a]


def _questionnaire(res: DraftResults, sid: str, label: str) -> list[Paragraph]:
    gaps = res.gaps
    if gaps.skipped:
        return [Paragraph("问卷：" + "；".join(gaps.notes), "note")]
    quoted = nz.quoted(label)
    said = [s for s in gaps.sentences if quoted in s and s.startswith(res.reference)]
    if not said:
        return [Paragraph(f"问卷：编码手册中的量表{quoted}没有可用的比较结果。", "note")]
    out = [Paragraph("问卷：" + said[0])]
    item = gaps.tables.get("item")
    if item is not None and "维度" in item:
        t = item[item["维度"] == label]
        p_col = next((c for c in t.columns if c.endswith("校正 p")), None)
        # behind on the item: the CI of the difference lies below 0 and the adjusted p < 0.05,
        # read from the gap table of the same section (the same strings as shown there)
        data = gaps.data.get("item")
        if data is not None and p_col:
            main = gaps.data["main_group"]["group"].iloc[0]
            d = data[(data["group"] == main) & (data["scale"] == sid)]
            worst = d[(d["p_adj"] < ALPHA) & (d["ci_high"] < 0)].nsmallest(2, "diff")
            parts = []
            for r in worst.itertuples():
                row = _row(t, "题目", r.item)
                if row is None:
                    continue
                parts.append(f"{r.item}“{row['题目内容']}”（{res.reference}均值 {row[f'{res.reference}均值']}，"
                             f"对标均值 {row['对标均值']}，低 {row['差值'].lstrip('-')} 分，"
                             f"{p_col} {_p_eq(row[p_col])}）")
            if parts:
                out.append(Paragraph("逐题看，差距较大的是：" + "；".join(parts) + "。"))
    return out


def _symposium(res: DraftResults, sid: str) -> list[Paragraph]:
    sym, tri = res.symposium, res.triangulation
    if sym.skipped:
        return [Paragraph("座谈会：" + "；".join(sym.notes), "note")]
    trow = None if tri.skipped else _row(tri.tables["triangulation"], "问题", sid)
    freq = sym.tables["frequencies"]
    mine = freq[freq["问题领域"].map(lambda c: sid in _areas_of(c))]
    if mine.empty:
        return [Paragraph("座谈会：主题编码表中没有对应这一问题的主题。", "note")]
    out = []
    s = "座谈会："
    if trow is not None:
        s += (f"涉及这一问题的发言占全部发言的 {trow['座谈：涉及该问题的发言']}"
              f"（两位编码员的一致性 κ = {trow['编码一致性 κ']}）")
    shown = mine[mine["提及条数（全部）"].map(lambda v: str(v).isdigit())]
    shown = shown.assign(_n=shown["提及条数（全部）"].astype(int)).sort_values(
        "_n", ascending=False, kind="stable").head(3)
    if len(shown):
        parts = [f"{nz.quoted(r['主题'])}（{r['提及条数（全部）']} 条，占 {r['占全部发言']}）"
                 for _, r in shown.iterrows()]
        s += ("；" if trow is not None else "") + "相关主题中提到较多的是" + nz.join_zh(parts)
    out.append(Paragraph(s + "。"))
    quotes = sym.tables.get("quotes")
    if quotes is not None and len(quotes):
        labels = set(mine["主题"])
        q = quotes[quotes["主题"].isin(labels)].drop_duplicates("发言摘录")
        # one quotation per theme first, then the second ones (different themes speak first)
        q = q.assign(_k=q.groupby("主题").cumcount()).sort_values("_k", kind="stable")
        for _, r in q.head(MAX_QUOTES).iterrows():
            out.append(Paragraph(f"{r['座谈对象']}（{r['发言人（代号）']}）：“{r['发言摘录']}”", "quote"))
    return out


def _join(notes: list[str]) -> str:
    """Notes as one paragraph (sentences already ending in 。 are not joined with ；)."""
    return "".join(n if n.endswith("。") else n + "。" for n in notes)


def _p_eq(shown: str) -> str:
    """A p-value cell as it follows the letter p in a sentence (``= 0.012``, ``< 0.001``)."""
    return shown if shown.startswith("<") or shown == nz.MISSING else f"= {shown}"


def _with_unit(value: str, unit: str) -> str:
    if unit.startswith("是/否"):
        return {"1": "是", "0": "否"}.get(value, value)
    return value + unit


def _indicators(res: DraftResults, sid: str) -> list[Paragraph]:
    ind = res.indicators
    if ind.skipped:
        return [Paragraph("对标指标：" + "；".join(ind.notes), "note")]
    t = ind.tables["gaps"]
    mine = t[t["问题领域"].map(lambda c: sid in _areas_of(c))]
    if mine.empty:
        return [Paragraph("对标指标：没有对应这一问题的对标指标。", "note")]
    parts = []
    for _, r in mine.iterrows():
        unit = str(r["单位"])
        s = (f"{nz.quoted(r['指标'])}{res.reference} {_with_unit(r[res.reference], unit)}，"
             f"对标中位数 {_with_unit(r['对标中位数'], unit)}")
        if r["是否落后于中位数"] == "是":
            s += f"，落后 {r['与中位数差距（%）'].lstrip('-')}"
        elif r["是否落后于中位数"] == "否":
            s += "，不落后于中位数"
        parts.append(s + f"（{r['方向']}）")
    behind = int((mine["是否落后于中位数"] == "是").sum())
    return [Paragraph(f"对标指标：对应这一问题的 {len(mine)} 项指标中有 {behind} 项落后于对标院校中位数——"
                      + "；".join(parts) + "。")]


def _problems(res: DraftResults) -> list[Block]:
    blocks: list[Block] = [Heading("三、存在的问题不足", 1)]
    tri = res.triangulation
    ttab = None if tri.skipped else tri.tables["triangulation"]
    if ttab is not None:
        counts = ttab["证据强度"].value_counts()
        parts = [f"证据强度为「{k}」的有 {int(counts[k])} 个" for k in ("强", "中", "弱", "不支持")
                 if k in counts]
        blocks.append(Paragraph(f"综合问卷、座谈会和对标指标三方面的证据，{len(ttab)} 个问题中"
                                + "，".join(parts) + "。", "lead"))
    else:
        blocks.append(Paragraph("；".join(tri.notes), "note"))
    for k, (sid, label) in enumerate(res.areas.items(), start=1):
        blocks.append(Heading(f"（{zh_ordinal(k)}）{label}", 2))
        trow = None if ttab is None else _row(ttab, "问题", sid)
        if trow is not None:
            blocks.append(Paragraph(
                f"证据强度：「{trow['证据强度']}」（问卷{trow['问卷信号']}，座谈{trow['座谈信号']}，"
                f"指标{trow['指标信号']}）。", "lead"))
        blocks += _questionnaire(res, sid, label)
        blocks += _symposium(res, sid)
        blocks += _indicators(res, sid)
    if ttab is not None:
        blocks.append(Table(ttab, caption="表 1  各问题的证据汇总（三角互证）",
                            numeric=("问卷：Hedges g", "Holm 校正 p", "座谈：涉及该问题的发言",
                                     "编码一致性 κ"),
                            note=_join(tri.notes)))
    return blocks


# ---------------------------------------------------------------------------------------------
# section 四: the projects


def _projects(res: DraftResults) -> list[Block]:
    blocks: list[Block] = [Heading("四、对策建议", 1)]
    prio = res.priorities
    if prio.skipped:
        return [*blocks, Paragraph("；".join(prio.notes), "note")]
    t = prio.tables["ipa"]
    focus = t[t["象限"] == "重点改进"]
    if len(focus):
        blocks.append(Paragraph(
            f"重要性—表现分析显示，{nz.join_zh([nz.quoted(x) for x in focus['项目']])}落在「重点改进」象限"
            f"（{QUADRANT_MEANING['重点改进']}），建议优先推进。", "lead"))
    else:
        blocks.append(Paragraph("重要性—表现分析中没有项目落在「重点改进」象限。", "lead"))
    data = prio.data["ipa"]
    order = data.sort_values("project", kind="stable")["name"]
    for k, name in enumerate(order, start=1):
        r = _row(t, "项目", str(name))
        blocks.append(Heading(f"（{zh_ordinal(k)}）{name}", 2))
        if r is None:
            continue
        if r["重要性均值"] == nz.MISSING or str(r["样本量"]).startswith("<"):
            blocks.append(Paragraph(f"{nz.quoted(name)}：作答人数不足 5 人，不做分析。", "note"))
            continue
        s = (f"{res.reference} {r['样本量']} 人评价{nz.quoted(name)}的重要性均值为 {r['重要性均值']}，"
             f"现状表现均值为 {r['表现均值']}（重要性 − 表现 = {r['重要性 − 表现']}，95% CI {r['95% CI']}），"
             f"位于「{r['象限']}」象限（{QUADRANT_MEANING.get(r['象限'], r['象限'])}），"
             f"在 {len(t)} 个项目中优先顺序第 {r['优先顺序']} 位")
        if r["与对标的表现差值"] != nz.MISSING:
            diff = str(r["与对标的表现差值"])
            word = "低" if diff.startswith("-") else "高"
            s += (f"；表现比对标院校{word} {diff.lstrip('-')} 分（95% CI {r['差值 95% CI']}，"
                  f"BH 校正 p {_p_eq(r['BH 校正 p'])}）")
            d = data.loc[data["name"] == name].iloc[0]
            if not (d["bench_p_adj"] < ALPHA and (d["bench_ci_high"] < 0 or d["bench_ci_low"] > 0)):
                s += "，差异可能只是抽样波动"
        blocks.append(Paragraph(s + "。"))
    blocks.append(Table(t, caption="表 2  各项目的重要性—表现分析",
                        numeric=("优先顺序", "样本量", "重要性均值", "表现均值", "重要性 − 表现",
                                 "对标表现均值", "与对标的表现差值", "BH 校正 p"),
                        note=_join(prio.notes)))
    fig = prio.saved.get("ipa_quadrant") if prio.saved else None
    if fig is not None:
        blocks.append(Figure(Path(fig), caption="图 1  各项目的重要性—表现象限图"))
    return blocks


def draft_document(res: DraftResults) -> Document:
    """The draft sections 三 and 四 as a :class:`Document` (every number from the sections)."""
    notice = DRAFT_NOTICE + (SYNTHETIC_NOTICE if res.synthetic else "")
    doc = Document(title="调研报告第三、四部分（草稿）：存在的问题不足与对策建议",
                   subtitle=res.title, notice=notice,
                   footer="本草稿由 survey 程序生成；统计方法和判定规则见随附的完整分析报告。")
    doc.add(*_problems(res), *_projects(res))
    return doc


def write_draft_sections(results: DraftResults, path: str | Path) -> Path:
    """Write the draft sections 三 and 四 as a Word file (byte-identical across runs).

    Parameters
    ----------
    results
        :func:`draft_results` of the study.
    path
        Target ``.docx``, e.g. ``reports/`` + :data:`DRAFT_FILENAME`.

    Returns
    -------
    Path
    """
    from survey.report.docx import write_committee_docx

    return write_committee_docx(draft_document(results), path, when=results.when)
