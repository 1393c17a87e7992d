"""Lower-is-better scales in gap tables and the triangulation; the rule stated from thresholds.

Planted truth: the home college scores 0.6 points lower on a higher-is-better scale and 0.6
points higher on a lower-is-better burden scale (both are problems), and 0.6 lower on a second
burden scale (home is better there).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from survey.config.codebook import Codebook
from survey.config.study import Materiality
from survey.errors import SurveyError
from survey.stats.compare import POOLED, gap_by_item, gap_by_scale
from survey.stats.triangulate import (
    RuleThresholds,
    orient_gaps,
    questionnaire_signal,
    rule_summary,
    rule_table,
    threshold_table,
    triangulate,
)

PLANTED = {"learn": -0.6, "burden": 0.6, "stress": -0.6}
DIRECTIONS = {"learn": "higher_is_better", "burden": "lower_is_better", "stress": "lower_is_better"}
AREAS = {"P1": "learn", "P2": "burden", "P3": "stress"}


def _codebook() -> Codebook:
    items, scales = [], []
    for sid, direction in DIRECTIONS.items():
        ids = [f"{sid}_{i}" for i in range(1, 5)]
        items += [{"id": i, "text": i, "type": "likert", "options": "agree"} for i in ids]
        scales.append({"id": sid, "label": sid, "items": ids, "direction": direction})
    return Codebook.model_validate({
        "title": "方向测试", "items": items, "scales": scales,
        "option_sets": {"agree": {1: "很少", 2: "较少", 3: "一般", 4: "较多", 5: "很多"}}})


def _responses(seed: int = 3, n: int = 150) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for college in ["本院", "甲校", "乙校"]:
        rec: dict[str, object] = {"college": [college] * n}
        for sid, gap in PLANTED.items():
            latent = 3.0 + (gap if college == "本院" else 0.0) + rng.normal(0, 0.6, n)
            for i in range(1, 5):
                rec[f"{sid}_{i}"] = np.clip(np.rint(latent + rng.normal(0, 0.5, n)), 1, 5)
        frames.append(pd.DataFrame(rec))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def pooled_gaps() -> pd.DataFrame:
    t = gap_by_scale(_responses(), _codebook(), n_boot=300)
    return t[t["group"] == POOLED].reset_index(drop=True)


def test_codebook_exposes_direction():
    assert _codebook().scale_directions() == DIRECTIONS


def test_planted_lower_is_better_gap_table(pooled_gaps):
    o = orient_gaps(pooled_gaps, _codebook().scale_directions()).set_index("scale")
    assert np.sign(o["effect"]).to_dict() == {"learn": -1.0, "burden": 1.0, "stress": -1.0}
    assert o["direction"].to_dict() == DIRECTIONS
    # home lower on learn and higher on burden: unfavourable; lower on stress: favourable
    assert o["favourable"].tolist() == [False, False, True]
    assert o["better"].tolist() == ["group", "group", "reference"]
    plain = orient_gaps(pooled_gaps).set_index("scale")  # no directions: all higher-is-better
    assert plain["favourable"].tolist() == [False, True, False]


def test_item_tables_take_their_scale_direction():
    t = gap_by_item(_responses(), _codebook(), items=["learn_1", "burden_1", "stress_1"], n_boot=200)
    o = orient_gaps(t[t["group"] == POOLED], DIRECTIONS).set_index("item")
    assert o["direction"].tolist() == list(DIRECTIONS.values())
    assert o["favourable"].tolist() == [False, False, True]


def test_planted_lower_is_better_triangulation(pooled_gaps):
    q = pooled_gaps[["scale", "effect", "effect_ci_low", "effect_ci_high", "p_adj"]]
    t = triangulate(q, None, scale_areas=AREAS, scale_directions=DIRECTIONS,
                    areas=list(AREAS)).set_index("area")
    assert t["q_signal"].tolist() == ["支持", "支持", "相反"]
    assert t["direction"].tolist() == list(DIRECTIONS.values())
    assert "越低越好" in t.loc["P2", "rationale"] and "越低越好" not in t.loc["P1", "rationale"]
    # the same table read as higher-is-better everywhere turns the burden problem around
    naive = triangulate(q, None, scale_areas=AREAS, areas=list(AREAS)).set_index("area")
    assert naive["q_signal"].tolist() == ["支持", "相反", "支持"]
    # a direction column in the questionnaire table works as well
    col = triangulate(q.assign(direction=q["scale"].map(DIRECTIONS)), None, scale_areas=AREAS,
                      areas=list(AREAS))
    assert col["q_signal"].tolist() == t["q_signal"].tolist()


def test_non_significant_gap_has_no_better_side():
    g = pd.DataFrame({"scale": ["s"], "diff": [-0.1], "effect": [-0.1], "effect_ci_low": [-0.4],
                      "effect_ci_high": [0.2], "p_adj": [0.5]})
    o = orient_gaps(g, {"s": "lower_is_better"})
    assert o["favourable"].tolist() == [True] and o["better"].tolist() == [None]
    assert questionnaire_signal(0.3, 0.0, 0.6, 0.2, direction="lower_is_better") == "部分支持"
    with pytest.raises(SurveyError, match="无法识别"):
        orient_gaps(g, {"s": "down"})


# -- the rule stated from the thresholds --------------------------------------------------------
CHANGED = RuleThresholds(alpha=0.01, min_effect=0.3, share_support=0.25, share_partial=0.08,
                         kappa_support=0.7, behind_support=0.6)
CHANGED_M = Materiality(percent=3.0, ratio=0.2, count=0.15)


@pytest.mark.parametrize("render", [
    lambda t, m: "\n".join(rule_table(t, materiality=m)["条件"]),
    lambda t, m: rule_summary(t, materiality=m),
], ids=["table", "summary"])
def test_rule_text_follows_thresholds(render):
    default = render(RuleThresholds(), None)
    for s in ("p < 0.05", "15% 的发言", "κ ≥ 0.6", "超过 50%", "5 个百分点", "中位数的 10%"):
        assert s in default, s
    changed = render(CHANGED, CHANGED_M)
    for s in ("p < 0.01", "25% 的发言", "κ ≥ 0.7", "超过 60%", "3 个百分点", "中位数的 20%",
              "中位数的 15%"):
        assert s in changed, s
    for s in ("p < 0.05", "15% 的发言", "κ ≥ 0.6", "50%", "5 个百分点", "中位数的 10%"):
        assert s not in changed, s


def test_rule_table_shape_and_summary_length():
    r = rule_table()
    assert list(r.columns) == ["来源", "结论", "条件"]
    assert r.groupby("来源", sort=False).size().to_dict() == {"问卷": 5, "座谈会": 4, "对标指标": 4, "合成": 4}
    assert r.loc[r["来源"] == "合成", "结论"].tolist() == ["强", "中", "弱", "不支持"]
    assert "0.3" in "".join(rule_table(CHANGED)["条件"])  # min_effect
    sentences = [x for x in re.split("。", rule_summary()) if x]
    assert 3 <= len(sentences) <= 5
    for word in ("强", "中", "弱", "不支持", "问卷", "座谈会", "对标指标"):
        assert word in rule_summary()
    tt = threshold_table(CHANGED, materiality=CHANGED_M).set_index("参数")["取值"]
    assert tt["alpha"] == 0.01 and tt["materiality.count"] == 0.15
