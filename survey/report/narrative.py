"""Number formatting and plain-language Chinese text for the reports.

One place decides how a number is written, so that a number in a sentence is *exactly* the
string shown in the table next to it (tests parse the sentences back and compare). Minus signs
are ASCII ``-`` so that numbers copied from the report paste into Excel as numbers.
"""

from __future__ import annotations

import math
from typing import Any

#: Shown for a value that cannot be computed.
MISSING = "—"

#: One-sentence explanations for the committee (used in 03 and 07).
EXPLAIN_CI = (
    "95% 置信区间（CI）：按同样方法反复抽样调查，这样算出的区间有 95% 会包含真实差距；"
    "区间整体在 0 的一侧（不跨过 0），说明差距的方向比较确定。"
)
EXPLAIN_P_ADJ = (
    "校正后 p 值：同时比较多个维度或题目时，碰巧出现“显著”的机会会变多，"
    "校正（Holm 或 Benjamini–Hochberg 方法）已把这一点算进去；校正后 p < 0.05 "
    "可理解为差距不只是抽样带来的偶然波动。"
)
EXPLAIN_G = (
    "Hedges g：把差距换算成“几个标准差”，便于不同维度之间比较；"
    "绝对值约 0.2 为小、0.5 为中、0.8 为大。"
)
EXPLAIN_PS = (
    "优势概率（McGraw & Wong 1992）：从两组中各随机抽一人，前者打分更高的概率；"
    "50% 表示两组持平，低于 50% 表示前者总体较低。"
)
EXPLAIN_SMALL = "表中“<5”表示该分组不足 5 人（或不足 5 条），为保护个人信息不显示具体数字和由它算出的统计量。"


def _bad(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def num(x: Any, nd: int = 2) -> str:
    """A number with ``nd`` decimals (``-0.00`` written as ``0.00``); ``—`` when missing."""
    if _bad(x):
        return MISSING
    s = f"{float(x):.{nd}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def signed(x: Any, nd: int = 2) -> str:
    """A number with an explicit sign (``+0.06``, ``-0.24``)."""
    if _bad(x):
        return MISSING
    s = num(x, nd)
    return s if s.startswith("-") else "+" + s


def pval(p: Any) -> str:
    """A p-value: ``< 0.001`` or three decimals."""
    if _bad(p):
        return MISSING
    return "< 0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def p_eq(p: Any) -> str:
    """``p`` as it follows the letter p in a sentence: ``= 0.012`` or ``< 0.001``."""
    s = pval(p)
    return s if s.startswith("<") or s == MISSING else f"= {s}"


def pct(x: Any, nd: int = 1) -> str:
    """A share as a percentage (``0.194`` → ``19.4%``)."""
    if _bad(x):
        return MISSING
    return f"{100 * float(x):.{nd}f}%"


def ci(lo: Any, hi: Any, nd: int = 2) -> str:
    """An interval as ``[lo, hi]``."""
    if _bad(lo) or _bad(hi):
        return MISSING
    return f"[{num(lo, nd)}, {num(hi, nd)}]"


def count(n: Any, min_n: int = 5) -> str:
    """A count of people or statements, ``<5`` when 1–4."""
    if _bad(n):
        return MISSING
    n = int(n)
    return f"<{min_n}" if 0 < n < min_n else str(n)


def join_zh(items: list[str]) -> str:
    """Join names the Chinese way: ``甲、乙和丙``."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return "、".join(items[:-1]) + "和" + items[-1]


def quoted(name: str) -> str:
    """A name in Chinese corner quotes: ``「过硬党支部建设」``."""
    return f"「{name}」"


def effect_size_word(g: Any) -> str:
    """Cohen's conventional size of a standardised effect, in Chinese."""
    if _bad(g):
        return ""
    a = abs(float(g))
    if a < 0.2:
        return "很小"
    if a < 0.5:
        return "小"
    if a < 0.8:
        return "中等"
    return "大"
