"""问卷星 (Wenjuanxing) exports: 按文本 (option labels) and 按序号 (option codes), xlsx/xls/csv.

Layout (docs: /work/shared/FORMATS.md): meta columns first (序号, 提交答卷时间, 所用时间, 来源,
来源详情, 来自IP, sometimes 总分), then one column per question ``N、题干``, one per matrix row
``第N题(行标题)`` / ``N.(行标题)``; multiple choice is one ``┋``-joined cell (按文本) or one 0/1
column per option ``第N题(选项)`` (按序号); ranking is ``→``-joined (按文本) or one rank column
per option (按序号, -2 = not ranked). "Other" text is wrapped in ``〖…〗``.

Assumptions where the format is unconfirmed: in 按序号 files an "other" cell may hold
``1〖text〗`` or ``〖text〗`` (both read as chosen + text); -2 and -3 are both treated as missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.readers._frame import ReadResult
from survey.io.readers.generic import decode_table
from survey.io.readers.tabular import Table, read_table

__all__ = [
    "MISMATCH_COLUMNS",
    "crosscheck", "crosscheck_error", "mismatch_table", "read_wjx", "read_wjx_table"]


def read_wjx_table(table: Table, codebook: Codebook, *, variant: str) -> ReadResult:
    """Decode an already read :class:`~survey.io.readers.tabular.Table` as a 问卷星 export.

    Parameters
    ----------
    table
        From :func:`~survey.io.readers.tabular.read_table`.
    codebook
        The codebook (maps headers to items).
    variant
        ``"text"`` (按文本) or ``"code"`` (按序号).

    Returns
    -------
    ReadResult
    """
    if variant not in ("text", "code"):
        raise ValueError("variant must be 'text' or 'code'")
    mode = "label" if variant == "text" else "code"
    return decode_table(table, codebook, fmt=f"wjx_{variant}", mode=mode)


def read_wjx(
    path: str | Path,
    codebook: Codebook,
    *,
    variant: str | None = None,
    display: str | None = None,
    sheet: str | int | None = None,
    encoding: str = "auto",
) -> ReadResult:
    """Read a 问卷星 export into the canonical response frame.

    Parameters
    ----------
    path
        An .xlsx, .xls or .csv download.
    codebook
        The codebook.
    variant
        ``"text"`` (按文本), ``"code"`` (按序号) or ``None`` to detect from the cells.
    display
        The file name for ``_file`` and messages (default: ``path``).
    sheet, encoding
        Worksheet and CSV text encoding (``"auto"`` detects UTF-8 / GBK).

    Returns
    -------
    ReadResult

    Raises
    ------
    SurveyError
        A header that maps to nothing (``无法识别的列``), a required item missing, an option
        label not in the codebook (按文本), a non-numeric code (按序号), and every problem
        :func:`~survey.io.readers.tabular.read_table` reports.

    Examples
    --------
    >>> res = read_wjx("386540716_按文本_调查_79_78.xlsx", cb)  # doctest: +SKIP
    >>> res.frame[["_row", "submitted_at", "duration_s", "Q7_1"]].head(2)  # doctest: +SKIP
    """
    table = read_table(path, display=display, sheet=sheet, encoding=encoding)
    if variant is None:
        from survey.io.readers.detect import detect_table

        fmt, _ = detect_table(table, Path(path), codebook)
        variant = "code" if fmt == "wjx_code" else "text"
    return read_wjx_table(table, codebook, variant=variant)


def crosscheck(
    text_result: ReadResult, code_result: ReadResult, codebook: Codebook
) -> pd.DataFrame:
    """Compare the 按文本 and 按序号 variants of one download, cell by cell.

    Rows are aligned by 序号 (``_seq``) when both files carry it, otherwise by position. Every
    choice, multiple-choice, ranking and numeric column is compared after decoding: a difference
    means the codebook's codes do not match the platform's (e.g. a reversed option order).

    Parameters
    ----------
    text_result, code_result
        :class:`ReadResult` of the 按文本 and the 按序号 file.
    codebook
        The codebook both were read with.

    Returns
    -------
    pandas.DataFrame
        One row per mismatching cell: ``seq``, ``row`` (Excel row in the 按文本 file),
        ``code_row`` (in the 按序号 file), ``column``, ``label`` (the option label the 按文本 file
        shows, via the codebook), ``text_code`` (its code) and ``code`` (what 按序号 says). A row
        present in only one file is reported once with ``column == "(整行)"``. Empty when all
        agree.
    """
    t, c = text_result.frame, code_result.frame
    use_seq = (
        t["_seq"].notna().all()
        and c["_seq"].notna().all()
        and t["_seq"].is_unique
        and c["_seq"].is_unique
    )
    if use_seq:
        t_idx = t.set_index("_seq", drop=False)
        c_idx = c.set_index("_seq", drop=False)
    else:
        t_idx = t.set_index(pd.Index(np.arange(len(t), dtype=float)), drop=False)
        c_idx = c.set_index(pd.Index(np.arange(len(c), dtype=float)), drop=False)
    records: list[dict[str, object]] = []
    for key in sorted(set(t_idx.index) ^ set(c_idx.index)):
        in_t = key in t_idx.index
        records.append(
            {
                "seq": key,
                "row": t_idx.at[key, "_row"] if in_t else np.nan,
                "code_row": np.nan if in_t else c_idx.at[key, "_row"],
                "column": "(整行)",
                "label": "仅出现在按文本文件中" if in_t else "仅出现在按序号文件中",
                "text_code": np.nan,
                "code": np.nan,
            }
        )
    common = t_idx.index.intersection(c_idx.index)
    for item in codebook.items:
        if item.type == "text":
            continue
        options = codebook.options(item.id)
        for col in codebook.columns(item.id):
            if col.endswith("_other") or col not in t_idx or col not in c_idx:
                continue
            a = pd.to_numeric(t_idx.loc[common, col], errors="coerce")
            b = pd.to_numeric(c_idx.loc[common, col], errors="coerce")
            differ = (a.isna() != b.isna()) | (a.notna() & b.notna() & (a != b))
            for key in common[differ.to_numpy()]:
                tv = a.loc[key]
                label: str | float = np.nan
                if item.type in ("likert", "single") and not pd.isna(tv):
                    label = options.get(int(tv), np.nan) if float(tv).is_integer() else np.nan
                elif item.type in ("multiple", "ranking"):
                    label = options.get(int(col.rsplit("_", 1)[1]), np.nan)
                records.append(
                    {
                        "seq": key,
                        "row": t_idx.at[key, "_row"],
                        "code_row": c_idx.at[key, "_row"],
                        "column": col,
                        "label": label,
                        "text_code": tv,
                        "code": b.loc[key],
                    }
                )
    out = pd.DataFrame(
        records, columns=["seq", "row", "code_row", "column", "label", "text_code", "code"]
    )
    return out.sort_values(["seq", "column"], kind="stable").reset_index(drop=True)


def _fmt(x: float) -> str:
    return "空" if pd.isna(x) else f"{float(x):g}"


#: Columns of the mismatch list written for the research group (no answers, no identifiers).
MISMATCH_COLUMNS = ["文件", "行", "按序号文件", "按序号文件行", "列", "按文本显示", "编码手册代码", "按序号代码"]


def mismatch_table(mismatches: pd.DataFrame, text_file: str, code_file: str) -> pd.DataFrame:
    """The :func:`crosscheck` result as the table written to ``crosscheck_mismatches.csv``.

    Only file names, Excel rows, the column, the option label and the two codes: nothing a
    respondent typed and no identifier.
    """
    def row(x: object) -> object:
        return "" if pd.isna(x) else int(x)  # type: ignore[call-overload]

    return pd.DataFrame(
        {
            "文件": text_file,
            "行": [row(x) for x in mismatches["row"]],
            "按序号文件": code_file,
            "按序号文件行": [row(x) for x in mismatches["code_row"]],
            "列": mismatches["column"].astype(str),
            "按文本显示": ["" if pd.isna(x) else str(x) for x in mismatches["label"]],
            "编码手册代码": [_fmt(x) for x in mismatches["text_code"]],
            "按序号代码": [_fmt(x) for x in mismatches["code"]],
        },
        columns=MISMATCH_COLUMNS,
    )


def crosscheck_error(
    mismatches: pd.DataFrame,
    text_file: str,
    code_file: str,
    *,
    listed_in: str | Path | None = None,
    allowed: int = 0,
    shown: int = 20,
) -> SurveyError:
    """The error for a :func:`crosscheck` result with more than ``allowed`` mismatches.

    The message gives the count and the first ``shown`` mismatches (file, Excel row, column,
    the label the 按文本 file shows, the code the codebook gives it, the code the 按序号 file
    holds) and names the file holding the full list (``listed_in``).
    """
    lines = []
    for _, m in mismatches.head(shown).iterrows():
        where = f"第 {int(m['row'])} 行" if not pd.isna(m["row"]) else f"按序号文件第 {_fmt(m['code_row'])} 行"
        if m["column"] == "(整行)":
            lines.append(f"  {where}：{m['label']}")
            continue
        label = "空" if pd.isna(m["label"]) else f"“{m['label']}”"
        lines.append(
            f"  {where} {m['column']}：按文本为{label}（编码手册代码 {_fmt(m['text_code'])}），"
            f"按序号为 {_fmt(m['code'])}"
        )
    more = f"\n  ……（另有 {len(mismatches) - shown} 处）" if len(mismatches) > shown else ""
    full = f"\n完整清单已写入：{listed_in}" if listed_in is not None else ""
    first = mismatches.iloc[0]
    return SurveyError(
        f"按文本与按序号两个文件不一致：共 {len(mismatches)} 处（允许 {allowed} 处），"
        f"编码手册的选项代码可能与问卷平台（问卷星 / 问卷网）不符；未写出任何处理结果。按序号文件：{code_file}\n"
        + "\n".join(lines) + more + full,
        file=text_file,
        row=int(first["row"]) if not pd.isna(first["row"]) else None,
        column=str(first["column"]),
        expected="同一份下载的两个版本逐格一致",
        hint="核对编码手册中这些题目 options 的代码顺序是否与问卷星的选项顺序一致"
        "（可用 survey codebook draft 按文本文件 按序号文件 重新生成）；若确是平台本身不一致，"
        "在 study.yaml 的 questionnaire.crosscheck.allow_mismatches 中写明允许的处数",
    )
