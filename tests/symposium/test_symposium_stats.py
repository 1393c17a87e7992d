"""Symposium statistics against outside references.

References used (numbers copied from the sources, never produced by the code under test):

* Agresti, A. (2007). *An Introduction to Categorical Data Analysis*, 2nd ed., p. 39 and
  Table 2.10 (gender × party identification, GSS): X² = 30.07 on df = 2, adjusted
  standardised residuals 4.50, 0.70, −5.32 (females) and −4.50, −0.70, 5.32 (males).
  The same table is the example of R's ``?chisq.test`` (``Xsq$stdres``).
* Fisher's "lady tasting tea" 2 × 2 table [[3, 1], [1, 3]]: exact two-sided p = 34/70
  = 0.4857 (Agresti 2007, §2.6.2); R: ``fisher.test(matrix(c(3,1,1,3),2))``.
* Cohen's kappa textbook example (Wikipedia "Cohen's kappa", 50 grant proposals, readers
  A × B: yes/yes 20, yes/no 5, no/yes 10, no/no 15): p_o = 0.70, p_e = 0.50, kappa = 0.40.
  R: ``irr::kappa2``.
* Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability (asc_papers/43):
  example B (2 observers, 10 binary units) alpha = 0.095; example C (4 observers × 12 units,
  nominal, missing values) alpha = 0.743.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.stats.agreement import (
    cohen_kappa_2x2,
    krippendorff_alpha,
    krippendorff_alpha_presence,
    theme_agreement,
)
from survey.stats.contingency import adjusted_residuals, contingency_test, theme_group_tests
from survey.stats.themes import representative_quotes, theme_frequencies

AGRESTI = pd.DataFrame([[762, 327, 468], [484, 239, 477]], index=["F", "M"],
                       columns=["Democrat", "Independent", "Republican"])


def test_chi_square_and_cramers_v_match_agresti():
    res = contingency_test(AGRESTI.to_numpy(), n_boot=500).iloc[0]
    assert res["statistic"] == pytest.approx(30.07, abs=0.005)
    assert res["df"] == 2
    assert res["method"] == "chi2"
    assert res["p"] < 1e-6
    # Cramér's V by hand from the published X²: sqrt(30.07 / (2757 * (2 - 1)))
    assert res["effect"] == pytest.approx(np.sqrt(30.07 / 2757), abs=5e-4)
    assert res["ci_low"] < res["effect"] < res["ci_high"]
    assert res["ci_low"] > 0.06 and res["ci_high"] < 0.15


def test_adjusted_residuals_match_agresti_table_2_10():
    r = adjusted_residuals(AGRESTI).set_index(["row", "column"])["residual"]
    published = {("F", "Democrat"): 4.50, ("F", "Independent"): 0.70, ("F", "Republican"): -5.32,
                 ("M", "Democrat"): -4.50, ("M", "Independent"): -0.70, ("M", "Republican"): 5.32}
    for cell, value in published.items():
        assert r[cell] == pytest.approx(value, abs=0.005)


def test_monte_carlo_p_close_to_fisher_exact_on_tea_tasting():
    tea = np.array([[3, 1], [1, 3]])
    res = contingency_test(tea, n_resamples=20000, n_boot=200, seed=7).iloc[0]
    assert res["method"] == "monte_carlo"  # all expected counts are 2 < 5
    assert res["p"] == pytest.approx(34 / 70, abs=0.015)


def test_monte_carlo_is_seeded():
    tab = np.array([[4, 1, 0], [1, 3, 2]])
    a = contingency_test(tab, seed=3, n_resamples=2000, n_boot=100)
    b = contingency_test(tab, seed=3, n_resamples=2000, n_boot=100)
    pd.testing.assert_frame_equal(a, b)


def test_kappa_matches_textbook_example():
    # 50 proposals: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no
    a = np.array([1] * 25 + [0] * 25, dtype=bool)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15, dtype=bool)
    k = cohen_kappa_2x2(a, b)
    assert k["agreement"] == pytest.approx(0.70)
    assert k["effect"] == pytest.approx(0.40, abs=1e-12)
    assert k["ci_low"] < 0.40 < k["ci_high"]
    # large-sample SE (Fleiss, Cohen & Everitt 1969) by hand for this table
    p = np.array([[20, 5], [10, 15]]) / 50
    r, c = p.sum(1), p.sum(0)
    po, pe = np.trace(p), r @ c
    k0 = (po - pe) / (1 - pe)
    a_ = sum(p[i, i] * (1 - (r[i] + c[i]) * (1 - k0)) ** 2 for i in range(2))
    b_ = (1 - k0) ** 2 * sum(p[i, j] * (c[i] + r[j]) ** 2 for i in range(2) for j in range(2) if i != j)
    c_ = (k0 - pe * (1 - k0)) ** 2
    se = np.sqrt((a_ + b_ - c_) / (50 * (1 - pe) ** 2))
    assert k["se"] == pytest.approx(se, rel=1e-9)


def test_kappa_undefined_when_nobody_uses_the_theme():
    z = np.zeros(10, dtype=bool)
    assert np.isnan(cohen_kappa_2x2(z, z)["effect"])


def test_krippendorff_alpha_example_c():
    nan = np.nan
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)


def test_krippendorff_alpha_presence_example_b(themes):
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    st = pd.DataFrame({
        "statement_id": [f"S{i}" for i in range(10)],
        "codes_a": [("T06",) if x else () for x in a],
        "codes_b": [("T06",) if x else () for x in b],
    })
    one = type(themes)(themes.table.iloc[[5]].reset_index(drop=True), themes.lookup)
    res = krippendorff_alpha_presence(st, one, n_boot=0).iloc[0]
    assert res["effect"] == pytest.approx(0.095, abs=5e-4)
    assert res["n"] == 10 and res["n_units"] == 10


def test_frequencies_count_statements_and_sessions(themes, simulate):
    st, _ = simulate({"书记": {"T01": 0.5}, "学生": {"T02": 0.5}}, 20, miss=0, false_add=0, seed=3)
    f = theme_frequencies(st, themes).set_index(["group", "code"])
    truth_n = st.loc[st["group"] == "书记", "codes_a"].map(lambda s: "T01" in s).sum()
    assert f.loc[("书记", "T01"), "n"] == truth_n
    assert f.loc[("书记", "T01"), "share"] == pytest.approx(truth_n / 20)
    assert f.loc[("书记", "T01"), "n_sessions"] == 2
    assert f.loc[("书记", "T02"), "n"] == 0
    assert f.loc[("全部", "T01"), "n_statements"] == 40


def test_group_tests_shape_and_holm(themes, simulate):
    rates = {"书记": {"T01": 0.6, "T03": 0.2}, "学生": {"T01": 0.1, "T03": 0.2},
             "企业": {"T01": 0.1, "T03": 0.2, "T04": 0.4}}
    st, _ = simulate(rates, 80, seed=11)
    tests, resid = theme_group_tests(st, themes, n_resamples=999, n_boot=200)
    t = tests.set_index("code")
    assert t.loc["全部", "scope"] == "总体"
    assert t.loc["T01", "p_adj"] < 1e-6          # planted difference
    assert t.loc["T04", "p_adj"] < 1e-4
    assert t.loc["T03", "p"] > 0.01              # planted equal rates
    assert (t["p_adj"].dropna() >= t["p"].dropna()).all()
    assert set(resid.columns) == {"group", "code", "observed", "expected", "residual"}
    # residual of 书记 × T01 is large and positive: secretaries raise it more
    r = resid.set_index(["group", "code"])["residual"]
    assert r[("书记", "T01")] > 3


def test_agreement_table(themes, simulate):
    st, _ = simulate({"书记": {"T01": 0.5, "T02": 0.3}}, 200, miss=0.0, false_add=0.0, seed=2)
    ag = theme_agreement(st, themes).set_index("code")
    assert ag.loc["T01", "effect"] == pytest.approx(1.0)
    assert np.isnan(ag.loc["T05", "effect"])


def test_quotes_are_deterministic_and_prefer_agreement_and_spread(themes, simulate):
    st, _ = simulate({"书记": {"T01": 0.5}, "学生": {"T01": 0.3}}, 40, seed=5)
    q1 = representative_quotes(st, themes, k=2)
    q2 = representative_quotes(st.sample(frac=1, random_state=1).sort_values("statement_id"), themes, k=2)
    pd.testing.assert_frame_equal(q1, q2)
    t01 = q1.loc[q1["code"] == "T01"]
    assert len(t01) == 2 and t01["both_coders"].all()
    assert set(t01["group"]) == {"书记", "学生"}
    assert (q1["text"].str.len() <= 120).all()


def test_chi2_statistic_vectorised_matches_scipy():
    from survey.stats.contingency import _chi2_stat

    rng = np.random.default_rng(0)
    tabs = rng.integers(1, 30, size=(5, 3, 4)).astype(float)
    ours = _chi2_stat(tabs)
    ref = [stats.chi2_contingency(t, correction=False).statistic for t in tabs]
    np.testing.assert_allclose(ours, ref, rtol=1e-12)
