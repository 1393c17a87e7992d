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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from survey.errors import SurveyError, excel_column_letter
from survey.io.normalise import normalise_text, parse_number

if TYPE_CHECKING:
    import pyarrow as pa
    from pandas.api.extensions import ExtensionArray

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
        ``"xlsx"``, ``"xls"``, ``"csv"`` or ``"html"`` (an ``.xls`` download that is an HTML
        ``<table>``): what the bytes are, not what the name says.
    encoding
        The text encoding used for a CSV file, else ``None``.
    header_row
        Excel row of the header (after leading blank rows).
    letters
        Excel letter of each column (columns without a header are left out).
    notes
        Things the user should know (in Chinese), e.g. an extension that did not match.
    parsed_by
        Which path shaped the cells: ``"pyarrow"`` (a regular CSV) or ``"csv"`` (the ``csv``
        module, cell by cell); ``"columns"`` (a rectangular sheet, column by column) or
        ``"cells"`` (any other sheet, cell by cell). The results are the same; tests check it.
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
    parsed_by: str = ""

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
def _position(data: bytes, pos: int, encoding: str = "") -> str:
    # The utf-8-sig decoder reports offsets after the BOM it removed.
    if encoding.replace("_", "-").lower() in ("utf-8-sig", "utf8-sig") and data.startswith(
        codecs.BOM_UTF8
    ):
        pos += len(codecs.BOM_UTF8)
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
                f"文件无法按指定的编码 {encoding} 解码：{_position(data, exc.start, encoding)}",
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
        f"无法识别文件的文本编码：{_position(data, utf8_error.start, 'utf-8-sig')}不是合法的 UTF-8 或 GBK 字符",
        file=display,
        expected="UTF-8（可带 BOM）或 GBK/GB18030 编码的 CSV 文本",
        hint="用 Excel 或记事本打开后另存为“CSV UTF-8（逗号分隔）”，"
        "或在 study.yaml 中为该文件写明 encoding",
    )


def _csv_delimiter(text: str, display: str) -> str:
    """Refuse binary and HTML files; return the delimiter (from the header line)."""
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
    return delim


def _csv_rows(text: str, display: str) -> list[list[str]]:
    delim = _csv_delimiter(text, display)
    # A free-text answer may be longer than the csv module's default 128 KiB field limit
    # (a pasted document); no field can be longer than the whole text.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise SurveyError(f"CSV 格式有误：{exc}", file=display) from exc


_Shaped = tuple[list[str], pd.DataFrame, list[int], int, list[str]]
# Python's str.strip() whitespace, for RE2: \t-\r, \x1c-\x1f, \x85 and the Z categories.
_EDGE_SPACE = r"^[\t-\r\x{1c}-\x{1f}\x{85}\p{Z}]|[\t-\r\x{1c}-\x{1f}\x{85}\p{Z}]$"


def _csv_arrow(text: str, display: str, raw: bytes | None = None) -> _Shaped | None:
    """Parse a regular CSV with pyarrow, every cell a string; ``None`` when the file needs the
    cell-by-cell path (:func:`_csv_rows` + :func:`_shape`).

    Regular means: the first record is the header, every header is non-empty, and every record
    has as many fields as the header (pyarrow refuses ragged rows). Blank lines come back as
    all-empty records and are dropped below like in :func:`_shape`, so Excel row numbers agree.
    Cells come back as pandas ``Categorical`` columns of stripped strings (object columns when
    most values are distinct, e.g. submission times), each distinct label held once.

    ``raw``, when given, is ``text`` as UTF-8 bytes (the file's own bytes: not encoded again).

    Kept because the ``csv`` module plus :func:`_shape` takes about 2 s for 100,000 rows × 45
    columns, pyarrow about 0.2 s (``benchmarks/bench_clean.py`` file).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    delim = _csv_delimiter(text, display)
    head = text[: 1 << 16]  # the header record, unless it is longer than this
    records = csv.reader(io.StringIO(head, newline=""), delimiter=delim)
    try:
        header = [c.strip() for c in next(records)]
        if len(head) < len(text):
            next(records)  # a second record starts in the prefix: the header is complete
    except (StopIteration, csv.Error):
        return None
    if not header or not all(header):
        return None
    # The header checks of _shape (no data-looking header, no duplicates) on the header alone.
    _shape([header], display)
    names = [f"f{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(text.encode("utf-8") if raw is None else raw),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                # Without any quote no value can hold a line break, and the reader can split
                # the file into blocks and parse them in parallel.
                newlines_in_values='"' in text,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows …
    n = table.num_rows - 1  # the first record is the header
    table = table.unify_dictionaries()
    columns: dict[str, ExtensionArray | np.ndarray] = {}
    nonempty = np.zeros(n, dtype=bool)
    for name, chunked in zip(header, table.columns, strict=True):
        columns[name], filled = _dictionary_column(chunked, n, skip=1)
        nonempty |= filled
    keep = np.flatnonzero(nonempty)
    if len(keep) < n:
        columns = {k: v[keep] for k, v in columns.items()}
    frame = pd.DataFrame(columns)
    excel_rows = (keep + 2).tolist()
    return header, frame, excel_rows, 1, [excel_column_letter(j) for j in range(len(header))]


def _dictionary_column(
    chunked: pa.ChunkedArray, n: int, skip: int = 0
) -> tuple[ExtensionArray | np.ndarray, np.ndarray]:
    """A dictionary-encoded pyarrow column (dictionaries unified) as stripped strings.

    Returns ``(column, nonempty)``: a ``Categorical`` (an object array when most values are
    distinct) and which rows hold a non-empty value. ``skip`` leading records (the header) are
    left out.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    dictionary = chunked.chunk(0).dictionary if chunked.num_chunks else pa.array([], pa.string())
    codes = np.concatenate(
        [c.indices.to_numpy(zero_copy_only=False) for c in chunked.chunks]
        or [np.zeros(0, dtype=np.int32)]
    )[skip:].astype(np.intp, copy=False)
    cats = dictionary.to_numpy(zero_copy_only=False).astype(object)
    edges = np.flatnonzero(
        pc.match_substring_regex(dictionary, _EDGE_SPACE).to_numpy(zero_copy_only=False)
    )
    if len(edges):  # " 同意" and "同意" become one category
        cats[edges] = [cats[k].strip() for k in edges]
        remap, uniq = pd.factorize(cats)
        codes, cats = remap[codes], np.asarray(uniq, dtype=object)
    empty = np.flatnonzero(cats == "")
    nonempty = codes != (empty[0] if len(empty) else -1)
    if len(cats) > 1000 and len(cats) > n // 2:
        return cats.take(codes), nonempty
    column = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats), validate=False)
    return column, nonempty


def _workbook_columns(raw: list[list[Any]], display: str) -> _Shaped | None:
    """Shape a rectangular sheet whose first row is a complete header, column by column:
    each distinct cell value is turned into text once (:func:`cell_text`) and the columns come
    back as ``Categorical`` strings. ``None`` for anything else (the careful :func:`_shape`).

    Written by hand because converting and checking every cell in Python costs several times
    calamine's own read on a 100,000-row export.
    """
    if not raw:
        return None
    width = len(raw[0])
    if width == 0 or any(len(r) != width for r in raw):
        return None
    header = [cell_text(v) for v in raw[0]]
    if not all(header):
        return None
    _shape([header], display)
    n = len(raw) - 1
    columns: dict[str, ExtensionArray | np.ndarray] = {}
    nonempty = np.zeros(n, dtype=bool)
    body = np.empty((n, width), dtype=object)
    if n:
        body[:] = raw[1:]
    for j, name in enumerate(header):
        # NaN and None (empty cells) get code -1, moved to an extra "" at the end.
        codes, uniq = pd.factorize(body[:, j])
        # True == 1 == 1.0 for hashing: a column with booleans goes the careful way.
        if any(type(v) is bool for v in uniq):
            return None
        codes[codes < 0] = len(uniq)
        remap, cats = pd.factorize(np.array([*(cell_text(v) for v in uniq), ""], dtype=object))
        codes = remap[codes]
        cats = np.asarray(cats, dtype=object)
        empty = np.flatnonzero(cats == "")
        nonempty |= codes != (empty[0] if len(empty) else -1)
        if len(cats) > 1000 and len(cats) > n // 2:
            columns[name] = cats.take(codes)
        else:
            columns[name] = pd.Categorical.from_codes(
                codes, dtype=pd.CategoricalDtype(cats), validate=False
            )
    keep = np.flatnonzero(nonempty)
    if len(keep) < n:
        columns = {k: v[keep] for k, v in columns.items()}
    frame = pd.DataFrame(columns)
    return header, frame, (keep + 2).tolist(), 1, [excel_column_letter(j) for j in range(width)]


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
    keys = [normalise_text(name) for name in header if name]
    repeated = {k for k in keys if keys.count(k) > 1}
    if len(repeated) >= 3:
        # Headers never repeat three different texts; an answer row ("同意", "同意", "一般",
        # "一般", "(空)", "(空)" ...) does: the header row is missing (a respondent's row of a
        # 按文本 export is mostly labels, so the data-looking check above misses it).
        raise SurveyError(
            "缺少表头行：第一行看起来是答卷数据而不是列标题（多个不同的值重复出现："
            + "、".join(sorted(repeated)[:3]) + "……）",
            file=display,
            row=header_row,
            expected="第一行为列标题（如“序号”“提交答卷时间”“1、您的性别”或题目编号）",
            hint="从问卷平台重新下载（包含表头），或在第一行补上列标题",
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


_HTML_TABLE = re.compile(r"\s*<(!doctype|html|head|meta|table|body|\?xml)", re.IGNORECASE)


def _html_rows(text: str, display: str) -> list[list[str]]:
    """The cells of the first HTML ``<table>`` with rows, as the text a browser shows.

    Cells are read as text (lxml), never converted to numbers: a phone number or a 序号 stays
    what the file shows. ``colspan`` repeats nothing (an empty cell per spanned column).
    """
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml's parser errors
        raise SurveyError("网页表格（HTML）无法解析", file=display, hint="用 Excel 打开后另存为 .xlsx") from exc
    for table in doc.iter("table"):
        rows = []
        for tr in table.iter("tr"):
            row: list[str] = []
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                row.append(" ".join(cell.text_content().split()))
                span = cell.get("colspan", "1")
                row.extend([""] * (int(span) - 1 if span.isdigit() and int(span) > 1 else 0))
            rows.append(row)
        if any(any(c for c in r) for r in rows):
            width = max(len(r) for r in rows)
            return [r + [""] * (width - len(r)) for r in rows]
    raise SurveyError("网页表格（HTML）中没有任何数据行", file=display, expected="含有 <table> 的问卷导出")


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
    if data.isspace() or not data:  # (isspace: the whitespace bytes.strip removes, no copy)
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
        if _HTML_TABLE.match(text[:2000]) and re.search(r"<table", text, flags=re.IGNORECASE):
            # Old 问卷星 (and other platforms') ".xls" downloads are often an HTML <table>.
            notes.append(f"{display}：内容是网页表格（HTML），不是真正的 Excel 工作簿，已按表格读取。")
            header, frame, excel_rows, header_row, letters = _shape(_html_rows(text, display), display)
            return Table(display, header, frame, excel_rows, "html", used, header_row, letters,
                         notes, parsed_by="cells")
        if ext in ("xlsx", "xlsm", "xls"):
            notes.append(f"{display}：扩展名为 .{ext}，但内容是文本（CSV），已按 CSV 读取。")
        # UTF-8 bytes go to pyarrow as they are (the BOM cut off when decoding removed it).
        codec = used.replace("_", "-").lower()
        bom = codec in ("utf-8-sig", "utf8-sig") and data.startswith(codecs.BOM_UTF8)
        utf8 = data[len(codecs.BOM_UTF8) * bom :] if codec.startswith(("utf-8", "utf8")) else None
        shaped, parsed_by = _csv_arrow(text, display, utf8), "pyarrow"
        if shaped is None:
            rows = [[c.strip() for c in r] for r in _csv_rows(text, display)]
            shaped, parsed_by = _shape(rows, display), "csv"
        header, frame, excel_rows, header_row, letters = shaped
        return Table(display, header, frame, excel_rows, "csv", used, header_row, letters, notes,
                     parsed_by=parsed_by)
    raw = _workbook_rows(data, kind, display, sheet)
    shaped, parsed_by = _workbook_columns(raw, display), "columns"
    if shaped is None:
        shaped, parsed_by = _shape([[cell_text(v) for v in r] for r in raw], display), "cells"
    header, frame, excel_rows, header_row, letters = shaped
    return Table(display, header, frame, excel_rows, kind, None, header_row, letters, notes,
                 parsed_by=parsed_by)
