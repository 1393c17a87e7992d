"""Small array helpers for long response frames (used by the cleaning rules and the ledger).

Each does what a one-line NumPy or pandas call does, several times faster on the column shapes
the data layer meets; ``benchmarks/bench_clean.py`` is where the difference shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["factorize_runs", "object_full"]


def object_full(n: int, value: object) -> np.ndarray:
    """A writable object array of ``n`` references to ``value``.

    Same as ``np.full(n, value, dtype=object)``, which assigns element by element and takes
    about 0.1 s per million; ``repeat`` copies the reference in one pass.
    """
    one = np.empty(1, dtype=object)
    one[0] = value  # element-wise: a tuple or list stays one value
    return one.repeat(n)


def factorize_runs(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values)`` for columns made of long runs of equal values.

    The file name column of a response frame holds one value per input file, each in one
    block: comparing neighbours and factorising only the first value of every run is much
    cheaper than hashing a million strings. Missing values get code ``-1`` as in
    ``pd.factorize``. Falls back to ``pd.factorize`` when runs are short.

    Returns
    -------
    (codes, uniques)
        ``codes`` as ``intp`` in order of first appearance, ``uniques`` an object array.
    """
    arr = np.asarray(values, dtype=object)
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
    # Neighbours compared as objects: equal references (the usual case) short-cut to True.
    starts = np.flatnonzero(np.r_[True, arr[1:] != arr[:-1]])
    if len(starts) > max(64, n // 100):
        codes, uniques = pd.factorize(arr)
        return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)
    run_codes, uniques = pd.factorize(arr[starts])
    lengths = np.diff(np.r_[starts, n])
    codes = np.repeat(np.asarray(run_codes, dtype=np.intp), lengths)
    return codes, np.asarray(uniques, dtype=object)
