"""Power planning for the next wave (issue #13): survey.stats.plan and ``survey plan``.

References: R ``pwr::pwr.t.test`` (the classic n = 63.77 for d = 0.5), pingouin's ICC1 for
balanced clusters, and Monte-Carlo simulations of the planned designs (power within ±3
points of the target at the planned n).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from survey.report.plan import plan_study
from survey.stats.plan import (
    design_effect,
    icc1,
    invitations,
    plan_gap_change,
    plan_sample_size,
    plan_sentence,
)

R_SIMS = 4000


def _two_colleges(rng, n=150, k=10, icc=0.0, colleges=("本院", "对标A")) -> pd.DataFrame:
    """Normal scores (SD 1) in k equal branches per college with a planted ICC."""
    m = n // k
    parts = []
    for c in colleges:
        u = np.repeat(rng.normal(0, np.sqrt(icc), k), m)
        parts.append(pd.DataFrame({"college": c, "branch": np.repeat([f"支部{j}" for j in range(k)], m),
                                   "P1": 3.5 + u + rng.normal(0, np.sqrt(1 - icc), k * m)}))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------------------------
# the power calculation itself


def test_statsmodels_power_matches_pwr():
    # R: pwr::pwr.t.test(d = 0.5, power = 0.8)$n -> 63.76561 ; d = 0.3 -> 175.3847
    d = _two_colleges(np.random.default_rng(0))
    d["P1"] = (d["P1"] - d["P1"].mean()) / d["P1"].std()
    for g, n in ((0.5, 63.76561), (0.3, 175.3847)):
        t = plan_sample_size(d, dv="P1", effect=g, family=1).iloc[0]
        assert t["n_srs"] == int(np.ceil(n)) and t["alpha_test"] == 0.05


def test_holm_uses_the_most_stringent_step():
    d = _two_colleges(np.random.default_rng(1))
    for s in ("P2", "P3", "P4", "P5"):
        d[s] = d["P1"]
    t = plan_sample_size(d, dv=["P1", "P2", "P3", "P4", "P5"], effect=0.3)
    assert (t["alpha_test"] == 0.01).all() and (t["n_srs"] == 262).all()


def test_planned_n_has_the_power_by_simulation():
    # Monte-Carlo: two normal samples of the planned size, Welch's t at alpha / 5
    d = _two_colleges(np.random.default_rng(2))
    t = plan_sample_size(d, dv="P1", effect=0.3, family=5).iloc[0]
    n = int(t["n_srs"])
    rng = np.random.default_rng(3)
    x, y = rng.normal(0.3, 1, (R_SIMS, n)), rng.normal(0, 1, (R_SIMS, n))
    p = stats.ttest_ind(x, y, axis=1, equal_var=False).pvalue
    assert abs((p < t["alpha_test"]).mean() - 0.8) <= 0.03


@pytest.mark.parametrize("fixed", [False, True])
def test_design_effect_plan_has_the_power_by_simulation(fixed):
    # planted branch ICC; the next wave: clusters of this wave's size (default) or the same
    # K branches growing (fixed_clusters); the test uses the true variance of the mean
    icc, k = 0.02, 10
    d = _two_colleges(np.random.default_rng(4), icc=icc, k=k)
    t = plan_sample_size(d, dv="P1", effect=0.3, family=5, cluster="branch", fixed_clusters=fixed)
    t = t.iloc[0]
    est = float(t["icc"])
    n = int(t["n_needed"])
    assert n > t["n_srs"] and t["deff"] == pytest.approx(
        design_effect(est, (n if fixed else 150) / k))
    m = n / k if fixed else 150 / k
    kk = int(np.ceil(n / m))
    m = int(np.ceil(n / kk))
    rng = np.random.default_rng(5)

    def college_means(shift):
        u = rng.normal(0, np.sqrt(icc), (R_SIMS, kk))
        e = rng.normal(0, np.sqrt(1 - icc), (R_SIMS, kk, m))
        return shift + (u[:, :, None] + e).mean(axis=(1, 2))

    # power for the planted ICC at the planned n, judged with the estimated ICC's deff
    diff = college_means(0.3) - college_means(0.0)
    se_true = np.sqrt(2 * (1 + (m - 1) * icc) / (kk * m))
    z = stats.norm.isf(t["alpha_test"] / 2)
    achieved = (np.abs(diff / se_true) > z).mean()
    # the plan used the estimated ICC: compare with the power it implies for the true one
    expected = stats.norm.sf(z - 0.3 / se_true)
    assert abs(achieved - expected) <= 0.03
    if abs(est - icc) < 0.01:
        assert abs(achieved - 0.8) <= 0.05


def test_fixed_branches_can_make_the_target_unreachable():
    d = _two_colleges(np.random.default_rng(6), icc=0.3, k=5)
    t = plan_sample_size(d, dv="P1", effect=0.3, family=5, cluster="branch",
                         fixed_clusters=True).iloc[0]
    assert np.isnan(t["n_needed"]) and "无法达到" in t["note"]


def test_did_plan_has_the_power_by_simulation():
    d = _two_colleges(np.random.default_rng(7), colleges=("本院", "对标A", "对标B", "对标C"))
    t = plan_gap_change(d, dv="P1", effect=0.4, family=5).iloc[0]
    assert (t["n_ref1"], t["n1"]) == (150, 450)
    n = int(t["n_needed"])
    sd = t["sd"]
    rng = np.random.default_rng(8)
    # four independent samples, DiD planted 0.4 SD; Welch-type four-part t test
    sizes = {"h1": 150, "b1": 450, "h2": n, "b2": n}
    shift = {"h1": 0.0, "b1": 0.0, "h2": 0.4 * sd, "b2": 0.0}
    m, v = {}, {}
    for g, size in sizes.items():
        x = rng.normal(shift[g], sd, (R_SIMS, size))
        m[g], v[g] = x.mean(axis=1), x.var(axis=1, ddof=1) / size
    did = (m["h2"] - m["b2"]) - (m["h1"] - m["b1"])
    se = np.sqrt(sum(v.values()))
    df = se**4 / sum(v[g] ** 2 / (sizes[g] - 1) for g in sizes)
    p = 2 * stats.t.sf(np.abs(did / se), df)
    assert abs((p < t["alpha_test"]).mean() - 0.8) <= 0.03


def test_did_plan_says_when_the_first_wave_is_too_small():
    d = _two_colleges(np.random.default_rng(9), n=20, k=2)
    t = plan_gap_change(d, dv="P1", effect=0.2, family=5).iloc[0]
    assert np.isnan(t["n_needed"]) and "无法达到" in t["note"]


# --------------------------------------------------------------------------------------------
# ICC(1)


def test_icc1_equals_pingouin_for_balanced_clusters():
    d = _two_colleges(np.random.default_rng(10), n=160, k=16, icc=0.2, colleges=("本院",))
    d["member"] = d.groupby("branch").cumcount()
    # R: psych::ICC(wide)$results["Single_raters_absolute", "ICC"] (pingouin's ICC(1,1))
    ref = pg.intraclass_corr(d, targets="branch", raters="member", ratings="P1")
    mine = icc1(d, dv="P1", cluster="branch").iloc[0]
    assert mine["icc"] == pytest.approx(ref.set_index("Type").loc["ICC(1,1)", "ICC"])
    assert (mine["k"], mine["n0"]) == (16, 10)


def test_icc1_recovers_a_planted_icc_in_unbalanced_nested_clusters():
    rng = np.random.default_rng(11)
    est = []
    for _ in range(150):
        parts = []
        for c, mu in (("本院", 3.2), ("对标A", 3.8)):
            sizes = rng.integers(3, 30, 12)
            u = rng.normal(0, np.sqrt(0.1), 12)
            parts.append(pd.DataFrame({
                "college": c, "branch": np.repeat([f"b{j}" for j in range(12)], sizes),
                "P1": mu + np.repeat(u, sizes) + rng.normal(0, np.sqrt(0.9), sizes.sum())}))
        est.append(icc1(pd.concat(parts), dv="P1", cluster="branch", by="college")["icc"].iloc[0])
    assert np.mean(est) == pytest.approx(0.1, abs=0.015)


# --------------------------------------------------------------------------------------------
# invitations, the sentence and the command


def test_invitations_add_up_to_the_overall_rate():
    roster = pd.DataFrame({"college": ["本院"] * 3, "branch": [""] * 3,
                           "member_type": ["在职教职工党员", "学生党员", "离退休党员"],
                           "members": [260, 120, 240]})
    resp = pd.DataFrame({"college": ["本院"] * 150,
                         "member_type": ["在职教职工党员"] * 60 + ["学生党员"] * 30 + ["离退休党员"] * 60})
    inv = invitations(200, roster, resp)
    assert inv["n_needed"].sum() == pytest.approx(200)
    overall = 150 / 620
    assert 0 <= inv["invitations"].sum() - 200 / overall < len(inv)
    assert (inv["invitations"] > inv["members"]).tolist() == (inv["note"] != "").tolist()


def test_sentence_cases():
    s = plan_sentence(100, 414, 0.2419, 620)
    assert "100 份" in s and "414 名" in s and "24%" in s and "超过" not in s
    assert "提高到 33% 以上" in plan_sentence(200, 827, 0.2419, 620)


@pytest.fixture(scope="module")
def demo_plan(cleaned_demo):
    return plan_study(cleaned_demo)


def test_demo_plan_sentence_numbers_are_the_computed_numbers(demo_plan):
    plan, inv, sentence = demo_plan
    assert len(plan) == 5 and plan["label"].notna().all()
    need = int(plan["n_needed"].max())
    rate = inv["n"].sum() / inv["members"].sum()
    nums = [int(v) for v in re.findall(r"(\d+) (?:份|名)", sentence)]
    assert nums[:2] == [need, int(inv["invitations"].sum())]
    assert f"{rate:.0%}" in sentence
    assert (plan["n_now"] == 150).all() and (plan["clusters"] == 11).all()
    assert (plan["n_needed"] >= plan["n_srs"]).all()


def _survey(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SURVEY_PSEUDONYM_KEY", "SURVEY_STUDY")}
    return subprocess.run([sys.executable, "-m", "survey", *args], capture_output=True, text=True,
                          encoding="utf-8", env={**env, "PYTHONIOENCODING": "utf-8"}, timeout=600,
                          check=False)


def test_survey_plan_command(cleaned_demo, demo_plan):
    proc = _survey("plan", "--study", str(cleaned_demo), "-q")
    assert proc.returncode == 0, proc.stderr
    assert demo_plan[2] in proc.stdout
    assert "各维度所需有效问卷" in proc.stdout and "学习型党组织建设" in proc.stdout
    proc = _survey("plan", "--study", str(cleaned_demo), "-q", "--effect", "0.5")
    assert proc.returncode == 0 and demo_plan[2] not in proc.stdout


@pytest.mark.parametrize(("option", "value", "message"), [("--effect", "0", "最小差距无效"),
                                                          ("--power", "1.5", "目标功效无效")])
def test_survey_plan_bad_options(option, value, message):
    proc = _survey("plan", option, value)
    assert proc.returncode == 2 and message in proc.stderr


# -- the planning settings of study.yaml (issue #13 §3) ----------------------------------------
@pytest.fixture(scope="module")
def planned_copy(cleaned_demo, tmp_path_factory):
    """A copy of the cleaned demo whose study.yaml sets ``planning: {min_effect: 0.5, power: 0.9}``."""
    import shutil

    dest = tmp_path_factory.mktemp("planned") / "demo"
    shutil.copytree(cleaned_demo.parent, dest, ignore=shutil.ignore_patterns("reports", "figures"))
    study = dest / cleaned_demo.name
    text = study.read_text(encoding="utf-8")
    assert "\nplanning:" not in text
    study.write_text(text.rstrip("\n") + "\nplanning: {min_effect: 0.5, power: 0.9}\n",
                     encoding="utf-8")
    return study


def test_plan_study_defaults_come_from_study_yaml(planned_copy, cleaned_demo, demo_plan):
    plan, inv, sentence = plan_study(planned_copy)
    assert (plan["effect"] == 0.5).all() and (plan["power"] == 0.9).all()
    assert plan["alpha_test"].tolist() == pytest.approx([0.05 / 5] * 5)
    same, _, same_sentence = plan_study(cleaned_demo, effect=0.5, power=0.9)
    assert plan["n_needed"].tolist() == same["n_needed"].tolist()
    assert sentence == same_sentence
    # and they are not the defaults' numbers
    assert plan["n_needed"].tolist() != demo_plan[0]["n_needed"].tolist()
    # arguments override the file
    back, _, back_sentence = plan_study(planned_copy, effect=0.3, power=0.8)
    assert back["n_needed"].tolist() == demo_plan[0]["n_needed"].tolist()
    assert back_sentence == demo_plan[2]


def test_plan_study_alpha_from_study_yaml(planned_copy, cleaned_demo, tmp_path):
    import shutil

    study = tmp_path / "demo" / planned_copy.name
    shutil.copytree(planned_copy.parent, study.parent)
    study.write_text(study.read_text(encoding="utf-8").replace(
        "planning: {min_effect: 0.5, power: 0.9}", "planning: {alpha: 0.1}"), encoding="utf-8")
    plan = plan_study(study)[0]
    assert plan["alpha_test"].tolist() == pytest.approx([0.1 / 5] * 5)
    assert plan["n_needed"].tolist() == plan_study(cleaned_demo, power=0.8,
                                                   alpha=0.1)[0]["n_needed"].tolist()


def test_invitations_per_dimension_are_the_invitations_of_its_need(demo_plan):
    plan, inv, _ = demo_plan
    worst = plan.loc[plan["n_needed"].idxmax()]
    assert worst["invitations"] == inv["invitations"].sum()
    # more respondents needed -> at least as many invitations
    order = plan.sort_values("n_needed")
    assert order["invitations"].is_monotonic_increasing
    overall = inv["n"].sum() / inv["members"].sum()
    for n, m in zip(plan["n_needed"], plan["invitations"], strict=True):
        assert 0 <= m - n / overall < len(inv)  # n / rate, rounded up per member type


def test_survey_plan_command_uses_study_yaml(planned_copy, cleaned_demo):
    expected = plan_study(cleaned_demo, effect=0.5, power=0.9)[2]
    proc = _survey("plan", "--study", str(planned_copy), "-q")
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout and "0.50" in proc.stdout
    proc = _survey("plan", "--study", str(planned_copy), "-q", "--effect", "0.3", "--power", "0.8")
    assert proc.returncode == 0, proc.stderr
    assert plan_study(cleaned_demo)[2] in proc.stdout and expected not in proc.stdout
