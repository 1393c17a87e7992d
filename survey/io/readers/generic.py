"""Generic CSV / XLSX files: one column per item, headed by the item id (or by the item's
``Source.column`` / ``Source.header``).

What a research assistant types by hand and what benchmark colleges send back. Choice cells may
hold the option code (``4``) or the option label (``同意``); multiple choice may be one 0/1
column per option (``Q5_1``, ``Q5_2``…) or one cell with labels joined by ``┋`` or codes joined
by commas; ranking one rank column per option (``Q6_1``…). ``submitted_at`` / ``duration_s`` (or
the 问卷星 names 提交答卷时间 / 所用时间) are read as meta columns.
"""

from __future__ import annotations

from pathlib import Path

from survey.config.codebook import Codebook
from survey.io.readers._frame import ReadResult, build_frame, fingerprint, header_map
from survey.io.readers._mapping import map_columns
from survey.io.readers.tabular import Table, read_table

__all__ = ["read_generic", "read_generic_table"]


def decode_table(table: Table, codebook: Codebook, *, fmt: str, mode: str) -> ReadResult:
    """Map an already read table's headers to the codebook and decode every cell.

    Parameters
    ----------
    table
        From :func:`~survey.io.readers.tabular.read_table`.
    codebook
        The codebook (maps headers to items and identifiers).
    fmt
        The format recorded in ``_format`` (``generic``, ``wjx_text``, ``wjx_code``).
    mode
        How choice cells are read: ``"label"`` (option text), ``"code"`` (option numbers) or
        ``"auto"`` (either, per cell).
    """
    specs = map_columns(
        table.header,
        [f"{letter} 列" for letter in table.letters],
        codebook,
        display=table.display,
        header_row=table.header_row,
        wjx_patterns=True,
    )
    frame, notes = build_frame(
        table.data,
        specs,
        codebook,
        rows=table.excel_rows,
        display=table.display,
        fmt=fmt,
        modes={i.id: mode for i in codebook.items},
        header_row=table.header_row,
    )
    return ReadResult(
        frame=frame,
        fingerprint=fingerprint(specs, codebook),
        format=fmt,
        encoding=table.encoding,
        n_rows=len(frame),
        header_map=header_map(specs),
        notes=[*table.notes, *notes],
        file=table.display,
    )


def read_generic_table(table: Table, codebook: Codebook) -> ReadResult:
    """Decode an already read table whose headers are item ids or ``Source.column``/``header``."""
    return decode_table(table, codebook, fmt="generic", mode="auto")


def read_generic(
    path: str | Path,
    codebook: Codebook,
    *,
    display: str | None = None,
    sheet: str | int | None = None,
    encoding: str = "auto",
) -> ReadResult:
    """Read a generic CSV / XLSX file into the canonical response frame.

    Parameters
    ----------
    path
        The file (.csv, .xlsx, .xls).
    codebook
        The codebook.
    display, sheet, encoding
        As for :func:`~survey.io.readers.tabular.read_table`.

    Returns
    -------
    ReadResult

    Raises
    ------
    SurveyError
        A column that maps to nothing, a required item missing, a cell that is neither a code
        nor a label of its item.
    """
    table = read_table(path, display=display, sheet=sheet, encoding=encoding)
    return read_generic_table(table, codebook)
