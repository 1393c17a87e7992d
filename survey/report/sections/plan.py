"""The committee report's appendix: how many respondents the next wave needs.

The numbers are :func:`survey.report.plan.plan_context` (the ``survey plan`` command) with the
study's ``planning`` settings (``study.yaml``): per dimension the valid questionnaires the home
college must collect and the members to invite at this year's response rate, and the sentence
for the committee.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.report import narrative as nz
from survey.report.sections.base import Context, Section, _by_word, _skip
from survey.report.sections.cache import cached

TITLE = "下一轮调查的样本量"


def _whole(v: float) -> str:
    """A whole number of questionnaires or people, ``—`` when it cannot be given."""
    x = float(v)
    return nz.MISSING if not np.isfinite(x) else str(int(x))


@cached("plan")
def next_wave(ctx: Context) -> Section:
    """The next wave's sample size per dimension, with the study's ``planning`` settings.

    Returns
    -------
    Section
        data ``plan`` and ``invitations`` (:func:`survey.report.plan.plan_context`; no
        ``invitations`` without a roster); table ``plan`` (维度, 相当于分差, 设计效应,
        所需有效问卷, 所需邀请人数, 本轮有效问卷); sentences: the committee sentence; notes:
        how the numbers were computed. Skipped with a note for a codebook without scales.
    """
    from survey.report.plan import plan_context

    try:
        plan, inv, sentence = plan_context(ctx)
    except SurveyError as exc:
        return _skip(TITLE, f"无法做样本量规划：{exc.problem}")
    settings = ctx.study.planning
    sec = Section(title=TITLE, data={"plan": plan})
    if inv is not None:
        sec.data["invitations"] = inv
    table = {
        "维度": plan["label"].fillna(plan["scale"]),
        "相当于分差": plan["diff"].map(nz.num),
        "设计效应": plan["deff"].map(nz.num),
        "所需有效问卷": plan["n_needed"].map(_whole),
        "所需邀请人数": plan["invitations"].map(_whole),
        "本轮有效问卷": plan["n_now"].map(lambda n: nz.count(n, ctx.min_n)),
    }
    if inv is None:
        table.pop("所需邀请人数")
    sec.tables["plan"] = pd.DataFrame(table)
    sec.counts["plan"] = ["本轮有效问卷"]
    sec.sentences.append(sentence)
    m = len(plan)
    clustered = plan["icc"].notna().any()
    sec.notes.append(
        f"按要能发现的最小差距 g = {nz.num(settings.min_effect)}（约合表中“相当于分差”的分数）、"
        f"目标功效 {nz.pct(settings.power, 0)}、整体显著性水平 {nz.num(settings.alpha)}"
        f"（Holm 方法校正 {m} 个维度，最严一步为 {nz.num(settings.alpha / m, 3)}）计算；"
        "标准差" + ("和党支部内相关系数（设计效应）" if clustered else "") + "取自本轮数据"
        + ("，所需邀请人数按本轮名册各类人员的应答率换算" if inv is not None else "")
        + f"。所需有效问卷对每个{_by_word(ctx)}都适用；规划参数见 study.yaml 的 planning。")
    for label, note in zip(sec.tables["plan"]["维度"], plan["note"], strict=True):
        if note:
            sec.notes.append(f"{label}：{note}")
    if ctx.study.waves:
        from survey.report.plan import plan_gap_context

        gap, gap_sentence = plan_gap_context(ctx)
        sec.data["gap_change"] = gap
        sec.tables["gap_change"] = pd.DataFrame({
            "维度": gap["label"].fillna(gap["scale"]),
            "相当于分差": gap["diff"].map(nz.num),
            "设计效应": gap["deff"].map(nz.num),
            "所需有效问卷（本院）": gap["n_needed"].map(_whole),
        })
        sec.sentences.append(gap_sentence)
        notes = {str(n) for n in gap["note"] if isinstance(n, str) and n}
        sec.notes.extend(f"判断差距变化：{n}" for n in sorted(notes))
    return sec
