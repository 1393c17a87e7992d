"""Writing the processed data: Parquet, CSV for Excel, SPSS ``.sav``.

Every writer is deterministic: the same data give byte-identical files, so the hashes in
``manifest.json`` change only when the data change.

- **CSV** (for Excel): UTF-8 with a byte-order mark (Excel otherwise guesses GBK and garbles
  Chinese), ``\\r\\n`` line ends (RFC 4180; Excel reads both), floats in their shortest exact
  decimal form without a trailing ``.0`` (``1`` not ``1.0``), missing values as empty cells, and
  text cells that Excel would run as a formula prefixed with an apostrophe (see
  :func:`escape_formula`).
- **Parquet** (for Python/R): pyarrow, zstd compression set explicitly; pyarrow writes no time
  stamp (its metadata holds only library versions and the schema).
- **SPSS** (``.sav``): pyreadstat (ReadStat) with variable and value labels, UTF-8 strings.
  Integer columns get the format ``F<w>.0`` (``F1.0`` for a five-point item, not ``F8.2``);
  Categoricals (single-choice items, ``college``, ``source_file``) are written as integer codes
  with their labels as value labels. The SAV header holds a creation date and time that
  ReadStat takes from the clock; they are rewritten to a fixed value after writing (see
  :func:`write_sav`).
- **Labelled CSV** (:func:`labelled_frame`): the same CSV with option labels instead of codes
  (``同意`` rather than ``4``), for reading in Excel.

The files are written into the staging folder of :class:`survey.io.atomic.AtomicOutput`, which
moves them into place only when all of them succeeded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from survey.errors import SurveyWarning
from survey.io.atomic import check_writable
from survey.io.processed import category_codes

if TYPE_CHECKING:
    from survey.config.codebook import Codebook

# -- CSV ----------------------------------------------------------------------------------------
#: First characters that make Excel (or LibreOffice, WPS) treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def _escape_cell(value: object) -> object:
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _PLAIN_NUMBER.match(value)
    ):
        return "'" + value
    return value


def escape_formula(series: pd.Series) -> pd.Series:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Parameters
    ----------
    series
        Any column; only string cells are looked at. Not modified.

    Returns
    -------
    pandas.Series
        A copy in which every string starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage
        return, or their full-width forms ``＝ ＋ － ＠`` begins with ``'``. Numeric columns are
        returned unchanged, and so are strings that are plain numbers (``-5``, ``+1.5``,
        ``-1e3``): a number cannot run a formula.

    Notes
    -----
    This is the OWASP "CSV injection" defence. Excel hides a leading apostrophe when the file is
    opened, but it stays part of the value when the CSV is read by other programs; the Parquet
    and SPSS outputs carry the text unescaped. Only the CSV writer applies it.

    Examples
    --------
    >>> escape_formula(pd.Series(["=1+1", "-5", "好"])).tolist()
    ["'=1+1", '-5', '好']
    """
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.copy()
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.rename_categories([_escape_cell(c) for c in series.cat.categories])
    # Each distinct value is escaped once (answers repeat; a million cells are a second each
    # way); missing cells keep their own missing value.
    values = series.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    escaped = np.empty(len(uniques), dtype=object)
    escaped[:] = [_escape_cell(u) for u in uniques]
    out = values.copy()
    filled = codes >= 0
    out[filled] = escaped.take(codes[filled])
    return pd.Series(out, index=series.index, name=series.name).astype(series.dtype)


def _format_float(value: float) -> str:
    if pd.isna(value):
        return ""
    # Shortest decimal string that reads back to the same double, never scientific notation.
    return np.format_float_positional(value, trim="-")


def _format_floats(values: np.ndarray) -> np.ndarray:
    """:func:`_format_float` of every value, computed once per distinct bit pattern (so
    ``-0.0`` and ``0.0`` stay apart); survey answers hold a handful of distinct values."""
    x = np.ascontiguousarray(values, dtype=np.float64)
    codes, bits = pd.factorize(x.view(np.int64))
    texts = np.empty(len(bits), dtype=object)
    texts[:] = [_format_float(v) for v in np.asarray(bits, dtype=np.int64).view(np.float64)]
    return texts.take(codes)


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return the frame as the CSV writer writes it (floats formatted, formulas escaped)."""
    out = {}
    for col in df.columns:
        s = df[col]
        if s.dtype == np.float64:
            out[col] = pd.Series(_format_floats(s.to_numpy()), index=s.index, dtype=object)
        elif pd.api.types.is_float_dtype(s.dtype):  # float32, nullable Float64: as they are
            out[col] = s.map(_format_float).astype(object)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[col] = s.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object).where(s.notna(), "")
        elif pd.api.types.is_integer_dtype(s.dtype) and pd.api.types.is_extension_array_dtype(
            s.dtype
        ):
            # Nullable integers: each distinct value formatted once (pandas goes cell by cell).
            codes, uniques = pd.factorize(s)
            texts = np.array([str(int(v)) for v in uniques] + [""], dtype=object)
            out[col] = pd.Series(texts.take(codes), index=s.index, dtype=object)
        elif pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s
        else:
            out[col] = escape_formula(s)
    frame = pd.DataFrame(out, index=df.index)
    frame.columns = [_escape_cell(str(c)) for c in df.columns]
    return frame


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a frame as a CSV file Excel opens correctly, byte for byte reproducibly.

    Parameters
    ----------
    df
        The frame (written without its index).
    path
        Destination file.

    Notes
    -----
    UTF-8 with BOM; ``\\r\\n`` line ends (RFC 4180); floats via
    ``numpy.format_float_positional`` (shortest exact form, ``1`` rather than ``1.0``); dates as
    ``YYYY-MM-DD HH:MM:SS``; missing as empty; formula-like text escaped with
    :func:`escape_formula`, header included.
    """
    check_writable(path)
    text = csv_frame(df).to_csv(index=False, lineterminator="\r\n")
    Path(path).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def labelled_frame(
    df: pd.DataFrame, value_labels: Mapping[str, Mapping[Any, str]]  # codes: int, float or str
) -> pd.DataFrame:
    """Replace codes by their value labels, column by column (the ``responses_labels.csv`` form).

    Parameters
    ----------
    df
        The frame (numeric codes, or Categoricals that already hold labels). Not modified.
    value_labels
        ``{column: {code: label}}``, e.g. the value labels of :func:`sav_labels_from_codebook`.

    Returns
    -------
    pandas.DataFrame
        A copy in which each numeric column with value labels holds the label of each code (a
        Categorical of the texts); a code without a label keeps its number as text (``9``),
        missing stays missing.
        Columns without value labels (numbers, ranks, text, Categoricals) are unchanged.

    Examples
    --------
    >>> labelled_frame(pd.DataFrame({"q": [1.0, None, 9.0]}), {"q": {1: "是"}})["q"].tolist()
    ['是', nan, '9']
    """
    out = df.copy()
    for col, mapping in value_labels.items():
        if col not in out.columns or not mapping:
            continue
        s = out[col]
        if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        # Each distinct code is looked up once, and the column becomes a Categorical of the
        # texts (the CSV writer escapes and writes categories once each, not cell by cell).
        codes, uniques = pd.factorize(s.to_numpy(dtype=float, na_value=np.nan))
        texts = [mapping.get(int(c) if c.is_integer() else c, _format_float(c)) for c in uniques]
        which, categories = pd.factorize(np.array(texts, dtype=object))  # two codes, one label
        positions = np.append(which, -1).take(codes)  # code -1 (missing) stays missing
        out[col] = pd.Series(pd.Categorical.from_codes(positions, categories=pd.Index(categories)),
                             index=s.index, name=col)
    return out


# -- Parquet ------------------------------------------------------------------------------------
PARQUET_COMPRESSION = "zstd"
PARQUET_COMPRESSION_LEVEL = 3


def write_parquet(df: pd.DataFrame, path: str | Path) -> None:
    """Write a frame to Parquet with explicit, reproducible settings.

    Notes
    -----
    pyarrow stores the schema and the pandas/pyarrow versions but no time stamp, so the bytes
    depend only on the data and the library versions. Compression: zstd level 3; format 2.6;
    the index is not stored.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    check_writable(path)
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(
        table,
        str(path),
        compression=PARQUET_COMPRESSION,
        compression_level=PARQUET_COMPRESSION_LEVEL,
        version="2.6",
        use_dictionary=True,
        write_statistics=True,
    )


# -- SPSS ---------------------------------------------------------------------------------------
_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
#: Byte limits of ReadStat's SAV writer; it cuts longer labels mid-character, so we cut first.
SPSS_NAME_BYTES = 64
#: Longest string value SPSS Statistics accepts (bytes); a string variable is as wide as its
#: longest value in every case, so one pasted document would otherwise inflate the file.
SPSS_STRING_BYTES = 32767
SPSS_VARIABLE_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
SPSS_FILE_LABEL_BYTES = 64
#: Byte offsets of the creation date (``dd Mmm yy``, 9 bytes) and time (``hh:mm:ss``, 8 bytes)
#: in the 176-byte SAV file header record (``$FL2``): 4 record type + 60 product name + 5 int32
#: + 8 bias = 92.
SAV_DATE_OFFSET = 92
SAV_TIME_OFFSET = 101
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


#: Characters a cut label does not end with (an opening bracket, a separator).
_DANGLING = "（(【[《“‘：:，,、；; -—_"


def sav_file_label(text: str, limit: int = SPSS_FILE_LABEL_BYTES) -> str:
    """The SPSS file label of a title: whole when it fits in ``limit`` bytes of UTF-8, else cut
    at a character boundary, without a dangling opening bracket or separator, and ended by
    ``…``.

    Examples
    --------
    >>> sav_file_label("合成演示：技师学院党建工作规范化水平调研（合成数据，仅供演示）")
    '合成演示：技师学院党建工作规范化水平调研…'
    """
    text = " ".join(text.split())
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = _truncate_utf8(text, limit - len("…".encode())).rstrip(_DANGLING)
    return cut + "…"


def spss_names(columns: Iterable[object]) -> dict[str, str]:
    """Map column names to valid, unique SPSS variable names.

    Rules (SPSS Statistics "Variable names"): start with a letter; then letters, digits, ``_``,
    ``.``, ``$``, ``#``, ``@``; not ending with ``.``; at most 64 bytes; not a reserved word
    (ALL AND BY EQ GE GT LE LT NE NOT OR TO WITH); unique ignoring case. Other characters become
    ``_``; a name not starting with a letter gets a ``v`` in front (``_row`` → ``v_row``);
    clashes get ``_2``, ``_3``. Chinese letters are letters and are kept.

    Returns
    -------
    dict
        ``{original: spss_name}`` for every column (equal when nothing had to change).
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col in columns:
        original = str(col)
        name = "".join(c if (c.isalnum() or c in "_.$#@") else "_" for c in original)
        if not name or not name[0].isalpha():
            name = "v" + name
        name = name.rstrip(".") or "v"
        if name.upper() in _SPSS_RESERVED:
            name += "_"
        name = _truncate_utf8(name, SPSS_NAME_BYTES)
        base, n = name, 1
        while name.upper() in taken:
            n += 1
            suffix = f"_{n}"
            name = _truncate_utf8(base, SPSS_NAME_BYTES - len(suffix)) + suffix
        taken.add(name.upper())
        mapping[original] = name
    return mapping


def _sav_text(s: pd.Series) -> tuple[np.ndarray, int]:
    """A text column as pyreadstat writes it: ``str`` values, missing as ``""``, each cut to
    :data:`SPSS_STRING_BYTES`; and the number of values cut.

    Columns whose values are all text (string and categorical dtypes, object columns of
    ``str``) are converted once per distinct value and expanded with ``take``; mixed objects
    (where ``1`` and ``1.0`` hash alike but print differently) value by value.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories.to_numpy(dtype=object)
    elif pd.api.types.is_string_dtype(s.dtype) and (
        s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
    ):
        codes, uniques = pd.factorize(s.to_numpy(dtype=object))
        uniques = np.asarray(uniques, dtype=object)
    else:
        values = ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                  for v in s.tolist()]  # fmt: skip
        cut = [_truncate_utf8(v, SPSS_STRING_BYTES) for v in values]
        return np.array(cut, dtype=object), sum(a != b for a, b in zip(values, cut, strict=True))
    texts = [str(v) for v in uniques]
    table = np.empty(len(texts) + 1, dtype=object)
    table[:-1] = [_truncate_utf8(v, SPSS_STRING_BYTES) for v in texts]
    table[-1] = ""  # code -1: missing
    long = np.flatnonzero([a != b for a, b in zip(texts, table[:-1], strict=True)])
    n_cut = int(np.isin(codes, long).sum()) if len(long) else 0
    return table.take(codes), n_cut


def _sav_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Convert columns to what pyreadstat writes well: numbers as float, text as str.

    Integers and booleans become float64 (every SPSS number is a double; the format set by
    :func:`write_sav` shows them without decimals), missing as NaN.
    """
    out: dict[Hashable, pd.Series] = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_integer_dtype(s.dtype):
            out[col] = s.astype("float64")
        elif pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(
            s.dtype
        ):
            out[col] = s
        else:
            # Text, categories and mixed objects: strings, missing as "" (SPSS has no missing
            # string; ReadStat writes blanks either way).
            values, n_cut = _sav_text(s)
            if n_cut:
                warnings.warn(
                    f"responses.sav：SPSS 的文本值最长 {SPSS_STRING_BYTES} 字节，列 {col} 中有 "
                    f"{n_cut} 个值超长，在 .sav 中被截断（.csv 和 .parquet 中保留全文）。",
                    SurveyWarning,
                    stacklevel=2,
                )
            out[col] = pd.Series(values, index=s.index, dtype=object)
    return pd.DataFrame(out, index=df.index)


def _sav_codes(
    df: pd.DataFrame, value_labels: Mapping[str, Mapping[Any, str]]  # codes: int, float or str
) -> tuple[pd.DataFrame, dict[str, Mapping[Any, str]]]:
    """Categorical columns as integer codes with their categories as value labels.

    A Categorical whose categories all appear among the labels given for it (a single-choice
    item with the codebook's options) takes the codes of those labels; any other (``college``,
    ``source_file``) is numbered 1, 2, ... in category order. Returns the frame and the value
    labels to write.
    """
    out = df.copy(deep=False)
    labels = dict(value_labels)
    for col in df.columns:
        s = df[col]
        if not isinstance(s.dtype, pd.CategoricalDtype):
            continue
        cats = [str(c) for c in s.cat.categories]
        given = value_labels.get(col) or {}
        inverse = {str(v): k for k, v in given.items()}
        if cats and all(c in inverse for c in cats) and all(
            isinstance(inverse[c], int | np.integer) for c in cats
        ):
            table = [int(inverse[c]) for c in cats]
        else:
            table = list(range(1, len(cats) + 1))
            labels[col] = dict(zip(table, cats, strict=True))
        out[col] = category_codes(s, table)
    return out, labels


def _sav_formats(df: pd.DataFrame) -> dict[str, str]:
    """``F<w>.0`` for every integer or boolean column, ``w`` the digits of its widest value."""
    formats: dict[str, str] = {}
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
            continue
        x = s.dropna().astype("int64")
        width = max((len(str(int(v))) for v in (x.min(), x.max())), default=1) if len(x) else 1
        formats[str(col)] = f"F{width}.0"
    return formats


def sav_timestamp() -> dt.datetime:
    """The creation time stamped into SAV headers: ``SOURCE_DATE_EPOCH`` if set, else 1970-01-01.

    ``SOURCE_DATE_EPOCH`` is the reproducible-builds convention (seconds since 1970, UTC).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else 0
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def fix_sav_timestamp(path: str | Path, when: dt.datetime | None = None) -> None:
    """Overwrite the creation date and time in a SAV file header with a fixed value.

    ReadStat fills them from ``time(NULL)`` in local time (``sav_emit_header`` in
    ``src/spss/readstat_sav_write.c``) and pyreadstat exposes no way to set them
    (``readstat_writer_set_file_timestamp`` is not wrapped), so two runs differ in these 17
    bytes only. SPSS shows them as the file's creation date; nothing else depends on them.
    """
    when = when or sav_timestamp()
    date = f"{when.day:02d} {_MONTHS[when.month - 1]} {when.year % 100:02d}".encode("ascii")
    time = f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}".encode("ascii")
    with open(path, "r+b") as fh:
        magic = fh.read(4)
        if magic not in (b"$FL2", b"$FL3"):
            raise ValueError(f"{path} is not an SPSS system file (magic {magic!r})")
        fh.seek(SAV_DATE_OFFSET)
        fh.write(date)
        fh.seek(SAV_TIME_OFFSET)
        fh.write(time)


#: Value labels of one variable: ``{code: label}`` with numeric or text codes.
ValueLabels = Mapping[int, str] | Mapping[float, str] | Mapping[str, str]


def write_sav(
    df: pd.DataFrame,
    path: str | Path,
    variable_labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, ValueLabels] | None = None,
    *,
    file_label: str = "",
    variable_measure: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Write a frame as an SPSS ``.sav`` file with labels, reproducibly.

    Parameters
    ----------
    df
        The frame (index not written). Numbers and booleans become numeric variables (integer
        columns with the format ``F<w>.0``, ``w`` the digits of the widest value), dates SPSS
        datetimes, Categoricals integer codes with value labels (the codes of
        ``value_labels`` when these name every category, else 1, 2, ... in category order),
        everything else UTF-8 strings (missing text as blank).
    path
        Destination file.
    variable_labels
        ``{column: label}``; columns renamed for SPSS get their original name as label when
        none is given. Labels longer than 256 bytes are cut at a character boundary.
    value_labels
        ``{column: {code: label}}``; labels are cut at 120 bytes (ReadStat's limit).
    file_label
        Shown by SPSS as the file label; cut to 64 bytes by :func:`sav_file_label`.
    variable_measure
        ``{column: "nominal" | "ordinal" | "scale"}``; Categoricals default to nominal
        (ordinal when ordered).

    Returns
    -------
    dict
        ``{original column: SPSS name}`` for the columns that had to be renamed.

    Notes
    -----
    Written with ``pyreadstat.write_sav`` (ReadStat), which declares UTF-8 in the file.
    Afterwards :func:`fix_sav_timestamp` sets the header's creation date/time to
    :func:`sav_timestamp` so repeated runs give identical bytes.
    """
    import pyreadstat

    check_writable(path)
    names = spss_names(df.columns)
    cats = {str(c): "ordinal" if df[c].cat.ordered else "nominal"
            for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)}  # fmt: skip
    df, value_labels = _sav_codes(df, value_labels or {})
    formats = {names[c]: f for c, f in _sav_formats(df).items()}
    frame = _sav_frame(df).rename(columns={str(k): v for k, v in names.items()})
    renamed = {k: v for k, v in names.items() if k != v}
    labels: dict[str, str | None] = {}
    for col, new in names.items():
        label = (variable_labels or {}).get(col) or (col if col in renamed else None)
        if label:
            labels[new] = _truncate_utf8(str(label), SPSS_VARIABLE_LABEL_BYTES)
    values: dict[str, dict[float | str, str]] = {}
    for col, mapping in (value_labels or {}).items():
        if col not in names or not mapping:
            continue
        numeric = pd.api.types.is_numeric_dtype(frame[names[col]].dtype)
        values[names[col]] = {
            (float(k) if numeric else str(k)): _truncate_utf8(str(v), SPSS_VALUE_LABEL_BYTES)
            for k, v in mapping.items()
        }
    measure = {names[c]: m for c, m in (cats | dict(variable_measure or {})).items() if c in names}
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=sav_file_label(file_label),
        column_labels=labels or None,
        # pyreadstat takes text keys for text columns too; its stubs allow numbers only
        variable_value_labels=values or None,  # type: ignore[arg-type]
        variable_measure=measure or None,
        variable_format=formats or None,
    )
    fix_sav_timestamp(path)
    return renamed


#: Variable labels of the responses' columns that are not items.
META_LABELS = {
    "response_id": "答卷编号",
    "source_file": "原始导出文件",
    "source_row": "原始文件中的行号（按 Excel 显示）",
    "submitted_at": "提交答卷时间",
    "duration_s": "作答用时（秒）",
}


def sav_labels_from_codebook(
    codebook: Codebook,
) -> tuple[dict[str, str], dict[str, dict[int, str]], dict[str, str]]:
    """Variable labels, value labels and measurement levels for the codebook's columns.

    Returns
    -------
    variable_labels, value_labels, variable_measure
        Ready for :func:`write_sav`. Likert items are ordinal, single choice nominal, numeric
        scale; multiple-choice columns are labelled ``题干：选项`` with 0 = 未选, 1 = 选中;
        ranking columns ``题干：选项（排序）``; pseudonym columns, ``respondent_key`` and the
        columns of :data:`META_LABELS` are labelled too.
    """
    var_labels: dict[str, str] = dict(META_LABELS)
    val_labels: dict[str, dict[int, str]] = {}
    measure: dict[str, str] = {}
    for item in codebook.items:
        label = item.label or item.text
        options = codebook.options(item.id)
        if item.type in ("multiple", "ranking"):
            for code, opt in sorted(options.items()):
                col = f"{item.id}_{code}"
                if item.type == "multiple":
                    var_labels[col] = f"{label}：{opt}"
                    val_labels[col] = {0: "未选", 1: "选中"}
                    measure[col] = "nominal"
                else:
                    var_labels[col] = f"{label}：{opt}（排序）"
                    measure[col] = "ordinal"
        else:
            var_labels[item.id] = label
            if item.type in ("likert", "single") and options:
                val_labels[item.id] = dict(sorted(options.items()))
            measure[item.id] = {"likert": "ordinal", "single": "nominal", "numeric": "scale"}.get(
                item.type, "nominal"
            )
        if item.other_option is not None:
            var_labels[f"{item.id}_other"] = f"{label}：其他（请注明）"
    for ident in codebook.identifiers:
        if ident.respondent_key:
            var_labels["respondent_key"] = "受访者代码（HMAC-SHA256 假名）"
        elif ident.action == "pseudonymise":
            var_labels[f"{ident.id}_pseudo"] = f"{ident.id}（HMAC-SHA256 假名）"
        elif ident.action == "coarsen":
            var_labels[f"{ident.id}_province"] = "IP 所在省份"
    return var_labels, val_labels, measure
