"""Movement of the projects' IPA positions between two waves, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.errors import SurveyError
from survey.stats.ipa import ipa_movement


def _wave(imp: list[float], perf: list[float], bench: list[float] | None) -> pd.DataFrame:
    """An IPA table as :func:`survey.stats.ipa.ipa` returns it (the columns used), rows
    deliberately out of project order."""
    gi, gp = float(np.mean(imp)), float(np.mean(perf))
    names = {(True, True): "继续保持", (True, False): "重点改进", (False, False): "低优先级",
             (False, True): "可能过度投入"}
    t = pd.DataFrame({"project": [1, 2, 3], "name": ["政治领航", "铁军淬炼", "固本强基"],
                      "imp_mean": imp, "perf_mean": perf, "imp_grand": gi, "perf_grand": gp,
                      "quadrant": [names[(i >= gi, p >= gp)] for i, p in zip(imp, perf,
                                                                            strict=True)]})
    if bench is not None:
        t["bench_mean"] = bench
        t["bench_diff"] = np.array(perf) - np.array(bench)
    return t.iloc[[2, 0, 1]].reset_index(drop=True)


# Wave 1: imp 4.5 3.0 3.9 (grand 3.8), perf 3.0 4.0 3.5 (grand 3.5)
#   -> 1 重点改进, 2 可能过度投入, 3 继续保持 (3.9 >= 3.8, 3.5 >= 3.5)
# Wave 2: imp 4.4 3.2 3.9 (grand 3.8333), perf 4.2 3.6 3.3 (grand 3.7)
#   -> 1 继续保持, 2 低优先级, 3 重点改进 (3.9 >= 3.83, 3.3 < 3.7)
W1 = dict(imp=[4.5, 3.0, 3.9], perf=[3.0, 4.0, 3.5], bench=[3.4, 3.8, 3.5])
W2 = dict(imp=[4.4, 3.2, 3.9], perf=[4.2, 3.6, 3.3], bench=[3.6, 3.7, 3.9])


def test_movement_hand_computed() -> None:
    m = ipa_movement(_wave(**W1), _wave(**W2), wave1="2025年", wave2="2026年")
    assert m["project"].tolist() == [1, 2, 3]
    assert m["name"].tolist() == ["政治领航", "铁军淬炼", "固本强基"]
    assert (m["wave1"] == "2025年").all() and (m["wave2"] == "2026年").all()
    assert m["importance1"].tolist() == [4.5, 3.0, 3.9]
    assert m["importance2"].tolist() == [4.4, 3.2, 3.9]
    assert m["importance_change"].tolist() == pytest.approx([-0.1, 0.2, 0.0])
    assert m["performance1"].tolist() == [3.0, 4.0, 3.5]
    assert m["performance2"].tolist() == [4.2, 3.6, 3.3]
    assert m["performance_change"].tolist() == pytest.approx([1.2, -0.4, -0.2])
    assert m["imp_grand1"].tolist() == pytest.approx([3.8] * 3)
    assert m["imp_grand2"].tolist() == pytest.approx([11.5 / 3] * 3)
    assert m["perf_grand2"].tolist() == pytest.approx([3.7] * 3)
    assert m["quadrant1"].tolist() == ["重点改进", "可能过度投入", "继续保持"]
    assert m["quadrant2"].tolist() == ["继续保持", "低优先级", "重点改进"]
    assert m["moved"].tolist() == [True, True, True]
    # Benchmarks: 3.4 3.8 3.5 -> 3.6 3.7 3.9: change +0.2 -0.1 +0.4.
    assert m["bench_change"].tolist() == pytest.approx([0.2, -0.1, 0.4])
    # Gap 本院 − benchmark: -0.4 +0.2 0.0 -> +0.6 -0.1 -0.6: change +1.0 -0.3 -0.6.
    assert m["gap1"].tolist() == pytest.approx([-0.4, 0.2, 0.0])
    assert m["gap2"].tolist() == pytest.approx([0.6, -0.1, -0.6])
    assert m["gap_change"].tolist() == pytest.approx([1.0, -0.3, -0.6])


def test_unmoved_project_and_no_benchmark_columns() -> None:
    w1 = _wave(imp=[4.5, 3.0, 3.9], perf=[3.0, 4.0, 3.5], bench=None)
    w2 = _wave(imp=[4.6, 3.0, 3.6], perf=[3.1, 4.1, 3.4], bench=None)
    m = ipa_movement(w1, w2, wave1="第一轮", wave2="第二轮")
    # wave 2 grand imp 3.7333, perf 3.5333: 3 -> (3.6 < 3.73, 3.4 < 3.53) 低优先级
    assert m["quadrant2"].tolist() == ["重点改进", "可能过度投入", "低优先级"]
    assert m["moved"].tolist() == [False, False, True]
    assert not {"bench_change", "gap_change", "gap1"} & set(m.columns)


def test_benchmark_in_one_wave_only_gives_no_gap_change() -> None:
    m = ipa_movement(_wave(**W1), _wave(W2["imp"], W2["perf"], None), wave1="一", wave2="二")
    assert "gap_change" not in m.columns


def test_projects_must_match() -> None:
    w2 = _wave(**W2)
    w2.loc[w2["project"] == 3, "project"] = 4
    with pytest.raises(SurveyError) as e:
        ipa_movement(_wave(**W1), w2, wave1="第一轮", wave2="第二轮")
    msg = e.value.message_zh()
    assert "项目不一致" in msg and "仅“第一轮”有项目 3" in msg and "仅“第二轮”有项目 4" in msg


def test_missing_column_and_duplicate_project() -> None:
    with pytest.raises(SurveyError, match="缺少列：quadrant"):
        ipa_movement(_wave(**W1).drop(columns="quadrant"), _wave(**W2), wave1="一", wave2="二")
    dup = pd.concat([_wave(**W2), _wave(**W2).iloc[[0]]])
    with pytest.raises(SurveyError, match="项目重复"):
        ipa_movement(_wave(**W1), dup, wave1="一", wave2="二")
