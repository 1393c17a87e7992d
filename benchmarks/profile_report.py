"""Where the time of ``survey report`` goes: each report section run in-process under cProfile.

The notebooks only call these section functions (``survey.analysis``), so running them in one
process with cProfile shows which statistics or figures grow with the number of respondents.
The study must be cleaned first (``survey clean --study DIR/study.yaml``).

Run::

    .venv/bin/python benchmarks/profile_report.py /tmp/survey-bench/demo_100000_6
    .venv/bin/python benchmarks/profile_report.py /tmp/survey-bench/demo_750_5

Prints each section's wall time and, for sections above 2 s, the ``survey`` functions with the
largest cumulative time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile
import time
import warnings
from pathlib import Path

SECTIONS = ["data_audit", "measurement", "benchmark_gaps", "composition", "priorities", "symposium",
            "indicators", "findings"]


def main(argv: list[str] | None = None) -> None:
    from survey import analysis as A

    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0])
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="profile-report-") as figs:
        t = time.perf_counter()
        ctx = A.load(str(root / "study.yaml"), str(root / "processed"), figs)
        print(f"load {time.perf_counter() - t:.2f} s", flush=True)
        for name in SECTIONS:
            prof = cProfile.Profile()
            t = time.perf_counter()
            prof.enable()
            section = getattr(A, name)(ctx)
            if name not in ("data_audit", "measurement"):
                A.save_figures(section, ctx)
            prof.disable()
            took = time.perf_counter() - t
            print(f"== {name} {took:.2f} s", flush=True)
            if took > 2:
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
                print("\n".join(line for line in out.getvalue().splitlines() if "survey/" in line or "ncalls" in line))


if __name__ == "__main__":
    main()
