"""Planted effects recovered from the raw files with plain pandas (readers not used)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from demo_helpers import scale_scores

SCALES = ["P1", "P2", "P3", "P4", "P5"]
TYPES = {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"}


@pytest.fixture(scope="module")
def cells(raw: dict, truth: dict, codebook_data: dict, demo_dir: Path) -> pd.DataFrame:
    """n, mean, sd of every scale per college x member type: raw files (genuine rows) + summary."""
    out = []
    for fname, f in raw.items():
        if fname == truth["crosscheck"]["code"]:
            continue
        c = f["codes"]
        keep = ~c["_row"].isin(truth["files"][fname]["planted_extra_rows"])
        scores = scale_scores(c[keep], codebook_data).assign(member_type=c.loc[keep, "member_type"].map(TYPES))
        for s in SCALES:
            g = scores.groupby("member_type")[s].agg(["count", "mean", "std"]).reset_index()
            out += [(f["college"], r.member_type, s, r["count"], r["mean"], r["std"]) for _, r in g.iterrows()]
    summ = pd.read_excel(demo_dir / truth["summary_only"]["file"], engine="openpyxl")
    summ = summ[summ["党员类型"].notna() & summ["量表或题目"].isin(SCALES)]
    out += [(r["院校"], r["党员类型"], r["量表或题目"], r["样本量"], r["均值"], r["标准差"]) for _, r in summ.iterrows()]
    return pd.DataFrame(out, columns=["college", "member_type", "scale", "n", "mean", "sd"])


def _gaps(cells: pd.DataFrame) -> tuple[dict, dict]:
    within, naive = {}, {}
    for s, d in cells.groupby("scale"):
        sd = np.sqrt(((d["n"] - 1) * d["sd"] ** 2).sum() / (d["n"] - 1).sum())
        home, bench = d[d["college"] == "本院"].set_index("member_type"), d[d["college"] != "本院"]
        bm = bench.groupby("member_type").apply(lambda x: np.average(x["mean"], weights=x["n"]))
        within[s] = float(((home["mean"] - bm[home.index]) * home["n"] / home["n"].sum()).sum() / sd)
        naive[s] = float((np.average(home["mean"], weights=home["n"]) - np.average(bench["mean"], weights=bench["n"])) / sd)
    return within, naive


def test_realised_gaps_match_truth_exactly(cells: pd.DataFrame, truth: dict) -> None:
    within, naive = _gaps(cells)
    real = truth["effects"]["realised"]
    for s in SCALES:  # the summary file rounds to 4 decimals
        assert within[s] == pytest.approx(real["gap_within_type_sd"][s], abs=2e-3)
        assert naive[s] == pytest.approx(real["gap_naive_sd"][s], abs=2e-3)


def test_home_behind_on_p2_p4_p5_and_level_on_p1_p3(cells: pd.DataFrame, truth: dict) -> None:
    within, naive = _gaps(cells)
    planted = truth["effects"]["planted_gap_sd_approx"]
    for s in ("P2", "P4", "P5"):
        assert truth["effects"]["expected"][s] == "behind"
        assert -0.6 <= planted[s] <= -0.4  # planted: 0.4–0.6 SD behind within member type
        assert -0.7 < within[s] < -0.35
        assert naive[s] > within[s] + 0.08  # the naive comparison understates the gap (confounding)
    for s in ("P1", "P3"):
        assert truth["effects"]["expected"][s] == "level"
        assert abs(planted[s]) < 0.1
        assert abs(within[s]) < 0.15
    # the same direction holds inside every member type
    for s in ("P2", "P4", "P5"):
        d = cells[cells["scale"] == s]
        for t in TYPES.values():
            home = d[(d["college"] == "本院") & (d["member_type"] == t)]["mean"].item()
            bench = d[(d["college"] != "本院") & (d["member_type"] == t)]
            assert home < np.average(bench["mean"], weights=bench["n"]) - 0.1, (s, t)


def test_member_type_mix_confounds(cells: pd.DataFrame, truth: dict) -> None:
    d = cells[cells["scale"] == "P1"]
    share = d.groupby("college").apply(lambda x: x.loc[x["member_type"] == "离退休党员", "n"].sum() / x["n"].sum())
    assert share["本院"] == pytest.approx(0.4)
    assert (share.drop("本院") < 0.2).all()
    # retirees rate higher than in-service staff everywhere
    piv = d.pivot_table(index="college", columns="member_type", values="mean")
    assert (piv["离退休党员"] > piv["在职教职工党员"] + 0.2).all()
    assert truth["effects"]["member_type_effect"]["离退休党员"] > 0.3


def test_scales_are_reliable(raw: dict, truth: dict, codebook_data: dict) -> None:
    f = raw[truth["crosscheck"]["text"]]["codes"]
    f = f[~f["_row"].isin(truth["files"][truth["crosscheck"]["text"]]["planted_extra_rows"])]
    for sc in codebook_data["scales"]:
        x = f[sc["items"]].astype(float)
        for r in sc["reverse"]:
            x[r] = 6 - x[r]
        k = x.shape[1]
        # Cronbach's alpha, R: psych::alpha(x)$total$raw_alpha
        alpha = k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))
        assert 0.75 <= alpha <= 0.92, (sc["id"], alpha)
        # reverse-worded items correlate negatively with the rest before reverse keying
        raw_rev = 6 - x[sc["reverse"][0]]
        assert raw_rev.corr(x.drop(columns=sc["reverse"]).mean(axis=1)) < -0.3


def test_ipa_priority_projects(raw: dict, truth: dict) -> None:
    fname = truth["crosscheck"]["text"]
    c = raw[fname]["codes"]
    c = c[~c["_row"].isin(truth["files"][fname]["planted_extra_rows"])]
    ipa = truth["ipa"]
    imp = {p: c[ids["importance"]].mean() for p, ids in ipa["items"].items()}
    perf = {p: c[ids["performance"]].mean() for p, ids in ipa["items"].items()}
    for p in imp:
        assert imp[p] == pytest.approx(ipa["realised_home_means"][p]["importance"], abs=1e-6)
        assert perf[p] == pytest.approx(ipa["realised_home_means"][p]["performance"], abs=1e-6)
    mi, mp = np.mean(list(imp.values())), np.mean(list(perf.values()))
    assert ipa["priority_projects"] == ["固本强基", "服务保障", "品牌铸造"]
    for p in ipa["priority_projects"]:
        assert imp[p] > mi + 0.1 and perf[p] < mp - 0.2, p


def test_summary_file_matches_truth(demo_dir: Path, truth: dict) -> None:
    summ = pd.read_excel(demo_dir / truth["summary_only"]["file"], engine="openpyxl")
    college = truth["summary_only"]["college"]
    assert set(summ["院校"]) == {college}
    overall = summ[summ["党员类型"].isna()].set_index("量表或题目")
    real = truth["effects"]["realised"]["scale_stats"][college]["全体"]
    for s in SCALES:
        assert overall.loc[s, "样本量"] == real[s]["n"] == 150
        assert overall.loc[s, "均值"] == pytest.approx(real[s]["mean"], abs=1e-4)
    assert {"IMP_1", "PERF_8", "P4_6"} <= set(overall.index)
    by_type = summ[summ["党员类型"].notna() & (summ["量表或题目"] == "P1")]
    assert by_type["样本量"].sum() == 150
