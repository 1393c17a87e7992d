"""The fast paths of ``survey.readers.tabular`` (pyarrow for CSV, column-wise shaping for
workbooks, added for the benchmarks in ``benchmarks/``) give exactly what the careful
cell-by-cell path gives: the same headers, the same cell texts and the same Excel row numbers."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import GBK_CODE_CSV, GENERIC_XLSX, HOME_TEXT_XLSX, ROOT, TEXT_CSV

from survey.readers import tabular
from survey.readers.tabular import read_table


def _careful(monkeypatch: pytest.MonkeyPatch, path: Path, **kw: str) -> tabular.Table:
    with monkeypatch.context() as m:
        m.setattr(tabular, "_csv_fast", lambda *a, **k: None)
        m.setattr(tabular, "_workbook_fast", lambda *a, **k: None)
        return read_table(path, **kw)


def _same(fast: tabular.Table, slow: tabular.Table) -> None:
    assert fast.header == slow.header
    assert fast.excel_rows == slow.excel_rows
    assert fast.encoding == slow.encoding and fast.letters == slow.letters
    pd.testing.assert_frame_equal(
        fast.data.astype(object).reset_index(drop=True),
        slow.data.astype(object).reset_index(drop=True),
    )


@pytest.mark.parametrize("rel", [TEXT_CSV, GBK_CODE_CSV, HOME_TEXT_XLSX, GENERIC_XLSX])
def test_demo_files_read_alike(monkeypatch: pytest.MonkeyPatch, rel: str) -> None:
    path = ROOT / rel
    fast = read_table(path)
    slow = _careful(monkeypatch, path)
    _same(fast, slow)
    assert len(fast.excel_rows) >= 150


def test_csv_fast_path_is_taken_for_a_regular_file(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("q1,q2\n1,同意\n2,不同意\n", encoding="utf-8")
    t = read_table(p)
    assert isinstance(t.data["q2"].dtype, pd.CategoricalDtype)
    assert t.data["q2"].tolist() == ["同意", "不同意"] and t.excel_rows == [2, 3]


CASES = {
    # blank lines and all-empty records are skipped but still counted as rows
    "blank_lines": "序号,Q1,Q2\r\n1,同意,x\r\n\r\n,,\r\n2, 同意 ,\u3000y\u00a0\r\n",
    # a quoted value with a line break is one record (one Excel row)
    "quoted_newline": '序号,Q1,备注\n1,同意,"第一行\n第二行"\n2,不同意,"a,b"\n',
    # a quoted header and "NA"/"nan" kept as text, not as missing
    "quoted_header": '"序号","Q1"\n1,NA\n2,nan\n3,\n',
    # a ragged row (fewer fields) and a trailing empty header go the careful way
    "ragged": "序号,Q1,Q2\n1,同意\n2,同意,x\n",
    "empty_header_column": "序号,Q1,\n1,同意,\n2,同意,\n",
    # tab-separated, BOM
    "tabs_bom": "\ufeff序号\tQ1\n1\t同意\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_edge_cases_read_alike(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str, encoding: str
) -> None:
    text = CASES[case]
    if encoding == "gbk":
        text = text.replace("\ufeff", "").replace("\u00a0", " ")
    p = tmp_path / f"{case}.csv"
    p.write_bytes(text.encode(encoding))
    _same(read_table(p), _careful(monkeypatch, p))


def test_blank_lines_keep_excel_rows(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_text(CASES["blank_lines"], encoding="utf-8")
    t = read_table(p)
    assert t.excel_rows == [2, 5]
    assert t.data["Q1"].tolist() == ["同意", "同意"]
    assert t.data["Q2"].tolist() == ["x", "y"]


def test_undecodable_utf8_falls_back_to_gbk(tmp_path: Path) -> None:
    p = tmp_path / "g.csv"
    p.write_bytes(codecs.encode("序号,Q1\n1,同意\n", "gbk"))
    t = read_table(p)
    assert t.encoding == "gb18030" and t.data["Q1"].tolist() == ["同意"]
