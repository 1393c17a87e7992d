"""``survey report`` commits figures and reports as one set, and owns its kernels.

- Killed at every step of the commit (the test hook ``SURVEY_TEST_CRASH_AFTER_STEPS`` of
  :mod:`survey.io.atomic` ends the process with ``os._exit`` after N commit markers / moved
  files, as ``kill -9`` there would), the run leaves ``figures/`` + ``reports/`` such that the
  next sweep (or the next run) gives either exactly the previous set or exactly the new one,
  never a mix: killed before the last commit marker, the old set; after it, the new set.
- The kernel's connection file (with its HMAC key) lives in the run's staging folder and is
  gone afterwards; nothing is left in the system temp folder or the Jupyter runtime folder.
- SIGTERM to ``survey report`` (the main process only, not its group) ends its kernel too.

The study is the cleaned small demo with one tiny notebook made here; it writes a figure and
prints a version string (so figures, audit and committee pages all change between versions),
and records where its connection file is and the kernel's process id beside the study.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import pytest
from hardening_helpers import survey_popen, tree_hashes

from survey.io.atomic import (
    COMMIT_MARKER,
    CRASH_AFTER_STEPS_ENV,
    CRASH_EXIT_STATUS,
    sweep_leftovers,
)

pytestmark = pytest.mark.slow

_NB_CODE = """
import os, time
from pathlib import Path
from ipykernel import get_connection_file
VERSION = {version!r}
side = Path(processed_dir).parent
(side / "kernel_conn.txt").write_text(get_connection_file(), encoding="utf-8")
(side / "kernel_pid.txt").write_text(str(os.getpid()), encoding="utf-8")
Path(figures_dir, "version.txt").write_text(VERSION, encoding="utf-8")
if VERSION == "new":
    Path(figures_dir, "only_new.txt").write_text("new", encoding="utf-8")
time.sleep(float(os.environ.get("SURVEY_TEST_NB_SLEEP", "0")))
print("版本", VERSION)
"""


def _notebook(folder: Path, version: str) -> None:
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("processed_dir = ''\nfigures_dir = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# 版本"), params,
                nbformat.v4.new_code_cell(_NB_CODE.format(version=version))]
    nb.metadata["survey"] = {"inputs": ["responses.parquet"], "depends_on": []}
    nbformat.write(nb, folder / "01_version.ipynb")


def _outputs(root: Path) -> dict[str, str]:
    """Digests of the output set: every file of figures/ and reports/ but the runner's cache."""
    out = {f"figures/{k}": v for k, v in tree_hashes(root / "figures").items()}
    out.update({f"reports/{k}": v for k, v in tree_hashes(root / "reports").items()
                if not k.startswith(".cache/")})
    return out


def _run(root: Path, *extra_args: str, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    args = ["report", "--study", str(root / "study.yaml"), "--jobs", "1", *extra_args]
    proc = survey_popen(args, root=root, cwd=root,
                        extra_env={"SURVEY_TEST_NOTEBOOKS_DIR": str(root / "notebooks"), **(env or {})},
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(args, proc.returncode, "", err.decode("utf-8", "replace"))


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if ".staging-" in p.name or ".backup-" in p.name)


def _restore(root: Path, snapshot: Path) -> None:
    """Put figures/, reports/ (with its cache) and the notebook back to the old run's state."""
    for name in ("figures", "reports", "notebooks"):
        shutil.rmtree(root / name, ignore_errors=True)
        shutil.copytree(snapshot / name, root / name)
    for p in root.iterdir():
        if ".staging-" in p.name or ".backup-" in p.name:
            shutil.rmtree(p)


@pytest.fixture(scope="module")
def old_and_new(cleaned_small_demo: tuple[Path, str],
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict, dict]:
    """A study with an old complete report (snapshot kept) and the digests of the old and of
    the new complete output set (the new one from an uninterrupted run, then undone)."""
    base = tmp_path_factory.mktemp("report_atomic")
    root = base / "study"
    shutil.copytree(cleaned_small_demo[0].parent, root)
    _notebook(root / "notebooks", "old")
    done = _run(root)
    assert done.returncode == 0, done.stderr
    old = _outputs(root)
    assert "reports/committee.html" in old and "figures/version.txt" in old, sorted(old)
    snapshot = base / "snapshot"
    for name in ("figures", "reports", "notebooks"):
        shutil.copytree(root / name, snapshot / name)
    _notebook(root / "notebooks", "new")
    done = _run(root)
    assert done.returncode == 0, done.stderr
    new = _outputs(root)
    assert (root / "figures" / "version.txt").read_text(encoding="utf-8") == "new"
    changed = {k for k in old if new.get(k) != old[k]}
    # the new version changes the figure, the audit page and the committee report
    assert {"figures/version.txt", "reports/committee.html"} <= changed, changed
    assert any(k.startswith("reports/audit/") for k in changed), changed
    _restore(root, snapshot)
    assert _outputs(root) == old
    return root, snapshot, old, new


def test_normal_run_leaves_no_connection_file(old_and_new: tuple[Path, Path, dict, dict]) -> None:
    root, snapshot, _old, new = old_and_new
    tmp = Path(tempfile.gettempdir())
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(jupyter_runtime_dir())
    def conn_files() -> set[Path]:
        return {*tmp.glob("kernel-*.json"), *tmp.glob("*/kernel-*.json"),
                *runtime.glob("kernel-*.json")}

    before = conn_files()
    _notebook(root / "notebooks", "new")
    try:
        done = _run(root, "--force")
        assert done.returncode == 0, done.stderr
        assert _is_new_set(root, new)
        conn = Path((root / "data" / "kernel_conn.txt").read_text(encoding="utf-8"))
        # the kernel's connection file was in this run's staging folder beside reports/ ...
        assert conn.parent.parent.parent == root and conn.parent.parent.name.startswith(
            ".reports.staging-"), conn
        # ... and is gone with it; none was made in the temp or the Jupyter runtime folder
        assert not conn.exists() and not conn.parent.parent.exists()
        assert conn_files() - before == set()
        assert _leftovers(root) == []
        assert not list((root / "reports").rglob("kernel-*.json"))
    finally:
        _restore(root, snapshot)


def _commit_steps(new: dict[str, str]) -> int:
    """Commit steps of the new run: 2 markers, then one move per file (the ledgers included)."""
    return 2 + len(new)


def _staged_set(root: Path) -> tuple[dict[str, str], int, bool]:
    """The output set a killed, committed run stands for: each file of its commit markers from
    its staging folder if not moved yet, else from the destination; how many were moved; and
    whether a file still to move differs from the one in place."""
    expected: dict[str, str] = {}
    moved, pending_differs = 0, False
    for name in ("figures", "reports"):
        (staging,) = root.glob(f".{name}.staging-*")
        order = json.loads((staging / COMMIT_MARKER).read_text(encoding="utf-8"))["order"]
        for rel in order:
            src = staging / rel
            if not src.is_file():
                moved += 1
                src = root / name / rel
            elif not (root / name / rel).is_file() or (
                    (root / name / rel).read_bytes() != src.read_bytes()):
                pending_differs = True
            expected[f"{name}/{rel}"] = hashlib.sha256(src.read_bytes()).hexdigest()
    return expected, moved, pending_differs


def _is_new_set(root: Path, new: dict[str, str]) -> bool:
    """Whether the outputs are a complete set of the new version (the pages carry the run's
    time stamp, so a new set is told by its files and its contents, not by fixed digests)."""
    out = _outputs(root)
    return (set(out) == set(new)
            and (root / "figures" / "version.txt").read_text(encoding="utf-8") == "new"
            and "版本 new" in (root / "reports" / "audit" / "01_version.html").read_text("utf-8"))


def test_killed_commit_leaves_old_or_new_set(old_and_new: tuple[Path, Path, dict, dict]) -> None:
    root, snapshot, old, new = old_and_new
    steps = _commit_steps(new)
    # between the markers, after both, after the first move, midway, before the last move
    points = sorted({1, 2, 3, steps // 2, steps - 1})
    try:
        for step in points:
            _notebook(root / "notebooks", "new")
            done = _run(root, env={CRASH_AFTER_STEPS_ENV: str(step)})
            assert done.returncode == CRASH_EXIT_STATUS, (step, done.stderr)
            assert _leftovers(root), step  # the killed run's group is still there
            assert not list(root.rglob("kernel-*.json")), step  # keys gone before the commit
            if step >= 2:  # committed: the group stands for the new set
                expected, moved, pending_differs = _staged_set(root)
                assert moved == step - 2, step
                now = _outputs(root)
                if moved:  # killed while moving: not the old set any more ...
                    assert now != old, step
                if pending_differs:  # ... and not yet the new one
                    assert now != expected, step
                if step in (3, steps // 2):  # these points do fall into a mix
                    assert moved and pending_differs, step
            else:
                expected = old
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sweep_leftovers(root / "reports")  # one member's sweep handles the group
            assert _outputs(root) == expected, step
            assert _is_new_set(root, new) == (step >= 2), step
            assert _leftovers(root) == [], step
            _restore(root, snapshot)
        # and the next run (not a bare sweep) also rolls a killed commit forward
        _notebook(root / "notebooks", "new")
        done = _run(root, env={CRASH_AFTER_STEPS_ENV: str(steps // 2)})
        assert done.returncode == CRASH_EXIT_STATUS, done.stderr
        done = _run(root)
        assert done.returncode == 0, done.stderr
        assert "已补齐" in done.stderr, done.stderr
        assert _is_new_set(root, new)
        assert _leftovers(root) == []
    finally:
        _restore(root, snapshot)


def _alive(pid: int) -> bool:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is installed with the test extras
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _descendants(pid: int) -> set[int]:
    try:
        import psutil
    except ImportError:  # pragma: no cover
        kids: set[int] = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                child = int(stat.parent.name)
                kids |= {child} | _descendants(child)
        return kids
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM and process trees: POSIX")
def test_sigterm_ends_the_kernels(old_and_new: tuple[Path, Path, dict, dict]) -> None:
    root, snapshot, old, _new = old_and_new
    pid_file = root / "data" / "kernel_pid.txt"
    pid_file.unlink(missing_ok=True)
    _notebook(root / "notebooks", "new")
    args = ["report", "--study", str(root / "study.yaml"), "--jobs", "1"]
    env = {"SURVEY_TEST_NOTEBOOKS_DIR": str(root / "notebooks"), "SURVEY_TEST_NB_SLEEP": "60"}
    # its own session, so that the test's SIGTERM reaches the main process only
    proc = survey_popen(args, root=root, cwd=root, extra_env=env, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not pid_file.is_file() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert pid_file.is_file(), "the notebook never ran"
        time.sleep(0.5)
        kernel = int(pid_file.read_text(encoding="utf-8"))
        children = _descendants(proc.pid)
        assert kernel in children, (kernel, children)
        conn = Path((root / "data" / "kernel_conn.txt").read_text(encoding="utf-8"))
        assert conn.is_file()
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) in (-signal.SIGTERM, 128 + signal.SIGTERM)
        deadline = time.monotonic() + 10
        while any(map(_alive, children)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p for p in children if _alive(p)] == []
        assert not conn.exists()  # the HMAC key went with the kernel
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sweep_leftovers(root / "figures")
        assert _outputs(root) == old  # killed before the commit: the previous set
        assert _leftovers(root) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        _restore(root, snapshot)
