"""Small-cell suppression rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.stats.suppress import suppress_small


def _table():
    return pd.DataFrame({
        "group": ["在职", "学生", "离退休", "空"],
        "n": [12, 4, 5, 0],
        "mean": [3.5, 4.0, 3.1, np.nan],
        "share": [0.6, 0.2, 0.2, 0.0],
    })


def test_counts_below_five_shown_as_lt5_and_dependents_blank():
    t = _table()
    out = suppress_small(t, ["n"])
    assert out["n"].tolist() == [12, "<5", 5, 0]
    assert out["mean"].tolist()[:3] == [3.5, None, 3.1]
    assert out["share"].tolist() == [0.6, None, 0.2, None]
    assert out["group"].tolist() == t["group"].tolist()  # labels untouched
    assert out["suppressed"].tolist() == [False, True, False, True]


def test_input_not_mutated():
    t = _table()
    before = t.copy()
    suppress_small(t, ["n"])
    pd.testing.assert_frame_equal(t, before)


def test_boundary_is_min_n_and_configurable():
    t = _table()
    assert suppress_small(t, ["n"], min_n=5)["n"].tolist()[2] == 5
    out = suppress_small(t, ["n"], min_n=10)
    assert out["n"].tolist() == [12, "<10", "<10", 0]


def test_any_small_count_blanks_row_and_mapping_is_per_count():
    t = pd.DataFrame({"scale": ["P1", "P2"], "n_home": [30, 30], "n_bench": [3, 40],
                      "mean_home": [3.2, 3.4], "mean_bench": [3.9, 3.8], "diff": [-0.7, -0.4]})
    out = suppress_small(t, ["n_home", "n_bench"])
    assert out.loc[0, "n_home"] == 30 and out.loc[0, "n_bench"] == "<5"
    assert out.loc[0, ["mean_home", "mean_bench", "diff"]].isna().all()
    assert out.loc[1, "diff"] == -0.4
    per = suppress_small(t, ["n_home", "n_bench"],
                         dependent_cols={"n_home": ["mean_home"], "n_bench": ["mean_bench", "diff"]})
    assert per.loc[0, "mean_home"] == 3.2 and per.loc[0, "mean_bench"] is None
