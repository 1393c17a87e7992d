"""Planted-truth simulations: CI coverage of the gap and recovery of the within-type gap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.stats.adjust import gap_within_strata, poststratified_gap, roster_shares
from survey.stats.common import bootstrap_means, percentile_ci

R = 1000  # replications


def test_bootstrap_and_welch_ci_cover_the_planted_gap():
    # Likert answers 1..5 drawn from two known distributions: the planted gap is the exact
    # difference of their population means. All replications are columns of one matrix,
    # so the bootstrap is one vectorised call per group.
    codes = np.arange(1, 6)
    p_home = np.array([0.10, 0.20, 0.35, 0.25, 0.10])
    p_bench = np.array([0.05, 0.15, 0.30, 0.30, 0.20])
    planted = codes @ p_home - codes @ p_bench
    rng = np.random.default_rng(2024)
    n1, n2 = 80, 150
    x = rng.choice(codes, size=(n1, R), p=p_home).astype(float)
    y = rng.choice(codes, size=(n2, R), p=p_bench).astype(float)
    bx = bootstrap_means(x, n_boot=1000, rng=rng)
    by = bootstrap_means(y, n_boot=1000, rng=rng)
    lo, hi = percentile_ci(bx - by)
    boot_cov = np.mean((lo <= planted) & (planted <= hi))
    assert 0.93 <= boot_cov <= 0.97, boot_cov
    t = stats.ttest_ind(x, y, equal_var=False, axis=0)
    ci = t.confidence_interval(0.95)
    welch_cov = np.mean((ci.low <= planted) & (planted <= ci.high))
    assert 0.93 <= welch_cov <= 0.97, welch_cov


def _simulate(rng, n_home=150, n_bench=300):
    # Students score 0.8 higher than staff, retirees 0.4 higher; within every member type the
    # home college is 0.3 lower. Home: mostly staff; benchmark: mostly students.
    types = np.array(["在职教职工党员", "学生党员", "离退休党员"])
    effect = {"在职教职工党员": 0.0, "学生党员": 0.8, "离退休党员": 0.4}
    th = rng.choice(types, n_home, p=[0.7, 0.2, 0.1])
    tb = rng.choice(types, n_bench, p=[0.2, 0.7, 0.1])
    y_home = 3.0 - 0.3 + np.vectorize(effect.get)(th) + rng.normal(0, 0.7, n_home)
    y_bench = 3.0 + np.vectorize(effect.get)(tb) + rng.normal(0, 0.7, n_bench)
    return pd.DataFrame({"y": np.r_[y_home, y_bench], "member_type": np.r_[th, tb],
                         "college": ["本院"] * n_home + ["对标A"] * n_bench})


def test_poststratification_recovers_the_within_type_gap():
    rng = np.random.default_rng(99)
    roster = pd.DataFrame({"college": ["本院"] * 3, "member_type": ["在职教职工党员", "学生党员",
                                                                   "离退休党员"],
                           "count": [420, 160, 60]})
    target = roster_shares(roster)
    naive, adj, cover = [], [], []
    for _ in range(500):
        res = poststratified_gap(_simulate(rng), columns=["y"], target=target, n_boot=50)
        r = res.set_index("estimator")
        naive.append(r.loc["naive", "diff"])
        adj.append(r.loc["poststratified", "diff"])
        cover.append(r.loc["poststratified", "ci_low"] <= -0.3 <= r.loc["poststratified",
                                                                         "ci_high"])
    # naive gap is biased by composition: E = -0.3 + (0.7*0 + .2*.8 + .1*.4) - (.2*0 + .7*.8
    # + .1*.4) = -0.3 - 0.4 = -0.7
    assert np.mean(naive) == pytest.approx(-0.7, abs=0.03)
    assert np.mean(adj) == pytest.approx(-0.3, abs=0.02)
    assert 0.93 <= np.mean(cover) <= 0.97, np.mean(cover)


def test_poststratified_details_against_hand_computation():
    rng = np.random.default_rng(1)
    df = _simulate(rng, 60, 90)
    res = poststratified_gap(df, columns=["y"]).set_index("estimator")
    # default target = home sample shares: home PS mean equals its raw mean, deff_ref = 1
    home = df[df.college == "本院"]
    bench = df[df.college != "本院"]
    assert res.loc["poststratified", "mean_ref"] == pytest.approx(home["y"].mean())
    assert res.loc["poststratified", "deff_ref"] == pytest.approx(1.0)
    w = home["member_type"].value_counts(normalize=True)
    st = bench.groupby("member_type")["y"].agg(["mean", "var", "size"])
    m = (w * st["mean"]).sum()
    v = (w**2 * st["var"] / st["size"]).sum()
    deff = (w**2 * len(bench) / st["size"]).sum()
    assert res.loc["poststratified", "mean"] == pytest.approx(m)
    assert res.loc["poststratified", "deff"] == pytest.approx(deff)
    # Kish: n * sum(w_i^2) / (sum w_i)^2 with respondent weights W_h n / n_h
    wi = bench["member_type"].map(w / (st["size"] / len(bench)))
    assert deff == pytest.approx(len(bench) * (wi**2).sum() / wi.sum() ** 2)
    vh = (w**2 * home.groupby("member_type")["y"].var() / home["member_type"]
          .value_counts()).sum()
    assert res.loc["poststratified", "se"] == pytest.approx(np.sqrt(v + vh))
    assert res.loc["naive", "diff"] == pytest.approx(home["y"].mean() - bench["y"].mean())


def test_within_strata_gap_and_missing_stratum_note():
    rng = np.random.default_rng(5)
    df = _simulate(rng, 200, 400)
    ws = gap_within_strata(df, columns=["y"]).set_index("stratum")
    assert ((ws["ci_low"] <= -0.3) & (ws["ci_high"] >= -0.3)).all()
    assert ws.loc[["在职教职工党员", "学生党员"], "diff"].between(-0.45, -0.15).all()
    x = df[(df.college == "本院") & (df.member_type == "学生党员")]["y"]
    z = df[(df.college != "本院") & (df.member_type == "学生党员")]["y"]
    assert ws.loc["学生党员", "statistic"] == pytest.approx(
        stats.ttest_ind(x, z, equal_var=False).statistic)
    # a member type absent from the benchmark is dropped from the adjustment, with a note
    df2 = df[~((df.college != "本院") & (df.member_type == "离退休党员"))]
    r = poststratified_gap(df2, columns=["y"]).set_index("estimator")
    assert "离退休党员" in r.loc["poststratified", "note"]
