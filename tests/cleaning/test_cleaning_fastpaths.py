"""The fast paths of cleaning give exactly what the plain paths give.

The exact-duplicate rule groups rows by a 64-bit hash (``pandas.util.hash_pandas_object``) and
falls back to pandas' exact ``groupby`` only when a flagged row differs from the row it copies
(a hash collision). Both paths are checked here against each other and against pandas'
``DataFrame.duplicated`` on random frames, and each test asserts which path ran. The ledger's
text is built in Arrow; it is checked against a plain Python join.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cleaning_support import FILES, build_frame, build_study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.clean import rules
from survey.clean.ledger import SEP, clean
from survey.io.arrays import factorize_runs, object_full

# Values that exercise the hash: valid codes, codes out of range, both zeros, fractions, missing.
VALUES = [np.nan, 1.0, 2.0, 3.0, 4.0, 5.0, 0.0, -0.0, 6.0, -1.0, 70.0, 127.0, -128.0, 2.5]
COLUMNS = ["a1", "a2", "a3", "a4", "b1", "att", "member", "years", "channels_1", "prio_2"]


def _count_exact_groups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls of the exact ``groupby`` fallback (one entry per call)."""
    calls: list[int] = []
    real = rules._exact_groups

    def spy(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
        calls.append(len(df))
        return real(df, cols)

    monkeypatch.setattr(rules, "_exact_groups", spy)
    return calls


def _collide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row gets the same hash: the rule must fall back to the exact grouping."""
    monkeypatch.setattr(rules, "_row_hash", lambda df, cols: np.zeros(len(df), dtype=np.uint64))


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
        if draw(st.booleans()):  # same respondent as the row before: copies across keys
            row["respondent_key"] = "K"
        rows.append(row)
    return build_frame(rows)


_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(df=frames())
def test_clean_hash_path_equals_exact_path(df: pd.DataFrame, codebook, monkeypatch) -> None:
    study = build_study()
    with monkeypatch.context() as m:
        calls = _count_exact_groups(m)
        fast = clean(df, codebook, study)
        hashed = len(calls)
        _collide(m)
        exact = clean(df, codebook, study)
        fell_back = len(calls) - hashed
    assert hashed == 0  # the hash path ran and found no collision
    # With one hash for all, the fallback runs exactly when the answered rows are not all alike.
    frame = rules.out_of_range(df, rules.RuleContext.from_study(codebook, study)).frame
    items = [c for c in codebook.item_columns() if c in frame]
    answered = frame.loc[frame[items].notna().any(axis=1), [*items, "college", "respondent_key"]]
    assert fell_back == int(len(answered.drop_duplicates()) > 1)
    for name in ("kept", "exclusions", "cell_changes", "log", "flags"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(exact, name), obj=name)


@_SETTINGS
@given(df=frames())
def test_exact_duplicates_equals_pandas_duplicated(df: pd.DataFrame, make_ctx, monkeypatch) -> None:
    ctx = make_ctx()
    calls = _count_exact_groups(monkeypatch)
    got = rules.exact_duplicates(df, ctx).flag.to_numpy()
    assert calls == []  # hash path
    cols = [c for c in ctx.codebook.item_columns() if c in df] + ["college", "respondent_key"]
    answered = df[[c for c in ctx.codebook.item_columns() if c in df]].notna().any(axis=1)
    # pandas treats -0.0 == 0.0 and NaN == NaN, as the rule must.
    ref = df[cols].duplicated(keep="first") & answered
    assert got.tolist() == ref.tolist()


def test_hash_collision_takes_exact_path(make_ctx, monkeypatch) -> None:
    df = build_frame([{"a1": 1.0}, {"a1": 2.0}, {"a1": 1.0}, {"a1": -0.0}, {"a1": 0.0}])
    df["respondent_key"] = "K"
    calls = _count_exact_groups(monkeypatch)
    fast = rules.exact_duplicates(df, make_ctx()).flag.tolist()
    assert calls == []
    _collide(monkeypatch)
    exact = rules.exact_duplicates(df, make_ctx()).flag.tolist()
    assert calls == [5]
    assert fast == exact == [False, False, True, False, True]


def test_row_hash_equal_values_hash_alike() -> None:
    nan2 = np.frombuffer(np.uint64(0x7FF8000000000123).tobytes(), dtype=np.float64)[0]
    df = pd.DataFrame({"x": [0.0, -0.0, np.nan, nan2, 1.0], "t": ["a", "a", None, np.nan, "a"]})
    h = rules._row_hash(df, ["x", "t"])
    assert h[0] == h[1] and h[2] == h[3] and len(set(h.tolist())) == 3
    assert df["x"].tolist()[1] == 0.0 and np.signbit(df["x"].iloc[1])  # input untouched


def test_replaced_column_is_seen_by_the_rules(codebook) -> None:
    # a1 = 6 is out of range: straight-lining must see the cleaned a1 as missing (so P1 has 3
    # answers, still a straight line); a4 = 6 likewise leaves P1 without a reverse-keyed
    # answer: not flagged.
    df = build_frame([{"a1": 6.0, "a2": 3.0, "a3": 3.0, "a4": 3.0}, {"a1": 3.0, "a2": 3.0, "a3": 3.0, "a4": 6.0}])
    res = clean(df, codebook, build_study({"straight_lining": {"min_items": 3}}))
    assert res.flags["straight_lining"].tolist() == [True, False]
    assert "3 题均答 3" in res.exclusions["detail"].iloc[0]


@_SETTINGS
@given(df=frames())
def test_ledger_text_equals_python_join(df: pd.DataFrame, codebook) -> None:
    res = clean(df, codebook, build_study())
    ctx = rules.RuleContext.from_study(codebook, build_study())
    frame = rules.out_of_range(df.reset_index(drop=True), ctx).frame
    texts = {}
    prior: dict[str, pd.Series] = {}
    for spec in rules.ROW_RULES:
        r = spec.func(frame, rules.RuleContext(**{**ctx.__dict__, "prior_flags": dict(prior)}))
        prior[spec.id] = r.flag
        texts[spec.id] = (spec.label, r.flag.tolist(), r.detail.tolist())
    expected = []
    for i in range(len(frame)):
        parts = [(lab, d[i]) for lab, f, d in texts.values() if f[i]]
        if parts:
            key = (str(frame["_file"].iloc[i]), int(frame["_row"].iloc[i]))
            expected.append((*key, SEP.join(lab for lab, _ in parts), SEP.join(f"{lab}：{why}" for lab, why in parts)))
    expected.sort(key=lambda t: (t[0], t[1]))
    got = list(res.exclusions[["file", "row", "rules", "detail"]].itertuples(index=False, name=None))
    assert got == expected


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
