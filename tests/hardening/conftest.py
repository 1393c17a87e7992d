"""Fixtures for the hardening tests.

``two_runs`` plants identifiers into two copies of the demo study and runs the whole pipeline
(``survey clean`` then ``survey report``, real CLI, reports and figures redirected into each
copy) on both at once: run A with ``PYTHONHASHSEED=1`` from its own folder, run B with
``PYTHONHASHSEED=4242`` from an unrelated working directory. The leak scan reads run A; the
determinism tests compare A with B. The runs are made once per test session, also under
``pytest -n 2``: the first worker to need them makes them under a file lock, the other waits and
reuses them (the pattern pytest-xdist documents, with ``fcntl`` instead of ``filelock``).

When ``notebooks/`` holds no notebook yet, only ``survey clean`` runs and the report tests skip.
"""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from hardening_helpers import (
    Run,
    copy_demo,
    notebooks_present,
    plant_identifiers,
    run_pipelines,
)


@contextmanager
def _locked(path: Path):
    try:
        import fcntl
    except ImportError:  # Windows: no lock; each worker makes its own runs
        yield
        return
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> tuple[Run, Run, list[str]]:
    report = notebooks_present()
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder all xdist workers share
    base = shared / "hardening_two_runs"
    done = base / "done.json"
    with _locked(shared / "hardening_two_runs.lock"):
        if not done.exists():
            if base.exists():
                shutil.rmtree(base)
            a, b = base / "run_a", base / "run_b"
            copy_demo(a)
            tokens = plant_identifiers(a)
            # B is a byte copy of A's inputs (openpyxl stamps the save time into a workbook,
            # so planting twice would give different raw files).
            shutil.copytree(a, b)
            runs = run_pipelines(
                [(a, a, "1"), (b, base / "elsewhere" / "cwd", "4242")], report=report
            )
            done.write_text(json.dumps({"tokens": tokens, "logs": [r.logs for r in runs],
                                        "reported": report}, ensure_ascii=False),
                            encoding="utf-8")
    info = json.loads(done.read_text(encoding="utf-8"))
    a_run = Run(base / "run_a", info["logs"][0], info["reported"])
    b_run = Run(base / "run_b", info["logs"][1], info["reported"])
    return a_run, b_run, info["tokens"]


@pytest.fixture
def need_report(two_runs: tuple[Run, Run, list[str]]) -> None:
    if not two_runs[0].reported:
        pytest.skip("notebooks/ 中还没有笔记本：survey report 无法运行，只检查了 survey clean 的输出")
