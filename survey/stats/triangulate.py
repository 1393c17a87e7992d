"""Triangulation: for each of the five problem areas, do the three instruments agree?

One row per problem area (P1–P5) joins

* the questionnaire gap of the area's scale (``effect``, ``effect_ci_low/high``, ``p_adj``,
  taken from an input table so this module does not depend on ``survey.stats.compare``),
* the symposium: share of statements raising any theme of the area, and coder agreement
  (Cohen's kappa on area presence, coder A × coder B),
* the benchmark indicators of the area: how many put the home college *materially* behind the
  benchmark median (``material`` of :func:`survey.stats.indicators.indicator_gaps`),

and rates the evidence 强 / 中 / 弱 / 不支持 by the rule written in ``docs/triangulation.md``
(kept in sync with :data:`RULE_THRESHOLDS` and :func:`rate_evidence`). The rule in force is
stated for the report by :func:`rule_table` and :func:`rule_summary`, both written from the
thresholds. A scale declared ``lower_is_better`` in the codebook (a burden scale) supports a
problem when the home college scores *higher*; :func:`orient_gaps` adds that reading
(``direction``, ``favourable``, ``better``) to any gap table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol, cast

import numpy as np
import pandas as pd

from survey.config.codebook import SCALE_DIRECTION_ZH
from survey.config.study import Materiality
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
HIGHER, LOWER = "higher_is_better", "lower_is_better"
_DIRECTIONS = {HIGHER: HIGHER, LOWER: LOWER, "higher": HIGHER, "lower": LOWER}


def _direction(d: object) -> str:
    """Normalise a direction (codebook or indicator spelling; missing = higher is better)."""
    if d is None or (isinstance(d, float) and np.isnan(d)) or d == "":
        return HIGHER
    if d not in _DIRECTIONS:
        raise SurveyError(f"量表方向 {d!r} 无法识别", expected="higher_is_better 或 lower_is_better")
    return _DIRECTIONS[d]


def questionnaire_signal(effect: float, ci_low: float, ci_high: float, p_adj: float,
                         t: RuleThresholds = RULE_THRESHOLDS, direction: str = HIGHER) -> str:
    """支持 / 部分支持 / 不支持 / 相反 / 无数据 for a gap (home − benchmark).

    For a ``higher_is_better`` scale a negative effect means the home college is behind; for a
    ``lower_is_better`` scale (burden, neuroticism) a positive one does, so the effect and its
    interval are mirrored before the rule is applied.

    Examples
    --------
    >>> questionnaire_signal(-0.5, -0.8, -0.2, 0.01), questionnaire_signal(0.5, 0.2, 0.8, 0.01)
    ('支持', '相反')
    >>> questionnaire_signal(0.5, 0.2, 0.8, 0.01, direction="lower_is_better")
    '支持'
    """
    if effect is None or np.isnan(effect):
        return NO_DATA
    if _direction(direction) == LOWER:
        effect, ci_low, ci_high = -effect, -ci_high, -ci_low
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
    """Signal of the indicators: how many of the area's ``n`` indicators are materially behind.

    ``n_behind`` counts material shortfalls only (``material`` of ``indicator_gaps``).
    """
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


_Q_COLUMNS = ["scale", "direction", "effect", "effect_ci_low", "effect_ci_high", "p_adj"]


def _questionnaire_rows(questionnaire: pd.DataFrame, scale_areas: Mapping[str, str] | None,
                        scale_directions: Mapping[str, str] | None) -> pd.DataFrame:
    need = ["scale", "effect", "effect_ci_low", "effect_ci_high", "p_adj"]
    missing = [c for c in need if c not in questionnaire]
    if missing:
        raise SurveyError("问卷差距表缺少列：" + "、".join(missing), expected="、".join(need))
    q = questionnaire.copy()
    given = q["direction"] if "direction" in q else pd.Series(HIGHER, index=q.index)
    if scale_directions is not None:
        given = q["scale"].map(scale_directions).fillna(given)
    q["direction"] = given.map(_direction)
    if scale_areas is not None:
        q["area"] = q["scale"].map({s: a for a, s in scale_areas.items()})
    elif "area" not in q:
        raise SurveyError("无法确定量表与问题领域的对应关系", expected="问卷差距表含 area 列，或提供 scale_areas 参数")
    q = q.loc[q["area"].isin(AREAS)]
    if q["area"].duplicated().any():
        dups = "、".join(sorted(set(q.loc[q["area"].duplicated(), "area"])))
        raise SurveyError(f"问题领域 {dups} 对应多行问卷差距", expected="每个问题领域一行（例如只保留“本院 vs 全部对标院校”的比较）")
    return q.set_index("area")[_Q_COLUMNS]


def triangulate(
    questionnaire: pd.DataFrame | None,
    indicator_gaps: pd.DataFrame | None,
    *,
    statements: pd.DataFrame | None = None,
    themes: ThemeCodebook | None = None,
    scale_areas: Mapping[str, str] | None = None,
    scale_directions: Mapping[str, str] | None = None,
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
        home − benchmark, e.g. Hedges' g of home vs pooled benchmarks; one row per scale),
        optionally ``area`` and ``direction`` (``higher_is_better`` / ``lower_is_better``;
        missing = higher is better). ``None`` if unavailable.
    indicator_gaps
        From :func:`survey.stats.indicators.indicator_gaps` (``indicator, gap_median,
        gap_median_share, material`` and ``area`` unless ``indicator_areas`` is given). Only
        ``material`` shortfalls count; a table without ``material`` counts every shortfall
        (``gap_median < 0``).
    statements, themes
        Cleaned symposium statements and the theme codebook (themes carry their areas).
    scale_areas
        ``{area: scale id}``, e.g. ``{"P1": "learning"}``; default: the ``area`` column.
    scale_directions
        ``{scale id: direction}``, e.g. :meth:`survey.config.codebook.Codebook.scale_directions`;
        overrides the ``direction`` column of ``questionnaire``.
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
        ``area, area_label, scale, direction, effect, effect_ci_low, effect_ci_high, p_adj,
        q_signal, n_statements, n, share, kappa, kappa_ci_low, kappa_ci_high, s_signal,
        n_indicators, n_behind`` (any shortfall), ``n_material`` (material shortfalls, the
        ones ``i_signal`` counts), ``gap_median_share, i_signal, rating, rationale``.

    Examples
    --------
    >>> q = pd.DataFrame({"scale": ["P1", "burden"], "area": ["P1", "P2"],
    ...                   "direction": ["higher_is_better", "lower_is_better"],
    ...                   "effect": [-0.5, 0.5], "effect_ci_low": [-0.8, 0.2],
    ...                   "effect_ci_high": [-0.2, 0.8], "p_adj": [0.01, 0.01]})
    >>> g = pd.DataFrame({"indicator": ["覆盖率", "时长"], "area": ["P1", "P2"],
    ...                   "gap_median": [-1.5, -10.0], "gap_median_share": [-0.02, -0.2],
    ...                   "material": [False, True]})
    >>> t = triangulate(q, g, areas=["P1", "P2"])
    >>> t[["area", "q_signal", "n_behind", "n_material", "i_signal", "rating"]].to_numpy().tolist()
    [['P1', '支持', 1, 0, '不支持', '中'], ['P2', '支持', 1, 1, '支持', '强']]
    """
    out = pd.DataFrame({"area": list(areas)})
    out["area_label"] = out["area"].map(AREA_LABELS).fillna("")
    # questionnaire
    if questionnaire is not None:
        q = _questionnaire_rows(questionnaire, scale_areas, scale_directions)
        out = out.join(q, on="area")
    else:
        for c in _Q_COLUMNS:
            out[c] = np.nan
    out["direction"] = out["direction"].map(_direction)
    num = out[["effect", "effect_ci_low", "effect_ci_high", "p_adj"]].astype(float)
    out["q_signal"] = [questionnaire_signal(e, lo, hi, p, t=thresholds, direction=d)
                       for (e, lo, hi, p), d in
                       zip(num.itertuples(index=False), out["direction"], strict=True)]
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
    n_mat = np.zeros(len(out), int)
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
            n_mat[j] = int(sub["material"].fillna(False).astype(bool).sum()) if "material" in sub else n_beh[j]
            if len(sub):
                med_share[j] = float(sub["gap_median_share"].median())
    out["n_indicators"], out["n_behind"], out["n_material"] = n_ind, n_beh, n_mat
    out["gap_median_share"] = med_share
    out["i_signal"] = [indicator_signal(n, b, thresholds) for n, b in zip(n_ind, n_mat, strict=True)]
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
    n_material: int
    n_indicators: int
    direction: str


def _rationale(r: _EvidenceRow) -> str:
    lower = "，越低越好的量表" if r.direction == LOWER else ""
    slight = r.n_behind - r.n_material
    parts = [
        f"问卷：{r.q_signal}（效应量 {_fmt(r.effect)}，95% CI [{_fmt(r.effect_ci_low)}, {_fmt(r.effect_ci_high)}]，"
        f"校正 p = {_fmt(r.p_adj, 3)}{lower}）",
        f"座谈：{r.s_signal}（{_fmt(100 * r.share, 0)}% 的发言涉及，kappa = {_fmt(r.kappa)}）",
        f"指标：{r.i_signal}（{r.n_material}/{r.n_indicators} 项明显低于对标中位数"
        + (f"，另有 {slight} 项略低、未达到重要性阈值" if slight > 0 else "") + "）",
    ]
    return "；".join(parts)


# ---------------------------------------------------------------------------------------------
# the rule in words, for the report (every number comes from the thresholds in force)

#: Chinese meaning of each threshold of :class:`RuleThresholds` (for :func:`threshold_table`).
THRESHOLD_LABELS = {
    "alpha": "问卷：校正后 p 值的显著性水平",
    "min_effect": "问卷：“部分支持”所需的最小效应量（|Hedges g|）",
    "share_support": "座谈：“支持”所需的涉及该问题的发言比例",
    "share_partial": "座谈：“部分支持”所需的涉及该问题的发言比例",
    "kappa_support": "座谈：“支持”所需的编码一致性（Cohen κ）",
    "behind_support": "指标：“支持”所需的明显落后指标比例（严格超过）",
}


def _g(x: float) -> str:
    return f"{x:g}"


def _pct(x: float) -> str:
    return f"{100 * x:.4g}%"


def _material_clause(m: Materiality) -> str:
    return (f"百分比类差距至少 {_g(m.percent)} 个百分点；比率类差距至少为对标中位数的 {_pct(m.ratio)}；"
            f"数量类差距至少为对标中位数的 {_pct(m.count)}；是否类只要本院落后于至少半数对标院校，"
            "如本院没有而半数以上有")


def threshold_table(t: RuleThresholds = RULE_THRESHOLDS, *,
                    materiality: Materiality | None = None) -> pd.DataFrame:
    """The thresholds in force as a Chinese table: ``参数, 取值, 含义``.

    Examples
    --------
    >>> threshold_table().to_numpy().tolist()[0]
    ['alpha', 0.05, '问卷：校正后 p 值的显著性水平']
    """
    m = materiality or Materiality()
    rows = [(k, v, THRESHOLD_LABELS[k]) for k, v in asdict(t).items()]
    rows += [("materiality.percent", m.percent, "指标：百分比类指标“明显落后”的最小差距（百分点）"),
             ("materiality.ratio", m.ratio, "指标：比率类指标“明显落后”的最小差距（占对标中位数的比例）"),
             ("materiality.count", m.count, "指标：数量类指标“明显落后”的最小差距（占对标中位数的比例）")]
    return pd.DataFrame(rows, columns=["参数", "取值", "含义"])


def rule_table(t: RuleThresholds = RULE_THRESHOLDS, *,
               materiality: Materiality | None = None) -> pd.DataFrame:
    """The evidence rule actually used, as a tidy Chinese table for the report appendix.

    Parameters
    ----------
    t
        The thresholds passed to :func:`triangulate`.
    materiality
        The indicator thresholds passed to :func:`~survey.stats.indicators.indicator_gaps`
        (``study.indicators.materiality``; default: the defaults).

    Returns
    -------
    pandas.DataFrame
        ``来源, 结论, 条件``: one row per signal of each source (问卷 / 座谈会 / 对标指标) and
        per rating (合成: 强 / 中 / 弱 / 不支持); every number in ``条件`` is read from ``t``
        and ``materiality``.

    Examples
    --------
    >>> r = rule_table(RuleThresholds(alpha=0.01))
    >>> r.iloc[0].tolist()
    ['问卷', '支持', '本院得分低于对标院校（越低越好的量表：高于），效应量 95% 置信区间不含 0，且多重比较校正后 p < 0.01']
    >>> r["结论"].tolist()[-4:]
    ['强', '中', '弱', '不支持']
    """
    m = materiality or Materiality()
    rows = [
        ("问卷", SUPPORT, "本院得分低于对标院校（越低越好的量表：高于），效应量 95% 置信区间不含 0，"
                         f"且多重比较校正后 p < {_g(t.alpha)}"),
        ("问卷", AGAINST, "本院得分高于对标院校（越低越好的量表：低于），效应量 95% 置信区间不含 0，"
                         f"且校正后 p < {_g(t.alpha)}"),
        ("问卷", PARTIAL, f"方向为本院落后，效应量至少 {_g(t.min_effect)}（|Hedges g|），但未达到“支持”"),
        ("问卷", NONE, "其余情况"),
        ("问卷", NO_DATA, "没有与该问题对应的量表"),
        ("座谈会", SUPPORT, f"至少 {_pct(t.share_support)} 的发言涉及该问题，且两位编码员的一致性 "
                           f"κ ≥ {_g(t.kappa_support)}"),
        ("座谈会", PARTIAL, f"至少 {_pct(t.share_partial)} 的发言涉及该问题，但未达到“支持”"),
        ("座谈会", NONE, f"涉及该问题的发言不足 {_pct(t.share_partial)}（座谈会不给出“相反”）"),
        ("座谈会", NO_DATA, "没有座谈记录，或主题编码表中没有对应该问题的主题"),
        ("对标指标", SUPPORT, f"超过 {_pct(t.behind_support)} 的可比指标本院明显落后于对标中位数"
                             f"（{_material_clause(m)}）"),
        ("对标指标", PARTIAL, f"至少一项指标明显落后，但不超过 {_pct(t.behind_support)}"),
        ("对标指标", NONE, "没有一项指标明显落后（未达到阈值的微小差距不计）"),
        ("对标指标", NO_DATA, "该问题下没有本院和对标院校都有数据的指标"),
        ("合成", "强", "至少两种来源“支持”，其中包括问卷，且没有来源“相反”"),
        ("合成", "中", "不是“强”，没有来源“相反”，并且：两种来源“支持”；或一种“支持”、一种“部分支持”；"
                       "或问卷单独“支持”"),
        ("合成", "弱", "不满足以上条件，但至少一种来源“支持”或“部分支持”（有来源“相反”时最高为“弱”）"),
        ("合成", "不支持", "没有任何来源“支持”或“部分支持”"),
    ]
    return pd.DataFrame(rows, columns=["来源", "结论", "条件"])


def rule_summary(t: RuleThresholds = RULE_THRESHOLDS, *, materiality: Materiality | None = None) -> str:
    """The evidence rule in four plain Chinese sentences, for a committee member.

    Parameters
    ----------
    t, materiality
        As for :func:`rule_table`; every number in the text is read from them.

    Returns
    -------
    str
        What 支持 means for each of the three sources, then what 强 / 中 / 弱 / 不支持 mean.

    Examples
    --------
    >>> text = rule_summary()
    >>> text.count("。"), "p < 0.05" in text, "至少 15% 的发言" in text, "5 个百分点" in text
    (4, True, True, True)
    """
    m = materiality or Materiality()
    return (
        "每个问题的证据来自三种来源：党员问卷、座谈会发言和对标指标。"
        f"问卷“支持”指本院在该维度上的得分确实低于对标院校（多重比较校正后 p < {_g(t.alpha)}，"
        "且效应量的 95% 置信区间不含 0；对“越低越好”的量表如负担感，则是本院得分确实更高）；"
        f"座谈会“支持”指至少 {_pct(t.share_support)} 的发言谈到该问题，且两位编码员的判断基本一致"
        f"（一致性系数 κ ≥ {_g(t.kappa_support)}）；对标指标“支持”指该问题下超过 {_pct(t.behind_support)} 的指标"
        f"本院明显落后于对标院校中位数（{_material_clause(m)}；更小的差距不计）。"
        "证据“强”表示问卷和至少另一种来源都支持、且没有来源指向相反；“中”表示有两种来源支持但问卷不在其中、"
        "一种来源支持另一种部分支持，或只有问卷支持；“弱”表示只有零星或相互矛盾的迹象；"
        "“不支持”表示三种来源都没有显示该问题。"
        "这些阈值是分析前约定的判断标准，不是统计检验，回答的是三种来源是否指向同一方向，而不是问题有多严重。"
    )


# ---------------------------------------------------------------------------------------------
# direction of a gap


def orient_gaps(gaps: pd.DataFrame, directions: Mapping[str, str] | None = None, *,
                level: str = "scale", t: RuleThresholds = RULE_THRESHOLDS) -> pd.DataFrame:
    """Add whether each gap is favourable to the home group, given each scale's direction.

    Parameters
    ----------
    gaps
        A gap table (:func:`survey.stats.compare.gap_by_scale`, :func:`~survey.stats.compare.gap_table`):
        ``level`` column, ``effect`` (or ``diff``), ``effect_ci_low``, ``effect_ci_high``,
        ``p_adj`` (home = ``reference`` − ``group``).
    directions
        ``{scale id: direction}`` (:meth:`survey.config.codebook.Codebook.scale_directions`);
        a scale not listed, or ``None``, is ``higher_is_better``.
    level
        The column naming the scale. ``"scale"`` serves item tables too: the items of
        :func:`~survey.stats.compare.gap_by_item` are reverse keyed and carry their scale, so
        an item's direction is its scale's.
    t
        Thresholds (``alpha``) of the significance rule, as in :func:`questionnaire_signal`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``gaps`` with ``direction`` (``higher_is_better`` / ``lower_is_better``),
        ``favourable`` (True when the home group's point estimate is on the better side of the
        comparison group: ``effect`` > 0 for a higher-is-better scale, < 0 for a lower-is-better
        one; NA when 0 or missing) and ``better`` (``"reference"`` — the home group, the
        table's ``reference`` column — or ``"group"`` when the difference is significant by the
        questionnaire rule: adjusted p < ``alpha`` and the effect CI excludes 0; else ``None``).

    Examples
    --------
    >>> g = pd.DataFrame({"scale": ["S1", "burden"], "effect": [-0.5, -0.5],
    ...                   "effect_ci_low": [-0.8, -0.8], "effect_ci_high": [-0.2, -0.2],
    ...                   "p_adj": [0.01, 0.01]})
    >>> o = orient_gaps(g, {"burden": "lower_is_better"})
    >>> o[["scale", "direction", "favourable", "better"]].to_numpy().tolist()
    [['S1', 'higher_is_better', False, 'group'], ['burden', 'lower_is_better', True, 'reference']]
    """
    if level not in gaps:
        raise SurveyError(f"差距表缺少列：{level}", expected=f"含 {level} 列的差距表")
    out = gaps.copy()
    d = out[level].map(dict(directions or {})).map(_direction)
    point = out["effect"] if "effect" in out else out["diff"]
    point = point.where(point.notna(), out["diff"]) if "diff" in out else point
    sign = np.sign(point.astype(float)) * np.where(d == LOWER, -1.0, 1.0)
    out["direction"] = d
    out["favourable"] = pd.array([pd.NA if np.isnan(v) or v == 0 else bool(v > 0) for v in sign],
                                 dtype="boolean")
    cols = ["effect", "effect_ci_low", "effect_ci_high", "p_adj"]
    if all(c in out for c in cols):
        sig = [questionnaire_signal(e, lo, hi, p, t=t, direction=k) for (e, lo, hi, p), k in
               zip(out[cols].astype(float).itertuples(index=False), d, strict=True)]
        out["better"] = [{AGAINST: "reference", SUPPORT: "group"}.get(x) for x in sig]
    else:
        out["better"] = None
    return out


def direction_label(direction: str) -> str:
    """Chinese name of a scale direction: ``越高越好`` or ``越低越好``.

    Examples
    --------
    >>> direction_label("lower_is_better")
    '越低越好'
    """
    return SCALE_DIRECTION_ZH[_direction(direction)]
