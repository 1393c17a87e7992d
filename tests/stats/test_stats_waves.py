"""Two waves of the same questionnaire (issue #13): survey.stats.waves.

References: the published example of R ``Partiallyoverlapping::Partover.test`` (p = 0.026),
scipy's Welch / Student / paired t tests for the limiting designs, statsmodels OLS with HC2
standard errors for the difference-in-differences, and the planted-truth simulation of
``wave_sim.py`` (gap closes on P2 and P4 by a known amount, not on P5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import wave_sim as ws
from scipy import stats

from survey.errors import SurveyError
from survey.stats.common import POOLED
from survey.stats.waves import (
    VERDICTS,
    gap_change,
    gap_change_sentence,
    gap_verdict,
    partially_overlapping_t,
    wave_change,
)

N_STUDIES = 200
TARGET = ws.home_shares()


# --------------------------------------------------------------------------------------------
# the partially overlapping samples t-test


def test_partover_published_example():
    # R: Partover.test(a.unpaired, b.unpaired, a.paired, b.paired, var.equal = TRUE)
    # -> p.value = 0.026 (Derrick, Toher & White 2017, the package's documented example)
    a_u = [20, 21, 16, 18, 14, 12, 14, 17]
    a_p = [14, 15, 18, 20, 11, 19, 14, 15]
    b_u = [10, 16, 18, 16, 15, 14, 13, 10]
    b_p = [15, 10, 15, 17, 13, 19, 12, 13]
    r = partially_overlapping_t(a_u, b_u, a_p, b_p, var_equal=True)
    assert round(r["p"], 3) == 0.026
    assert r["diff"] == pytest.approx(np.mean(a_u + a_p) - np.mean(b_u + b_p))
    # the equal-variance df of Derrick et al.: (nc - 1) + (na + nb + nc - 1)/(na + nb + 2nc) (na + nb)
    assert r["df"] == pytest.approx(7 + 23 / 32 * 16)


def test_partover_without_pairs_is_welch_and_student():
    rng = np.random.default_rng(1)
    x, y = rng.normal(3.4, 0.7, 40), rng.normal(3.1, 1.0, 65)
    r = partially_overlapping_t(x, y)
    ref = stats.ttest_ind(x, y, equal_var=False)
    lo, hi = ref.confidence_interval()
    assert (r["statistic"], r["df"], r["p"]) == pytest.approx((ref.statistic, ref.df, ref.pvalue))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    student = stats.ttest_ind(x, y, equal_var=True)
    r2 = partially_overlapping_t(x, y, var_equal=True)
    assert (r2["statistic"], r2["df"], r2["p"]) == pytest.approx(
        (student.statistic, student.df, student.pvalue))


def test_partover_only_pairs_is_paired_t():
    rng = np.random.default_rng(2)
    u = rng.normal(0, 0.6, 50)
    a, b = 3.5 + u + rng.normal(0, 0.4, 50), 3.3 + u + rng.normal(0, 0.4, 50)
    r = partially_overlapping_t([], [], a, b)
    ref = stats.ttest_rel(a, b)
    assert (r["statistic"], r["df"], r["p"]) == pytest.approx((ref.statistic, ref.df, ref.pvalue))
    assert r["n_matched"] == 50 and r["r_matched"] == pytest.approx(np.corrcoef(a, b)[0, 1])


# --------------------------------------------------------------------------------------------
# wave_change


@pytest.fixture(scope="module")
def one_study() -> pd.DataFrame:
    return ws.simulate_study(np.random.default_rng(11))


def test_wave_change_counts_the_matched_respondents(one_study):
    before = one_study.copy()
    t = wave_change(one_study, dv=list(ws.SCALES), wave="wave", by="college",
                    paired_key="respondent_key")
    pd.testing.assert_frame_equal(one_study, before)  # input not mutated
    assert len(t) == len(ws.SCALES) * len(ws.COLLEGES)
    assert (t["n_matched"] == round(ws.MATCHED * 150)).all()
    assert (t["design"] == "partially_paired").all()
    home = one_study[one_study["college"] == "本院"]
    p2 = t[(t["group"] == "本院") & (t["scale"] == "P2")].iloc[0]
    means = home.groupby("wave")["P2"].mean()
    assert p2["diff"] == pytest.approx(means["2026"] - means["2025"])
    assert (p2["wave1"], p2["wave2"], p2["n1"], p2["n2"]) == ("2025", "2026", 150, 150)
    # Holm across the five dimensions within each college (R: p.adjust(p, "holm"))
    for _, g in t.groupby("group"):
        assert g["p_adj"].to_numpy() == pytest.approx(
            np.minimum(1, np.maximum.accumulate(np.sort(g["p"].to_numpy()) * np.arange(5, 0, -1)))[
                np.argsort(np.argsort(g["p"].to_numpy()))])


def test_wave_change_without_key_is_welch(one_study):
    t = wave_change(one_study, dv="P4", wave="wave", by="college")
    row = t[t["group"] == "对标B"].iloc[0]
    sub = one_study[one_study["college"] == "对标B"]
    ref = stats.ttest_ind(sub.loc[sub["wave"] == "2026", "P4"], sub.loc[sub["wave"] == "2025", "P4"],
                          equal_var=False)
    assert (row["statistic"], row["p"]) == pytest.approx((ref.statistic, ref.pvalue))
    assert row["design"] == "independent" and row["n_matched"] == 0


def test_wave_change_few_pairs_fall_back_to_independent(one_study):
    d = one_study[one_study["college"] == "本院"].copy()
    w2 = d["wave"] == "2026"
    keep = d["respondent_key"].isin([f"本院-{i}" for i in range(3)])
    d.loc[w2 & ~keep, "respondent_key"] = [f"x{i}" for i in range(int((w2 & ~keep).sum()))]
    t = wave_change(d, dv="P1", wave="wave", paired_key="respondent_key")
    assert t["n_matched"].iloc[0] == 0 and "独立样本" in t["note"].iloc[0]


def test_wave_change_errors(one_study):
    three = one_study.assign(wave=np.where(np.arange(len(one_study)) % 3 == 0, "2027",
                                           one_study["wave"]))
    with pytest.raises(SurveyError, match="3 个不同取值"):
        wave_change(three, dv="P1", wave="wave")
    dup = one_study.copy()
    dup.loc[dup.index[:2], "respondent_key"] = "同一人"
    with pytest.raises(SurveyError, match="出现不止一次"):
        wave_change(dup, dv="P1", wave="wave", by="college", paired_key="respondent_key")
    with pytest.raises(SurveyError, match="没有调查轮次"):
        wave_change(one_study, dv="P1", wave="wave", waves=("2024", "2026"))


# --------------------------------------------------------------------------------------------
# gap_change: the analytic interval against an outside reference


def test_did_equals_ols_interaction_with_hc2(one_study):
    t = gap_change(one_study, dv="P2", wave="wave").iloc[0]
    d = one_study.assign(home=(one_study["college"] == "本院").astype(int),
                         later=(one_study["wave"] == "2026").astype(int))
    # R: lm(P2 ~ home * later, d); sandwich::vcovHC(fit, type = "HC2")
    fit = smf.ols("P2 ~ home * later", d).fit(cov_type="HC2")
    assert t["diff"] == pytest.approx(fit.params["home:later"])
    # in a saturated four-cell model HC2 is exactly the sum of the four s²/n
    assert t["se"] == pytest.approx(fit.bse["home:later"])
    # four-part Satterthwaite df
    a = d.groupby(["home", "later"])["P2"].agg(lambda v: v.var(ddof=1) / len(v))
    n = d.groupby(["home", "later"])["P2"].size()
    assert t["df"] == pytest.approx(a.sum() ** 2 / (a**2 / (n - 1)).sum())
    assert t["group"] == POOLED and t["verdict"] in VERDICTS


def test_pairs_narrow_the_interval(one_study):
    plain = gap_change(one_study, dv=list(ws.SCALES), wave="wave")
    paired = gap_change(one_study, dv=list(ws.SCALES), wave="wave", paired_key="respondent_key")
    assert (paired["diff"].to_numpy() == pytest.approx(plain["diff"].to_numpy()))
    assert (paired["se"] < plain["se"]).all()
    assert (paired["n_matched"] == 4 * round(ws.MATCHED * 150)).all()


# --------------------------------------------------------------------------------------------
# planted truth: 200 simulated two-wave studies


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    rng = np.random.default_rng(20261201)
    out = []
    for i in range(N_STUDIES):
        d = ws.simulate_study(rng)
        t = gap_change(d, dv=list(ws.SCALES), wave="wave", paired_key="respondent_key",
                       strata="member_type", target=TARGET)
        c = wave_change(d[d["college"] == "本院"], dv=list(ws.SCALES), wave="wave",
                        paired_key="respondent_key")
        c = c.assign(estimator="home_change")
        out.append(pd.concat([t, c], ignore_index=True).assign(study=i))
    return pd.concat(out, ignore_index=True)


def _truth(est: str, scale: str) -> float:
    if est == "naive":
        return ws.true_did(scale)
    if est == "poststratified":
        return ws.true_did(scale, target=list(TARGET.values()))
    return ws.expected_mean("本院", "2026", scale) - ws.expected_mean("本院", "2025", scale)


@pytest.mark.parametrize("est", ["naive", "poststratified", "home_change"])
@pytest.mark.parametrize("scale", ["P2", "P4", "P5"])
def test_planted_change_recovered_within_ci(simulated, est, scale):
    rows = simulated[(simulated["estimator"] == est) & (simulated["scale"] == scale)]
    truth = _truth(est, scale)
    covered = ((rows["ci_low"] <= truth) & (truth <= rows["ci_high"])).mean()
    assert len(rows) == N_STUDIES
    assert covered >= 0.93, f"{est} {scale}: coverage {covered:.3f}"


def test_planted_gap_closes_on_p2_p4_not_on_p5(simulated):
    adj = simulated[simulated["estimator"] == "poststratified"]
    truth = {s: ws.true_did(s, target=list(TARGET.values())) for s in ("P2", "P4", "P5")}
    assert truth["P2"] > 0.25 and truth["P4"] > 0.3 and abs(truth["P5"]) < 0.01
    share = adj.groupby("scale")["verdict"].agg(lambda v: v.isin(["已缩小", "已消除"]).mean())
    # with 150 respondents per college and wave, a closing of 0.3 is found most of the time
    assert share["P2"] > 0.6 and share["P4"] > 0.7
    unchanged = (adj.loc[adj["scale"] == "P5", "verdict"] == "未见变化").mean()
    assert unchanged >= 0.93


def test_naive_did_carries_the_composition_shift(simulated):
    # the benchmark gained students (who answer higher) in wave 2: the naive DiD of P5 is
    # biased by the planted composition effect, the post-stratified one is not
    for est, target in (("naive", None), ("poststratified", list(TARGET.values()))):
        est_mean = simulated.loc[(simulated["estimator"] == est) & (simulated["scale"] == "P5"),
                                 "diff"].mean()
        assert est_mean == pytest.approx(ws.true_did("P5", target=target), abs=0.02)
    assert ws.true_did("P5") < -0.04


def test_pairing_helps_in_the_simulation(simulated):
    # the matched respondents make the home change more precise than independent waves would
    home = simulated[simulated["estimator"] == "home_change"]
    sd_est = home.groupby("scale")["diff"].std()
    mean_se = home.groupby("scale")["se"].mean()
    assert ((mean_se / sd_est) - 1).abs().max() < 0.12  # SE is honest
    assert (home["design"] == "partially_paired").all()


# --------------------------------------------------------------------------------------------
# bootstrap (fewer replications)


def test_bootstrap_coverage_and_agreement():
    rng = np.random.default_rng(77)
    hits, n_sims = {s: 0 for s in ("P2", "P4", "P5")}, 60
    for _ in range(n_sims):
        d = ws.simulate_study(rng)
        t = gap_change(d, dv=["P2", "P4", "P5"], wave="wave", method="bootstrap", n_boot=1000)
        for r in t.itertuples():
            hits[r.scale] += r.ci_low <= ws.true_did(r.scale) <= r.ci_high
    assert all(h / n_sims >= 0.88 for h in hits.values()), hits
    w = gap_change(d, dv=["P2", "P4", "P5"], wave="wave")
    b = gap_change(d, dv=["P2", "P4", "P5"], wave="wave", method="bootstrap", n_boot=4000)
    assert np.abs(b[["ci_low", "ci_high"]].to_numpy() - w[["ci_low", "ci_high"]].to_numpy()).max() < 0.03
    assert (b["ci_method"] == "bootstrap").all()


def test_bootstrap_is_order_independent(one_study):
    a = gap_change(one_study, dv=["P2"], wave="wave", method="bootstrap", n_boot=800)
    shuffled = one_study.sample(frac=1, random_state=3)
    b = gap_change(shuffled, dv=["P2"], wave="wave", method="bootstrap", n_boot=800)
    assert (a["ci_low"].iloc[0], a["ci_high"].iloc[0]) == (b["ci_low"].iloc[0], b["ci_high"].iloc[0])


# --------------------------------------------------------------------------------------------
# verdicts and the sentence


@pytest.mark.parametrize(("gap1", "gap2_ci", "ci", "expected"), [
    (-0.5, (-0.4, -0.1), (0.1, 0.4), "已缩小"),
    (-0.5, (-0.2, 0.1), (0.2, 0.6), "已消除"),
    (-0.5, (0.05, 0.4), (0.6, 1.0), "已消除"),  # reversed: no gap of the old sign remains
    (-0.5, (-0.8, -0.3), (-0.2, 0.1), "未见变化"),
    (-0.5, (-1.2, -0.7), (-0.6, -0.1), "扩大"),
    (0.4, (0.0, 0.3), (-0.5, -0.1), "已消除"),  # the home college's lead shrank to nothing
    (0.4, (0.5, 0.9), (0.05, 0.4), "扩大"),
])
def test_gap_verdict(gap1, gap2_ci, ci, expected):
    assert gap_verdict(gap1, *gap2_ci, *ci) == expected


def test_sentence_uses_the_row_numbers(one_study):
    t = gap_change(one_study, dv="P4", wave="wave").iloc[0]
    s = gap_change_sentence(t, label="过硬党支部建设", group="对标院校（合并）",
                            wave_names=("2025 年调查", "2026 年调查"))
    assert f"{t['gap1']:.2f}" in s and f"{t['gap2']:.2f}" in s
    assert f"{t['diff']:+.2f}" in s and f"[{t['ci_low']:.2f}, {t['ci_high']:.2f}]" in s
    assert "「过硬党支部建设」" in s and "2025 年调查" in s
    assert gap_change_sentence({"diff": np.nan}, label="x") == ""


def test_gap_change_errors(one_study):
    with pytest.raises(SurveyError, match="参照组"):
        gap_change(one_study, dv="P1", wave="wave", reference="不存在")
    with pytest.raises(SurveyError, match="对标组"):
        gap_change(one_study, dv="P1", wave="wave", benchmark=["对标Z"])
    one = gap_change(one_study, dv="P1", wave="wave", benchmark=["对标A"]).iloc[0]
    assert one["group"] == "对标A" and one["n1"] == 150
