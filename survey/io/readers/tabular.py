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
import zipfile
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

__all__ = [
    "ReadLimits",
    "Table",
    "cell_text",
    "column_label",
    "decode_bytes",
    "read_table",
    "sniff_kind",
]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class ReadLimits:
    """Resource limits of one :func:`read_table` call (hostile or broken files are refused).

    Attributes
    ----------
    max_part_bytes
        Largest uncompressed size of one part of an .xlsx (a sheet's XML, the shared strings):
        checked on the zip directory before any reader inflates it. A 100,000-row 问卷星 export
        has a sheet of about 150 MB.
    max_ratio
        Largest compression ratio (uncompressed / compressed) of a part larger than
        :data:`RATIO_FLOOR` bytes. Real sheets compress 5–20 times; a zip bomb several hundred.
    max_cell_chars
        Longest cell (characters) of any table. Excel itself stops at 32,767; a pasted document
        in a CSV free-text answer can be longer (see the SPSS warning), a megabyte-sized one is
        a broken export.

    Notes
    -----
    The peak memory of a read stays within a small multiple of the largest part allowed here
    (calamine keeps the sheet's values, the reader their texts).
    """

    max_part_bytes: int = 200 * 1024**2
    max_ratio: float = 200.0
    max_cell_chars: int = 2_000_000


#: The limits used when a caller gives none.
DEFAULT_LIMITS = ReadLimits()
#: Parts smaller than this are never refused for their compression ratio.
RATIO_FLOOR = 10 * 1024**2


def _mb(n: float) -> str:
    return f"{n / 1024**2:,.1f} MB"


def check_xlsx_parts(data: bytes, display: str, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Refuse an .xlsx whose parts would inflate beyond ``limits`` (a zip bomb), unread.

    Only the zip's central directory is read (sizes as recorded by the writer; zipfile stops a
    part that inflates beyond its recorded size). A file that is not a readable zip is left to
    the readers, which report it as damaged.

    Raises
    ------
    SurveyError
        Naming the file, the part, its sizes and the limit exceeded.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    for info in infos:
        size, packed = info.file_size, max(info.compress_size, 1)
        ratio = size / packed
        if size > limits.max_part_bytes:
            problem = (
                f"工作簿中的部件 {info.filename} 解压后有 {_mb(size)}（压缩时 {_mb(packed)}），"
                f"超过上限 {_mb(limits.max_part_bytes)}，为避免耗尽内存，未读取"
            )
        elif size > RATIO_FLOOR and ratio > limits.max_ratio:
            problem = (
                f"工作簿中的部件 {info.filename} 压缩比异常：{_mb(packed)} 解压后为 {_mb(size)}"
                f"（{ratio:,.0f} 倍，上限 {limits.max_ratio:,.0f} 倍），疑似“压缩炸弹”，未读取"
            )
        else:
            continue
        key = "max_part_bytes" if size > limits.max_part_bytes else "max_ratio"
        raise SurveyError(
            problem,
            file=display,
            expected="问卷平台导出的普通工作簿",
            hint="重新从问卷平台下载该文件；确需读取更大的文件时提高读取上限"
            f"（study.yaml 中的 limits.{key}）",
        )


def _check_cells(
    header: list[str], frame: pd.DataFrame, excel_rows: list[int], letters: list[str],
    display: str, limit: int,
) -> None:
    """Refuse a table with a cell longer than ``limit`` characters (first such cell named)."""
    for j, name in enumerate(header):
        col = frame[name]
        values = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else col
        lengths = pd.Series(values, dtype=object).str.len()
        if not len(lengths) or lengths.max() <= limit:
            continue
        long = set(pd.Series(values, dtype=object)[lengths > limit])
        i = int(np.flatnonzero(col.isin(long))[0])
        raise SurveyError(
            f"单元格内容过长（{int(lengths.max()):,} 个字符），超过上限 {limit:,} 个字符，"
            "可能是导出或拼接出错",
            file=display,
            row=excel_rows[i],
            column=f"{name}（{letters[j] if letters else excel_column_letter(j)} 列）",
            expected=f"每个单元格不超过 {limit:,} 个字符",
            hint="检查该单元格；确需读取时提高读取上限（study.yaml 中的 limits.max_cell_chars）",
        )


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


def cell_text(v: object) -> str:
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


def _utf16_guess(data: bytes) -> str | None:
    """``"utf-16-le"`` / ``"utf-16-be"`` for BOM-less UTF-16 text, else ``None``.

    UTF-8 and GBK text never holds a NUL byte; UTF-16 holds one in every ASCII character
    (comma, tab, digits), on the same side of the pair: odd offsets little-endian (Excel's
    "Unicode 文本"), even offsets big-endian. (Some Chinese characters, U+4E00 一 for one, put
    a NUL on the other side, far less often.) The guess must also decode to printable text,
    so that binary files, whose NULs fall on both sides, are not taken for text.
    """
    head = data[: 1 << 16]
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 2 and odd > 4 * even:
        guess = "utf-16-le"
    elif even >= 2 and even > 4 * odd:
        guess = "utf-16-be"
    else:
        return None
    text = head.decode(guess, errors="replace")
    printable = sum(c.isprintable() or c in "\t\r\n" for c in text)
    return guess if printable >= 0.95 * len(text) else None


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
            utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_guess(data)
            raise SurveyError(
                f"文件无法按指定的编码 {encoding} 解码：{_position(data, exc.start, encoding)}"
                + ("；文件看起来是 UTF-16 编码（Excel 的“Unicode 文本”）" if utf16 else ""),
                file=display,
                expected=f"{encoding} 编码的文本",
                hint="把 study.yaml 中该文件的 encoding 改为 auto"
                + ("（可识别 UTF-16）" if utf16 else "，或改为正确的编码"),
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    guess = _utf16_guess(data)
    if guess is not None:
        try:
            return data.decode(guess), guess
        except UnicodeDecodeError as exc:
            raise SurveyError(
                f"文件看起来是不带 BOM 的 {guess.upper()} 文本，但无法解码："
                f"{_position(data, exc.start)}",
                file=display,
                expected="完整的 UTF-16、UTF-8 或 GBK/GB18030 编码的 CSV 文本",
                hint="用 Excel 打开后另存为“CSV UTF-8（逗号分隔）”",
            ) from exc
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
                codes, dtype=pd.CategoricalDtype(cats), validate=False  # type: ignore[arg-type]  # stubs: categories may be an array
            )
    keep = np.flatnonzero(nonempty)
    if len(keep) < n:
        columns = {k: v[keep] for k, v in columns.items()}
    frame = pd.DataFrame(columns)
    return header, frame, (keep + 2).tolist(), 1, [excel_column_letter(j) for j in range(width)]


# -- workbooks ------------------------------------------------------------------------------
_XML_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _sheet_part(zf: zipfile.ZipFile, sheet: str | int | None) -> str | None:
    """The zip member holding a worksheet (by name or 0-based index), ``None`` if unknown."""
    import html

    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheets = [dict(_XML_ATTR.findall(m)) for m in re.findall(rb"<(?:\w+:)?sheet\b([^>]*)>", book)]
    targets = {
        a.get(b"Id"): a.get(b"Target", b"")
        for a in (dict(_XML_ATTR.findall(m)) for m in re.findall(rb"<Relationship\b([^>]*)>", rels))
    }
    if isinstance(sheet, str):
        found = [a for a in sheets if html.unescape(a.get(b"name", b"").decode("utf-8", "replace")) == sheet]
    else:
        found = sheets[sheet or 0 : (sheet or 0) + 1]
    if not found:
        return None
    rid = next((v for k, v in found[0].items() if k.endswith(b":id")), None)
    target = targets.get(rid, b"").decode("utf-8", "replace")
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)


def _formulas_without_values(data: bytes, sheet: str | int | None) -> list[str]:
    """References (``"B5"``) of the formula cells of a sheet that hold no cached result.

    Excel saves each formula's last result beside it, and the readers use that value; a file
    written by a program that does not calculate (openpyxl, some converters) has formulas
    with an empty result, which would be read as an empty (missing) answer. A formula whose
    saved result is an empty text (``t="str"``) is a real result and not listed.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = _sheet_part(zf, sheet)
            if part is None:
                return []
            xml = zf.read(part)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return []
    if b"<f" not in xml:
        return []
    refs: list[str] = []
    for m in _CELL.finditer(xml):
        body = m.group(2) or b""
        if b"<f" not in body or re.search(rb"<v>[^<]+</v>", body):
            continue
        attrs = dict(_XML_ATTR.findall(m.group(1)))
        if attrs.get(b"t") == b"str" and b"<v" in body:
            continue
        refs.append(attrs.get(b"r", b"?").decode("ascii", "replace"))
    return refs


def _refuse_formulas(data: bytes, display: str, sheet: str | int | None) -> None:
    refs = _formulas_without_values(data, sheet)
    if not refs:
        return
    first = re.match(r"([A-Z]+)(\d+)", refs[0])
    shown = "、".join(refs[:8]) + ("……" if len(refs) > 8 else "")
    raise SurveyError(
        f"工作表中有 {len(refs)} 个公式单元格没有保存计算结果（{shown}），"
        "读取后会成为缺失值",
        file=display,
        row=int(first.group(2)) if first else None,
        column=f"{first.group(1)} 列" if first else None,
        expected="单元格中是数值或文字，或是已保存计算结果的公式",
        hint="在 Excel 或 WPS 中打开该文件并保存一次（公式的结果会随之保存），"
        "或把公式列复制后“选择性粘贴为数值”",
    )


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
    filled = [c for c in header if c]
    if len(filled) == 1 and width > 1:
        nxt = next((i for i, r in enumerate(body) if any(r)), None)
        if nxt is not None:
            cells = [c for c in body[nxt] if c]
            if len(cells) >= 2 and not _looks_like_data(cells):
                title = filled[0] if len(filled[0]) <= 30 else filled[0][:30] + "……"
                raise SurveyError(
                    f"表头之上有标题行：第 {header_row} 行只有一个单元格（“{title}”），"
                    f"第 {header_row + 1 + nxt} 行才是列标题",
                    file=display,
                    row=header_row,
                    expected="第一行（空行之后的第一行）就是列标题",
                    hint=f"删除第 {header_row} 行的标题，使列标题成为第一行，然后重新运行",
                )
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
    limits: ReadLimits | None = None,
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
    limits
        Size limits (default :data:`DEFAULT_LIMITS`): an .xlsx part inflating beyond them is
        refused before it is read, a longer cell after.

    Returns
    -------
    Table

    Notes
    -----
    Formula cells are read as the result Excel saved with them; a workbook with formulas but
    no saved results (written by a program that does not calculate) is refused.

    Raises
    ------
    SurveyError
        Missing or empty file, corrupt or truncated workbook, password-protected workbook,
        undecodable text, no header row, a title row above the header, a column with data but
        no header, duplicated headers, formulas without saved results, an .xlsx part or a cell
        beyond ``limits``.

    Examples
    --------
    >>> t = read_table("data/raw/386540716_按文本_调查_79_78.xlsx")  # doctest: +SKIP
    >>> t.header[:3], t.excel_rows[:2]  # doctest: +SKIP
    (['序号', '提交答卷时间', '所用时间'], [2, 3])
    """
    path = Path(path)
    display = display or str(path)
    limits = limits or DEFAULT_LIMITS
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
        if len(text) > limits.max_cell_chars:
            _check_cells(header, frame, excel_rows, letters, display, limits.max_cell_chars)
        return Table(display, header, frame, excel_rows, "csv", used, header_row, letters, notes,
                     parsed_by=parsed_by)
    if kind == "xlsx":
        check_xlsx_parts(data, display, limits)
        _refuse_formulas(data, display, sheet)
    raw = _workbook_rows(data, kind, display, sheet)
    shaped, parsed_by = _workbook_columns(raw, display), "columns"
    if shaped is None:
        shaped, parsed_by = _shape([[cell_text(v) for v in r] for r in raw], display), "cells"
    header, frame, excel_rows, header_row, letters = shaped
    if len(data) * (limits.max_ratio if kind == "xlsx" else 1) > limits.max_cell_chars:
        _check_cells(header, frame, excel_rows, letters, display, limits.max_cell_chars)
    return Table(display, header, frame, excel_rows, kind, None, header_row, letters, notes,
                 parsed_by=parsed_by)
