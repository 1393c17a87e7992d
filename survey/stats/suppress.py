"""Small-cell suppression for tables meant for reports.

What is suppressed: breakdowns of **people** — cells of a respondent table (how many
respondents, and what they answered, per college × member type, branch, ...). A breakdown
with fewer than ``min_n`` respondents (default 5) is shown as ``<5`` and every value computed
from it (means, shares, CIs, p-values) is blanked in that row, so no one can infer what a
handful of identifiable people answered. Zero is shown as ``0`` (it reveals nothing about a
person). Counts of excluded rows, statements or files are not personal data and are shown as
they are. The functions work on copies and never change their input.

* :func:`suppress_small`: tidy tables, one breakdown per row, no totals.
* :func:`suppress_crosstab`: a two-way table of counts shown with its row and column totals.
  A suppressed cell that is alone in its row could be recovered as ``total − the other
  cells``; :func:`secondary_suppression` therefore hides further cells (marked ``*``) until
  no hidden cell can be computed from the shown cells and totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.linalg import null_space

from survey.errors import SurveyError

SUPPRESSED = "<5"
#: Mark of a cell hidden only so that a suppressed cell cannot be recomputed from a total.
SECONDARY = "*"
#: Which totals a cross table publishes.
TOTALS = ("both", "rows", "columns")


def suppress_small(
    table: pd.DataFrame,
    count_cols: Sequence[str],
    min_n: int = 5,
    *,
    dependent_cols: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Hide counts below ``min_n`` and blank the cells computed from them.

    Parameters
    ----------
    table
        A tidy result table (one breakdown per row).
    count_cols
        Columns holding respondent counts (e.g. ``["n"]`` or ``["n_home", "n_bench"]``).
    min_n
        Smallest count shown as is (default 5).
    dependent_cols
        Cells to blank when a row is suppressed. ``None`` (default): every other numeric
        column of the table. A sequence: those columns, blanked when **any** count of the row
        is small. A mapping ``{count_col: [columns]}``: each count governs its own columns.
    label
        Text shown for a suppressed count; default ``"<{min_n}"`` (``<5``).

    Returns
    -------
    pandas.DataFrame
        A copy; the count columns and blanked columns have object dtype (``<5`` strings next
        to integers, ``None`` for blanks). Column ``suppressed`` (bool) marks affected rows.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "n": [12, 3], "mean": [3.5, 4.0]})
    >>> suppress_small(t, ["n"])[["n", "mean"]].to_numpy().tolist()
    [[12, 3.5], ['<5', None]]
    """
    label = label if label is not None else f"<{min_n}"
    out = table.copy()
    missing = [c for c in count_cols if c not in out]
    if missing:
        raise KeyError(f"count columns not in table: {missing}")
    small = {c: (pd.to_numeric(out[c], errors="coerce").fillna(0) < min_n).to_numpy() for c in count_cols}
    if isinstance(dependent_cols, Mapping):
        mapping = {c: list(dependent_cols.get(c, [])) for c in count_cols}
    else:
        if dependent_cols is None:
            deps = [c for c in out.columns if c not in count_cols and pd.api.types.is_numeric_dtype(out[c])
                    and not pd.api.types.is_bool_dtype(out[c])]
        else:
            deps = list(dependent_cols)
        any_small = np.logical_or.reduce(list(small.values())) if small else np.zeros(len(out), bool)
        mapping = {c: deps for c in count_cols}
        small = {c: any_small for c in count_cols}
    affected = np.zeros(len(out), dtype=bool)
    for c in count_cols:
        vals = pd.to_numeric(out[c], errors="coerce")
        hide = small[c] & (vals.fillna(0).to_numpy() > 0) & (vals.fillna(0).to_numpy() < min_n)
        col = out[c].astype(object)
        col[hide] = label
        out[c] = col
        rows = small[c]
        for d in mapping[c]:
            dep = out[d].astype(object)
            dep[rows] = None
            out[d] = dep
        affected |= rows & (vals.fillna(0).to_numpy() < min_n)
    out["suppressed"] = affected
    return out


def _constraints(hidden: np.ndarray, totals: str) -> np.ndarray:
    """Equations (one per published total) on the hidden cells, as a 0/1 matrix."""
    cells = np.argwhere(hidden)
    rows = []
    if totals in ("both", "rows"):
        rows += [(cells[:, 0] == i).astype(float) for i in np.unique(cells[:, 0])]
    if totals in ("both", "columns"):
        rows += [(cells[:, 1] == j).astype(float) for j in np.unique(cells[:, 1])]
    return np.array(rows).reshape(len(rows), len(cells))


def recoverable(hidden: np.ndarray | pd.DataFrame, *, totals: str = "both") -> np.ndarray:
    """Which hidden cells of a table follow from its shown cells and totals (linear algebra).

    Parameters
    ----------
    hidden
        Boolean ``(rows, columns)`` mask of the hidden cells.
    totals
        Which totals are shown: ``"both"`` (row and column totals), ``"rows"`` or
        ``"columns"``.

    Returns
    -------
    numpy.ndarray
        Boolean mask: hidden cells whose value is determined. Subtracting the shown cells
        from each shown total leaves a linear system ``A v = b`` in the hidden values v; a
        hidden value is determined iff every solution of ``A v = 0`` is zero in that cell,
        i.e. iff its row of an orthonormal basis of the null space of A (:func:`scipy.linalg.
        null_space`) is zero. This includes the obvious case — a row or column with exactly
        one hidden cell — and chains of such subtractions.

    Examples
    --------
    >>> recoverable(np.array([[True, False], [False, False]])).tolist()
    [[True, False], [False, False]]
    >>> recoverable(np.array([[True, True], [True, True]])).tolist()
    [[False, False], [False, False]]
    """
    h = np.asarray(hidden, dtype=bool)
    if totals not in TOTALS:
        raise ValueError(f"totals must be one of {TOTALS}, not {totals!r}")
    out = np.zeros(h.shape, dtype=bool)
    if not h.any():
        return out
    a = _constraints(h, totals)
    if not len(a):
        return out
    basis = null_space(a)
    det = np.all(np.abs(basis) < 1e-9, axis=1) if basis.size else np.ones(len(a[0]), bool)
    out[tuple(np.argwhere(h).T)] = det
    return out


def _complement(v: np.ndarray, hidden: np.ndarray, i: int, j: int, use_rows: bool,
                use_cols: bool) -> tuple[int, int] | None:
    """The cell to hide next to the recoverable hidden cell (i, j), or None if none is left."""
    lines = []
    if use_cols and hidden[:, j].sum() == 1 and hidden[i].sum() > 1:
        lines.append(("col", j))
    if use_rows:
        lines.append(("row", i))
    if use_cols and ("col", j) not in lines:
        lines.append(("col", j))
    for want_positive in (True, False):
        for kind, k in lines:
            idx = ([(k, c) for c in range(v.shape[1])] if kind == "row"
                   else [(r, k) for r in range(v.shape[0])])
            # a cell of a line totalling 0 is known to be 0 (counts are >= 0): no cover
            cand = [(v[a, b], a, b) for a, b in idx
                    if not hidden[a, b] and (v[a, b] > 0) == want_positive
                    and v[a].sum() > 0 and v[:, b].sum() > 0]
            if cand:
                return min(cand)[1:]
    return None


def secondary_suppression(
    counts: pd.DataFrame, min_n: int = 5, *, totals: str = "both"
) -> pd.DataFrame:
    """Cells to hide in a table of counts shown with totals: small cells and their complements.

    Parameters
    ----------
    counts
        Non-negative counts of people, ``rows × columns`` (without total row or column);
        every shown total should be 0 or at least ``min_n`` (:func:`suppress_crosstab`
        checks this).
    min_n
        Counts ``0 < count < min_n`` are hidden (primary suppression).
    totals
        Which totals are shown next to the table: ``"both"``, ``"rows"``, ``"columns"``.

    Returns
    -------
    pandas.DataFrame
        Boolean mask like ``counts``: True = hidden (primary or secondary).

    Raises
    ------
    ValueError
        When no choice of cells protects the small ones (e.g. a single-row table showing
        column totals, which repeat its cells): show fewer totals.

    Notes
    -----
    The rule, applied until nothing changes: while some hidden cell is
    :func:`recoverable` from the shown cells and totals, take the first such cell (row-major)
    and hide one more cell in its column if the column holds no other hidden cell but its
    row does, otherwise in its row (falling back to the other line): the smallest visible
    non-zero count there (a zero only when nothing else is left, and never one in a row or
    column totalling 0, which non-negativity pins to 0). In particular every row and column then holds either no
    hidden cell or at least two (the classical complementary suppression rule), and a hidden
    cell joining two groups of hidden cells through a single link (a "bridge", recoverable
    by a chain of subtractions) is protected too. The choice is deterministic. It is not
    optimal (statistical offices minimise the suppressed total with integer programming,
    e.g. tau-Argus); it is simple and safe against linear recovery.

    Examples
    --------
    >>> t = pd.DataFrame({"男": [12, 3, 20], "女": [9, 15, 7]}, index=["在职", "学生", "离退休"])
    >>> secondary_suppression(t).to_numpy().astype(int).tolist()
    [[1, 1], [1, 1], [0, 0]]
    """
    if totals not in TOTALS:
        raise ValueError(f"totals must be one of {TOTALS}, not {totals!r}")
    v = counts.apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = (v > 0) & (v < min_n)
    use_rows, use_cols = totals in ("both", "rows"), totals in ("both", "columns")
    while True:
        det = recoverable(hidden, totals=totals)
        if not det.any():
            break
        pick = next((c for i, j in np.argwhere(det)
                     if (c := _complement(v, hidden, i, j, use_rows, use_cols)) is not None), None)
        if pick is None:
            raise ValueError("cannot protect the small cells of this table with the totals "
                             f"shown ({totals!r}); show fewer totals")
        hidden[pick] = True
    return pd.DataFrame(hidden, index=counts.index, columns=counts.columns)


def suppress_crosstab(
    counts: pd.DataFrame,
    min_n: int = 5,
    *,
    totals: str = "both",
    label: str | None = None,
    secondary_label: str = SECONDARY,
    total_name: str = "合计",
) -> pd.DataFrame:
    """A table of counts with its totals, small cells and their complements hidden.

    Parameters
    ----------
    counts
        Counts of people, ``rows × columns``, without totals.
    min_n
        Smallest count shown (default 5).
    totals
        Totals shown: ``"both"`` (a total column and a total row), ``"rows"`` (total
        column only) or ``"columns"`` (total row only).
    label, secondary_label
        Text of a small cell (default ``"<{min_n}"``) and of a cell hidden only to protect
        one (default ``"*"``).
    total_name
        Label of the total row / column.

    Returns
    -------
    pandas.DataFrame
        Object dtype; totals are computed from the full counts and shown.

    Raises
    ------
    SurveyError
        When a shown total counts 1 to ``min_n − 1`` people: the total is itself a small
        cell (and, with counts being non-negative, pins the cells it adds up), so the table
        is too fine for a report; merge categories first.

    Examples
    --------
    >>> t = pd.DataFrame({"男": [12, 3, 20], "女": [9, 15, 7]}, index=["在职", "学生", "离退休"])
    >>> suppress_crosstab(t).to_numpy().tolist()
    [['*', '*', 21], ['<5', '*', 18], [20, 7, 27], [35, 31, 66]]
    """
    label = label if label is not None else f"<{min_n}"
    v = counts.apply(pd.to_numeric, errors="coerce").fillna(0)
    shown = ([("行", v.sum(axis=1))] if totals in ("both", "rows") else []) + (
        [("列", v.sum(axis=0))] if totals in ("both", "columns") else [])
    for kind, tot in shown:
        small = tot[(tot > 0) & (tot < min_n)]
        if len(small):
            raise SurveyError(
                f"交叉表中有{kind}合计不足 {min_n} 人：{'、'.join(map(str, small.index))}",
                expected=f"每个展示的合计为 0 或不少于 {min_n} 人",
                hint="合计本身也是按人统计的小格：先合并类别，再展示合计",
            )
    hidden = secondary_suppression(v, min_n, totals=totals).to_numpy()
    primary = ((v > 0) & (v < min_n)).to_numpy()
    arr = np.array(counts.to_numpy(dtype=object), dtype=object, copy=True)
    arr[hidden & ~primary] = secondary_label
    arr[primary] = label
    out = pd.DataFrame(arr, index=counts.index, columns=counts.columns)
    if totals in ("both", "rows"):
        out[total_name] = v.sum(axis=1).astype(int).to_numpy()
    if totals in ("both", "columns"):
        col = v.sum(axis=0).astype(int)
        row = [*col.tolist(), int(col.sum())] if totals == "both" else col.tolist()
        out.loc[total_name] = row
    return out
