"""Benchmark: the least work any read + clean of the benchmark CSV needs, against pandas' readers.

``bench_clean.py`` compares ``survey.read_responses`` + ``survey.clean.ledger.clean`` with pandas'
own CSV readers (issue 2 asks for at most 2×). This script measures a *floor* for that ratio on
the same file in the same run: a hand-made pipeline that does only the unavoidable part of the
job, with every shortcut the file allows and none of the checks the product must make:

- parse with pyarrow's multi-threaded reader, the 42 code columns straight to ``int8``, the
  submission time straight to a timestamp (pyarrow's parser, which accepts 2026/02/30);
- turn the 40 answer columns into float64 (the canonical frame's type) with a lookup table;
- flag exact duplicates (hash of the packed codes), straight-lining (8 batteries), speeders
  (a third of the median time), test submissions and too few answers;
- keep the unflagged rows (``DataFrame.loc``) and list the excluded rows with one fixed text.

Left out, though ``survey`` must do them: the header mapping and codebook checks, the check
that every cell was written canonically, decoding through the codebook (labels, missing codes),
Excel row numbers, the out-of-range cell rule and its log, attention checks, keep policies,
the per-rule ledger texts and the CONSORT log. So (c) of ``bench_clean.py`` cannot be faster
than the floor measured here.

Run::

    .venv/bin/python benchmarks/bench_floor.py            # the 1,000,000-row file of bench_clean
    .venv/bin/python benchmarks/bench_floor.py --rows 100000 --repeat 1
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from bench_clean import N_ITEMS, N_SCALES, benchmark_file, best_of, pandas_baseline, parse_args


def floor_pipeline(path: Path) -> tuple[int, int]:
    """Read and flag ``path`` with the least work; return (kept, excluded) row counts."""
    raw = path.read_bytes()
    nl = raw.find(b"\n")
    header = [h.strip('"') for h in raw[:nl].decode("utf-8").split(",")]
    items = [f"Q{i + 1}" for i in range(N_ITEMS)]
    types: dict[str, pa.DataType] = {c: pa.int8() for c in [*items, "gender", "age_band"]}
    types |= {
        "branch": pa.dictionary(pa.int32(), pa.string()),
        "submitted_at": pa.timestamp("s"),
        "duration_s": pa.int32(),
    }
    table = pacsv.read_csv(
        pa.py_buffer(raw).slice(nl + 1),
        read_options=pacsv.ReadOptions(column_names=header),
        parse_options=pacsv.ParseOptions(newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types=types, null_values=[""], timestamp_parsers=["%Y/%m/%d %H:%M:%S"]
        ),
    )
    n = table.num_rows
    lut = np.full(256, np.nan)
    lut[1:6] = np.arange(1, 6)

    def decode(name: str) -> tuple[np.ndarray, np.ndarray]:
        codes = pc.fill_null(table[name], -128).to_numpy()
        return codes, lut.take(codes.view(np.uint8))

    with ThreadPoolExecutor(max_workers=2) as pool:
        decoded = list(pool.map(decode, items))
    codes = [c for c, _ in decoded]
    stamps = table["submitted_at"].to_numpy()
    duration = table["duration_s"].to_numpy(zero_copy_only=False)
    frame = pd.DataFrame(
        {
            "_file": np.array(["responses.csv"], dtype=object).repeat(n),
            "submitted_at": stamps,
            "duration_s": duration,
            "branch": table["branch"].to_pandas(),
            **{name: values for name, (_, values) in zip(items, decoded, strict=True)},
        },
        copy=False,
    )
    # Exact duplicates: the forty one-byte codes packed into five 64-bit words, hashed.
    packed = np.stack(codes, axis=1).view(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(packed.shape[1]):
        h = (h ^ packed[:, j]) * np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(29)
    flagged = pd.Series(h).duplicated().to_numpy().copy()
    # Straight-lining: highest == lowest answer over each five-item battery.
    per = N_ITEMS // N_SCALES
    for s in range(N_SCALES):
        hi = codes[s * per].copy()
        lo = codes[s * per].copy()
        for c in codes[s * per + 1 : (s + 1) * per]:
            np.maximum(hi, c, out=hi)
            np.minimum(lo, c, out=lo)
        flagged |= hi == lo
    answered = np.zeros(n, dtype=np.int16)
    for c in codes:
        answered += c != -128
    flagged |= answered < N_ITEMS // 2
    flagged |= duration < np.median(duration) / 3
    flagged |= stamps < np.datetime64("2026-09-01")
    kept = frame.loc[~flagged]
    where = np.flatnonzero(flagged)
    ledger = pd.DataFrame({"file": frame["_file"].to_numpy()[where], "row": where + 2, "rules": "flagged"})
    return len(kept), len(ledger)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv, __doc__.splitlines()[0])
    csv_path = benchmark_file(args)
    fastest = pandas_baseline(csv_path, args.repeat)
    t_f, (kept, excluded) = best_of(lambda: floor_pipeline(csv_path), args.repeat)  # type: ignore[misc]
    print(f"(f) least-work read + flag            {t_f:8.2f} s  kept {kept:,}, flagged {excluded:,}")
    print(f"floor ratio (f) / min(a, b) = {t_f / fastest:.2f}")


if __name__ == "__main__":
    main()
