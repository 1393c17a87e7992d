"""腾讯问卷 (Tencent Questionnaire) downloads: CSV (UTF-8 with BOM) and XLSX.

Layout (facts: ../shared/FORMATS.md, section 腾讯问卷):

* meta columns first. Older downloads: ``编号, 开始答题时间, 结束答题时间, 答题时长,
  地理位置国家和地区, 地理位置省, 地理位置市, 自定义字段``; newer ones add ``用户类型, 用户标识,
  昵称, 起始答题时间, IP, UA, Referrer, 语言, 清洗数据结果, 智能清洗数据无效概率, 中奖时间,
  中奖金额, 审核状态``. Rows may end with a trailing comma / an empty last column (a column with
  no header is left out by :func:`~survey.io.readers.tabular.read_table`).
* ``编号`` is the respondent's serial number (like 问卷星's 序号 → ``_seq``), ``结束答题时间`` the
  submission time (like 提交答卷时间 → ``submitted_at``), ``答题时长`` the time taken in seconds
  (like 所用时间 → ``duration_s``). Times read as ``2021-02-02 20:26:58`` or
  ``02-Feb-2021 20:26:58``.
* the other meta columns are dropped, like 问卷星's 来源 / 来自IP, **unless** the codebook
  names them: an identifier whose ``source.header`` is ``昵称``, ``用户标识``, ``IP`` or ``UA``
  is read as that identifier and then dropped / pseudonymised by the identifier rules, exactly
  like 问卷星's 来自IP. ``地理位置省`` declared as an identifier of kind ``ip`` with
  ``action: coarsen`` keeps the province (``<id>_province``), like the province of 来自IP.
* questions ``N.题干``. Single choice cells read ``A.男``: the letter prefix is stripped and the
  label matched against the codebook (a cell without the prefix is matched as it is).
* multiple choice: one column per option headed ``N.题干：选项`` (or ``N.题干？:选项``); a
  non-empty cell means chosen (``0`` is read as not chosen too), an empty cell not chosen, and
  a row where every option column of the question is empty is missing (not answered).
* fill-ins ``N.题干：_填空1``: one blank is the question's own column (a text / numeric item or
  an identifier with ``source.question: N``); several blanks (``_填空2`` …) are rows
  ``填空k`` of question N (``source: {question: N, row: 填空k}``), as for 问卷星's
  ``第N题(填空k)``. Tab characters (which the platform writes into phone and number cells) are
  removed from every cell except free-text answers (where only leading/trailing ones are).

Assumption (unconfirmed, see FORMATS.md): a matrix question has one column per row headed
``N.题干：行文本`` and its cells are the chosen option with its letter prefix (``A.非常同意``);
its rows are codebook items with ``source: {question: N, row: 行文本}``. Ranking questions and
the fill-in text of an "other" option have not been seen in a 腾讯问卷 download and are not
handled specially.

The headers and cells are rewritten into the shapes the shared decoder understands (``N、题干``,
``第N题(选项或行)``, the canonical meta names) and decoded by
:func:`~survey.io.readers._frame.build_frame`; every message names the original header.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.normalise import is_missing_token, normalise_text
from survey.io.readers._frame import ReadResult, build_frame, fingerprint, header_map
from survey.io.readers._mapping import ColumnSpec, HeaderIndex, LabelMap, header_index, map_columns
from survey.io.readers.tabular import Table, read_table
from survey.io.readers.wjx_headers import core_label

__all__ = [
    "TENCENT_IDENTIFIERS",
    "TENCENT_META",
    "TencentColumn",
    "letter_code",
    "parse_tencent_headers",
    "read_tencent",
    "read_tencent_table",
    "strip_letter",
]

#: 腾讯问卷 meta columns (normalised; compared case-insensitively) and the frame column each
#: becomes (``""``: dropped unless the codebook names the column).
TENCENT_META: dict[str, str] = {
    "编号": "_seq",
    "结束答题时间": "submitted_at",
    "答题时长": "duration_s",
    "开始答题时间": "",
    "起始答题时间": "",
    "地理位置国家和地区": "",
    "地理位置省": "",
    "地理位置市": "",
    "自定义字段": "",
    "用户类型": "",
    "用户标识": "",
    "昵称": "",
    "ip": "",
    "ua": "",
    "referrer": "",
    "语言": "",
    "清洗数据结果": "",
    "智能清洗数据无效概率": "",
    "中奖时间": "",
    "中奖金额": "",
    "审核状态": "",
}
#: Meta columns that identify a person (or where they are): the identifier kind
#: ``survey codebook draft`` declares them as (``action: drop``).
TENCENT_IDENTIFIERS: dict[str, str] = {
    "用户标识": "other",
    "昵称": "wechat",
    "IP": "ip",
    "UA": "other",
    "地理位置省": "ip",
}

_QUESTION = re.compile(r"^(\d+)\s*(?:\.(?!\d)|、)\s*(.*)$", re.DOTALL)
_BLANK = re.compile(r"^(.*?)\s*[:：]?\s*_?填空\s*(\d+)$", re.DOTALL)
_LETTER = re.compile(r"^([A-Z]{1,2})\s*[.、]\s*(.+)$", re.DOTALL)
_DURATION = re.compile(r"^答题时长(\s*[(（].*[)）])?$")


def meta_target(header: str) -> str | None:
    """The frame column of a 腾讯问卷 meta header (``""``: dropped), ``None`` for another."""
    h = normalise_text(header)
    if _DURATION.match(h):
        return "duration_s"
    return TENCENT_META.get(h.lower())


def strip_letter(cell: str) -> tuple[str | None, str]:
    """``"A.男"`` → ``("A", "男")``; a cell without a letter prefix → ``(None, cell)``."""
    m = _LETTER.match(normalise_text(cell))
    if not m:
        return None, normalise_text(cell)
    return m.group(1), m.group(2).strip()


def letter_code(letter: str) -> int:
    """The option code of a letter in the questionnaire's order: ``A`` → 1, ``Z`` → 26, ``AA`` → 27."""
    n = 0
    for ch in letter:
        n = n * 26 + (ord(ch) - 64)
    return n


@dataclass(frozen=True)
class TencentColumn:
    """What one 腾讯问卷 header says.

    ``kind`` is ``"meta"`` (``target``: the frame column, ``""`` dropped), ``"question"`` or
    ``"other"`` (anything else, e.g. a column the codebook names by header). For questions:
    ``question`` (N), ``stem``, ``sub`` (the option or matrix-row text after ``题干：``, else
    ``None``) and ``blank`` (k of ``_填空k``, else ``None``).
    """

    header: str
    kind: str
    target: str = ""
    question: int | None = None
    stem: str = ""
    sub: str | None = None
    blank: int | None = None


def _colons(text: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ch in ":："]


def _split_by_codebook(q: int, rest: str, index: HeaderIndex) -> tuple[str, str] | None:
    """Split ``题干：X`` where X is a codebook row or option of question ``q``."""
    rows = index.rows_of.get(q, {})
    multi = [i for i in index.stem_of.get(q, []) if i.type in ("multiple", "ranking")]
    if not rows and not multi:
        return None
    for i in _colons(rest):
        sub = rest[i + 1:].strip()
        key = sub.replace(" ", "")
        if key in rows or any(core_label(r) == core_label(sub) for r in rows):
            return rest[:i].strip(), sub
        if multi and index.label_maps[multi[0].id].lookup(sub) is not None:
            return rest[:i].strip(), sub
    colons = _colons(rest)
    return (rest[: colons[-1]].strip(), rest[colons[-1] + 1:].strip()) if colons else None


def parse_tencent_headers(headers: list[str], codebook: Codebook | None = None) -> list[TencentColumn]:
    """Read every header of a 腾讯问卷 download.

    The option / row text of ``N.题干：X`` is found with the codebook when given (the colon after
    which X is one of question N's rows or options); otherwise, when several columns share
    question N, after the last colon of their common beginning; a lone ``N.…`` column is a
    question column (its text is the stem, colons included).
    """
    index = header_index(codebook) if codebook is not None else None
    parsed: list[tuple[str, int, str] | TencentColumn] = []
    for header in headers:
        h = normalise_text(header)
        if index is not None and (h in index.ignore or h in index.by_header or h in index.by_column):
            parsed.append(TencentColumn(header, "other"))
            continue
        target = meta_target(header)
        if target is not None:
            parsed.append(TencentColumn(header, "meta", target))
            continue
        m = _QUESTION.match(h)
        if not m:
            parsed.append(TencentColumn(header, "other"))
            continue
        parsed.append((header, int(m.group(1)), m.group(2).strip()))
    groups: dict[int, list[str]] = {}
    for p in parsed:
        if isinstance(p, tuple) and not _BLANK.match(p[2]):
            groups.setdefault(p[1], []).append(p[2])
    out: list[TencentColumn] = []
    for p in parsed:
        if isinstance(p, TencentColumn):
            out.append(p)
            continue
        header, q, rest = p
        b = _BLANK.match(rest)
        if b:
            out.append(TencentColumn(header, "question", question=q, stem=b.group(1).strip(), blank=int(b.group(2))))
            continue
        split = _split_by_codebook(q, rest, index) if index is not None else None
        if split is None and len(groups[q]) > 1:
            prefix = _common_prefix(groups[q])
            colons = _colons(prefix)
            if colons:
                split = rest[: colons[-1]].strip(), rest[colons[-1] + 1:].strip()
            elif _colons(rest):
                i = _colons(rest)[-1]
                split = rest[:i].strip(), rest[i + 1:].strip()
        if split is None:
            out.append(TencentColumn(header, "question", question=q, stem=rest))
        else:
            out.append(TencentColumn(header, "question", question=q, stem=split[0], sub=split[1]))
    return out


def _common_prefix(texts: list[str]) -> str:
    first, last = min(texts), max(texts)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _shared_header(col: TencentColumn, index: HeaderIndex) -> str:
    """The header in the shape the shared column mapping reads (``N、题干``, ``第N题(X)``)."""
    if col.kind != "question":
        return col.header
    q = col.question
    assert q is not None
    if col.blank is not None:
        if f"填空{col.blank}" in index.rows_of.get(q, {}):
            return f"第{q}题(填空{col.blank})"
        return f"{q}、{col.stem}"
    if col.sub is not None:
        return f"第{q}题({col.sub})"
    return f"{q}、{col.stem}"


def _map(table: Table, codebook: Codebook, cols: list[TencentColumn]) -> list[ColumnSpec]:
    """Column specs of every header (meta ones built here, the rest by ``map_columns``)."""
    index = header_index(codebook)
    wheres = [f"{letter} 列" for letter in table.letters]
    rest = [k for k, c in enumerate(cols) if c.kind != "meta"]
    shared = [_shared_header(cols[k], index) for k in rest]
    try:
        mapped = map_columns(
            shared, [wheres[k] for k in rest], codebook,
            display=table.display, header_row=table.header_row, wjx_patterns=True,
        )
    except SurveyError as exc:
        column = exc.column
        for k, s in zip(rest, shared, strict=True):
            if column and s in column and s != cols[k].header:
                column = column.replace(s, cols[k].header)
        raise dataclasses.replace(exc, column=column) from None
    specs: list[ColumnSpec | None] = [None] * len(cols)
    for k, spec in zip(rest, mapped, strict=True):
        specs[k] = dataclasses.replace(spec, header=cols[k].header)
    seen: set[str] = set()
    for k, c in enumerate(cols):
        if c.kind == "meta":
            target = c.target if c.target not in seen else ""
            seen.add(target)
            specs[k] = ColumnSpec(c.header, wheres[k], "meta", target, form="meta")
    return [s for s in specs if s is not None]


_DMY = "%d-%b-%Y %H:%M:%S"


def _times(col: pd.Series) -> pd.Series:
    """``02-Feb-2021 20:26:58`` → ``2021-02-02 20:26:58`` (other texts unchanged)."""
    got = pd.to_datetime(col, format=_DMY, errors="coerce")
    hit = got.notna()
    if not hit.any():
        return col
    out = col.copy()
    out[hit] = got[hit].dt.strftime("%Y-%m-%d %H:%M:%S")
    return out


def _cells(table: Table, specs: list[ColumnSpec], codebook: Codebook) -> pd.DataFrame:
    """The cells rewritten into what the shared decoders read (see the module docstring)."""
    index = header_index(codebook)
    data = {}
    strings = {name: table.data[name].astype(object).fillna("").astype(str) for name in table.header}
    options: dict[str, list[str]] = {}
    for spec, name in zip(specs, table.header, strict=True):
        col = strings[name]
        item = index.items.get(spec.target) if spec.kind == "item" else None
        if item is not None and item.type == "text":
            col = col.str.strip(" \t")
        else:
            col = col.str.replace("\t", "", regex=False).str.strip()
        if spec.kind == "meta" and spec.target == "submitted_at":
            col = _times(col)
        elif item is not None and item.type in ("likert", "single") and spec.role == "value":
            lm = index.label_maps[item.id]

            def choice(v: str, lm: LabelMap = lm) -> str:
                if is_missing_token(v) or lm.lookup(v) is not None:
                    return v
                return strip_letter(v)[1]

            col = _per_value(col, choice)
        elif item is not None and item.type == "multiple" and spec.role == "option":
            options.setdefault(item.id, []).append(name)
        strings[name] = col
        data[name] = col
    for item_id, names in options.items():
        item = index.items[item_id]
        chosen = pd.DataFrame({n: _chosen(strings[n]) for n in names})
        answered = chosen.any(axis=1)
        for spec, name in zip(specs, table.header, strict=True):
            if name not in names:
                continue
            col = pd.Series(np.where(chosen[name], "1", np.where(answered, "0", "")), dtype=object)
            if spec.code == item.other_option:
                raw = strings[name].map(lambda v: strip_letter(v)[1])
                label = index.options[item_id].get(spec.code or 0, "")
                text = chosen[name] & ~raw.isin(["1", label])
                col = col.where(~text, raw)
            data[name] = col
    return pd.DataFrame(data, columns=table.header)


def _chosen(col: pd.Series) -> pd.Series:
    """A multiple-choice option cell is chosen when it is neither empty nor ``0``."""
    return ~col.map(lambda v: is_missing_token(v) or normalise_text(v) == "0").astype(bool)


def _per_value(col: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    """``fn`` of every cell, computed once per distinct value."""
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    done = [fn(str(u)) for u in uniques]
    return pd.Series([done[c] for c in codes], index=col.index, dtype=object)


def read_tencent_table(table: Table, codebook: Codebook) -> ReadResult:
    """Decode an already read :class:`~survey.io.readers.tabular.Table` as a 腾讯问卷 download.

    Parameters
    ----------
    table
        From :func:`~survey.io.readers.tabular.read_table`.
    codebook
        The codebook (maps headers to items and identifiers).

    Returns
    -------
    ReadResult
        ``format == "tencent"``.

    Raises
    ------
    SurveyError
        A header that maps to nothing (naming the original header), a required item missing,
        an option label not in the codebook (file, Excel row, column).
    """
    cols = parse_tencent_headers(table.header, codebook)
    specs = _map(table, codebook, cols)
    data = _cells(table, specs, codebook)
    frame, notes = build_frame(
        data,
        specs,
        codebook,
        rows=table.excel_rows,
        display=table.display,
        fmt="tencent",
        modes={i.id: "label" for i in codebook.items},
        header_row=table.header_row,
    )
    return ReadResult(
        frame=frame,
        fingerprint=fingerprint(specs, codebook),
        format="tencent",
        encoding=table.encoding,
        n_rows=len(frame),
        header_map=header_map(specs),
        notes=[*table.notes, *notes],
        file=table.display,
    )


def read_tencent(
    path: str | Path,
    codebook: Codebook,
    *,
    display: str | None = None,
    sheet: str | int | None = None,
    encoding: str = "auto",
) -> ReadResult:
    """Read a 腾讯问卷 download (CSV or XLSX) into the canonical response frame.

    Parameters
    ----------
    path
        The .csv (UTF-8 with BOM) or .xlsx download.
    codebook
        The codebook.
    display, sheet, encoding
        As for :func:`~survey.io.readers.tabular.read_table`.

    Returns
    -------
    ReadResult

    Examples
    --------
    >>> res = read_tencent("问卷_答卷数据.csv", cb)  # doctest: +SKIP
    >>> res.frame[["_seq", "submitted_at", "duration_s", "Q1"]].head(2)  # doctest: +SKIP
    """
    table = read_table(path, display=display, sheet=sheet, encoding=encoding)
    return read_tencent_table(table, codebook)
