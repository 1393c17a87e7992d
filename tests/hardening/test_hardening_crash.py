"""Crash safety: ``survey clean`` and ``survey report`` killed with SIGKILL midway leave the
previous outputs intact, and the next run succeeds and removes what the killed run left behind
(also with leftover staging folders it cannot prove abandoned).

Kill points are found by watching the command's progress lines on stderr (``清洗：`` after
reading, ``读取座谈会记录`` during the instrument step, ``写入：`` when the staging folder is
being written), not by fixed delays: the same point is hit on a fast or a loaded machine. The
whole process group is killed, as a power cut or ``kill -9`` would; kernels included.

``survey report`` is killed on the small demo (``demo_copy.copy_small_demo``: ``--force`` cleans
again first) with two small notebooks (one sleeps, so there is a "midway"), made in the test:
the runner's atomicity does not depend on what the notebooks compute or on how many answers
there are, and the full notebooks are exercised by the leak and determinism tests.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
import yaml
from hardening_helpers import survey_popen, tree_hashes

from survey.io.atomic import sweep_leftovers

pytestmark = pytest.mark.slow


def _run_until(args: list[str], root: Path, marker: str | None, delay: float,
               env_extra: dict[str, str] | None = None) -> tuple[bool, str]:
    """Start ``survey ARGS``; SIGKILL its process group ``delay`` s after ``marker`` appears on
    stderr (or let it finish when ``marker`` is None). Return (killed, stderr so far)."""
    proc = survey_popen(args, root=root, cwd=root, extra_env=env_extra,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            lines.put(raw.decode("utf-8", "replace"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    killed = False
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        if marker is not None and marker in line:
            time.sleep(delay)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
            break
    proc.wait(timeout=60)
    return killed, "".join(seen)


@pytest.fixture(scope="session")
def cleaned_copy(cleaned_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo study cleaned by the CLI (the shared ``cleaned_demo``, once per test worker):
    its ``study.yaml`` and ``data/`` (raw files and ``data/processed``) copied to a folder."""
    root = tmp_path_factory.mktemp("crash_base")
    shutil.copy2(cleaned_demo, root / "study.yaml")
    shutil.copy2(cleaned_demo.parent / "study_2025.yaml", root / "study_2025.yaml")
    shutil.copytree(cleaned_demo.parent / "data", root / "data")
    assert (root / "data" / "processed" / "manifest.json").is_file()
    return root


def _change_config(root: Path) -> None:
    """A different speeder threshold: the next run's outputs differ from the previous ones."""
    p = root / "study.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["cleaning"]["speeders"]["fraction_of_median"] = 0.5
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("marker", "delay"),
    [("读取问卷文件（2/4）", 0.0), ("清洗：", 0.3), ("读取座谈会记录", 0.0), ("写入：", 0.05)],
    ids=["reading", "cleaning", "instruments", "writing"],
)
def test_killed_clean_keeps_previous_outputs(cleaned_copy: Path, tmp_path: Path, marker: str,
                                             delay: float) -> None:
    root = tmp_path / "study"
    shutil.copytree(cleaned_copy, root)
    processed = root / "data" / "processed"
    before = tree_hashes(processed)
    _change_config(root)
    killed, err = _run_until(["clean", "--study", str(root / "study.yaml")], root, marker, delay)
    assert killed, f"the run ended before the kill point {marker!r}:\n{err}"
    # What the next run finds first: abandoned folders swept, an interrupted move finished.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sweep_leftovers(processed)
    after_kill = tree_hashes(processed)
    # The next run succeeds, whatever the killed one left beside the output folder.
    done, err2 = _run_until(["clean", "--study", str(root / "study.yaml")], root, None, 0)
    assert not done and "完成" in err2, err2
    new = tree_hashes(processed)
    assert new != before  # the config change really changes the outputs
    if marker == "写入：":
        # Killed while the staging folder is written or the files are moved: once swept, the
        # folder holds one complete set, the old or the new, never a mix.
        assert after_kill in (before, new)
    else:
        assert after_kill == before
    # Whatever the killed run left beside the output folder, the next run removed it.
    leftovers = [p.name for p in processed.parent.iterdir() if p.name.startswith(".processed.")]
    assert leftovers == []


def test_leftover_staging_folder_does_not_break_the_next_run(cleaned_copy: Path, tmp_path: Path) -> None:
    root = tmp_path / "study"
    shutil.copytree(cleaned_copy, root)
    processed = root / "data" / "processed"
    junk = processed.parent / ".processed.staging-deadbeef"
    junk.mkdir()
    (junk / "manifest.json").write_text("{ half written", encoding="utf-8")
    (junk / "responses.csv").write_bytes(b"\xef\xbb\xbfresponse_id\nR1")
    before = tree_hashes(processed)
    done, err = _run_until(["clean", "--study", str(root / "study.yaml")], root, None, 0)
    assert not done and "完成" in err, err
    assert tree_hashes(processed) == before  # same inputs: byte-identical outputs again
    verify = subprocess.run(
        [sys.executable, "-m", "survey", "verify", "--study", str(root / "study.yaml"), "-q"],
        cwd=root, capture_output=True, text=True, encoding="utf-8", timeout=600, check=False,
    )
    assert verify.returncode == 0, verify.stderr


# -- survey report ------------------------------------------------------------------------------

_NB_FAST = """
import pandas as pd
df = pd.read_parquet(f"{processed_dir}/responses.parquet")
print("答卷数", len(df))
"""
_NB_SLOW = """
import time, pandas as pd
time.sleep(4)
df = pd.read_parquet(f"{processed_dir}/responses.parquet")
pd.DataFrame({"院校": sorted(df["college"].unique())})
"""


def _tiny_notebooks(folder: Path) -> None:
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    for name, code, deps in (("01_fast", _NB_FAST, []), ("02_slow", _NB_SLOW, ["01_fast"])):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell("processed_dir = ''")
        params.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params, nbformat.v4.new_code_cell(code)]
        nb.metadata["survey"] = {"inputs": ["responses.parquet"], "depends_on": deps}
        nbformat.write(nb, folder / f"{name}.ipynb")


def _report_files(root: Path) -> dict[str, str]:
    hashes = tree_hashes(root / "reports")
    return {k: v for k, v in hashes.items() if not k.startswith(".cache/")}


def test_killed_report_keeps_previous_reports_and_next_run_succeeds(
    cleaned_small_demo: tuple[Path, str], tmp_path: Path
) -> None:
    from survey.report import runner as report

    root = tmp_path / "study"
    shutil.copytree(cleaned_small_demo[0].parent, root)
    nbdir = root / "notebooks"
    _tiny_notebooks(nbdir)
    study = str(root / "study.yaml")
    # The previous, successful report (in-process: the same runner the CLI calls).
    report.run_report(study, notebooks_dir=nbdir, reports_dir=root / "reports",
                      figures_dir=root / "figures", jobs=1, progress=None, embed_font=False)
    before = _report_files(root)
    assert "committee.html" in before and "audit/index.html" in before
    # Killed while 02_slow runs (forced re-execution) ...
    env = {"SURVEY_TEST_NOTEBOOKS_DIR": str(nbdir)}
    args = ["report", "--study", study, "--force", "--jobs", "1"]
    killed, err = _run_until(args, root, "▶ 执行 02_slow", 1.5, env)
    assert killed, err
    assert _report_files(root) == before
    # ... and while the HTML is exported: each file is the old one or a complete new one.
    killed, err = _run_until(args, root, "导出审计版", 0.0, env)
    for name, digest in _report_files(root).items():
        data = (root / "reports" / name).read_bytes()
        if digest == before.get(name):
            continue
        if name.endswith((".docx", ".pdf")):  # complete: a zip with its central directory / %%EOF
            assert data.startswith((b"PK", b"%PDF")) and (b"PK\x05\x06" in data[-4096:]
                                                          or b"%%EOF" in data[-1024:]), name
        else:
            assert data.decode("utf-8").rstrip().endswith("</html>"), name
    # The next run succeeds and writes a complete committee report.
    done, err = _run_until(args[:3] + ["--jobs", "1"], root, None, 0, env)
    assert not done and "完成" in err, err
    page = (root / "reports" / "committee.html").read_text(encoding="utf-8")
    assert "摘要" in page and page.rstrip().endswith("</html>")
    assert not list((root / "reports").rglob(".*.tmp"))

