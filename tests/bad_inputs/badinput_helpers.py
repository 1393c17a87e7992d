"""Helpers for the bad-input corpus: a writable study copy with editors, and a CLI runner.

``StudyDir`` wraps a private copy of the small demo (raw files, ``study.yaml`` and, when the
fixture made one, ``data/processed`` from an earlier successful run, whose row counts it keeps
as ``baseline``) and offers small editors for CSV, XLSX and YAML files. ``run_clean_inprocess`` calls the real ``survey.cli.main`` in the
test process (no interpreter start-up per case); ``run_clean_subprocess`` spawns
``python -m survey clean`` exactly as a user would.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from demo_copy import SMALL_ROWS, edit_yaml, tree_hashes  # noqa: F401 - re-exported

ROOT = Path(__file__).resolve().parents[2]

DEMO = "data/raw/demo/"
HOME_TEXT_XLSX = DEMO + "301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
HOME_CODE_XLSX = DEMO + "301234567_按序号_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
GBK_CODE_CSV = DEMO + "302345678_按序号_合成演示_技师学院党建工作规范化水平调研问卷_162_162.csv"
GENERIC_XLSX = DEMO + "合成演示_乙市高级技工学校_问卷录入.xlsx"
TEXT_CSV = DEMO + "303456789_按文本_合成演示_技师学院党建工作规范化水平调研问卷_160_160.csv"
CODEBOOK = DEMO + "codebook.yaml"
SESSIONS = DEMO + "合成演示_座谈会_场次.xlsx"
STATEMENTS = DEMO + "合成演示_座谈会_发言记录.xlsx"
THEMES = DEMO + "合成演示_座谈会_主题编码.xlsx"
INDICATORS = DEMO + "合成演示_对标指标.xlsx"
SUMMARIES = DEMO + "合成演示_对标院校汇总统计.xlsx"
ROSTER = DEMO + "合成演示_党员名册汇总.xlsx"
NAMES = DEMO + "合成演示_党员名单.xlsx"


@dataclass
class StudyDir:
    """A private, writable copy of the small demo.

    ``baseline`` holds the ``row_counts`` of the manifest of the run the copy was made from.
    """

    root: Path
    baseline: dict = field(default_factory=dict)

    @property
    def study(self) -> Path:
        return self.root / "study.yaml"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    def path(self, rel: str) -> Path:
        return self.root / rel

    # -- editors ------------------------------------------------------------------------
    def edit_yaml(self, rel: str, edit: Callable[[dict], None]) -> None:
        """Load a YAML file of the copy, let ``edit`` change the dict, write it back."""
        edit_yaml(self.path(rel), edit)

    def study_files(self) -> list[dict]:
        """Not an editor: the ``questionnaire.files`` entries of the current study file."""
        return yaml.safe_load(self.study.read_text(encoding="utf-8"))["questionnaire"]["files"]

    def set_file_option(self, rel: str, key: str, value: object) -> None:
        """Set ``questionnaire.files[i].<key>`` for the entry whose path is ``rel``."""

        def edit(d: dict) -> None:
            for f in d["questionnaire"]["files"]:
                if f["path"] == rel:
                    f[key] = value
                    return
            raise KeyError(rel)

        self.edit_yaml("study.yaml", edit)

    def read_csv_rows(self, rel: str, encoding: str) -> list[list[str]]:
        text = self.path(rel).read_bytes().decode(encoding)
        return list(csv.reader(io.StringIO(text, newline="")))

    def write_csv_rows(self, rel: str, rows: list[list[str]], encoding: str) -> None:
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        self.path(rel).write_bytes(buf.getvalue().encode(encoding))

    def edit_csv(self, rel: str, encoding: str, edit: Callable[[list[list[str]]], None]) -> None:
        """Parse a CSV (row 0 = header = Excel row 1), let ``edit`` change it, write it back."""
        rows = self.read_csv_rows(rel, encoding)
        edit(rows)
        self.write_csv_rows(rel, rows, encoding)

    def edit_xlsx(self, rel: str, edit: Callable[[object], None]) -> None:
        """Open a workbook with openpyxl, let ``edit`` change its first sheet, save it."""
        import openpyxl

        p = self.path(rel)
        wb = openpyxl.load_workbook(p)
        edit(wb.worksheets[0])
        wb.save(p)

    def column_of(self, rel: str, encoding: str, header: str) -> int:
        """0-based index of a CSV column by header text."""
        return self.read_csv_rows(rel, encoding)[0].index(header)


# -- running the CLI --------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a ``survey clean`` run gave: exit status and what it printed on stderr."""

    code: int
    stderr: str
    stdout: str = ""


def run_clean_inprocess(study: Path) -> Outcome:
    """Run ``survey clean --study STUDY -q`` through ``survey.cli.main`` in this process.

    The CLI's once-per-process warning memory is reset first and ``warnings.showwarning`` is
    restored afterwards, so cases do not see each other's warnings.
    """
    from survey import cli

    cli._SHOWN.clear()
    err, out = io.StringIO(), io.StringIO()
    saved = warnings.showwarning
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            warnings.simplefilter("default")
            code = cli.main(["clean", "--study", str(study), "-q"])
    finally:
        warnings.showwarning = saved
    return Outcome(code, err.getvalue(), out.getvalue())


def run_clean_subprocess(study: Path, *, cwd: Path) -> Outcome:
    """Run ``python -m survey clean --study STUDY -q`` in a fresh interpreter."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    for var in ("SURVEY_PSEUDONYM_KEY", "SURVEY_STUDY"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, "-m", "survey", "clean", "--study", str(study), "-q"],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
        check=False,
    )
    return Outcome(proc.returncode, proc.stderr, proc.stdout)


def notes_of(stderr: str) -> list[str]:
    """The warnings of a run, one string per ``注意：`` block (continuation lines included)."""
    blocks: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("注意："):
            blocks.append(line)
        elif blocks and line.startswith("  ") and not line.startswith("  读取"):
            blocks[-1] += "\n" + line
    return blocks
