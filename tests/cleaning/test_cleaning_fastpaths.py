"""The fast paths of cleaning give exactly what the plain paths give.

``clean`` reads answer columns as one-byte codes (shared between the out-of-range check and the
rules, looked up by the column's data), checks codes against a lookup table, and builds the
ledger's text in Arrow. Each is checked here against the plain float path it replaces, on
random frames, with the one-byte codes switched off as the reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cleaning_support import FILES, build_frame, build_study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.clean import rules
from survey.clean.ledger import clean
from survey.io.arrays import factorize_runs, object_full

# Values that exercise every branch: valid codes, codes out of range, the int8 edges, -128
# (which cannot be a one-byte code), fractions, and missing.
VALUES = [np.nan, 1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 6.0, -1.0, 70.0, 71.0, 127.0, -127.0, 128.0, -128.0, 2.5]
COLUMNS = ["a1", "a2", "a3", "a4", "b1", "att", "member", "years", "channels_1", "prio_2"]


def _no_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the plain float path everywhere (no column has one-byte codes)."""
    monkeypatch.setattr(rules, "_small_codes", lambda x: None)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        row = {}
        for c in draw(st.lists(st.sampled_from(COLUMNS), max_size=6, unique=True)):
            row[c] = draw(st.sampled_from(VALUES))
        if draw(st.booleans()):  # straight-lining on P1 (a4 is reverse keyed)
            v = draw(st.sampled_from([1.0, 3.0, 5.0, 6.0]))
            row |= {"a1": v, "a2": v, "a3": v, "a4": v}
        if draw(st.booleans()):
            row["_file"] = FILES[1]
        if i and draw(st.booleans()):  # a copy of an earlier row's answers
            row = dict(rows[draw(st.integers(0, i - 1))]) | {"_file": row.get("_file", FILES[0])}
        rows.append(row)
    return build_frame(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(df=frames())
def test_clean_with_codes_equals_plain_path(df: pd.DataFrame, codebook, monkeypatch) -> None:
    study = build_study()
    fast = clean(df, codebook, study)
    with monkeypatch.context() as m:
        _no_codes(m)
        plain = clean(df, codebook, study)
    for name in ("kept", "exclusions", "cell_changes", "log", "flags"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(plain, name), obj=name)


def test_out_of_range_lookup_equals_float_check(make_ctx, monkeypatch) -> None:
    rng = np.random.default_rng(7)
    df = build_frame([{c: float(rng.choice(VALUES[:-2])) for c in COLUMNS} for _ in range(300)])
    fast = rules.out_of_range(df, make_ctx())
    assert len(fast.changes) > 50  # the draw does hit invalid codes
    _no_codes(monkeypatch)
    plain = rules.out_of_range(df, make_ctx())
    pd.testing.assert_frame_equal(fast.frame, plain.frame)
    pd.testing.assert_frame_equal(fast.changes, plain.changes)


def test_replaced_column_gets_fresh_codes(codebook) -> None:
    # a1 = 6 is out of range: the cleaned frame's a1 is a new array, and straight-lining must
    # see it as missing (so P1 has 3 answers, still a straight line) rather than reuse the
    # raw codes; a4 = 6 likewise leaves P1 without a reverse-keyed answer: not flagged.
    df = build_frame([{"a1": 6.0, "a2": 3.0, "a3": 3.0, "a4": 3.0}, {"a1": 3.0, "a2": 3.0, "a3": 3.0, "a4": 6.0}])
    res = clean(df, codebook, build_study({"straight_lining": {"min_items": 3}}))
    assert res.flags["straight_lining"].tolist() == [True, False]
    assert "3 题均答 3" in res.exclusions["detail"].iloc[0]


def test_compact_cache_keyed_by_data() -> None:
    x = np.array([1.0, 2.0, np.nan])
    df = pd.DataFrame({"q": x})
    with rules.shared_codes(df, ["q"]):
        first = rules._compact(df, "q")
        other = pd.DataFrame({"q": np.array([3.0, 3.0, 3.0])})  # same name, other data
        assert rules._compact(other, "q").tolist() == [3, 3, 3]
        assert rules._compact(df, "q").tolist() == [1, 2, -128]  # not the other frame's codes
        assert rules._compact(df, "q") is rules._compact(df, "q")  # cached
    assert first.tolist() == [1, 2, -128]


@given(
    runs=st.lists(
        st.tuples(st.sampled_from(["本院.xlsx", "甲院.csv", "乙院.sav", None, np.nan]), st.integers(1, 30)),
        max_size=12,
    )
)
def test_factorize_runs_equals_factorize(runs) -> None:
    values = np.array([v for v, k in runs for _ in range(k)], dtype=object)
    codes, uniques = factorize_runs(values)
    ref_codes, ref_uniques = pd.factorize(values)
    assert codes.tolist() == ref_codes.tolist()
    assert list(uniques) == list(ref_uniques)


def test_factorize_runs_short_runs_fall_back() -> None:
    values = np.array([f"f{i % 7}" for i in range(10_000)], dtype=object)
    codes, uniques = factorize_runs(values)
    assert codes.tolist() == pd.factorize(values)[0].tolist() and len(uniques) == 7


def test_object_full() -> None:
    got = object_full(4, ("a", 1))
    assert got.dtype == object and got.tolist() == [("a", 1)] * 4
    got[0] = "x"  # writable, independent cells
    assert got.tolist()[1:] == [("a", 1)] * 3
    assert object_full(0, "").shape == (0,)
