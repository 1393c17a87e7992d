"""AtomicOutput: all outputs move into place together, or none do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from survey.errors import SurveyError, SurveyWarning
from survey.io.atomic import LOCK_FILE, OWNED_LEDGER, AtomicOutput, sweep_leftovers, write_atomic
from survey.io.export import write_csv


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


def test_success_moves_files_and_cleans_staging(tmp_path, frame):
    dest = tmp_path / "processed"
    with AtomicOutput(dest) as staging:
        assert staging.parent == dest.parent and staging.is_dir() and not dest.exists()
        write_csv(frame, staging / "responses.csv")
        (staging / "manifest.json").write_text("{}\n", encoding="utf-8")
        (staging / "sub").mkdir()
        (staging / "sub" / "x.txt").write_text("x", encoding="utf-8")
    assert sorted(_snapshot(dest)) == sorted(
        [OWNED_LEDGER, "manifest.json", "responses.csv", "sub/x.txt"]
    )
    assert _siblings(dest) == []  # staging and backup folders are gone


def test_exception_in_the_middle_leaves_previous_outputs_byte_identical(tmp_path, frame):
    dest = tmp_path / "processed"
    with AtomicOutput(dest) as staging:
        write_csv(frame, staging / "responses.csv")
        (staging / "exclusions.csv").write_bytes(b"old exclusions\r\n")
    (dest / "notes.txt").write_text("用户自己的笔记", encoding="utf-8")
    before = _snapshot(dest)

    with pytest.raises(RuntimeError, match="boom"), AtomicOutput(dest) as staging:
        write_csv(frame.head(2), staging / "responses.csv")
        (staging / "exclusions.csv").write_bytes(b"new exclusions\r\n")
        raise RuntimeError("boom")

    assert _snapshot(dest) == before
    assert _siblings(dest) == []


def test_stale_owned_files_removed_user_files_kept(tmp_path):
    dest = tmp_path / "processed"
    with AtomicOutput(dest) as staging:
        (staging / "a.csv").write_text("a1", encoding="utf-8")
        (staging / "old_only.csv").write_text("o", encoding="utf-8")
    (dest / "mine.xlsx").write_bytes(b"user file")
    with AtomicOutput(dest) as staging:
        (staging / "a.csv").write_text("a2", encoding="utf-8")
    snap = _snapshot(dest)
    assert snap["a.csv"] == b"a2"
    assert "old_only.csv" not in snap
    assert snap["mine.xlsx"] == b"user file"


def test_failed_move_rolls_back_and_explains(tmp_path, monkeypatch):
    dest = tmp_path / "processed"
    with AtomicOutput(dest) as staging:
        for name in ("a.csv", "b.csv", "c.csv"):
            (staging / name).write_text(f"{name} v1", encoding="utf-8")
    before = _snapshot(dest)

    real_replace = os.replace

    def locked(src, dst):  # b.csv is open in Excel (Windows refuses to replace it)
        if Path(dst).name == "b.csv" and Path(dst).parent == dest:
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(SurveyError) as info, AtomicOutput(dest) as staging:
        for name in ("a.csv", "b.csv", "c.csv"):
            (staging / name).write_text(f"{name} v2", encoding="utf-8")
    monkeypatch.setattr(os, "replace", real_replace)

    msg = info.value.message_zh()
    assert "b.csv" in msg and "关闭该文件" in msg
    assert _snapshot(dest) == before  # a.csv, already replaced, was put back
    assert _siblings(dest) == []


# -- leftovers of killed runs -------------------------------------------------------------------
_HOLD = """
import sys, time
from pathlib import Path
from survey.io.atomic import AtomicOutput
out = AtomicOutput(Path(sys.argv[1]))
staging = out.__enter__()
(staging / "half.csv").write_text("half", encoding="utf-8")
print(staging, flush=True)
time.sleep(float(sys.argv[2]))
"""


def _killed_run(dest: Path, *, live_for: float = 0.0) -> tuple[Path, subprocess.Popen[str]]:
    """A run that made its staging folder and then died (or is still sleeping)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(dest), str(live_for)],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    staging = Path(proc.stdout.readline().strip())
    if not live_for:
        proc.wait(timeout=60)
    return staging, proc


def test_next_run_removes_the_folder_of_a_dead_run(tmp_path, frame):
    dest = tmp_path / "processed"
    staging, _ = _killed_run(dest)
    assert staging.is_dir() and (staging / LOCK_FILE).is_file()
    with pytest.warns(SurveyWarning, match="中断的运行留下的临时文件夹（1 个"), AtomicOutput(dest) as new:
        write_csv(frame, new / "responses.csv")
    assert not staging.exists()
    assert _siblings(dest) == []
    assert sorted(p.name for p in dest.iterdir()) == [OWNED_LEDGER, "responses.csv"]


def test_folder_of_a_live_run_is_left_alone(tmp_path):
    dest = tmp_path / "processed"
    staging, proc = _killed_run(dest, live_for=60)
    try:
        assert sweep_leftovers(dest) == []
        assert (staging / "half.csv").is_file()
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert sweep_leftovers(dest) == [staging.name]  # once its run has ended


def test_folder_without_lock_file_is_left_alone(tmp_path):
    dest = tmp_path / "processed"
    junk = tmp_path / ".processed.staging-deadbeef"
    junk.mkdir()
    (junk / "manifest.json").write_text("{", encoding="utf-8")
    assert sweep_leftovers(dest) == [] and junk.is_dir()
    other = tmp_path / ".reports.staging-x"  # another output folder's leftovers: not ours
    other.mkdir()
    (other / LOCK_FILE).write_text("", encoding="utf-8")
    assert sweep_leftovers(dest) == [] and other.is_dir()


def test_lock_file_is_not_an_output(tmp_path):
    dest = tmp_path / "processed"
    with AtomicOutput(dest) as staging:
        (staging / "a.csv").write_text("a", encoding="utf-8")
        assert (staging / LOCK_FILE).is_file()
    assert not (dest / LOCK_FILE).exists()


_KILLED_MID_MOVE = """
import os, sys
from pathlib import Path
from survey.io.atomic import AtomicOutput
dest = Path(sys.argv[1])
with AtomicOutput(dest) as st:
    for name in ("a.csv", "b.csv", "manifest.json", "old_only.csv"):
        (st / name).write_text(name + " v1", encoding="utf-8")
real, moves = os.replace, []
def dying(src, dst):
    moves.append(dst)
    if len(moves) == 2:
        os._exit(9)  # killed after the first file of the second run was moved
    real(src, dst)
os.replace = dying
with AtomicOutput(dest) as st:
    for name in ("a.csv", "b.csv", "manifest.json"):
        (st / name).write_text(name + " v2", encoding="utf-8")
"""


def test_run_killed_while_moving_is_completed_by_the_next(tmp_path):
    dest = tmp_path / "processed"
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_MOVE, str(dest)], check=False)
    assert proc.returncode == 9
    mixed = {p.name: p.read_text(encoding="utf-8") for p in dest.iterdir() if p.name != OWNED_LEDGER}
    assert mixed["a.csv"] == "a.csv v2" and mixed["b.csv"] == "b.csv v1"  # a mix, for now
    with pytest.warns(SurveyWarning, match="补齐"):
        sweep_leftovers(dest)
    done = {p.name: p.read_text(encoding="utf-8") for p in dest.iterdir() if p.name != OWNED_LEDGER}
    assert done == {"a.csv": "a.csv v2", "b.csv": "b.csv v2", "manifest.json": "manifest.json v2"}
    assert _siblings(dest) == []  # staging and backup folders gone
    ledger = (dest / OWNED_LEDGER).read_text(encoding="utf-8")
    assert "old_only.csv" not in ledger and "manifest.json" in ledger


# -- single files ---------------------------------------------------------------------------------
def test_write_atomic_text_and_bytes(tmp_path):
    target = tmp_path / "sub" / "page.html"
    assert write_atomic(target, "党建 <html>") is True
    assert target.read_bytes() == "党建 <html>".encode()
    assert write_atomic(target, b"\x00\x01") is True and target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]  # no temporary left
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not tempfile's private 0600


def test_write_atomic_only_if_changed_keeps_the_file(tmp_path):
    target = tmp_path / "fig.png"
    write_atomic(target, b"png")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    assert write_atomic(target, b"png", only_if_changed=True) is False
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert write_atomic(target, b"png2", only_if_changed=True) is True
    assert target.read_bytes() == b"png2"


def test_write_atomic_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def refuse(src, dst):
        raise PermissionError("file is open in another program")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(SurveyError, match="没有写入权限") as info:
        write_atomic(target, "new")
    assert isinstance(info.value.__cause__, PermissionError)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
