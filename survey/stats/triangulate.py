"""Triangulation: for each of the five problem areas, do the three instruments agree?

One row per problem area (P1–P5) joins

* the questionnaire gap of the area's scale (``effect``, ``effect_ci_low/high``, ``p_adj``,
  taken from an input table so this module does not depend on ``survey.stats.compare``),
* the symposium: share of statements raising any theme of the area, and coder agreement
  (Cohen's kappa on area presence, coder A × coder B),
* the benchmark indicators of the area: how many put the home college behind the benchmark
  median,

and rates the evidence 强 / 中 / 弱 / 不支持 by the rule written in ``docs/triangulation.md``
(kept in sync with :data:`RULE_THRESHOLDS` and :func:`rate_evidence`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol, cast

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.instruments.symposium import ThemeCodebook
from survey.instruments.tables import AREAS
from survey.stats.agreement import cohen_kappa_2x2
from survey.stats.themes import Coder, area_presence

AREA_LABELS = {
    "P1": "学习型党组织建设",
    "P2": "过硬党支部建设",
    "P3": "二级院系党组织统领专业建设",
    "P4": "服务型党组织建设",
    "P5": "品牌示范与争先创优",
}
SUPPORT, PARTIAL, NONE, AGAINST, NO_DATA = "支持", "部分支持", "不支持", "相反", "无数据"


@dataclass(frozen=True)
class RuleThresholds:
    """Thresholds of the evidence rule (see ``docs/triangulation.md``)."""

    #: significance level for the Holm/BH-adjusted questionnaire p-value
    alpha: float = 0.05
    #: smallest |effect| (Hedges' g) that counts as a non-significant hint
    min_effect: float = 0.2
    #: share of statements raising the area for the symposium to "support"
    share_support: float = 0.15
    #: share of statements below which the symposium is silent on the area
    share_partial: float = 0.05
    #: coder agreement (kappa) needed for a frequent area to count as "support"
    kappa_support: float = 0.60
    #: share of the area's indicators behind the benchmark median for "support" (strictly more)
    behind_support: float = 0.5


RULE_THRESHOLDS = RuleThresholds()


def questionnaire_signal(effect: float, ci_low: float, ci_high: float, p_adj: float,
                         t: RuleThresholds = RULE_THRESHOLDS) -> str:
    """支持 / 部分支持 / 不支持 / 相反 / 无数据 for a gap (home − benchmark; negative = behind)."""
    if effect is None or np.isnan(effect):
        return NO_DATA
    significant = p_adj is not None and not np.isnan(p_adj) and p_adj < t.alpha
    if effect < 0 and ci_high < 0 and significant:
        return SUPPORT
    if effect > 0 and ci_low > 0 and significant:
        return AGAINST
    if effect <= -t.min_effect:
        return PARTIAL
    return NONE


def symposium_signal(share: float, kappa: float, t: RuleThresholds = RULE_THRESHOLDS) -> str:
    """Signal of the symposium: share of statements raising the area and coder agreement."""
    if share is None or np.isnan(share):
        return NO_DATA
    if share >= t.share_support and not np.isnan(kappa) and kappa >= t.kappa_support:
        return SUPPORT
    if share >= t.share_partial:
        return PARTIAL
    return NONE


def indicator_signal(n: int, n_behind: int, t: RuleThresholds = RULE_THRESHOLDS) -> str:
    """Signal of the indicators: how many of the area's indicators are behind the median."""
    if n == 0:
        return NO_DATA
    if n_behind / n > t.behind_support:
        return SUPPORT
    if n_behind >= 1:
        return PARTIAL
    return NONE


def rate_evidence(q: str, s: str, i: str) -> str:
    """Combine the three source signals into 强 / 中 / 弱 / 不支持.

    * 强: at least two sources 支持, the questionnaire among them, none 相反.
    * 中: not 强, none 相反, and (two sources 支持; or one 支持 and one 部分支持; or the
      questionnaire 支持 on its own).
    * 弱: otherwise, when at least one source 支持 or 部分支持 (a 相反 caps the rating here).
    * 不支持: no source 支持 or 部分支持.
    """
    signals = (q, s, i)
    n_sup = sum(x == SUPPORT for x in signals)
    n_part = sum(x == PARTIAL for x in signals)
    against = AGAINST in signals
    if not against and q == SUPPORT and n_sup >= 2:
        return "强"
    if not against and (n_sup >= 2 or (n_sup == 1 and n_part >= 1) or q == SUPPORT):
        return "中"
    if n_sup + n_part >= 1:
        return "弱"
    return "不支持"


def _questionnaire_rows(questionnaire: pd.DataFrame, scale_areas: Mapping[str, str] | None) -> pd.DataFrame:
    need = ["scale", "effect", "effect_ci_low", "effect_ci_high", "p_adj"]
    missing = [c for c in need if c not in questionnaire]
    if missing:
        raise SurveyError("问卷差距表缺少列：" + "、".join(missing), expected="、".join(need))
    q = questionnaire.copy()
    if scale_areas is not None:
        q["area"] = q["scale"].map({s: a for a, s in scale_areas.items()})
    elif "area" not in q:
        raise SurveyError("无法确定量表与问题领域的对应关系", expected="问卷差距表含 area 列，或提供 scale_areas 参数")
    q = q.loc[q["area"].isin(AREAS)]
    if q["area"].duplicated().any():
        dups = "、".join(sorted(set(q.loc[q["area"].duplicated(), "area"])))
        raise SurveyError(f"问题领域 {dups} 对应多行问卷差距", expected="每个问题领域一行（例如只保留“本院 vs 全部对标院校”的比较）")
    return q.set_index("area")[need]


def triangulate(
    questionnaire: pd.DataFrame | None,
    indicator_gaps: pd.DataFrame | None,
    *,
    statements: pd.DataFrame | None = None,
    themes: ThemeCodebook | None = None,
    scale_areas: Mapping[str, str] | None = None,
    indicator_areas: Mapping[str, str] | None = None,
    coder: Coder = "a",
    areas: Sequence[str] = AREAS,
    thresholds: RuleThresholds = RULE_THRESHOLDS,
) -> pd.DataFrame:
    """One row per problem area joining the three instruments, with an evidence rating.

    Parameters
    ----------
    questionnaire
        Gap per scale: ``scale, effect, effect_ci_low, effect_ci_high, p_adj`` (effect =
        home − benchmark on a scale where higher is better, e.g. Hedges' g of home vs pooled
        benchmarks; one row per scale), optionally ``area``. ``None`` if unavailable.
    indicator_gaps
        From :func:`survey.stats.indicators.indicator_gaps` (``indicator, gap_median,
        gap_median_share, behind_median`` and ``area`` unless ``indicator_areas`` is given).
    statements, themes
        Cleaned symposium statements and the theme codebook (themes carry their areas).
    scale_areas
        ``{area: scale id}``, e.g. ``{"P1": "learning"}``; default: the ``area`` column.
    indicator_areas
        ``{indicator: area}``; default: the ``area`` column of ``indicator_gaps``.
    coder
        Whose codes define the symposium share (default coder A).
    areas
        The problem areas (default P1–P5).
    thresholds
        Rule thresholds (default :data:`RULE_THRESHOLDS`).

    Returns
    -------
    pandas.DataFrame
        ``area, area_label, scale, effect, effect_ci_low, effect_ci_high, p_adj, q_signal,
        n_statements, n, share, kappa, kappa_ci_low, kappa_ci_high, s_signal, n_indicators,
        n_behind, gap_median_share, i_signal, rating, rationale``.
    """
    out = pd.DataFrame({"area": list(areas)})
    out["area_label"] = out["area"].map(AREA_LABELS).fillna("")
    # questionnaire
    if questionnaire is not None:
        q = _questionnaire_rows(questionnaire, scale_areas)
        out = out.join(q, on="area")
    else:
        for c in ("scale", "effect", "effect_ci_low", "effect_ci_high", "p_adj"):
            out[c] = np.nan
    out["q_signal"] = [questionnaire_signal(e, lo, hi, p, t=thresholds) for e, lo, hi, p in
                       out[["effect", "effect_ci_low", "effect_ci_high", "p_adj"]].astype(float).itertuples(index=False)]
    # symposium
    sym = {c: np.full(len(out), np.nan) for c in ("n_statements", "n", "share", "kappa", "kappa_ci_low", "kappa_ci_high")}
    if statements is not None and themes is not None and len(statements):
        pa = area_presence(statements, themes, coder=coder, areas=areas)
        pa_a = area_presence(statements, themes, coder="a", areas=areas)
        pb = area_presence(statements, themes, coder="b", areas=areas)
        mapped = set(themes.areas()["area"])
        for j, a in enumerate(areas):
            if a not in mapped:
                continue
            k = cohen_kappa_2x2(pa_a[a].to_numpy(), pb[a].to_numpy())
            sym["n_statements"][j] = len(pa)
            sym["n"][j] = pa[a].sum()
            sym["share"][j] = pa[a].mean()
            sym["kappa"][j], sym["kappa_ci_low"][j], sym["kappa_ci_high"][j] = k["effect"], k["ci_low"], k["ci_high"]
    for c, v in sym.items():
        out[c] = v
    out["s_signal"] = [symposium_signal(s, k, thresholds) for s, k in zip(out["share"], out["kappa"], strict=True)]
    # indicators
    n_ind, n_beh, med_share = np.zeros(len(out), int), np.zeros(len(out), int), np.full(len(out), np.nan)
    if indicator_gaps is not None and len(indicator_gaps):
        g = indicator_gaps.copy()
        if indicator_areas is not None:
            g["area"] = g["indicator"].map(indicator_areas)
        elif "area" not in g:
            raise SurveyError("无法确定指标与问题领域的对应关系", expected="指标表含“问题领域”列，或提供 indicator_areas 参数")
        g = g.loc[g["gap_median"].notna()]
        for j, a in enumerate(areas):
            sub = g.loc[g["area"].fillna("").str.split("、").map(lambda xs, a=a: a in xs)]
            n_ind[j] = len(sub)
            n_beh[j] = int((sub["gap_median"] < 0).sum())
            if len(sub):
                med_share[j] = float(sub["gap_median_share"].median())
    out["n_indicators"], out["n_behind"], out["gap_median_share"] = n_ind, n_beh, med_share
    out["i_signal"] = [indicator_signal(n, b, thresholds) for n, b in zip(n_ind, n_beh, strict=True)]
    out["rating"] = [rate_evidence(*r) for r in out[["q_signal", "s_signal", "i_signal"]].itertuples(index=False)]
    out["rationale"] = [_rationale(cast(_EvidenceRow, r)) for r in out.itertuples(index=False)]
    return out


def _fmt(x: float, nd: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{nd}f}"


class _EvidenceRow(Protocol):
    """The columns of one row of :func:`triangulate` that its rationale quotes."""

    q_signal: str
    effect: float
    effect_ci_low: float
    effect_ci_high: float
    p_adj: float
    s_signal: str
    share: float
    kappa: float
    i_signal: str
    n_behind: int
    n_indicators: int


def _rationale(r: _EvidenceRow) -> str:
    parts = [
        f"问卷：{r.q_signal}（效应量 {_fmt(r.effect)}，95% CI [{_fmt(r.effect_ci_low)}, {_fmt(r.effect_ci_high)}]，"
        f"校正 p = {_fmt(r.p_adj, 3)}）",
        f"座谈：{r.s_signal}（{_fmt(100 * r.share, 0)}% 的发言涉及，kappa = {_fmt(r.kappa)}）",
        f"指标：{r.i_signal}（{r.n_behind}/{r.n_indicators} 项低于对标中位数）",
    ]
    return "；".join(parts)


def rule_table(t: RuleThresholds = RULE_THRESHOLDS) -> pd.DataFrame:
    """The thresholds in force, as a two-column table for the report appendix."""
    return pd.DataFrame(list(asdict(t).items()), columns=["threshold", "value"])
