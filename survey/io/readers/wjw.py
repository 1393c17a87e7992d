"""问卷网 (wenjuan.com) downloads: ``All_Data_Readable.csv`` (labels) and ``All_Data_Original.csv``
(codes), both GBK CSV.

The two files are normalised to shapes the shared decoder understands
(:func:`~survey.io.readers.generic.decode_table`) and then decoded like a 问卷星 按文本 /
按序号 pair: ``Qn`` becomes the codebook item asked as question ``n`` (``source.question``),
``Qn_A#`` the option column ``<id>_#`` of the multiple-choice or ranking item asked as ``n``, and
the meta columns the canonical ``_seq`` / ``submitted_at`` / ``duration_s``.

Confirmed from public code that reads these downloads (reportgen's ``wenjuanwang``, a Django
helper reading both files):

- the names ``All_Data_Readable.csv`` / ``All_Data_Original.csv`` (sometimes with ``code.csv``),
  GBK encoding;
- Original question columns are headed ``Q1``, ``Q2`` …; multiple-choice and ranking items have
  one column per option ``Qn_A#`` (``#`` = the option's code in ``code.csv``);
- Original has ``start`` and ``finish`` columns (the answer sheet's start and end times);
- Readable has one more column, ``答题时长``, and otherwise the same columns in the same order as
  Original (public code aligns them by position after dropping ``答题时长``).

Assumed (not confirmed; the tests plant these shapes):

- Readable headers are not ``Qn`` codes (question texts, ``题干_选项`` for option columns): a
  Readable file is aligned to its Original **by position**, the Original found next to it
  (same folder) or given; alone, its headers must be named in the codebook (``source.header``);
- a 序号 / 编号 column, when present, is the answer sheet number (rows of the pair are aligned
  by it); ``IP`` / ``IP地址`` / ``来自IP`` is the respondent's IP, handled by the codebook's
  identifier rules exactly like 问卷星's ``来自IP`` (dropped unless an identifier names it);
- submission time = ``finish`` (else a ``提交时间`` / ``结束时间`` column); time taken =
  ``finish - start`` in seconds (else ``答题时长``);
- multiple choice: Original cells 0/1; Readable cells the option label (or 1) when chosen, empty
  or 0 when not; a sheet with no option chosen did not answer the question (all missing, in both
  files alike);
- ranking: cells hold the rank, 0 or empty = not ranked (missing, as 问卷星's -2);
- matrix questions and "other" fill-in columns have no confirmed shape and are not mapped by
  question number (name them with ``source.header`` / ``Qn_other``).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.normalise import is_missing_token, normalise_text, parse_number
from survey.io.readers._frame import ReadResult
from survey.io.readers._mapping import header_index
from survey.io.readers.generic import decode_table
from survey.io.readers.tabular import Table, read_table

__all__ = [
    "WJW_NAMES", "align_readable", "draft_tables", "read_wjw_table", "wjw_original_header",
]

#: The file names of one 问卷网 download (stem, lower case) and their variant.
WJW_NAMES = {"all_data_readable": "text", "all_data_original": "code"}
_Q = re.compile(r"^Q(\d+)$", re.IGNORECASE)
_QA = re.compile(r"^Q(\d+)_A(\d+)$", re.IGNORECASE)
_SEQ = {"序号", "编号", "seq"}
_IP = {"ip", "ip地址", "来自ip", "ip address"}
_SUBMIT = {"提交时间", "结束时间", "提交答卷时间"}
_DURATION = "答题时长"


def wjw_original_header(path: Path) -> list[str] | None:
    """The header of the ``All_Data_Original.csv`` next to a Readable file, or ``None``."""
    for cand in path.parent.iterdir() if path.parent.is_dir() else []:
        if cand.suffix.lower() == ".csv" and cand.stem.lower() == "all_data_original":
            return read_table(cand).header
    return None


def _key(h: str) -> str:
    return normalise_text(h).strip().lower()


def align_readable(table: Table, original_header: list[str], *, original: str = "") -> Table:
    """Give a Readable table the Original's headers, column by column.

    Readable carries ``答题时长`` where Original does not; it is dropped first.

    Raises
    ------
    SurveyError
        The two files do not have the same columns (not one download).
    """
    header, data, letters = list(table.header), table.data, list(table.letters)
    orig = {_key(h) for h in original_header}
    if _DURATION not in orig:
        k = next((i for i, h in enumerate(header) if _key(h) == _DURATION), None)
        if k is not None:
            data = data.drop(columns=[header[k]])
            del header[k]
            if k < len(letters):
                del letters[k]
    if len(header) != len(original_header):
        raise SurveyError(
            f"问卷网 All_Data_Readable 与 All_Data_Original 的列数不同（{len(header)} 列与 "
            f"{len(original_header)} 列，已去掉“答题时长”），不像同一次下载的两个文件",
            file=table.display,
            row=table.header_row,
            expected=f"与 {original or 'All_Data_Original.csv'} 逐列对应（只多一列“答题时长”）",
            hint="把同一次下载解压出的两个文件放在同一文件夹中，不要增删列",
        )
    data = data.copy()
    data.columns = pd.Index(original_header)
    return dataclasses.replace(table, header=list(original_header), data=data, letters=letters)


def _times(col: pd.Series) -> pd.Series:
    texts = col.map(lambda v: "" if is_missing_token(v) else normalise_text(v).replace("T", " "))
    return pd.to_datetime(texts.where(texts != "", None), errors="coerce", format="mixed")


def _normalise(table: Table, codebook: Codebook | None) -> Table:
    """Rename 问卷网 headers to names the codebook (or the draft) understands; fix cells."""
    index = header_index(codebook) if codebook is not None else None
    heads = [_key(h) for h in table.header]
    claimed = set()
    if index is not None:
        claimed = {
            k for k, h in enumerate(table.header)
            if normalise_text(h) in index.ignore
            or normalise_text(h) in index.by_header
            or normalise_text(h) in index.by_column
        }
    data = table.data
    has_times = "start" in heads and "finish" in heads
    submit_from = "finish" if "finish" in heads else next((h for h in heads if h in _SUBMIT), None)
    out_cols: dict[str, pd.Series] = {}
    letters: list[str] = []
    for k, (h, key) in enumerate(zip(table.header, heads, strict=True)):
        col = data[h]
        letter = table.letters[k] if k < len(table.letters) else ""
        name = h
        if k in claimed:
            pass
        elif key in _SEQ:
            name = "序号"
        elif key == submit_from:
            name = "提交答卷时间"
            parsed = _times(col)  # ``2024-05-01T10:00:03.250`` and the like → whole seconds
            col = pd.Series(
                [raw if pd.isna(t) else t.floor("s").strftime("%Y-%m-%d %H:%M:%S")
                 for raw, t in zip(col, parsed, strict=True)],
                index=col.index, dtype=object,
            )
        elif key == "start" and has_times:
            seconds = (_times(data[table.header[heads.index("finish")]]) - _times(col)).dt.total_seconds()
            col = pd.Series(
                ["" if pd.isna(s) else f"{s:g}" for s in seconds], index=col.index, dtype=object
            )
            name = "所用时间"
        elif key in _SUBMIT or key == "finish" or (key == _DURATION and has_times):
            continue  # a second submission time, or a time taken computed from start/finish
        elif key == _DURATION:
            name = "所用时间"
        elif key in _IP:
            name = "来自IP"
        elif index is not None:
            name = _item_column(h, index)
        out_cols[name] = col
        letters.append(letter)
    frame = pd.DataFrame(out_cols)
    frame = _fix_option_cells(frame, index)
    return dataclasses.replace(table, header=list(frame.columns), data=frame, letters=letters)


def _item_column(header: str, index: object) -> str:
    """``Qn`` → the id (or column) of the item asked as ``n``; ``Qn_A#`` → ``<id>_#``."""
    from survey.io.readers._mapping import HeaderIndex

    assert isinstance(index, HeaderIndex)
    h = normalise_text(header)
    m = _Q.match(h)
    if m:
        stems = index.stem_of.get(int(m.group(1)), [])
        if len(stems) == 1:
            return stems[0].id
        if int(m.group(1)) in index.ident_q:
            return index.ident_q[int(m.group(1))]
        return header
    m = _QA.match(h)
    if m:
        multi = [
            i for i in index.stem_of.get(int(m.group(1)), []) if i.type in ("multiple", "ranking")
        ]
        if len(multi) == 1:
            return f"{multi[0].id}_{int(m.group(2))}"
    return header


def _chosen(v: object) -> bool:
    return not is_missing_token(v) and parse_number(v) != 0.0


def _fix_option_cells(frame: pd.DataFrame, index: object) -> pd.DataFrame:
    """Multiple choice: unanswered sheets all empty, unchosen options 0; ranking: 0 = not ranked."""
    from survey.io.readers._mapping import HeaderIndex

    if not isinstance(index, HeaderIndex):
        return frame
    groups: dict[str, list[str]] = {}
    for c in frame.columns:
        m = re.match(r"^(.+)_(\d+)$", str(c))
        if m and m.group(1) in index.items and index.items[m.group(1)].type in ("multiple", "ranking"):
            groups.setdefault(m.group(1), []).append(str(c))
    frame = frame.copy()
    for item_id, cols in groups.items():
        block = frame[cols].astype(object)
        chosen = block.map(_chosen)
        if index.items[item_id].type == "ranking":
            frame[cols] = block.where(chosen, "")
            continue
        answered = chosen.any(axis=1).to_numpy()
        fixed = block.where(chosen, "0")
        fixed.loc[~answered, :] = ""
        frame[cols] = fixed
    return frame


def read_wjw_table(
    table: Table,
    codebook: Codebook,
    *,
    variant: str,
    original_header: list[str] | None = None,
) -> ReadResult:
    """Decode an already read :class:`~survey.io.readers.tabular.Table` as a 问卷网 download.

    Parameters
    ----------
    table
        From :func:`~survey.io.readers.tabular.read_table`.
    codebook
        The codebook (``source.question`` maps ``Qn`` / ``Qn_A#``; identifiers as for 问卷星).
    variant
        ``"text"`` (All_Data_Readable, option labels) or ``"code"`` (All_Data_Original, codes).
    original_header
        For ``"text"``: the header of the download's Original file; the Readable columns are
        aligned to it by position (:func:`align_readable`).

    Returns
    -------
    ReadResult
        ``format`` is ``wjw_text`` / ``wjw_code``.

    Raises
    ------
    SurveyError
        Everything :func:`~survey.io.readers.generic.decode_table` reports (file, Excel row and
        column), and a Readable file whose columns do not match its Original.
    """
    if variant not in ("text", "code"):
        raise ValueError("variant must be 'text' or 'code'")
    as_written = dict(zip(table.letters, table.header, strict=False))
    if variant == "text" and original_header is not None:
        table = align_readable(table, original_header)
    norm = _normalise(table, codebook)
    mode = "label" if variant == "text" else "code"
    try:
        return decode_table(norm, codebook, fmt=f"wjw_{variant}", mode=mode)
    except SurveyError as exc:
        raise _as_written(exc, as_written, variant, original_header) from None


_WHERE = re.compile(r"^(.*)（([A-Z]+) 列）$", re.DOTALL)


def _as_written(
    exc: SurveyError, as_written: dict[str, str], variant: str, original_header: list[str] | None
) -> SurveyError:
    """The error naming the column by the header the file shows (not the normalised name)."""
    changes: dict[str, object] = {}
    m = _WHERE.match(exc.column or "")
    if m and m.group(2) in as_written and normalise_text(as_written[m.group(2)]) != normalise_text(m.group(1)):
        changes["column"] = f"{as_written[m.group(2)]}（{m.group(2)} 列，读作 {m.group(1)}）"
    if variant == "text" and original_header is None and exc.problem.startswith("无法识别的列"):
        changes["hint"] = (
            "问卷网 All_Data_Readable.csv 的表头是题目文字，需与同一次下载的 All_Data_Original.csv "
            "按位置对齐：把两个文件放在同一文件夹中（不要改名）；" + (exc.hint or "")
        )
    return dataclasses.replace(exc, **changes) if changes else exc  # type: ignore[arg-type]


# -- codebook draft ---------------------------------------------------------------------------
def _stem_of(readable_header: str) -> str:
    t = normalise_text(readable_header).strip()
    return re.sub(r"^Q?\d+\s*[.、:：]\s*", "", t)


def draft_tables(code: Table | None, text: Table | None) -> tuple[Table | None, Table | None]:
    """The Original / Readable tables in 问卷星 按序号 / 按文本 shape, for ``codebook draft``.

    ``Qn`` → ``n、题干`` (stem from the Readable header), ``Qn_A#`` → ``第n题(选项)`` (option
    label from the Readable header's ``_选项`` suffix or its chosen cells, else ``选项#``), meta
    columns → 序号 / 提交答卷时间 / 所用时间 / 来自IP. Ranking columns: 0 (not ranked) → empty.
    Both tables get the same headers, so the draft pairs them column by column.
    """
    readable_heads: list[str] = []
    if text is not None:
        extra = code is not None and _DURATION not in {_key(h) for h in code.header}
        readable_heads = [h for h in text.header if not (extra and _key(h) == _DURATION)]
    if code is not None and text is not None:
        text = align_readable(text, code.header, original=code.display)
    base = code if code is not None else text
    assert base is not None
    new: list[str] = []
    for k, h in enumerate(base.header):
        hn = normalise_text(h)
        m, ma = _Q.match(hn), _QA.match(hn)
        rh = readable_heads[k] if k < len(readable_heads) else ""
        if m:
            stem = "" if _Q.match(rh) or not rh else _stem_of(rh)
            new.append(f"{int(m.group(1))}、{stem}")
        elif ma:
            label = _option_label(rh, text, h) or f"选项{int(ma.group(2))}"
            new.append(f"第{int(ma.group(1))}题({label})")
        else:
            new.append(h)
    out: list[Table | None] = []
    for t in (code, text):
        if t is None:
            out.append(None)
            continue
        renamed = dataclasses.replace(t, header=new, data=t.data.set_axis(new, axis=1))
        norm = _normalise(renamed, None)
        out.append(_draft_ranks(norm))
    return out[0], out[1]


def _option_label(readable_header: str, text: Table | None, column: str) -> str:
    rh = normalise_text(readable_header)
    if rh and not _QA.match(rh) and "_" in rh:
        return rh.rsplit("_", 1)[1].strip()
    if text is None or column not in text.data:
        return ""
    vals = [normalise_text(v) for v in text.data[column] if _chosen(v)]
    labels = [v for v in vals if parse_number(v) != parse_number(v)]
    return max(set(labels), key=labels.count) if labels else ""


def _draft_ranks(table: Table) -> Table:
    """``第n题(…)`` groups whose values go beyond 0/1: 0 = not ranked → empty."""
    groups: dict[int, list[str]] = {}
    for h in table.header:
        m = re.match(r"^第(\d+)题\(", h)
        if m:
            groups.setdefault(int(m.group(1)), []).append(h)
    data = table.data.copy()
    for cols in groups.values():
        nums = {parse_number(v) for c in cols for v in data[c] if not is_missing_token(v)}
        if nums - {0.0, 1.0} and all(x == x for x in nums):
            for c in cols:
                data[c] = [("" if parse_number(v) == 0.0 else v) for v in data[c]]
    return dataclasses.replace(table, data=data)


