"""Helpers for the command-line tests: run the CLI, hash folders, break a copy of the study.

Every test that breaks an input works on a copy of the *already cleaned* study folder (raw
files, ``study.yaml`` and ``data/processed``), so that it can check the failing run left the
previous outputs untouched.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from demo_copy import copy_demo, edit_yaml, tree_hashes  # noqa: F401 - re-exported

#: Which demo file is which (paths relative to the study folder).
DEMO = "data/raw/demo/"
HOME_TEXT_XLSX = DEMO + "301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
GBK_CODE_CSV = DEMO + "302345678_按序号_合成演示_技师学院党建工作规范化水平调研问卷_162_162.csv"
GENERIC_XLSX = DEMO + "合成演示_乙市高级技工学校_问卷录入.xlsx"
TEXT_CSV = DEMO + "303456789_按文本_合成演示_技师学院党建工作规范化水平调研问卷_160_160.csv"
CODEBOOK = DEMO + "codebook.yaml"


ROOT = Path(__file__).resolve().parents[2]


def survey_cmd(
    *args: str,
    cwd: Path,
    hashseed: str | None = None,
    console_script: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m survey ARGS`` (or the ``survey`` console script) like a user would."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    for var in ("SURVEY_PSEUDONYM_KEY", "SURVEY_STUDY"):
        env.pop(var, None)
    if hashseed is not None:
        env["PYTHONHASHSEED"] = hashseed
    if console_script:
        cmd = [str(Path(sys.executable).with_name("survey")), *args]
    else:
        cmd = [sys.executable, "-m", "survey", *args]
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
        timeout=300, check=False,
    )


@dataclass
class StudyCopy:
    """A private copy of the cleaned demo study, with helpers to break its inputs."""

    root: Path
    processed_before: dict[str, str]

    @property
    def study(self) -> Path:
        return self.root / "study.yaml"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    def path(self, rel: str) -> Path:
        return self.root / rel

    def edit_yaml(self, rel: str, edit: Callable[[dict], None]) -> None:
        """Load a YAML file of the copy, let ``edit`` change the dict, write it back."""
        edit_yaml(self.path(rel), edit)

    def edit_csv(self, rel: str, encoding: str, edit: Callable[[list[list[str]]], None]) -> None:
        """Parse a CSV of the copy, let ``edit`` change the rows (row 0 = header), write it back
        in the same encoding."""
        p = self.path(rel)
        rows = list(csv.reader(io.StringIO(p.read_bytes().decode(encoding), newline="")))
        edit(rows)
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        p.write_bytes(buf.getvalue().encode(encoding))

    def clean(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return survey_cmd("clean", "--study", str(self.study), *extra, cwd=self.root)

    def processed_unchanged(self) -> bool:
        return tree_hashes(self.processed) == self.processed_before
