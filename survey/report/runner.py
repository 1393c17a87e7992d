"""The report runner: execute the notebooks incrementally and export the HTML reports.

:func:`run_report` is what ``survey report`` (and ``make report``) calls. It

1. finds ``notebooks/*.ipynb`` and reads each notebook's ``metadata.survey`` block::

       "survey": {
         "inputs": ["responses.parquet", "exclusions.csv"],   # relative to the study's
                                                               # output_dir; globs allowed
         "depends_on": ["02_measurement"],                     # notebooks whose results
                                                               # it reads: run first
         "committee": true                                     # include in committee.html
       }

   Without ``inputs`` the whole processed folder counts as the notebook's input;
2. computes a cache key per notebook from the notebook's cells, the injected parameters, the
   sources of the ``survey`` package, the study configuration, the versions of Python and the
   main libraries, the hashes of the input files and the keys of the notebooks it depends on.
   A notebook whose key matches ``reports/.cache/<name>.json`` is not executed again;
3. executes the others with nbclient, in dependency order (:class:`graphlib.TopologicalSorter`),
   independent notebooks in parallel (at most ``os.cpu_count()`` kernels at once),
   injecting the parameters after the cell tagged ``parameters`` (papermill's layout):

   ``study_path``, ``processed_dir``, ``figures_dir``, ``reports_dir`` (absolute paths as str)
   plus any ``parameters`` passed to :func:`run_report`;
4. exports ``reports/audit/<name>.html`` (with code) for every notebook (each as soon as its
   notebook has run, while the others still run; moved into place at the end), an
   ``audit/index.html`` with the manifest and the exclusion ledger, and the committee's
   brief built from the section results (:func:`survey.report.brief.build_brief`): one
   self-contained ``reports/committee.html`` (摘要 first, the six answers, 附录; figures as
   data URIs, a subset of the CJK font embedded, no script and no remote load, A4 print CSS,
   a short provenance footer), ``committee.docx`` (the same document in Word), the draft
   sections ``调研报告_问题与对策_草稿.docx`` and ``committee.pdf`` when Chromium is installed.
   A project whose processed data the analysis layer cannot read gets the notebooks'
   outputs one after another in ``committee.html`` instead.

All outputs of a run (the figures the notebooks save, the audit pages, the committee files)
are written into staging folders beside ``figures/`` and ``reports/`` (seeded with the current
outputs) and moved into place together at the end (:class:`survey.io.atomic.AtomicOutputSet`):
a run that fails or is killed leaves the previous complete set, and a run killed while moving
is finished by the next one, so the two folders never hold a mix of two runs. The kernels'
connection files (with their HMAC keys) live in the staging folder and are deleted with it;
on Linux a kernel is killed when the runner dies (``PR_SET_PDEATHSIG``).

The kernel
----------
Notebooks run on the interpreter running this code (``sys.executable``, i.e. the project's
``.venv``), whatever kernels the user's Jupyter installation knows: the kernel manager gets an
in-memory kernel spec (:class:`_ProjectKernelSpecManager`) instead of searching
``JUPYTER_PATH``, and the kernel gets a private ``IPYTHONDIR`` (no user startup scripts), the
inline matplotlib backend, ``PYTHONHASHSEED=0`` and the study paths in its environment. No
``jupyter kernelspec install`` is needed, in CI or anywhere else. The notebook's own
``kernelspec`` metadata is ignored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import graphlib
import hashlib
import html
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from survey.errors import SurveyError
from survey.io.atomic import AtomicOutputSet, check_writable, write_atomic
from survey.io.manifest import code_digest

if TYPE_CHECKING:
    from jupyter_client.kernelspec import KernelSpecManager
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

    from survey.config.study import Study

#: Libraries whose versions enter the cache key and the provenance footer.
TRACKED_PACKAGES = (
    "survey", "numpy", "pandas", "scipy", "statsmodels", "pingouin", "matplotlib", "seaborn",
    "pyarrow", "krippendorff", "scikit-posthocs", "ipykernel", "nbclient", "nbconvert",
)
#: Tags honoured in the committee report (nbconvert TagRemovePreprocessor).
REMOVE_CELL_TAGS = frozenset({"remove_cell", "parameters", "injected-parameters"})
REMOVE_INPUT_TAGS = frozenset({"hide_input", "remove_input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove_output", "hide_output"})

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_CACHE_FORMAT = 1
_PART_NAMES_ZH = {
    "source": "笔记本内容",
    "parameters": "参数",
    "code": "survey 代码",
    "study": "研究配置",
    "environment": "软件版本",
    "inputs": "数据文件",
    "upstream": "上游笔记本",
}


@dataclass
class ReportResult:
    """What :func:`run_report` did.

    Attributes
    ----------
    committee
        Path of ``committee.html`` (``committee.docx``, ``committee.pdf`` and the draft
        sections are written beside it).
    audit
        Paths of the audit HTML files (one per notebook, plus ``index.html``).
    executed, skipped
        Notebook names (file stems) executed in this run / taken from the cache.
    timings
        Seconds per step (``execute:<name>``, ``audit``, ``committee``, ``total``).
    """

    committee: Path
    audit: list[Path] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Notebook:
    name: str
    path: Path
    inputs: list[str] | None
    depends_on: list[str]
    committee: bool
    cells_digest: str
    key: str = ""
    parts: dict[str, str] = field(default_factory=dict)
    input_files: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------------------------


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_json(obj: Any) -> str:
    return _sha256_bytes(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode())


class _FileHasher:
    """SHA-256 of files, each read once per run (several notebooks share inputs)."""

    def __init__(self) -> None:
        self._memo: dict[Path, str] = {}

    def __call__(self, path: Path) -> str:
        path = path.resolve()
        if path not in self._memo:
            h = hashlib.sha256()
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            self._memo[path] = h.hexdigest()
        return self._memo[path]


def package_versions() -> dict[str, str]:
    """Return the versions of Python and :data:`TRACKED_PACKAGES` (``"-"`` if not installed)."""
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return versions


def _cells_digest(nb: Mapping[str, Any]) -> str:
    # Outputs and execution counts do not count: only what would be executed and the metadata
    # that changes how it is executed or exported. ``nb`` is the notebook's JSON (a source may
    # be a list of lines or one string).
    cells = []
    for c in nb.get("cells", []):
        source = c.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        cells.append((c.get("cell_type"), source, sorted(c.get("metadata", {}).get("tags", []))))
    return _sha256_json({"cells": cells, "survey": nb.get("metadata", {}).get("survey", {})})


def _skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (imported by nbformat via jsonschema).

    ``rfc3987_syntax`` builds about 35 Lark parsers when imported (seconds on a loaded
    machine; python-jsonschema/jsonschema#1428) only to check the ``iri`` formats, which no
    notebook schema uses. Marking it unavailable before jsonschema is first imported makes
    jsonschema skip those two optional format checkers. Does nothing if jsonschema is loaded.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Discovery and cache keys
# ---------------------------------------------------------------------------------------------


def _read_notebooks(notebooks_dir: Path) -> list[_Notebook]:
    # Plain JSON instead of nbformat: deciding what to rerun must stay fast (importing nbformat
    # and its validator costs more than the whole no-change rerun may take).
    found = sorted(
        p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith((".", "_"))
    )
    notebooks = []
    for path in found:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
                raise ValueError("no cells list")
        except (OSError, ValueError) as exc:
            raise SurveyError(
                "笔记本文件无法读取（不是有效的 .ipynb 文件）",
                file=path,
                expected="Jupyter 笔记本（nbformat 4 的 JSON 文件）",
                hint=str(exc)[:300],
            ) from exc
        meta = nb.get("metadata", {}).get("survey", {}) or {}
        inputs = meta.get("inputs")
        deps = [str(d).removesuffix(".ipynb") for d in meta.get("depends_on", [])]
        notebooks.append(
            _Notebook(
                name=path.stem,
                path=path,
                inputs=[str(i) for i in inputs] if inputs is not None else None,
                depends_on=deps,
                committee=bool(meta.get("committee", True)),
                cells_digest=_cells_digest(nb),
            )
        )
    return notebooks


def _graph(notebooks: list[_Notebook]) -> graphlib.TopologicalSorter[str]:
    """The dependency graph (``depends_on``), checked: unknown names and cycles are refused."""
    by_name = {nb.name: nb for nb in notebooks}
    for nb in notebooks:
        for dep in nb.depends_on:
            if dep not in by_name:
                raise SurveyError(
                    f"笔记本声明的依赖 {dep} 不存在",
                    file=nb.path,
                    key="metadata.survey.depends_on",
                    expected=f"notebooks 文件夹中的笔记本之一：{'、'.join(by_name)}",
                )
    graph = graphlib.TopologicalSorter({nb.name: nb.depends_on for nb in notebooks})
    try:
        graph.prepare()
    except graphlib.CycleError as exc:
        cycle = list(reversed(exc.args[1]))
        raise SurveyError(
            f"笔记本之间的依赖成环：{' → '.join(cycle)}",
            file=by_name[cycle[0]].path,
            key="metadata.survey.depends_on",
            expected="无环的依赖关系",
        ) from exc
    return graph


def _topological(notebooks: list[_Notebook]) -> list[_Notebook]:
    """The notebooks in an order where each comes after the notebooks it depends on.

    Call :func:`_graph` first: it refuses unknown dependencies and cycles.
    """
    by_name = {nb.name: nb for nb in notebooks}
    order = graphlib.TopologicalSorter({nb.name: nb.depends_on for nb in notebooks})
    return [by_name[name] for name in order.static_order()]


def _input_files(nb: _Notebook, processed_dir: Path) -> list[Path]:
    if nb.inputs is None:
        if not processed_dir.is_dir():
            return []
        return sorted(
            p for p in processed_dir.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in
                                       p.relative_to(processed_dir).parts)
        )
    files: list[Path] = []
    for pattern in nb.inputs:
        matches = sorted(processed_dir.glob(pattern)) if any(ch in pattern for ch in "*?[") else []
        files.extend(matches or [processed_dir / pattern])
    return files


def _compute_keys(
    ordered: list[_Notebook],
    *,
    processed_dir: Path,
    parameters: Mapping[str, Any],
    study_digest: str,
) -> None:
    hasher = _FileHasher()
    code = code_digest()
    env = _sha256_json(package_versions())
    params = _sha256_json(dict(parameters))
    by_name = {nb.name: nb for nb in ordered}
    for nb in ordered:  # topological: upstream keys exist already
        files = {}
        for p in _input_files(nb, processed_dir):
            rel = p.relative_to(processed_dir).as_posix() if p.is_relative_to(processed_dir) else str(p)
            files[rel] = hasher(p) if p.is_file() else "missing"
        nb.input_files = files
        nb.parts = {
            "source": nb.cells_digest,
            "parameters": params,
            "code": code,
            "study": study_digest,
            "environment": env,
            "inputs": _sha256_json(files),
            "upstream": _sha256_json({d: by_name[d].key for d in sorted(nb.depends_on)}),
        }
        nb.key = _sha256_json({"format": _CACHE_FORMAT, **nb.parts})


def _cache_state(nb: _Notebook, cache_dir: Path) -> tuple[bool, str]:
    """Return (up to date, reason in Chinese) for a notebook."""
    meta_path, nb_path = cache_dir / f"{nb.name}.json", cache_dir / f"{nb.name}.ipynb"
    if not (meta_path.is_file() and nb_path.is_file()):
        return False, "首次运行"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False, "缓存损坏"
    if meta.get("key") == nb.key:
        return True, "输入未变"
    old = meta.get("parts", {})
    changed = [_PART_NAMES_ZH[k] for k, v in nb.parts.items() if old.get(k) != v]
    return False, "、".join(changed) + "有变化" if changed else "缓存格式更新"


# ---------------------------------------------------------------------------------------------
# Execution (runs in worker threads; each notebook in a kernel process of its own)
# ---------------------------------------------------------------------------------------------


def _project_kernel_spec_manager() -> KernelSpecManager:
    """A KernelSpecManager that knows one kernel: this interpreter with ipykernel."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class _ProjectKernelSpecManager(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                      "-f", "{connection_file}"],
                display_name=f"Python（survey 项目环境 {sys.prefix}）",
                language="python",
                resource_dir=str(TEMPLATES_DIR),
                metadata={"debugger": False},
            )

        def find_kernel_specs(self) -> dict[str, str]:
            return {"python3": str(TEMPLATES_DIR)}

    return _ProjectKernelSpecManager()


def _inject_parameters(nb: NotebookNode, parameters: Mapping[str, Any]) -> NotebookNode:
    # Hand-written instead of papermill.parameterize_notebook: importing papermill costs about
    # two seconds per worker process. The layout is papermill's: a code cell tagged
    # ``injected-parameters`` right after the cell tagged ``parameters`` (or first).
    import nbformat

    lines = ["# Parameters (injected by survey report)"]
    lines += [f"{k} = {v!r}" for k, v in parameters.items()]
    cell = nbformat.v4.new_code_cell(source="\n".join(lines) + "\n")
    cell.metadata["tags"] = ["injected-parameters"]
    cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    idx = next((i + 1 for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])), 0)
    nb.cells = [*cells[:idx], cell, *cells[idx:]]
    cell["id"] = "injected-parameters"  # not a random id: executed notebooks stay comparable
    return nb


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Folder in the reports staging folder holding the kernels' connection files (HMAC keys);
#: deleted before the outputs are committed, and with the staging folder if the run dies.
KERNELS_DIR = ".kernels"
_PR_SET_PDEATHSIG = 1
#: ``prctl`` of the C library, bound in this process before any kernel is forked (loading a
#: library in the child of a multi-threaded process could deadlock); ``None`` off Linux.
_prctl: Any = None
#: Kernel managers of kernels running now, and the folders holding their connection files:
#: what the SIGTERM handler of :func:`run_report` kills and deletes.
_LIVE_KERNELS: set[Any] = set()
_KERNEL_DIRS: set[Path] = set()
_KERNELS_LOCK = threading.Lock()


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the forked child
    """``preexec_fn`` of a kernel on Linux: the kernel gets SIGKILL when the thread that
    started it (in this process) ends, however it ends (``kill -9`` included), so no kernel
    outlives ``survey report``."""
    import signal

    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def child_launch_options() -> dict[str, Any]:
    """Extra ``subprocess.Popen`` options for a child process of the report run (a kernel,
    headless Chromium): on Linux ``PR_SET_PDEATHSIG``, so it dies with the thread that started
    it; ``{}`` elsewhere."""
    global _prctl
    if not sys.platform.startswith("linux"):
        return {}
    if _prctl is None:
        import ctypes

        try:
            _prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            return {}
    parent = os.getpid()
    return {"preexec_fn": lambda: _die_with_parent(parent)}


def _kill_live_kernels() -> None:
    """SIGKILL every kernel this process runs now and delete their connection files."""
    import signal

    with _KERNELS_LOCK:
        kms, dirs = list(_LIVE_KERNELS), list(_KERNEL_DIRS)
    for km in kms:
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        pid = getattr(proc, "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
        with contextlib.suppress(OSError, TypeError):
            Path(km.connection_file).unlink(missing_ok=True)
    for folder in dirs:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _kernels_die_on_sigterm() -> Iterator[None]:
    """While the block runs, SIGTERM first kills the kernels and deletes their connection
    files, then ends this process (status 143, as a shell reports SIGTERM); the staging
    folders are left to the next run, which rolls them forward or deletes them, as after
    ``kill -9``. Only in the main thread of a POSIX process (elsewhere signal handlers cannot
    be set).

    Python runs a signal handler in the main thread only, and the main thread may sit for
    minutes in a C call (waiting for a kernel's reply); so the signal is also written to a
    wake-up socket (:func:`signal.set_wakeup_fd`) that a watcher thread acts on at once.
    """
    import signal
    import socket

    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate() -> None:
        _kill_live_kernels()
        os._exit(128 + int(signal.SIGTERM))

    def on_term(_signum: int, _frame: Any) -> None:  # the main thread got there first
        terminate()

    reader, writer = socket.socketpair()
    writer.setblocking(False)

    def watch() -> None:
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            if int(signal.SIGTERM) in data:
                terminate()

    previous = signal.signal(signal.SIGTERM, on_term)
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    threading.Thread(target=watch, name="survey-sigterm", daemon=True).start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(old_fd)
        signal.signal(signal.SIGTERM, previous)
        writer.close()  # the watcher's recv returns b"": it ends
        with contextlib.suppress(OSError):
            reader.shutdown(socket.SHUT_RDWR)
        reader.close()


def _merge_cache(staged: Path, cache_dir: Path) -> None:
    """Move the files under ``staged`` (a ``.cache`` folder inside the reports staging folder)
    into ``cache_dir``, replacing namesakes (cache files are named by their content's key), and
    delete ``staged``; so nothing of it is committed with the outputs."""
    if not staged.is_dir():
        return
    for path in sorted(staged.rglob("*")):
        if path.is_file():
            target = cache_dir / path.relative_to(staged)
            with contextlib.suppress(OSError):
                check_writable(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
    shutil.rmtree(staged, ignore_errors=True)


def _unstage_paths(text: str, path_map: list[tuple[str, str]]) -> str:
    """Replace the staging folders' paths in ``text`` by the final folders' paths (also in
    their JSON-escaped form), so cached notebooks and audit pages show where the files are."""
    for staged, final in path_map:
        text = text.replace(staged, final)
        esc_staged, esc_final = json.dumps(staged)[1:-1], json.dumps(final)[1:-1]
        if esc_staged != staged:
            text = text.replace(esc_staged, esc_final)
    return text


def _execute_notebook(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook; write it (and its cache record) into the cache folder.

    ``task`` holds plain values only (picklable, should it cross a process boundary).
    """
    _skip_slow_optional_imports()
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    nb = nbformat.read(task["path"], as_version=4)
    nb = _inject_parameters(nb, task["parameters"])
    cache_dir = Path(task["cache_dir"])
    cache_dir.mkdir(parents=True, exist_ok=True)
    path_map = [(str(a), str(b)) for a, b in task.get("path_map", [])]
    kernel_dir = Path(task["kernel_dir"]) if task.get("kernel_dir") else None
    with tempfile.TemporaryDirectory(prefix="survey-ipython-") as ipython_dir:
        env = {
            "IPYTHONDIR": ipython_dir,
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "JUPYTER_PLATFORM_DIRS": "1",
            "SURVEY_STUDY": task["parameters"]["study_path"],
        }
        # IPC sockets where available: no TCP port, no "running over TCP" warning.
        transport = "ipc" if os.name == "posix" else "tcp"
        # The socket prefix must be absolute: the kernel runs in the notebooks folder.
        km = KernelManager(kernel_name="python3", transport=transport,
                           ip=os.path.join(ipython_dir, "kernel") if transport == "ipc" else "127.0.0.1",
                           kernel_spec_manager=_project_kernel_spec_manager())
        # The connection file holds the kernel's HMAC key: a private folder of this run (in
        # the staging folder, deleted with it), not the shared Jupyter runtime folder.
        conn_dir = kernel_dir if kernel_dir is not None else Path(ipython_dir)
        conn_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        km.connection_file = str(conn_dir / f"kernel-{task['name']}-{os.getpid()}.json")
        env["JUPYTER_RUNTIME_DIR"] = str(conn_dir)  # anything the kernel writes there, too
        spec = km.kernel_spec
        if spec is None:  # never: the project's spec manager always has the kernel
            raise SurveyError("找不到运行笔记本的 python3 内核（kernel spec）。")
        spec.env.update(env)
        client = NotebookClient(
            nb, km=km, timeout=task["timeout"], record_timing=False, allow_errors=False,
            resources={"metadata": {"path": task["cwd"]}},
            shutdown_kernel="immediate",  # the outputs are in: no need to wait for a goodbye
        )
        error = None
        log_path = cache_dir / f"{task['name']}.kernel.log"
        with _KERNELS_LOCK:
            _LIVE_KERNELS.add(km)
        try:
            # The kernel's own stderr (startup and shutdown chatter, crashes) goes to a log
            # file beside the cached notebook, not into the user's console.
            with log_path.open("wb") as log:
                # cleanup_kc: stop the kernel we started, also when a cell fails
                client.execute(cleanup_kc=True, stdout=log, stderr=log,
                               **child_launch_options())
        except CellExecutionError as exc:
            error = _ANSI_RE.sub("", str(exc))
        except Exception as exc:  # kernel died, timeout, ...: report, do not crash the pool
            error = f"{type(exc).__name__}: {_ANSI_RE.sub('', str(exc))}"
        finally:
            with _KERNELS_LOCK:
                _LIVE_KERNELS.discard(km)
            Path(km.connection_file).unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    name = task["name"]
    if error is not None:
        write_atomic(cache_dir / f"{name}.failed.ipynb", _unstage_paths(nbformat.writes(nb), path_map))
        return {"name": name, "ok": False, "seconds": seconds, "error": error}
    write_atomic(cache_dir / f"{name}.ipynb", _unstage_paths(nbformat.writes(nb), path_map))
    record = {"key": task["key"], "parts": task["parts"], "seconds": round(seconds, 3),
              "executed_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
              "input_files": task["input_files"]}
    write_atomic(cache_dir / f"{name}.json", json.dumps(record, ensure_ascii=False, indent=1))
    (cache_dir / f"{name}.failed.ipynb").unlink(missing_ok=True)
    return {"name": name, "ok": True, "seconds": seconds, "error": None}


def _execute_all(
    todo: list[_Notebook],
    graph: graphlib.TopologicalSorter[str],
    tasks: dict[str, dict[str, Any]],
    *,
    jobs: int,
    progress: Callable[[str], None],
    on_success: Callable[[str], Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Run the notebooks in ``todo``, each once the notebooks it depends on succeeded.

    ``graph`` is the prepared dependency graph of all notebooks; those not in ``todo`` are up
    to date and count as done. ``on_success(name)`` is called in this thread for each notebook
    that ran without error, after the notebooks it unblocked have been started. Returns the
    results by name.

    The notebooks run in kernels, i.e. in processes of their own: the ``jobs`` workers here
    are threads that only start a kernel and pass it the cells (no worker process to start
    and fill with imports). They are threads also for one job (see ``_kernels_die_on_sigterm``).
    """
    import concurrent.futures as cf

    by_name = {nb.name: nb for nb in todo}
    results: dict[str, dict[str, Any]] = {}
    failed: set[str] = set()
    succeeded: list[str] = []
    # Always worker threads, also for one job: in the main thread nbclient would install its
    # own SIGTERM handler (which cleans up its kernel but lets this process run on) over
    # the one of run_report that ends the whole run.
    pool: cf.ThreadPoolExecutor | None = cf.ThreadPoolExecutor(max_workers=jobs) if todo else None
    running: dict[cf.Future[dict[str, Any]], str] = {}
    try:
        while graph.is_active():
            for name in graph.get_ready():
                nb = by_name.get(name)
                if nb is None:  # up to date
                    graph.done(name)
                elif set(nb.depends_on) & failed:
                    results[name] = {"name": name, "ok": False, "seconds": 0.0,
                                     "error": "上游笔记本执行失败，未执行"}
                    failed.add(name)
                    graph.done(name)
                else:
                    progress(f"▶ 执行 {nb.path.name}（{tasks[name]['reason']}）")
                    if pool is None:
                        fut: cf.Future[dict[str, Any]] = cf.Future()
                        fut.set_result(_execute_notebook(tasks[name]))
                    else:
                        fut = pool.submit(_execute_notebook, tasks[name])
                    running[fut] = name
            while succeeded and on_success is not None:
                on_success(succeeded.pop(0))
            if not running:
                continue
            finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                name = running.pop(fut)
                try:
                    res = fut.result()
                except Exception as exc:  # worker crashed (e.g. killed)
                    res = {"name": name, "ok": False, "seconds": 0.0, "error": repr(exc)}
                results[name] = res
                _report_one(res, progress)
                if res["ok"]:
                    succeeded.append(name)
                else:
                    failed.add(name)
                graph.done(name)
        while succeeded and on_success is not None:
            on_success(succeeded.pop(0))
    finally:
        if pool is not None:
            pool.shutdown()
    return results


def _report_one(res: dict[str, Any], progress: Callable[[str], None]) -> None:
    if res["ok"]:
        progress(f"✓ {res['name']}.ipynb 完成，用时 {res['seconds']:.1f} 秒")
    else:
        last = [ln for ln in str(res["error"]).strip().splitlines() if ln.strip()][-1:]
        progress(f"✗ {res['name']}.ipynb 失败：{last[0] if last else ''}")


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

_EXTERNAL_TAG_RE = re.compile(
    r"<(script|link|iframe|img|source|embed|object|audio|video)\b[^>]*?"
    r"\b(?:src|href|data)\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>(?:\s*</\1>)?",
    re.IGNORECASE,
)
_EXTERNAL_CSS_RE = re.compile(r"(@import\s+)?url\(\s*[\"']?\s*(?:https?:)?//[^)]*\)\s*;?", re.I)


def strip_external_references(page: str) -> str:
    """Remove everything in an HTML page that would make a browser contact another host.

    ``<script src>``, ``<link href>``, ``<img src>``, ``<iframe src>`` and similar tags whose
    address starts with ``http://``, ``https://`` or ``//`` are removed (an image is replaced by
    a short Chinese note) and CSS ``url(http...)`` / ``@import`` are dropped. Ordinary links
    (``<a href>``) stay: following them needs a click, opening the page does not.

    Parameters
    ----------
    page
        HTML text.

    Returns
    -------
    str
    """

    def repl(m: re.Match[str]) -> str:
        if m.group(1).lower() == "img":
            return '<span class="external-removed">（外部图片已移除）</span>'
        return ""

    page = _EXTERNAL_TAG_RE.sub(repl, page)
    return _EXTERNAL_CSS_RE.sub("", page)


_HEADING_RE = re.compile(r"<h([1-3])\b([^>]*)>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def _add_toc(page: str) -> str:
    """Give headings unique ids, drop their anchor links and put a TOC at ``<!--SURVEY-TOC-->``."""
    main_start = page.find("<main>")
    head, body = page[:main_start], page[main_start:]
    entries: list[tuple[int, str, str]] = []

    def repl(m: re.Match[str]) -> str:
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        inner = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", inner, flags=re.DOTALL)
        attrs = re.sub(r'\s+id\s*=\s*"[^"]*"', "", attrs)
        anchor = f"sec-{len(entries) + 1}"
        text = html.unescape(_TAG_RE.sub("", inner)).strip()
        entries.append((level, anchor, text))
        return f'<h{level}{attrs} id="{anchor}">{inner}</h{level}>'

    body = _HEADING_RE.sub(repl, body)
    items = "\n".join(
        f'<li class="toc-h{lvl}"><a href="#{a}">{html.escape(t)}</a></li>' for lvl, a, t in entries
    )
    toc = f'<nav class="toc" aria-label="目录">\n<h2>目录</h2>\n<ol>\n{items}\n</ol>\n</nav>'
    return head.replace("<!--SURVEY-TOC-->", toc if entries else "") + body


def _font_face_css(page: str, cache_dir: Path) -> str:
    """Return a ``@font-face`` rule embedding the CJK font subset to the page's characters.

    The committee may open the report on a machine without a Chinese font (or print it from
    one); embedding the glyphs actually used keeps the file small (typically 100-600 KB).
    Returns ``""`` when the font or fontTools is unavailable. Cached by character set.
    """
    import base64

    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        from survey.report.fonts import cjk_font_file, collection_index, setup_cjk_font

        font_path = cjk_font_file()
    except (ImportError, SurveyError):
        return ""
    if font_path is None:
        return ""
    text = html.unescape(_TAG_RE.sub(" ", page))
    chars = "".join(sorted({ch for ch in text if ord(ch) > 0x2000} | set(map(chr, range(32, 127)))))
    cached = cache_dir / f"font-{_sha256_bytes((str(font_path) + chars).encode())[:16]}.css"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    options = subset.Options()
    options.flavor = "woff"
    options.notdef_outline = True
    font = TTFont(str(font_path), lazy=True,
                  fontNumber=collection_index(font_path, setup_cjk_font()))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    import io

    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    css = (
        '<style type="text/css">@font-face { font-family: "SurveyCJK"; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); font-display: block; }}</style>'
    )
    for old in cache_dir.glob("font-*.css"):
        old.unlink(missing_ok=True)
    write_atomic(cached, css)
    return css


def _manifest_rows(manifest_path: Path) -> tuple[str | None, list[tuple[str, str]]]:
    """Return (the manifest's own SHA-256, [(file, sha256)]) from a ``manifest.json``.

    The manifest format belongs to :mod:`survey.io.manifest`; this reads it defensively: any object
    with a ``sha256`` key and a ``path``/``file``/``name`` key counts, as does a mapping
    ``{path: 64-hex-digit string}``.
    """
    if not manifest_path.is_file():
        return None, []
    raw = manifest_path.read_bytes()
    try:
        data = json.loads(raw)
    except ValueError:
        return _sha256_bytes(raw), []
    rows: list[tuple[str, str]] = []
    hex64 = re.compile(r"^[0-9a-f]{64}$")

    def walk(obj: Any, key: str = "") -> None:
        if isinstance(obj, dict):
            if isinstance(obj.get("sha256"), str):
                name = obj.get("path") or obj.get("file") or obj.get("name") or key
                rows.append((str(name), obj["sha256"]))
                return
            for k, v in obj.items():
                if isinstance(v, str) and hex64.match(v) and ("." in k or "/" in k):
                    rows.append((k, v))
                else:
                    walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, key)

    walk(data)
    return _sha256_bytes(raw), rows


def _git_commit(root: Path) -> str | None:
    import subprocess

    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _footer_html(ctx: dict[str, Any], notebooks: list[_Notebook]) -> str:
    e = html.escape
    parts = []
    if ctx["synthetic"]:
        parts.append('<div class="synthetic-notice" role="note"><strong>合成数据，仅供演示</strong>'
                     "：本报告中的数据由程序生成，不代表任何真实院校或个人。</div>")
    parts.append("<h2>数据与计算来源</h2>")
    code = f"survey {e(ctx['versions'].get('survey', '-'))}，代码指纹 <code>{ctx['code'][:12]}</code>"
    if ctx["git"]:
        code += f"，git 提交 <code>{e(ctx['git'])}</code>"
    parts.append(
        f"<p>研究：{e(ctx['title'])}（配置文件 <code>{e(ctx['study_name'])}</code>，"
        f"SHA-256 <code>{e(ctx['study_sha'][:12])}</code>）<br>代码版本：{code}<br>"
        f"报告生成时间：{e(ctx['run_time'])}</p>"
    )
    manifest_sha, rows = ctx["manifest"]
    if manifest_sha:
        parts.append(f"<p>数据清单 manifest.json 的 SHA-256：<code>{manifest_sha}</code></p>")
    if rows:
        body = "".join(f"<tr><td>{e(f)}</td><td><code>{e(h)}</code></td></tr>" for f, h in rows)
        parts.append(f"<table><tr><th>清单中的文件</th><th>SHA-256</th></tr>{body}</table>")
    inputs: dict[str, str] = {}
    for nb in notebooks:
        inputs.update(nb.input_files)
    if inputs:
        body = "".join(f"<tr><td>{e(f)}</td><td><code>{e(h)}</code></td></tr>"
                       for f, h in sorted(inputs.items()))
        parts.append(f"<table><tr><th>笔记本读取的数据文件</th><th>SHA-256</th></tr>{body}</table>")
    nb_rows = "".join(f"<tr><td>{e(nb.path.name)}</td><td><code>{nb.key[:16]}</code></td></tr>"
                      for nb in notebooks)
    parts.append(f"<table><tr><th>笔记本</th><th>执行缓存键</th></tr>{nb_rows}</table>")
    versions = "，".join(f"{e(k)} {e(v)}" for k, v in ctx["versions"].items())
    parts.append(f"<p>软件版本：{versions}</p>")
    parts.append("<p>含全部代码的审计版见 reports/audit/；可用 <code>survey verify</code> 复核。</p>")
    return "\n".join(parts)


def _html_exporter(template: str) -> HTMLExporter:
    _skip_slow_optional_imports()
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        template_file=template,
        extra_template_paths=[str(TEMPLATES_DIR)],
        embed_images=True,
        language_code="zh",  # nbconvert accepts ISO 639-1 only; made zh-CN in _finish_page
    )
    # nbconvert warns once per export about images without alt text and fills in an English
    # one; _finish_page puts a Chinese one instead, so the warning is only noise.
    if not any(isinstance(f, _AltTextFilter) for f in exporter.log.filters):
        exporter.log.addFilter(_AltTextFilter())
    return exporter


class _AltTextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "Alternative text is missing" not in str(record.msg)


_NBCONVERT_ALT = 'alt="No description has been provided for this image"'


_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_CHARSET_META_RE = re.compile(r'<meta charset="utf-8"\s*/?>', re.IGNORECASE)


def _finish_page(page: str) -> str:
    """Offline-only, script-free and marked as Simplified Chinese.

    Every ``<script>`` element is removed (the audit pages need none: the template drops
    nbconvert's MathJax/require.js loaders) and a ``Content-Security-Policy`` meta tag, the same
    as the committee brief's (:data:`survey.report.html.CSP`), forbids script, inline event
    handlers, ``javascript:`` links and any remote load, should a notebook output ever carry
    one. ``lang`` becomes ``zh-CN`` (fonts and line breaking depend on it).
    """
    from survey.report.html import CSP

    page = page.replace('<html lang="zh">', '<html lang="zh-CN">', 1)
    page = page.replace(_NBCONVERT_ALT, 'alt="图表（说明见正文）"')
    page = _SCRIPT_RE.sub("", page)
    csp = f'<meta http-equiv="Content-Security-Policy" content="{CSP}"/>'
    charset = _CHARSET_META_RE.search(page)
    if charset is not None:
        page = page[: charset.end()] + "\n" + csp + page[charset.end():]
    else:
        page = page.replace("<head>", "<head>\n" + csp, 1)
    return strip_external_references(page)


def _committee_notebook(notebooks: list[_Notebook], cache_dir: Path) -> NotebookNode:
    """Merge the executed notebooks into one, without code, prompts or stderr."""
    _skip_slow_optional_imports()
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    remover = TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
    )
    merged = nbformat.v4.new_notebook()
    for i, nb_info in enumerate(notebooks):
        nb = nbformat.read(cache_dir / f"{nb_info.name}.ipynb", as_version=4)
        nb, _ = remover.preprocess(nb, {})
        if i:
            merged.cells.append(nbformat.v4.new_markdown_cell('<hr class="notebook-break">'))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [
                    o for o in cell.outputs
                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                ]
                if not cell.outputs:
                    continue
            cell.pop("id", None)
            merged.cells.append(cell)
    for i, cell in enumerate(merged.cells):
        cell["id"] = f"c{i}"
    return merged


def _footer_text(ctx: dict[str, Any]) -> str:
    """The committee report's provenance line (plain text; the details are in the audit report)."""
    parts = [f"数据与计算来源：研究配置 {ctx['study_name']}（SHA-256 {ctx['study_sha'][:12]}）"]
    manifest_sha = ctx["manifest"][0]
    if manifest_sha:
        parts.append(f"数据清单 manifest.json（SHA-256 {manifest_sha[:12]}）")
    code = f"survey {ctx['versions'].get('survey', '-')}，代码指纹 {ctx['code'][:12]}"
    if ctx["git"]:
        code += f"，git 提交 {ctx['git']}"
    parts.append(code)
    parts.append(f"生成时间 {ctx['run_time']}")
    return "；".join(parts) + "。可用 survey verify 复核。"


def _export_committee(
    notebooks: list[_Notebook], cache_dir: Path, target: Path, ctx: dict[str, Any], *,
    study: Study | None = None, figures_dir: Path | None = None,
    say: Callable[[str], None] = lambda _m: None,
) -> list[Path]:
    """Write the committee's brief (HTML, DOCX, draft sections, PDF); return the files written.

    The brief is built from the section results (:func:`survey.report.brief.build_brief`).
    A project whose processed data the analysis layer cannot read (custom notebooks on other
    data) gets the notebooks' outputs one after another instead, as before.
    """
    from survey import analysis as A

    actx = None
    if study is not None:
        try:
            actx = A.load(Path(study.root, study.source.name), processed_dir=ctx["processed_dir"],
                          figures_dir=figures_dir, reports_dir=target.parent)
        except SurveyError:
            actx = None
    if actx is None:
        _export_notebook_committee(notebooks, cache_dir, target, ctx)
        return [target]
    from survey.report.brief import build_brief
    from survey.report.docx import write_committee_docx
    from survey.report.draft_report import DRAFT_FILENAME, draft_results, write_draft_sections
    from survey.report.html import CHROMIUM_HINT, render_html, start_pdf

    results = A.results(actx)
    doc = build_brief(actx, results, figures_dir=figures_dir, footer=_footer_text(ctx),
                      audit_path="reports/audit/index.html")
    marker = "<!--SURVEY-FONT-->"
    page = render_html(doc, css=ctx["css"], font_css=marker, run_time=ctx["run_time"])
    font_css = _font_face_css(page, cache_dir) if ctx["embed_font"] else ""
    write_atomic(target, page.replace(marker, font_css, 1))
    wait_pdf = start_pdf(target, target.with_suffix(".pdf"))  # prints while the DOCX are made
    draft = draft_results(actx, sections=results)
    written = [target, write_committee_docx(doc, target.with_suffix(".docx"), when=draft.when),
               write_draft_sections(draft, target.parent / DRAFT_FILENAME)]
    pdf = wait_pdf() if wait_pdf is not None else None
    if pdf is None:
        say(CHROMIUM_HINT if wait_pdf is None else "Chromium 打印 committee.pdf 失败，未生成 PDF")
    else:
        written.append(pdf)
    return written


def _export_notebook_committee(
    notebooks: list[_Notebook], cache_dir: Path, target: Path, ctx: dict[str, Any]
) -> None:
    merged = _committee_notebook([nb for nb in notebooks if nb.committee], cache_dir)
    exporter = _html_exporter("committee.html.j2")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    resources = {
        "metadata": {"name": ctx["title"]},
        "survey": {
            "title": html.escape(ctx["title"]),
            "synthetic": ctx["synthetic"],
            "run_time": html.escape(ctx["run_time"]),
            "css": ctx["css"],
            "footer_html": _footer_html(ctx, notebooks),
        },
    }
    page, _ = exporter.from_notebook_node(merged, resources=resources)
    page = _add_toc(_finish_page(page))
    if ctx["embed_font"]:
        font_css = _font_face_css(page, cache_dir)
        page = page.replace("</head>", font_css + "\n</head>", 1)
    write_atomic(target, page)


def _export_audit(nb: _Notebook, cache_dir: Path, target: Path, ctx: dict[str, Any]) -> None:
    _skip_slow_optional_imports()
    import nbformat

    executed = nbformat.read(cache_dir / f"{nb.name}.ipynb", as_version=4)
    if "_audit_exporter" not in ctx:  # one exporter for all notebooks: template loading is slow
        ctx["_audit_exporter"] = _html_exporter("audit.html.j2")
    exporter = ctx["_audit_exporter"]
    resources = {
        "metadata": {"name": nb.name},
        "survey": {
            "notebook": html.escape(nb.path.name),
            "key": nb.key[:16],
            "synthetic": ctx["synthetic"],
            "css": ctx["css"],
            "footer_html": _footer_html(ctx, [nb]),
        },
    }
    page, _ = exporter.from_notebook_node(executed, resources=resources)
    write_atomic(target, _finish_page(page))


def _export_audit_index(notebooks: list[_Notebook], target: Path, ctx: dict[str, Any]) -> None:
    """``audit/index.html``: links to every notebook, the manifest and the exclusion ledger."""
    e = html.escape
    links = "".join(f'<li><a href="{e(nb.name)}.html">{e(nb.path.name)}</a></li>' for nb in notebooks)
    ledger = ""
    exclusions = ctx["processed_dir"] / "exclusions.csv"
    if exclusions.is_file():
        import pandas as pd

        table = pd.read_csv(exclusions, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        ledger = (f"<h2>排除记录（exclusions.csv，{len(table)} 行）</h2>"
                  + table.to_html(index=False, escape=True, border=0, classes="ledger"))
    manifest = ctx["processed_dir"] / "manifest.json"
    manifest_html = ""
    if manifest.is_file():
        text = manifest.read_text(encoding="utf-8", errors="replace")
        manifest_html = f"<h2>数据清单（manifest.json）</h2><pre>{e(text)}</pre>"
    notice = ('<div class="synthetic-notice"><strong>合成数据，仅供演示</strong></div>'
              if ctx["synthetic"] else "")
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>审计材料 — {e(ctx['title'])}</title><style>{ctx['css']}"
        "table.ledger{border-collapse:collapse}table.ledger td,table.ledger th"
        "{border:1px solid #ccc;padding:2px 6px}</style></head>"
        f'<body class="survey-report survey-audit">{notice}<h1>审计材料：{e(ctx["title"])}</h1>'
        f"<h2>笔记本（含全部代码）</h2><ul>{links}</ul>{manifest_html}{ledger}"
        f'<footer class="provenance">{_footer_html(ctx, notebooks)}</footer></body></html>\n'
    )
    write_atomic(target, _finish_page(page))


# ---------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------


def _templates_digest() -> str:
    return _sha256_json({p.name: _sha256_bytes(p.read_bytes())
                         for p in sorted(TEMPLATES_DIR.iterdir()) if p.is_file()})


def _load_export_state(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _failure_error(failed: dict[str, dict[str, Any]], notebooks_dir: Path, cache_dir: Path) -> SurveyError:
    name, res = next(iter(failed.items()))
    lines = [ln for ln in str(res["error"]).strip().splitlines() if ln.strip()]
    return SurveyError(
        f"{len(failed)} 个笔记本执行失败：{'、'.join(f'{n}.ipynb' for n in failed)}；"
        "已有的报告保持不变",
        file=notebooks_dir / f"{name}.ipynb",
        expected="笔记本的每个单元格都能执行成功",
        hint=(f"出错信息：{lines[-1] if lines else '未知'}。带输出的出错笔记本保存在 "
              f"{cache_dir / (name + '.failed.ipynb')}，可在 JupyterLab 中打开查看"),
    )


def run_report(
    study_path: str | Path | None = None,
    *,
    notebooks_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    figures_dir: str | Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = print,
    parameters: Mapping[str, Any] | None = None,
    timeout: int = 1200,
    embed_font: bool = True,
) -> ReportResult:
    """Execute the study's notebooks where needed and export the audit and committee HTML.

    Parameters
    ----------
    study_path
        The study file (``study.yaml``); default as in :func:`survey.config.study.load_study`.
    notebooks_dir, reports_dir, figures_dir
        Folders; defaults from :mod:`survey.paths` (``notebooks/``, ``reports/``,
        ``figures/``).
    force
        Execute every notebook even when its cache is up to date, and re-export.
    jobs
        Notebooks executed at once; default ``os.cpu_count()``. Kernels are separate
        processes, so more jobs than cores gains nothing.
    progress
        Called with one line of Chinese text per step (``None`` for silence).
    parameters
        Extra parameters injected into every notebook (after the standard ones).
    timeout
        Seconds a single cell may run.
    embed_font
        Embed a subset of the CJK font in ``committee.html`` (renders the same everywhere).

    Returns
    -------
    ReportResult

    Raises
    ------
    SurveyError
        For a broken notebook file, an unknown or cyclic dependency, or a notebook whose
        execution fails (the previous reports are then left as they were).

    Examples
    --------
    >>> from survey.report.runner import run_report
    >>> result = run_report("study.yaml")  # doctest: +SKIP
    >>> result.executed, result.skipped  # doctest: +SKIP
    (['01_data_audit'], ['02_measurement', '03_benchmark_gaps'])
    """
    from survey import paths
    from survey.config.study import load_study, protect_study_inputs

    t_start = time.perf_counter()
    say = progress or (lambda _msg: None)
    study = load_study(study_path)
    notebooks_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR).resolve()
    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    figures_dir = Path(figures_dir or paths.FIGURES_DIR).resolve()
    processed_dir = study.output_path.resolve()
    cache_dir = reports_dir / ".cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)
    # The cache keys hash these (final) paths; the kernels get the staging folders instead.
    params: dict[str, Any] = {
        "study_path": str(Path(study.root, study.source.name).resolve()),
        "processed_dir": str(processed_dir),
        "figures_dir": str(figures_dir),
        "reports_dir": str(reports_dir),
        **dict(parameters or {}),
    }

    notebooks = _read_notebooks(notebooks_dir)  # reading order: the order of the report
    graph = _graph(notebooks)
    if not notebooks:
        raise SurveyError("没有找到要执行的笔记本", file=notebooks_dir,
                          expected="至少一个 .ipynb 文件")
    _compute_keys(_topological(notebooks), processed_dir=processed_dir, parameters=params,
                  study_digest=study.config_hash())
    todo, reasons = [], {}
    for nb in notebooks:
        fresh, reason = _cache_state(nb, cache_dir)
        if force or not fresh:
            todo.append(nb)
            reasons[nb.name] = "强制重新执行" if force else reason
    say(f"报告：共 {len(notebooks)} 个笔记本，需执行 {len(todo)} 个，"
        f"跳过 {len(notebooks) - len(todo)} 个（输入未变）")
    jobs = max(1, min(jobs or os.cpu_count() or 1, os.cpu_count() or 1, max(len(todo), 1)))
    # Every output (figures, audit pages, committee files) is made in staging folders beside
    # figures/ and reports/, seeded with the current outputs, and all of them are moved into
    # place together at the end (AtomicOutputSet): a run that fails or is killed leaves the
    # previous complete set, a run killed while moving is finished by the next run.
    with protect_study_inputs(study), _kernels_die_on_sigterm(), \
            AtomicOutputSet([figures_dir, reports_dir], seed=True) as stagings:
        staged = dict(zip(dict.fromkeys([figures_dir, reports_dir]), stagings, strict=True))
        fig_stage, rep_stage = staged[figures_dir], staged[reports_dir]
        kernel_dir = rep_stage / KERNELS_DIR
        path_map = [(str(fig_stage), str(figures_dir)), (str(rep_stage), str(reports_dir))]
        run_params = {**params, "figures_dir": str(fig_stage), "reports_dir": str(rep_stage)}
        tasks = {
            nb.name: {
                "name": nb.name, "path": str(nb.path), "cwd": str(notebooks_dir),
                "cache_dir": str(cache_dir), "parameters": run_params, "key": nb.key,
                "parts": nb.parts, "input_files": nb.input_files, "timeout": timeout,
                "reason": reasons[nb.name], "path_map": path_map, "kernel_dir": str(kernel_dir),
            }
            for nb in todo
        }
        exports = _Exports(study=study, reports_dir=rep_stage, cache_dir=cache_dir,
                           processed_dir=processed_dir, force=force, embed_font=embed_font,
                           figures_dir=fig_stage, final_reports_dir=reports_dir)
        by_name = {nb.name: nb for nb in notebooks}
        with _KERNELS_LOCK:
            _KERNEL_DIRS.add(kernel_dir)
        try:
            try:
                # each audit page is made while the notebooks after it still run
                results = _execute_all(todo, graph, tasks, jobs=jobs, progress=say,
                                       on_success=lambda name: exports.stage_audit(by_name[name]))
            finally:
                with _KERNELS_LOCK:
                    _KERNEL_DIRS.discard(kernel_dir)
                shutil.rmtree(kernel_dir, ignore_errors=True)  # connection files: never committed
            timings = {f"execute:{n}": r["seconds"] for n, r in results.items()}
            failed = {n: r for n, r in results.items() if not r["ok"]}
            if failed:
                raise _failure_error(failed, notebooks_dir, cache_dir)
            result = exports.finish(notebooks, say=say, timings=timings)
        finally:
            # the analysis sections' cache the kernels and the committee export wrote under
            # the staged reports folder: kept in the real cache, not committed as an output
            _merge_cache(rep_stage / ".cache", cache_dir)
    exports.save_state()  # only once the outputs it describes are in place
    result.executed = [nb.name for nb in todo]
    result.skipped = [nb.name for nb in notebooks if nb.name not in tasks]
    timings["total"] = time.perf_counter() - t_start
    result.timings = timings
    say(f"完成：执行 {len(result.executed)} 个，跳过 {len(result.skipped)} 个，"
        f"总用时 {timings['total']:.1f} 秒 → {result.committee}")
    return result


class _Exports:
    """The audit pages and committee.html of one run, each written only when its inputs changed.

    An audit page can be made as soon as its notebook has run (:meth:`stage_audit`, called
    while the other notebooks still run); it is written into the cache folder and moved into
    ``reports/audit/`` by :meth:`finish` only, so a run with a failing notebook leaves every
    report as it was.
    """

    def __init__(self, *, study: Study, reports_dir: Path, cache_dir: Path, processed_dir: Path,
                 force: bool, embed_font: bool, figures_dir: Path | None = None,
                 final_reports_dir: Path | None = None) -> None:
        self.study, self.reports_dir, self.cache_dir = study, reports_dir, cache_dir
        # reports_dir: where the files are written (the staging folder); final_reports_dir:
        # where they end up (shown to the user, returned in the result)
        self.final_reports_dir = final_reports_dir or reports_dir
        self.new_state: dict[str, Any] = {}
        self.figures_dir = figures_dir
        self.processed_dir, self.embed_font = processed_dir, embed_font
        self.state_path = cache_dir / "exports.json"
        self.state = {} if force else _load_export_state(self.state_path)
        self.manifest = _manifest_rows(processed_dir / "manifest.json")
        self.base_key = {"templates": _templates_digest(), "synthetic": study.synthetic,
                         "title": study.title, "manifest": self.manifest[0]}
        self.ctx: dict[str, Any] = {}
        self.audit_seconds = 0.0

    def context(self) -> dict[str, Any]:  # built lazily: a rerun with nothing to do skips it
        if not self.ctx:
            study = self.study
            self.ctx.update(
                title=study.title, synthetic=study.synthetic, study_name=study.source.name,
                study_sha=study.config_sha256, code=code_digest(), git=_git_commit(study.root),
                versions=package_versions(), manifest=self.manifest,
                processed_dir=self.processed_dir,
                run_time=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
                css=(TEMPLATES_DIR / "report.css").read_text(encoding="utf-8"),
                embed_font=self.embed_font,
            )
        return self.ctx

    def _audit_key(self, nb: _Notebook) -> str:
        return _sha256_json({**self.base_key, "nb": nb.key})

    def stage_audit(self, nb: _Notebook) -> Path:
        """Export a notebook's audit page into the cache folder (once per key); return it."""
        staged = self.cache_dir / "audit" / f"{nb.name}-{self._audit_key(nb)[:16]}.html"
        if not staged.is_file():
            t0 = time.perf_counter()
            for old in staged.parent.glob(f"{nb.name}-*.html"):
                old.unlink(missing_ok=True)
            _export_audit(nb, self.cache_dir, staged, self.context())
            self.audit_seconds += time.perf_counter() - t0
        return staged

    def finish(self, notebooks: list[_Notebook], *, say: Callable[[str], None],
               timings: dict[str, float]) -> ReportResult:
        """Put the audit pages in place, write the index and committee.html where needed."""
        audit_dir = self.reports_dir / "audit"
        audit_state = dict(self.state.get("audit", {}))
        audit_paths = []
        t0 = time.perf_counter()
        for nb in notebooks:
            target = audit_dir / f"{nb.name}.html"
            key = self._audit_key(nb)
            audit_paths.append(target)
            if audit_state.get(nb.name) == key and target.is_file():
                continue
            staged = self.stage_audit(nb)
            audit_dir.mkdir(parents=True, exist_ok=True)
            check_writable(target)
            os.replace(staged, target)
            audit_state[nb.name] = key
        index_key = _sha256_json({**self.base_key, "nbs": [nb.key for nb in notebooks]})
        index = audit_dir / "index.html"
        if self.state.get("audit_index") != index_key or not index.is_file():
            _export_audit_index(notebooks, index, self.context())
        audit_paths.append(index)
        if self.ctx:
            timings["audit"] = self.audit_seconds + time.perf_counter() - t0
            say(f"导出审计版 HTML（含代码）→ {self.final_reports_dir / 'audit'}，"
                f"用时 {timings['audit']:.1f} 秒")

        committee = self.reports_dir / "committee.html"
        from survey.report.html import chromium

        committee_key = _sha256_json({**self.base_key, "font": self.embed_font, "brief": 2,
                                      "chromium": chromium() is not None,
                                      "nbs": [nb.key for nb in notebooks if nb.committee]})
        outputs = [committee, *(self.reports_dir / n for n in self.state.get("committee_files", []))]
        if self.state.get("committee") != committee_key or not all(p.is_file() for p in outputs):
            t0 = time.perf_counter()
            written = _export_committee(notebooks, self.cache_dir, committee, self.context(),
                                        study=self.study, figures_dir=self.figures_dir,
                                        say=say)
            self.state["committee_files"] = [p.name for p in written if p != committee]
            timings["committee"] = time.perf_counter() - t0
            say(f"导出委员会报告 → {self.final_reports_dir / committee.name}，"
                f"用时 {timings['committee']:.1f} 秒")
        else:
            say("委员会报告无需更新")
        self.new_state = {"audit": audit_state, "audit_index": index_key,
                          "committee": committee_key,
                          "committee_files": self.state.get("committee_files", [])}
        final = self.final_reports_dir
        return ReportResult(committee=final / committee.name,
                            audit=[final / p.relative_to(self.reports_dir) for p in audit_paths])

    def save_state(self) -> None:
        """Record what :meth:`finish` exported (call once the outputs are in place)."""
        write_atomic(self.state_path, json.dumps(self.new_state, indent=1))
