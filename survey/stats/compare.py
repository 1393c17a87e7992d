"""Gaps between the home college and the benchmark colleges, per scale and per item.

The main entry points are :func:`gap_table` (raw answers, optionally plus benchmark colleges
that sent only summary statistics), :func:`gap_by_scale` / :func:`gap_by_item` (the same from
the codebook), :func:`compare_summaries` (summary statistics only) and :func:`kruskal_dunn`
(all colleges at once). Column names follow :data:`survey.stats.common.COLUMNS`; ``diff`` is
always home minus benchmark.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
import scikit_posthocs as sp
from numpy.typing import ArrayLike
from scipy import optimize, stats

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.stats.common import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    POOLED,
    adjust_p,
    bootstrap_mean,
    check_summary,
    percentile_ci,
    require_columns,
    rng_for,
    t_interval,
    welch_df,
)
from survey.stats.scoring import keyed_items, score_scales

# --------------------------------------------------------------------------------------------
# two-sample building blocks


def welch_from_summary(
    mean1: float, sd1: float, n1: float, mean2: float, sd2: float, n2: float, *, ci: float = 0.95
) -> dict[str, float]:
    """Welch's unequal-variance t test from summary statistics.

    Returns
    -------
    dict
        ``diff`` (mean1 − mean2), ``se``, ``statistic`` (t), ``df`` (Welch–Satterthwaite),
        ``p`` (two-sided), ``ci_low``, ``ci_high`` (Welch t interval of ``diff``).

    Notes
    -----
    ``t = (m1 - m2) / sqrt(s1²/n1 + s2²/n2)`` with
    ``df = (s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1-1) + (s2²/n2)²/(n2-1))`` (Welch 1947).
    Same as :func:`scipy.stats.ttest_ind_from_stats` with ``equal_var=False``; R:
    ``t.test(x, y)`` (Welch is R's default).

    Examples
    --------
    >>> w = welch_from_summary(3.2, 0.8, 60, 3.5, 0.6, 300)
    >>> round(w["statistic"], 3), round(w["df"], 2), round(w["p"], 4)
    (-2.754, 72.84, 0.0074)
    """
    v1, v2 = sd1**2, sd2**2
    se = float(np.sqrt(v1 / n1 + v2 / n2))
    diff = float(mean1 - mean2)
    df = float(welch_df(v1, n1, v2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se if se > 0 else np.nan
    p = float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) else np.nan
    lo, hi = t_interval(diff, se, df, ci)
    return {"diff": diff, "se": se, "statistic": float(t), "df": df, "p": p,
            "ci_low": float(lo), "ci_high": float(hi)}


def _nct_ncp_bounds(t: float, df: float, ci: float) -> tuple[float, float]:
    """Noncentrality parameters whose t distributions put ``t`` at the CI's tail quantiles."""
    tails = (0.5 + ci / 2, 0.5 - ci / 2)
    out = []
    for q in tails:
        def f(ncp: float, q: float = q) -> float:
            return float(stats.nct.cdf(t, df, ncp)) - q

        step = max(1.0, abs(t))
        lo, hi = t - step, t + step
        while f(lo) < 0:
            lo -= step
        while f(hi) > 0:
            hi += step
        out.append(optimize.brentq(f, lo, hi, xtol=1e-10))
    return out[0], out[1]


def hedges_g(
    mean1: float, sd1: float, n1: float, mean2: float, sd2: float, n2: float, *,
    ci: float = 0.95, method: str = "bonett",
) -> tuple[float, float, float]:
    """Hedges' g (bias-corrected standardised mean difference) with a CI.

    Parameters
    ----------
    mean1, sd1, n1, mean2, sd2, n2
        Summary statistics of the two groups (group 1 minus group 2).
    ci
        Confidence level.
    method
        ``"bonett"`` (default): Bonett's (2008) interval, valid when the two population
        variances differ. ``"noncentral"``: the noncentral-t interval, exact only when they
        are equal.

    Returns
    -------
    (g, ci_low, ci_high)

    Notes
    -----
    ``d = (m1 - m2) / s_p`` with the pooled SD ``s_p² = ((n1-1)s1² + (n2-1)s2²)/(n1+n2-2)``;
    ``g = J d`` with ``J = 1 - 3 / (4(n1+n2) - 9)`` (Hedges & Olkin 1985, eq. 5.10).

    **What the interval covers.** The population quantity is
    ``δ = (μ1 - μ2) / σ_w`` with ``σ_w² = ((n1-1)σ1² + (n2-1)σ2²)/(n1+n2-2)``, the
    expected value of ``s_p²``: the mean difference in units of the SD of the two groups
    weighted by their sizes (Bonett's "weighted standardizer", recommended for
    nonexperimental comparisons of existing groups). ``σ1 ≠ σ2`` is allowed; with equal
    variances ``δ`` is the usual ``(μ1 - μ2)/σ``.

    * ``"bonett"``: ``d ± z SE`` with
      ``SE² = d² (1/(n1-1) + 1/(n2-1)) / 8 + (s1²/n1 + s2²/n2) / s_p²`` (Bonett 2008; R
      ``statpsych::ci.stdmean2``, row "Weighted standardizer", whose "adj Estimate" is
      ``g``). Its second term is the unequal-variance variance of the mean difference, so
      the interval keeps 95 % coverage with unequal sizes and spreads, where the
      noncentral-t interval does not (about 85 % for n 60 / SD 0.95 vs n 300 / SD 0.57; see
      ``tests/stats/test_stats_effect_sizes.py``).
    * ``"noncentral"``: inverts the noncentral t distribution of ``t = d / sqrt(1/n1 +
      1/n2)`` (Steiger & Fouladi 1997): the bounds for δ are the noncentrality parameters λ
      with ``P(T_{df,λ} <= t) = 0.975`` and ``0.025``, times ``sqrt(1/n1 + 1/n2)``, then
      times J. R: ``effsize::cohen.d(x, y, hedges.correction = TRUE, noncentral = TRUE)``.

    References
    ----------
    Bonett, D. G. (2008). Confidence intervals for standardized linear contrasts of means.
    *Psychological Methods*, 13(2), 99-109.

    Examples
    --------
    >>> g, lo, hi = hedges_g(35.1, 7.32, 30, 26.7, 6.98, 30)
    >>> round(g, 4), round(lo, 4), round(hi, 4)
    (1.1592, 0.6251, 1.7238)
    """
    df = n1 + n2 - 2
    sp_ = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df) if df > 0 else np.nan
    if not np.isfinite(sp_) or sp_ <= 0:
        return (np.nan, np.nan, np.nan)
    d = (mean1 - mean2) / sp_
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    if method == "bonett":
        z = stats.norm.ppf(0.5 + ci / 2)
        se = np.sqrt(d**2 * (1 / (n1 - 1) + 1 / (n2 - 1)) / 8
                     + (sd1**2 / n1 + sd2**2 / n2) / sp_**2)
        return float(j * d), float(d - z * se), float(d + z * se)
    if method != "noncentral":
        raise ValueError(f"unknown method {method!r}; use 'bonett' or 'noncentral'")
    scale = np.sqrt(1 / n1 + 1 / n2)
    lo, hi = _nct_ncp_bounds(d / scale, df, ci)
    return float(j * d), float(j * lo * scale), float(j * hi * scale)


def prob_superiority(
    x: np.ndarray, y: np.ndarray, *, ci: float = 0.95
) -> tuple[float, float, float]:
    """Probability of superiority ``P(X > Y) + P(X = Y)/2`` with a CI (raw answers).

    Parameters
    ----------
    x, y
        The two samples (missing values dropped); x is the reference (home) group.
    ci
        Confidence level.

    Returns
    -------
    (ps, ci_low, ci_high)

    Notes
    -----
    The common-language effect size for ordinal answers (McGraw & Wong 1992; Vargha &
    Delaney 2000, "A"): the chance that a randomly drawn member of x answers higher than a
    randomly drawn member of y, ties counted half. ``PS = U / (n1 n2) = (δ + 1) / 2`` with U
    the Mann-Whitney U of x (:func:`scipy.stats.mannwhitneyu`) and δ Cliff's delta; the CI
    is Cliff's (1996) interval of δ (:func:`cliff_delta`) mapped by ``(δ + 1)/2``. R:
    ``effsize::VD.A(x, y)`` for the estimate.

    Examples
    --------
    >>> prob_superiority(np.array([1., 2, 3, 4]), np.array([2., 3, 4, 5]))[0]  # (3 + 3/2) / 16
    0.28125
    """
    d, lo, hi = cliff_delta(x, y, ci=ci)
    return (d + 1) / 2, (lo + 1) / 2, (hi + 1) / 2


def ps_from_g(g: float, ci_low: float = np.nan, ci_high: float = np.nan) -> tuple[float, ...]:
    """McGraw & Wong's (1992) normal-theory common-language effect size ``Φ(g / √2)``.

    Parameters
    ----------
    g, ci_low, ci_high
        Hedges' g and its CI bounds (from summary statistics).

    Returns
    -------
    (ps, ps_ci_low, ps_ci_high)

    Notes
    -----
    For two normal populations with a common SD, ``P(X > Y) = Φ(δ / √2)``; the bounds map
    g's bounds through the same increasing function. Used where only n, mean and SD are
    known (summary-only colleges), with ``ps_method = "normal"``; it ignores ties and
    unequal spreads, so it is an approximation of the rank-based value.

    Examples
    --------
    >>> [round(v, 4) for v in ps_from_g(0.0, -0.5, 0.5)]
    [0.5, 0.3618, 0.6382]
    """
    return tuple(float(stats.norm.cdf(v / np.sqrt(2))) for v in (g, ci_low, ci_high))


def ps_sentence(
    ps: float, ci_low: float, ci_high: float, *, reference: str, group: str,
    who: str = "党员", ci: float = 0.95,
) -> str:
    """The probability of superiority in words, for readers who are not statisticians.

    Parameters
    ----------
    ps, ci_low, ci_high
        ``ps`` and its CI bounds (columns ``ps``, ``ps_ci_low``, ``ps_ci_high``).
    reference, group
        How the two groups are named in the sentence (e.g. the home college and the
        benchmark, or 女 / 男 when the grouping is gender).
    who
        What a member of either group is (default 党员).
    ci
        The confidence level of the bounds.

    Returns
    -------
    str
        e.g. ``随机抽取本院和对标院校党员各一名，本院党员打分更高的可能性约为 41%（95% CI 36%–46%，
        打分相同按一半计）。``; percentages are rounded once, from the full values.

    Examples
    --------
    >>> ps_sentence(0.4129, 0.3571, 0.4702, reference="女", group="男", who="受访者")
    '随机抽取女和男受访者各一名，女受访者打分更高的可能性约为 41%（95% CI 36%–47%，打分相同按一半计）。'
    """
    if not np.isfinite(ps):
        return ""
    level = f"{ci * 100:.0f}%"
    text = f"随机抽取{reference}和{group}{who}各一名，{reference}{who}打分更高的可能性约为 {ps:.0%}"
    if np.isfinite(ci_low) and np.isfinite(ci_high):
        text += f"（{level} CI {ci_low:.0%}–{ci_high:.0%}，打分相同按一半计）"
    else:
        text += "（打分相同按一半计）"
    return text + "。"


def cliff_delta(
    x: np.ndarray, y: np.ndarray, *, ci: float = 0.95
) -> tuple[float, float, float]:
    """Cliff's delta ``P(X > Y) - P(X < Y)`` with Cliff's (1996) asymmetric CI.

    Parameters
    ----------
    x, y
        The two samples (missing values dropped).
    ci
        Confidence level.

    Returns
    -------
    (delta, ci_low, ci_high)

    Notes
    -----
    With dominance ``d_ij = sign(x_i - y_j)``, ``delta = mean(d_ij)``. Variance: Cliff's
    (1996) unbiased estimate
    ``S² = (n2² Σ(d_i. - δ)² + n1² Σ(d_.j - δ)² - ΣΣ(d_ij - δ)²) / (n1 n2 (n1-1)(n2-1))``
    from the row means, column means and cells of the dominance matrix (falling back to the
    consistent estimate when it is not positive), and the asymmetric CI
    ``(δ - δ³ ∓ q S sqrt((1-δ²)² + q² S²)) / (1 - δ² + q² S²)`` with q the Student-t
    quantile on ``n1 + n2 - 2`` df (Feng & Cliff 2004). R: ``effsize::cliff.delta(x, y)``
    (defaults ``use.unbiased = TRUE``, ``use.normal = FALSE``).
    Hand-written because neither pingouin, scipy nor scikit-posthocs computes Cliff's delta
    with a confidence interval. The dominance counts use sorted search, so memory is
    O(n1 + n2), not O(n1 n2).

    Examples
    --------
    >>> [round(v, 4) for v in cliff_delta(np.array([1., 2, 3, 4]), np.array([2., 3, 4, 5]))]
    [-0.4375, -0.8916, 0.4554]
    """
    x = np.sort(np.asarray(x, dtype=float)[~np.isnan(np.asarray(x, dtype=float))])
    y = np.sort(np.asarray(y, dtype=float)[~np.isnan(np.asarray(y, dtype=float))])
    n1, n2 = len(x), len(y)
    if n1 < 2 or n2 < 2:
        return (np.nan, np.nan, np.nan)
    # for each x_i: how many y are smaller / larger
    below = np.searchsorted(y, x, side="left")
    above = n2 - np.searchsorted(y, x, side="right")
    di = (below - above) / n2
    delta = float(di.mean())
    # for each y_j: how many x are larger / smaller
    xa = n1 - np.searchsorted(x, y, side="right")
    xb = np.searchsorted(x, y, side="left")
    dj = (xa - xb) / n1
    d_ = delta * (n1 * n2 - 1) / (n1 * n2) if abs(delta) == 1 else delta
    equal = n2 - below - above
    ssr = float(np.sum(below * (1 - d_) ** 2 + above * (1 + d_) ** 2 + equal * d_**2))
    ss_i = np.sum((di - d_) ** 2)
    ss_j = np.sum((dj - d_) ** 2)
    # unbiased estimate (Cliff 1996, eq. 9; effsize's default use.unbiased = TRUE)
    var = (n2**2 * ss_i + n1**2 * ss_j - ssr) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    if not var > 0:
        # the unbiased estimate can be <= 0 in degenerate samples: use the consistent one
        var = ((n2 - 1) * ss_i / (n1 - 1) + (n1 - 1) * ss_j / (n2 - 1)
               + ssr / ((n1 - 1) * (n2 - 1))) / (n1 * n2)
    z = stats.t.ppf(0.5 + ci / 2, n1 + n2 - 2)
    root = z * np.sqrt(var) * np.sqrt((1 - d_**2) ** 2 + z**2 * var)
    den = 1 - d_**2 + z**2 * var
    lo, hi = (d_ - d_**3 - root) / den, (d_ - d_**3 + root) / den
    if delta == 1:
        hi = 1.0
    if delta == -1:
        lo = -1.0
    return delta, float(lo), float(hi)


def pool_summaries(n: ArrayLike, mean: ArrayLike, sd: ArrayLike) -> tuple[float, float, float]:
    """Exact n, mean and SD of the union of groups given only their summaries.

    Notes
    -----
    ``N = Σ n_c``, ``M = Σ n_c m_c / N`` and
    ``SD² = (Σ (n_c - 1) s_c² + Σ n_c (m_c - M)²) / (N - 1)``: the sample SD of all the
    answers together (within-group plus between-group sum of squares), exactly what the raw
    data would give.

    Examples
    --------
    >>> n, m, sd = pool_summaries([10, 20], [3.0, 4.0], [1.0, 1.0])
    >>> n, round(m, 4), round(sd, 4)
    (30.0, 3.6667, 1.0933)
    """
    n_ = np.asarray(n, dtype=float)
    m_ = np.asarray(mean, dtype=float)
    s_ = np.asarray(sd, dtype=float)
    total = n_.sum()
    m = float((n_ * m_).sum() / total)
    ss = ((n_ - 1) * s_**2).sum() + (n_ * (m_ - m) ** 2).sum()
    return float(total), m, float(np.sqrt(ss / (total - 1)))


# --------------------------------------------------------------------------------------------
# summaries


def summarize(
    data: pd.DataFrame, *, columns: Sequence[str], by: str = "college", level: str = "scale"
) -> pd.DataFrame:
    """Summary statistics (n, mean, SD) per column and group: the format of :func:`compare_summaries`.

    Returns
    -------
    pandas.DataFrame
        Columns ``level`` (the variable), ``group``, ``n``, ``mean``, ``sd``.

    Examples
    --------
    >>> from survey.stats._examples import responses
    >>> summarize(responses(), columns=["A1"]).round(3).to_dict("records")[-1]
    {'scale': 'A1', 'group': '本院', 'n': 40, 'mean': 3.0, 'sd': 0.934}
    """
    require_columns(data, [*columns, by], what="比较数据")
    rows = []
    for g, sub in data.groupby(by, sort=True, observed=True):
        for c in columns:
            v = pd.to_numeric(sub[c], errors="coerce").dropna().to_numpy(dtype=float)
            rows.append({level: c, "group": str(g), "n": len(v),
                         "mean": v.mean() if len(v) else np.nan,
                         "sd": v.std(ddof=1) if len(v) > 1 else np.nan})
    return pd.DataFrame(rows)


def _validated_summaries(summaries: pd.DataFrame, level: str) -> pd.DataFrame:
    require_columns(summaries, [level, "group", "n", "mean", "sd"], what="汇总统计表")
    s = summaries.copy()
    for c in ("n", "mean", "sd"):
        s[c] = pd.to_numeric(s[c], errors="coerce")
    for i in range(len(s)):
        r = s.iloc[i]
        check_summary(
            r["n"], r["mean"], r["sd"], where=f"{r['group']} · {r[level]}",
            file=str(r["_file"]) if "_file" in s.columns else None,
            row=int(r["_row"]) if "_row" in s.columns and pd.notna(r["_row"]) else None,
        )
    return s


def compare_summaries(
    summaries: pd.DataFrame,
    *,
    reference: str = "本院",
    level: str = "scale",
    ci: float = 0.95,
    p_adjust: str | None = None,
    pooled: bool = True,
) -> pd.DataFrame:
    """Home vs each benchmark (and the pooled benchmark) from summary statistics only.

    Parameters
    ----------
    summaries
        Columns ``level`` (e.g. ``scale``), ``group``, ``n``, ``mean``, ``sd``; optional
        ``_file`` and ``_row`` name the source in error messages. Must contain the
        ``reference`` group.
    reference
        The home college.
    level
        The name of the variable column (``"scale"`` or ``"item"``).
    ci
        Confidence level.
    p_adjust
        Adjustment across the variables of each comparison; default Holm for scales and
        Benjamini–Hochberg otherwise.
    pooled
        Add the comparison with all benchmarks pooled (exact pooled mean and SD).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`gap_table`; ``ci_method`` is ``"welch"`` and the rank-based
        columns are missing (they need raw answers).

    Raises
    ------
    SurveyError
        For ``n < 2``, a negative SD or a missing reference group.

    Notes
    -----
    Welch's t (:func:`welch_from_summary`) and Hedges' g with a noncentral-t CI
    (:func:`hedges_g`). R: ``tsum.test`` (BSDA) and ``effsize::cohen.d`` on summaries.

    Examples
    --------
    >>> summ = pd.DataFrame({"scale": ["P1"] * 3, "group": ["本院", "对标A", "对标B"],
    ...                      "n": [60, 300, 120], "mean": [3.2, 3.5, 3.4], "sd": [0.8, 0.6, 0.7]})
    >>> t = compare_summaries(summ)
    >>> t[["group", "diff", "ci_method", "ps_method"]].round(3).to_dict("records")[0]
    {'group': '对标A', 'diff': -0.3, 'ci_method': 'welch', 'ps_method': 'normal'}
    """
    s = _validated_summaries(summaries, level)
    if reference not in set(s["group"].astype(str)):
        raise SurveyError(
            f"汇总统计表中没有参照组“{reference}”",
            column="group",
            expected=f"包含 group = {reference} 的行",
        )
    rows = []
    for key, sub in s.groupby(level, sort=False):
        home = sub[sub["group"].astype(str) == reference].iloc[0]
        bench = sub[sub["group"].astype(str) != reference]
        targets = [(str(r["group"]), r["n"], r["mean"], r["sd"]) for _, r in bench.iterrows()]
        if pooled and len(bench) > 1:
            targets.append((POOLED, *pool_summaries(bench["n"], bench["mean"], bench["sd"])))
        for g, n, m, sd in targets:
            rows.append(_summary_row(key, level, reference, home["n"], home["mean"], home["sd"],
                                     g, n, m, sd, ci))
    out = pd.DataFrame(rows)
    return _add_adjusted(out, level, p_adjust)


def _summary_row(key: Hashable, level: str, reference: str, n1: float, m1: float, s1: float,
                 group: str, n2: float, m2: float, s2: float, ci: float) -> dict[str, object]:
    w = welch_from_summary(m1, s1, n1, m2, s2, n2, ci=ci)
    g, glo, ghi = hedges_g(m1, s1, n1, m2, s2, n2, ci=ci)
    return {
        level: key, "group": group, "reference": reference,
        "n_ref": int(n1), "mean_ref": float(m1), "sd_ref": float(s1),
        "n": int(n2), "mean": float(m2), "sd": float(s2),
        "diff": w["diff"], "se": w["se"], "ci_low": w["ci_low"], "ci_high": w["ci_high"],
        "ci_method": "welch", "test": "welch_t", "statistic": w["statistic"], "df": w["df"],
        "p": w["p"], "u": np.nan, "p_u": np.nan,
        "effect": g, "effect_name": "hedges_g", "effect_ci_low": glo, "effect_ci_high": ghi,
        "delta": np.nan, "delta_ci_low": np.nan, "delta_ci_high": np.nan,
        **dict(zip(("ps", "ps_ci_low", "ps_ci_high"), ps_from_g(g, glo, ghi), strict=True)),
        "ps_method": "normal", "note": "",
    }


def _add_adjusted(out: pd.DataFrame, level: str, p_adjust: str | None) -> pd.DataFrame:
    method = p_adjust or ("holm" if level == "scale" else "fdr_bh")
    out = out.copy()
    out["p_adj"] = np.nan
    out["p_u_adj"] = np.nan
    for _, idx in out.groupby("group", sort=False).groups.items():
        out.loc[idx, "p_adj"] = adjust_p(out.loc[idx, "p"], method)
        out.loc[idx, "p_u_adj"] = adjust_p(out.loc[idx, "p_u"], method)
    out["p_adj_method"] = f"{method}/{level}s"
    return out


# --------------------------------------------------------------------------------------------
# raw data (plus optional summary-only colleges)


def gap_table(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    by: str = "college",
    reference: str = "本院",
    level: str = "scale",
    summaries: pd.DataFrame | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
    p_adjust: str | None = None,
) -> pd.DataFrame:
    """Gap of the home college versus each benchmark college and the pooled benchmark.

    Parameters
    ----------
    data
        One row per respondent; ``columns`` hold the values to compare (scale scores or
        keyed item codes), ``by`` the college.
    columns
        The variables to compare; each becomes one row per comparison.
    by, reference
        The grouping column and the home group (``study.questionnaire.compare``).
    level
        Name of the variable column in the result: ``"scale"`` or ``"item"``.
    summaries
        Benchmark colleges that sent only summary statistics: columns ``level``, ``group``,
        ``n``, ``mean``, ``sd`` (see :func:`compare_summaries`). They get their own rows and
        are folded into the pooled benchmark exactly (:func:`pool_summaries`).
    n_boot, seed, ci
        Bootstrap resamples, seed and confidence level.
    p_adjust
        Multiple-testing method across ``columns`` within each comparison; default ``"holm"``
        for scales, ``"fdr_bh"`` for items.

    Returns
    -------
    pandas.DataFrame
        One row per variable × comparison with ``level``, ``group``, ``reference``,
        ``n_ref``, ``mean_ref``, ``sd_ref``, ``n``, ``mean``, ``sd``, ``diff`` (home − group),
        ``se``, ``ci_low``, ``ci_high``, ``ci_method``, ``test``, ``statistic``, ``df``, ``p``,
        ``u``, ``p_u``, ``effect`` (Hedges' g), ``effect_name``, ``effect_ci_low``,
        ``effect_ci_high``, ``delta`` (Cliff's delta), ``delta_ci_low``, ``delta_ci_high``,
        ``ps`` (probability of superiority), ``ps_ci_low``, ``ps_ci_high``, ``ps_method``,
        ``note``, ``p_adj``, ``p_u_adj``, ``p_adj_method``. The pooled benchmark has
        ``group`` = :data:`~survey.stats.common.POOLED`.

    Notes
    -----
    * ``diff`` CI: percentile bootstrap (Efron & Tibshirani 1993) with ``n_boot`` resamples of
      the answers within each college (:func:`bootstrap_gap_ci`). The pooled benchmark is
      resampled within each college (stratified), so each college keeps its sample size. A
      summary-only college contributes a normal draw ``N(mean, sd²/n)`` per resample
      (parametric bootstrap); its own comparison uses the Welch interval. The random stream
      of each group and variable is derived from ``seed``, the variable id and the group
      label (:func:`~survey.stats.common.rng_for`), so a comparison has the same interval
      whichever table or call computes it.
    * Welch's t: :func:`scipy.stats.ttest_ind` (``equal_var=False``); R ``t.test(x, y)``.
    * Mann–Whitney U: :func:`scipy.stats.mannwhitneyu` (two-sided, tie-corrected normal
      approximation when ties); R ``wilcox.test(x, y, exact = FALSE, correct = TRUE)``.
    * Hedges' g: :func:`hedges_g` (Bonett's interval, valid with unequal variances); Cliff's
      delta: :func:`cliff_delta`; probability of superiority ``ps`` =
      ``U / (n_ref n)`` = ``(δ + 1)/2`` (:func:`prob_superiority`, ``ps_method = "rank"``);
      for summary-only comparisons ``Φ(g/√2)`` (:func:`ps_from_g`, ``ps_method =
      "normal"``). :func:`ps_sentence` puts ``ps`` into words.
    * Rank statistics need raw answers: for the pooled benchmark with summary-only colleges
      they use the colleges with raw data only (said in ``note``).

    Examples
    --------
    >>> d = pd.DataFrame({"P1": [3, 4, 4, 5, 2, 4, 2, 3, 3, 4],
    ...                   "college": ["本院"] * 6 + ["对标A"] * 4})
    >>> t = gap_table(d, columns=["P1"], n_boot=500)
    >>> t[["scale", "group", "n_ref", "n", "diff", "ps"]].round(3).to_dict("records")
    [{'scale': 'P1', 'group': '对标A', 'n_ref': 6, 'n': 4, 'diff': 0.667, 'ps': 0.708}]
    """
    columns = list(columns)
    require_columns(data, [*columns, by], what="比较数据")
    groups = data[by].astype("string")
    if reference not in set(groups.dropna()):
        raise SurveyError(
            f"数据中没有参照组“{reference}”",
            column=by,
            expected=f"{by} 列中有取值为“{reference}”的回答",
            hint="检查 study.yaml 中 questionnaire.compare.reference 的写法",
        )
    values = data[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    raw_groups = sorted(g for g in groups.dropna().unique() if g != reference)
    summ = None
    if summaries is not None and len(summaries):
        summ = _validated_summaries(summaries, level)
        summ = summ[summ[level].isin(columns)]
        clash = set(summ["group"].astype(str)) & (set(raw_groups) | {reference})
        if clash:
            raise SurveyError(
                f"院校 {'、'.join(sorted(clash))} 同时有原始答卷和汇总统计，无法确定使用哪一份",
                column="group",
                expected="每所对标院校只提供一种数据：原始答卷或汇总统计",
            )
    summ_by_group = (
        {str(g): sub.set_index(level) for g, sub in summ.groupby(summ["group"].astype(str))}
        if summ is not None else {}
    )
    summ_groups = sorted(summ_by_group)

    boot = _BootCache(n_boot, seed)
    masks = {g: (groups == g).fillna(False).to_numpy() for g in [reference, *raw_groups]}
    home = values[masks[reference]]

    rows: list[dict[str, object]] = []
    for g in raw_groups:
        other = values[masks[g]]
        for j, c in enumerate(columns):
            lo_hi = bootstrap_gap_ci(home[:, j], {g: other[:, j]}, key=c, reference=reference,
                                     ci=ci, _cache=boot)
            rows.append(_raw_row(c, level, reference, g, home[:, j], other[:, j], lo_hi, ci))
    for g in summ_groups:
        sub = summ_by_group[g]
        for j, c in enumerate(columns):
            if c not in sub.index:
                continue
            h = home[:, j][~np.isnan(home[:, j])]
            n2, m2, s2 = (float(v) for v in sub.loc[c, ["n", "mean", "sd"]].to_numpy(dtype=float))
            rows.append(_summary_row(c, level, reference, len(h), h.mean(), h.std(ddof=1),
                                     g, n2, m2, s2, ci))
    if len(raw_groups) + len(summ_groups) > 1:
        rows.extend(_pooled_rows(values, masks, boot, raw_groups, summ, columns, level,
                                 reference, home, ci))
    out = pd.DataFrame(rows)
    return _add_adjusted(out, level, p_adjust)


class _BootCache:
    """Bootstrap means of one call, each drawn from :func:`rng_for` of (variable, group)."""

    def __init__(self, n_boot: int, seed: int) -> None:
        self.n_boot, self.seed = n_boot, seed
        self._means: dict[tuple[str, str], np.ndarray] = {}

    def raw(self, key: object, label: object, values: np.ndarray) -> np.ndarray:
        k = (str(key), str(label))
        if k not in self._means:
            self._means[k] = bootstrap_mean(values, n_boot=self.n_boot,
                                            rng=rng_for(self.seed, "mean", key, label))
        return self._means[k]

    def summary(self, key: object, label: object, n: float, mean: float, sd: float) -> np.ndarray:
        rng = rng_for(self.seed, "summary", key, label)
        return rng.normal(mean, sd / np.sqrt(n), size=self.n_boot)


def bootstrap_gap_ci(
    home: np.ndarray,
    parts: Mapping[str, np.ndarray],
    *,
    key: str,
    reference: str,
    summaries: Sequence[tuple[str, float, float, float]] = (),
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
    _cache: _BootCache | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap CI of ``mean(home) − mean(pooled parts)`` for one variable.

    Parameters
    ----------
    home
        The reference group's answers (NaN dropped).
    parts
        ``{group label: answers}`` of the comparison: one college, or several pooled.
    key
        The variable id (scale or item); with the labels it fixes the random streams.
    reference
        Label of the home group.
    summaries
        Colleges known only by ``(label, n, mean, sd)``, folded into the pool.
    n_boot, seed, ci
        Resamples, seed and confidence level.

    Returns
    -------
    (ci_low, ci_high)

    Notes
    -----
    Each group is resampled on its own (stratified bootstrap, Efron & Tibshirani 1993) with
    :func:`~survey.stats.common.bootstrap_mean` and weighted by its number of answers, exactly
    as the pooled point estimate weights it; a summary-only college contributes a normal draw
    ``N(mean, sd²/n)`` per resample (parametric bootstrap). Every group's draws come from
    ``rng_for(seed, ..., key, label)``, so the interval depends only on the seed, the
    variable id, the labels and the answers — not on the order of the rows, on the other
    variables or groups in the call, or on which function computes it: the same comparison
    gets the same interval in every table.

    Examples
    --------
    >>> home = np.array([3., 4, 4, 5, 2, 4])
    >>> a = bootstrap_gap_ci(home, {"对标A": np.array([2., 3, 3, 4])}, key="P1", reference="本院",
    ...                      n_boot=2000)
    >>> a == bootstrap_gap_ci(home[::-1], {"对标A": np.array([4., 3, 3, 2])}, key="P1",
    ...                       reference="本院", n_boot=2000)
    True
    """
    boot = _cache if _cache is not None else _BootCache(n_boot, seed)
    home_b = boot.raw(key, reference, np.asarray(home, dtype=float))
    sums = np.zeros(boot.n_boot)
    count = 0.0
    for label, v in parts.items():
        v = np.asarray(v, dtype=float)
        v = v[~np.isnan(v)]
        if len(v):
            sums += len(v) * boot.raw(key, label, v)
            count += len(v)
    for label, n, m, sd in summaries:
        sums += n * boot.summary(key, label, n, m, sd)
        count += n
    if count == 0:
        return (np.nan, np.nan)
    lo, hi = percentile_ci(home_b - sums / count, ci)
    return float(lo), float(hi)


def _raw_row(key: str, level: str, reference: str, group: str, x: np.ndarray, y: np.ndarray,
             lo_hi: tuple[float, float], ci: float) -> dict[str, object]:
    x = x[~np.isnan(x)]
    y = y[~np.isnan(y)]
    row = {level: key, "group": group, "reference": reference, "n_ref": len(x),
           "mean_ref": x.mean() if len(x) else np.nan,
           "sd_ref": x.std(ddof=1) if len(x) > 1 else np.nan,
           "n": len(y), "mean": y.mean() if len(y) else np.nan,
           "sd": y.std(ddof=1) if len(y) > 1 else np.nan, "note": ""}
    row.update(_two_sample_tests(x, y, ci))
    if len(x) >= 2 and len(y) >= 2:
        row["ci_low"], row["ci_high"] = lo_hi
        row["ci_method"] = "bootstrap"
    else:
        row["note"] = "样本量不足 2，无法比较"
    return row


def _two_sample_tests(x: np.ndarray, y: np.ndarray, ci: float) -> dict[str, object]:
    out = {"diff": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
           "ci_method": "", "test": "welch_t", "statistic": np.nan, "df": np.nan, "p": np.nan,
           "u": np.nan, "p_u": np.nan, "effect": np.nan, "effect_name": "hedges_g",
           "effect_ci_low": np.nan, "effect_ci_high": np.nan,
           "delta": np.nan, "delta_ci_low": np.nan, "delta_ci_high": np.nan,
           "ps": np.nan, "ps_ci_low": np.nan, "ps_ci_high": np.nan, "ps_method": "rank"}
    if len(x) < 2 or len(y) < 2:
        return out
    v1, v2 = x.var(ddof=1), y.var(ddof=1)
    out["diff"] = float(x.mean() - y.mean())
    out["se"] = float(np.sqrt(v1 / len(x) + v2 / len(y)))
    if v1 + v2 > 0:
        t = stats.ttest_ind(x, y, equal_var=False)
        out.update(statistic=float(t.statistic), df=float(t.df), p=float(t.pvalue))
    mw = stats.mannwhitneyu(x, y, alternative="two-sided")
    out.update(u=float(mw.statistic), p_u=float(mw.pvalue))
    g = hedges_g(x.mean(), np.sqrt(v1), len(x), y.mean(), np.sqrt(v2), len(y), ci=ci)
    out.update(effect=g[0], effect_ci_low=g[1], effect_ci_high=g[2])
    d = cliff_delta(x, y, ci=ci)
    out.update(delta=d[0], delta_ci_low=d[1], delta_ci_high=d[2],
               ps=(d[0] + 1) / 2, ps_ci_low=(d[1] + 1) / 2, ps_ci_high=(d[2] + 1) / 2)
    return out


def _pooled_rows(values: np.ndarray, masks: Mapping[str, np.ndarray], boot: _BootCache,
                 raw_groups: Sequence[str], summ: pd.DataFrame | None, columns: Sequence[str],
                 level: str, reference: str, home: np.ndarray,
                 ci: float) -> list[dict[str, object]]:
    raw_mask = np.zeros(len(values), dtype=bool)
    for g in raw_groups:
        raw_mask |= masks[g]
    rows = []
    for j, c in enumerate(columns):
        y = values[raw_mask, j]
        y = y[~np.isnan(y)]
        x = home[:, j][~np.isnan(home[:, j])]
        ns, ms, sds = [len(y)] if len(y) else [], [y.mean()] if len(y) else [], (
            [y.std(ddof=1)] if len(y) > 1 else [])
        extra: list[tuple[str, float, float, float]] = []
        note = ""
        if summ is not None:
            sub = summ[summ[level] == c]
            for _, r in sub.iterrows():
                ns.append(r["n"])
                ms.append(r["mean"])
                sds.append(r["sd"])
                extra.append((str(r["group"]), r["n"], r["mean"], r["sd"]))
            if len(sub):
                note = "合并对标含仅有汇总统计的院校：秩检验、Cliff's δ 与概率优势只基于有原始答卷的院校"
        if len(ns) != len(sds):  # a raw part with a single answer has no SD
            continue
        n2, m2, s2 = pool_summaries(ns, ms, sds)
        row = _summary_row(c, level, reference, len(x), x.mean(), x.std(ddof=1), POOLED,
                           n2, m2, s2, ci)
        # Welch t and g come from the exact pooled summaries (identical to the raw-data
        # values when every college sent raw answers); rank statistics need raw answers.
        if len(x) >= 2 and len(y) >= 2:
            rank = _two_sample_tests(x, y, ci)
            row.update({k: rank[k] for k in ("u", "p_u", "delta", "delta_ci_low",
                                              "delta_ci_high", "ps", "ps_ci_low",
                                              "ps_ci_high", "ps_method")})
        lo, hi = bootstrap_gap_ci(x, {g: values[masks[g], j] for g in raw_groups}, key=c,
                                  reference=reference, summaries=extra, ci=ci, _cache=boot)
        row.update(ci_low=lo, ci_high=hi, ci_method="bootstrap", note=note)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------
# codebook-level wrappers


def gap_by_scale(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    by: str = "college",
    reference: str = "本院",
    summaries: pd.DataFrame | None = None,
    min_answered: float = 0.5,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Scale scores (:func:`~survey.stats.scoring.score_scales`) compared with :func:`gap_table`.

    Holm-adjusted p across scales within each comparison. R equivalent per scale:
    ``t.test(score ~ college)``, ``effsize::cohen.d``, ``effsize::cliff.delta``,
    then ``p.adjust(p, "holm")``.

    Examples
    --------
    >>> from survey.stats._examples import codebook, responses
    >>> t = gap_by_scale(responses(), codebook(), n_boot=500)
    >>> t.loc[t["group"] == POOLED, ["scale", "diff", "ci_low", "ci_high", "ps"]].round(3).to_dict(
    ...     "records")
    [{'scale': 'S1', 'diff': -0.569, 'ci_low': -0.836, 'ci_high': -0.311, 'ps': 0.294}, {'scale': 'S2', 'diff': -0.062, 'ci_low': -0.362, 'ci_high': 0.231, 'ps': 0.469}]
    """
    scores = score_scales(data, codebook, min_answered=min_answered)
    scores[by] = data[by]
    table = gap_table(scores, columns=[s.id for s in codebook.scales], by=by,
                      reference=reference, level="scale", summaries=summaries,
                      n_boot=n_boot, seed=seed, ci=ci, p_adjust="holm")
    labels = {s.id: s.label for s in codebook.scales}
    table.insert(1, "label", table["scale"].map(labels))
    return table


def gap_by_item(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    items: Sequence[str] | None = None,
    by: str = "college",
    reference: str = "本院",
    summaries: pd.DataFrame | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Every scale item (reverse keyed, so higher is better) compared with :func:`gap_table`.

    Benjamini–Hochberg-adjusted p across items within each comparison. A ``scale`` column
    names the scale of each item and ``reversed`` whether it was reverse keyed.

    Examples
    --------
    >>> from survey.stats._examples import codebook, responses
    >>> t = gap_by_item(responses(), codebook(), items=["A1", "A3"], n_boot=500)
    >>> t.loc[t["group"] == POOLED, ["item", "scale", "reversed", "diff"]].round(3).to_dict("records")
    [{'item': 'A1', 'scale': 'S1', 'reversed': False, 'diff': -0.612}, {'item': 'A3', 'scale': 'S1', 'reversed': True, 'diff': -0.5}]
    """
    keyed, scale_of, reversed_ = {}, {}, {}
    for s in codebook.scales:
        k = keyed_items(data, codebook, s.id)
        for it in s.items:
            keyed[it] = k[it]
            scale_of[it] = s.id
            reversed_[it] = it in s.reverse
    frame = pd.DataFrame(keyed, index=data.index)
    if items is not None:
        frame = frame[list(items)]
    frame[by] = data[by]
    cols = [c for c in frame.columns if c != by]
    table = gap_table(frame, columns=cols, by=by, reference=reference, level="item",
                      summaries=summaries, n_boot=n_boot, seed=seed, ci=ci, p_adjust="fdr_bh")
    table.insert(1, "scale", table["item"].map(scale_of))
    table.insert(2, "reversed", table["item"].map(reversed_))
    return table


# --------------------------------------------------------------------------------------------
# all colleges at once


def kruskal_dunn(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    by: str = "college",
    level: str = "scale",
    p_adjust: str = "holm",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kruskal–Wallis across all groups, then Dunn's pairwise post-hoc test.

    Parameters
    ----------
    data
        One row per respondent with ``columns`` and the grouping column ``by``.
    columns
        Variables to test (scale scores or items).
    by
        Grouping column (all its groups are compared).
    level
        Name of the variable column in the results.
    p_adjust
        ``"holm"`` or ``"fdr_bh"``: for Kruskal–Wallis across ``columns``; for Dunn across
        the pairs of one variable.

    Returns
    -------
    kw : pandas.DataFrame
        ``level``, ``n``, ``k`` (groups), ``test``, ``statistic`` (H, tie-corrected), ``df``,
        ``p``, ``p_adj``, ``p_adj_method``.
    dunn : pandas.DataFrame
        ``level``, ``group``, ``group2``, ``mean_rank_diff`` (group − group2), ``statistic``
        (Dunn's z), ``p``, ``p_adj``, ``p_adj_method``.

    Notes
    -----
    H: :func:`scipy.stats.kruskal` (R ``kruskal.test``). Dunn (1964):
    ``z = (R̄_a - R̄_b) / sqrt((N(N+1)/12 - Σ(t³-t)/(12(N-1))) (1/n_a + 1/n_b))`` with the
    tie correction; p-values from :func:`scikit_posthocs.posthoc_dunn` (R
    ``FSA::dunnTest(x ~ g, method = "holm")``). The z and mean ranks are computed here because
    scikit-posthocs returns only p-values and the sign says which group ranks higher.

    Examples
    --------
    >>> from survey.stats._examples import scores
    >>> kw, dunn = kruskal_dunn(scores(), columns=["S1"])
    >>> kw[["scale", "k", "statistic", "p"]].round(4).to_dict("records")
    [{'scale': 'S1', 'k': 3, 'statistic': 14.3925, 'p': 0.0007}]
    >>> dunn[["group", "group2", "p_adj"]].round(4).to_dict("records")[2]
    {'group': '对标B', 'group2': '本院', 'p_adj': 0.0009}
    """
    require_columns(data, [*columns, by], what="比较数据")
    kw_rows, dunn_rows = [], []
    for c in columns:
        sub = pd.DataFrame({"v": pd.to_numeric(data[c], errors="coerce"),
                            "g": data[by].astype("string")}).dropna()
        sub["g"] = sub["g"].astype(str)
        groups = sorted(sub["g"].unique())
        samples = [sub.loc[sub["g"] == g, "v"].to_numpy(dtype=float) for g in groups]
        if len(groups) < 2 or sub["v"].nunique() < 2:
            kw_rows.append({level: c, "n": len(sub), "k": len(groups), "test": "kruskal",
                            "statistic": np.nan, "df": np.nan, "p": np.nan})
            continue
        h = stats.kruskal(*samples)
        kw_rows.append({level: c, "n": len(sub), "k": len(groups), "test": "kruskal",
                        "statistic": float(h.statistic), "df": len(groups) - 1,
                        "p": float(h.pvalue)})
        pmat = sp.posthoc_dunn(sub, val_col="v", group_col="g", p_adjust=None)
        ranks = sub["v"].rank().to_numpy()
        n_all = len(sub)
        _, tie = np.unique(sub["v"].to_numpy(), return_counts=True)
        var0 = n_all * (n_all + 1) / 12 - (tie**3 - tie).sum() / (12 * (n_all - 1))
        mr = {g: ranks[(sub["g"] == g).to_numpy()].mean() for g in groups}
        ng = {g: int((sub["g"] == g).sum()) for g in groups}
        pairs = []
        for a_i, a in enumerate(groups):
            for b in groups[a_i + 1:]:
                z = (mr[a] - mr[b]) / np.sqrt(var0 * (1 / ng[a] + 1 / ng[b]))
                pairs.append({level: c, "group": a, "group2": b,
                              "mean_rank_diff": mr[a] - mr[b], "statistic": float(z),
                              "p": float(pmat.loc[a, b])})
        padj = adjust_p([r["p"] for r in pairs], p_adjust)
        for r, pa in zip(pairs, padj, strict=True):
            r.update(p_adj=float(pa), p_adj_method=f"{p_adjust}/pairs")
        dunn_rows.extend(pairs)
    kw = pd.DataFrame(kw_rows)
    kw["p_adj"] = adjust_p(kw["p"], p_adjust)
    kw["p_adj_method"] = f"{p_adjust}/{level}s"
    return kw, pd.DataFrame(dunn_rows)
