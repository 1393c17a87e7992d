"""Contingency tables of the symposium: chi-square, Monte-Carlo p, Cramér's V, residuals.

Plain functions on an r × c table of counts (:func:`contingency_test`,
:func:`monte_carlo_p`, :func:`adjusted_residuals`) and the symposium question built on them,
"does the mix of themes differ by stakeholder group?" (:func:`theme_group_tests`).

Examples
--------
Agresti (2007), Table 2.5 (gender × party identification, GSS): X² = 30.07 on 2 df.

>>> import numpy as np
>>> gss = np.array([[762, 327, 468], [484, 239, 477]])
>>> res = contingency_test(gss, n_boot=200).iloc[0]
>>> round(float(res["statistic"]), 2), int(res["df"]), res["method"]
(30.07, 2, 'chi2')
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from scipy import stats

from survey.instruments.symposium import ThemeCodebook
from survey.stats.themes import ALL_GROUPS, Coder, presence

__all__ = [
    "adjusted_residuals",
    "contingency_test",
    "monte_carlo_p",
    "theme_group_table",
    "theme_group_tests",
]

# --------------------------------------------------------------------------------------
# Contingency tests
# --------------------------------------------------------------------------------------


def _chi2_stat(tables: np.ndarray) -> np.ndarray:
    """Pearson X² for a stack of tables (..., r, c), vectorised for the bootstrap."""
    n = tables.sum(axis=(-2, -1), keepdims=True)
    expected = tables.sum(axis=-1, keepdims=True) * tables.sum(axis=-2, keepdims=True) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (tables - expected) ** 2 / expected, 0.0)
    return terms.sum(axis=(-2, -1))


def monte_carlo_p(table: np.ndarray, *, n_resamples: int = 9999, seed: int = 20260903) -> float:
    """Monte-Carlo p-value of Pearson's X² with both margins fixed.

    Tables are drawn with :func:`scipy.stats.random_table` (Patefield's algorithm, the one
    behind R's ``r2dtable``) and X² is computed for all of them at once; p = (1 + #{X²* ≥
    X²}) / (B + 1), exactly as R's ``chisq.test(simulate.p.value = TRUE, B)``. Written here
    because :func:`scipy.stats.chi2_contingency` with a ``PermutationMethod`` permutes single
    observations and is about 100× slower.

    Examples
    --------
    Fisher's tea-tasting table; the exact two-sided p is 34/70 = 0.486.

    >>> p = monte_carlo_p(np.array([[3, 1], [1, 3]]), n_resamples=9999, seed=1)
    >>> abs(p - 34 / 70) < 0.02
    True
    """
    obs = np.asarray(table, dtype=float)
    observed = _chi2_stat(obs)
    sampler = stats.random_table(obs.sum(axis=1).astype(int), obs.sum(axis=0).astype(int), seed=seed)
    sims = _chi2_stat(sampler.rvs(size=n_resamples).astype(float))
    # R compares against STATISTIC * (1 - 64 * eps) to absorb rounding
    hits = np.sum(sims >= observed * (1 - 64 * np.finfo(float).eps))
    return float((1 + hits) / (n_resamples + 1))


def contingency_test(
    table: pd.DataFrame | np.ndarray,
    *,
    seed: int = 20260903,
    n_resamples: int = 9999,
    n_boot: int = 2000,
    confidence: float = 0.95,
    small_share: float = 0.2,
) -> pd.DataFrame:
    """Chi-square test of independence with Cramér's V and a bootstrap CI.

    Parameters
    ----------
    table
        An r × c table of counts (rows and columns with zero total are dropped).
    seed
        Seed for the Monte-Carlo p-value and the bootstrap.
    n_resamples
        Monte-Carlo resamples (tables with the observed margins).
    n_boot
        Bootstrap resamples for the Cramér's V interval.
    confidence
        Confidence level of the interval.
    small_share
        When more than this share of expected counts is below 5 (Cochran's rule), the
        p-value is the Monte-Carlo permutation p instead of the asymptotic one.

    Returns
    -------
    pandas.DataFrame
        One row: ``n, df, statistic, p, method`` (``chi2`` or ``monte_carlo``),
        ``min_expected, share_expected_lt5, effect`` (Cramér's V), ``ci_low, ci_high``.

    Notes
    -----
    X² = Σ (O − E)² / E with E = row total × column total / n (no continuity correction).
    Cramér's V = sqrt(X² / (n · (min(r, c) − 1))). The Monte-Carlo p is
    :func:`monte_carlo_p` (tables with both margins fixed, as R's
    ``chisq.test(simulate.p.value = TRUE)``).
    The V interval is a percentile bootstrap: tables are redrawn from the multinomial with the
    observed cell proportions (vectorised; written here because no listed library offers a CI
    for V).

    References
    ----------
    Agresti, A. (2007). *An Introduction to Categorical Data Analysis*, 2nd ed., §2.4.

    Examples
    --------
    R: ``chisq.test(M, correct = FALSE)``; ``chisq.test(M, simulate.p.value = TRUE, B = 9999)``;
    ``rcompanion::cramerV(M, ci = TRUE)``.

    >>> res = contingency_test(np.array([[762, 327, 468], [484, 239, 477]]), n_boot=200).iloc[0]
    >>> round(float(res["effect"]), 3), bool(res["ci_low"] < res["effect"] < res["ci_high"])
    (0.104, True)
    """
    obs = np.asarray(table, dtype=float)
    obs = obs[obs.sum(axis=1) > 0][:, obs.sum(axis=0) > 0]
    n = obs.sum()
    r, c = obs.shape if obs.ndim == 2 else (0, 0)
    nan_row = {"n": int(n), "df": np.nan, "statistic": np.nan, "p": np.nan, "method": "不适用",
               "min_expected": np.nan, "share_expected_lt5": np.nan, "effect": np.nan,
               "ci_low": np.nan, "ci_high": np.nan}
    if r < 2 or c < 2:
        return pd.DataFrame([nan_row])
    res = stats.chi2_contingency(obs, correction=False)
    expected = res.expected_freq
    share_small = float((expected < 5).mean())
    method, p = "chi2", float(res.pvalue)
    if share_small > small_share:
        method, p = "monte_carlo", monte_carlo_p(obs, n_resamples=n_resamples, seed=seed)
    k = min(r, c) - 1
    v = float(np.sqrt(res.statistic / (n * k)))
    rng = np.random.default_rng(seed + 1)
    boot = rng.multinomial(int(n), (obs / n).ravel(), size=n_boot).reshape(n_boot, r, c).astype(float)
    # drop resamples where a row or column vanished (V undefined there)
    ok = (boot.sum(axis=2) > 0).all(axis=1) & (boot.sum(axis=1) > 0).all(axis=1)
    vb = np.sqrt(_chi2_stat(boot[ok]) / (n * k))
    alpha = 1 - confidence
    lo, hi = np.quantile(vb, [alpha / 2, 1 - alpha / 2]) if ok.any() else (np.nan, np.nan)
    return pd.DataFrame([{
        "n": int(n), "df": int(res.dof), "statistic": float(res.statistic), "p": p, "method": method,
        "min_expected": float(expected.min()), "share_expected_lt5": share_small,
        "effect": v, "ci_low": float(lo), "ci_high": float(hi),
    }])


def adjusted_residuals(table: pd.DataFrame) -> pd.DataFrame:
    """Adjusted standardised residuals of a two-way table, in long form.

    Returns
    -------
    pandas.DataFrame
        ``row, column, observed, expected, residual`` where
        residual = (O − E) / sqrt(E (1 − row share)(1 − column share)); |residual| > 2 marks
        a cell that departs from independence.

    Notes
    -----
    Wraps :attr:`statsmodels.stats.contingency_tables.Table.standardized_resids`.
    R: ``chisq.test(M)$stdres``.

    Examples
    --------
    Agresti (2007), Table 2.10: 4.50 for female Democrats.

    >>> gss = pd.DataFrame([[762, 327, 468], [484, 239, 477]], index=["F", "M"],
    ...                    columns=["Democrat", "Independent", "Republican"])
    >>> round(float(adjusted_residuals(gss)["residual"].iloc[0]), 2)
    4.5
    """
    from statsmodels.stats.contingency_tables import Table

    t = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    tab = Table(t.to_numpy(dtype=float, copy=True), shift_zeros=False)
    res = pd.DataFrame(tab.standardized_resids, index=t.index, columns=t.columns)
    exp = pd.DataFrame(tab.fittedvalues, index=t.index, columns=t.columns)
    # one column level, so stack() gives a Series (the stubs allow a DataFrame too)
    long = cast("pd.Series", t.stack()).rename("observed").to_frame()
    long["expected"] = exp.stack()
    long["residual"] = res.stack()
    long.index.names = ["row", "column"]
    return long.reset_index()


def theme_group_table(statements: pd.DataFrame, themes: ThemeCodebook, *, coder: Coder = "a",
                      by: str = "group") -> pd.DataFrame:
    """Group × theme table of statement counts (a statement counts once per theme it raises).

    Examples
    --------
    >>> from survey.instruments.symposium import themes_from_frame
    >>> themes = themes_from_frame(pd.DataFrame({"code": ["T01", "T02"], "label": ["学习", "组织"]}))
    >>> st = pd.DataFrame({"statement_id": ["S1", "S2", "S3"], "group": ["书记", "书记", "学生"],
    ...                    "codes_a": [("T01",), ("T01", "T02"), ("T02",)]})
    >>> theme_group_table(st, themes).to_numpy().tolist()
    [[2, 1], [0, 1]]
    """
    p = presence(statements, themes.codes, coder=coder).astype(int)
    p.index = statements.index
    return p.groupby(statements[by].to_numpy()).sum().rename_axis(by)


def theme_group_tests(statements: pd.DataFrame, themes: ThemeCodebook, *, coder: Coder = "a",
                      by: str = "group", seed: int = 20260903, n_resamples: int = 9999,
                      n_boot: int = 2000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Does the mix of themes differ by stakeholder group?

    Returns
    -------
    (tests, residuals)
        ``tests``: one row per theme (``scope = 主题``; 2 × groups table of statements
        raising / not raising the theme, Holm-adjusted ``p_adj`` across themes) and one
        overall row (``scope = 总体``, code ``全部``; the groups × themes table of mentions).
        ``residuals``: adjusted standardised residuals of the overall table
        (``group, code, observed, expected, residual``).

    Notes
    -----
    The overall table counts mentions, and one statement may mention several themes, so its
    cells are not independent observations; its p-value is indicative. The per-theme tests
    use each statement once and are the ones to report. Themes never coded get NaN.
    """
    from statsmodels.stats.multitest import multipletests

    p = presence(statements, themes.codes, coder=coder)
    p.index = statements.index
    groups = statements[by].to_numpy()
    rows = []
    for i, code in enumerate(themes.codes):
        yes = p[code].groupby(groups).sum()
        tot = p[code].groupby(groups).size()
        tab = np.vstack([yes.to_numpy(), (tot - yes).to_numpy()])
        t = contingency_test(tab, seed=seed + i, n_resamples=n_resamples, n_boot=n_boot)
        rows.append(t.assign(scope="主题", code=code))
    tests = pd.concat(rows, ignore_index=True)
    ok = tests["p"].notna()
    tests["p_adj"] = np.nan
    if ok.any():
        tests.loc[ok, "p_adj"] = multipletests(tests.loc[ok, "p"], method="holm")[1]
    overall_tab = theme_group_table(statements, themes, coder=coder, by=by)
    overall = contingency_test(overall_tab.to_numpy(), seed=seed, n_resamples=n_resamples, n_boot=n_boot)
    overall = overall.assign(scope="总体", code=ALL_GROUPS, p_adj=overall["p"])
    tests = pd.concat([overall, tests], ignore_index=True)
    labels = dict(zip(themes.table["code"], themes.table["label"], strict=True))
    tests["label"] = tests["code"].map(labels).fillna("全部主题")
    cols = ["scope", "code", "label", "n", "df", "statistic", "p", "p_adj", "method",
            "min_expected", "share_expected_lt5", "effect", "ci_low", "ci_high"]
    resid = adjusted_residuals(overall_tab).rename(columns={"row": by, "column": "code"})
    return tests[cols], resid


