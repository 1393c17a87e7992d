"""The demo study's files: determinism, loading, naming, size."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from demo_helpers import REPO

from survey.config.codebook import load_codebook
from survey.config.study import load_study
from survey.demo.world import DEFAULT_SEED
from survey.demo.writers import EARLIER_DIR, main


def _all_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_two_generations_are_byte_identical(demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # the second generation goes through the CLI entry point (`survey demo --out DIR --seed N`)
    assert main(["--out", str(tmp_path), "--seed", str(DEFAULT_SEED)]) == 0
    assert "已生成合成演示数据" in capsys.readouterr().out
    first, second = _all_bytes(demo_dir), _all_bytes(tmp_path)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_other_seed_gives_other_answers() -> None:
    from survey.demo.mess import _college_rows
    from survey.demo.world import COLLEGES, _Fakes, _rng

    def answers(seed: int) -> list[dict]:
        return [r.answers for r in _college_rows(COLLEGES[0], seed, _Fakes(_rng(seed, "identifiers")))]

    assert answers(7) != answers(DEFAULT_SEED)
    assert answers(7) == answers(7)


def test_committed_demo_data_is_up_to_date(demo_dir: Path) -> None:
    committed = REPO / "data" / "raw" / "demo"
    if not committed.exists():
        pytest.skip("data/raw/demo 尚未生成")
    assert _all_bytes(committed) == _all_bytes(demo_dir), "请运行 `survey demo` 重新生成 data/raw/demo"


def test_xlsx_timestamps_are_fixed(demo_dir: Path) -> None:
    for path in demo_dir.glob("*.xlsx"):
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            assert names == sorted(names)
            assert {i.date_time for i in zf.infolist()} == {(2026, 11, 27, 8, 0, 0)}
            core = zf.read("docProps/core.xml").decode("utf-8")
            assert core.count("2026-11-27T08:00:00Z") == 2, path.name


def test_codebook_loads_and_has_the_study_structure(demo_dir: Path) -> None:
    cb = load_codebook(demo_dir / "codebook.yaml")
    assert [s.id for s in cb.scales] == ["P1", "P2", "P3", "P4", "P5"]
    for s in cb.scales:
        assert 4 <= len(s.items) <= 6
        assert len(s.reverse) >= 1
        assert cb.options(s.items[0])[1] == "非常不同意" and cb.options(s.items[0])[5] == "非常同意"
    assert [i.id for i in cb.items if i.id.startswith("IMP_")] == [f"IMP_{k}" for k in range(1, 9)]
    assert cb.options("IMP_1")[1] == "非常不重要" and cb.options("PERF_8")[5] == "很好"
    assert cb.item("IMP_3").source.row == "固本强基工程"
    assert cb.attention_checks[0].item == "ATT_1" and cb.options("ATT_1")[cb.attention_checks[0].correct] == "同意"
    assert cb.item("ATT_1").source.row == "本题请选择“同意”"
    assert cb.item("years").range == (0, 70)
    assert cb.item("learn").other_option == 7 and cb.options("learn")[7] == "其他"
    ids = {i.id: i for i in cb.identifiers}
    assert ids["name"].action == "drop" and ids["wechat"].action == "drop"
    assert ids["phone"].action == "pseudonymise" and ids["phone"].respondent_key
    assert ids["sid"].action == "pseudonymise" and ids["ip"].action == "coarsen"
    assert cb.options("member_type") == {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"}


def test_study_yaml_loads_and_names_every_generated_file(truth: dict) -> None:
    study = load_study(REPO / "study.yaml")
    assert study.synthetic is True and "合成" in study.title
    listed = {study.display(f.path) for f in study.questionnaire.files}
    listed |= {study.display(f.crosscheck) for f in study.questionnaire.files if f.crosscheck}
    expected = {f"data/raw/demo/{f}" for f, i in truth["files"].items() if i["format"] != "summary"}
    assert listed == expected
    colleges = {f.attributes["college"] for f in study.questionnaire.files}
    assert colleges | {truth["summary_only"]["college"]} == set(truth["colleges"])
    assert study.questionnaire.compare.reference == "本院"
    assert study.fieldwork.start.isoformat() == truth["fieldwork"]["start"]
    assert study.display(study.indicators.summaries) == f"data/raw/demo/{truth['summary_only']['file']}"
    assert study.symposium is not None and study.roster is not None


def test_files_are_marked_synthetic_and_small(demo_dir: Path, truth: dict) -> None:
    fixed = {"codebook.yaml", "truth.json", "README.md"}
    earlier = demo_dir / EARLIER_DIR  # the earlier wave: a folder of the same kind of files
    assert [p for p in demo_dir.iterdir() if p.is_dir()] == [earlier]
    for folder in (demo_dir, earlier):
        for p in folder.iterdir():
            assert p == earlier or p.name in fixed or "合成演示" in p.name, p.name
        assert "合成数据，仅供演示" in (folder / "README.md").read_text(encoding="utf-8")
        assert sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) < 3_000_000
    assert truth["synthetic"] is True
    assert json.loads((earlier / "truth.json").read_text(encoding="utf-8"))["synthetic"] is True


def test_truth_json_is_sorted_utf8(demo_dir: Path) -> None:
    text = (demo_dir / "truth.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
