"""Section results computed once per report run, and read by every notebook that needs them.

Notebook 07 (findings) needs the results of notebooks 02–06, and each notebook runs in its own
kernel. So every section function is wrapped by :func:`cached`: its result is kept

* in memory on the :class:`~survey.report.sections.base.Context` (a second call in the same
  kernel returns the same object), and
* on disk in ``<reports>/.cache/sections/<name>.pkl`` (another kernel reads it),

under a key made of everything the result depends on: the processed tables (hashed with
:func:`pandas.util.hash_pandas_object`), the manifest, the study configuration and codebook,
the context's grouping options, the section's own parameters, the ``survey`` package sources
(:func:`survey.io.manifest.code_digest`) and the versions of the libraries. A result whose key
does not match is computed again, so a notebook rerun cell by cell in JupyterLab gives the
same numbers as ``survey report`` — the cache only saves the time.

Each computation appends one line to ``sections.log.jsonl`` in the same folder (section,
parameters, key, seconds, process id): an audit trail of what was computed when, and how the
tests check that nothing is computed twice in one run.

The entries are pickles (tables with mixed text and number cells, and matplotlib figures, are
not all representable in Parquet). They are this project's own output in the user's own report
folder; like any pickle, do not load one from somewhere you do not trust.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import pickle
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

FORMAT = 1
LOG_NAME = "sections.log.jsonl"

if TYPE_CHECKING:
    from survey.report.sections.base import Context, Section

F = TypeVar("F", bound=Callable[..., "Section"])


def _frame_digest(df: pd.DataFrame | None) -> str:
    if df is None:
        return "none"
    h = hashlib.sha256()
    h.update(json.dumps([list(map(str, df.columns)), list(map(str, df.dtypes))]).encode())
    try:
        h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    except TypeError:  # unhashable cells (lists): their text is as good
        h.update(df.to_csv().encode("utf-8"))
    return h.hexdigest()


def context_digest(ctx: Context) -> str:
    """The digest of everything in a context that a section result can depend on (memoised)."""
    if ctx.digest is None:
        from survey.io.manifest import code_digest
        from survey.report.runner import package_versions

        p = ctx.processed
        tables = {name: _frame_digest(getattr(p, name)) for name in (
            "responses", "exclusions", "cell_changes", "cleaning_log", "sessions", "statements",
            "themes", "indicators", "summaries", "roster")}
        payload = {
            "format": FORMAT, "tables": tables, "manifest": p.manifest,
            "study": ctx.study.config_hash(), "codebook": ctx.codebook.model_dump(mode="json"),
            "options": [ctx.by, ctx.reference, ctx.strata, ctx.min_n],
            "code": code_digest(), "versions": package_versions(),
        }
        ctx.digest = _sha256(payload)
    return ctx.digest


def _sha256(obj: object) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry_name(name: str, params: Mapping[str, object], defaults: Mapping[str, object]) -> str:
    """``gaps.pkl`` for the default parameters, ``gaps-<hash>.pkl`` for others."""
    if dict(params) == dict(defaults):
        return f"{name}.pkl"
    return f"{name}-{_sha256(dict(params))[:10]}.pkl"


def _read(path: Path, key: str) -> Section | None:
    try:
        with path.open("rb") as fh:
            entry = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # a broken or foreign entry is recomputed, never trusted
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    return entry.get("section")


def _write(path: Path, key: str, section: Section, log: dict[str, object]) -> None:
    from survey.io.atomic import write_atomic

    write_atomic(path, pickle.dumps({"key": key, "section": section},
                                     protocol=pickle.HIGHEST_PROTOCOL))
    line = json.dumps(log, ensure_ascii=False, sort_keys=True) + "\n"
    # One short write on an O_APPEND file: lines of parallel kernels do not interleave.
    fd = os.open(path.parent / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def cached(name: str) -> Callable[[F], F]:
    """Make a section function compute its result once per context and once per cache folder.

    Parameters
    ----------
    name
        The section's name in the cache (``gaps``, ``symposium`` …).

    Returns
    -------
    callable
        A decorator. The wrapped function has the same signature; the undecorated one is its
        ``uncached`` attribute.

    Notes
    -----
    Parameters are bound with their defaults before hashing, so ``benchmark_gaps(ctx)`` and
    ``benchmark_gaps(ctx, items=True)`` share an entry; other parameter values get their own.
    A section is returned as the same object to every caller in one process: do not modify it.
    """

    def decorate(fn: F) -> F:
        sig = inspect.signature(fn)
        defaults = {k: v.default for k, v in list(sig.parameters.items())[1:]}

        @functools.wraps(fn)
        def wrapper(ctx: Context, *args: Any, **kwargs: Any) -> Section:
            bound = sig.bind(ctx, *args, **kwargs)
            bound.apply_defaults()
            params = dict(list(bound.arguments.items())[1:])
            key = _sha256({"section": name, "params": params, "context": context_digest(ctx)})
            if key in ctx.memo:
                return ctx.memo[key]
            path = (Path(ctx.cache_dir) / _entry_name(name, params, defaults)
                    if ctx.cache_dir is not None else None)
            section = _read(path, key) if path is not None else None
            if section is None:
                start = time.perf_counter()
                section = fn(*bound.args, **bound.kwargs)
                seconds = time.perf_counter() - start
                if path is not None:
                    _write(path, key, section, {
                        "section": name, "params": params, "key": key[:16],
                        "seconds": round(seconds, 3), "pid": os.getpid(),
                        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
            ctx.memo[key] = section
            return section

        wrapper.uncached = fn  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def computations(cache_dir: str | Path) -> pd.DataFrame:
    """The computation log of a cache folder (one row per computed section; empty if none).

    Columns: ``section``, ``params``, ``key``, ``seconds``, ``pid``, ``at``.
    """
    path = Path(cache_dir) / LOG_NAME
    cols = ["section", "params", "key", "seconds", "pid", "at"]
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return pd.DataFrame(rows, columns=cols)
