"""Low-level reading: any .xlsx / .xls / .csv into a table of strings.

Every cell comes back as the text a user would see in Excel (``5.0`` → ``"5"``,
``13800138000.0`` → ``"13800138000"``, a date cell → ``"2026/09/03 12:00:00"``), empty cells as
``""``. The header row is kept as a list of strings and every data row remembers its Excel row
number, so that every later message can say "第 17 行". The file type is taken from its first
bytes, not from its extension: an old ``.xls`` renamed ``.xlsx`` is read as ``.xls`` and said so.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from survey.errors import SurveyError, excel_column_letter
from survey.normalise import normalise_text, parse_number

__all__ = ["Table", "cell_text", "column_label", "decode_bytes", "read_table", "sniff_kind"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass
class Table:
    """A sheet or CSV file read as strings.

    Attributes
    ----------
    display
        The file as the user names it (used in every message).
    header
        Header texts, one per column, as written in the file (outer whitespace stripped).
    data
        One column per header (column labels = ``header``), every cell a string (``""`` empty).
    excel_rows
        Excel row number of each data row (header row = 1 when it is the first row).
    kind
        ``"xlsx"``, ``"xls"`` or ``"csv"`` (what the bytes are, not what the name says).
    encoding
        The text encoding used for a CSV file, else ``None``.
    notes
        Things the user should know (in Chinese), e.g. an extension that did not match.
    """

    display: str
    header: list[str]
    data: pd.DataFrame
    excel_rows: list[int]
    kind: str
    encoding: str | None = None
    header_row: int = 1
    letters: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def letter(self, header: str) -> str:
        """Excel letter of a column, by header text."""
        i = self.header.index(header)
        return self.letters[i] if self.letters else excel_column_letter(i)

    def label(self, header: str) -> str:
        """Describe a column for a message: ``"7、题干（G 列）"``."""
        return f"{header}（{self.letter(header)} 列）"


def column_label(header: str, index: int) -> str:
    """Describe a column for a message: ``"7、题干（G 列）"``."""
    return f"{header}（{excel_column_letter(index)} 列）"


def cell_text(v: Any) -> str:
    """Return the text Excel would show for a cell value read by calamine / openpyxl / xlrd.

    Integral floats lose their ``.0`` (phone numbers stay whole); other floats keep at most 15
    significant digits like Excel; datetimes are written ``YYYY/MM/DD HH:MM:SS``.
    """
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return str(v)
        if v.is_integer() and abs(v) < 1e21:
            return str(int(v))
        return format(v, ".15g")
    if isinstance(v, dt.datetime):
        return v.strftime("%Y/%m/%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y/%m/%d")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, dt.timedelta):
        total = int(round(v.total_seconds()))
        h, rem = divmod(total, 3600)
        m, s = divmod(rem, 60)
        return f"{h}:{m:02d}:{s:02d}"
    return str(v).strip()


def sniff_kind(data: bytes) -> str:
    """``"xlsx"``, ``"xls"``, ``"encrypted"`` or ``"text"`` from a file's first bytes."""
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        return "encrypted" if _ENCRYPTED in data[:200_000] else "xls"
    return "text"


# -- text decoding --------------------------------------------------------------------------
def _position(data: bytes, pos: int) -> str:
    line = data.count(b"\n", 0, pos) + 1
    return f"第 {line} 行附近（第 {pos + 1} 个字节，字节值 0x{data[pos]:02X}）"


def decode_bytes(data: bytes, display: str, encoding: str = "auto") -> tuple[str, str]:
    """Decode a text file, detecting UTF-8 (with or without BOM), UTF-16 and GBK/GB18030.

    Parameters
    ----------
    data
        The file's bytes.
    display
        The file name for messages.
    encoding
        ``"auto"`` or a Python codec name given by the user (``QuestionnaireFile.encoding``).

    Returns
    -------
    (text, encoding)
        The text and the codec that decoded it.

    Raises
    ------
    SurveyError
        When no encoding fits; the message names the file and the first bad byte and line.
    """
    if encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise SurveyError(
                f"未知的文本编码 {encoding!r}",
                file=display,
                expected="utf-8、utf-8-sig、gbk、gb18030 或 auto",
            ) from exc
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise SurveyError(
                f"文件无法按指定的编码 {encoding} 解码：{_position(data, exc.start)}",
                file=display,
                expected=f"{encoding} 编码的文本",
                hint="把 study.yaml 中该文件的 encoding 改为 auto，或改为正确的编码",
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(
            codecs.BOM_UTF8
        ) else "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    # Neither fits: ask charset-normalizer for a plausible legacy encoding before giving up.
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["big5", "utf_16", "cp1252"]).best()
    if best is not None and best.encoding in ("big5", "utf_16"):
        return str(best), best.encoding
    raise SurveyError(
        f"无法识别文件的文本编码：{_position(data, utf8_error.start)}不是合法的 UTF-8 或 GBK 字符",
        file=display,
        expected="UTF-8（可带 BOM）或 GBK/GB18030 编码的 CSV 文本",
        hint="用 Excel 或记事本打开后另存为“CSV UTF-8（逗号分隔）”，"
        "或在 study.yaml 中为该文件写明 encoding",
    )


def _csv_rows(text: str, display: str) -> list[list[str]]:
    if "\x00" in text:
        raise SurveyError(
            "文件含有二进制内容，不是文本格式的 CSV",
            file=display,
            expected="CSV 文本文件，或 .xlsx / .xls 工作簿",
        )
    first = text.split("\n", 1)[0]
    if re.match(r"\s*<(!doctype|html|table|\?xml)", text[:500], flags=re.IGNORECASE):
        raise SurveyError(
            "文件是网页（HTML/XML）格式的表格，不是 CSV 或 Excel 工作簿",
            file=display,
            hint="用 Excel 打开后另存为 .xlsx 再使用",
        )
    # Delimiter from the header line (csv.Sniffer is easily fooled by commas inside Chinese
    # answers further down, and the header line is what fixes the layout).
    delim = max([",", "\t", ";"], key=lambda d: first.count(d))
    if first.count(delim) == 0:
        delim = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise SurveyError(f"CSV 格式有误：{exc}", file=display) from exc


# -- workbooks ------------------------------------------------------------------------------
def _sheet_rows_calamine(data: bytes, display: str, sheet: str | int | None) -> list[list[Any]]:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    names = wb.sheet_names
    try:
        if isinstance(sheet, str):
            sh = wb.get_sheet_by_name(sheet)
        else:
            sh = wb.get_sheet_by_index(sheet or 0)
    except (pc.WorksheetNotFound, IndexError) as exc:
        raise SurveyError(
            f"工作簿中没有工作表 {sheet!r}",
            file=display,
            expected="已有的工作表之一：" + "、".join(map(str, names)),
        ) from exc
    return sh.to_python(skip_empty_area=False)


def _sheet_rows_openpyxl(data: bytes, display: str, sheet: str | int | None) -> list[list[Any]]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if isinstance(sheet, str):
            if sheet not in wb.sheetnames:
                raise SurveyError(
                    f"工作簿中没有工作表 {sheet!r}",
                    file=display,
                    expected="已有的工作表之一：" + "、".join(wb.sheetnames),
                )
            ws = wb[sheet]
        else:
            ws = wb.worksheets[sheet or 0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _sheet_rows_xlrd(data: bytes, sheet: str | int | None) -> list[list[Any]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=data)
    sh = book.sheet_by_name(sheet) if isinstance(sheet, str) else book.sheet_by_index(sheet or 0)
    rows: list[list[Any]] = []
    for r in range(sh.nrows):
        row = []
        for c in range(sh.ncols):
            cell = sh.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            else:
                row.append(cell.value)
        rows.append(row)
    return rows


def _workbook_rows(
    data: bytes, kind: str, display: str, sheet: str | int | None
) -> list[list[Any]]:
    broken = SurveyError(
        "Excel 文件已损坏或不完整（可能下载或复制时中断），无法打开",
        file=display,
        expected=f"完整的 .{kind} 工作簿",
        hint="重新从问卷平台下载该文件；下载后先在 Excel 中打开确认",
    )
    try:
        return _sheet_rows_calamine(data, display, sheet)
    except SurveyError:
        raise
    except Exception as first:  # calamine raises its own error types; try the other reader
        try:
            if kind == "xlsx":
                return _sheet_rows_openpyxl(data, display, sheet)
            return _sheet_rows_xlrd(data, sheet)
        except SurveyError:
            raise
        except Exception as exc:
            raise broken from (exc if exc is not None else first)


# -- shaping --------------------------------------------------------------------------------
_DATEISH = re.compile(r"^\d{4}[/-]\d{1,2}[/-]\d{1,2}")


def _looks_like_data(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    datalike = sum(1 for c in filled if not math.isnan(parse_number(c)) or _DATEISH.match(c))
    return datalike / len(filled) >= 0.5


def _shape(
    rows: list[list[str]], display: str
) -> tuple[list[str], pd.DataFrame, list[int], int, list[str]]:
    # Skip leading blank rows; the first non-blank row is the header.
    h = next((i for i, r in enumerate(rows) if any(r)), None)
    if h is None:
        raise SurveyError(
            "文件中没有任何内容", file=display, expected="第一行为表头、其下为答卷的表格"
        )
    header = list(rows[h])
    body = rows[h + 1 :]
    width = max([len(header)] + [len(r) for r in body])
    header += [""] * (width - len(header))
    # Drop trailing columns that have neither a header nor data.
    while (
        width and not header[width - 1] and not any(len(r) >= width and r[width - 1] for r in body)
    ):
        width -= 1
    header = header[:width]
    header_row = h + 1
    if _looks_like_data(header):
        raise SurveyError(
            "缺少表头行：第一行看起来是答卷数据而不是列标题",
            file=display,
            row=header_row,
            expected="第一行为列标题（如“序号”“提交答卷时间”“1、您的性别”或题目编号）",
            hint="从问卷平台重新下载（包含表头），或在第一行补上列标题",
        )
    for j, name in enumerate(header):
        if not name and any(len(r) > j and r[j] for r in body):
            first = next(i for i, r in enumerate(body) if len(r) > j and r[j])
            raise SurveyError(
                "该列有数据但没有表头",
                file=display,
                row=header_row,
                column=f"{excel_column_letter(j)} 列（第 {header_row + 1 + first} 行起有数据）",
                expected="每一列都有列标题",
            )
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if not name:
            continue
        key = normalise_text(name)
        if key in seen:
            i = seen[key]
            raise SurveyError(
                "表头重复：两列的标题相同，无法区分",
                file=display,
                row=header_row,
                column=f"{column_label(header[i], i)} 与 {column_label(name, j)}",
                expected="每个列标题只出现一次",
                hint="重新下载原始导出文件；若确需两列，请改名其中一列",
            )
        seen[key] = j
    keep = [j for j, name in enumerate(header) if name]
    records: list[list[str]] = []
    excel_rows: list[int] = []
    for i, r in enumerate(body):
        cells = [r[j] if j < len(r) else "" for j in keep]
        if any(cells):
            records.append(cells)
            excel_rows.append(header_row + 1 + i)
    names = [header[j] for j in keep]
    frame = (
        pd.DataFrame(records, columns=names, dtype=object)
        if records
        else pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    )
    return names, frame, excel_rows, header_row, [excel_column_letter(j) for j in keep]


def read_table(
    path: str | Path,
    *,
    display: str | None = None,
    sheet: str | int | None = None,
    encoding: str = "auto",
) -> Table:
    """Read an .xlsx, .xls or .csv file into a :class:`Table` of strings.

    Parameters
    ----------
    path
        The file. Its type is read from its first bytes; the extension only decides what to say
        when the two disagree.
    display
        The file name to use in messages (default: ``path`` as given).
    sheet
        Worksheet name or 0-based index (default: the first sheet).
    encoding
        Text encoding of a CSV file, ``"auto"`` to detect.

    Returns
    -------
    Table

    Raises
    ------
    SurveyError
        Missing or empty file, corrupt or truncated workbook, password-protected workbook,
        undecodable text, no header row, a column with data but no header, duplicated headers.

    Examples
    --------
    >>> t = read_table("data/raw/386540716_按文本_调查_79_78.xlsx")  # doctest: +SKIP
    >>> t.header[:3], t.excel_rows[:2]  # doctest: +SKIP
    (['序号', '提交答卷时间', '所用时间'], [2, 3])
    """
    path = Path(path)
    display = display or str(path)
    if not path.exists():
        raise SurveyError("找不到文件", file=display, hint="检查文件名（包括扩展名）和路径")
    data = path.read_bytes()
    if not data.strip():
        raise SurveyError("文件是空的（0 字节或只有空白）", file=display, hint="重新下载该文件")
    ext = path.suffix.lower().lstrip(".")
    kind = sniff_kind(data)
    notes: list[str] = []
    if kind == "encrypted":
        raise SurveyError(
            "Excel 文件受密码保护（已加密），无法读取",
            file=display,
            hint="在 Excel 中去掉密码后另存为 .xlsx 再使用",
        )
    if kind in ("xlsx", "xls") and ext != kind and not (kind == "xlsx" and ext == "xlsm"):
        notes.append(f"{display}：扩展名为 .{ext}，但内容是 .{kind} 工作簿，已按 .{kind} 读取。")
    if kind == "text":
        try:
            text, used = decode_bytes(data, display, encoding)
        except SurveyError:
            if ext in ("xlsx", "xlsm", "xls"):
                raise SurveyError(
                    f"文件不是有效的 .{ext} 工作簿（可能已损坏或被截断），也不是文本文件",
                    file=display,
                    expected=f"完整的 .{ext} 工作簿",
                    hint="重新从问卷平台下载该文件",
                ) from None
            raise
        if ext in ("xlsx", "xlsm", "xls"):
            notes.append(f"{display}：扩展名为 .{ext}，但内容是文本（CSV），已按 CSV 读取。")
        raw_rows = _csv_rows(text, display)
        rows = [[c.strip() for c in r] for r in raw_rows]
        header, frame, excel_rows, header_row, letters = _shape(rows, display)
        return Table(display, header, frame, excel_rows, "csv", used, header_row, letters, notes)
    raw = _workbook_rows(data, kind, display, sheet)
    rows = [[cell_text(v) for v in r] for r in raw]
    header, frame, excel_rows, header_row, letters = _shape(rows, display)
    return Table(display, header, frame, excel_rows, kind, None, header_row, letters, notes)
