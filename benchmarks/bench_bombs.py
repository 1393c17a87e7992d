"""Peak memory and wall time of ``survey clean`` on a YAML alias bomb and an xlsx zip bomb.

Issue 11, "Bounded resources": both must end in one Chinese message, exit 2, within about a
second, with the memory of an idle interpreter. Run::

    .venv/bin/python benchmarks/bench_bombs.py            # sheet XML inflating to 900 MB
    .venv/bin/python benchmarks/bench_bombs.py --megabytes 300

Each case copies the demo study into a temporary folder and plants the bomb there:

(a) ``study.yaml`` gets a "billion laughs" block (9 levels of 9 aliases: 9**9 strings from
    about 500 bytes);
(b) the home college's 按文本 xlsx gets its sheet XML padded with rows of one 100,000-letter
    cell each, so that the sheet inflates to ``--megabytes`` MB (a ~1 MB zip for 900 MB).

Each runs under ``/usr/bin/time -v`` (``Maximum resident set size``, ``Elapsed``); a baseline of
``survey --help`` (an idle interpreter that imports the CLI) and the demo's ordinary
``survey clean`` are measured in the same run, and the ratios to the first are printed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME_XLSX = "data/raw/demo/301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def copy_demo(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("study.yaml", "study_2025.yaml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "data" / "raw" / "demo", dest / "data" / "raw" / "demo")
    return dest / "study.yaml"


def yaml_bomb(levels: int = 9, width: int = 9) -> str:
    names = [f"a{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n"


def pad_sheet(path: Path, megabytes: int) -> None:
    """Append rows of one 100,000-letter inline-string cell until the sheet has ``megabytes`` MB more."""
    with zipfile.ZipFile(path) as zin:
        parts = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename != SHEET:
                zout.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', head))
            cell = b"A" * 100_000
            with zout.open(SHEET, "w", force_zip64=True) as fh:
                fh.write(head)
                for k in range(megabytes * 10):
                    r = str(last + 1 + k).encode()
                    fh.write(b'<row r="' + r + b'"><c r="A' + r + b'" t="inlineStr"><is><t>' + cell
                             + b"</t></is></c></row>")
                fh.write(b"</sheetData>" + tail)


def timed(args: list[str], cwd: Path) -> dict[str, object]:
    out = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "survey", *args], cwd=cwd,
                         capture_output=True, text=True, encoding="utf-8", check=False)
    err = out.stderr
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    message = next((ln for ln in err.splitlines() if ln.startswith("错误")), "")
    return {"exit": out.returncode, "rss_mb": rss / 1024, "seconds": seconds, "message": message}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=900, help="inflated size of the sheet XML")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="survey-bombs-") as tmp:
        base = Path(tmp)
        baseline = timed(["--help"], base)
        plain = copy_demo(base / "plain")
        normal = timed(["clean", "--study", str(plain)], plain.parent)
        a = copy_demo(base / "yaml")
        a.write_text(a.read_text(encoding="utf-8") + "\n" + yaml_bomb(), encoding="utf-8")
        b = copy_demo(base / "xlsx")
        pad_sheet(b.parent / HOME_XLSX, ns.megabytes)
        size = (b.parent / HOME_XLSX).stat().st_size / 1e6
        rows = [("baseline: survey --help", baseline),
                ("the demo's ordinary survey clean", normal),
                ("YAML alias bomb in study.yaml", timed(["clean", "--study", str(a)], a.parent)),
                (f"xlsx bomb ({size:.1f} MB zip, sheet +{ns.megabytes} MB)",
                 timed(["clean", "--study", str(b)], b.parent))]
    for name, r in rows:
        ratio = r["rss_mb"] / baseline["rss_mb"]
        print(f"{name:42s} exit {r['exit']}  peak {r['rss_mb']:7.1f} MB ({ratio:4.2f}× baseline)  "
              f"{r['seconds']:5.2f} s  {r['message'][:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
