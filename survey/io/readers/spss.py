"""SPSS ``.sav`` files (问卷星's SPSS download, or a file the research group keeps in SPSS).

Variables are matched to the codebook by name (``Source.column`` or the item id) and then by
variable label, which 问卷星 fills with the header text (``7、题干`` / ``第7题(行标题)``), so the
codebook's ``Source.question``/``row`` work here too. When a choice variable carries value
labels, the labels (option texts) are mapped to the codebook's codes; values without a label
are kept as read. Chinese files written with a GBK code page make pyreadstat fail with
"invalid byte sequence": they are reread with ``encoding="GBK"`` and then ``"GB18030"``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.normalise import is_missing_token, normalise_text
from survey.io.readers._frame import ReadResult, build_frame, fingerprint, header_map
from survey.io.readers._mapping import LabelMap, map_columns
from survey.io.readers.tabular import cell_text

__all__ = ["read_sav", "read_spss"]

_ENCODING_ERRORS = ("encoding", "invalid byte sequence", "convert string", "iconv")


def read_sav(
    path: Path, display: str, encoding: str = "auto"
) -> tuple[pd.DataFrame, pyreadstat.metadata_container, str | None]:
    """``pyreadstat.read_sav`` with the GBK retry and Chinese errors.

    Returns
    -------
    (data, meta, encoding)
        pyreadstat's frame and metadata, and the encoding that worked (``None`` = the file's own).
    """
    tries: list[str | None] = [None, "GBK", "GB18030"] if encoding == "auto" else [encoding]
    last: Exception | None = None
    for enc in tries:
        try:
            df, meta = pyreadstat.read_sav(str(path), encoding=enc, user_missing=False)
            return df, meta, enc if enc is not None else getattr(meta, "file_encoding", None)
        except Exception as exc:  # pyreadstat raises its own ReadstatError / PyreadstatError
            last = exc
            if not any(k in str(exc).lower() for k in _ENCODING_ERRORS):
                break
    if last is not None and any(k in str(last).lower() for k in _ENCODING_ERRORS):
        raise SurveyError(
            f"SPSS 文件的文字编码无法识别（已尝试文件自带编码、GBK、GB18030）：{last}",
            file=display,
            expected="UTF-8 或 GBK 编码的 .sav 文件",
            hint="在 study.yaml 中为该文件写明 encoding（如 big5），或在 SPSS 中另存为 Unicode 格式",
        ) from last
    raise SurveyError(
        f"无法读取 SPSS 文件（文件可能已损坏或不是 .sav 格式）：{last}",
        file=display,
        expected="完整的 SPSS .sav 文件",
        hint="重新下载或在 SPSS 中重新保存该文件",
    ) from last


def _sav_text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    return cell_text(v)


def read_spss(
    path: str | Path,
    codebook: Codebook,
    *,
    display: str | None = None,
    encoding: str = "auto",
) -> ReadResult:
    """Read an SPSS ``.sav`` file into the canonical response frame.

    Parameters
    ----------
    path
        The ``.sav`` / ``.zsav`` file.
    codebook
        The codebook.
    display
        The file name for ``_file`` and messages.
    encoding
        ``"auto"`` (the file's own, then GBK, then GB18030) or a codec name.

    Returns
    -------
    ReadResult
        ``_row`` counts like a spreadsheet export of the data (first case = row 2).

    Raises
    ------
    SurveyError
        Unreadable file or encoding, a variable that maps to nothing, a required item missing,
        a value label that is not an option of its item.

    Examples
    --------
    >>> res = read_spss("386540716_SPSS.sav", cb)  # doctest: +SKIP
    """
    path = Path(path)
    display = display or str(path)
    if not path.exists():
        raise SurveyError("找不到文件", file=display)
    df, meta, used = read_sav(path, display, encoding)
    names = list(df.columns)
    var_labels = meta.column_names_to_labels or {}
    # A damaged file can name a variable or label it with a non-text value (NaN).
    alt = [lab if isinstance(lab := var_labels.get(n), str) else None for n in names]
    wheres = [f"第 {j + 1} 个变量" for j in range(len(names))]
    specs = map_columns(
        [str(n) for n in names], wheres, codebook, display=display, wjx_patterns=True,
        alt_headers=alt,
    )
    rows = list(range(2, len(df) + 2))
    value_labels: dict[str, dict[float | int, str]] = meta.variable_value_labels or {}
    data: dict[str, list[str]] = {}
    for spec, name in zip(specs, names, strict=True):
        col = df[name]
        labels = value_labels.get(name)
        if spec.kind == "item" and spec.role == "value" and labels:
            item = codebook.item(spec.target)
            if item.type in ("likert", "single"):
                lm = LabelMap(item, codebook.options(item.id))
                missing = set(codebook.missing_codes_for(item.id))
                data[name] = _labelled(col, labels, lm, missing, display, spec.described, rows)
                continue
        data[name] = [_sav_text(v) for v in col]
    table = pd.DataFrame(data, columns=names, dtype=object)
    frame, notes = build_frame(
        table,
        specs,
        codebook,
        rows=rows,
        display=display,
        fmt="spss",
        modes={i.id: "auto" for i in codebook.items},
    )
    if used not in (None, "UTF-8", "utf-8"):
        notes.insert(0, f"{display}：按 {used} 编码读取。")
    return ReadResult(
        frame=frame,
        fingerprint=fingerprint(specs, codebook),
        format="spss",
        encoding=used,
        n_rows=len(frame),
        header_map=header_map(specs),
        notes=notes,
        file=display,
    )


def _labelled(
    col: pd.Series,
    labels: dict[float | int, str],
    lm: LabelMap,
    missing: set[float],
    display: str,
    column: str,
    rows: list[int],
) -> list[str]:
    """Map labelled values to codebook codes through their labels (unlabelled values kept)."""
    present = set(col.dropna().unique())
    to_code: dict[float | int, str] = {}
    for value, label in labels.items():
        code = lm.lookup(normalise_text(str(label)))
        if code is None:
            if value in missing or is_missing_token(str(label)) or value not in present:
                continue  # an option nobody chose and the codebook does not know: harmless
            first = int(np.flatnonzero((col == value).to_numpy())[0])
            raise SurveyError(
                f"SPSS 值标签“{label}”（值 {cell_text(value)}）不在编码手册该题的选项中",
                file=display,
                row=rows[first],
                column=column,
                expected=f"以下选项之一：{lm.allowed()}",
                hint="若这是同一选项的另一种写法，在编码手册该题的 option_aliases 中加入它",
            )
        to_code[value] = str(code)
    return [to_code.get(v, _sav_text(v)) if not pd.isna(v) else "" for v in col]
