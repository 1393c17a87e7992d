"""Loading earlier waves, matching their items and respondents, verifying them (issue #13 §1).

Two tiny generic CSV studies are built in a temporary folder: the 2025年 wave (``earlier/``) and
the current 2026年 wave that names it in ``waves``. Between the waves ``q2`` was reworded,
``old3`` was renamed ``q3`` (``wave_map``), ``q4`` is marked not comparable, ``q5`` is new and
``gone`` was dropped. Respondents S1–S4 answered both waves (same demo key, so same pseudonyms).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from survey.config.study import load_study
from survey.errors import SurveyError
from survey.pipeline import run_clean, verify
from survey.waves import (
    CHANGED,
    MARKED,
    NOT_IN_EARLIER,
    aligned_responses,
    common_codebook,
    comparable_items,
    load_waves,
    matched_respondents,
    reliability_by_wave,
    scale_items_in_both,
    verify_waves,
)

AGREE = {1: "非常不同意", 2: "比较不同意", 3: "一般", 4: "比较同意", 5: "非常同意"}
KEY = "waves-test-demo-key-not-secret"


def _dump(data: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _likert(item_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": item_id, "text": text, "type": "likert", "options": "agree5", **extra}


def _codebook(items: list[dict[str, Any]], scale: list[str], **top: Any) -> dict[str, Any]:
    return {
        "title": "两轮测试问卷",
        "missing_codes": [],
        "option_sets": {"agree5": AGREE},
        "items": items,
        "scales": [{"id": "P1", "label": "测试维度", "items": scale, "reverse": [scale[-1]]}],
        "identifiers": [{"id": "staff", "kind": "staff_no", "action": "pseudonymise",
                         "respondent_key": True, "source": {"column": "staff"}}],
        **top,
    }


def _study(title: str, data: str, **top: Any) -> dict[str, Any]:
    return {
        "title": title,
        "synthetic": True,
        "questionnaire": {
            "codebook": "codebook.yaml",
            "files": [{"path": data, "format": "generic", "encoding": "utf-8",
                       "attributes": {"college": "本院"}}],
            "compare": {"by": "college", "reference": "本院"},
        },
        "cleaning": {"test_submissions": {"enabled": False}, "speeders": {"enabled": False},
                     "straight_lining": {"enabled": False}},
        "privacy": {"demo_key": KEY},
        **top,
    }


def _csv(path: Path, columns: list[str], staff: list[str], seed: int) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    df = pd.DataFrame({c: rng.integers(1, 6, len(staff)) for c in columns})
    df.insert(0, "staff", staff)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, encoding="utf-8")
    return df


@pytest.fixture
def two_waves(tmp_path: Path) -> Path:
    """The current study file (2026年) naming the cleaned 2025年 wave; returns its path."""
    earlier = tmp_path / "earlier"
    _dump(_codebook(
        [_likert("q1", "学习形式多样"), _likert("q2", "学习效果明显"), _likert("old3", "学习流于形式"),
         _likert("q4", "线上平台好用"), _likert("gone", "去年才问的题")],
        ["q1", "q2", "old3", "q4", "gone"],
    ), earlier / "codebook.yaml")
    _csv(earlier / "raw" / "2025.csv", ["q1", "q2", "old3", "q4", "gone"],
         ["S1", "S2", "S3", "S4", "E5", "E6", "E7", "E8"], seed=1)
    old = _dump(_study("上一轮", "raw/2025.csv", output_dir="processed"), earlier / "study.yaml")
    run_clean(load_study(old))

    _dump(_codebook(
        [_likert("q1", "学习形式多样"), _likert("q2", "学习效果很明显"),
         _likert("q3", "学习流于形式", wave_map={"2025年": "old3"}),
         _likert("q4", "线上平台好用", wave_map={"2025年": None}), _likert("q5", "今年新增的题")],
        ["q1", "q2", "q3", "q4", "q5"],
    ), tmp_path / "codebook.yaml")
    _csv(tmp_path / "data" / "raw" / "2026.csv", ["q1", "q2", "q3", "q4", "q5"],
         ["S1", "S2", "S3", "S4", "N5", "N6", "N7"], seed=2)
    current = _dump(_study("本轮", "data/raw/2026.csv", wave_label="2026年",
                           waves=[{"label": "2025年", "study": "earlier/study.yaml"}]),
                    tmp_path / "study.yaml")
    run_clean(load_study(current))
    return current


def test_load_waves_reads_the_earlier_wave(two_waves: Path) -> None:
    study = load_study(two_waves)
    (wave,) = load_waves(study)
    assert wave.label == "2025年" and wave.key == "waves[0]"
    assert wave.study is not None and wave.study.title == "上一轮"
    assert wave.folder == two_waves.parent / "earlier" / "processed"
    assert [i.id for i in wave.codebook.items] == ["q1", "q2", "old3", "q4", "gone"]
    assert len(wave.responses) == 8
    assert {"q1", "old3", "gone", "respondent_key"} <= set(wave.responses.columns)
    assert wave.manifest["row_counts"]["kept"] == 8
    # The planted answers come back (the CSV was written with codes 1..5).
    raw = pd.read_csv(two_waves.parent / "earlier" / "raw" / "2025.csv")
    assert wave.responses["gone"].astype(int).tolist() == raw["gone"].tolist()


def test_single_wave_study_has_no_waves(two_waves: Path) -> None:
    assert load_waves(load_study(two_waves.parent / "earlier" / "study.yaml")) == []


def test_comparable_items_with_reworded_renamed_and_marked_items(two_waves: Path) -> None:
    study = load_study(two_waves)
    (wave,) = load_waves(study)
    from survey.config.codebook import load_codebook

    current = load_codebook(study.resolve(study.questionnaire.codebook))
    match = comparable_items(current, wave)
    assert match.wave == "2025年"
    assert match.pairs == {"q1": "q1", "q3": "old3"}
    assert match.dropped == {
        "q2": f"{CHANGED}（题干不同）",
        "q4": MARKED,
        "q5": NOT_IN_EARLIER,
    }
    assert match.mapped_despite_change == {}
    table = match.table().set_index("item")
    assert table.loc["q3", "earlier_item"] == "old3" and not table.loc["q2", "comparable"]

    scales = scale_items_in_both(current, wave, match)
    p1 = scales["P1"]
    assert p1.items == [("q1", "q1"), ("q3", "old3")] and p1.comparable
    assert set(p1.dropped) == {"q2", "q4", "q5"} and p1.reverse == []
    assert "q2（题目措辞或选项已变" in p1.note_zh() and "q5（不在上一轮问卷中）" in p1.note_zh()


def test_wave_map_pairs_a_reworded_item_and_says_so(two_waves: Path) -> None:
    study = load_study(two_waves)
    (wave,) = load_waves(study)
    from survey.config.codebook import load_codebook

    current = load_codebook(study.resolve(study.questionnaire.codebook))
    data = current.model_dump(mode="json", exclude_defaults=False)
    data["wave_map"] = {"q2": {"2025年": "q2"}, "q5": {"2025年": "missing_id"}}
    remapped = type(current).model_validate(data)
    match = comparable_items(remapped, ("2025年", wave.codebook))
    assert match.pairs["q2"] == "q2" and match.mapped_despite_change == {"q2": "题干不同"}
    assert match.dropped["q5"].startswith(NOT_IN_EARLIER) and "missing_id" in match.dropped["q5"]


def test_matched_respondents_are_the_shared_pseudonyms(two_waves: Path) -> None:
    study = load_study(two_waves)
    (wave,) = load_waves(study)
    from survey.io.processed import load_processed

    now = load_processed(study).responses
    matched = matched_respondents(now, wave)
    assert matched.n == 4 and matched.note == ""
    # Exactly the pseudonyms of S1..S4: the rows of the shared staff numbers in both frames.
    assert matched.keys == set(now["respondent_key"].iloc[:4]) == set(wave.responses["respondent_key"].iloc[:4])
    assert not any(k in {"S1", "S2", "S3", "S4"} for k in matched.keys)  # pseudonyms, not the ids
    none = matched_respondents(now.drop(columns="respondent_key"), wave)
    assert none.n == 0 and "独立样本" in none.note


def test_unclean_earlier_wave_says_which_command_to_run(two_waves: Path) -> None:
    shutil.rmtree(two_waves.parent / "earlier" / "processed")
    with pytest.raises(SurveyError) as info:
        load_waves(load_study(two_waves))
    msg = info.value.message_zh()
    assert info.value.key == "waves[0].study"
    assert "还没有清洗" in msg and "survey --study" in msg and "earlier/study.yaml" in msg


def test_processed_ref_needs_manifest_and_codebook(two_waves: Path) -> None:
    root = two_waves.parent
    data = yaml.safe_load(two_waves.read_text(encoding="utf-8"))
    shutil.copytree(root / "earlier" / "processed", root / "copied" / "processed")
    data["waves"] = [{"label": "2025年", "processed": "copied/processed"}]
    _dump(data, two_waves)
    with pytest.raises(SurveyError) as info:
        load_waves(load_study(two_waves))
    assert info.value.key == "waves[0].codebook" and "编码手册" in info.value.message_zh()
    shutil.copy2(root / "earlier" / "codebook.yaml", root / "copied" / "processed" / "codebook.yaml")
    (wave,) = load_waves(load_study(two_waves))
    assert wave.study is None and len(wave.responses) == 8
    (root / "copied" / "processed" / "manifest.json").unlink()
    with pytest.raises(SurveyError) as info:
        load_waves(load_study(two_waves))
    assert info.value.key == "waves[0].processed" and "manifest.json" in info.value.message_zh()


def test_verify_passes_then_detects_a_tampered_earlier_wave(two_waves: Path) -> None:
    study = load_study(two_waves)
    assert verify_waves(study) == []
    assert verify(study) == []
    target = two_waves.parent / "earlier" / "processed" / "responses.csv"
    target.write_bytes(target.read_bytes() + b"\n")
    problems = verify(study)
    assert len(problems) == 1
    assert problems[0].startswith("上一轮（2025年）") and "responses.csv" in problems[0]
    assert "SHA-256" in problems[0]


def test_verify_detects_a_changed_raw_file_of_the_earlier_wave(two_waves: Path) -> None:
    raw = two_waves.parent / "earlier" / "raw" / "2025.csv"
    raw.write_text(raw.read_text(encoding="utf-8").replace("S1,", "S9,", 1), encoding="utf-8")
    problems = verify_waves(load_study(two_waves))
    assert len(problems) == 1 and "2025.csv" in problems[0] and problems[0].startswith("上一轮（2025年）")


def test_verify_of_a_processed_wave_checks_outputs_only(two_waves: Path) -> None:
    root = two_waves.parent
    shutil.copytree(root / "earlier" / "processed", root / "copied")
    shutil.copy2(root / "earlier" / "codebook.yaml", root / "copied" / "codebook.yaml")
    data = yaml.safe_load(two_waves.read_text(encoding="utf-8"))
    data["waves"] = [{"label": "2025年", "processed": "copied"}]
    _dump(data, two_waves)
    study = load_study(two_waves)
    shutil.rmtree(root / "earlier")  # the raw data are not on this machine
    assert verify_waves(study) == []
    (root / "copied" / "exclusions.parquet").write_bytes(b"tampered")
    problems = verify_waves(study)
    assert len(problems) == 1 and "exclusions.parquet" in problems[0]


def test_aligned_responses_renames_the_compared_items(two_waves: Path) -> None:
    study = load_study(two_waves)
    (wave,) = load_waves(study)
    from survey.config.codebook import load_codebook

    current = load_codebook(study.resolve(study.questionnaire.codebook))
    aligned = aligned_responses(wave, comparable_items(current, wave))
    assert {"q1", "q3"} <= set(aligned.columns)
    assert not {"old3", "q2", "q4", "gone"} & set(aligned.columns)
    assert {"response_id", "college", "respondent_key"} <= set(aligned.columns)
    raw = pd.read_csv(two_waves.parent / "earlier" / "raw" / "2025.csv")
    assert aligned["q3"].astype(int).tolist() == raw["old3"].tolist()


def test_earlier_outputs_inside_the_current_output_dir_are_refused(two_waves: Path) -> None:
    root = two_waves.parent
    shutil.copytree(root / "earlier" / "processed", root / "data" / "processed" / "2025")
    shutil.copy2(root / "earlier" / "codebook.yaml", root / "data" / "processed" / "2025" / "codebook.yaml")
    data = yaml.safe_load(two_waves.read_text(encoding="utf-8"))
    data["waves"] = [{"label": "2025年", "processed": "data/processed/2025"}]
    _dump(data, two_waves)
    with pytest.raises(SurveyError) as info:
        load_waves(load_study(two_waves))
    assert info.value.key == "waves[0]" and "output_dir" in info.value.message_zh()
    assert "覆盖或删除" in info.value.message_zh()


def test_cli_verify_reports_the_earlier_wave(two_waves: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from survey.cli import main

    assert main(["--study", str(two_waves), "verify"]) == 0
    out = capsys.readouterr()
    assert "上一轮调查（2025年）的文件也与各自的清单一致" in out.out
    assert "上一轮（2025年）" in out.err + out.out  # the progress line per wave
    target = two_waves.parent / "earlier" / "processed" / "responses.parquet"
    target.write_bytes(target.read_bytes()[:-1])
    assert main(["--study", str(two_waves), "verify"]) == 1
    out = capsys.readouterr()
    assert "上一轮（2025年）" in out.err + out.out and "responses.parquet" in out.err + out.out


def test_verify_of_an_unclean_earlier_wave_says_so(two_waves: Path) -> None:
    shutil.rmtree(two_waves.parent / "earlier" / "processed")
    (problem,) = verify_waves(load_study(two_waves))
    assert problem.startswith("上一轮（2025年）：") and "还没有清洗" in problem and "survey --study" in problem


def test_reliability_by_wave_uses_the_common_items_only(two_waves: Path) -> None:
    from survey.config.codebook import load_codebook
    from survey.io.processed import load_processed

    def alpha(x: pd.DataFrame) -> float:  # Cronbach's formula, written out
        k = x.shape[1]
        return k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))

    study = load_study(two_waves)
    (wave,) = load_waves(study)
    current = load_codebook(study.resolve(study.questionnaire.codebook))
    common = common_codebook(current, scale_items_in_both(current, wave))
    assert [s.items for s in common.scales] == [["q1", "q3"]] and common.scales[0].reverse == []
    now = load_processed(study).responses
    table = reliability_by_wave(now, current, wave, current_label="2026年")
    assert table["wave"].tolist() == ["2025年", "2026年"]
    assert set(table["n_items"]) == {2} and table["dropped"].iloc[0] == "q2；q4；q5"
    # Reference: alpha of the two raw columns of the CSV files (renamed old3 <-> q3).
    raw_old = pd.read_csv(two_waves.parent / "earlier" / "raw" / "2025.csv")[["q1", "old3"]]
    raw_new = pd.read_csv(two_waves.parent / "data" / "raw" / "2026.csv")[["q1", "q3"]]
    assert table["alpha"].iloc[0] == pytest.approx(alpha(raw_old))
    assert table["alpha"].iloc[1] == pytest.approx(alpha(raw_new))
