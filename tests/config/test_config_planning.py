"""The ``planning`` key of ``study.yaml`` (issue #13 §3): defaults, limits, Chinese errors, hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.config.study import Planning, load_study
from survey.errors import SurveyError


def _error(path: Path) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        load_study(path)
    return info.value


def _with(make_study, **planning: object) -> Path:
    return make_study(lambda d: d.__setitem__("planning", dict(planning)))


def test_planning_defaults(make_study) -> None:
    p = load_study(make_study()).planning
    assert (p.min_effect, p.power, p.alpha) == (0.3, 0.8, 0.05)


def test_planning_values_are_read(make_study) -> None:
    p = load_study(_with(make_study, min_effect=0.5, power=0.9, alpha=0.1)).planning
    assert (p.min_effect, p.power, p.alpha) == (0.5, 0.9, 0.1)
    # a partial mapping keeps the other defaults
    p = load_study(_with(make_study, power=0.95)).planning
    assert (p.min_effect, p.power, p.alpha) == (0.3, 0.95, 0.05)


@pytest.mark.parametrize(("key", "good", "bad", "words"), [
    ("min_effect", [0.01, 3], [0, -0.2, 3.01, float("nan")], "Hedges g"),
    ("power", [0.5, 0.998], [0.49, 0.999, 1, 80], "目标功效"),
    ("alpha", [0.001, 0.49], [0, 0.5, -0.01], "显著性水平"),
])
def test_planning_limits(make_study, key: str, good: list[float], bad: list[float],
                         words: str) -> None:
    for v in good:
        assert getattr(load_study(_with(make_study, **{key: v})).planning, key) == v
    for v in bad:
        err = _error(_with(make_study, **{key: v}))
        assert err.key == f"planning.{key}", v
        assert words in str(err), str(err)


def test_planning_wrong_type_and_unknown_key(make_study) -> None:
    err = _error(_with(make_study, min_effect="很小"))
    assert err.key == "planning.min_effect" and "应为数字" in str(err)
    err = _error(_with(make_study, effect=0.3))
    assert err.key == "planning.effect" and "未知的配置项" in str(err)


def test_planning_default_leaves_config_hash_unchanged(make_study) -> None:
    """A study cleaned before ``planning`` existed keeps its hash (survey verify still passes)."""
    base = load_study(make_study()).config_hash()
    explicit = _with(make_study, min_effect=0.3, power=0.8, alpha=0.05)
    assert load_study(explicit).config_hash() == base
    assert load_study(_with(make_study, min_effect=0.4)).config_hash() != base


def test_planning_model_matches_the_documented_defaults() -> None:
    assert Planning() == Planning(min_effect=0.3, power=0.8, alpha=0.05)
