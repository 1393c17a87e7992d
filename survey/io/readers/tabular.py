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
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey.errors import SurveyError, excel_column_letter
from survey.io.normalise import normalise_text, parse_number

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
_UTF8_NAMES = ("utf-8", "utf8", "utf-8-sig", "utf8-sig")
# Python's str.strip() whitespace, for RE2: \t-\r, \x1c-\x1f, \x85 and the Z categories.
_EDGE_SPACE = r"^[\t-\r\x{1c}-\x{1f}\x{85}\p{Z}]|[\t-\r\x{1c}-\x{1f}\x{85}\p{Z}]$"


def _csv_fast_utf8(data: bytes, display: str, encoding: str) -> tuple[_Shaped, str] | None:
    """The fast path straight from the bytes of a UTF-8 file (no decoding to one big ``str``).

    Returns ``(shaped, encoding used)``, or ``None`` when the file is not (or not surely)
    UTF-8, or irregular: the caller then decodes it and takes the careful path.
    """
    enc = encoding.replace("_", "-").lower()
    if enc not in ("auto", *_UTF8_NAMES) or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    if (bom and enc in ("utf-8", "utf8")) or b"\x00" in data:
        return None  # the BOM would be part of the first header; NUL: refused by the slow path
    start = len(codecs.BOM_UTF8) if bom else 0
    chunk = data[start : start + (1 << 16)]
    head = chunk.decode("utf-8", errors="ignore")
    delim = _csv_delimiter(head, display)
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delim)
    try:
        header = [c.strip() for c in next(reader)]
        if len(chunk) < len(data) - start:
            next(reader)  # a second record in the chunk: the header record is complete
    except (StopIteration, csv.Error):
        return None
    # Where the body starts (the header is one line when its quotes pair up on that line): no
    # quote in the body means no value can hold a line break.
    nl = data.find(b"\n", start)
    one_line = nl >= 0 and data.count(b'"', start, nl) % 2 == 0
    quoted = data.find(b'"', nl + 1 if one_line else start) >= 0
    shaped = _csv_fast(data, start, header, delim, quoted, display)
    if shaped is None:
        return None
    return shaped, (encoding if enc != "auto" else ("utf-8-sig" if bom else "utf-8"))


def _csv_fast_text(text: str, display: str) -> _Shaped | None:
    """The fast path for decoded text (GBK files and the like): re-encoded as UTF-8."""
    delim = _csv_delimiter(text, display)
    try:
        header = [c.strip() for c in next(csv.reader(io.StringIO(text, newline=""), delimiter=delim))]
    except (StopIteration, csv.Error):
        return None
    return _csv_fast(text.encode("utf-8"), 0, header, delim, '"' in text, display)


def _csv_fast(
    raw: bytes, start: int, header: list[str], delim: str, quoted: bool, display: str
) -> _Shaped | None:
    """Parse a regular UTF-8 CSV with pyarrow's multi-threaded reader; ``None`` when the file
    needs the careful path (:func:`_csv_rows` + :func:`_shape`).

    Regular means: the first record is the header, every header is non-empty, and every record
    has as many fields as the header (pyarrow refuses ragged rows). Blank lines come back as
    all-empty records and are dropped below like in :func:`_shape`, so Excel row numbers agree.
    Cells are stripped once per distinct value and returned as pandas ``Categorical`` columns of
    strings (object columns when most values are distinct, e.g. submission times): a
    million-row export then holds each label once. Written by hand because the Python ``csv``
    module takes seconds per million rows and holds one object per cell.

    A file without quotes whose columns hold plain integers (a generic export of codes) first
    tries :func:`_csv_typed`, which reads those columns as integers instead of strings.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not header or not all(header):
        return None
    # The header checks of _shape (no data-looking header, no duplicates) on the header alone.
    _shape([header], display)
    if not quoted:
        typed = _csv_typed(raw, start, header, delim)
        if typed is not None:
            return typed
    names = [f"f{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(raw).slice(start)),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                # Without any quote no value can hold a line break, and the reader can split
                # the file into blocks and parse them in parallel.
                newlines_in_values=quoted,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows, invalid UTF-8 …
    n = table.num_rows - 1  # the first record is the header
    table = table.unify_dictionaries()
    columns: dict[str, Any] = {}
    nonempty = np.zeros(n, dtype=bool)
    for name, chunked in zip(header, table.columns, strict=True):
        columns[name], filled, _ = _dictionary_column(chunked, n, skip=1)
        nonempty |= filled
    keep = np.flatnonzero(nonempty)
    if len(keep) < n:
        columns = {k: v[keep] for k, v in columns.items()}
    frame = pd.DataFrame(columns)
    excel_rows = (keep + 2).tolist()
    return header, frame, excel_rows, 1, [excel_column_letter(j) for j in range(len(header))]


def _dictionary_column(chunked: Any, n: int, skip: int = 0) -> tuple[Any, np.ndarray, int]:
    """A dictionary-encoded pyarrow column (dictionaries unified) as stripped strings.

    Returns ``(column, nonempty, nbytes)``: a ``Categorical`` (an object array when most values
    are distinct), which rows hold a non-empty value, and the UTF-8 length of all the cells as
    read (before stripping). ``skip`` leading records (the header) are left out.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    dictionary = chunked.chunk(0).dictionary if chunked.num_chunks else pa.array([], pa.string())
    codes = np.concatenate(
        [c.indices.to_numpy(zero_copy_only=False) for c in chunked.chunks]
        or [np.zeros(0, dtype=np.int32)]
    )[skip:].astype(np.intp, copy=False)
    lengths = pc.binary_length(dictionary).to_numpy(zero_copy_only=False)
    nbytes = int(np.bincount(codes, minlength=len(dictionary)) @ lengths) if len(codes) else 0
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
        return cats.take(codes), nonempty, nbytes
    column = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats), validate=False)
    return column, nonempty, nbytes


def _sample_kinds(raw: bytes, body: int, names: list[str], delim: str) -> list[str] | None:
    """What each column looks like in the first records (about 256 KiB), by pyarrow's type
    inference: ``"int16"`` / ``"int64"`` (plain integers), ``"text"`` (strings, nearly all
    distinct) or ``"dict"`` (anything else). ``None`` when the sample does not parse."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    end = raw.rfind(b"\n", body, body + (1 << 18))
    end = len(raw) if end < 0 or len(raw) - body <= (1 << 18) else end + 1
    try:
        sample = pacsv.read_csv(
            pa.py_buffer(raw[body:end]),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=delim[0], newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                null_values=[""], strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    kinds = []
    for col in sample.columns:
        if pa.types.is_integer(col.type):
            lo_hi = pc.min_max(col).as_py()
            small = lo_hi["min"] is not None and lo_hi["min"] >= -1000 and lo_hi["max"] <= 1000
            kinds.append("int16" if small else "int64")
        elif (
            pa.types.is_string(col.type)
            and sample.num_rows >= 200
            and pc.count_distinct(col).as_py() > 0.9 * sample.num_rows
        ):
            kinds.append("text")
        else:
            kinds.append("dict")
    return kinds


def _csv_typed(raw: bytes, start: int, header: list[str], delim: str) -> _Shaped | None:
    """The fast path for a CSV without quotes whose columns hold plain integers.

    pyarrow parses columns that look like integers (from :func:`_sample_kinds`) straight to
    integers (no string per cell, no dictionary hashing), mostly distinct text columns (e.g.
    submission times) as plain strings and the rest dictionary-encoded. The integer columns
    come back as ``Categorical`` columns of the integers' text, which equals the cells' text
    only when every cell is written canonically (``7``, not ``07``, ``+7``, `` 7`` or ``0x7``,
    all of which pyarrow also reads as 7). That is checked without a string per cell:
    the file's length must equal the canonical length of every cell plus delimiters and line
    ends, and any non-canonical spelling is longer than its canonical text. Returns ``None``
    (the caller then reads every column as strings) when the check fails, when any record is
    empty (blank lines would upset the count), or when a later cell is not an integer.
    Hand-written because reading every column as dictionary-encoded strings costs about three
    times pyarrow's integer parsing on a generic file of codes.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    nl = raw.find(b"\n", start)
    if nl < 0 or len(delim) != 1 or raw.find(b"\r", start, nl) not in (-1, nl - 1):
        return None  # the header must be the first line (a lone CR also ends a record)
    body = nl + 1
    names = [f"f{i}" for i in range(len(header))]
    kinds = _sample_kinds(raw, body, names, delim)
    if kinds is None or not any(k.startswith("int") for k in kinds):
        return None

    def read(widen: bool) -> Any:
        types = {
            "int16": pa.int64() if widen else pa.int16(),
            "int64": pa.int64(),
            "text": pa.string(),
            "dict": pa.dictionary(pa.int32(), pa.string()),
        }
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(raw).slice(body)),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={nm: types[k] for nm, k in zip(names, kinds, strict=True)},
                null_values=[""],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            table = read(widen=False)
        except pa.ArrowInvalid:
            if "int16" not in kinds:
                raise
            table = read(widen=True)  # a later code outside the sample's range
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows, invalid UTF-8, a text cell in an integer column …
    n = table.num_rows
    if n == 0:
        return None
    table = table.unify_dictionaries()

    def convert(kind: str, chunked: Any) -> tuple[Any, np.ndarray, int] | None:
        if kind == "dict":
            return _dictionary_column(chunked, n)
        if kind == "text":
            return _text_column(chunked)
        return _integer_column(chunked, n)

    # Column by column in threads: numpy and pyarrow release the GIL for whole-column work.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        converted = list(pool.map(convert, kinds, table.columns))
    columns: dict[str, Any] = {}
    nonempty = np.zeros(n, dtype=bool)
    nbytes = 0
    for name, got in zip(header, converted, strict=True):
        if got is None:
            return None
        columns[name], filled, size = got
        nonempty |= filled
        nbytes += size
    if raw.find(b"\r", body) < 0:
        # No CR: every record but perhaps the last ends with one LF (no blank lines, below).
        terminators = n - 1 + raw.endswith(b"\n")
    else:
        terminators = raw.count(b"\n", body) + raw.count(b"\r", body)
    if not nonempty.all() or nbytes + n * (len(header) - 1) + terminators != len(raw) - body:
        return None
    frame = pd.DataFrame(columns)
    excel_rows = list(range(2, n + 2))
    return header, frame, excel_rows, 1, [excel_column_letter(j) for j in range(len(header))]


def _edges_plain(chunk: Any) -> bool:
    """Whether every value of a pyarrow string array starts and ends with a visible ASCII
    character (or is empty): then none has a space at an edge. Reads the first and last byte
    of each value from the array's buffers, much cheaper than a regular expression per value.
    """
    import pyarrow as pa

    if chunk.null_count or not pa.types.is_string(chunk.type) or len(chunk) == 0:
        return len(chunk) == 0
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    if data_buf is None:
        return True
    data = np.frombuffer(data_buf, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    first = data.take(starts[filled])
    last = data.take(ends[filled] - 1)
    return bool(((first > 0x20) & (first < 0x7F)).all() and ((last > 0x20) & (last < 0x7F)).all())


def _text_column(chunked: Any) -> tuple[Any, np.ndarray, int] | None:
    """A plain pyarrow string column as a pandas string column; ``None`` when a value has
    spaces at an edge (the dictionary path strips those)."""
    import pyarrow.compute as pc

    plain = all(_edges_plain(chunk) for chunk in chunked.chunks)
    if not plain and pc.any(pc.match_substring_regex(chunked, _EDGE_SPACE)).as_py():
        return None
    nbytes = int(pc.sum(pc.binary_length(chunked)).as_py() or 0)
    filled = pc.not_equal(pc.binary_length(chunked), 0).to_numpy()
    return chunked.to_pandas(), filled, nbytes


def _integer_column(chunked: Any, n: int) -> tuple[Any, np.ndarray, int] | None:
    """An integer pyarrow column (nulls = empty cells) as the text of its values.

    Returns ``(column, nonempty, nbytes)`` like :func:`_dictionary_column`, ``nbytes`` being
    the length of the values written canonically. Categories come in order of first
    appearance, as the dictionary path has them.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    lo_hi = pc.min_max(chunked).as_py()
    if lo_hi["min"] is None:  # every cell empty
        column = pd.Categorical.from_codes(
            np.zeros(n, dtype=np.int8), dtype=pd.CategoricalDtype([""]), validate=False
        )
        return column, np.zeros(n, dtype=bool), 0
    lo, hi = int(lo_hi["min"]), int(lo_hi["max"])
    width = hi - lo + 1
    if width <= 4096 and lo > -(2**31) and hi < 2**31 - 1:  # offsets and the empty key in int32
        # Values as offsets 0..width-1 (width = empty) counted with bincount; the categories'
        # first appearances are found in a prefix of the column, which usually holds them all.
        filled = chunked
        if chunked.null_count:
            filled = pc.fill_null(pc.cast(chunked, pa.int32()), hi + 1)
        offset = np.subtract(filled.to_numpy(), lo, dtype=np.int32)
        null = offset == width
        counts = np.bincount(offset, minlength=width + 1)
        n_used = int(np.count_nonzero(counts))
        k = 1024
        while True:
            order = pd.unique(offset[:k])
            if len(order) == n_used or k >= n:
                break
            k *= 16
        texts = [str(lo + int(v)) if v < width else "" for v in order]
        remap = np.zeros(width + 1, dtype=np.int16 if len(order) > 127 else np.int8)
        remap[order] = np.arange(len(order))
        codes = remap.take(offset)
        nbytes = sum(int(counts[v]) * len(t) for v, t in zip(order, texts, strict=True))
    else:
        if lo <= -(2**62):
            return None  # no room for the empty-cell key below
        key = pc.fill_null(pc.cast(chunked, pa.int64()), lo - 1).to_numpy()
        null = key == lo - 1
        codes, uniq = pd.factorize(key)
        texts = ["" if u == lo - 1 else str(int(u)) for u in uniq]
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        nbytes = int(np.bincount(codes, minlength=len(texts)) @ lengths)
    cats = np.asarray(texts, dtype=object)
    if len(cats) > 1000 and len(cats) > n // 2:
        return cats.take(codes), ~null, nbytes
    column = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats), validate=False)
    return column, ~null, nbytes


def _workbook_fast(raw: list[list[Any]], display: str) -> _Shaped | None:
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
    columns: dict[str, Any] = {}
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
        fast_utf8 = None if ext in ("xlsx", "xlsm", "xls") else _csv_fast_utf8(data, display, encoding)
        if fast_utf8 is not None:
            (header, frame, excel_rows, header_row, letters), used = fast_utf8
            return Table(display, header, frame, excel_rows, "csv", used, header_row, letters, notes)
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
        fast = _csv_fast_text(text, display)
        if fast is not None:
            header, frame, excel_rows, header_row, letters = fast
        else:
            raw_rows = _csv_rows(text, display)
            rows = [[c.strip() for c in r] for r in raw_rows]
            header, frame, excel_rows, header_row, letters = _shape(rows, display)
        return Table(display, header, frame, excel_rows, "csv", used, header_row, letters, notes)
    raw = _workbook_rows(data, kind, display, sheet)
    fast = _workbook_fast(raw, display)
    if fast is not None:
        header, frame, excel_rows, header_row, letters = fast
    else:
        rows = [[cell_text(v) for v in r] for r in raw]
        header, frame, excel_rows, header_row, letters = _shape(rows, display)
    return Table(display, header, frame, excel_rows, kind, None, header_row, letters, notes)
