"""Turning mapped string columns into the canonical response frame (see docs/architecture.md).

Cells are decoded once per distinct value (exports repeat the same few labels thousands of
times), and every problem names the file, the Excel row where the value first occurs and the
column.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook, Item
from survey.errors import SurveyError, SurveyWarning
from survey.io.normalise import (
    is_missing_token,
    normalise_text,
    parse_duration,
    parse_number,
)
from survey.io.readers._mapping import ColumnSpec, LabelMap, expected_headers, header_index
from survey.io.readers.wjx_headers import split_other

T = TypeVar("T")

__all__ = ["DECODERS", "FRAME_PREFIX", "ReadResult", "build_frame", "fingerprint", "header_map"]

#: Columns every reader puts first, in this order.
FRAME_PREFIX = ["_file", "_row", "_format", "_seq", "submitted_at", "duration_s"]


@dataclass
class ReadResult:
    """What a reader returns for one file.

    Attributes
    ----------
    frame
        The canonical response frame (docs/architecture.md), one row per answer sheet.
    fingerprint
        Short hash of the questionnaire items found in the file (:func:`fingerprint`).
    format
        ``wjx_text``, ``wjx_code``, ``wjw_text``, ``wjw_code``, ``generic`` or ``spss`` (or
        another platform reader's format).
    encoding
        Text encoding of a CSV / SPSS file, else ``None``.
    n_rows
        Number of answer rows read.
    header_map
        Export header → output column (``"(元数据)"`` / ``"(忽略)"`` for dropped columns).
    notes
        Things worth telling the user (Chinese).
    file
        The file as named in ``study.yaml``.
    """

    frame: pd.DataFrame
    fingerprint: str
    format: str
    encoding: str | None
    n_rows: int
    header_map: dict[str, str]
    notes: list[str] = field(default_factory=list)
    file: str = ""


class CellError(Exception):
    """A cell that cannot be decoded (turned into a SurveyError with row and column)."""

    def __init__(self, problem: str, expected: str | None = None, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.expected = expected
        self.hint = hint


# -- one cell -------------------------------------------------------------------------------
def _is_missing_code(x: float, missing: set[float]) -> bool:
    return not math.isnan(x) and x in missing


def _choice(cell: str, mode: str, lm: LabelMap, missing: set[float]) -> tuple[float, str | None]:
    label, other = split_other(cell)
    n = normalise_text(label)
    num = parse_number(n)
    if not math.isnan(num) and _is_missing_code(num, missing):
        return math.nan, other
    if mode == "label":
        code = lm.lookup(n) if n else None
        if code is None and other is not None and lm.other is not None:
            code = lm.other
        if code is None:
            raise CellError(
                f"选项“{n}”不在编码手册该题的选项中",
                expected=f"以下选项之一：{lm.allowed()}",
                hint="若这是同一选项的另一种写法，在编码手册该题的 option_aliases 中加入它",
            )
        return float(code), other
    if not math.isnan(num):
        return num, other
    if n == "" and other is not None and lm.other is not None:
        return float(lm.other), other
    if mode == "auto":
        code = lm.lookup(n)
        if code is not None:
            return float(code), other
        raise CellError(
            f"“{n}”既不是数字代码，也不是该题的选项",
            expected=f"数字代码或以下选项之一：{lm.allowed()}",
            hint="若这是同一选项的另一种写法，在编码手册该题的 option_aliases 中加入它",
        )
    raise CellError(
        f"按序号导出的文件中应为数字代码，实际为“{n}”",
        expected=f"数字代码：{lm.allowed()}",
        hint="若该文件其实是“按文本”下载，请在 study.yaml 中把 format 改为 wjx_text（或 auto）",
    )


def _split_codes(cell: str, sep: str, mode: str) -> list[str]:
    parts = [p for p in cell.split(sep)]
    if len(parts) == 1 and mode != "label":
        t = normalise_text(cell)
        if re.fullmatch(r"-?\d+([,;、\s]+-?\d+)*", t):
            parts = re.split(r"[,;、\s]+", t)
    return [p.strip() for p in parts if p.strip()]


def _joined(
    cell: str, item: Item, mode: str, lm: LabelMap, missing: set[float], sep: str
) -> tuple[dict[int, float], str | None]:
    """A 按文本 multiple (``A┋B``) or ranking (``A→B``) cell → {code: 1 or rank}."""
    out: dict[int, float] = {}
    other_text = None
    for pos, part in enumerate(_split_codes(cell, sep, mode), start=1):
        code, other = _choice(part, mode, lm, missing)
        if math.isnan(code):
            continue
        if float(code).is_integer() and int(code) in lm.options:
            c = int(code)
        else:
            raise CellError(
                f"代码 {part} 不是该题的选项",
                expected=f"以下选项之一：{lm.allowed()}",
            )
        if other is not None:
            other_text = other
        out.setdefault(c, 1.0 if item.type == "multiple" else float(pos))
    return out, other_text


def _option_cell(
    cell: str, option_label: str, missing: set[float], is_other: bool = False
) -> tuple[float, str | None]:
    """One 按序号 per-option cell: 0/1 (multiple) or a rank; ``1〖text〗`` / ``〖text〗`` chosen
    with text. For the "other" option a bare text is also read as chosen + text (unconfirmed
    export form)."""
    label, other = split_other(cell)
    n = normalise_text(label)
    if n == "" and other is not None:
        return 1.0, other
    num = parse_number(n)
    if not math.isnan(num):
        return (math.nan if num in missing else num), other
    if n.replace(" ", "") == normalise_text(option_label).replace(" ", ""):
        return 1.0, other
    if is_other:
        return 1.0, cell.strip()
    raise CellError(f"“{n}”不是数字", expected="0（未选）、1（选中）或名次数字")


_UNIT_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*[\u4e00-\u9fff]{1,3}$")


# -- whole frame ----------------------------------------------------------------------------
def _codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)`` of a string column (object or categorical), codes in row order.

    Exports repeat a few labels many times: everything below decodes each distinct value once
    and expands the result with a NumPy ``take`` instead of mapping cell by cell. Every unique
    value occurs at least once (unused categories are dropped).
    """
    if isinstance(col.dtype, pd.CategoricalDtype) and not col.hasnans:
        codes = col.cat.codes.to_numpy()
        cats = np.asarray(col.cat.categories, dtype=object)
        used = np.bincount(codes, minlength=len(cats)) > 0
        if used.all():
            return codes, cats
        remap = np.cumsum(used) - 1
        return remap[codes], cats[used]
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)


def _expand(values: Sequence[object] | np.ndarray, codes: np.ndarray, dtype: str | type = object) -> pd.Series:
    """The per-row series of per-distinct-value ``values`` (``values[codes]``)."""
    arr = _object_array(values) if dtype is object else np.asarray(values, dtype=dtype)
    return pd.Series(arr.take(codes), dtype=dtype, copy=False)


def _object_array(values: Sequence[object] | np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):  # element-wise: tuples and dicts must stay whole
        out[i] = v
    return out


_PLAIN_NUMBER = r"-?[0-9]{1,15}(?:\.[0-9]+)?"


def _numbers(values: np.ndarray) -> np.ndarray:
    """:func:`parse_number` of each value; plain ASCII numbers (most 序号) converted at once."""
    s = pd.Series(values, dtype=object)
    plain = np.array([isinstance(v, str) for v in values], dtype=bool)
    plain[plain] = s[plain].astype(str).str.fullmatch(_PLAIN_NUMBER).to_numpy(dtype=bool)
    out = np.full(len(values), np.nan)
    out[plain] = pd.to_numeric(s[plain].astype(str)).to_numpy(dtype=float)
    for k in np.flatnonzero(~plain):
        out[k] = parse_number(values[k])
    return out


def _decode_unique(
    col: pd.Series,
    fn: Callable[[str], T],
    *,
    rows: list[int],
    display: str,
    column: str,
) -> tuple[np.ndarray, list[T]]:
    """Apply ``fn`` to every distinct cell; a CellError becomes a SurveyError at its first row.

    Returns
    -------
    (codes, decoded)
        ``decoded[codes[i]]`` is the value of row ``i``.
    """
    codes, uniques = _codes(col)
    out: list[T] = []
    for k, value in enumerate(uniques):
        try:
            out.append(fn(value))
        except CellError as exc:
            first = int(np.flatnonzero(codes == k)[0])
            raise SurveyError(
                exc.problem,
                file=display,
                row=rows[first],
                column=column,
                expected=exc.expected,
                hint=exc.hint,
            ) from None
    return codes, out


_DATETIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)


def _parse_formats(texts: pd.Series, todo: np.ndarray, parsed: np.ndarray) -> None:
    """Try each export time format, in order, on the ``todo`` values at once (in place)."""
    for fmt in _DATETIME_FORMATS:
        if not todo.any():
            return
        idx = np.flatnonzero(todo)
        got = pd.to_datetime(texts.iloc[idx], format=fmt, errors="coerce")
        hit = got.notna().to_numpy()
        parsed[idx[hit]] = got[hit].to_numpy(dtype="datetime64[ns]")
        todo[idx[hit]] = False


def _parse_datetimes(
    col: pd.Series, rows: list[int], display: str, where: str, notes: list[str]
) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, uniques = _codes(col)
    else:  # mostly distinct (one time per answer sheet): parsing beats hashing
        codes, uniques = np.arange(len(col)), col.to_numpy(dtype=object)
    parsed = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    is_str = np.array([isinstance(v, str) for v in uniques], dtype=bool)
    # Most exports write clean times: parse the distinct raw texts first, vectorised; only what
    # fails is normalised (full-width digits, stray spaces) and tried again, then read as an
    # Excel serial date.
    todo = is_str.copy()
    _parse_formats(pd.Series(uniques, dtype=object), todo, parsed)
    rest = np.flatnonzero(todo | ~is_str)
    rcodes, rvals = pd.factorize(pd.Series(uniques[rest], dtype=object), use_na_sentinel=False)
    texts = pd.Series([normalise_text(v) for v in rvals], dtype=object)
    todo2 = ~np.array([is_missing_token(t) for t in texts], dtype=bool)
    sub = np.full(len(rvals), np.datetime64("NaT"), dtype="datetime64[ns]")
    _parse_formats(texts, todo2, sub)
    bad: list[int] = []
    for j in np.flatnonzero(todo2):
        num = parse_number(texts.iloc[j])
        if 20000 <= num <= 80000:  # an Excel serial date (days since 1899-12-30)
            ts = pd.Timestamp("1899-12-30") + pd.to_timedelta(num, unit="D")
            sub[j] = ts.round("s").to_datetime64()
        else:
            u = rest[np.flatnonzero(rcodes == j)[0]]
            bad.append(int(np.flatnonzero(codes == u)[0]))
    parsed[rest] = sub.take(rcodes)
    if bad:
        notes.append(
            f"{display}：{where} 有 {len(bad)} 种无法识别的时间，已设为缺失（首次出现于第 {rows[min(bad)]} 行）。"
        )
    return pd.Series(parsed.take(codes), dtype="datetime64[ns]", copy=False)


def build_frame(
    data: pd.DataFrame,
    specs: list[ColumnSpec],
    codebook: Codebook,
    *,
    rows: list[int],
    display: str,
    fmt: str,
    modes: dict[str, str],
    header_row: int = 1,
) -> tuple[pd.DataFrame, list[str]]:
    """Decode mapped string columns into the canonical frame.

    Parameters
    ----------
    data
        Strings (``""`` empty), one column per header of ``specs`` (same order).
    specs
        From :func:`~survey.io.readers._mapping.map_columns`.
    codebook
        The codebook.
    rows
        Excel row of each data row.
    display, fmt
        The file name (``_file``) and format (``_format``).
    modes
        Item id → ``"label"`` (按文本: cells are option labels), ``"code"`` (按序号: cells are
        numbers) or ``"auto"`` (numbers are codes, other text is looked up as a label).

    Returns
    -------
    (frame, notes)
    """
    n = len(data)
    notes: list[str] = []
    out: dict[str, pd.Series] = {
        "_file": pd.Series(np.full(n, display, dtype=object), dtype=object, copy=False),
        "_row": pd.Series(np.asarray(rows, dtype=np.int64), dtype="int64", copy=False),
        "_format": pd.Series(np.full(n, fmt, dtype=object), dtype=object, copy=False),
        "_seq": pd.Series(np.full(n, np.nan)),
        "submitted_at": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
        "duration_s": pd.Series(np.full(n, np.nan)),
    }
    by_item: dict[str, list[tuple[ColumnSpec, pd.Series]]] = {}
    for spec, name in zip(specs, data.columns, strict=True):
        col = data[name].reset_index(drop=True)
        if spec.kind == "meta" and spec.target == "submitted_at":
            out["submitted_at"] = _parse_datetimes(col, rows, display, spec.described, notes)
            continue
        if not isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        if spec.kind == "meta" and spec.target == "_seq":
            codes, uniques = _codes(col)
            out["_seq"] = _expand(_numbers(uniques), codes, "float64")
        elif spec.kind == "meta" and spec.target == "duration_s":
            codes, uniques = _codes(col)
            durations = [parse_duration(v) for v in uniques]
            bad = [v for v, d in zip(uniques, durations, strict=True)
                   if math.isnan(d) and not is_missing_token(v)]
            if bad:
                notes.append(
                    f"{display}：{spec.described} 有无法识别的用时（如“{bad[0]}”），已设为缺失。"
                )
            out["duration_s"] = _expand(durations, codes, "float64")
        elif spec.kind == "identifier":
            codes, uniques = _codes(col)
            out[spec.target] = _expand(
                [np.nan if is_missing_token(v) else normalise_text(v) for v in uniques], codes
            )
        elif spec.kind == "item":
            by_item.setdefault(spec.target, []).append((spec, col))
    for ident in codebook.identifiers:
        if ident.id not in out:
            out[ident.id] = pd.Series([np.nan] * n, dtype=object)
            notes.append(f"{display}：文件中没有标识列 {ident.id}（{ident.kind}），该列为空。")
    for item in codebook.items:
        if item.id in by_item:
            mode = modes.get(item.id, "auto")
            out.update(_decode_item(item, by_item[item.id], codebook, rows, display, mode, notes))
        else:
            out.update(_absent_item(item, codebook, n, display, header_row, notes))
    order = [*FRAME_PREFIX, *(i.id for i in codebook.identifiers), *codebook.item_columns()]
    frame = pd.DataFrame({c: out[c] for c in order}, copy=False)
    return frame, notes


def _absent_item(
    item: Item, codebook: Codebook, n: int, display: str, header_row: int, notes: list[str]
) -> dict[str, pd.Series]:
    """The all-missing columns of an item the file lacks (an error if the item is required)."""
    if item.required:
        raise SurveyError(
            f"文件中缺少编码手册要求的题目 {item.id}（{item.text}）",
            file=display,
            row=header_row,
            expected=f"表头中有{expected_headers(item, codebook.options(item.id))}",
            hint="检查是否下载了正确版本的问卷；若该题可缺，在编码手册中为它写 required: false",
        )
    notes.append(f"{display}：文件中没有可选题目 {item.id}，该题记为缺失。")
    return {
        c: pd.Series(
            [np.nan] * n,
            dtype=object if c.endswith("_other") or item.type == "text" else "float64",
        )
        for c in codebook.columns(item.id)
    }


@dataclass
class ItemCells:
    """One item's export columns and everything its cells are decoded with.

    Attributes
    ----------
    item, options, labels, missing
        The codebook item, its options, their labels (:class:`LabelMap`) and missing codes.
    mode
        ``"label"``, ``"code"`` or ``"auto"`` (see :func:`build_frame`).
    values, option_cols
        ``(spec, column)`` pairs: one column for the whole item, or one per option.
    rows, display, notes
        Excel rows of the data rows and the file name (for messages); notes are appended to.
    """

    item: Item
    options: dict[int, str]
    labels: LabelMap
    missing: set[float]
    mode: str
    values: list[tuple[ColumnSpec, pd.Series]]
    option_cols: list[tuple[ColumnSpec, pd.Series]]
    rows: list[int]
    display: str
    notes: list[str]

    def decode(
        self, spec: ColumnSpec, col: pd.Series, fn: Callable[[str], T]
    ) -> tuple[np.ndarray, list[T]]:
        """:func:`_decode_unique` of one of the item's columns."""
        return _decode_unique(col, fn, rows=self.rows, display=self.display, column=spec.described)


#: What a decoder returns: the item's output columns and its "other" texts (``None``: none).
Decoded = tuple[dict[str, pd.Series], pd.Series | None]


def _other_texts(
    codes: np.ndarray, pairs: Sequence[tuple[object, str | None]]
) -> pd.Series | None:
    """Per row, the "other" text of ``(value, other)`` pairs; ``None`` when there is none."""
    if all(p[1] is None for p in pairs):
        return None
    return _expand([np.nan if p[1] is None else p[1] for p in pairs], codes)


def decode_choice(cells: ItemCells) -> Decoded:
    """A likert or single-choice item: one column of labels or codes."""
    spec, col = cells.values[0]

    def one(v: str) -> tuple[float, str | None]:
        if is_missing_token(v):
            return math.nan, None
        return _choice(v, cells.mode, cells.labels, cells.missing)

    codes, pairs = cells.decode(spec, col, one)
    return {cells.item.id: _expand([p[0] for p in pairs], codes, "float64")}, _other_texts(codes, pairs)


def decode_numeric(cells: ItemCells) -> Decoded:
    """A numeric item: plain numbers; a number with a unit (``12 年``) keeps its number."""
    spec, col = cells.values[0]
    odd: list[str] = []

    def one(v: str) -> float:
        if is_missing_token(v):
            return math.nan
        x = parse_number(v)
        if math.isnan(x):
            m = _UNIT_NUMBER.match(normalise_text(v))
            if m:
                x = float(m.group(1))
            odd.append(normalise_text(v))
        return math.nan if x in cells.missing else x

    codes, nums = cells.decode(spec, col, one)
    if odd:
        cells.notes.append(
            f"{cells.display}：{spec.described} 有 {len(odd)} 种非纯数字的填写（如“{odd[0]}”）："
            "带单位的取其数字，其余记为缺失。"
        )
    return {cells.item.id: _expand(nums, codes, "float64")}, None


def decode_text(cells: ItemCells) -> Decoded:
    """A free-text item: the text, stripped (a missing code of a 按序号 file is missing)."""
    spec, col = cells.values[0]

    def one(v: str) -> str | float:
        if is_missing_token(v):
            return np.nan
        if cells.mode == "code" and parse_number(v) in cells.missing:
            return np.nan
        return v.strip()

    codes, texts = cells.decode(spec, col, one)
    return {cells.item.id: _expand(texts, codes)}, None


def decode_options(cells: ItemCells) -> Decoded:
    """A multiple-choice (0/1 per option) or ranking item (rank per option).

    Read from one joined column (按文本 ``A┋B`` / ``A→B``) or from one column per option
    (按序号, generic ``Q5_2``).
    """
    item, options = cells.item, cells.options
    n = len(cells.rows)
    frame = pd.DataFrame(np.nan, index=range(n), columns=[f"{item.id}_{c}" for c in sorted(options)])
    other: pd.Series | None = None
    if cells.values:
        spec, col = cells.values[0]
        sep = "┋" if item.type == "multiple" else "→"

        def joined(v: str) -> tuple[dict[int, float] | None, str | None]:
            if is_missing_token(v):
                return None, None
            return _joined(v, item, cells.mode, cells.labels, cells.missing, sep)

        codes, pairs = cells.decode(spec, col, joined)
        fill = 0.0 if item.type == "multiple" else np.nan
        for code in sorted(options):
            frame[f"{item.id}_{code}"] = _expand(
                [np.nan if p[0] is None else p[0].get(code, fill) for p in pairs], codes, "float64"
            )
        other = _other_texts(codes, pairs)
    else:
        for spec, col in cells.option_cols:
            label = options.get(spec.code, "") if spec.code is not None else ""
            is_other = spec.code == item.other_option

            def one(v: str, lab: str = label, oth: bool = is_other) -> tuple[float, str | None]:
                if is_missing_token(v):
                    return math.nan, None
                return _option_cell(v, lab, cells.missing, oth)

            option_codes, chosen = cells.decode(spec, col, one)
            frame[f"{item.id}_{spec.code}"] = _expand([p[0] for p in chosen], option_codes, "float64")
            other = _first_of(other, _other_texts(option_codes, chosen))
        absent = sorted(set(options) - {s.code for s, _ in cells.option_cols})
        if absent:
            cells.notes.append(
                f"{cells.display}：题目 {item.id} 缺少选项 {absent} 的列，这些选项记为缺失。"
            )
    return {c: frame[c] for c in frame.columns}, other


#: Item type → its decoder; every decoder takes the item's :class:`ItemCells`.
DECODERS: dict[str, Callable[[ItemCells], Decoded]] = {
    "likert": decode_choice,
    "single": decode_choice,
    "numeric": decode_numeric,
    "text": decode_text,
    "multiple": decode_options,
    "ranking": decode_options,
}


def _decode_item(
    item: Item,
    parts: list[tuple[ColumnSpec, pd.Series]],
    codebook: Codebook,
    rows: list[int],
    display: str,
    mode: str,
    notes: list[str],
) -> dict[str, pd.Series]:
    """Decode one item's columns with its type's decoder; add its "other" text column."""
    values = [(s, c) for s, c in parts if s.role == "value"]
    option_cols = [(s, c) for s, c in parts if s.role == "option"]
    if values and option_cols:
        raise SurveyError(
            f"题目 {item.id} 既有整题一列，又有每个选项一列，无法确定以哪一种为准",
            file=display,
            column=f"{values[0][0].described} 与 {option_cols[0][0].described}",
            hint="若整题一列是按序号下载中“其他”选项的填写内容，在编码手册该题写 other_option"
            "（其他选项的代码），该列即读作 <id>_other；否则把其中一种列加入 ignore_columns",
        )
    index = header_index(codebook)  # its option labels, built once per codebook
    cells = ItemCells(
        item=item,
        options=index.options[item.id],
        labels=index.label_maps[item.id],
        missing=set(codebook.missing_codes_for(item.id)),
        mode=mode,
        values=values,
        option_cols=option_cols,
        rows=rows,
        display=display,
        notes=notes,
    )
    result, other = DECODERS[item.type](cells)
    missing = cells.missing

    def other_text(v: str) -> str | float:
        if is_missing_token(v) or parse_number(v) in missing:
            return np.nan  # (空) / (跳过), or a missing code of a 按序号 file
        return v.strip()

    for _spec, col in (p for p in parts if p[0].role == "other"):
        codes, uniques = _codes(col)
        got = _expand([other_text(v) for v in uniques], codes)
        other = _first_of(got, other)
    if f"{item.id}_other" in codebook.columns(item.id):
        result[f"{item.id}_other"] = (
            other.astype(object) if other is not None else pd.Series([np.nan] * len(rows), dtype=object)
        )
    elif other is not None and other.notna().any():
        first = int(np.flatnonzero(other.notna().to_numpy())[0])
        notes.append(
            f"{display}：题目 {item.id} 有“其他”填写内容（如第 {rows[first]} 行），"
            "但编码手册没有 other_option，填写内容未保留。"
        )
    return result


def _first_of(a: pd.Series | None, b: pd.Series | None) -> pd.Series | None:
    """``a`` where it has a value, else ``b`` (either may be None: nothing)."""
    if a is None or b is None:
        return b if a is None else a
    return a.where(a.notna(), b)


def fingerprint(specs: list[ColumnSpec], codebook: Codebook) -> str:
    """Short SHA-256 over the items found in a file.

    Each found item contributes its id, its 问卷星 question number and what its header shows:
    the normalised stem or matrix-row text; for multiple-choice and ranking items the set of
    option codes the file can hold (按文本 cells must use the codebook's labels; 按序号 headers
    show the options). The 按文本 and 按序号 variants of one download therefore print alike,
    while a reworded stem, a changed matrix row, a renumbered or missing question does not.
    """
    entries: dict[str, list[Any]] = {}
    for s in specs:
        if s.kind != "item" or s.role == "other":
            continue
        item = codebook.item(s.target)
        if item.type in ("multiple", "ranking"):
            e = entries.setdefault(item.id, [item.id, s.question, "options", []])
            if s.role == "option":
                e[3].append(s.code)
            else:
                e[3].extend(codebook.options(item.id))
        else:
            entries[item.id] = [item.id, s.question, s.form if s.form != "stem" else "stem", s.text]
    payload = []
    for key in sorted(entries):
        e = entries[key]
        if e[2] == "options":
            e = [e[0], e[1], e[2], sorted(set(e[3]))]
        payload.append(e)
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:12]


def header_map(specs: list[ColumnSpec]) -> dict[str, str]:
    """Export header → output column; ``(元数据)`` / ``(忽略)`` for columns not kept."""
    out: dict[str, str] = {}
    for s in specs:
        if s.kind in ("item", "identifier"):
            out[s.header] = s.output
        elif s.kind == "meta":
            out[s.header] = s.target or "(元数据)"
        else:
            out[s.header] = "(忽略)"
    return out


def warn_notes(notes: list[str]) -> None:
    """Issue each note as a :class:`SurveyWarning` (the CLI logs them)."""
    import warnings

    for note in notes:
        warnings.warn(note, SurveyWarning, stacklevel=3)
