"""Planted truth: simulated statements with known theme rates and coder error rates."""

from __future__ import annotations

import numpy as np
import pytest

from survey.stats.agreement import krippendorff_alpha_presence, theme_agreement
from survey.stats.themes import theme_frequencies

RATES = {
    "党支部书记": {"T01": 0.40, "T03": 0.35, "T05": 0.20},
    "学生党员": {"T01": 0.15, "T02": 0.30, "T05": 0.10},
    "用人企业": {"T04": 0.45, "T06": 0.25, "T05": 0.15},
}
MISS, FALSE_ADD = 0.10, 0.03


def test_recovered_frequencies_near_planted(themes, simulate):
    """Coder A's share = p(1 − miss) + (1 − p) false_add; within 4 binomial SEs."""
    n = 600
    st, _ = simulate(RATES, n, miss=MISS, false_add=FALSE_ADD, seed=42)
    f = theme_frequencies(st, themes).set_index(["group", "code"])
    for g, rates in RATES.items():
        for code in themes.codes:
            p = rates.get(code, 0.0)
            expected = p * (1 - MISS) + (1 - p) * FALSE_ADD
            se = np.sqrt(expected * (1 - expected) / n)
            assert abs(f.loc[(g, code), "share"] - expected) < 4 * se, (g, code)


def test_consensus_frequencies_recover_true_rates_better(themes, simulate):
    st, _ = simulate(RATES, 600, miss=MISS, false_add=FALSE_ADD, seed=43)
    cons = theme_frequencies(st, themes, coder="consensus").set_index(["group", "code"])
    # consensus removes most false additions: absent themes fall to ~ false_add² ≈ 0.001
    assert cons.loc[("党支部书记", "T06"), "share"] < 0.01


def test_kappa_near_planted(themes, simulate, kappa_truth):
    n = 1500
    st, _ = simulate({"g": {"T01": 0.4, "T02": 0.2, "T03": 0.1}}, n, miss=MISS, false_add=FALSE_ADD, seed=7)
    ag = theme_agreement(st, themes).set_index("code")
    for code, prev in (("T01", 0.4), ("T02", 0.2), ("T03", 0.1)):
        truth = kappa_truth(prev, MISS, FALSE_ADD)
        k = ag.loc[code]
        assert k["ci_low"] < truth < k["ci_high"], code
        assert abs(k["effect"] - truth) < 0.05, code


def test_alpha_close_to_pooled_kappa(themes, simulate, kappa_truth):
    """With two coders and many units, Krippendorff's alpha ≈ Cohen's kappa (both ≈ planted)."""
    st, _ = simulate({"g": {"T01": 0.3, "T02": 0.3}}, 800, miss=MISS, false_add=FALSE_ADD, seed=9)
    two = type(themes)(themes.table.iloc[:2].reset_index(drop=True), themes.lookup)
    res = krippendorff_alpha_presence(st, two, n_boot=100).iloc[0]
    truth = kappa_truth(0.3, MISS, FALSE_ADD)
    assert res["effect"] == pytest.approx(truth, abs=0.05)
    assert res["ci_low"] < res["effect"] < res["ci_high"]
