"""Benchmark: importing a 100,000-row 问卷星 按文本 xlsx vs python-calamine's own read of it.

Issue 2, "Performance": importing a 100,000-row xlsx within 1.5× of python-calamine's own read.

Run::

    .venv/bin/python benchmarks/bench_xlsx.py               # 100,000 rows
    .venv/bin/python benchmarks/bench_xlsx.py --rows 20000 --repeat 1

The workbook is built once (openpyxl ``write_only`` mode; slow, about a minute) into a temporary
folder and reused by later runs with the same ``--rows`` (``--fresh`` rebuilds it). Its rows are
the answer rows of the demo study's 本院 按文本 download (``data/raw/demo``), repeated with new
序号, submission times and durations, so that the file has the real header layout (meta
columns, ``N、题干`` columns, matrix rows ``第N题(行)``, ``┋``-joined multiple choice, ``→``
rankings, free text) and the demo codebook maps it. Timed, each ``--repeat`` times (best kept):

(a) ``python_calamine.CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python()``
(b) ``survey.io.readers.read_file(study, file_cfg, codebook)`` (bytes → canonical frame).

Prints both times and the ratio (b) / (a); the target is ≤ 1.5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
SOURCE = DEMO / "301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"

_STUDY = """\
title: xlsx 基准测试（合成数据）
synthetic: true
questionnaire:
  codebook: codebook.yaml
  files:
    - path: {name}
      format: wjx_text
      attributes: {{college: 本院}}
fieldwork:
  start: 2026-09-01
privacy:
  demo_key: bench-only
"""


def make_workbook(folder: Path, n_rows: int) -> Path:
    """Write the big workbook, the demo codebook and a ``study.yaml`` into ``folder``."""
    import openpyxl
    import python_calamine as pc

    folder.mkdir(parents=True, exist_ok=True)
    rows = pc.CalamineWorkbook.from_path(str(SOURCE)).get_sheet_by_index(0).to_python()
    header, body = rows[0], [r for r in rows[1:] if any(v not in ("", None) for v in r)]
    i_seq, i_time, i_dur = header.index("序号"), header.index("提交答卷时间"), header.index("所用时间")
    t0 = dt.datetime(2026, 9, 1, 8, 0, 0)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    ws.append(header)
    for i in range(n_rows):
        r = list(body[i % len(body)])
        r[i_seq] = i + 1
        r[i_time] = (t0 + dt.timedelta(seconds=37 * i)).strftime("%Y/%m/%d %H:%M:%S")
        r[i_dur] = f"{120 + (i * 7919) % 900}秒"
        ws.append(r)
    name = f"{400000000 + n_rows}_按文本_基准测试问卷_{n_rows}_{n_rows}.xlsx"
    wb.save(folder / name)
    shutil.copy2(DEMO / "codebook.yaml", folder / "codebook.yaml")
    (folder / "study.yaml").write_text(_STUDY.format(name=name), encoding="utf-8")
    return folder / "study.yaml"


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "survey-bench")
    ap.add_argument("--fresh", action="store_true", help="rebuild the workbook")
    args = ap.parse_args(argv)

    import python_calamine as pc

    from survey.config.codebook import load_codebook
    from survey.config.study import load_study
    from survey.io.readers import read_file

    folder = args.dir / f"xlsx_{args.rows}"
    if args.fresh or not (folder / "study.yaml").exists():
        t0 = time.perf_counter()
        make_workbook(folder, args.rows)
        print(f"built the workbook in {time.perf_counter() - t0:.1f} s")
    study = load_study(folder / "study.yaml")
    file_cfg = study.questionnaire.files[0]
    path = study.resolve(file_cfg.path)
    codebook = load_codebook(study.resolve(study.questionnaire.codebook))
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB); best of {args.repeat}")

    def calamine() -> tuple[int, int]:
        rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        return len(rows), len(rows[0])

    def project() -> tuple[int, int]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return read_file(study, file_cfg, codebook).frame.shape

    t_cal, shape_cal = best_of(calamine, args.repeat)
    print(f"(a) python-calamine load + to_python  {t_cal:7.2f} s  rows × cols {shape_cal}")
    t_proj, shape_proj = best_of(project, args.repeat)
    print(f"(b) survey read_file                  {t_proj:7.2f} s  frame {shape_proj}")
    ratio = t_proj / t_cal
    print(f"ratio (b) / (a) = {ratio:.2f}  (target <= 1.5)  {'OK' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
