"""Cohen's κ and Krippendorff's α intervals: inside their range, right coverage, outside references.

References: :func:`sklearn.metrics.cohen_kappa_score` (κ), :func:`statsmodels.stats.inter_rater.cohens_kappa`
(Fleiss, Cohen & Everitt 1969 SE), :func:`scipy.stats.bootstrap` (``method="BCa"``, the same
interval computed statement by statement), :func:`krippendorff.alpha` (α), and planted-truth
simulations for coverage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.instruments.symposium import themes_from_frame
from survey.stats.agreement import (
    _alpha_binary,
    _kappa_cells,
    cohen_kappa_2x2,
    kappa_bca_interval,
    krippendorff_alpha,
    krippendorff_alpha_presence,
)

MISS, FALSE_ADD = 0.10, 0.03


def _coders(rng: np.random.Generator, true: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.where(true, rng.random(true.shape) >= MISS, rng.random(true.shape) < FALSE_ADD)
    b = np.where(true, rng.random(true.shape) >= MISS, rng.random(true.shape) < FALSE_ADD)
    return a, b


def _cells(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([np.sum(a & b), np.sum(a & ~b), np.sum(~a & b), np.sum(~a & ~b)], dtype=float)


def test_kappa_and_se_match_sklearn_and_statsmodels():
    # scikit-learn comes with pingouin (a declared dependency)
    cohen_kappa_score = pytest.importorskip("sklearn.metrics").cohen_kappa_score
    from statsmodels.stats.inter_rater import cohens_kappa

    rng = np.random.default_rng(5)
    a, b = _coders(rng, rng.random(200) < 0.3)
    k = cohen_kappa_2x2(a, b)
    assert k["effect"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    # statsmodels on the table laid out the other way round (rows = coder B) gives the same SE
    table = pd.crosstab(b, a).to_numpy(dtype=float)
    assert k["se"] == pytest.approx(cohens_kappa(table).std_kappa, rel=1e-12)
    assert k["ci_low"] < k["effect"] < k["ci_high"]


def test_interval_stays_below_one_where_wald_passes_it():
    # 30 statements, 10 coded by both, one by coder A only: κ ≈ 0.93, Wald upper bound > 1
    a = np.array([True] * 11 + [False] * 19)
    b = np.array([True] * 10 + [False] * 20)
    k = cohen_kappa_2x2(a, b)
    assert k["effect"] + stats.norm.ppf(0.975) * k["se"] > 1  # the old interval
    assert -1 <= k["ci_low"] < k["effect"] <= k["ci_high"] <= 1


def test_bca_matches_scipy_bootstrap():
    rng = np.random.default_rng(8)
    a, b = _coders(rng, rng.random(80) < 0.3)

    def kappa(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        x, y = x.astype(bool), y.astype(bool)
        cells = np.stack([(x & y).sum(axis), (x & ~y).sum(axis), (~x & y).sum(axis), (~x & ~y).sum(axis)], -1)
        return _kappa_cells(cells.astype(float))

    ref = stats.bootstrap((a, b), kappa, paired=True, vectorized=True, method="BCa", n_resamples=9999,
                          confidence_level=0.95, random_state=1).confidence_interval
    lo, hi = kappa_bca_interval(_cells(a, b), n_boot=9999, seed=2)
    assert lo == pytest.approx(ref.low, abs=0.02)
    assert hi == pytest.approx(ref.high, abs=0.02)


def test_interval_is_seeded():
    cells = [20, 5, 10, 15]
    assert kappa_bca_interval(cells, seed=3) == kappa_bca_interval(cells, seed=3)


def test_perfect_agreement_gets_a_one_sided_interval():
    a = np.array([True] * 30 + [False] * 70)
    k = cohen_kappa_2x2(a, a.copy())
    assert k["effect"] == 1.0 and k["ci_high"] == 1.0
    # κ = 1 − d / (1 − p_e); d ≤ 1 − 0.025^(1/100) (exact bound for 0 of 100), p_e = .3² + .7²
    assert k["ci_low"] == pytest.approx(1 - (1 - 0.025 ** (1 / 100)) / (1 - 0.58), rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize(("n", "prevalence", "seed"), [(300, 0.3, 2026), (200, 0.15, 17)])
def test_kappa_interval_coverage_planted(n, prevalence, seed, kappa_truth):
    """1000 seeded replications: the 95% interval covers the planted κ 93–97% of the time."""
    rng = np.random.default_rng(seed)
    truth = kappa_truth(prevalence, MISS, FALSE_ADD)
    reps, covered = 1000, 0
    for r in range(reps):
        a, b = _coders(rng, rng.random(n) < prevalence)
        lo, hi = kappa_bca_interval(_cells(a, b), seed=r)
        assert -1 <= lo <= hi <= 1
        covered += lo <= truth <= hi
    assert 0.93 <= covered / reps <= 0.97


def test_alpha_closed_form_matches_krippendorff():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n, k = int(rng.integers(5, 40)), int(rng.integers(1, 5))
        a, b = _coders(rng, rng.random((n, k)) < 0.3)
        if a.sum() + b.sum() in (0, 2 * n * k):
            continue
        ref = krippendorff_alpha(np.vstack([a.ravel(), b.ravel()]).astype(float))
        ours = _alpha_binary(np.array([(a != b).sum()]), np.array([a.sum() + b.sum()]), np.array([n * k]))
        assert ours[0] == pytest.approx(ref, abs=1e-12)


@pytest.mark.slow
def test_alpha_interval_coverage_planted(kappa_truth):
    """Population α of two coders with the same error rates (equal margins) over three themes."""
    codes = ["T01", "T02", "T03"]
    themes = themes_from_frame(pd.DataFrame({"code": codes, "label": ["甲", "乙", "丙"]}))
    prev = np.array([0.4, 0.2, 0.1])
    q = prev * (1 - MISS) + (1 - prev) * FALSE_ADD
    both_yes = prev * (1 - MISS) ** 2 + (1 - prev) * FALSE_ADD**2
    disagree = 2 * (q - both_yes)  # P(A yes, B no) + P(A no, B yes)
    truth = 1 - disagree.mean() / (2 * q.mean() * (1 - q.mean()))
    rng = np.random.default_rng(44)
    n, reps, covered = 60, 1000, 0
    names = np.array(codes)
    for r in range(reps):
        a, b = _coders(rng, rng.random((n, 3)) < prev)
        st = pd.DataFrame({"statement_id": [f"S{i}" for i in range(n)],
                           "codes_a": [tuple(names[x]) for x in a], "codes_b": [tuple(names[x]) for x in b]})
        res = krippendorff_alpha_presence(st, themes, n_boot=1000, seed=r).iloc[0]
        assert res["ci_high"] <= 1
        covered += res["ci_low"] <= truth <= res["ci_high"]
    assert 0.93 <= covered / reps <= 0.97
