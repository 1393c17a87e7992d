"""Reliability per scale: Cronbach's alpha (Feldt CI), McDonald's omega, item statistics."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats
from statsmodels.multivariate.factor import Factor

from survey.config.codebook import Codebook
from survey.stats.scoring import keyed_items

#: Alpha or omega below this is flagged.
THRESHOLD = 0.70


def omega_total(items: pd.DataFrame | np.ndarray) -> float:
    """McDonald's omega total of complete-case items from a one-factor ML model.

    Parameters
    ----------
    items
        Complete cases ``(n, k)``, already reverse keyed.

    Returns
    -------
    float
        ``(sum λ)^2 / ((sum λ)^2 + sum ψ)`` with standardised loadings λ and uniquenesses
        ``ψ = 1 - λ^2`` of a one-factor maximum-likelihood factor analysis of the correlation
        matrix; NaN when fewer than 3 items or the fit fails.

    Notes
    -----
    factor_analyzer (which psych-like code in Python usually uses) is not installed; the
    one-factor fit uses :class:`statsmodels.multivariate.factor.Factor` (``method="ml"``),
    a maintained library, so nothing is hand-fitted. Omega is computed from the model-implied
    variance, i.e. McDonald's (1999) omega for a congeneric one-factor model. For a single
    factor this matches ``psych::omega(x, nfactors = 1)$omega.tot`` up to the choice of fit
    (psych uses minres by default) and of denominator (psych divides by the observed total
    variance).

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.

    Examples
    --------
    >>> from survey.stats._examples import codebook, responses
    >>> from survey.stats.scoring import keyed_items
    >>> round(omega_total(keyed_items(responses(), codebook(), "S1").dropna()), 3)
    0.765
    """
    x = np.asarray(items, dtype=float)
    k = x.shape[1]
    if k < 3 or x.shape[0] < k + 2:
        # One factor with two indicators is not identified.
        return float("nan")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = Factor(x, n_factor=1, method="ml").fit()
    except (np.linalg.LinAlgError, ValueError):
        return float("nan")
    lam = np.abs(np.asarray(res.loadings, dtype=float).ravel())
    lam = np.clip(lam, 0, 1)
    psi = 1 - lam**2
    num = lam.sum() ** 2
    return float(num / (num + psi.sum()))


def feldt_ci(alpha: float, n: int, k: int, ci: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) confidence interval of Cronbach's alpha, at full precision.

    Parameters
    ----------
    alpha
        The sample alpha.
    n, k
        Number of respondents (complete cases) and of items.
    ci
        Confidence level.

    Returns
    -------
    (ci_low, ci_high)
        ``1 - (1 - α) F_{1-γ/2}(n-1, (n-1)(k-1))`` and ``1 - (1 - α) F_{γ/2}(...)`` with
        ``γ = 1 - ci``.

    Notes
    -----
    The formula of :func:`pingouin.cronbach_alpha`, which however returns the bounds rounded
    to 3 decimals; rounding them again for display (0.8551 -> 0.855 -> "0.86" or "0.85")
    is double rounding, so the bounds are computed here unrounded and rounded once, where
    they are shown. R: ``psych::alpha.ci(alpha, n.obs = n, n.var = k)``.

    Examples
    --------
    >>> [round(v, 6) for v in feldt_ci(0.8, 100, 5)]
    [0.730558, 0.855887]
    """
    if not (np.isfinite(alpha) and n >= 2 and k >= 2):
        return (float("nan"), float("nan"))
    df1, df2 = n - 1, (n - 1) * (k - 1)
    gamma = 1 - ci
    return (float(1 - (1 - alpha) * stats.f.isf(gamma / 2, df1, df2)),
            float(1 - (1 - alpha) * stats.f.isf(1 - gamma / 2, df1, df2)))


def cronbach_alpha(items: pd.DataFrame | np.ndarray, *, ci: float = 0.95) -> tuple[float, ...]:
    """Cronbach's alpha of the complete cases with its unrounded Feldt CI.

    Parameters
    ----------
    items
        ``(n, k)`` answers, reverse keyed; rows with a missing answer are dropped (listwise).
    ci
        Confidence level.

    Returns
    -------
    (alpha, ci_low, ci_high)
        NaN when fewer than 2 items or 2 complete cases.

    Notes
    -----
    Alpha from :func:`pingouin.cronbach_alpha` (``nan_policy="listwise"``; R
    ``psych::alpha(x, use = "complete.obs")$total$raw_alpha``); the interval from
    :func:`feldt_ci` on the number of complete cases.

    Examples
    --------
    >>> import pingouin as pg
    >>> a, lo, hi = cronbach_alpha(pg.read_dataset("cronbach_wide_missing"))
    >>> round(a, 6)
    0.801695
    """
    x = pd.DataFrame(np.asarray(items, dtype=float)).dropna()
    n, k = x.shape
    if k < 2 or n < 2:
        return (float("nan"),) * 3
    a = float(pg.cronbach_alpha(x, nan_policy="listwise")[0])
    return (a, *feldt_ci(a, n, k, ci))


def _alpha(x: np.ndarray) -> float:
    """Cronbach's alpha of complete cases via pingouin (listwise)."""
    if x.shape[1] < 2 or x.shape[0] < 2:
        return float("nan")
    return float(pg.cronbach_alpha(pd.DataFrame(x), nan_policy="listwise")[0])


def reliability(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    scales: Sequence[str] | None = None,
    ci: float = 0.95,
    threshold: float = THRESHOLD,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reliability of every scale and statistics of every item.

    Parameters
    ----------
    data
        The cleaned response frame (item columns by codebook id).
    codebook
        The codebook defining the scales (items, reverse keys, ranges).
    scales
        Scale ids; default all.
    ci
        Confidence level of the alpha interval.
    threshold
        Scales whose alpha or omega is below this are flagged (default 0.70).

    Returns
    -------
    scale_table : pandas.DataFrame
        One row per scale: ``scale``, ``label``, ``n_items``, ``n`` (complete cases),
        ``alpha``, ``alpha_ci_low``, ``alpha_ci_high``, ``omega``, ``flag``, ``note``.
    item_table : pandas.DataFrame
        One row per item: ``scale``, ``item``, ``reversed``, ``n``, ``mean``, ``sd`` (after
        reverse keying), ``r_drop``, ``alpha_if_deleted``.

    Notes
    -----
    Items are reverse keyed first, then complete cases are used throughout (listwise), so
    alpha, omega and the item statistics rest on the same respondents.

    * Alpha: ``k/(k-1) * (1 - sum(s_i^2) / s_X^2)``; CI by Feldt (1965):
      ``1 - (1 - alpha) * F_{1-γ/2}(n-1, (n-1)(k-1))`` and
      ``1 - (1 - alpha) * F_{γ/2}(...)`` (:func:`cronbach_alpha`, :func:`feldt_ci`: full
      precision, unlike :func:`pingouin.cronbach_alpha`, whose bounds are rounded to 3
      decimals).
      R: ``psych::alpha(items)$total$raw_alpha``; Feldt bounds from ``psych::alpha.ci``.
    * Omega total: see :func:`omega_total`. R: ``psych::omega(items, nfactors = 1)``.
    * ``r_drop``: Pearson correlation of an item with the sum of the *other* items of its
      scale (R: ``psych::alpha(items)$item.stats$r.drop``).
    * ``alpha_if_deleted``: alpha of the remaining items (R: ``$alpha.drop$raw_alpha``).

    Examples
    --------
    >>> from survey.stats._examples import codebook, responses
    >>> scales, items = reliability(responses(), codebook())
    >>> scales[["scale", "n", "alpha", "alpha_ci_low", "alpha_ci_high", "flag"]].round(3).to_dict(
    ...     "records")[0]
    {'scale': 'S1', 'n': 117, 'alpha': 0.76, 'alpha_ci_low': 0.674, 'alpha_ci_high': 0.827, 'flag': False}
    """
    ids = list(scales) if scales is not None else [s.id for s in codebook.scales]
    scale_rows, item_rows = [], []
    for sid in ids:
        scale = codebook.scale(sid)
        items = keyed_items(data, codebook, sid).dropna()
        x = items.to_numpy(dtype=float)
        n, k = x.shape
        a, lo, hi = cronbach_alpha(x, ci=ci)
        om = omega_total(x)
        notes = []
        if np.isfinite(a) and a < threshold:
            notes.append(f"α = {a:.2f}，低于 {threshold:.2f}")
        if np.isfinite(om) and om < threshold:
            notes.append(f"ω = {om:.2f}，低于 {threshold:.2f}")
        if k < 3:
            notes.append("题目少于 3 个，无法估计 ω")
        if n < 2:
            notes.append("完整作答人数不足")
        scale_rows.append(
            {
                "scale": sid,
                "label": scale.label,
                "n_items": k,
                "n": n,
                "alpha": a,
                "alpha_ci_low": lo,
                "alpha_ci_high": hi,
                "omega": om,
                "flag": bool(notes and (not np.isfinite(a) or a < threshold or om < threshold)),
                "note": "；".join(notes),
            }
        )
        total = x.sum(axis=1)
        for j, it in enumerate(items.columns):
            rest = total - x[:, j]
            with np.errstate(invalid="ignore", divide="ignore"):
                r = float(np.corrcoef(x[:, j], rest)[0, 1]) if n > 2 else float("nan")
            item_rows.append(
                {
                    "scale": sid,
                    "item": it,
                    "reversed": it in scale.reverse,
                    "n": n,
                    "mean": float(x[:, j].mean()) if n else float("nan"),
                    "sd": float(x[:, j].std(ddof=1)) if n > 1 else float("nan"),
                    "r_drop": r,
                    "alpha_if_deleted": _alpha(np.delete(x, j, axis=1)),
                }
            )
    return pd.DataFrame(scale_rows), pd.DataFrame(item_rows)
