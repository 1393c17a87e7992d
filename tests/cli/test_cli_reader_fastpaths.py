"""The fast paths of ``survey.io.readers.tabular`` give exactly what the careful paths give.

A regular CSV is shaped by pyarrow (``Table.parsed_by == "pyarrow"``), anything else cell by
cell with the ``csv`` module (``"csv"``); a rectangular sheet column by column (``"columns"``),
any other sheet cell by cell (``"cells"``). Every comparison below first asserts which path
each read took, so that no case compares the careful path with itself.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import GBK_CODE_CSV, GENERIC_XLSX, HOME_TEXT_XLSX, ROOT, TEXT_CSV

from survey.io.readers import tabular
from survey.io.readers.tabular import read_table

_CAREFUL = {"pyarrow": "csv", "columns": "cells"}


def _careful(monkeypatch: pytest.MonkeyPatch, path: Path, **kw: str) -> tabular.Table:
    with monkeypatch.context() as m:
        m.setattr(tabular, "_csv_arrow", lambda *a, **k: None)
        m.setattr(tabular, "_workbook_columns", lambda *a, **k: None)
        return read_table(path, **kw)


def _same(fast: tabular.Table, slow: tabular.Table) -> None:
    assert slow.parsed_by == _CAREFUL.get(fast.parsed_by, fast.parsed_by)
    assert fast.header == slow.header
    assert fast.excel_rows == slow.excel_rows
    assert fast.encoding == slow.encoding and fast.letters == slow.letters
    pd.testing.assert_frame_equal(
        fast.data.astype(object).reset_index(drop=True),
        slow.data.astype(object).reset_index(drop=True),
    )


@pytest.mark.parametrize(
    ("rel", "path"),
    [(TEXT_CSV, "pyarrow"), (GBK_CODE_CSV, "pyarrow"), (HOME_TEXT_XLSX, "columns"),
     (GENERIC_XLSX, "columns")],
)
def test_demo_files_read_alike(monkeypatch: pytest.MonkeyPatch, rel: str, path: str) -> None:
    fast = read_table(ROOT / rel)
    assert fast.parsed_by == path
    _same(fast, _careful(monkeypatch, ROOT / rel))
    assert len(fast.excel_rows) >= 150


def test_csv_fast_path_is_taken_for_a_regular_file(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("q1,q2\n1,同意\n2,不同意\n", encoding="utf-8")
    t = read_table(p)
    assert t.parsed_by == "pyarrow"
    assert isinstance(t.data["q2"].dtype, pd.CategoricalDtype)
    assert t.data["q2"].tolist() == ["同意", "不同意"] and t.excel_rows == [2, 3]


#: case → (file text, the path a plain read takes)
CASES = {
    # blank lines and all-empty records are skipped but still counted as rows
    "blank_lines": ("序号,Q1,Q2\r\n1,同意,x\r\n\r\n,,\r\n2, 同意 ,\u3000y\u00a0\r\n", "pyarrow"),
    # a quoted value with a line break is one record (one Excel row)
    "quoted_newline": ('序号,Q1,备注\n1,同意,"第一行\n第二行"\n2,不同意,"a,b"\n', "pyarrow"),
    # a quoted header and "NA"/"nan" kept as text, not as missing
    "quoted_header": ('"序号","Q1"\n1,NA\n2,nan\n3,\n', "pyarrow"),
    # a ragged row (fewer fields) and a trailing empty header go the careful way
    "ragged": ("序号,Q1,Q2\n1,同意\n2,同意,x\n", "csv"),
    "empty_header_column": ("序号,Q1,\n1,同意,\n2,同意,\n", "csv"),
    # tab-separated, BOM
    "tabs_bom": ("\ufeff序号\tQ1\n1\t同意\n", "pyarrow"),
    # numbers stay the text written in the file
    "integers": ("序号,P1_1,P1_2\n1,4,5\n2,3,2\n3,5,1\n", "pyarrow"),
    "integer_spellings": ("序号,P1_1,P1_2\n1,07,5\n2,+7,2\n3, 7,1\n4,0x7,3\n", "pyarrow"),
    "integers_then_text": (
        "序号,P1_1\n" + "".join(f"{i},{i % 5 + 1}\n" for i in range(1, 400)) + "400,不清楚\n",
        "pyarrow",
    ),
    "integers_na_and_blank": ("序号,P1_1,P1_2\n1,NA,5\n2,,2\n3,3,\n", "pyarrow"),
    "cr_only_no_final_newline": ("序号,P1_1\r1,4\r2,5", "pyarrow"),
    "integers_beyond_int32": (
        "序号,P1_1,P1_2\n1,2147483648,5\n2,2147483649,\n3,-2147483649,1\n", "pyarrow"
    ),
    # a plain-text column (mostly distinct values) with spaces at the edges of some values
    "text_with_edge_spaces": (
        "序号,备注\n" + "".join(f"{i},t{i}\n" for i in range(1, 300)) + "300, 末尾有空格 \n",
        "pyarrow",
    ),
}


def _write(tmp_path: Path, case: str, encoding: str) -> Path:
    text = CASES[case][0]
    if encoding == "gbk":
        text = text.replace("\ufeff", "").replace("\u00a0", " ")
    p = tmp_path / f"{case}.csv"
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_edge_cases_read_alike(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str, encoding: str
) -> None:
    p = _write(tmp_path, case, encoding)
    fast = read_table(p)
    assert fast.parsed_by == CASES[case][1]
    _same(fast, _careful(monkeypatch, p))


@pytest.mark.parametrize(
    ("case", "column", "expected"),
    [
        ("integer_spellings", "P1_1", ["07", "+7", "7", "0x7"]),
        ("integers_na_and_blank", "P1_1", ["NA", "", "3"]),
        ("integers_then_text", "P1_1", [*(str(i % 5 + 1) for i in range(1, 400)), "不清楚"]),
        ("cr_only_no_final_newline", "P1_1", ["4", "5"]),
        ("integers_beyond_int32", "P1_1", ["2147483648", "2147483649", "-2147483649"]),
        ("text_with_edge_spaces", "备注", [*(f"t{i}" for i in range(1, 300)), "末尾有空格"]),
    ],
)
def test_csv_cells_keep_their_text(tmp_path: Path, case: str, column: str, expected: list[str]) -> None:
    t = read_table(_write(tmp_path, case, "utf-8"))
    assert t.data[column].astype(object).tolist() == expected
    assert t.excel_rows == list(range(2, len(expected) + 2))


def test_blank_lines_keep_excel_rows(tmp_path: Path) -> None:
    t = read_table(_write(tmp_path, "blank_lines", "utf-8"))
    assert t.excel_rows == [2, 5]
    assert t.data["Q1"].tolist() == ["同意", "同意"]
    assert t.data["Q2"].tolist() == ["x", "y"]


def test_undecodable_utf8_falls_back_to_gbk(tmp_path: Path) -> None:
    p = tmp_path / "g.csv"
    p.write_bytes(codecs.encode("序号,Q1\n1,同意\n", "gbk"))
    t = read_table(p)
    assert t.encoding == "gb18030" and t.data["Q1"].tolist() == ["同意"]
