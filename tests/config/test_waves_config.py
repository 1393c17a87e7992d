"""``waves`` / ``wave_label`` in study.yaml and ``wave_map`` in the codebook (issue #13 §1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from survey.config.codebook import Codebook, load_codebook
from survey.config.study import CURRENT_WAVE_ZH, load_study
from survey.errors import SurveyError


def _error(path: Path) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        load_study(path)
    return info.value


def _earlier(tmp_path: Path) -> None:
    """An earlier wave's study file and processed folder inside the study folder."""
    (tmp_path / "waves" / "2025").mkdir(parents=True)
    (tmp_path / "waves" / "2025" / "study.yaml").write_text("title: 上一轮\n", encoding="utf-8")
    (tmp_path / "waves" / "2024" / "processed").mkdir(parents=True)


def _with_waves(waves: list[dict[str, Any]], label: str | None = "2026年"):
    def mutate(s: dict[str, Any]) -> None:
        s["waves"] = waves
        if label is not None:
            s["wave_label"] = label
    return mutate


# -- valid ------------------------------------------------------------------------------------
def test_single_wave_defaults(make_study) -> None:
    study = load_study(make_study())
    assert study.waves == [] and study.wave_label is None
    assert study.current_wave_label == CURRENT_WAVE_ZH == "本轮"


def test_waves_parse_and_resolve_against_study_folder(make_study, tmp_path: Path) -> None:
    _earlier(tmp_path)
    study = load_study(make_study(_with_waves([
        {"label": "2025年", "study": "waves/2025/study.yaml"},
        {"label": "2024年", "processed": "waves/2024/processed"},
    ])))
    assert [w.label for w in study.waves] == ["2025年", "2024年"]
    assert study.current_wave_label == "2026年"
    assert study.wave_paths() == [
        ("waves[0].study", tmp_path / "waves" / "2025" / "study.yaml"),
        ("waves[1].processed", tmp_path / "waves" / "2024" / "processed"),
    ]


def test_config_hash_of_a_single_wave_study_unchanged_by_the_new_keys(make_study) -> None:
    """Writing the defaults explicitly gives the hash of the file without them (older studies)."""
    plain = load_study(make_study()).config_hash()

    def explicit(s: dict[str, Any]) -> None:
        s["waves"] = []
        s["wave_label"] = None

    assert load_study(make_study(explicit)).config_hash() == plain
    assert load_study(make_study(lambda s: s.update(wave_label="2026年"))).config_hash() != plain


# -- errors -----------------------------------------------------------------------------------
def test_both_study_and_processed_is_an_error(make_study, tmp_path: Path) -> None:
    _earlier(tmp_path)
    err = _error(make_study(_with_waves([
        {"label": "2025年", "study": "waves/2025/study.yaml", "processed": "waves/2024/processed"},
    ])))
    assert err.key is not None and err.key.startswith("waves[0]")
    assert "须且只须" in err.message_zh()


def test_neither_study_nor_processed_is_an_error(make_study) -> None:
    err = _error(make_study(_with_waves([{"label": "2025年"}])))
    assert err.key is not None and err.key.startswith("waves[0]")
    assert "study" in err.message_zh() and "processed" in err.message_zh()


def test_codebook_only_with_processed(make_study, tmp_path: Path) -> None:
    _earlier(tmp_path)
    err = _error(make_study(_with_waves([
        {"label": "2025年", "study": "waves/2025/study.yaml", "codebook": "codebook.yaml"},
    ])))
    assert err.key == "waves[0].codebook"


def test_duplicate_labels(make_study, tmp_path: Path) -> None:
    _earlier(tmp_path)
    err = _error(make_study(_with_waves([
        {"label": "2025年", "study": "waves/2025/study.yaml"},
        {"label": "2025年", "processed": "waves/2024/processed"},
    ])))
    assert err.key == "waves[1].label" and "轮次名称重复" in err.message_zh()


def test_label_equal_to_current_wave(make_study, tmp_path: Path) -> None:
    _earlier(tmp_path)
    err = _error(make_study(_with_waves([{"label": "2026年", "study": "waves/2025/study.yaml"}])))
    assert err.key == "waves[0].label" and "与本轮" in err.message_zh()
    # Without wave_label the current wave is 本轮, which an earlier wave may not be called.
    err = _error(make_study(_with_waves([{"label": "本轮", "study": "waves/2025/study.yaml"}], None)))
    assert err.key == "waves[0].label"


def test_empty_label(make_study, tmp_path: Path) -> None:
    _earlier(tmp_path)
    err = _error(make_study(_with_waves([{"label": " ", "study": "waves/2025/study.yaml"}])))
    assert err.key == "waves[0].label"


def test_missing_wave_study_file(make_study) -> None:
    err = _error(make_study(_with_waves([{"label": "2025年", "study": "waves/2025/study.yaml"}])))
    assert err.key == "waves[0].study" and "不存在" in err.message_zh()


def test_processed_must_be_a_folder(make_study, tmp_path: Path) -> None:
    _earlier(tmp_path)
    err = _error(make_study(_with_waves([{"label": "2025年", "processed": "waves/2025/study.yaml"}])))
    assert err.key == "waves[0].processed" and "文件夹" in err.message_zh()


def test_wave_outside_study_folder_needs_allow_outside_paths(make_study, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}_earlier"
    outside.mkdir()
    (outside / "study.yaml").write_text("title: x\n", encoding="utf-8")
    rel = f"../{outside.name}/study.yaml"
    err = _error(make_study(_with_waves([{"label": "2025年", "study": rel}])))
    assert err.key == "waves[0].study" and "研究文件夹之外" in err.message_zh()
    assert "allow_outside_paths" in err.message_zh()

    def allowed(s: dict[str, Any]) -> None:
        _with_waves([{"label": "2025年", "study": rel}])(s)
        s["allow_outside_paths"] = True

    assert load_study(make_study(allowed)).waves[0].study == Path(rel)


# -- wave_map in the codebook -----------------------------------------------------------------
def _codebook(small_codebook: dict[str, Any], write_codebook, **top: Any) -> Codebook:
    small_codebook.update(top)
    return load_codebook(write_codebook(small_codebook))


def test_wave_map_item_and_top_level(small_codebook, write_codebook) -> None:
    by_id = {i["id"]: i for i in small_codebook["items"]}
    by_id["q1"]["wave_map"] = {"2025年": "Q12_1"}
    by_id["q2"]["wave_map"] = {"2025年": None, "2024年": "old_q2"}
    cb = _codebook(small_codebook, write_codebook, wave_map={"q3": {"2025年": "Q12_3"}})
    assert cb.wave_mapping("2025年") == {"q1": "Q12_1", "q2": None, "q3": "Q12_3"}
    assert cb.wave_mapping("2024年") == {"q2": "old_q2"}
    assert cb.wave_mapping("2000年") == {}


def test_wave_map_leaves_the_codebook_fingerprint_alone(small_codebook, write_codebook) -> None:
    plain = _codebook(dict(small_codebook), write_codebook).fingerprint()
    mapped = _codebook(small_codebook, write_codebook, wave_map={"q3": {"2025年": "Q12_3"}})
    assert mapped.fingerprint() == plain


def test_wave_map_unknown_item(small_codebook, write_codebook) -> None:
    with pytest.raises(SurveyError) as info:
        _codebook(small_codebook, write_codebook, wave_map={"nope": {"2025年": "Q1"}})
    assert info.value.key == "wave_map.nope" and "不在 items 中" in info.value.message_zh()


def test_wave_map_invalid_earlier_id(small_codebook, write_codebook) -> None:
    small_codebook["items"][0]["wave_map"] = {"2025年": "第12题"}
    with pytest.raises(SurveyError) as info:
        _codebook(small_codebook, write_codebook)
    assert info.value.key is not None and info.value.key.startswith("items[0]")
    assert "第12题" in info.value.message_zh()


def test_wave_map_twice_for_the_same_wave(small_codebook, write_codebook) -> None:
    item = next(i for i in small_codebook["items"] if i["id"] == "q1")
    item["wave_map"] = {"2025年": "Q12_1"}
    with pytest.raises(SurveyError) as info:
        _codebook(small_codebook, write_codebook, wave_map={"q1": {"2025年": "Q12_9"}})
    assert info.value.key == "wave_map.q1" and "只保留一处" in info.value.message_zh()


def test_item_fingerprint_ignores_id_but_not_wording_or_options() -> None:
    def one(item_id: str, text: str = "学习形式多样", options: dict[int, str] | None = None) -> Codebook:
        opts = options if options is not None else {1: "不同意", 2: "同意"}
        return Codebook.model_validate(
            {"title": "t", "items": [{"id": item_id, "text": text, "type": "likert", "options": opts}]}
        )

    base = one("q1").item_fingerprint("q1")
    assert one("Q12_1").item_fingerprint("Q12_1") == base  # renamed only
    assert one("q1", text="学习形式丰富").item_fingerprint("q1") != base
    assert one("q1", options={1: "不同意", 2: "比较同意"}).item_fingerprint("q1") != base
    assert one("q1", options={1: "不同意", 2: "同意", 3: "很同意"}).item_fingerprint("q1") != base


def test_year_labels_written_as_numbers_are_text(make_study, tmp_path: Path, small_codebook,
                                                 write_codebook) -> None:
    _earlier(tmp_path)
    study = load_study(make_study(_with_waves([{"label": 2025, "study": "waves/2025/study.yaml"}], None)))
    assert study.waves[0].label == "2025"
    study = load_study(make_study(lambda s: s.update(wave_label=2026)))
    assert study.current_wave_label == "2026"
    small_codebook["items"][0]["wave_map"] = {2025: "Q12_1"}
    cb = _codebook(small_codebook, write_codebook, wave_map={"q2": {2025: None}})
    assert cb.wave_mapping("2025") == {"q1": "Q12_1", "q2": None}
