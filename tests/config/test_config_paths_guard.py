"""Raw data stay read-only and inside the study: path containment, output overlap, duplicates."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from survey.config.study import check_output_location, load_study, protected_dirs
from survey.errors import SurveyError

RAW = "data/raw/本院.csv"  # the small study's export (see conftest.make_study)


def _error(path: Path) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        load_study(path)
    return info.value


def _files(d: dict) -> list[dict]:
    return d["questionnaire"]["files"]


def _add_file(path: str, **extra):
    def mutate(d: dict) -> None:
        _files(d).append({"path": path, "format": "generic", "attributes": {"college": "对标"}, **extra})

    return mutate


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _symlink(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError):  # pragma: no cover - Windows without privilege
        pytest.skip("symbolic links not available")


# -- inputs stay inside the study folder -----------------------------------------------------
@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A study in tmp_path/study and an export in tmp_path/elsewhere."""
    other = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    other.mkdir()
    (other / "外部.csv").write_text("q1\n5\n", encoding="utf-8")
    yield other
    shutil.rmtree(other, ignore_errors=True)


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_input_outside_study_folder_refused(make_study, outside: Path, how: str) -> None:
    target = outside / "外部.csv"
    given = f"../{outside.name}/外部.csv" if how == "relative" else str(target)
    err = _error(make_study(_add_file(given)))
    assert err.key == "questionnaire.files[1].path"
    assert f"位于研究文件夹之外：{target}" in err.problem
    assert "经符号链接" not in err.problem
    assert "allow_outside_paths: true" in err.hint


def test_dotdot_to_system_file_refused(make_study) -> None:
    err = _error(make_study(_add_file("../" * 30 + "etc/passwd")))
    assert err.key == "questionnaire.files[1].path"
    assert "研究文件夹之外" in err.problem


def test_symlinked_file_pointing_outside_refused(make_study, tmp_path: Path, outside: Path) -> None:
    _symlink(tmp_path / "data" / "raw" / "链接.csv", outside / "外部.csv")
    err = _error(make_study(_add_file("data/raw/链接.csv")))
    assert err.key == "questionnaire.files[1].path"
    assert "经符号链接指向" in err.problem and str((outside / "外部.csv").resolve()) in err.problem


def test_symlinked_folder_pointing_outside_refused(make_study, tmp_path: Path, outside: Path) -> None:
    _symlink(tmp_path / "data" / "共享", outside)
    err = _error(make_study(_add_file("data/共享/外部.csv")))
    assert err.key == "questionnaire.files[1].path"


def test_symlink_inside_the_study_is_fine(make_study, tmp_path: Path) -> None:
    _symlink(tmp_path / "data" / "raw" / "别名.csv", tmp_path / "data" / "raw" / "本院.csv")
    study = load_study(make_study(lambda d: _files(d)[0].__setitem__("path", "data/raw/别名.csv")))
    assert study.display(study.questionnaire.files[0].path) == "data/raw/本院.csv"


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d, p: d["questionnaire"].__setitem__("codebook", p), "questionnaire.codebook"),
        (lambda d, p: _files(d)[0].__setitem__("crosscheck", p), "questionnaire.files[0].crosscheck"),
        (lambda d, p: d.__setitem__("roster", {"path": RAW, "names": p}), "roster.names"),
        (lambda d, p: d.__setitem__("indicators", {"path": p}), "indicators.path"),
    ],
)
def test_every_listed_input_is_checked(make_study, outside: Path, mutate, key: str) -> None:
    err = _error(make_study(lambda d: mutate(d, str(outside / "外部.csv"))))
    assert err.key == key and "研究文件夹之外" in err.problem


def test_allow_outside_paths_accepts_shared_drive(make_study, outside: Path) -> None:
    def mutate(d: dict) -> None:
        _add_file(str(outside / "外部.csv"))(d)
        d["allow_outside_paths"] = True

    study = load_study(make_study(mutate))
    assert study.allow_outside_paths is True
    assert study.display(study.questionnaire.files[1].path) == str((outside / "外部.csv").resolve())
    # the key is part of the configuration hash only when switched on
    assert study.config_hash() != load_study(make_study()).config_hash()


def test_allow_outside_paths_must_be_boolean(make_study) -> None:
    err = _error(make_study(lambda d: d.__setitem__("allow_outside_paths", "也许")))
    assert "allow_outside_paths：应为 true 或 false" in err.problem


def test_key_file_outside_the_study_is_not_an_input(make_study, outside: Path) -> None:
    study = load_study(make_study(lambda d: d.__setitem__("privacy", {"key_file": str(outside / "k")})))
    assert study.privacy.key_file == outside / "k"


# -- outputs never overlap a folder holding inputs -------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "relation"),
    [
        ("output_dir", "data/raw", "就是"),            # responses.csv would replace a raw file
        ("output_dir", "data/raw/processed", "位于"),  # inside the raw folder
        ("output_dir", "data", "包含了"),              # above it: the two overlap
        ("output_dir", ".", "就是"),                   # the study folder holds codebook.yaml
        ("output_dir", "..", "包含了"),
        ("reports_dir", "data/raw", "就是"),
        ("figures_dir", "data/raw/图", "位于"),
    ],
)
def test_output_overlapping_raw_folder_refused(make_study, key: str, value: str, relation: str) -> None:
    err = _error(make_study(lambda d: d.__setitem__(key, value)))
    assert err.key == key
    assert err.problem.startswith("输出文件夹与原始数据文件夹重叠")
    assert f"{key}（" in err.problem and relation in err.problem
    assert "questionnaire.files[0].path" in err.problem or "questionnaire.codebook" in err.problem


def test_output_into_raw_folder_names_the_folder(make_study) -> None:
    err = _error(make_study(lambda d: d.__setitem__("output_dir", "data/raw")))
    assert "output_dir（data/raw）就是存放原始输入文件的文件夹 data/raw" in err.problem
    assert "questionnaire.files[0].path" in err.problem


def test_codebook_folder_is_protected_too(make_study, tmp_path: Path) -> None:
    def mutate(d: dict) -> None:
        d["questionnaire"]["codebook"] = "docs/codebook.yaml"
        d["figures_dir"] = "docs/figures"

    path = make_study(mutate)
    (tmp_path / "docs").mkdir()
    (tmp_path / "codebook.yaml").rename(tmp_path / "docs" / "codebook.yaml")
    err = _error(path)
    assert err.key == "figures_dir" and "questionnaire.codebook" in err.problem


def test_output_symlinked_into_raw_refused(make_study, tmp_path: Path) -> None:
    _symlink(tmp_path / "out", tmp_path / "data" / "raw")
    err = _error(make_study(lambda d: d.__setitem__("output_dir", "out")))
    assert err.key == "output_dir" and "data/raw" in err.problem


def test_outputs_in_study_subfolders_are_fine(make_study, tmp_path: Path) -> None:
    # The codebook beside study.yaml protects the study folder itself, not its subfolders.
    def mutate(d: dict) -> None:
        d.update(output_dir="processed", reports_dir="reports", figures_dir=str(tmp_path / "图"))

    study = load_study(make_study(mutate))
    assert study.output_path == tmp_path / "processed"


def test_issue_example_input_named_like_an_output_is_kept(make_study, tmp_path: Path) -> None:
    raw = tmp_path / "data" / "raw" / "responses.csv"
    _write(raw, b"q1\n1\n2\n")
    before = raw.read_bytes()

    def mutate(d: dict) -> None:
        _files(d)[0]["path"] = "data/raw/responses.csv"
        d["output_dir"] = "data/raw"

    err = _error(make_study(mutate))
    assert err.key == "output_dir"
    assert raw.read_bytes() == before


def test_protected_dirs_and_write_time_check(make_study, tmp_path: Path) -> None:
    study = load_study(make_study())
    root = tmp_path.resolve()
    assert protected_dirs(study) == [
        ("questionnaire.codebook", root),
        ("questionnaire.files[0].path", root / "data" / "raw"),
    ]
    assert study.input_dirs() == protected_dirs(study)
    assert check_output_location(study, "data/processed") == root / "data" / "processed"
    assert check_output_location(study, tmp_path / "别处" / "输出") == root / "别处" / "输出"
    # a writer given another folder (or a symlink swapped after loading) is refused at write time
    with pytest.raises(SurveyError) as info:
        check_output_location(study, root / "data" / "raw" / "x", key="--output")
    assert info.value.key == "--output"
    _symlink(tmp_path / "data" / "processed", tmp_path / "data" / "raw")
    with pytest.raises(SurveyError, match="output_dir（data/raw）就是"):
        check_output_location(study, study.output_path)


# -- an export listed twice ------------------------------------------------------------------
def test_same_file_listed_twice_refused(make_study) -> None:
    err = _error(make_study(_add_file("./data/raw/../raw/本院.csv")))
    assert err.key == "questionnaire.files[1].path"
    assert "questionnaire.files[0].path 与 questionnaire.files[1].path 是同一个文件" in err.problem
    assert "重复计数" in err.problem


def test_same_bytes_under_two_names_refused(make_study, tmp_path: Path) -> None:
    path = make_study(_add_file("data/raw/本院(1).csv"))
    shutil.copy(tmp_path / "data" / "raw" / "本院.csv", tmp_path / "data" / "raw" / "本院(1).csv")
    err = _error(path)
    assert err.key == "questionnaire.files[1].path"
    assert "内容完全相同（SHA-256 一致" in err.problem


def test_same_size_different_content_is_fine(make_study, tmp_path: Path) -> None:
    path = make_study(_add_file("data/raw/对标.csv"))
    (tmp_path / "data" / "raw" / "对标.csv").write_text("q1,q2\n3,4\n", encoding="utf-8")  # same size
    assert (tmp_path / "data" / "raw" / "对标.csv").stat().st_size == (tmp_path / RAW).stat().st_size
    assert len(load_study(path).questionnaire.files) == 2


def test_crosscheck_listed_again_as_a_file_refused(make_study, tmp_path: Path) -> None:
    _write(tmp_path / "data" / "raw" / "按序号.csv", b"q1\n9\n")

    def mutate(d: dict) -> None:
        _files(d)[0]["crosscheck"] = "data/raw/按序号.csv"
        _add_file("data/raw/按序号.csv")(d)

    err = _error(make_study(mutate))
    assert err.key == "questionnaire.files[1].path"
    assert "questionnaire.files[0].crosscheck 与 questionnaire.files[1].path" in err.problem


def test_two_sheets_of_one_workbook_are_not_duplicates(make_study, tmp_path: Path) -> None:
    _write(tmp_path / "data" / "raw" / "汇总.xlsx", b"PK\x03\x04 placeholder")

    def mutate(d: dict) -> None:
        _add_file("data/raw/汇总.xlsx", sheet="甲")(d)
        _add_file("data/raw/汇总.xlsx", sheet="乙")(d)

    assert len(load_study(make_study(mutate)).questionnaire.files) == 3
    err = _error(make_study(lambda d: [_add_file("data/raw/汇总.xlsx", sheet=s)(d) for s in ("甲", "甲")]))
    assert err.key == "questionnaire.files[2].path"


def test_two_empty_placeholders_are_not_duplicates(make_study, tmp_path: Path) -> None:
    for name in ("空1.csv", "空2.csv"):
        _write(tmp_path / "data" / "raw" / name, b"")
    path = make_study(lambda d: [_add_file(f"data/raw/{n}")(d) for n in ("空1.csv", "空2.csv")])
    assert len(load_study(path).questionnaire.files) == 3


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_of_equal_size_is_left_to_the_readers(make_study, tmp_path: Path) -> None:
    other = tmp_path / "data" / "raw" / "对标.csv"
    path = make_study(_add_file("data/raw/对标.csv"))
    other.write_text("q1,q2\n3,4\n", encoding="utf-8")
    other.chmod(0)
    try:
        assert len(load_study(path).questionnaire.files) == 2
    finally:
        other.chmod(0o644)


def test_hash_failure_falls_back_to_the_path(make_study, tmp_path: Path, monkeypatch) -> None:
    from survey.config import study as study_mod

    path = make_study(_add_file("data/raw/对标.csv"))
    (tmp_path / "data" / "raw" / "对标.csv").write_text("q1,q2\n3,4\n", encoding="utf-8")

    def unreadable(p: Path) -> str:
        raise PermissionError(13, "Permission denied", str(p))

    monkeypatch.setattr(study_mod, "_sha256", unreadable)
    assert len(load_study(path).questionnaire.files) == 2


def test_output_is_the_study_folder_message(make_study) -> None:
    err = _error(make_study(lambda d: d.__setitem__("output_dir", ".")))
    assert "output_dir（.）就是存放原始输入文件的文件夹 研究文件夹本身" in err.problem
    assert "questionnaire.codebook 就在其中" in err.problem
