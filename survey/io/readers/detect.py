"""Which reader a file needs: ``wjx_text``, ``wjx_code``, ``wjw_text`` / ``wjw_code`` (问卷网), ``tencent`` (腾讯问卷), ``generic`` or ``spss``.

SPSS files are known by their extension or first bytes. A table is a 腾讯问卷 download when its
header has 编号, 开始答题时间 and 结束答题时间 (tried first: its ``N.题干`` headers look like 问卷星
ones). A table is a 问卷星 export when it has
the 问卷星 meta columns (序号 + 提交答卷时间) or most of its headers look like ``N、题干`` /
``第N题(…)``. 按文本 and 按序号 are told apart by the cells: ``┋`` or ``→`` joins, or option
labels in matrix / choice columns, mean 按文本; numbers there mean 按序号. The file name
(``按文本`` / ``按序号``, old ``_0.xls`` / ``_2.xls``) only breaks ties. ``QuestionnaireFile.format``
overrides all of this.

Platforms are tried in the order of :data:`DETECTORS` (one detector per platform); a table no
detector claims is ``generic``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from survey.config.codebook import Codebook
from survey.io.normalise import is_missing_token, normalise_text, parse_number
from survey.io.readers.tabular import Table, read_table
from survey.io.readers.wjx_headers import WJX_META, parse_download_name, parse_wjx_header

__all__ = ["DETECTORS", "SPSS_EXTENSIONS", "detect_format", "detect_table", "detect_wjx", "is_spss"]

SPSS_EXTENSIONS = (".sav", ".zsav")


def is_spss(path: Path) -> bool:
    """True for an SPSS .sav / .zsav file (by extension or by its ``$FL2`` / ``$FL3`` magic)."""
    if path.suffix.lower() in SPSS_EXTENSIONS:
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) in (b"$FL2", b"$FL3")
    except OSError:
        return False


def _name_hint(path: Path) -> str | None:
    parsed = parse_download_name(path.stem)
    if parsed is not None and parsed[2] in ("text", "code"):
        return f"wjx_{parsed[2]}"
    name = path.name
    if "按文本" in name or re.search(r"_0\.xlsx?$", name):
        return "wjx_text"
    if "按序号" in name or re.search(r"_2\.xlsx?$", name):
        return "wjx_code"
    return None


#: A platform detector: ``(format, reason)`` when the table is that platform's export, else
#: ``None`` (the next detector is tried).
Detector = Callable[[Table, Path, Codebook | None], tuple[str, str] | None]


def detect_table(table: Table, path: Path, codebook: Codebook | None = None) -> tuple[str, str]:
    """Detect the format of a table already read.

    Each detector of :data:`DETECTORS` is asked in turn; a table no platform claims is
    ``generic``.

    Returns
    -------
    (format, reason)
        The format and a short Chinese reason (for the log).
    """
    for _platform, detector in DETECTORS:
        got = detector(table, path, codebook)
        if got is not None:
            return got
    return (
        "generic",
        "表头不是问卷星格式（没有“序号、提交答卷时间”，题目列也不是“N、题干”形式）",
    )


def detect_wjx(table: Table, path: Path, codebook: Codebook | None = None) -> tuple[str, str] | None:
    """问卷星: ``wjx_text`` / ``wjx_code`` with a reason, or ``None`` for another table."""
    heads = [normalise_text(h) for h in table.header]
    parsed = [parse_wjx_header(h) for h in table.header]
    meta = {h for h in heads if h in WJX_META}
    non_meta = [p for h, p in zip(heads, parsed, strict=True) if h not in WJX_META]
    wjx_like = sum(p is not None for p in non_meta)
    if not ({"序号", "提交答卷时间"} <= meta or (non_meta and wjx_like / len(non_meta) >= 0.5)):
        return None
    data = table.data
    for name in table.header:
        col = data[name]
        if col.str.contains("┋", regex=False).any() or col.str.contains("→", regex=False).any():
            return "wjx_text", f"“{name}”列含有 ┋ 或 → 连接的选项文字"
    # Choice columns: matrix-form columns, plus stem columns of choice items in the codebook.
    choice_q: set[int] = set()
    if codebook is not None:
        choice_q = {
            i.source.question
            for i in codebook.items
            if i.type in ("likert", "single")
            and i.source.question is not None
            and i.source.row is None
        }
    numeric = labels = 0
    for name, p in zip(table.header, parsed, strict=True):
        if p is None or not (p[0] == "matrix" or p[1] in choice_q):
            continue
        for v in data[name]:
            if is_missing_token(v):
                continue
            if parse_number(v) == parse_number(v):  # a number (NaN != NaN)
                numeric += 1
            else:
                labels += 1
    if numeric or labels:
        if labels > numeric:
            return "wjx_text", f"选择题列中多为选项文字（{labels} 个文字，{numeric} 个数字）"
        return "wjx_code", f"选择题列中多为数字代码（{numeric} 个数字，{labels} 个文字）"
    hint = _name_hint(path)
    if hint is not None:
        return hint, "单元格无法判断，按文件名判断"
    return "wjx_text", "单元格无法判断（没有选择题答案），按“按文本”读取"


#: The platforms recognised, in the order they are tried: ``(name, detector)``. A new
#: platform (腾讯问卷, 问卷网 …) adds its detector here (its formats, e.g. ``"tencent"``, then
#: need a reader in :func:`survey.io.readers.read_path` and a ``FileFormat`` in the study).
DETECTORS: list[tuple[str, Detector]] = [("问卷星", detect_wjx)]

_WJW_NAMES = {"all_data_readable": "wjw_text", "all_data_original": "wjw_code"}
_WJW_MULTI = re.compile(r"^Q\d+_A\d+$")


def detect_wjw(table: Table, path: Path, codebook: Codebook | None = None) -> tuple[str, str] | None:
    """问卷网: ``wjw_text`` (All_Data_Readable) / ``wjw_code`` (All_Data_Original), else ``None``."""
    fmt = _WJW_NAMES.get(path.stem.lower())
    if fmt is not None:
        return fmt, f"文件名 {path.name} 是问卷网下载的文件名"
    heads = [normalise_text(h) for h in table.header]
    if any(_WJW_MULTI.match(h) for h in heads) and {"start", "finish"} <= set(heads):
        return "wjw_code", "表头有 start、finish 和 Qn_A# 形式的列（问卷网 Original 文件）"
    return None


DETECTORS.append(("问卷网", detect_wjw))

#: Meta columns every 腾讯问卷 download starts with (older and newer exports alike).
_TENCENT_META = {"编号", "开始答题时间", "结束答题时间"}


def detect_tencent(table: Table, path: Path, codebook: Codebook | None = None) -> tuple[str, str] | None:
    """腾讯问卷: ``tencent`` when the header has 编号, 开始答题时间 and 结束答题时间, else ``None``."""
    heads = {normalise_text(h) for h in table.header}
    if heads >= _TENCENT_META:
        return "tencent", "表头有“编号、开始答题时间、结束答题时间”（腾讯问卷下载的文件）"
    return None


# Before 问卷星: its question headers ``N.题干`` also look like 问卷星 ones; 问卷星 never writes
# 编号 + 开始答题时间 + 结束答题时间.
DETECTORS.insert(0, ("腾讯问卷", detect_tencent))


def detect_format(
    path: str | Path,
    codebook: Codebook | None = None,
    *,
    sheet: str | int | None = None,
    encoding: str = "auto",
) -> str:
    """Detect the format of a questionnaire file.

    Parameters
    ----------
    path
        The file.
    codebook
        Optional: tells which stem columns are choice questions.
    sheet, encoding
        As for :func:`~survey.io.readers.tabular.read_table`.

    Returns
    -------
    str
        ``"wjx_text"``, ``"wjx_code"``, ``"tencent"``, ``"wjw_text"``, ``"wjw_code"``,
        ``"generic"`` or ``"spss"``.

    Examples
    --------
    >>> detect_format("386540716_按序号_调查_79_78.csv")  # doctest: +SKIP
    'wjx_code'
    """
    path = Path(path)
    if is_spss(path):
        return "spss"
    table = read_table(path, sheet=sheet, encoding=encoding)
    return detect_table(table, path, codebook)[0]
