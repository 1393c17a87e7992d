"""Benchmark: reading + cleaning a large generic CSV vs pandas' own CSV readers.

Issue 2 asked for 1,000,000 respondents × 40 Likert items within 2× the faster of pandas' C and
pyarrow readers; issue 12 retired that target (no study of this project comes near a million
respondents, and on the project's 2-core machine the least-work pipeline alone already took
2× pandas). The default is now 100,000 respondents, the users' scale; the ratio is still
printed, for reference.

Run::

    .venv/bin/python benchmarks/bench_clean.py            # 100,000 rows (about 12 MB)
    .venv/bin/python benchmarks/bench_clean.py --rows 1000000 --repeat 1

The file, its codebook and ``study.yaml`` are generated (seeded) once into a temporary folder
and reused by later runs with the same ``--rows`` and ``--seed`` (``--fresh`` regenerates).
Timed, each ``--repeat`` times (best kept, since other processes may share the cores):

(a) ``pandas.read_csv(path, engine="c")``
(b) ``pandas.read_csv(path, engine="pyarrow")``
(c) ``survey.read_responses(study, codebook)`` + ``survey.clean.ledger.clean(frame, codebook,
    study)`` (no pseudonymisation, no writing of outputs).

Prints the times and the ratio of (c) to the faster of (a) and (b).
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

N_ITEMS = 40
N_SCALES = 8  # 8 scales × 5 items, the first item of each reverse-keyed
BRANCHES = [f"第{i}党支部" for i in range(1, 21)]


def _codebook_yaml() -> str:
    lines = [
        "title: 基准测试问卷（合成）",
        "option_sets:",
        "  agree5: {1: 非常不同意, 2: 不同意, 3: 一般, 4: 同意, 5: 非常同意}",
        "items:",
        "  - {id: gender, text: 性别, type: single, options: {1: 男, 2: 女}}",
        "  - {id: age_band, text: 年龄段, type: single,"
        " options: {1: 25岁及以下, 2: 26-35岁, 3: 36-45岁, 4: 46-55岁, 5: 56岁及以上}}",
        "  - {id: branch, text: 所在党支部, type: text}",
    ]
    lines += [f"  - {{id: Q{i}, text: 第{i}题, type: likert, options: agree5}}" for i in range(1, N_ITEMS + 1)]
    lines.append("scales:")
    per = N_ITEMS // N_SCALES
    for s in range(N_SCALES):
        items = [f"Q{s * per + k + 1}" for k in range(per)]
        lines.append(f"  - {{id: S{s + 1}, label: 维度{s + 1}, items: [{', '.join(items)}], reverse: [{items[0]}]}}")
    lines += [
        "meta:",
        "  submitted_at: {column: submitted_at}",
        "  duration: {column: duration_s}",
    ]
    return "\n".join(lines) + "\n"


_STUDY = """\
title: 基准测试（合成数据）
synthetic: true
questionnaire:
  codebook: codebook.yaml
  files:
    - path: responses.csv
      format: generic
      encoding: utf-8
      attributes: {college: 本院}
fieldwork:
  start: 2026-09-01
privacy:
  demo_key: bench-only
"""


def make_study(folder: Path, n_rows: int, seed: int) -> Path:
    """Write ``responses.csv`` (n_rows × (40 items + gender, age band, branch, time, duration)),
    ``codebook.yaml`` and ``study.yaml`` into ``folder``; return the study file.

    Answers are drawn per respondent around a personal mean (so scales correlate); 1 % of the
    cells are empty, 0.5 % of the rows are speeders, 0.2 % are submitted before fieldwork.
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    mean = rng.normal(3.5, 0.6, size=(n_rows, 1))
    items = np.clip(np.rint(mean + rng.normal(0, 0.9, size=(n_rows, N_ITEMS))), 1, 5).astype(np.int8)
    empty = rng.random((n_rows, N_ITEMS)) < 0.01
    start = np.datetime64("2026-09-01T08:00:00")
    offsets = rng.integers(0, 40 * 86400, size=n_rows)
    early = rng.random(n_rows) < 0.002
    offsets[early] = -rng.integers(3600, 5 * 86400, size=int(early.sum()))
    stamps = (start + offsets.astype("timedelta64[s]")).astype("datetime64[s]")
    duration = np.rint(rng.lognormal(np.log(420), 0.35, size=n_rows)).astype(np.int64)
    fast = rng.random(n_rows) < 0.005
    duration[fast] = rng.integers(20, 60, size=int(fast.sum()))
    columns: dict[str, pa.Array] = {
        "submitted_at": pa.array(np.datetime_as_string(stamps, unit="s")).cast(pa.string()),
        "duration_s": pa.array(duration),
        "gender": pa.array(rng.integers(1, 3, size=n_rows)),
        "age_band": pa.array(rng.integers(1, 6, size=n_rows)),
        "branch": pa.array(np.array(BRANCHES)[rng.integers(0, len(BRANCHES), size=n_rows)]),
    }
    # "2026-09-03T12:00:00" → "2026/09/03 12:00:00", as 问卷星 and Excel write it.
    columns["submitted_at"] = pa.array(
        pd.Series(columns["submitted_at"].to_numpy(zero_copy_only=False))
        .str.replace("T", " ", regex=False)
        .str.replace("-", "/", regex=False)
        .to_numpy()
    )
    for i in range(N_ITEMS):
        columns[f"Q{i + 1}"] = pa.array(items[:, i].astype(np.int64), mask=empty[:, i])
    pacsv.write_csv(pa.table(columns), folder / "responses.csv",
                    pacsv.WriteOptions(quoting_style="none"))
    (folder / "codebook.yaml").write_text(_codebook_yaml(), encoding="utf-8")
    (folder / "study.yaml").write_text(_STUDY, encoding="utf-8")
    return folder / "study.yaml"


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls and the last result."""
    best = float("inf")
    out: object = None
    for _ in range(repeat):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def parse_args(argv: list[str] | None, description: str) -> argparse.Namespace:
    """The benchmark's options."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "survey-bench")
    ap.add_argument("--fresh", action="store_true", help="regenerate the files")
    return ap.parse_args(argv)


def benchmark_file(args: argparse.Namespace) -> Path:
    """The benchmark study's ``responses.csv``, generated first when missing (or ``--fresh``)."""
    folder = args.dir / f"clean_{args.rows}_{args.seed}"
    csv_path = folder / "responses.csv"
    if args.fresh or not csv_path.exists():
        t0 = time.perf_counter()
        make_study(folder, args.rows, args.seed)
        print(f"generated {csv_path} in {time.perf_counter() - t0:.1f} s")
    size_mb = csv_path.stat().st_size / 1e6
    print(f"file: {csv_path} ({args.rows:,} rows, {size_mb:.0f} MB); best of {args.repeat}")
    return csv_path


def pandas_baseline(csv_path: Path, repeat: int) -> float:
    """Time (a) pandas' C reader and (b) its pyarrow reader; return the faster time."""
    t_c, df_c = best_of(lambda: pd.read_csv(csv_path, engine="c"), repeat)
    print(f"(a) pandas.read_csv engine='c'        {t_c:8.2f} s  shape {df_c.shape}")
    del df_c
    t_pa, df_pa = best_of(lambda: pd.read_csv(csv_path, engine="pyarrow"), repeat)
    print(f"(b) pandas.read_csv engine='pyarrow'  {t_pa:8.2f} s  shape {df_pa.shape}")
    return min(t_c, t_pa)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0])

    from survey.clean.ledger import clean
    from survey.config.codebook import load_codebook
    from survey.config.study import load_study
    from survey.io.readers import read_responses

    csv_path = benchmark_file(args)
    fastest = pandas_baseline(csv_path, args.repeat)

    study = load_study(csv_path.parent / "study.yaml")
    codebook = load_codebook(study.resolve(study.questionnaire.codebook))

    parts: dict[str, float] = {"read": float("inf"), "clean": float("inf")}

    def project() -> tuple[int, int]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            frame = read_responses(study, codebook).frame
            t1 = time.perf_counter()
            result = clean(frame, codebook, study)
            t2 = time.perf_counter()
        parts["read"] = min(parts["read"], t1 - t0)
        parts["clean"] = min(parts["clean"], t2 - t1)
        return len(result.kept), len(result.exclusions)

    t_s, (kept, excluded) = best_of(project, args.repeat)  # type: ignore[misc]
    print(f"(c) read_responses + clean            {t_s:8.2f} s  kept {kept:,}, excluded {excluded:,}")
    print(f"    of which read_responses (best)    {parts['read']:8.2f} s")
    print(f"    of which clean (best)             {parts['clean']:8.2f} s")
    ratio = t_s / fastest
    print(f"ratio (c) / min(a, b) = {ratio:.2f}  (the 1,000,000-row target of <= 2 is retired)")
    print(f"ratio clean alone / min(a, b) = {parts['clean'] / fastest:.2f}  (for reference)")


if __name__ == "__main__":
    main()
