"""How many respondents does the next wave need? Power planning for the committee.

:func:`plan_sample_size` gives, per dimension, the respondents per college needed to detect a
chosen gap (Hedges' g, default 0.3) at 80 % power after Holm correction over the dimensions,
with the observed SDs and the clustering of answers within Party branches (:func:`icc1`,
design effect). :func:`plan_gap_change` does the same for detecting a change of the gap
between two waves. :func:`invitations` turns respondents into invitations per member type
with this year's response rates from the roster; :func:`plan_sentence` says it in one Chinese
sentence and :func:`plan_study` runs it all for a study (the ``survey plan`` command).

Power calculations use statsmodels' power classes (:class:`~statsmodels.stats.power.TTestIndPower`
and :func:`~statsmodels.stats.power.ttest_power`); ``tests/stats/test_stats_plan.py`` checks
them against Monte-Carlo simulations. Columns beyond :data:`survey.stats.common.COLUMNS`
are named in :data:`PLAN_COLUMNS`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd
from scipy import optimize
from statsmodels.stats.power import TTestIndPower, ttest_power

from survey.errors import SurveyError
from survey.stats.common import require_columns

__all__ = ["PLAN_COLUMNS", "PLAN_LABELS_ZH", "design_effect", "icc1", "invitations",
           "plan_gap_change", "plan_sample_size", "plan_sentence"]

#: Columns of the planning tables that :data:`survey.stats.common.COLUMNS` does not define.
PLAN_COLUMNS: dict[str, str] = {
    "alpha_test": "significance level of each test: alpha / m, the most stringent Holm step",
    "power": "target power",
    "icc": "ICC(1) of the answers within clusters (branches); negative estimates shown as is",
    "clusters": "number of clusters (branches) of the reference group the respondents spread over",
    "n_srs": "respondents per college needed under simple random sampling",
    "n_needed": "respondents per college needed with the design effect (rounded up)",
    "n_now": "respondents of the reference group in the current data",
    "power_now": "power the current reference sample has for the same effect",
    "members": "members on the roster",
    "response_rate": "this year's response rate (respondents / roster members)",
    "invitations": "members to invite to expect n_needed respondents at this year's rate",
}

#: Chinese labels of :data:`PLAN_COLUMNS`.
PLAN_LABELS_ZH: dict[str, str] = {
    "alpha_test": "单项检验显著性水平", "power": "目标功效", "icc": "支部内相关系数",
    "clusters": "党支部数", "n_srs": "简单随机抽样所需样本量", "n_needed": "所需有效问卷",
    "n_now": "本轮有效问卷", "power_now": "本轮样本的功效", "members": "名册人数",
    "response_rate": "应答率", "invitations": "需邀请人数",
}

#: Default smallest gap the committee cares about (Hedges' g).
DEFAULT_EFFECT = 0.3


# --------------------------------------------------------------------------------------------
# clustering


def icc1(
    data: pd.DataFrame, *, dv: str | Sequence[str], cluster: str, by: str | None = None,
    level: str = "scale",
) -> pd.DataFrame:
    """One-way random-effects ICC(1) of answers within clusters (Party branches).

    Parameters
    ----------
    data
        One row per respondent with ``dv``, ``cluster`` (and ``by``).
    dv
        Variable(s), e.g. the scale scores.
    cluster
        The cluster column (``branch``).
    by
        Clusters are nested in this column (``college``: branches of different colleges
        with the same name are different clusters, and differences between colleges are
        not counted as clustering).
    level
        Name of the variable column of the result.

    Returns
    -------
    pandas.DataFrame
        ``level``, ``n``, ``k`` (clusters), ``n0`` (effective cluster size), ``icc``.

    Notes
    -----
    ANOVA estimator for unbalanced clusters (Donner 1986): with ``N`` answers in ``k``
    clusters of sizes ``n_j`` (nested in ``C`` levels of ``by``),
    ``MSB = Σ n_j (ȳ_j − ȳ_c(j))² / (k − C)``, ``MSW = ΣΣ (y − ȳ_j)² / (N − k)``,
    ``n0 = (N − Σ_c Σ_j n_j² / N_c) / (k − C)`` and
    ``ICC(1) = (MSB − MSW) / (MSB + (n0 − 1) MSW)``. For balanced clusters it equals
    pingouin's ``ICC1`` (:func:`pingouin.intraclass_corr`, R ``psych::ICC``) with the
    clusters as targets; unbalanced data are what pingouin cannot take, hence this function.
    Answers without a cluster are left out.

    References
    ----------
    Donner, A. (1986). A review of inference procedures for the intraclass correlation
    coefficient in the one-way random effects model. *International Statistical Review*,
    54(1), 67-82.

    Examples
    --------
    >>> d = pd.DataFrame({"branch": list("aaabbbccc"), "P1": [3, 3, 4, 4, 5, 5, 2, 2, 3]})
    >>> icc1(d, dv="P1", cluster="branch").round(4).to_dict("records")
    [{'scale': 'P1', 'n': 9, 'k': 3, 'n0': 3.0, 'icc': 0.7907}]
    """
    cols = [dv] if isinstance(dv, str) else list(dv)
    require_columns(data, [*cols, cluster, *([by] if by else [])], what="支部聚类数据")
    top = data[by].astype("string") if by else pd.Series("", index=data.index, dtype="string")
    cl = data[cluster].astype("string")
    rows = []
    for c in cols:
        d = pd.DataFrame({"y": pd.to_numeric(data[c], errors="coerce"), "top": top,
                          "cl": cl}).dropna()
        d["cl"] = d["top"] + "\x1f" + d["cl"]
        n_all = len(d)
        size = d.groupby("cl")["y"].size()
        k, n_top = len(size), d["top"].nunique()
        row = {level: c, "n": n_all, "k": k, "n0": np.nan, "icc": np.nan}
        if k - n_top < 1 or n_all - k < 1:
            rows.append(row)
            continue
        mean_cl = d.groupby("cl")["y"].transform("mean")
        mean_top = d.groupby("top")["y"].transform("mean")
        msb = float(((mean_cl - mean_top) ** 2).sum()) / (k - n_top)
        msw = float(((d["y"] - mean_cl) ** 2).sum()) / (n_all - k)
        n_top_size = d.groupby("top")["y"].size()
        top_of = d.groupby("cl")["top"].first()
        sq = (size**2 / top_of.map(n_top_size)).sum()
        n0 = (n_all - sq) / (k - n_top)
        den = msb + (n0 - 1) * msw
        row.update(n0=float(n0), icc=float((msb - msw) / den) if den > 0 else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def design_effect(icc: float, m: float) -> float:
    """Design effect of cluster sampling ``1 + (m − 1) ICC`` (Kish 1965), ICC below 0 as 0.

    Examples
    --------
    >>> design_effect(0.05, 21), design_effect(-0.01, 21)
    (2.0, 1.0)
    """
    return float(1 + (m - 1) * max(float(icc), 0.0)) if np.isfinite(icc) else 1.0


def _n_with_clusters(n_srs: float, icc: float, clusters: int | None) -> float:
    """Smallest n with ``n / deff(n) >= n_srs``, ``deff(n) = 1 + (n/K − 1) ICC``, K fixed.

    With K branches the mean branch sample grows with n, so the design effect does too:
    ``n = n_srs (1 − ρ) / (1 − n_srs ρ / K)``; no n is enough when ``n_srs ρ >= K``.
    """
    rho = max(float(icc), 0.0) if np.isfinite(icc) else 0.0
    if not clusters or rho == 0:
        return n_srs
    den = 1 - n_srs * rho / clusters
    return n_srs * (1 - rho) / den if den > 0 else np.inf


def _pooled_sd(y: np.ndarray, labels: np.ndarray) -> float:
    ok = ~np.isnan(y)
    d = pd.DataFrame({"y": y[ok], "g": labels[ok]})
    agg = d.groupby("g")["y"].agg(["size", "var"]).dropna()
    agg = agg[agg["size"] > 1]
    return float(np.sqrt(((agg["size"] - 1) * agg["var"]).sum() / (agg["size"] - 1).sum()))


def _setup(data, cols, group, reference, cluster, clusters, level):
    """Per variable: pooled within-group SD, ICC(1), reference n; and the cluster count K."""
    require_columns(data, [*cols, group, *([cluster] if cluster else [])], what="规划数据")
    labels = data[group].astype("string").fillna("").to_numpy(dtype=object)
    if reference not in set(labels):
        raise SurveyError(f"数据中没有参照组“{reference}”", column=group,
                          expected=f"{group} 列中有“{reference}”")
    home = labels == reference
    if cluster and clusters is None:
        clusters = int(data.loc[home, cluster].dropna().nunique())
    iccs = (icc1(data, dv=cols, cluster=cluster, by=group, level=level).set_index(level)["icc"]
            if cluster else pd.Series(np.nan, index=cols))
    info = {}
    for c in cols:
        y = pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float)
        info[c] = (_pooled_sd(y, labels), float(iccs.get(c, np.nan)),
                   int((home & ~np.isnan(y)).sum()))
    return info, clusters


def plan_sample_size(
    data: pd.DataFrame,
    *,
    dv: str | Sequence[str],
    group: str = "college",
    reference: str = "本院",
    effect: float | None = DEFAULT_EFFECT,
    diff: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    family: int | None = None,
    ratio: float = 1.0,
    cluster: str | None = None,
    clusters: int | None = None,
    fixed_clusters: bool = False,
    level: str = "scale",
) -> pd.DataFrame:
    """Respondents per college needed to detect a gap, per dimension.

    Parameters
    ----------
    data
        This wave's answers: one row per respondent with ``dv``, ``group`` (and ``cluster``).
    dv
        The dimensions (scale scores).
    group, reference
        Grouping column and the home group.
    effect
        Smallest gap worth detecting, as Hedges' g (default 0.3).
    diff
        Or as raw points on the scale (then ``effect = diff / SD`` per dimension, with the
        observed pooled within-college SD).
    power, alpha
        Target power and familywise significance level.
    family
        Number of tests Holm corrects over (default: the number of dimensions).
    ratio
        Respondents of the comparison college per home respondent (1: colleges of equal size).
    cluster, clusters
        Branch column for the ICC and the design effect, and the number of branches of the
        home college (default: the branches its respondents name).
    fixed_clusters
        Let the mean branch sample grow with n (see Notes); default: this wave's.
    level
        Name of the variable column of the result.

    Returns
    -------
    pandas.DataFrame
        ``level``, ``group``, ``effect``, ``diff``, ``sd``, ``alpha_test``, ``power``,
        ``n_srs``, ``icc``, ``clusters``, ``deff``, ``n_needed``, ``n_now``, ``power_now``,
        ``note``.

    Notes
    -----
    * **Test.** Two-sided two-sample t test at ``alpha_test = alpha / m``: Holm's first,
      most stringent step, so the plan holds whichever dimension turns out to have the
      smallest p-value (conservative for the others). ``n_srs`` is
      ``TTestIndPower().solve_power(effect, alpha=alpha_test, power=power, ratio=ratio)``
      (noncentral t; R ``pwr::pwr.t2n.test``), rounded up.
    * **Clustering.** Answers within a branch are alike (ICC(1) :func:`icc1`, branches nested
      in colleges). The design effect is ``deff = 1 + (m̄ − 1) ICC`` (Kish 1965) with ``m̄``
      this wave's mean respondents per home branch (``n_now / K``), and
      ``n_needed = ceil(n_srs · deff)``. With ``fixed_clusters`` the branches stay the same
      ``K`` and ``m̄ = n / K`` grows with n: ``n_needed`` is then the smallest n with
      ``n / deff(n) >= n_srs``, i.e. ``n_srs (1 − ICC) / (1 − n_srs ICC / K)``, and none
      exists when ``n_srs ICC >= K`` (``note`` says so). Treating branches as clusters at
      all is conservative when every branch is surveyed (then they act as strata), and an
      ICC from about ten branches is imprecise: read the design effect as a safety margin.
    * ``power_now``: power of the current home sample (effective size ``n / deff``) against
      a comparison college of ``ratio`` times its size, for the same effect.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"college": np.repeat(["本院", "对标A"], 150),
    ...                   "P1": rng.normal(3.5, 0.7, 300)})
    >>> t = plan_sample_size(d, dv="P1", effect=0.3)
    >>> t[["alpha_test", "n_srs", "n_needed", "n_now"]].to_dict("records")
    [{'alpha_test': 0.05, 'n_srs': 176, 'n_needed': 176, 'n_now': 150}]
    """
    cols = [dv] if isinstance(dv, str) else list(dv)
    if effect is None and diff is None:
        raise ValueError("give effect (Hedges' g) or diff (raw points)")
    m = family or len(cols)
    a = alpha / m
    info, k = _setup(data, cols, group, reference, cluster, clusters, level)
    solver = TTestIndPower()
    rows = []
    for c in cols:
        sd, icc, n_now = info[c]
        g = cast(float, effect) if diff is None else diff / sd  # effect given: checked above
        note = ""
        n_srs = float(solver.solve_power(effect_size=abs(g), alpha=a, power=power, ratio=ratio))
        deff_now = design_effect(icc, n_now / k) if cluster and k else 1.0
        if fixed_clusters:
            n_need = _n_with_clusters(math.ceil(n_srs), icc, k if cluster else None)
        else:
            n_need = math.ceil(n_srs) * deff_now
        if not np.isfinite(n_need):
            note = "支部间差异较大：本院现有党支部数下，仅增加回收量无法达到目标功效"
        need = math.ceil(n_need - 1e-9) if np.isfinite(n_need) else np.nan
        deff = deff_now
        if fixed_clusters:
            deff = design_effect(icc, need / k) if cluster and np.isfinite(need) and k else 1.0
        p_now = float(solver.power(effect_size=abs(g), nobs1=n_now / deff_now, alpha=a,
                                   ratio=ratio)) if n_now >= 2 else np.nan
        rows.append({level: c, "group": reference, "effect": float(g),
                     "diff": float(g * sd), "sd": sd, "alpha_test": a, "power": power,
                     "n_srs": math.ceil(n_srs), "icc": icc, "clusters": k if cluster else np.nan,
                     "deff": deff, "n_needed": need, "n_now": n_now, "power_now": p_now,
                     "note": note})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# the change of the gap


def _did_power(effect: float, n: float, fixed: float, ratio: float, deff: float, alpha: float,
               df: float) -> float:
    """Power of the DiD t test: ``Var / σ² = fixed + deff (1/n + 1/(ratio n))``."""
    v = fixed + deff * (1 / n + 1 / (ratio * n))
    return float(ttest_power(effect / np.sqrt(v), nobs=1, alpha=alpha, df=df))


def plan_gap_change(
    data: pd.DataFrame,
    *,
    dv: str | Sequence[str],
    group: str = "college",
    reference: str = "本院",
    effect: float = DEFAULT_EFFECT,
    power: float = 0.8,
    alpha: float = 0.05,
    family: int | None = None,
    ratio: float = 1.0,
    cluster: str | None = None,
    clusters: int | None = None,
    fixed_clusters: bool = False,
    level: str = "scale",
) -> pd.DataFrame:
    """Respondents per college the next wave needs to detect a change of the gap.

    Parameters
    ----------
    data
        The wave already collected (one row per respondent): its sizes, SDs and ICC are the
        first wave of the difference-in-differences.
    effect
        Change of the gap (home − benchmark) worth detecting, in SD units (Hedges' g).
    dv, group, reference, power, alpha, family, ratio, cluster, clusters, fixed_clusters, level
        As in :func:`plan_sample_size`; ``ratio`` applies to the next wave.

    Returns
    -------
    pandas.DataFrame
        ``level``, ``group``, ``effect``, ``diff``, ``sd``, ``alpha_test``, ``power``,
        ``icc``, ``clusters``, ``deff``, ``n_ref1`` (home, this wave), ``n1`` (benchmark,
        this wave), ``n_needed`` (home respondents next wave; the benchmark ``ratio`` times
        that), ``note``.

    Notes
    -----
    The DiD of :func:`survey.stats.waves.gap_change` has
    ``Var = σ² (deff_1 (1/n_H1 + 1/n_B1) + deff_2 (1/n_H2 + 1/n_B2))`` (four independent
    samples). With the first wave fixed, the power of the two-sided t test at
    ``alpha / m`` is ``ttest_power(Δ / sqrt(Var/σ²), nobs=1, df=Σn − 4)`` (statsmodels: the
    noncentral t with noncentrality ``Δ σ / SD(DiD)``); ``n_needed`` is the smallest
    ``n_H2`` reaching the target, found by root finding. When even an unlimited next wave
    cannot reach it (the first wave alone is too imprecise) ``n_needed`` is missing and
    ``note`` says so. The benchmark of this wave is all non-reference groups pooled.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"college": np.repeat(["本院", "对标A", "对标B"], 150),
    ...                   "P2": rng.normal(3.4, 0.7, 450)})
    >>> plan_gap_change(d, dv="P2", effect=0.4)[["n_ref1", "n1", "n_needed"]].to_dict("records")
    [{'n_ref1': 150, 'n1': 300, 'n_needed': 194}]
    """
    cols = [dv] if isinstance(dv, str) else list(dv)
    m = family or len(cols)
    a = alpha / m
    info, k = _setup(data, cols, group, reference, cluster, clusters, level)
    labels = data[group].astype("string").fillna("").to_numpy(dtype=object)
    rows = []
    for c in cols:
        sd, icc, n_h1 = info[c]
        y = pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float)
        n_b1 = int(((labels != reference) & (labels != "") & ~np.isnan(y)).sum())
        deff1 = design_effect(icc, n_h1 / k) if cluster and k else 1.0
        fixed = deff1 * (1 / n_h1 + 1 / n_b1)
        row = {level: c, "group": reference, "effect": effect, "diff": effect * sd, "sd": sd,
               "alpha_test": a, "power": power, "icc": icc,
               "clusters": k if cluster else np.nan, "n_ref1": n_h1, "n1": n_b1,
               "n_needed": np.nan, "deff": np.nan, "note": ""}

        def gap(n: float, fixed: float = fixed, n_h1: int = n_h1, n_b1: int = n_b1,
                deff1: float = deff1, icc: float = icc) -> float:
            deff2 = (design_effect(icc, n / k) if fixed_clusters else deff1) if cluster and k else 1.0
            df = n_h1 + n_b1 + n * (1 + ratio) - 4
            return _did_power(effect, n, fixed, ratio, deff2, a, df) - power

        hi = 2.0
        while gap(hi) < 0 and hi < 1e6:
            hi *= 2
        if gap(hi) < 0:
            row["note"] = "本轮样本太小：下一轮回收再多也无法达到目标功效"
        else:
            n = math.ceil(optimize.brentq(gap, 2.0, hi, xtol=1e-6) - 1e-9)
            deff2 = design_effect(icc, n / k) if fixed_clusters else deff1
            row.update(n_needed=n, deff=deff2 if cluster and k else 1.0)
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# invitations and the sentence


def invitations(
    n_needed: int, roster: pd.DataFrame, respondents: pd.DataFrame, *, group: str = "本院",
    strata: str | None = "member_type",
) -> pd.DataFrame:
    """Members to invite per member type so that about ``n_needed`` respond.

    Parameters
    ----------
    n_needed
        Respondents wanted from the home college.
    roster
        Roster summary (:func:`survey.instruments.roster.read_roster`).
    respondents
        This year's respondents (one row each) with ``college`` (and ``strata``).
    group
        The home college.
    strata
        Member-type column; ``None``: the college as a whole.

    Returns
    -------
    pandas.DataFrame
        ``stratum`` (``合计`` when ``strata`` is None), ``members``, ``n``,
        ``response_rate``, ``share`` (this year's sample share), ``n_needed`` (respondents
        expected from the type), ``invitations``, ``note``.

    Notes
    -----
    Assumes next year's respondents arrive as this year's did: type h brings the share
    ``s_h`` of the respondents at the response rate ``rr_h`` (:func:`survey.stats.roster.response_rates`),
    so ``invitations_h = ceil(n_needed s_h / rr_h)``. Since ``s_h / rr_h = members_h / n``
    the invitations total ``n_needed / rr`` with rr the college's overall response rate
    (up to rounding up per type): inviting the same fraction of every type.
    ``note`` flags a type whose invitations exceed its members.

    Examples
    --------
    >>> roster = pd.DataFrame({"college": ["本院"] * 2, "branch": ["", ""],
    ...                        "member_type": ["在职教职工党员", "学生党员"], "members": [200, 100]})
    >>> resp = pd.DataFrame({"college": ["本院"] * 60,
    ...                      "member_type": ["在职教职工党员"] * 50 + ["学生党员"] * 10})
    >>> invitations(90, roster, resp)[["stratum", "n_needed", "invitations"]].to_dict("records")
    [{'stratum': '在职教职工党员', 'n_needed': 75.0, 'invitations': 300}, {'stratum': '学生党员', 'n_needed': 15.0, 'invitations': 150}]
    """
    import warnings

    from survey.errors import SurveyWarning
    from survey.stats.roster import response_rates

    by = ["college", strata] if strata else ["college"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        rr = response_rates(roster, respondents, by=by)
    rr = rr[rr["college"].astype(str) == group].copy()
    if rr.empty or not (rr["members"] > 0).any():
        raise SurveyError(f"党员名册中没有“{group}”的人数，无法换算需邀请人数", column="college",
                          expected=f"名册汇总中有“{group}”的各类党员人数")
    rr["stratum"] = rr[strata].astype(str) if strata else "合计"
    rr = rr[rr["members"] > 0]
    total = rr["n"].sum()
    rr["share"] = rr["n"] / total
    rr["n_needed"] = n_needed * rr["share"]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.ceil(rr["n_needed"] / rr["response_rate"] - 1e-9)
    rr["invitations"] = inv.where(rr["n"] > 0, 0).astype(int)
    rr["note"] = np.where(rr["invitations"] > rr["members"], "需邀请人数超过名册人数", "")
    rr["note"] = rr["note"].where(rr["n"] > 0, "今年该类无人作答，无法估计应答率")
    return rr[["stratum", "members", "n", "response_rate", "share", "n_needed", "invitations",
               "note"]].reset_index(drop=True)


def plan_sentence(
    n_needed: int, invited: int, rate: float, members: int, *, reference: str = "本院",
    who: str = "党员",
) -> str:
    """The plan in one sentence for the committee.

    Parameters
    ----------
    n_needed
        Respondents needed (the largest need over the dimensions).
    invited
        Members to invite (total of :func:`invitations`).
    rate
        This year's overall response rate of the home college.
    members
        Members on the home college's roster.
    reference, who
        How the college and its members are called.

    Examples
    --------
    >>> plan_sentence(120, 500, 0.242, 620)
    '下一轮调查，本院至少需要回收约 120 份有效问卷（按今年 24% 的应答率，约需邀请 500 名党员）。'
    >>> plan_sentence(700, 2893, 0.242, 620)
    '下一轮调查，本院至少需要回收约 700 份有效问卷（按今年 24% 的应答率，约需邀请 2893 名党员）。这超过了本院党员总数（620 名）：即使人人作答也达不到目标功效，需要放宽要发现的最小差距，或减少同时检验的维度。'
    >>> plan_sentence(261, 1079, 0.242, 620)
    '下一轮调查，本院至少需要回收约 261 份有效问卷（按今年 24% 的应答率，约需邀请 1079 名党员）。这超过了本院党员总数（620 名）：即使全部邀请，按今年的应答率也只能回收约 150 份，需要把应答率提高到 43% 以上。'
    """
    text = (f"下一轮调查，{reference}至少需要回收约 {n_needed} 份有效问卷"
            f"（按今年 {rate:.0%} 的应答率，约需邀请 {invited} 名{who}）。")
    if n_needed > members:
        return text + (f"这超过了{reference}{who}总数（{members} 名）：即使人人作答也达不到目标功效，"
                       "需要放宽要发现的最小差距，或减少同时检验的维度。")
    if invited > members:
        text += (f"这超过了{reference}{who}总数（{members} 名）：即使全部邀请，按今年的应答率也只能"
                 f"回收约 {math.floor(members * rate)} 份，需要把应答率提高到 "
                 f"{math.ceil(100 * n_needed / members)}% 以上。")
    return text


# --------------------------------------------------------------------------------------------
# a study
