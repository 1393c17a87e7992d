"""``limits:`` in study.yaml: the read limits (``ReadLimits``) used for the study's own files."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from demo_copy import copy_small_demo, edit_yaml

from survey.config.study import Limits, load_study
from survey.errors import SurveyError, SurveyWarning
from survey.io.readers import read_responses
from survey.io.readers.tabular import DEFAULT_LIMITS, ReadLimits


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_small_demo(tmp_path_factory.mktemp("limits") / "study")


def _with_limits(study_file: Path, tmp_path: Path, limits: object) -> Path:
    """A copy of the small demo's study.yaml in the same folder with ``limits`` set."""
    target = study_file.with_name(f"study_{tmp_path.name}.yaml")
    target.write_bytes(study_file.read_bytes())

    def set_limits(d: dict) -> None:
        d["limits"] = limits

    edit_yaml(target, set_limits)
    return target


def _read(study_file: Path) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        return len(read_responses(load_study(study_file)).frame)


def test_defaults_are_the_readers_defaults() -> None:
    assert Limits().read_limits() == DEFAULT_LIMITS == ReadLimits()


def test_default_config_hash_unchanged(small_demo: Path, tmp_path: Path) -> None:
    """Writing the defaults out (or not writing the key) gives the same hash: studies cleaned
    before ``limits`` existed keep passing ``survey verify``."""
    plain = load_study(small_demo)
    assert "limits" not in small_demo.read_text(encoding="utf-8")
    explicit = load_study(_with_limits(small_demo, tmp_path, {
        "max_part_bytes": 200 * 1024**2, "max_ratio": 200, "max_cell_chars": 2_000_000}))
    assert explicit.config_hash() == plain.config_hash()
    changed = load_study(_with_limits(small_demo, tmp_path / "x", {"max_cell_chars": 1000}))
    assert changed.config_hash() != plain.config_hash()


def test_smaller_cell_limit_refuses_a_file_the_default_accepts(small_demo: Path, tmp_path: Path) -> None:
    assert _read(small_demo) > 0  # the default limits accept every export
    strict = _with_limits(small_demo, tmp_path, {"max_cell_chars": 5})
    assert load_study(strict).limits.read_limits().max_cell_chars == 5
    with pytest.raises(SurveyError) as info:
        _read(strict)
    msg = str(info.value)
    assert "超过上限 5 个字符" in msg
    assert "limits.max_cell_chars" in msg


def test_smaller_part_limit_refuses_the_xlsx(small_demo: Path, tmp_path: Path) -> None:
    strict = _with_limits(small_demo, tmp_path, {"max_part_bytes": 1000})
    with pytest.raises(SurveyError) as info:
        _read(strict)
    msg = str(info.value)
    assert "超过上限 0.0 MB" in msg and "limits.max_part_bytes" in msg
    assert str(info.value.file).endswith(".xlsx")


def test_generous_limits_still_read(small_demo: Path, tmp_path: Path) -> None:
    roomy = _with_limits(small_demo, tmp_path, {"max_part_bytes": 10 * 1024**3, "max_ratio": 1e6,
                                                "max_cell_chars": 10**9})
    assert _read(roomy) == _read(small_demo)


@pytest.mark.parametrize(("limits", "key", "text"), [
    ({"max_part_bytes": 0}, "limits.max_part_bytes", "应为正整数"),
    ({"max_part_bytes": -5}, "limits.max_part_bytes", "应为正整数"),
    ({"max_part_bytes": 1.5}, "limits.max_part_bytes", "应为正整数"),
    ({"max_cell_chars": True}, "limits.max_cell_chars", "应为正整数"),
    ({"max_cell_chars": "100"}, "limits.max_cell_chars", "应为正整数"),
    ({"max_ratio": 0.5}, "limits.max_ratio", "不小于 1"),
    ({"max_ratio": "big"}, "limits.max_ratio", "不小于 1"),
    ({"max_ratio": float("inf")}, "limits.max_ratio", "不小于 1"),
    ({"max_rows": 10}, "limits.max_rows", "未知的配置项"),
])
def test_invalid_limits_refused_in_chinese(small_demo: Path, tmp_path: Path, limits: dict,
                                           key: str, text: str) -> None:
    with pytest.raises(SurveyError) as info:
        load_study(_with_limits(small_demo, tmp_path, limits))
    msg = str(info.value)
    assert f"{key}：" in msg and text in msg
