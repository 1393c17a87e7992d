"""Fixtures for the analysis layer and the notebooks.

Two studies are cleaned once per test session: the synthetic demo study and the minimal study
in ``tests/analysis/minimal_study`` (questionnaire only, grouped by campus, a 6-point scale).
Every notebook is executed once per study (two kernels at a time), after the notebooks it
declares in ``metadata.survey.depends_on`` (07 reads the section results of 02–06 from the
section cache in the study's reports folder). Under pytest-xdist the work is done by the first
worker that gets there and shared through a file lock, so the notebooks still run only once
per session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
STUDIES = ("demo", "minimal")


@contextmanager
def _locked(path: Path):
    """An exclusive lock between xdist workers (POSIX flock; no-op elsewhere)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: workers may duplicate the work
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean(study: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SURVEY_PSEUDONYM_KEY"}
    proc = subprocess.run([sys.executable, "-m", "survey", "clean", "--study", str(study)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _prepare_studies(base: Path) -> dict[str, Path]:
    demo = base / "demo"
    demo.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "study.yaml", demo / "study.yaml")
    shutil.copy2(ROOT / "study_2025.yaml", demo / "study_2025.yaml")
    shutil.copytree(ROOT / "data" / "raw" / "demo", demo / "data" / "raw" / "demo")
    minimal = base / "minimal"
    shutil.copytree(HERE / "minimal_study", minimal,
                    ignore=shutil.ignore_patterns("processed", "__pycache__"))
    studies = {"demo": demo / "study.yaml", "minimal": minimal / "study.yaml"}
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(_clean, studies.values()))
    return studies


def execute_notebook(path: Path, params: dict[str, str], out: Path, timeout: int = 600) -> dict:
    """Execute one notebook with nbclient, parameters injected after the ``parameters`` cell.

    Writes the executed notebook to ``out``; returns ``{"ok", "seconds", "error"}``.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    idx = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in params.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    cell["id"] = "injected-parameters"
    nb.cells.insert(idx + 1, cell)
    start = time.perf_counter()
    error = None
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    except CellExecutionError as exc:
        error = str(exc)
    nbformat.write(nb, out)
    return {"ok": error is None, "seconds": time.perf_counter() - start, "error": error}


def _execute_all(studies: dict[str, Path], base: Path) -> dict:
    tasks = []
    for key, study in studies.items():
        params = {"study_path": str(study), "processed_dir": str(study.parent / "processed"
                                                                  if key == "minimal" else
                                                                  study.parent / "data" / "processed"),
                  "figures_dir": str(base / "figures" / key),
                  "reports_dir": str(base / "reports" / key)}
        (base / "executed" / key).mkdir(parents=True, exist_ok=True)
        for nb in NOTEBOOKS:
            tasks.append((key, nb, params, base / "executed" / key / nb.name))
    # in waves: a notebook after the notebooks it depends on; slowest first in each wave
    deps = {nb.stem: json.loads(nb.read_text(encoding="utf-8"))["metadata"]["survey"]
            .get("depends_on", []) for nb in NOTEBOOKS}
    waves = [[t for t in tasks if not deps[t[1].stem]], [t for t in tasks if deps[t[1].stem]]]
    waves[0].sort(key=lambda t: (t[0] != "demo", t[1].name not in ("03_benchmark_gaps.ipynb",
                                                                   "05_symposium.ipynb")))
    # kernels inherit the environment: the notebook backend, a fixed hash seed
    saved = {k: os.environ.get(k) for k in ("MPLBACKEND", "PYTHONHASHSEED")}
    os.environ.update(MPLBACKEND="module://matplotlib_inline.backend_inline", PYTHONHASHSEED="0")
    try:
        results = []
        with ThreadPoolExecutor(2) as pool:
            for wave in waves:
                results += list(pool.map(lambda t: execute_notebook(t[1], t[2], t[3]), wave))
        tasks = [t for wave in waves for t in wave]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {f"{t[0]}/{t[1].stem}": r for t, r in zip(tasks, results, strict=True)}


@pytest.fixture(scope="session")
def analysis_base(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict:
    """Clean both studies and execute every notebook once; shared between xdist workers."""
    # not the ``worker_id`` fixture: it is missing under ``-p no:xdist``
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "master")
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent
    base = root / "analysis_shared"
    done = base / "done.json"
    with _locked(root / "analysis_shared.lock"):
        if not done.is_file():
            if base.exists():
                shutil.rmtree(base)
            base.mkdir(parents=True)
            studies = _prepare_studies(base)
            results = _execute_all(studies, base)
            done.write_text(json.dumps({"studies": {k: str(v) for k, v in studies.items()},
                                        "results": results}, ensure_ascii=False))
    info = json.loads(done.read_text())
    info["base"] = base
    return info


@pytest.fixture(scope="session")
def demo_ctx(analysis_base, request: pytest.FixtureRequest):
    from survey import analysis as A

    # its own reports folder, one per xdist worker: computed in this process, not read from the
    # notebooks' cache nor from another worker's (two workers would compute into one log)
    return A.load(analysis_base["studies"]["demo"], figures_dir=analysis_base["base"] / "figs_demo",
                  reports_dir=_inproc(analysis_base, request) / "demo")


@pytest.fixture(scope="session")
def minimal_ctx(analysis_base, request: pytest.FixtureRequest):
    from survey import analysis as A

    return A.load(analysis_base["studies"]["minimal"],
                  figures_dir=analysis_base["base"] / "figs_minimal",
                  reports_dir=_inproc(analysis_base, request) / "minimal")


def _inproc(analysis_base: dict, request: pytest.FixtureRequest) -> Path:
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "master")
    return analysis_base["base"] / "reports_inproc" / worker_id


@pytest.fixture(scope="session")
def demo_sections(demo_ctx) -> dict:
    """Every section of the demo study, computed once."""
    from survey import analysis as A

    return A.results(demo_ctx)


@pytest.fixture(scope="session")
def minimal_sections(minimal_ctx) -> dict:
    from survey import analysis as A

    return A.results(minimal_ctx)


@pytest.fixture(scope="session")
def truth() -> dict:
    return json.loads((ROOT / "data" / "raw" / "demo" / "truth.json").read_text(encoding="utf-8"))
