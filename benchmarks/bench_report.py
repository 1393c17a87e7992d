"""Benchmark the report runner against plain ``jupyter nbconvert --execute``.

Measures, on one machine in one run:

1. baseline: ``jupyter nbconvert --execute --to html`` on each notebook in sequence;
2. cold ``run_report`` (empty cache: execute in parallel, export audit + committee HTML);
3. ``run_report`` again with nothing changed;

and prints the ratios the issue asks for (cold <= 0.5 x baseline; rerun < 2 s).

With ``--scaled N`` it measures instead, in one run, a cold ``run_report`` (the repository's
notebooks, empty cache) on the demo study and on the demo scaled to N respondents
(``survey demo --respondents N --colleges K``, generated once into
``$TMPDIR/survey-bench/demo_<N>_<K>`` and cleaned before timing), and prints the ratio
(issue 12: "≤ 2× the demo's time — statistics vectorised, figures independent of N"). The demo
side is the same generator at 750 respondents and 5 colleges: the demo's files, with a
``study.yaml`` of the same shape.

Usage::

    .venv/bin/python benchmarks/bench_report.py                 # the repository's study
    .venv/bin/python benchmarks/bench_report.py --synthetic 6   # 6 generated notebooks
    timeout 1800 .venv/bin/python benchmarks/bench_report.py --scaled 100000 --colleges 6

With no notebooks in ``notebooks/`` (or no ``study.yaml``), generated notebooks are used: each
imports pandas and the plot helpers, computes a few group summaries and draws a figure, like a
thin report notebook. Their ``parameters`` cell has working defaults, so nbconvert (which
injects nothing) runs them too; the repository's notebooks must have such defaults as well.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_BENCH_CELL = """
import numpy as np
import pandas as pd
from survey.report.plots import diverging_likert, forest_plot, save_figure

rng = np.random.default_rng({seed})
df = pd.DataFrame({{"college": rng.choice(["本院", "对标院校甲", "对标院校乙"], 3000),
                   "item": rng.choice([f"P{{i}}" for i in range(1, 6)], 3000),
                   "answer": rng.integers(1, 6, 3000)}})
counts = df.groupby(["item", "college", "answer"]).size().rename("n").reset_index()
fig = diverging_likert(counts, item="item", group="college", categories=[1, 2, 3, 4, 5],
                       labels=["非常不同意", "不同意", "一般", "同意", "非常同意"],
                       category="answer")
save_figure(fig, "likert_{seed}", figures_dir)
summary = df.groupby("item")["answer"].agg(["mean", "std", "count"])
summary["lo"] = summary["mean"] - 1.96 * summary["std"] / np.sqrt(summary["count"])
summary["hi"] = summary["mean"] + 1.96 * summary["std"] / np.sqrt(summary["count"])
forest_plot(summary.reset_index(), label="item", est="mean", lo="lo", hi="hi", ref=3)
"""


def _synthetic_project(root: Path, n: int) -> tuple[Path, Path]:
    import nbformat

    sys.path.insert(0, str(ROOT / "tests" / "report"))
    from conftest import write_study  # the same minimal study the tests use

    study = write_study(root)
    nb_dir = root / "notebooks"
    nb_dir.mkdir()
    for i in range(1, n + 1):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell(
            f"study_path = {str(study)!r}\nprocessed_dir = {str(root / 'processed')!r}\n"
            f"figures_dir = {str(root / 'figures')!r}\nreports_dir = {str(root / 'reports')!r}"
        )
        params.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# 第{i}节"), params,
                    nbformat.v4.new_code_cell(_BENCH_CELL.format(seed=i))]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nb.metadata["survey"] = {"inputs": ["responses.csv"]}
        nbformat.write(nb, nb_dir / f"{i:02d}_bench.ipynb")
    return study, nb_dir


def _baseline(nb_dir: Path, out: Path) -> float:
    jupyter = Path(sys.executable).with_name("jupyter")
    start = time.perf_counter()
    for nb in sorted(nb_dir.glob("*.ipynb")):
        subprocess.run(
            [str(jupyter), "nbconvert", "--execute", "--to", "html", "--output-dir", str(out),
             str(nb)],
            check=True, capture_output=True, cwd=nb_dir,
        )
    return time.perf_counter() - start


def _cold_report(study: Path, tmp: Path) -> tuple[float, dict[str, float]]:
    """Clean the study if needed (not timed), then time one cold ``run_report`` into ``tmp``;
    return the wall time and the runner's own timings (``execute:<notebook>``, ``audit`` …)."""
    from survey.config.study import load_study
    from survey.pipeline import clean_is_current, run_clean
    from survey.report.runner import run_report

    loaded = load_study(study)
    if not clean_is_current(loaded)[0]:
        run_clean(loaded, progress=None)
    start = time.perf_counter()
    result = run_report(study, notebooks_dir=ROOT / "notebooks", reports_dir=tmp / "reports",
                        figures_dir=tmp / "figures", progress=None)
    return time.perf_counter() - start, result.timings


def scaled_main(respondents: int, colleges: int, folder: Path) -> None:
    """Cold ``run_report`` on the demo study vs the demo scaled to ``respondents``."""
    from survey.demo import generate_demo

    times, steps = {}, {}
    for n, k in [(750, 5), (respondents, colleges)]:
        data = folder / f"demo_{n}_{k}"
        if not (data / "study.yaml").exists():
            t0 = time.perf_counter()
            generate_demo(data, respondents=n, colleges=k)
            print(f"生成 {data}：{time.perf_counter() - t0:.0f} 秒")
        with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
            times[n], steps[n] = _cold_report(data / "study.yaml", Path(tmp))
        print(f"冷启动 run_report，{n:,} 名答卷人、{k} 所院校：{times[n]:.1f} 秒")
    for step in steps[750]:  # notebooks run in parallel: their times overlap
        a, b = steps[750][step], steps[respondents].get(step, float("nan"))
        print(f"  {step:<28} {a:7.1f} 秒 → {b:7.1f} 秒（{b / a:.1f} 倍）")
    ratio = times[respondents] / times[750]
    print(f"比值 {ratio:.2f}（目标 ≤ 2）")
    print(json.dumps({"demo_s": round(times[750], 2), "scaled_s": round(times[respondents], 2), "steps": steps,
                      "respondents": respondents, "colleges": colleges, "ratio": round(ratio, 3)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=0,
                        help="use N generated notebooks instead of the repository's")
    parser.add_argument("--scaled", type=int, default=0, metavar="N",
                        help="cold report on the demo vs the demo scaled to N respondents")
    parser.add_argument("--colleges", type=int, default=6, help="colleges of the scaled study")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "survey-bench")
    args = parser.parse_args()
    if args.scaled:
        scaled_main(args.scaled, args.colleges, args.dir)
        return

    from survey.report.runner import run_report

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmp_path = Path(tmp)
        study, nb_dir = ROOT / "study.yaml", ROOT / "notebooks"
        if args.synthetic or not study.is_file() or not list(nb_dir.glob("*.ipynb")):
            study, nb_dir = _synthetic_project(tmp_path / "project", args.synthetic or 6)
        notebooks = sorted(nb_dir.glob("*.ipynb"))
        print(f"{len(notebooks)} 个笔记本：{nb_dir}；CPU 核数：{os.cpu_count()}")

        baseline = _baseline(nb_dir, tmp_path / "nbconvert")
        print(f"基线 jupyter nbconvert --execute（逐个）：{baseline:.1f} 秒")

        kwargs = {"notebooks_dir": nb_dir, "reports_dir": tmp_path / "reports",
                  "figures_dir": tmp_path / "figures", "progress": None}
        start = time.perf_counter()
        cold = run_report(study, **kwargs)
        cold_s = time.perf_counter() - start
        start = time.perf_counter()
        warm = run_report(study, **kwargs)
        warm_s = time.perf_counter() - start
        if warm.executed:  # e.g. survey/*.py edited during the run: the rerun is not "warm"
            print(f"注意：重跑时仍执行了 {warm.executed}（代码或数据在运行期间被修改）")
        shutil.rmtree(tmp_path / "nbconvert", ignore_errors=True)

    result = {
        "notebooks": len(notebooks),
        "cold_executed": len(cold.executed),
        "rerun_executed": len(warm.executed),
        "baseline_s": round(baseline, 2),
        "cold_s": round(cold_s, 2),
        "rerun_s": round(warm_s, 2),
        "cold_over_baseline": round(cold_s / baseline, 3),
        "rerun_over_baseline": round(warm_s / baseline, 4),
    }
    print(f"冷启动 run_report：{cold_s:.1f} 秒（基线的 {cold_s / baseline:.2f} 倍；目标 ≤ 0.5）")
    print(f"无变化重跑：{warm_s:.2f} 秒（目标 < 2 秒）")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
