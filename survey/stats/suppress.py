"""Small-cell suppression for tables meant for reports.

A breakdown with fewer than ``min_n`` respondents (default 5) is shown as ``<5`` and every
value computed from it (means, shares, CIs, p-values) is blanked in that row, so no one can
infer what a handful of identifiable people answered. Zero is shown as ``0`` (it reveals
nothing about a person). The function works on a copy and never changes its input.

Limits: there is no complementary (secondary) suppression — if a table shows a total and
only one of its parts is suppressed, the part can be recovered by subtraction. Show totals
only where every part is ≥ ``min_n`` or suppress a second cell by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

SUPPRESSED = "<5"


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
