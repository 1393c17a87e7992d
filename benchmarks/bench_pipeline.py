"""Benchmark: ``survey clean`` end to end on a scaled demo study, and where its time goes.

Issue 12: "`survey clean` end to end on 100,000 respondents: report the split and keep the
`.sav` writer from dominating". The study is the demo study scaled up
(``survey demo --respondents N --colleges K``: the same five file formats, planted effects and
mess), generated once into ``$TMPDIR/survey-bench/demo_<N>_<K>`` and reused (``--fresh``
regenerates; 100,000 respondents take several minutes, mostly openpyxl writing the xlsx files).

Timed in one run:

(a) ``run_clean`` end to end (read, clean, pseudonymise, write every output, manifest), split
    by the progress messages into reading, cleaning + pseudonymising, and writing;
(b) the writers of the responses table alone, one after the other, on the frame (a) produced:
    Parquet, CSV, ``.sav`` (column conversion and pyreadstat separately);
(c) every table written one after the other (``.sav`` first), against
    ``pipeline._write_outputs`` as the pipeline runs it (the ``.sav`` in a background thread
    while the Parquet and CSV files are written), into scratch folders.

Run::

    .venv/bin/python benchmarks/bench_pipeline.py                      # 100,000 respondents, 6 colleges
    .venv/bin/python benchmarks/bench_pipeline.py --respondents 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path


def scaled_study(folder: Path, respondents: int, colleges: int, fresh: bool) -> Path:
    """The scaled demo study's ``study.yaml``, generated first when missing (or ``fresh``)."""
    from survey.demo import generate_demo

    study = folder / "study.yaml"
    if fresh or not study.exists():
        t0 = time.perf_counter()
        generate_demo(folder, respondents=respondents, colleges=colleges)
        print(f"generated {folder} in {time.perf_counter() - t0:.0f} s")
    return study


def timed_clean(study_path: Path, out: Path) -> tuple[float, dict[str, float], object]:
    """``run_clean`` once; wall time, split by progress message, and the run."""
    from survey.config.study import load_study
    from survey.pipeline import run_clean

    marks: list[tuple[float, str]] = []
    shutil.rmtree(out, ignore_errors=True)
    study = load_study(study_path)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_clean(study, output_dir=out, progress=lambda m: marks.append((time.perf_counter(), m)))
    total = time.perf_counter() - t0
    cleaned = next(t for t, m in marks if m.startswith("清洗："))
    writing = next(t for t, m in marks if m.startswith("写入："))
    split = {"read": cleaned - t0, "clean+pseudonymise": writing - cleaned, "write": t0 + total - writing}
    return total, split, run


def time_writers(run: object, scratch: Path) -> dict[str, float]:
    """Each writer of the responses table alone, and the pipeline's own writing step."""
    from survey import pipeline
    from survey.io import export

    tidy = run.tidy  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    scratch.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fn in [
            ("parquet", lambda: export.write_parquet(tidy, scratch / "r.parquet")),
            ("csv", lambda: export.write_csv(tidy, scratch / "r.csv")),
            ("sav: column conversion", lambda: export._sav_frame(tidy)),
            ("sav: whole write_sav", lambda: export.write_sav(tidy, scratch / "r.sav")),
        ]:
            t0 = time.perf_counter()
            fn()
            out[name] = time.perf_counter() - t0
        # the same files one after the other (the .sav first, as before the background thread)
        serial = scratch / "serial"
        serial.mkdir()
        res = run.result  # type: ignore[attr-defined]
        tables = {pipeline.processed.EXCLUSIONS: res.exclusions, pipeline.processed.CELL_CHANGES: res.cell_changes,
                  pipeline.processed.CLEANING_LOG: res.log, **run.instruments}  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        export.write_sav(tidy, serial / "responses.sav")
        pipeline._write_table(pipeline.processed.RESPONSES, tidy, serial)
        for name, table in tables.items():
            pipeline._write_table(name, table, serial)
        out["every table, one after the other"] = time.perf_counter() - t0
        staging = scratch / "staging"
        staging.mkdir()
        t0 = time.perf_counter()
        pipeline._write_outputs(run, staging)  # type: ignore[arg-type]
        out["pipeline._write_outputs (all tables)"] = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=100_000)
    ap.add_argument("--colleges", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=1, help="run_clean runs (best kept)")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "survey-bench")
    ap.add_argument("--fresh", action="store_true", help="regenerate the study")
    args = ap.parse_args(argv)

    folder = args.dir / f"demo_{args.respondents}_{args.colleges}"
    study = scaled_study(folder, args.respondents, args.colleges, args.fresh)
    best: tuple[float, dict[str, float], object] | None = None
    for _ in range(args.repeat):
        result = timed_clean(study, folder / "processed")
        best = result if best is None or result[0] < best[0] else best
    assert best is not None
    total, split, run = best
    print(f"study: {folder} ({args.respondents:,} respondents, {args.colleges} colleges); "
          f"kept {len(run.tidy):,} rows × {run.tidy.shape[1]} columns")  # type: ignore[attr-defined]
    print(f"(a) run_clean end to end             {total:8.2f} s")
    for k, v in split.items():
        print(f"    {k:<32} {v:8.2f} s  ({v / total:.0%})")
    with tempfile.TemporaryDirectory(prefix="bench-writers-") as tmp:
        writers = time_writers(run, Path(tmp))
    print("(b) writers of the responses table, one after the other")
    for k, v in writers.items():
        if k.startswith(("parquet", "csv", "sav")):
            print(f"    {k:<32} {v:8.2f} s")
    v, s = writers["pipeline._write_outputs (all tables)"], writers["every table, one after the other"]
    print(f"(c) every table, one after the other {s:8.2f} s")
    print(f"    pipeline._write_outputs          {v:8.2f} s  (.sav in a background thread; {v / s:.2f} of serial)")
    print(json.dumps({"total_s": round(total, 2), **{k: round(x, 2) for k, x in {**split, **writers}.items()}},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
