"""Private copies of the demo study for tests that alter inputs (shared by several areas).

Test modules cannot import ``tests/conftest.py`` by name, so the helpers live here (``tests/`` is
on ``sys.path`` for every test module).

:func:`copy_small_demo` makes the *small demo*: the demo study with every questionnaire export
cut to its first :data:`SMALL_ROWS` answers (same files, formats, encodings, headers, study.yaml,
codebook, symposium, indicators and roster). Tests of bad inputs run on it: what they check does
not depend on how many answers a file holds, and cleaning it takes about half the time.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


#: The block of the demo's study.yaml naming its earlier wave (see :func:`single_wave`).
_WAVES_BLOCK = re.compile(r"\n# 调查轮次：[^\n]*\n(?:#[^\n]*\n)*wave_label:[^\n]*\nwaves:\n(?:  [^\n]*\n)+")


def copy_demo(dest: Path) -> Path:
    """Copy ``study.yaml``, ``study_2025.yaml`` (the earlier wave) and ``data/raw/demo`` into
    ``dest``; return the copied study file."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "study.yaml", dest / "study.yaml")
    shutil.copy2(ROOT / "study_2025.yaml", dest / "study_2025.yaml")
    shutil.copytree(ROOT / "data" / "raw" / "demo", dest / "data" / "raw" / "demo")
    return dest / "study.yaml"


def single_wave(study: Path) -> Path:
    """Drop the ``wave_label`` / ``waves`` block from a copied demo ``study.yaml`` (in place).

    The rest of the file stays byte for byte as it was; the result is a single-wave study."""
    text = study.read_text(encoding="utf-8")
    new, n = _WAVES_BLOCK.subn("\n", text)
    assert n == 1, "study.yaml 中找不到调查轮次一节"
    study.write_text(new, encoding="utf-8")
    return study


#: Answers kept per questionnaire export in the small demo (the corpus edits rows up to 50).
SMALL_ROWS = 60

#: The questionnaire exports of the demo (relative to the study folder), crosscheck partner included.
DEMO_QUESTIONNAIRES = tuple(
    "data/raw/demo/" + name for name in (
        "301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx",
        "301234567_按序号_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx",
        "302345678_按序号_合成演示_技师学院党建工作规范化水平调研问卷_162_162.csv",
        "合成演示_乙市高级技工学校_问卷录入.xlsx",
        "303456789_按文本_合成演示_技师学院党建工作规范化水平调研问卷_160_160.csv",
    )
)


def copy_small_demo(dest: Path, rows: int = SMALL_ROWS) -> Path:
    """Copy the demo study into ``dest`` with each questionnaire export cut to ``rows`` answers.

    CSV files are cut line by line on their bytes (encoding, BOM and line ends stay as they
    were; the demo's CSVs have no line break inside a cell); workbooks lose the rows below
    ``rows + 1`` on their first sheet. The small demo is a single-wave study
    (:func:`single_wave`): what it is for does not depend on the earlier wave. Returns the
    copied study file.
    """
    study = single_wave(copy_demo(dest))
    for rel in DEMO_QUESTIONNAIRES:
        p = dest / rel
        if p.suffix == ".csv":
            lines = p.read_bytes().split(b"\r\n")
            assert len(lines) > rows + 1, rel
            p.write_bytes(b"\r\n".join(lines[: rows + 1]) + b"\r\n")
        else:
            import openpyxl

            wb = openpyxl.load_workbook(p)
            ws = wb.worksheets[0]
            assert ws.max_row > rows + 1, rel
            ws.delete_rows(rows + 2, ws.max_row)
            wb.save(p)
    return study


def edit_yaml(path: Path, edit: Callable[[dict], None]) -> None:
    """Load a YAML file, let ``edit`` change the dict in place, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def tree_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative posix path → hex digest); {} if absent."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
