"""Raw data are read-only at write time too: a symlink made after the study was loaded cannot
redirect a write into an input folder (issue #11, "checked again at write time")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from survey.errors import SurveyError
from survey.io import atomic
from survey.io.atomic import (
    AtomicOutput,
    AtomicOutputSet,
    check_writable,
    protect_inputs,
    protected_inputs,
    reset_protected,
    write_atomic,
)
from survey.io.export import write_csv

GUARD = "输出位置不能在原始数据文件夹内"


def _symlink(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(target, link, target_is_directory=target.is_dir())
    except (OSError, NotImplementedError):  # pragma: no cover - Windows without privilege
        pytest.skip("symbolic links not available")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture(autouse=True)
def _clean_guard() -> Iterator[None]:
    reset_protected()
    yield
    reset_protected()


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """tmp_path/data/raw holding one export; protected."""
    folder = tmp_path / "data" / "raw"
    folder.mkdir(parents=True)
    (folder / "responses.csv").write_bytes(b"q1\r\n5\r\n")
    return folder


# -- (b) check_writable -------------------------------------------------------------------------
def test_plain_target_inside_protected_folder_refused(raw: Path) -> None:
    protect_inputs([raw])
    with pytest.raises(SurveyError) as info:
        check_writable(raw / "responses.csv")
    assert GUARD in (info.value.expected or "")
    assert str(raw.resolve()) in (info.value.expected or "")
    assert Path(str(info.value.file)) == raw / "responses.csv"


def test_symlinked_parent_and_missing_nested_target_refused(tmp_path: Path, raw: Path) -> None:
    protect_inputs([raw])
    link = tmp_path / "figures"
    _symlink(link, raw)
    target = link / "新" / "子文件夹" / "图1.png"  # none of these exist yet
    assert not target.parent.exists()
    with pytest.raises(SurveyError) as info:
        check_writable(target)
    assert GUARD in (info.value.expected or "")
    assert "符号链接" in str(info.value)  # says the path went through a link
    assert not (raw / "新").exists()


def test_symlinked_file_refused(tmp_path: Path, raw: Path) -> None:
    protect_inputs([raw])
    out = tmp_path / "data" / "processed"
    out.mkdir(parents=True)
    _symlink(out / "responses.csv", raw / "responses.csv")
    with pytest.raises(SurveyError):
        check_writable(out / "responses.csv")


def test_targets_outside_pass_and_resolve(tmp_path: Path, raw: Path) -> None:
    protect_inputs([raw])
    real = tmp_path / "elsewhere"
    real.mkdir()
    _symlink(tmp_path / "out", real)
    # a sibling whose name starts like the protected folder is not inside it
    assert check_writable(tmp_path / "data" / "raw2" / "a.csv") == tmp_path.resolve() / "data" / "raw2" / "a.csv"
    assert check_writable(tmp_path / "out" / "x" / "a.csv") == real.resolve() / "x" / "a.csv"
    assert check_writable(tmp_path / "data" / "processed" / "a.csv").parent.name == "processed"


def test_shallow_folder_protects_direct_entries_only(tmp_path: Path) -> None:
    (tmp_path / "codebook.yaml").write_text("x", encoding="utf-8")
    protect_inputs([], shallow=[tmp_path])
    with pytest.raises(SurveyError):
        check_writable(tmp_path / "codebook.yaml")
    check_writable(tmp_path / "data" / "processed" / "responses.csv")  # a subfolder: allowed


def test_context_manager_restores_previous_protection(tmp_path: Path, raw: Path) -> None:
    other = tmp_path / "other"
    protect_inputs([other])
    with protected_inputs([raw]):
        with pytest.raises(SurveyError):
            check_writable(raw / "a.csv")
        with pytest.raises(SurveyError):
            check_writable(other / "a.csv")
    check_writable(raw / "a.csv")
    with pytest.raises(SurveyError):
        check_writable(other / "a.csv")
    reset_protected()
    check_writable(other / "a.csv")
    assert not atomic._PROTECTED


# -- (a) writers refuse a redirected target ------------------------------------------------------
def test_write_atomic_through_symlinked_folder_refused(tmp_path: Path, raw: Path) -> None:
    before = _tree(raw)
    protect_inputs([raw])
    _symlink(tmp_path / "figures", raw)
    with pytest.raises(SurveyError) as info:
        write_atomic(tmp_path / "figures" / "responses.csv", b"overwritten")
    assert GUARD in (info.value.expected or "")
    assert _tree(raw) == before


def test_write_csv_through_symlinked_file_refused(tmp_path: Path, raw: Path) -> None:
    import pandas as pd

    before = _tree(raw)
    protect_inputs([raw])
    _symlink(tmp_path / "responses.csv", raw / "responses.csv")
    with pytest.raises(SurveyError):
        write_csv(pd.DataFrame({"q1": [1]}), tmp_path / "responses.csv")
    assert _tree(raw) == before


def test_atomic_output_set_refuses_symlinked_figures_folder(tmp_path: Path, raw: Path) -> None:
    before = _tree(raw)
    protect_inputs([raw])
    _symlink(tmp_path / "figures", raw)
    with pytest.raises(SurveyError) as info, \
            AtomicOutputSet([tmp_path / "figures", tmp_path / "reports"]) as (fig, rep):
        (fig / "responses.csv").write_bytes(b"overwritten")
        (rep / "a.html").write_bytes(b"x")
    assert GUARD in (info.value.expected or "")
    assert _tree(raw) == before
    assert not (tmp_path / "reports" / "a.html").exists()
    assert not list(raw.parent.glob(".raw.staging-*"))  # nothing was even staged in data/


def test_atomic_output_refuses_file_symlinked_during_run(tmp_path: Path, raw: Path) -> None:
    """The link appears while the run is writing its staging folder: nothing is moved."""
    before = _tree(raw)
    out = tmp_path / "data" / "processed"
    protect_inputs([raw])
    with AtomicOutput(out) as staging:
        (staging / "a.csv").write_bytes(b"first")
    with pytest.raises(SurveyError), AtomicOutput(out) as staging:
        (staging / "a.csv").write_bytes(b"second")
        (staging / "responses.csv").write_bytes(b"overwritten")
        _symlink(out / "responses.csv", raw / "responses.csv")
    assert _tree(raw) == before
    assert (out / "a.csv").read_bytes() == b"first"  # the previous set is kept whole


# -- (c) normal writes are unaffected ------------------------------------------------------------
def test_normal_writes_unaffected(tmp_path: Path, raw: Path) -> None:
    protect_inputs([raw])
    assert write_atomic(tmp_path / "reports" / "page.html", "<html></html>")
    with AtomicOutput(tmp_path / "data" / "processed") as staging:
        (staging / "responses.csv").write_bytes(b"q1\r\n1\r\n")
    assert (tmp_path / "data" / "processed" / "responses.csv").read_bytes() == b"q1\r\n1\r\n"
    with AtomicOutputSet([tmp_path / "figures", tmp_path / "reports"]) as (fig, _rep):
        (fig / "f.svg").write_bytes(b"<svg/>")
    assert (tmp_path / "figures" / "f.svg").read_bytes() == b"<svg/>"


# -- the pipeline: a symlink made after load_study ------------------------------------------------
@pytest.fixture(scope="module")
def cleaned_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo, cleaned once (module scope; each test copies nothing, it only adds links
    and restores them)."""
    from demo_copy import copy_small_demo

    from survey.config.study import load_study
    from survey.pipeline import run_clean

    study_file = copy_small_demo(tmp_path_factory.mktemp("guard") / "study")
    run_clean(load_study(study_file))
    assert not atomic._PROTECTED  # the run's protection ended with it
    return study_file


def _raw_export(root: Path) -> Path:
    return next(p for p in sorted((root / "data" / "raw" / "demo").iterdir()) if p.suffix == ".csv")


def test_clean_refuses_output_file_symlinked_into_raw(cleaned_demo: Path) -> None:
    from survey.config.study import load_study
    from survey.pipeline import run_clean

    root = cleaned_demo.parent
    raw_dir = root / "data" / "raw"
    study = load_study(cleaned_demo)  # config load passes: the links come afterwards
    before = _tree(raw_dir)
    out = study.output_path
    victim = next(p for p in sorted(out.iterdir()) if p.suffix == ".csv")
    saved = victim.read_bytes()
    victim.unlink()
    _symlink(victim, _raw_export(root))
    try:
        with pytest.raises(SurveyError) as info:
            run_clean(study)
        assert GUARD in (info.value.expected or "")
        assert "原始数据文件夹" in str(info.value)
        assert _tree(raw_dir) == before
    finally:
        victim.unlink()
        victim.write_bytes(saved)


def test_clean_refuses_output_folder_symlinked_into_raw(cleaned_demo: Path) -> None:
    from survey.config.study import load_study
    from survey.pipeline import run_clean

    root = cleaned_demo.parent
    raw_dir = root / "data" / "raw"
    study = load_study(cleaned_demo)
    before = _tree(raw_dir)
    out = study.output_path
    moved = out.with_name("processed-moved")
    out.rename(moved)
    _symlink(out, raw_dir / "demo")
    try:
        with pytest.raises(SurveyError) as info:
            run_clean(study)
        assert GUARD in (info.value.expected or "")
        assert _tree(raw_dir) == before
        assert not list((raw_dir / "demo").glob(".survey_*"))
    finally:
        out.unlink()
        moved.rename(out)


def test_clean_refuses_output_dir_override_into_raw(cleaned_demo: Path) -> None:
    """``output_dir=`` given to run_clean (the command line's override) is not checked at config
    load; the write-time guard refuses it."""
    from survey.config.study import load_study
    from survey.pipeline import run_clean

    raw_dir = cleaned_demo.parent / "data" / "raw"
    before = _tree(raw_dir)
    with pytest.raises(SurveyError) as info:
        run_clean(load_study(cleaned_demo), output_dir=raw_dir / "demo" / "processed")
    assert GUARD in (info.value.expected or "")
    assert _tree(raw_dir) == before
