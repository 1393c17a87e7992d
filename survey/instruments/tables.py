"""Shared reading helpers of the instrument files (symposium, indicators, roster).

Every instrument file is read by the one table reader of the project,
:func:`survey.io.readers.tabular.read_table` (file type from the bytes, CSV encoding
detection, Excel row numbers). This module only turns its :class:`~survey.io.readers.tabular.Table`
into the frame the instrument validators work on, matches headers to canonical column names,
and collects validation problems into one issues table that becomes one Chinese error.

The issues table has the columns :data:`ISSUE_COLUMNS` (``file, row, column, value, problem,
expected``; ``row`` as Excel shows it). Validators build it row by row with :func:`issue` and
hand it to :func:`raise_issues`, so that every problem of a file is reported at once.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, TypedDict

import numpy as np
import pandas as pd

from survey.errors import SurveyError, SurveyWarning, excel_column_letter
from survey.io.normalise import normalise_text
from survey.io.readers.tabular import read_table

__all__ = [
    "AREAS",
    "ISSUE_COLUMNS",
    "ColumnSpec",
    "Issue",
    "issue",
    "norm_key",
    "norm_text",
    "pick_columns",
    "raise_issues",
    "read_frame",
    "split_codes",
]

#: The five problem areas of the study (问题领域 P1–P5).
AREAS = ("P1", "P2", "P3", "P4", "P5")
#: Columns of an issues table, in order.
ISSUE_COLUMNS = ["file", "row", "column", "value", "problem", "expected"]
#: ``{canonical name: (accepted headers, required)}``; the first header is the preferred one.
ColumnSpec = Mapping[str, tuple[Sequence[str], bool]]

#: Separators between several codes in one cell (after NFKC: ；→; ，→,).
CODE_SEPARATORS = re.compile(r"[;,、/|\n\r]+")


def norm_text(value: object) -> str:
    """Return ``value`` as text via :func:`survey.io.normalise.normalise_text` (NFKC, spaces).

    Integral floats (Excel's ``12.0``) become ``"12"``; missing values become ``""``.

    Examples
    --------
    >>> norm_text("  Ｔ０１ "), norm_text(12.0), norm_text(None)
    ('T01', '12', '')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    # pd.isna takes any object; its stubs list scalars and arrays only
    if value is pd.NaT or (not isinstance(value, str) and pd.isna(value) is True):  # type: ignore[call-overload]
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value))


def norm_key(value: object) -> str:
    """A matching key: :func:`norm_text`, all whitespace removed, upper case.

    Examples
    --------
    >>> norm_key(" t 01 ")
    'T01'
    """
    return re.sub(r"\s+", "", norm_text(value)).upper()


def split_codes(cell: object) -> list[str]:
    """Split a codes cell into raw tokens (normalised text, empties removed).

    Examples
    --------
    >>> split_codes("T01；T02、 T03")
    ['T01', 'T02', 'T03']
    """
    return [t.strip() for t in CODE_SEPARATORS.split(norm_text(cell)) if t.strip()]


def read_frame(path: str | Path, *, display: str | None = None) -> pd.DataFrame:
    """Read the first sheet of an xlsx/xls or a csv with :func:`~survey.io.readers.tabular.read_table`.

    Parameters
    ----------
    path
        The file to read.
    display
        How the file is named in messages (default: ``path`` as given).

    Returns
    -------
    pandas.DataFrame
        One column per header (headers normalised with :func:`norm_text`), every cell the
        text Excel shows (``""`` when empty), plus ``_file`` (``display``) and ``_row`` (the
        row as Excel shows it). Entirely empty rows are left out by the reader.

    Raises
    ------
    SurveyError
        Everything :func:`~survey.io.readers.tabular.read_table` refuses (missing, empty,
        corrupt or encrypted file, undecodable text, missing or duplicated headers).

    Notes
    -----
    The reader's notes (e.g. an ``.xlsx`` that is really a CSV) are passed on as
    :class:`~survey.errors.SurveyWarning`.
    """
    table = read_table(path, display=display)
    for note in table.notes:
        warnings.warn(note, SurveyWarning, stacklevel=3)
    frame = table.data.copy()
    frame.columns = [norm_text(c) for c in table.header]
    frame["_row"] = np.asarray(table.excel_rows, dtype=int)
    frame.insert(0, "_file", table.display)
    return frame.reset_index(drop=True)


def pick_columns(raw: pd.DataFrame, spec: ColumnSpec, *, what: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map a raw frame's headers to canonical names.

    Parameters
    ----------
    raw
        A frame from :func:`read_frame`.
    spec
        ``{canonical: (accepted headers, required)}``.
    what
        What the file is, in Chinese (for messages).

    Returns
    -------
    (frame, shown)
        ``frame`` has the canonical columns that were found plus ``_file``/``_row``;
        ``shown`` maps each canonical name to the header as the user sees it, with its Excel
        letter, e.g. ``"编码员A（D 列）"``.

    Raises
    ------
    SurveyError
        A required column is missing (all missing columns named at once).

    Examples
    --------
    >>> raw = pd.DataFrame({"_file": ["a.csv"], "_row": [2], "编码": ["T01"]})
    >>> frame, shown = pick_columns(raw, {"code": (("主题编码", "编码"), True)}, what="主题编码表")
    >>> frame["code"].tolist(), shown["code"]
    (['T01'], '编码（A 列）')
    """
    headers = [c for c in raw.columns if c not in ("_file", "_row")]
    keys = {norm_key(h): h for h in headers}
    out = raw[["_file", "_row"]].copy()
    shown: dict[str, str] = {}
    missing: list[str] = []
    for canon, (accepted, required) in spec.items():
        hit = next((keys[norm_key(a)] for a in accepted if norm_key(a) in keys), None)
        if hit is None:
            if required:
                missing.append(f"{accepted[0]}（或 {'、'.join(accepted[1:4])}）")
            continue
        out[canon] = raw[hit].to_numpy()
        shown[canon] = f"{hit}（{excel_column_letter(headers.index(hit))} 列）"
    if missing:
        raise SurveyError(
            f"{what}缺少必需的列：{'；'.join(missing)}",
            file=str(raw["_file"].iloc[0]) if len(raw) else None,
            row=1,
            column="表头",
            expected=f"表头包含 {'、'.join(s[0][0] for s in spec.values() if s[1])}",
            hint=f"现有表头：{'、'.join(headers)}",
        )
    return out, shown


class Issue(TypedDict):
    """One row of an issues table (keys :data:`ISSUE_COLUMNS`)."""

    file: str
    row: int
    column: str
    value: object
    problem: str
    expected: str


def issue(frame: pd.DataFrame, i: int, column: str, value: object, problem: str, expected: str) -> Issue:
    """One row of an issues table for row ``i`` (position) of a frame from :func:`read_frame`.

    Parameters
    ----------
    frame
        A frame with ``_file`` and ``_row`` (from :func:`read_frame` / :func:`pick_columns`).
    i
        Position of the offending row in ``frame``.
    column
        The column as the user sees it (e.g. ``shown["code"]`` from :func:`pick_columns`).
    value
        The offending cell value.
    problem, expected
        What is wrong and what was expected, in Chinese.

    Returns
    -------
    Issue
        Keys :data:`ISSUE_COLUMNS`; ``row`` is the Excel row.

    Examples
    --------
    >>> df = pd.DataFrame({"_file": ["名册.xlsx"], "_row": [7]})
    >>> issue(df, 0, "人数（D 列）", "-1", "人数不是非负整数", "0 或正整数")["row"]
    7
    """
    return {
        "file": str(frame["_file"].iat[i]),
        "row": int(frame["_row"].to_numpy()[i]),
        "column": column,
        "value": value,
        "problem": problem,
        "expected": expected,
    }


def raise_issues(
    issues: pd.DataFrame,
    *,
    what: str,
    on_issue: Literal["error", "warn"] = "error",
    hint: str = "改正原始记录中列出的单元格后重新运行",
) -> None:
    """Raise one :class:`SurveyError` for a non-empty issues table, or warn.

    Parameters
    ----------
    issues
        Rows made by :func:`issue` (columns :data:`ISSUE_COLUMNS`); nothing happens when empty.
    what
        The file, in Chinese (``"党员名册汇总表"``).
    on_issue
        ``"error"``: raise; ``"warn"``: emit a :class:`SurveyWarning` and return.
    hint
        What the user should do.

    Raises
    ------
    SurveyError
        Naming the first problem (file, row, column, expected) and listing up to 20 more.
    """
    if issues.empty:
        return
    lines = [
        f"第 {r.row} 行 {r.column}：{r.problem}（{r.value}）" for r in issues.head(21).itertuples()
    ]
    more = f"\n    ……另有 {len(issues) - 21} 处" if len(issues) > 21 else ""
    if on_issue == "warn":
        warnings.warn(
            f"{what}有 {len(issues)} 处问题，已跳过相关取值：\n    " + "\n    ".join(lines) + more,
            SurveyWarning,
            stacklevel=3,
        )
        return
    first = issues.iloc[0]
    raise SurveyError(
        f"{what}有 {len(issues)} 处问题：\n    " + "\n    ".join(lines) + more,
        file=first["file"],
        row=int(first["row"]),
        column=str(first["column"]),
        expected=str(first["expected"]),
        hint=hint,
    )
