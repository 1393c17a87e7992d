"""Reliability checked against outside numbers, hand formulas and a planted one-factor model.

Outside numbers: pingouin's datasets ``cronbach_alpha`` and ``cronbach_wide_missing`` with the
values pingouin records as checked against R's psych package (pingouin
``tests/test_reliability.py`` and the ``cronbach_alpha`` docstring).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from survey.stats.reliability import cronbach_alpha, feldt_ci, omega_total, reliability
from survey.stats.scoring import keyed_items


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_alpha_feldt_item_total_against_hand_formulas(study, codebook):
    scales, items = reliability(study, codebook)
    for sid in ("P1", "P2", "P3"):
        x = keyed_items(study, codebook, sid).dropna().to_numpy()
        n, k = x.shape
        a = _alpha(x)
        row = scales.set_index("scale").loc[sid]
        assert row["n"] == n
        assert row["alpha"] == pytest.approx(a, abs=1e-10)
        # Feldt (1965): 1 - (1 - a) F_{.975}(n-1, (n-1)(k-1)) and F_{.025}
        df1, df2 = n - 1, (n - 1) * (k - 1)
        lo = 1 - (1 - a) * stats.f.ppf(0.975, df1, df2)
        hi = 1 - (1 - a) * stats.f.ppf(0.025, df1, df2)
        # full precision (pingouin would round the bounds to 3 decimals)
        assert row["alpha_ci_low"] == pytest.approx(lo, rel=1e-12)
        assert row["alpha_ci_high"] == pytest.approx(hi, rel=1e-12)
        it = items[items["scale"] == sid].reset_index(drop=True)
        for j in range(k):
            rest = x.sum(axis=1) - x[:, j]
            assert it.loc[j, "r_drop"] == pytest.approx(np.corrcoef(x[:, j], rest)[0, 1])
            assert it.loc[j, "alpha_if_deleted"] == pytest.approx(
                _alpha(np.delete(x, j, axis=1)))
    assert not scales["flag"].any()


def test_omega_recovers_planted_congeneric_model():
    # Population omega of standardised loadings λ: (Σλ)² / ((Σλ)² + Σ(1-λ²)).
    rng = np.random.default_rng(7)
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    n = 20000
    f = rng.standard_normal(n)
    x = f[:, None] * lam + rng.standard_normal((n, 5)) * np.sqrt(1 - lam**2)
    truth = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    assert omega_total(x) == pytest.approx(truth, abs=0.01)
    # tau-equivalent items: omega equals (standardised) alpha in the population
    lam_eq = np.full(5, 0.6)
    x = f[:, None] * lam_eq + rng.standard_normal((n, 5)) * np.sqrt(1 - lam_eq**2)
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    assert omega_total(x) == pytest.approx(_alpha(xs), abs=0.005)


def test_weak_scale_is_flagged(codebook):
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.integers(1, 6, size=(200, 4)).astype(float),
                      columns=[f"P2_{i}" for i in range(1, 5)])
    scales, _ = reliability(df, codebook, scales=["P2"])
    assert scales.loc[0, "alpha"] < 0.7
    assert bool(scales.loc[0, "flag"])
    assert "低于 0.70" in scales.loc[0, "note"]


def test_alpha_and_feldt_ci_match_psych_via_pingouin_datasets():
    # pingouin tests/test_reliability.py ("Compare results with the R package psych"):
    #   df = read_dataset('cronbach_alpha'); cronbach_alpha(df, items='Items', scores='Scores',
    #   subject='Subj') -> alpha 0.592 (3 dp), ci [.195, .840]
    # R: psych::alpha(wide)$total$raw_alpha; Feldt bounds psych::alpha.ci(alpha, n.obs = 15,
    #    n.var = 10)
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    a, lo, hi = cronbach_alpha(wide)
    assert round(a, 3) == 0.592
    assert (round(lo, 3), round(hi, 3)) == (0.195, 0.840)
    # pingouin's own bounds are the same numbers rounded to 3 decimals; ours are unrounded
    pa, (plo, phi) = pg.cronbach_alpha(wide)
    assert a == pytest.approx(pa, rel=1e-12)
    assert (lo, hi) == (pytest.approx(plo, abs=5e-4), pytest.approx(phi, abs=5e-4))
    assert (lo, hi) != (plo, phi)
    # pingouin cronbach_alpha docstring:
    #   # In R: psych:alpha(data, use="complete.obs")
    #   pg.cronbach_alpha(data=data, nan_policy='listwise')  ->  0.801695
    # (R: psych::alpha(pingouin's cronbach_wide_missing, use = "complete.obs"))
    wm = pg.read_dataset("cronbach_wide_missing")
    a, lo, hi = cronbach_alpha(wm)
    assert a == pytest.approx(0.801695, abs=5e-7)
    # the Feldt bounds use the 9 complete cases (pingouin's listwise bounds use all 12 rows'
    # n); on the complete cases pingouin's rounded bounds agree
    complete = wm.dropna()
    _, (plo, phi) = pg.cronbach_alpha(complete)
    assert (lo, hi) == (pytest.approx(plo, abs=5e-4), pytest.approx(phi, abs=5e-4))
    assert (lo, hi) == feldt_ci(a, 9, 11)


def test_feldt_bounds_are_not_rounded_twice(study, codebook):
    scales, _ = reliability(study, codebook)
    bounds = scales[["alpha_ci_low", "alpha_ci_high"]].to_numpy().ravel()
    # a bound carried at 3 decimals would equal its own 3-decimal rounding
    assert all(abs(b - round(b, 3)) > 1e-9 for b in bounds)
