"""Importance-performance analysis: names, quadrants and gaps checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from survey.stats.ipa import ipa, project_items


def test_project_names_from_codebook(codebook):
    p = project_items(codebook)
    assert len(p) == 8
    assert p["name"].tolist()[:2] == ["政治领航", "铁军淬炼"]
    assert p["name"].iloc[-1] == "舆论阵地建设"


def test_ipa_means_gap_and_quadrants(study, codebook):
    res = ipa(study, codebook, n_boot=300).set_index("project")
    home = study[study["college"] == "本院"]
    imp_means = {k: home[f"IMP_{k}"].mean() for k in range(1, 9)}
    perf_means = {k: home[f"PERF_{k}"].mean() for k in range(1, 9)}
    gi, gp = np.mean(list(imp_means.values())), np.mean(list(perf_means.values()))
    names = {(True, True): "继续保持", (True, False): "重点改进", (False, False): "低优先级",
             (False, True): "可能过度投入"}
    for k in range(1, 9):
        assert res.loc[k, "imp_mean"] == pytest.approx(imp_means[k])
        assert res.loc[k, "quadrant"] == names[(imp_means[k] >= gi, perf_means[k] >= gp)]
        both = home[[f"IMP_{k}", f"PERF_{k}"]].dropna()
        d = both.iloc[:, 0] - both.iloc[:, 1]
        assert res.loc[k, "diff"] == pytest.approx(d.mean())
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        assert res.loc[k, "ci_low"] == pytest.approx(d.mean() - half)
    # planted: project 1 is important and performs worst at home, and below the benchmark
    assert res.loc[1, "quadrant"] == "重点改进"
    assert res.loc[1, "bench_ci_high"] < 0
    bench = study[study["college"] != "本院"]["PERF_1"].dropna()
    assert res.loc[1, "bench_diff"] == pytest.approx(home["PERF_1"].mean() - bench.mean())


def test_ipa_all_four_quadrants(codebook):
    # constructed means: projects 1-2 high/low, 3-4 high/high, 5-6 low/low, 7-8 low/high
    imp = [5, 5, 5, 5, 2, 2, 2, 2]
    perf = [2, 2, 5, 5, 2, 2, 5, 5]
    rows = []
    for r in range(4):
        rec = {"college": "本院"}
        for k in range(8):
            rec[f"IMP_{k + 1}"] = float(imp[k] - (r % 2))
            rec[f"PERF_{k + 1}"] = float(perf[k] - (r // 2 % 2))
        rows.append(rec)
    res = ipa(pd.DataFrame(rows), codebook).set_index("project")
    assert res.loc[1, "quadrant"] == "重点改进"
    assert res.loc[3, "quadrant"] == "继续保持"
    assert res.loc[5, "quadrant"] == "低优先级"
    assert res.loc[7, "quadrant"] == "可能过度投入"
    assert res.index[0] in (1, 2)  # priorities first
