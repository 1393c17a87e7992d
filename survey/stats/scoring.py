"""Scale scores: reverse keying and the mean of answered items with a minimum-answered rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.stats.common import require_columns

T = TypeVar("T", float, np.ndarray, pd.Series, pd.DataFrame)


def reverse_key(x: T, lo: float, hi: float) -> T:
    """Reverse-key Likert codes: ``lo + hi - x`` (missing stays missing).

    Parameters
    ----------
    x
        A code, an array, a Series or a DataFrame of codes.
    lo, hi
        Smallest and largest valid code of the item (e.g. 1 and 5).

    Returns
    -------
    Same type as ``x``. Applying it twice returns the input.

    Examples
    --------
    >>> reverse_key(2.0, 1, 5)
    4.0
    """
    return lo + hi - x


def keyed_items(
    data: pd.DataFrame, codebook: Codebook, scale_id: str, *, check_range: bool = True
) -> pd.DataFrame:
    """Return a scale's item columns with reverse-keyed items reversed.

    Parameters
    ----------
    data
        The cleaned response frame (item columns by codebook id).
    codebook
        The codebook defining the scale.
    scale_id
        The scale's id.
    check_range
        Raise :class:`SurveyError` for a code outside the scale's range (which the cleaning
        step should already have set missing).

    Returns
    -------
    pandas.DataFrame
        A float copy of the items (index of ``data``), reverse keyed.

    Examples
    --------
    >>> from survey.stats._examples import codebook, responses
    >>> df = responses()
    >>> df.loc[1, ["A1", "A2", "A3"]].tolist(), keyed_items(df, codebook(), "S1").loc[1].tolist()
    ([3.0, 3.0, 4.0], [3.0, 3.0, 2.0])
    """
    scale = codebook.scale(scale_id)
    require_columns(data, scale.items, what=f"量表 {scale_id}（{scale.label}）")
    lo, hi = codebook.scale_range(scale_id)
    items = data[list(scale.items)].apply(pd.to_numeric, errors="coerce").astype(float)
    if check_range:
        bad = items.notna() & ((items < lo) | (items > hi))
        if bad.to_numpy().any():
            col = bad.any().idxmax()
            pos = int(np.flatnonzero(bad[col].to_numpy())[0])
            row = _excel_row(data, pos)
            raise SurveyError(
                f"量表 {scale_id} 的题目 {col} 有超出取值范围的值 {items[col].iloc[pos]:g}",
                file=_file_of(data, pos),
                row=row,
                column=str(col),
                expected=f"{lo} 到 {hi} 之间的编码，或缺失",
                hint="请先运行清洗步骤（超出范围的值会被设为缺失并记录）",
            )
    for it in scale.reverse:
        items[it] = reverse_key(items[it], lo, hi)
    return items


def _excel_row(data: pd.DataFrame, pos: int) -> int | None:
    if "_row" in data.columns:
        v = data["_row"].iloc[pos]
        return int(v) if pd.notna(v) else None
    return None


def _file_of(data: pd.DataFrame, pos: int) -> str | None:
    if "_file" in data.columns:
        v = data["_file"].iloc[pos]
        return str(v) if pd.notna(v) else None
    return None


def min_items_needed(n_items: int, min_answered: float = 0.5) -> int:
    """The number of answered items a ``n_items``-item scale needs for a score.

    ``ceil(min_answered × n_items)``, at least 1 (a tiny tolerance keeps ``0.5 × 6`` at 3
    despite floating point).

    Examples
    --------
    >>> min_items_needed(6), min_items_needed(5), min_items_needed(4, 0.75)
    (3, 3, 3)
    """
    return max(int(np.ceil(min_answered * n_items - 1e-9)), 1)


def _share_zh(min_answered: float) -> str:
    if min_answered == 0.5:
        return "一半"
    return f" {min_answered * 100:.4g}%"


def describe_rule(min_answered: float = 0.5, *, n_items: Sequence[int] = ()) -> str:
    """One Chinese sentence saying how scale scores are computed, for the report.

    Parameters
    ----------
    min_answered
        ``study.scoring.min_answered`` (the share of a scale's items that must be answered).
    n_items
        The numbers of items of the scales reported; they give the worked examples
        (``6 题的量表至少答 3 题``). Default: a 6-item example.

    Returns
    -------
    str
        E.g. ``量表得分为按比例折算的均值：反向题先反向计分，再对受访者已作答的题目求平均
        （未答的题不计入，也不按 0 分计）；已答题数不足该量表题数的一半（向上取整，如 6 题的量表至少答 3 题）时，该量表得分记为缺失。``

    Examples
    --------
    >>> describe_rule(1.0, n_items=[4]).split("；")[1]
    '量表各题须全部作答（如 4 题的量表须答满 4 题），否则该量表得分记为缺失。'
    """
    sizes = sorted(set(int(k) for k in n_items)) or [6]
    examples = "、".join(
        f"{k} 题的量表{'须答满' if min_items_needed(k, min_answered) == k else '至少答'} "
        f"{min_items_needed(k, min_answered)} 题"
        for k in sizes
    )
    head = (
        "量表得分为按比例折算的均值：反向题先反向计分，再对受访者已作答的题目求平均"
        "（未答的题不计入，也不按 0 分计）；"
    )
    if min_answered >= 1:
        return head + f"量表各题须全部作答（如 {examples}），否则该量表得分记为缺失。"
    return (
        head
        + f"已答题数不足该量表题数的{_share_zh(min_answered)}（向上取整，如 {examples}）时，"
        "该量表得分记为缺失。"
    )


def score_scales(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    scales: Sequence[str] | None = None,
    min_answered: float = 0.5,
) -> pd.DataFrame:
    """Score every scale as the mean of its answered items after reverse keying.

    Parameters
    ----------
    data
        The cleaned response frame: one row per respondent, item columns by codebook id.
    codebook
        The codebook whose ``scales`` define items, reverse-keyed items and ranges.
    scales
        Scale ids to score; default all scales in codebook order.
    min_answered
        Minimum share of a scale's items a respondent must have answered, in (0, 1]; below
        it the score is missing. 0.5 means "at least half of the items" (``ceil(k/2)``).
        Studies set it in ``study.yaml`` as ``scoring.min_answered``
        (``study.scoring.min_answered``); :func:`describe_rule` words it for the report.

    Returns
    -------
    pandas.DataFrame
        One float column per scale (named by scale id), same index as ``data``.

    Notes
    -----
    Score = mean over answered items of the keyed codes, where a reverse-keyed item becomes
    ``lo + hi - x`` (``lo``, ``hi``: the scale's range). This is the "prorated" mean score;
    the SPSS equivalent is ``MEAN.k(item1, ..., itemK)`` with ``k = ceil(min_answered * K)``,
    the R one ``psych::scoreItems(keys, items, totals = FALSE, impute = "none")`` followed by
    setting scores with too few answered items to ``NA``.

    Examples
    --------
    >>> scores = score_scales(df, codebook)  # doctest: +SKIP
    >>> scores["P1"].describe()  # doctest: +SKIP
    """
    if not 0 < min_answered <= 1:
        raise SurveyError(
            f"min_answered（最少作答比例）无效：{min_answered}", expected="大于 0 且不大于 1 的数"
        )
    ids = list(scales) if scales is not None else [s.id for s in codebook.scales]
    out = {}
    for sid in ids:
        items = keyed_items(data, codebook, sid)
        k = items.shape[1]
        answered = items.notna().sum(axis=1)
        score = items.mean(axis=1, skipna=True)
        out[sid] = score.where(answered >= min_items_needed(k, min_answered))
    return pd.DataFrame(out, index=data.index, dtype=float)
