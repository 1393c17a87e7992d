"""AtomicOutput: all outputs move into place together, or none do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from survey.errors import SurveyError
from survey.export import OWNED_LEDGER, AtomicOutput, write_csv


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
