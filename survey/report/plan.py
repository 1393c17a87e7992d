"""The ``survey plan`` command: the next wave's sample size for a study's processed data.

The statistics are :mod:`survey.stats.plan`; this module loads the study (the same context as
the report sections) and formats the plan for the terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.stats.plan import invitations, plan_sample_size, plan_sentence

if TYPE_CHECKING:
    from survey.report.sections.base import Context


def plan_study(
    study_path: str | Path | None = None, *, effect: float | None = None,
    power: float | None = None, alpha: float | None = None, cluster: str = "branch",
) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """The plan for a study's processed data (the ``survey plan`` command).

    Parameters
    ----------
    study_path
        ``study.yaml`` (default: the default study).
    effect, power, alpha
        As in :func:`plan_sample_size`; ``None``: the study's ``planning`` settings
        (``min_effect``, ``power``, ``alpha``; defaults 0.3, 0.8, 0.05).
    cluster
        Branch column (skipped when the data have none).

    Returns
    -------
    (plan, invitations, sentence)
        See :func:`plan_context`.

    Examples
    --------
    >>> plan_study("does-not-exist.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    survey.errors.SurveyError: ...
    """
    from survey.report.sections.base import load

    _check_overrides(effect, power)
    return plan_context(load(study_path, cache=False), effect=effect, power=power, alpha=alpha,
                        cluster=cluster)


def _check_overrides(effect: float | None, power: float | None) -> None:
    """Refuse a bad ``--effect`` / ``--power`` with the limits of ``study.yaml``'s ``planning``."""
    if effect is not None and not (np.isfinite(effect) and 0 < effect <= 3):
        raise SurveyError(f"要发现的最小差距无效：{effect}", column="--effect",
                          expected="大于 0、不超过 3 的效应量（Hedges g），例如 0.3")
    if power is not None and not (0.5 <= power < 0.999):
        raise SurveyError(f"目标功效无效：{power}", column="--power",
                          expected="0.5 到 0.999 之间的数（含 0.5，不含 0.999），例如 0.8")


def plan_context(
    ctx: Context, *, effect: float | None = None, power: float | None = None,
    alpha: float | None = None, cluster: str = "branch",
) -> tuple[pd.DataFrame, pd.DataFrame | None, str]:
    """The plan for a loaded study (:func:`survey.report.sections.base.load`).

    Parameters
    ----------
    ctx
        The study's context (the report sections' ``ctx``).
    effect, power, alpha, cluster
        As in :func:`plan_study`; ``None``: the study's ``planning`` settings.

    Returns
    -------
    (plan, invitations, sentence)
        :func:`plan_sample_size` for the home group over the codebook's scales (with a
        ``label`` column and ``invitations``: members to invite for that dimension's
        ``n_needed``, the total of :func:`invitations`; missing without a roster),
        :func:`invitations` for the largest need (``None`` without a roster) and
        :func:`plan_sentence` (or a note why it cannot be given).
    """
    from survey.stats.scoring import score_scales

    _check_overrides(effect, power)
    settings = ctx.study.planning
    effect = settings.min_effect if effect is None else effect
    power = settings.power if power is None else power
    alpha = settings.alpha if alpha is None else alpha
    scales = ctx.scales
    if not scales:
        raise SurveyError("编码手册中没有定义量表，无法做样本量规划",
                          expected="codebook.yaml 的 scales 中至少有一个量表")
    scores = score_scales(ctx.responses, ctx.codebook)
    keep = [c for c in (ctx.by, cluster, ctx.strata) if c and c in ctx.responses.columns]
    scores = scores.join(ctx.responses[keep].loc[:, ~pd.Index(keep).isin(scores.columns)])
    use_cluster = cluster if cluster in scores.columns and scores[cluster].notna().any() else None
    roster = ctx.processed.roster
    k = None
    if use_cluster and roster is not None and len(roster):
        named = roster[(roster["college"].astype(str) == ctx.reference) & (roster["branch"] != "")]
        k = int(named["branch"].nunique()) or None
    plan = plan_sample_size(scores, dv=scales, group=ctx.by, reference=ctx.reference,
                            effect=effect, power=power, alpha=alpha, cluster=use_cluster,
                            clusters=k)
    plan.insert(1, "label", plan["scale"].map(ctx.scale_labels))
    plan["invitations"] = np.nan
    need = plan["n_needed"].max()
    if roster is None or not len(roster) or ctx.by != "college":
        if not np.isfinite(need):
            return plan, None, "至少一个维度在现有党支部数下无法达到目标功效，见表中说明。"
        from survey.report.sections.base import _by_word

        who = ctx.reference if ctx.by == "college" else f"每个{_by_word(ctx)}分组"
        return plan, None, (f"下一轮调查，{who}至少需要回收约 {int(need)} 份有效问卷"
                            "（本研究没有名册汇总，无法换算成需邀请的人数）。")
    strata = ctx.strata if ctx.strata == "member_type" else None

    def invite(n: int) -> pd.DataFrame:
        return invitations(n, roster, ctx.responses, group=ctx.reference, strata=strata)

    plan["invitations"] = [float(invite(int(n))["invitations"].sum()) if np.isfinite(n)
                           else np.nan for n in plan["n_needed"]]
    if not np.isfinite(need):
        return plan, None, "至少一个维度在现有党支部数下无法达到目标功效，见表中说明。"
    inv = invite(int(need))
    members = int(inv["members"].sum())
    rate = float(inv["n"].sum() / members)
    sentence = plan_sentence(int(need), int(inv["invitations"].sum()), rate, members,
                             reference=ctx.reference)
    return plan, inv, sentence


def plan_gap_context(
    ctx: Context, *, effect: float | None = None, power: float | None = None,
    alpha: float | None = None, cluster: str = "branch",
) -> tuple[pd.DataFrame, str]:
    """Next wave's respondents to detect a given *change of the gap* (studies with ``waves``).

    :func:`survey.stats.plan.plan_gap_change` on this wave's scale scores (its sizes, SDs and
    ICC within ``cluster`` are the first wave of the difference-in-differences), with the
    study's ``planning`` settings (``min_effect`` is then the change of the gap worth
    detecting), Holm over the scales.

    Returns
    -------
    (table, sentence)
        The per-scale table (``label`` added) and a Chinese sentence for the committee.
    """
    from survey.stats.plan import plan_gap_change
    from survey.stats.scoring import score_scales

    settings = ctx.study.planning
    effect = settings.min_effect if effect is None else effect
    power = settings.power if power is None else power
    alpha = settings.alpha if alpha is None else alpha
    scores = score_scales(ctx.responses, ctx.codebook)
    keep = [c for c in (ctx.by, cluster) if c and c in ctx.responses.columns]
    scores = scores.join(ctx.responses[keep].loc[:, ~pd.Index(keep).isin(scores.columns)])
    use_cluster = cluster if cluster in scores.columns and scores[cluster].notna().any() else None
    table = plan_gap_change(scores, dv=ctx.scales, group=ctx.by, reference=ctx.reference,
                            effect=effect, power=power, alpha=alpha, cluster=use_cluster)
    table.insert(1, "label", table["scale"].map(ctx.scale_labels))
    need = table["n_needed"]
    if need.isna().any():
        sentence = ("至少一个维度即使下一轮样本再大也无法可靠判断差距是否变化了 "
                    f"g = {effect:g}（本轮样本太少）。")
    else:
        sentence = (f"若要判断下一轮{ctx.reference}与对标院校的差距是否又变化了 g = {effect:g}"
                    f"（约 {float(table['diff'].max()):.2f} 分），下一轮{ctx.reference}至少需要回收约 "
                    f"{int(need.max())} 份有效问卷，对标院校合计同样多。")
    return table, sentence


def plan_gap_study(
    study_path: str | Path | None = None, *, effect: float | None = None,
    power: float | None = None,
) -> str | None:
    """``survey plan``'s part for a study with earlier waves (:func:`plan_gap_context`) as
    plain Chinese text; ``None`` for a single-wave study."""
    from survey.report.sections.base import load

    ctx = load(study_path)
    if not ctx.study.waves:
        return None
    table, sentence = plan_gap_context(ctx, effect=effect, power=power)
    rows = "\n".join(
        f"  {label}：{'—' if pd.isna(n) else int(float(n))}"
        for label, n in zip(table["label"].fillna(table["scale"]), table["n_needed"], strict=True))
    notes = sorted({str(n) for n in table["note"] if isinstance(n, str) and n})
    return (f"\n判断差距是否变化（与上一轮比较）所需的本院有效问卷：\n{rows}\n{sentence}"
            + "".join(f"\n说明：{n}" for n in notes))


def format_plan_zh(plan: pd.DataFrame, inv: pd.DataFrame | None, sentence: str) -> str:
    """The plan as plain text for the terminal: a Chinese table per part and the sentence.

    Examples
    --------
    >>> p = pd.DataFrame({"scale": ["P1"], "label": ["学习"], "effect": [0.3], "diff": [0.21],
    ...                   "sd": [0.7], "alpha_test": [0.01], "n_srs": [262], "icc": [0.02],
    ...                   "clusters": [11], "deff": [1.5], "n_needed": [390], "n_now": [150],
    ...                   "power_now": [0.41], "note": [""]})
    >>> print(format_plan_zh(p, None, "句子。").splitlines()[0])
    各维度所需有效问卷（每所院校）
    """
    t = pd.DataFrame({
        "维度": plan["label"].fillna(plan["scale"]),
        "效应量 g": plan["effect"].map(lambda v: f"{v:.2f}"),
        "相当于分差": plan["diff"].map(lambda v: f"{v:.2f}"),
        "单项 α": plan["alpha_test"].map(lambda v: f"{v:.3f}"),
        "支部内相关": plan["icc"].map(lambda v: "—" if pd.isna(v) else f"{v:.3f}"),
        "设计效应": plan["deff"].map(lambda v: f"{v:.2f}"),
        "简单随机所需": plan["n_srs"].astype(int),
        "所需有效问卷": plan["n_needed"].map(lambda v: "—" if pd.isna(v) else str(int(v))),
        "本轮有效问卷": plan["n_now"].astype(int),
        "本轮功效": plan["power_now"].map(lambda v: "—" if pd.isna(v) else f"{v:.0%}"),
    })
    parts = ["各维度所需有效问卷（每所院校）", t.to_string(index=False)]
    notes = [f"{a}：{b}" for a, b in zip(t["维度"], plan["note"], strict=True) if b]
    parts += notes
    if inv is not None:
        it = pd.DataFrame({
            "党员类别": inv["stratum"], "名册人数": inv["members"].astype(int),
            "今年答卷": inv["n"].astype(int),
            "应答率": inv["response_rate"].map(lambda v: "—" if pd.isna(v) else f"{v:.1%}"),
            "预计回收": inv["n_needed"].map(lambda v: f"{v:.0f}"),
            "需邀请": inv["invitations"].astype(int), "说明": inv["note"]})
        parts += ["", "按党员类别换算的邀请人数", it.to_string(index=False)]
    return "\n".join([*parts, "", sentence])
