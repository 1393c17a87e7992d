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
EXPLAIN_SMALL = ("表中“<5”表示该分组不足 5 人，为保护个人信息不显示具体数字和由它算出的统计量；"
                 "“*”表示为防止由合计反推出被隐去的数字而一并隐去的格。发言条数、排除条数等不是个人信息，照实显示。")


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
    """A count of people, ``<5`` when 1–4; ``min_n=0`` for counts that are not people.

    Counts of statements, sessions, files or excluded rows are not personal data and are shown
    in full (``count(3, 0) == "3"``).
    """
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


# ---------------------------------------------------------------------------------------------
# gap sentences shared by the sections and the brief

#: Spelling of the lower-is-better scale direction (:class:`survey.config.codebook.Scale`).
LOWER_IS_BETTER = "lower_is_better"


def mean_digits(diff: Any, mean_a: Any, mean_b: Any, nd: int = 2) -> int:
    """Decimals for two means so that their shown difference agrees with the shown gap.

    Means are shown with ``nd`` decimals when the difference of the rounded means rounds to
    the same gap as the full values, else with one more (3.688 and 3.625 next to a gap of
    0.06, not 3.69 and 3.62).

    Examples
    --------
    >>> mean_digits(0.063, 3.688, 3.625), mean_digits(-0.24, 3.58, 3.82)
    (3, 2)
    """
    if any(_bad(x) for x in (diff, mean_a, mean_b)):
        return nd
    shown = float(num(mean_a, nd)) - float(num(mean_b, nd))
    return nd if num(shown, nd) == num(diff, nd) else nd + 1


def gap_verdict(diff: Any, ci_low: Any, ci_high: Any, p_adj: Any, alpha: float = 0.05) -> str:
    """``behind`` / ``ahead`` / ``level`` / ``unknown`` from the CI of a difference and its
    adjusted p (home − comparison: ``behind`` means a lower score, whatever the direction)."""
    if _bad(diff) or _bad(p_adj):
        return "unknown"
    if float(ci_high) < 0 and float(p_adj) < alpha:
        return "behind"
    if float(ci_low) > 0 and float(p_adj) < alpha:
        return "ahead"
    return "level"


def better_word(diff: Any, *, lower_is_better: bool = False) -> str:
    """``较好`` / ``较差`` for the home group given the sign of ``diff`` (home − comparison)
    and the scale's direction; ``""`` for a zero or missing difference."""
    if _bad(diff) or float(diff) == 0:
        return ""
    return "较好" if (float(diff) > 0) != lower_is_better else "较差"


def gap_sentence(row: Any, *, reference: str, against: str, lower_is_better: bool = False,
                 alpha: float = 0.05) -> str:
    """The sentence for one dimension's gap, for any grouping and scale direction.

    Parameters
    ----------
    row
        A row of :func:`survey.stats.compare.gap_by_scale` (attributes ``label``, ``diff``,
        ``ci_low``, ``ci_high``, ``effect``, ``effect_ci_low``, ``effect_ci_high``,
        ``p_adj``).
    reference, against
        The home group and the comparison group as named in a sentence (the study's labels).
    lower_is_better
        The scale is declared ``lower_is_better``: a lower mean is the better result.
    alpha
        Significance level of the adjusted p.

    Returns
    -------
    str
        The numbers are the gap table's cells (the difference rounded once from the full
        value); the judgement says 较好 / 较差, not only higher / lower.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> r = R(label="负担感", diff=0.31, ci_low=0.1, ci_high=0.5, effect=0.42,
    ...       effect_ci_low=0.15, effect_ci_high=0.7, p_adj=0.004)
    >>> gap_sentence(r, reference="女", against="男", lower_is_better=True)[:30]
    '女在「负担感」上比男平均高 0.31 分（Hedges g = 0.42，95% CI'
    """
    label = quoted(row.label)
    v = gap_verdict(row.diff, row.ci_low, row.ci_high, row.p_adj, alpha)
    if v == "unknown":
        return f"{reference}在{label}上无法与{against}比较（样本不足）。"
    stats = (f"Hedges g = {num(row.effect)}，95% CI {ci(row.effect_ci_low, row.effect_ci_high)}，"
             f"Holm 校正 p {p_eq(row.p_adj)}")
    word = "低" if float(row.diff) < 0 else "高"
    if v == "level":
        return (f"{reference}在{label}上与{against}基本持平：平均{word} {num(abs(row.diff))} 分"
                f"（{stats}），差异可能只是抽样波动。")
    scale_note = "该维度分数越低越好，" if lower_is_better else ""
    return (f"{reference}在{label}上比{against}平均{word} {num(abs(row.diff))} 分（{stats}），"
            f"{scale_note}即{reference}在这一维度上{better_word(row.diff, lower_is_better=lower_is_better)}，"
            f"差距为{effect_size_word(row.effect)}效应，不只是抽样波动。")
