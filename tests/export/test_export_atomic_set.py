"""AtomicOutputSet: several output folders committed all or none (the report's figures/ + reports/).

A run killed at every commit step (the ``SURVEY_TEST_CRASH_AFTER_STEPS`` hook ends the process
with ``os._exit`` after N commit markers / moved files) leaves a group that the next sweep turns
into exactly the previous set or exactly the new one; an interruption inside the process puts
every folder back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from survey.io.atomic import (
    CRASH_AFTER_STEPS_ENV,
    CRASH_EXIT_STATUS,
    AtomicOutputSet,
    sweep_leftovers,
)

_FILES = {"figs": ("a.png", "b.png", "sub/c.svg"), "reps": ("audit/index.html", "committee.html")}


def _write(stagings: list[Path], version: str) -> None:
    for staging, name in zip(stagings, _FILES, strict=True):
        for rel in _FILES[name]:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_text(f"{name}/{rel} {version}", encoding="utf-8")


def _state(root: Path) -> dict[str, str]:
    out = {}
    for name in _FILES:
        for p in sorted((root / name).rglob("*")):
            rel = p.relative_to(root / name)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                out[p.relative_to(root).as_posix()] = p.read_text(encoding="utf-8")
    return out


def _expected(version: str) -> dict[str, str]:
    return {f"{n}/{rel}": f"{n}/{rel} {version}" for n, rels in _FILES.items() for rel in rels}


def _siblings(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_export_atomic_set import _write
from survey.io.atomic import AtomicOutputSet
root = Path(sys.argv[1])
with AtomicOutputSet([root / "figs", root / "reps"]) as stagings:
    _write(stagings, "v2")
"""


def test_commit_moves_both_folders_and_seed_keeps_the_rest(tmp_path: Path) -> None:
    with AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"]) as stagings:
        _write(stagings, "v1")
    assert _state(tmp_path) == _expected("v1")
    (tmp_path / "reps" / ".cache").mkdir()
    (tmp_path / "reps" / ".cache" / "k.json").write_text("cache", encoding="utf-8")
    with AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"], seed=True) as (figs, reps):
        assert (figs / "sub" / "c.svg").read_text(encoding="utf-8") == "figs/sub/c.svg v1"
        assert not (reps / ".cache").exists()  # hidden: not seeded, not committed
        (figs / "a.png").write_text("figs/a.png v2", encoding="utf-8")
    state = _state(tmp_path)
    assert state == {**_expected("v1"), "figs/a.png": "figs/a.png v2"}
    assert (tmp_path / "reps" / ".cache" / "k.json").read_text(encoding="utf-8") == "cache"
    assert [s for s in _siblings(tmp_path) if "staging" in s or "backup" in s] == []


def test_exception_in_the_block_leaves_both_folders(tmp_path: Path) -> None:
    with AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"]) as stagings:
        _write(stagings, "v1")
    with pytest.raises(RuntimeError), AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"]) as st:
        _write(st, "v2")
        raise RuntimeError("notebook failed")
    assert _state(tmp_path) == _expected("v1")
    assert _siblings(tmp_path) == []


def test_interrupt_between_moves_puts_every_folder_back(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"]) as stagings:
        _write(stagings, "v1")
    total = sum(map(len, _FILES.values())) + 2  # files and the two ledgers
    for n in range(1, total + 1):
        real, calls = os.replace, []

        def interrupted(src: object, dst: object, n: int = n, real=real, calls=calls) -> None:
            if ".staging-" in str(src):  # a move into place (not a rollback)
                calls.append(dst)
                if len(calls) == n:
                    raise KeyboardInterrupt
            real(src, dst)

        monkeypatch.setattr(os, "replace", interrupted)
        with pytest.raises(KeyboardInterrupt), \
                AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"]) as st:
            _write(st, "v2")
        monkeypatch.setattr(os, "replace", real)
        assert _state(tmp_path) == _expected("v1"), n
        assert _siblings(tmp_path) == [], n


@pytest.mark.parametrize("step", range(1, 10))
def test_killed_at_every_commit_step_gives_old_or_new_set(tmp_path: Path, step: int) -> None:
    with AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"]) as stagings:
        _write(stagings, "v1")
    env = {**os.environ, CRASH_AFTER_STEPS_ENV: str(step),
           "PYTHONPATH": os.pathsep.join([str(Path.cwd()), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path), str(Path(__file__).parent)],
                          env=env, check=False, capture_output=True, text=True)
    # 2 markers + 5 files + 2 ledgers = 9 steps; the last one ends the run after everything moved
    assert proc.returncode == CRASH_EXIT_STATUS, proc.stderr
    if 3 <= step <= 7:  # killed while moving visible files: a mix for now
        assert _state(tmp_path) not in (_expected("v1"), _expected("v2"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sweep_leftovers(tmp_path / "figs")  # either member's sweep handles the whole group
    # before the second marker: the previous set; from it on: the new set
    assert _state(tmp_path) == _expected("v1" if step < 2 else "v2"), step
    assert [s for s in _siblings(tmp_path) if "staging" in s or "backup" in s] == []
    # and a following commit works normally
    with AtomicOutputSet([tmp_path / "figs", tmp_path / "reps"]) as stagings:
        _write(stagings, "v3")
    assert _state(tmp_path) == _expected("v3")
