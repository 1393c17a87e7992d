"""Indicator materiality: only a shortfall of at least the kind's threshold counts (issue #9 §3).

Planted truth: the benchmark median is set by construction (75, 68, 72, 71 -> 71.5), so the
shortfall of each planted home value is known exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.config.study import Materiality
from survey.errors import SurveyError
from survey.instruments.indicators import read_indicators
from survey.stats.indicators import indicator_gaps, indicator_kind
from survey.stats.triangulate import triangulate

DEMO_INDICATORS = Path(__file__).resolve().parents[2] / "data" / "raw" / "demo" / "合成演示_对标指标.xlsx"
BENCH = {"甲校": 75.0, "乙校": 68.0, "丙校": 72.0, "丁校": 71.0}  # median 71.5


def _table(specs: dict[str, tuple[str, str, float, list[float]]]) -> pd.DataFrame:
    """``{indicator: (unit, direction, home value, benchmark values)}`` as a long table."""
    rows = []
    for ind, (unit, direction, home, bench) in specs.items():
        for college, v in zip(["本院", *BENCH], [home, *bench], strict=True):
            rows.append({"college": college, "indicator": ind, "value": v, "unit": unit,
                         "direction": direction, "area": "P3"})
    return pd.DataFrame(rows)


def test_planted_percent_shortfalls():
    b = list(BENCH.values())
    g = indicator_gaps(_table({
        "slight": ("%", "higher", 70.0, b),       # 1.5 points behind: behind, not material
        "clear": ("%", "higher", 60.0, b),        # 11.5 points behind: material
        "edge": ("%", "higher", 66.5, b),         # exactly 5 points: material (at least 5)
        "ahead": ("%", "higher", 80.0, b),
    })).set_index("indicator")
    assert (g["benchmark_median"] == 71.5).all()
    assert g.loc["slight", "gap_median"] == pytest.approx(-1.5)
    assert bool(g.loc["slight", "behind_median"]) and not g.loc["slight", "material"]
    assert g.loc["clear", "material"] and g.loc["edge", "material"]
    assert not g.loc["ahead", "material"]
    assert (g["kind"] == "percent").all() and (g["material_threshold"] == 5.0).all()
    assert "5 个百分点" in g.loc["slight", "material_rule"]


def test_relative_kinds_and_direction():
    g = indicator_gaps(_table({
        "每百名党员党务人员数": ("人", "higher", 0.9, [1.0, 1.0, 1.2, 0.8]),    # −10 %: material
        "每百名党员书记数": ("人", "higher", 0.95, [1.0, 1.0, 1.2, 0.8]),      # −5 %: not
        "整改用时": ("天", "lower", 45.0, [40.0, 40.0, 30.0, 50.0]),            # 12.5 % longer
        "办结用时": ("天", "lower", 42.0, [40.0, 40.0, 30.0, 50.0]),            # 5 % longer
        "品牌数量": ("个", "higher", 0.0, [0.0, 0.0, 1.0, 0.0]),                # median 0: level
        "违纪件数": ("件", "lower", 2.0, [0.0, 0.0, 1.0, 0.0]),                 # behind a median of 0
    })).set_index("indicator")
    assert g.loc["每百名党员党务人员数", "kind"] == "ratio" and g.loc["整改用时", "kind"] == "count"
    assert g.loc["每百名党员党务人员数", "material"] and not g.loc["每百名党员书记数", "material"]
    assert g.loc["整改用时", "gap_median_share"] == pytest.approx(-0.125)
    assert g.loc["整改用时", "material"] and not g.loc["办结用时", "material"]
    assert not g.loc["品牌数量", "material"] and g.loc["违纪件数", "material"]


def test_yes_no_any_shortfall_counts():
    g = indicator_gaps(_table({
        "建有平台": ("是/否", "higher", 0.0, [1.0, 1.0, 0.0, 1.0]),
        "建有基地": ("是/否", "higher", 0.0, [1.0, 0.0, 0.0, 0.0]),   # most benchmarks lack it too
        "设有专岗": ("", "higher", 1.0, [1.0, 1.0, 1.0, 0.0]),        # no unit, 0/1 values
    })).set_index("indicator")
    assert (g["kind"] == "yes_no").all() and (g["material_threshold"] == 0.0).all()
    assert g.loc["建有平台", "material"] and not g.loc["建有基地", "material"]
    assert not g.loc["设有专岗", "material"]


@pytest.mark.parametrize("materiality", [Materiality(percent=1.0), {"percent": 1.0}])
def test_threshold_override(materiality):
    g = indicator_gaps(_table({"slight": ("%", "higher", 70.0, list(BENCH.values()))}),
                       materiality=materiality)
    assert g["material"].tolist() == [True] and g["material_threshold"].tolist() == [1.0]


def test_bad_override_and_kind_column():
    with pytest.raises(ValueError, match="小于 1"):
        indicator_gaps(_table({"x": ("人", "higher", 1.0, [1.0] * 4)}), materiality={"ratio": 10})
    t = _table({"x": ("个", "higher", 1.0, [2.0] * 4)}).assign(kind="share")
    with pytest.raises(SurveyError, match="无法识别"):
        indicator_gaps(t)
    g = indicator_gaps(t.assign(kind="percent"))  # an explicit kind wins over the unit
    assert g["kind"].tolist() == ["percent"] and g["material"].tolist() == [False]


def test_no_benchmark_gives_na():
    g = indicator_gaps(_table({"x": ("%", "higher", 70.0, [np.nan] * 4)}))
    assert g["n_benchmark"].tolist() == [0] and pd.isna(g["material"].iloc[0])


def test_demo_indicators_kinds_and_the_level_p3_indicator():
    g = indicator_gaps(read_indicators(DEMO_INDICATORS)).set_index("indicator")
    kinds = g["kind"].to_dict()
    assert kinds["达到“五个规范”的党支部比例"] == "percent"
    assert kinds["建有智慧党建平台"] == "yes_no"
    assert kinds["每百名党员专职党务工作人员数"] == "ratio"
    assert kinds["校级以上党建品牌数量"] == "count"
    p3 = g.loc["二级院系党组织参与专业建设前置研究比例"]  # 70 % against a median of 71.5 %
    assert bool(p3["behind_median"]) and not p3["material"]
    tri = triangulate(None, g.reset_index()).set_index("area")
    assert tri.loc["P3", ["n_behind", "n_material", "i_signal"]].tolist() == [1, 0, "不支持"]
    assert "另有 1 项略低" in tri.loc["P3", "rationale"]
    assert tri.loc["P2", "i_signal"] == "支持"  # both P2 indicators far behind


def test_kind_rules():
    assert indicator_kind("％") == "percent" and indicator_kind("百分比") == "percent"
    assert indicator_kind("有/无") == "yes_no" and indicator_kind("", "是否建立制度") == "yes_no"
    assert indicator_kind("次/支部") == "ratio" and indicator_kind("小时", "党员人均学习时长") == "ratio"
    assert indicator_kind("个", "品牌数量") == "count" and indicator_kind(np.nan) == "count"
    assert indicator_kind("", values=pd.Series([0.0, 1.0, 2.0])) == "count"
