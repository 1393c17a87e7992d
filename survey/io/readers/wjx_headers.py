"""What 问卷星 writes in headers and cells: meta columns, question headers, "other" texts.

Shared by the readers (column mapping, format detection) and by ``survey codebook draft``.
"""

from __future__ import annotations

import re

from survey.io.normalise import normalise_text

__all__ = ["WJX_META", "core_label", "parse_download_name", "parse_wjx_header", "split_other"]

#: 问卷星 meta columns (normalised) and what they become.
WJX_META: dict[str, str] = {
    "序号": "_seq",
    "提交答卷时间": "submitted_at",
    "所用时间": "duration_s",
    "来源": "",
    "来源详情": "",
    "来自IP": "",
    "总分": "",
}

_MATRIX = re.compile(r"^第\s*(\d+)\s*题\s*\((.*)\)$", re.DOTALL)
_MATRIX_DOT = re.compile(r"^(\d+)\s*\.\s*\((.*)\)$", re.DOTALL)
_STEM = re.compile(r"^(\d+)\s*(?:、|:|\.(?!\d))\s*(.*)$", re.DOTALL)


def parse_wjx_header(header: str) -> tuple[str, int, str] | None:
    """Parse a 问卷星 header.

    Returns
    -------
    (form, number, text) or None
        ``("matrix", 7, "行标题")`` for ``第7题(行标题)`` / ``7.(行标题)`` (a matrix row, or an
        option column of a 按序号 multiple-choice or ranking question), ``("stem", 3, "题干")``
        for ``3、题干`` / ``3：题干`` / ``3:题干``; ``None`` for anything else.

    Examples
    --------
    >>> parse_wjx_header("第７题（学习形式单一）")
    ('matrix', 7, '学习形式单一')
    """
    h = normalise_text(header)
    for pat in (_MATRIX, _MATRIX_DOT):
        m = pat.match(h)
        if m:
            return "matrix", int(m.group(1)), m.group(2).strip()
    m = _STEM.match(h)
    if m:
        return "stem", int(m.group(1)), m.group(2).strip()
    return None


_OTHER_MARK = re.compile(r"〖.*?〗")
_TRAILING_NOTE = re.compile(r"\((请注明|请说明|请填写|注明|请写明)?[^()]*\)$|_+$")


def core_label(label: str) -> str:
    """A looser form of a label for matching: no ``〖…〗``, no trailing ``(请注明)``, no spaces.

    Examples
    --------
    >>> core_label("其他〖请注明〗")
    '其他'
    """
    t = _OTHER_MARK.sub("", normalise_text(label))
    t = _TRAILING_NOTE.sub("", t.strip())
    return t.replace(" ", "").replace("_", "")


_OTHER = re.compile(r"^(.*?)〖(.*)〗\s*$", re.DOTALL)


def split_other(cell: str) -> tuple[str, str | None]:
    """Split an answer with a filled-in "other" text from that text.

    Examples
    --------
    >>> split_other("其他〖校企联合支部〗")
    ('其他', '校企联合支部')
    >>> split_other("同意")
    ('同意', None)
    """
    m = _OTHER.match(cell)
    if not m:
        return cell, None
    other = m.group(2).strip()
    return m.group(1).strip(), (other or None)


#: 问卷星 download names: ``{id}_{按文本|按序号|按分数}_{title}_{n}_{n}`` and the old
#: ``{id}_{n}_{0|2}.xls`` (0 = 按文本, 2 = 按序号).
_DOWNLOAD_NAME = re.compile(r"^(\d{5,})_(按文本|按序号|按分数)_(.*)_\d+_\d+$")
_OLD_DOWNLOAD_NAME = re.compile(r"^(\d{5,})_(\d+)_([02])$")
_VARIANTS = {"按文本": "text", "按序号": "code", "按分数": "score", "0": "text", "2": "code"}


def parse_download_name(stem: str) -> tuple[str, str, str] | None:
    """``(questionnaire id, title, variant)`` of a 问卷星 download's file name (without the
    extension), or ``None`` for any other name. ``variant`` is ``text``, ``code`` or ``score``;
    the old ``.xls`` names carry no title (``""``).

    Examples
    --------
    >>> parse_download_name("386540716_按序号_党建调查_79_78")
    ('386540716', '党建调查', 'code')
    >>> parse_download_name("386540716_3_0")
    ('386540716', '', 'text')
    """
    m = _DOWNLOAD_NAME.match(stem)
    if m:
        return m.group(1), m.group(3), _VARIANTS[m.group(2)]
    m = _OLD_DOWNLOAD_NAME.match(stem)
    if m:
        return m.group(1), "", _VARIANTS[m.group(3)]
    return None
