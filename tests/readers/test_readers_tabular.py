"""read_table: cells as the text a user sees, encodings, and every bad-input message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from readers_builders import write_xls, write_xlsx

from survey.errors import SurveyError
from survey.io.readers.tabular import cell_text, read_table


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5.0, "5"),
        (13800138000.0, "13800138000"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),
        (dt.datetime(2026, 9, 3, 12, 0, 0), "2026/09/03 12:00:00"),
        (dt.date(2026, 9, 3), "2026/09/03"),
        (dt.timedelta(seconds=83), "0:01:23"),
        (None, ""),
        ("  同意 ", "同意"),
        (True, "TRUE"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_xlsx_cells_as_text_and_excel_rows(tmp_path: Path) -> None:
    p = write_xlsx(
        tmp_path / "a.xlsx",
        ["序号", "提交答卷时间", "8、您的手机号", "2、党龄"],
        [
            [1, dt.datetime(2026, 9, 3, 12, 0, 0), 13800138000, 5.0],
            [None, None, None, None],  # a blank row: skipped, numbering kept
            [2, "2026/09/03 12:05:10", "13900139000", "１２"],
        ],
    )
    t = read_table(p)
    assert t.kind == "xlsx" and t.encoding is None
    assert t.header == ["序号", "提交答卷时间", "8、您的手机号", "2、党龄"]
    assert t.excel_rows == [2, 4]
    assert t.data.iloc[0].tolist() == ["1", "2026/09/03 12:00:00", "13800138000", "5"]
    assert t.data.iloc[1].tolist() == ["2", "2026/09/03 12:05:10", "13900139000", "１２"]
    assert t.letter("2、党龄") == "D"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    text = '序号,1、您的党员类别,2、党龄\r\n1,在职教职工党员,１２\r\n2,"学生党员，预备",3\r\n'
    p = tmp_path / "x.csv"
    p.write_bytes(text.encode(encoding))
    t = read_table(p)
    assert t.kind == "csv"
    assert t.header == ["序号", "1、您的党员类别", "2、党龄"]
    assert t.data["1、您的党员类别"].tolist() == ["在职教职工党员", "学生党员，预备"]
    assert t.excel_rows == [2, 3]
    assert t.encoding in ({"utf-8-sig", "utf-8"} if encoding.startswith("utf") else {"gb18030"})


def test_tab_separated_utf16(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes("序号\t1、类别\n1\t学生党员\n".encode("utf-16"))
    t = read_table(p)
    assert t.header == ["序号", "1、类别"] and t.data.iloc[0].tolist() == ["1", "学生党员"]


def test_xls_and_xls_renamed_xlsx(tmp_path: Path) -> None:
    p = write_xls(
        tmp_path / "old_1_0.xls", ["序号", "1、类别"], [[1, "学生党员"], [2, "离退休党员"]]
    )
    t = read_table(p)
    assert t.kind == "xls" and t.data["1、类别"].tolist() == ["学生党员", "离退休党员"]
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(p.read_bytes())
    t2 = read_table(renamed)
    assert t2.kind == "xls" and t2.data.equals(t.data)
    assert any(".xlsx" in n and ".xls 工作簿" in n for n in t2.notes)


def _error(path: Path, **kw: object) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        read_table(path, display=path.name, **kw)
    return info.value


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    err = _error(p)
    assert "文件是空的" in err.message_zh() and "empty.csv" in err.message_zh()


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = write_xlsx(
        tmp_path / "good.xlsx", ["序号", "1、类别"], [[i, "学生党员"] for i in range(50)]
    )
    cut = tmp_path / "cut.xlsx"
    data = good.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    err = _error(cut)
    assert "已损坏或不完整" in err.problem and err.file == "cut.xlsx"


def test_undecodable_csv_names_line_and_byte(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_bytes("序号,1、类别\n1,学生党员\n".encode() + b"2,\x81\x20\xff\n")
    err = _error(p)
    msg = err.message_zh()
    assert "bad.csv" in msg and "第 3 行" in msg and "0x81" in msg


def test_forced_wrong_encoding(tmp_path: Path) -> None:
    p = tmp_path / "gbk.csv"
    p.write_bytes("序号,1、类别\n1,学生党员\n".encode("gbk"))
    err = _error(p, encoding="utf-8")
    assert "utf-8" in err.problem and "第 1 行" in err.problem


def test_missing_header_row(tmp_path: Path) -> None:
    p = tmp_path / "noheader.csv"
    p.write_text("1,2026/09/03 12:00:00,123秒,4\n2,2026/09/03 12:01:00,90秒,5\n", encoding="utf-8")
    err = _error(p)
    assert "缺少表头行" in err.problem and err.row == 1 and err.file == "noheader.csv"


def test_duplicated_headers_name_both_columns(tmp_path: Path) -> None:
    p = write_xlsx(
        tmp_path / "dup.xlsx", ["序号", "1、类别", "2、党龄", "1、类别 "], [[1, "a", 2, "b"]]
    )
    err = _error(p)
    assert "表头重复" in err.problem
    assert "B 列" in err.column and "D 列" in err.column and err.row == 1


def test_data_without_header(tmp_path: Path) -> None:
    p = tmp_path / "gap.csv"
    p.write_text("序号,,1、类别\n1,x,学生党员\n", encoding="utf-8")
    err = _error(p)
    assert "没有表头" in err.problem and err.column.startswith("B 列")


def test_missing_file_and_bad_sheet(tmp_path: Path) -> None:
    assert "找不到文件" in _error(tmp_path / "nope.xlsx").problem
    p = write_xlsx(tmp_path / "s.xlsx", ["序号"], [[1]])
    err = _error(p, sheet="答卷")
    assert "答卷" in err.problem and "Sheet1" in err.expected


def test_html_disguised_as_xls(tmp_path: Path) -> None:
    """An .xls that is an HTML <table> is read cell by cell as text; a page without one is not."""
    p = tmp_path / "export.xls"
    p.write_text(
        "<html><table><tr><th>序号</th><th>手机</th><th>题</th></tr>"
        "<tr><td>1</td><td>13800138000</td><td colspan='1'> 同意 </td></tr></table></html>",
        encoding="utf-8",
    )
    t = read_table(p)
    assert (t.kind, t.header, t.excel_rows) == ("html", ["序号", "手机", "题"], [2])
    assert t.data.iloc[0].tolist() == ["1", "13800138000", "同意"]
    p.write_text("<html><body><p>登录已过期</p></body></html>", encoding="utf-8")
    assert "网页" in _error(p).problem
