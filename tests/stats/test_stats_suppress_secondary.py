"""Secondary suppression: no hidden count of a table can be recomputed from what is shown.

The attack checked: an analyst sees the shown cells and the row/column totals and solves for
the hidden cells. (1) Peeling: a row or column with exactly one hidden cell gives it away as
total − shown cells, which may expose further cells. (2) Any linear combination: a hidden cell
is determined iff its unit vector lies in the row space of the equations (rank test, numpy;
independent of the null-space test the function uses).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from survey.errors import SurveyError
from survey.stats.suppress import secondary_suppression, suppress_crosstab


def _peel(hidden: np.ndarray, rows: bool, cols: bool) -> np.ndarray:
    """Cells an analyst recovers by repeated subtraction from totals."""
    unknown = hidden.copy()
    found = np.zeros_like(hidden)
    changed = True
    while changed:
        changed = False
        for axis, use in ((1, rows), (0, cols)):
            if not use:
                continue
            for k in range(unknown.shape[1 - axis]):
                line = unknown[k] if axis == 1 else unknown[:, k]
                if line.sum() == 1:
                    j = int(np.argmax(line))
                    cell = (k, j) if axis == 1 else (j, k)
                    unknown[cell] = False
                    found[cell] = True
                    changed = True
    return found


def _determined_by_rank(hidden: np.ndarray, rows: bool, cols: bool) -> np.ndarray:
    cells = [tuple(c) for c in np.argwhere(hidden)]
    eqs = []
    if rows:
        eqs += [[1.0 if c[0] == i else 0.0 for c in cells] for i in range(hidden.shape[0])]
    if cols:
        eqs += [[1.0 if c[1] == j else 0.0 for c in cells] for j in range(hidden.shape[1])]
    a = np.array(eqs, dtype=float).reshape(len(eqs), len(cells))
    r = np.linalg.matrix_rank(a) if a.size else 0
    out = np.zeros(hidden.shape, dtype=bool)
    for k, c in enumerate(cells):
        e = np.zeros((1, len(cells)))
        e[0, k] = 1.0
        out[c] = np.linalg.matrix_rank(np.vstack([a, e])) == r  # e_k in the row space
    return out


counts = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 15, 40])


def _totals_ok(values: np.ndarray, rows: bool, cols: bool) -> bool:
    """The precondition of a shown table: every shown total is 0 or at least 5 people."""
    shown = [*(values.sum(axis=1) if rows else []), *(values.sum(axis=0) if cols else [])]
    return all(t == 0 or t >= 5 for t in shown)


def _ranges(values: np.ndarray, hidden: np.ndarray, rows: bool, cols: bool) -> np.ndarray:
    """Width of the interval each hidden count can take given the totals and counts >= 0."""
    cells = [tuple(c) for c in np.argwhere(hidden)]
    a, b = [], []
    for axis, use in ((0, rows), (1, cols)):
        if not use:
            continue
        for k in range(values.shape[axis]):
            a.append([1.0 if c[axis] == k else 0.0 for c in cells])
            line = values[k] if axis == 0 else values[:, k]
            shown = ~(hidden[k] if axis == 0 else hidden[:, k])
            b.append(float(line.sum() - line[shown].sum()))
    out = np.zeros(hidden.shape)
    for k, c in enumerate(cells):
        e = np.zeros(len(cells))
        e[k] = 1.0
        lo = linprog(e, A_eq=a, b_eq=b, bounds=(0, None)).fun
        hi = -linprog(-e, A_eq=a, b_eq=b, bounds=(0, None)).fun
        out[c] = hi - lo
    return out


@settings(max_examples=150, deadline=None)
@given(shape=st.tuples(st.integers(2, 6), st.integers(2, 6)), data=st.data(),
       totals=st.sampled_from(["both", "rows", "columns"]))
def test_no_suppressed_cell_can_be_recovered(shape, data, totals):
    values = np.array(data.draw(st.lists(counts, min_size=shape[0] * shape[1],
                                         max_size=shape[0] * shape[1]))).reshape(shape)
    t = pd.DataFrame(values)
    rows, cols = totals in ("both", "rows"), totals in ("both", "columns")
    assume(_totals_ok(values, rows, cols))
    hidden = secondary_suppression(t, totals=totals).to_numpy()
    small = (values > 0) & (values < 5)
    assert (hidden | ~small).all()  # every small cell is hidden
    assert not _peel(hidden, rows, cols).any()
    assert not _determined_by_rank(hidden, rows, cols).any()
    if not small.any():
        assert not hidden.any()  # nothing hidden without a reason


def test_single_row_with_row_total_and_impossible_case():
    t = pd.DataFrame([[3, 12, 8]])
    hidden = secondary_suppression(t, totals="rows").to_numpy()
    assert hidden.tolist() == [[True, False, True]]  # the next-smallest cell, 8
    # column totals of a one-row table repeat its cells: nothing can protect them
    with pytest.raises(ValueError, match="fewer totals"):
        secondary_suppression(t, totals="both")


def test_crosstab_display_marks_and_totals():
    t = pd.DataFrame({"男": [12, 3, 20], "女": [9, 15, 7]}, index=["在职", "学生", "离退休"])
    out = suppress_crosstab(t)
    assert out.loc["学生", "男"] == "<5"
    assert (out.loc[["在职", "学生"], "女"] == "*").all() and out.loc["在职", "男"] == "*"
    assert out.loc["合计", "合计"] == 66 and out.loc["离退休", "合计"] == 27
    assert t.loc["学生", "男"] == 3  # input untouched
    with pytest.raises(SurveyError, match="合计"):
        suppress_crosstab(pd.DataFrame({"男": [12, 3], "女": [9, 0]}, index=["在职", "学生"]))
    # the brief's obvious case: without secondary suppression 3 = 18 − 15 would be exposed
    assert _peel(t.eq(3).to_numpy(), True, True).any()


@settings(max_examples=60, deadline=None)
@given(shape=st.tuples(st.integers(2, 5), st.integers(2, 5)), data=st.data())
def test_no_hidden_count_is_pinned_even_with_non_negativity(shape, data):
    # the stronger attack: bounds from the totals plus "counts are >= 0" (linear programming)
    values = np.array(data.draw(st.lists(counts, min_size=shape[0] * shape[1],
                                         max_size=shape[0] * shape[1]))).reshape(shape)
    # precondition of a shown table: every total is 0 or at least min_n (a total of 1-4
    # people is itself a small cell; suppress_crosstab refuses such a table)
    assume(_totals_ok(values, True, True))
    hidden = secondary_suppression(pd.DataFrame(values)).to_numpy()
    width = _ranges(values, hidden, True, True)
    # a hidden zero in a line totalling 0 is pinned to 0, which tells nothing about a person
    # (zeros are shown anyway); every hidden count of people keeps a range of values
    assert (width[hidden & (values > 0)] > 0.5).all(), (values, hidden, width)
