"""Gap statistics checked against published examples and independent hand formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.errors import SurveyError
from survey.stats.common import POOLED, adjust_p, bootstrap_means
from survey.stats.compare import (
    cliff_delta,
    compare_summaries,
    gap_table,
    hedges_g,
    kruskal_dunn,
    pool_summaries,
    summarize,
    welch_from_summary,
)
from survey.stats.scoring import score_scales

# Wikipedia, "Welch's t-test", Examples, example 1 (revision 994214781):
# published t = -2.46, df = 24.99, p = 0.021.
A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]


def _frame(x, y, name="v"):
    return pd.DataFrame({name: list(x) + list(y),
                         "college": ["本院"] * len(x) + ["对标A"] * len(y)})


def test_welch_matches_published_example_and_hand_formula():
    x, y = np.array(A1), np.array(A2)
    w = welch_from_summary(x.mean(), x.std(ddof=1), 15, y.mean(), y.std(ddof=1), 15)
    assert w["statistic"] == pytest.approx(-2.46, abs=0.005)
    assert w["df"] == pytest.approx(24.99, abs=0.01)
    assert w["p"] == pytest.approx(0.021, abs=0.0005)
    # hand formula
    se = np.sqrt(x.var(ddof=1) / 15 + y.var(ddof=1) / 15)
    t = (x.mean() - y.mean()) / se
    df = se**4 / ((x.var(ddof=1) / 15) ** 2 / 14 + (y.var(ddof=1) / 15) ** 2 / 14)
    assert w["statistic"] == pytest.approx(t, rel=1e-12)
    assert w["df"] == pytest.approx(df, rel=1e-12)
    # the raw-data path (scipy.stats.ttest_ind) gives the same numbers
    row = gap_table(_frame(x, y), columns=["v"], n_boot=200).iloc[0]
    assert row["statistic"] == pytest.approx(t, rel=1e-10)
    assert row["p"] == pytest.approx(w["p"], rel=1e-10)
    assert row["diff"] == pytest.approx(x.mean() - y.mean())


def test_hedges_g_lakens_movie_example():
    # Lakens (2013, Front. Psychol. 4:863, Table 1): movie ratings, t(18) = 2.52,
    # Cohen's d_s = 1.13, Hedges's g_s = 1.08. (Recalled from the paper; every value
    # re-derived by hand arithmetic: means 8.7 / 7.7, SS 6.1 / 8.1, s_p = 0.8882.)
    m1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    m2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    x, y = np.array(m1, float), np.array(m2, float)
    g, lo, hi = hedges_g(x.mean(), x.std(ddof=1), 10, y.mean(), y.std(ddof=1), 10)
    j = 1 - 3 / (4 * 20 - 9)
    sp_ = np.sqrt((6.1 + 8.1) / 18)
    assert g == pytest.approx(j * 1.0 / sp_, rel=1e-12)
    assert g == pytest.approx(1.08, abs=0.005)
    assert g / j == pytest.approx(1.13, abs=0.005)
    assert lo < g < hi


def test_noncentral_ci_matches_effsize_howell_example():
    # effsize tests/testthat/testCohenD.R, "confidence interval with non-central
    # distribution for two samples" (data from Howell 2010, summary statistics only):
    #   hf = generate_data(35, 24, sqrt(148.87)); nhf = generate_data(29, 16.5, sqrt(139.16))
    #   cohen.d(hf, nhf, noncentral = TRUE)  ->  conf.int 0.117, 1.126  (tolerance .001)
    g, lo, hi = hedges_g(24, np.sqrt(148.87), 35, 16.5, np.sqrt(139.16), 29, method="noncentral")
    j = 1 - 3 / (4 * 64 - 9)
    assert lo / j == pytest.approx(0.117, abs=0.001)
    assert hi / j == pytest.approx(1.126, abs=0.001)


def test_cohen_d_matches_effsize_issue23():
    # effsize tests/testthat/testCohenD.R (issue #23):
    #   cohen.d(a, b, hedges.correction = FALSE, noncentral = TRUE)$estimate == 0.63236
    a = np.array([9.81605624621576, 8.93891560898168, 9.05436620537713, 6.01771305071382,
                  8.98575772172126, 7.2595761413452, 13.7537304479165, 9.89861975363729,
                  7.37246838418731, 8.33888742066376])
    b = np.array([8.62798051757027, 5.25390514295654, 12.0869496333763, 7.20553319908951,
                  6.99017188584104, 8.22363490828756, 8.05485287987422, 6.50534569228974,
                  8.68871033652186, 4.62897740315003])
    g, _, _ = hedges_g(a.mean(), a.std(ddof=1), 10, b.mean(), b.std(ddof=1), 10)
    assert g / (1 - 3 / (4 * 20 - 9)) == pytest.approx(0.63236, abs=1e-4)


def test_cliff_delta_matches_effsize_reference():
    # effsize tests/testthat/testCliff.R and R/CliffDelta.R record this printed output:
    #   delta estimate: -0.25 (small); 95 percent confidence interval: -0.7265846  0.3890062
    # next to the call cliff.delta(treatment, control, use.unbiased=F, use.normal=T); the
    # numbers are in fact those of the default call cliff.delta(treatment, control)
    # (unbiased variance, Student t): the consistent/normal variant gives -0.7125, 0.3640.
    # The same file documents the three variance terms of the consistent estimate,
    # 0.2669753, 0.447 and 1.0055556, checked below by hand.
    treatment = [10, 10, 20, 20, 20, 30, 30, 30, 40, 50]
    control = [10, 20, 30, 40, 40, 50]
    d, lo, hi = cliff_delta(np.array(treatment, float), np.array(control, float))
    assert d == pytest.approx(-0.25)
    assert lo == pytest.approx(-0.7265846, abs=1e-6)
    assert hi == pytest.approx(0.3890062, abs=1e-6)
    x, y = np.array(treatment, float), np.array(control, float)
    dom = np.sign(x[:, None] - y[None, :])
    assert ((dom.mean(1) + 0.25) ** 2).sum() / 9 == pytest.approx(0.2669753, abs=1e-7)
    assert ((dom.mean(0) + 0.25) ** 2).sum() / 5 == pytest.approx(0.447, abs=1e-7)
    assert ((dom + 0.25) ** 2).sum() / 45 == pytest.approx(1.0055556, abs=1e-7)
    # effsize "Negligible differences": estimate -0.06666
    x1 = [10, 20, 20, 20, 30, 30, 30, 40, 50, 100]
    x2 = [10, 20, 30, 40, 40, 50]
    assert cliff_delta(np.array(x1, float), np.array(x2, float))[0] == pytest.approx(
        -0.06666, abs=1e-5)


def test_cliff_delta_equals_brute_force_dominance():
    rng = np.random.default_rng(11)
    x = rng.integers(1, 6, 37).astype(float)
    y = rng.integers(1, 6, 23).astype(float)
    dom = np.sign(x[:, None] - y[None, :])
    assert cliff_delta(x, y)[0] == pytest.approx(dom.mean())


def test_mann_whitney_u_counts_pairs():
    rng = np.random.default_rng(5)
    x = rng.integers(1, 6, 30).astype(float)
    y = rng.integers(1, 6, 25).astype(float)
    u_hand = (x[:, None] > y[None, :]).sum() + 0.5 * (x[:, None] == y[None, :]).sum()
    row = gap_table(_frame(x, y), columns=["v"], n_boot=100).iloc[0]
    assert row["u"] == pytest.approx(u_hand)


def test_bh_and_holm_on_benjamini_hochberg_1995_example():
    # Benjamini & Hochberg (1995, JRSS-B 57:289), section 4.2: 15 p-values; at q = 0.05
    # the step-up procedure rejects the four smallest.
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
         0.4262, 0.5719, 0.6528, 0.7590, 1.000]
    bh = adjust_p(p, "fdr_bh")
    assert (bh < 0.05).sum() == 4
    # hand: p_adj(i) = min_{j >= i} m p_(j) / j
    m = 15
    raw = [m * p[i] / (i + 1) for i in range(m)]
    hand = [min(raw[i:]) for i in range(m)]
    np.testing.assert_allclose(bh, hand, rtol=1e-12)
    assert bh[3] == pytest.approx(0.035625)
    assert bh[4] == pytest.approx(0.0603)
    # Holm (1979): p_adj(i) = max_{j <= i} min(1, (m - j + 1) p_(j))
    holm = adjust_p(p, "holm")
    step = [min(1.0, (m - i) * p[i]) for i in range(m)]
    hand_h = [max(step[: i + 1]) for i in range(m)]
    np.testing.assert_allclose(holm, hand_h, rtol=1e-12)
    assert holm[2] == pytest.approx(0.0247)
    assert (holm < 0.05).sum() == 3
    # missing p-values stay missing and are not counted
    out = adjust_p([0.01, np.nan, 0.04], "holm")
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.04)


def test_kruskal_dunn_hollander_wolfe():
    # Hollander & Wolfe (1973, p. 116), R's ?kruskal.test example:
    #   kruskal.test(list(x, y, z))  ->  Kruskal-Wallis chi-squared = 0.77143, df = 2, p = 0.68
    # PMCMRplus::dunnTest(list(x, y, z)) (holm) prints mean.rank.diff 2-1 = 1.8, 3-1 = -0.6,
    # 3-2 = -2.4 and pval 1.0000 for all three pairs.
    x = [2.9, 3.0, 2.5, 2.6, 3.2]
    y = [3.8, 2.7, 4.0, 2.4]
    z = [2.8, 3.4, 3.7, 2.2, 2.0]
    df = pd.DataFrame({"v": x + y + z, "college": ["g1"] * 5 + ["g2"] * 4 + ["g3"] * 5})
    kw, dunn = kruskal_dunn(df, columns=["v"])
    assert kw.loc[0, "statistic"] == pytest.approx(0.77143, abs=1e-5)
    assert kw.loc[0, "p"] == pytest.approx(0.68, abs=0.005)
    d = dunn.set_index(["group", "group2"])
    assert d.loc[("g1", "g2"), "mean_rank_diff"] == pytest.approx(-1.8)
    assert d.loc[("g1", "g3"), "mean_rank_diff"] == pytest.approx(0.6)
    assert d.loc[("g2", "g3"), "mean_rank_diff"] == pytest.approx(2.4)
    assert np.allclose(dunn["p_adj"], 1.0)
    # Dunn (1964) z by hand (no ties here): sqrt(N(N+1)/12 (1/na + 1/nb))
    z12 = -1.8 / np.sqrt(14 * 15 / 12 * (1 / 5 + 1 / 4))
    assert d.loc[("g1", "g2"), "statistic"] == pytest.approx(z12)
    assert d.loc[("g1", "g2"), "p"] == pytest.approx(2 * stats.norm.sf(abs(z12)))


def test_dunn_with_ties_matches_hand_formula():
    rng = np.random.default_rng(2)
    v = rng.integers(1, 6, 60).astype(float)
    g = np.repeat(["a", "b", "c"], 20)
    v[g == "c"] += 1
    kw, dunn = kruskal_dunn(pd.DataFrame({"v": v, "college": g}), columns=["v"])
    r = stats.rankdata(v)
    _, t = np.unique(v, return_counts=True)
    s2 = 60 * 61 / 12 - (t**3 - t).sum() / (12 * 59)
    z = (r[g == "a"].mean() - r[g == "c"].mean()) / np.sqrt(s2 * (2 / 20))
    row = dunn.set_index(["group", "group2"]).loc[("a", "c")]
    assert row["statistic"] == pytest.approx(z)
    assert row["p"] == pytest.approx(2 * stats.norm.sf(abs(z)))


def test_bootstrap_is_vectorised_resampling_of_rows():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    x[3, 1] = np.nan
    got = bootstrap_means(x, n_boot=400, rng=np.random.default_rng(42))
    idx = np.random.default_rng(42).integers(0, 50, size=(400, 50), dtype=np.int32)
    want = np.nanmean(x[idx], axis=1)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_pooled_summaries_are_exact():
    rng = np.random.default_rng(4)
    parts = [rng.normal(3, 1, n) for n in (12, 40, 7)]
    n, m, s = pool_summaries([len(p) for p in parts], [p.mean() for p in parts],
                             [p.std(ddof=1) for p in parts])
    allv = np.concatenate(parts)
    assert (n, m, s) == pytest.approx((len(allv), allv.mean(), allv.std(ddof=1)))


def test_summary_only_college_folds_into_pooled_exactly(study, codebook):
    scores = score_scales(study, codebook).join(study["college"])
    full = gap_table(scores, columns=["P1", "P2"], n_boot=300)
    summ = summarize(scores[scores["college"] == "对标C"], columns=["P1", "P2"])
    part = gap_table(scores[scores["college"] != "对标C"], columns=["P1", "P2"],
                     summaries=summ, n_boot=300)
    f = full.set_index(["scale", "group"])
    p = part.set_index(["scale", "group"])
    for col in ("n", "mean", "sd", "diff", "statistic", "df", "p", "effect"):
        assert p.loc[("P1", POOLED), col] == pytest.approx(f.loc[("P1", POOLED), col])
        assert p.loc[("P2", "对标C"), col] == pytest.approx(f.loc[("P2", "对标C"), col])
    assert p.loc[("P1", "对标C"), "ci_method"] == "welch"
    assert np.isnan(p.loc[("P1", "对标C"), "delta"])
    assert "汇总统计" in p.loc[("P1", POOLED), "note"]
    # bootstrap CIs of the pooled gap agree to Monte-Carlo error
    assert p.loc[("P1", POOLED), "ci_low"] == pytest.approx(f.loc[("P1", POOLED), "ci_low"],
                                                            abs=0.03)


def test_compare_summaries_equals_raw_path(study, codebook):
    scores = score_scales(study, codebook).join(study["college"])
    summ = summarize(scores, columns=["P1", "P2", "P3"])
    s = compare_summaries(summ).set_index(["scale", "group"])
    r = gap_table(scores, columns=["P1", "P2", "P3"], n_boot=200).set_index(["scale", "group"])
    for col in ("diff", "statistic", "df", "p", "effect", "effect_ci_low", "p_adj"):
        np.testing.assert_allclose(s.loc[r.index, col], r[col], rtol=1e-9)


@pytest.mark.parametrize(("n", "sd", "word"), [(0, 1.0, "样本量"), (30, -0.5, "标准差")])
def test_bad_summaries_raise_chinese_errors(n, sd, word):
    summ = pd.DataFrame({"scale": ["P1", "P1"], "group": ["本院", "对标D"], "n": [50, n],
                         "mean": [3.2, 3.5], "sd": [0.8, sd], "_file": "summary.xlsx",
                         "_row": [2, 3]})
    with pytest.raises(SurveyError) as e:
        compare_summaries(summ)
    msg = str(e.value)
    assert word in msg and "summary.xlsx" in msg and "第 3 行" in msg and "对标D" in msg


def test_adjustment_families_and_reproducibility(study, codebook):
    from survey.stats.compare import gap_by_item, gap_by_scale

    a = gap_by_scale(study, codebook, n_boot=300, seed=9)
    b = gap_by_scale(study, codebook, n_boot=300, seed=9)
    pd.testing.assert_frame_equal(a, b)
    for _, fam in a.groupby("group"):
        np.testing.assert_allclose(fam["p_adj"], adjust_p(fam["p"], "holm"))
    assert (a["p_adj_method"] == "holm/scales").all()
    items = gap_by_item(study, codebook, n_boot=200)
    for _, fam in items.groupby("group"):
        np.testing.assert_allclose(fam["p_adj"], adjust_p(fam["p"], "fdr_bh"))
    # planted: home lower on P1, higher on P3 (see conftest.make_study)
    pooled = a[a["group"] == POOLED].set_index("scale")
    assert pooled.loc["P1", "ci_high"] < 0 and pooled.loc["P3", "ci_low"] > 0
    assert pooled.loc["P1", "effect"] < -0.5


def test_missing_reference_group_is_an_error(study):
    with pytest.raises(SurveyError, match="参照组"):
        gap_table(study, columns=["P1_1"], reference="不存在的学院")
