"""The CSV writer formats each distinct value once; the result equals formatting every cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from survey.io.export import _escape_cell, _format_float, _format_floats, escape_formula

_FLOATS = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 5.0, np.nan, 0.1 + 0.2, 1e22, 1e-7, -3.5]),
    st.floats(allow_nan=True, allow_infinity=True),
)


@given(st.lists(_FLOATS, max_size=60))
def test_format_floats_equals_per_cell(values: list[float]) -> None:
    x = np.array(values, dtype=np.float64)
    assert _format_floats(x).tolist() == [_format_float(v) for v in x]


_CELLS = st.one_of(
    st.sampled_from(["=1+1", "-5", "+a", "@x", "＝SUM(A1)", "\tx", "好", "", None, np.nan]),
    st.text(max_size=5),
)


@given(st.lists(_CELLS, max_size=40), st.sampled_from([object, "str"]))
def test_escape_formula_equals_per_cell(values: list, dtype) -> None:
    s = pd.Series(values, dtype=dtype) if values else pd.Series([], dtype=dtype)
    expected = s.map(_escape_cell).astype(s.dtype)
    got = escape_formula(s)
    # None and NaN are the same empty CSV cell; Series.map turns None into NaN in object columns.
    assert got.isna().tolist() == expected.isna().tolist()
    pd.testing.assert_series_equal(got[got.notna()], expected[expected.notna()])
    pd.testing.assert_series_equal(s, pd.Series(values, dtype=dtype) if values else s)  # untouched
