"""study.yaml ``indicators.materiality`` and the codebook's scale ``direction`` (issue #9 §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.config.codebook import load_codebook
from survey.config.study import Materiality, load_study
from survey.errors import SurveyError

BIGFIVE = Path(__file__).resolve().parents[2] / "examples" / "bigfive"


def _with_indicators(materiality=None):
    def mutate(d):
        d["indicators"] = {"path": "data/raw/本院.csv"}
        if materiality is not None:
            d["indicators"]["materiality"] = materiality
    return mutate


def test_materiality_defaults_and_override(make_study):
    assert load_study(make_study(_with_indicators())).indicators.materiality == Materiality()
    m = load_study(make_study(_with_indicators({"percent": 3, "ratio": 0.2}))).indicators.materiality
    assert (m.percent, m.ratio, m.count) == (3.0, 0.2, 0.10)


@pytest.mark.parametrize(("value", "key", "reason"), [
    ({"ratio": 10}, "indicators.materiality.ratio", "小于 1"),
    ({"count": 1.5}, "indicators.materiality.count", "小于 1"),
    ({"percent": -1}, "indicators.materiality.percent", "取值过小"),
    ({"percent": "五"}, "indicators.materiality.percent", "应为数字"),
    ({"percnt": 5}, "indicators.materiality.percnt", "未知的配置项"),
])
def test_materiality_errors_name_the_key(make_study, value, key, reason):
    with pytest.raises(SurveyError) as e:
        load_study(make_study(_with_indicators(value)))
    assert f"{key}：" in str(e.value) and reason in str(e.value)


def test_materiality_left_out_of_the_hash_at_default(make_study):
    base = load_study(make_study(_with_indicators())).config_hash()
    explicit = load_study(make_study(_with_indicators({"percent": 5, "ratio": 0.1, "count": 0.1})))
    assert explicit.config_hash() == base
    assert "materiality" not in explicit.model_dump()["indicators"]
    assert load_study(make_study(_with_indicators({"percent": 3}))).config_hash() != base


def test_scale_direction_default_lower_and_error(small_codebook, write_codebook):
    cb = load_codebook(write_codebook(small_codebook))
    assert cb.scale("P1").direction == "higher_is_better"
    assert cb.scale_directions() == {"P1": "higher_is_better"}
    small_codebook["scales"][0]["direction"] = "lower_is_better"
    assert load_codebook(write_codebook(small_codebook)).scale_directions() == {"P1": "lower_is_better"}
    small_codebook["scales"][0]["direction"] = "越低越好"
    with pytest.raises(SurveyError) as e:
        load_codebook(write_codebook(small_codebook))
    assert "scales[0].direction：" in str(e.value) and "lower_is_better（越低越好" in str(e.value)


def test_bigfive_neuroticism_is_lower_is_better():
    d = load_codebook(BIGFIVE / "codebook.yaml").scale_directions()
    assert d.pop("neuroticism") == "lower_is_better"
    assert set(d.values()) == {"higher_is_better"}
