"""Triangulation: the evidence rule of docs/triangulation.md and the joined table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.stats.triangulate import (
    indicator_signal,
    questionnaire_signal,
    rate_evidence,
    symposium_signal,
    triangulate,
)


@pytest.mark.parametrize(("q", "s", "i", "rating"), [
    ("支持", "支持", "无数据", "强"),
    ("支持", "部分支持", "支持", "强"),
    ("支持", "不支持", "不支持", "中"),
    ("部分支持", "支持", "支持", "中"),
    ("不支持", "支持", "部分支持", "中"),
    ("不支持", "部分支持", "部分支持", "弱"),
    ("相反", "支持", "支持", "弱"),
    ("支持", "支持", "相反", "弱"),
    ("相反", "不支持", "无数据", "不支持"),
    ("无数据", "无数据", "无数据", "不支持"),
])
def test_rating_rule_table(q, s, i, rating):
    assert rate_evidence(q, s, i) == rating


def test_source_signals():
    assert questionnaire_signal(-0.5, -0.8, -0.2, 0.01) == "支持"
    assert questionnaire_signal(-0.5, -0.8, -0.2, 0.20) == "部分支持"   # not significant after adjustment
    assert questionnaire_signal(-0.1, -0.4, 0.2, 0.50) == "不支持"
    assert questionnaire_signal(0.4, 0.1, 0.7, 0.01) == "相反"
    assert questionnaire_signal(np.nan, np.nan, np.nan, np.nan) == "无数据"
    assert symposium_signal(0.20, 0.70) == "支持"
    assert symposium_signal(0.20, 0.40) == "部分支持"  # frequent but unreliable coding
    assert symposium_signal(0.03, 0.90) == "不支持"
    assert indicator_signal(3, 2) == "支持" and indicator_signal(4, 2) == "部分支持"
    assert indicator_signal(2, 0) == "不支持" and indicator_signal(0, 0) == "无数据"


def test_triangulate_joins_sources(themes, simulate):
    q = pd.DataFrame({
        "scale": ["learn", "branch", "lead", "serve", "brand"],
        "effect": [-0.6, -0.1, -0.4, 0.3, -0.5],
        "effect_ci_low": [-0.9, -0.4, -0.7, 0.05, -0.8],
        "effect_ci_high": [-0.3, 0.2, -0.1, 0.55, -0.2],
        "p_adj": [0.001, 0.6, 0.03, 0.04, 0.002],
    })
    scale_areas = {"P1": "learn", "P2": "branch", "P3": "lead", "P4": "serve", "P5": "brand"}
    st, _ = simulate({"书记": {"T01": 0.4, "T02": 0.1, "T03": 0.2, "T06": 0.02}}, 300,
                     miss=0.05, false_add=0.01, seed=4)
    gaps = pd.DataFrame({
        "indicator": ["a", "b", "c", "d"], "area": ["P1", "P1", "P4", "P5"],
        "gap_median": [-1.0, -2.0, 1.0, np.nan], "gap_median_share": [-0.1, -0.2, 0.1, np.nan],
    })
    t = triangulate(q, gaps, statements=st, themes=themes, scale_areas=scale_areas).set_index("area")
    assert list(t.index) == ["P1", "P2", "P3", "P4", "P5"]
    assert t.loc["P1", ["q_signal", "s_signal", "i_signal", "rating"]].tolist() == ["支持", "支持", "支持", "强"]
    assert t.loc["P1", "share"] == pytest.approx(
        st["codes_a"].map(lambda s: bool({"T01", "T02"} & set(s))).mean())
    assert t.loc["P4", "q_signal"] == "相反" and t.loc["P4", "i_signal"] == "不支持"
    assert t.loc["P5", "n_indicators"] == 0 and t.loc["P5", "i_signal"] == "无数据"
    assert t.loc["P5", "s_signal"] == "不支持" and t.loc["P5", "rating"] == "中"
    assert "问卷" in t.loc["P1", "rationale"] and "kappa" in t.loc["P1", "rationale"]


def test_triangulate_without_symposium_or_indicators():
    q = pd.DataFrame({"scale": ["x"], "effect": [-0.5], "effect_ci_low": [-0.8],
                      "effect_ci_high": [-0.2], "p_adj": [0.01], "area": ["P1"]})
    t = triangulate(q, None)
    assert t["rating"].tolist() == ["中", "不支持", "不支持", "不支持", "不支持"]
