"""The Big Five example: its synthetic CSV is what its codebook says, and it is reproducible."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pandas as pd
import pingouin as pg
import pytest

from survey.config.codebook import Codebook, load_codebook

BIGFIVE = Path(__file__).resolve().parents[2] / "examples" / "bigfive"


@pytest.fixture(scope="module")
def make_data():
    spec = importlib.util.spec_from_file_location("bigfive_make_data", BIGFIVE / "make_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook(BIGFIVE / "codebook.yaml")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_csv(BIGFIVE / "bfi_synthetic.csv", encoding="utf-8", dtype="float64")


def test_committed_csv_is_reproduced_byte_for_byte(make_data, tmp_path: Path) -> None:
    out = tmp_path / "bfi.csv"
    make_data.main(["--out", str(out)])
    assert out.read_bytes() == (BIGFIVE / "bfi_synthetic.csv").read_bytes()
    assert make_data.make_rows(20, seed=1) == make_data.make_rows(20, seed=1)
    assert make_data.make_rows(20, seed=1) != make_data.make_rows(20, seed=2)


def test_csv_encoding_and_line_endings() -> None:
    raw = (BIGFIVE / "bfi_synthetic.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    raw.decode("utf-8")


def test_shape_headers_and_missing(frame: pd.DataFrame, cb: Codebook) -> None:
    assert frame.shape == (300, 28)
    assert list(frame.columns) == cb.item_columns()
    items = [i.id for i in cb.items_of_type("likert")]
    n_missing = int(frame[items].isna().sum().sum())
    assert 0 < n_missing <= 0.03 * frame[items].size  # "a few" empty cells
    assert frame[["gender", "age"]].notna().all().all()
    assert frame["education"].isna().sum() > 0


def test_every_value_is_an_option_or_in_range(frame: pd.DataFrame, cb: Codebook) -> None:
    for item in cb.items:
        values = frame[item.id].dropna()
        if item.type == "numeric":
            low, high = item.range
            assert values.between(low, high).all(), item.id
            assert (values == values.round()).all()
        else:
            assert set(values.astype(int)) <= set(cb.options(item.id)), item.id
    for s in cb.scales:  # all six categories are used in every scale
        assert set(frame[s.items].stack().dropna().astype(int)) == set(range(1, 7))


def _keyed(frame: pd.DataFrame, cb: Codebook, scale_id: str) -> pd.DataFrame:
    s = cb.scale(scale_id)
    low, high = cb.scale_range(scale_id)
    out = frame[s.items].copy()
    for it in s.reverse:
        out[it] = low + high - out[it]
    return out


@pytest.mark.parametrize("scale_id", ["agree", "conscientious", "extraversion", "neuroticism", "openness"])
def test_reverse_keys_of_codebook_fit_the_data(frame: pd.DataFrame, cb: Codebook, scale_id: str) -> None:
    """After the codebook's reverse keying every item correlates positively with the rest."""
    s = cb.scale(scale_id)
    raw = frame[s.items]
    keyed = _keyed(frame, cb, scale_id)
    for it in s.items:
        rest_raw = raw.drop(columns=it).mean(axis=1)
        rest_keyed = keyed.drop(columns=it).mean(axis=1)
        assert keyed[it].corr(rest_keyed) > 0.3, it
        if it in s.reverse:
            assert raw[it].corr(rest_raw) < 0, it  # unkeyed, a reversed item pulls the other way
    # Cronbach's alpha (R: psych::alpha(keys = ...)); the generator targets about 0.78.
    alpha, _ci = pg.cronbach_alpha(data=keyed, nan_policy="listwise")
    assert 0.70 < alpha < 0.88
    # reverse keying twice is the identity
    low, high = cb.scale_range(scale_id)
    twice = low + high - (low + high - raw)
    pd.testing.assert_frame_equal(twice, raw)


def test_gender_groups_are_both_present(frame: pd.DataFrame, cb: Codebook) -> None:
    labels = frame["gender"].map(cb.options("gender"))
    counts = labels.value_counts()
    assert set(counts.index) == {"男", "女"}  # the study's compare.reference "女" exists
    assert 100 < counts["女"] < 200
    # the planted difference: women higher on agreeableness (standardised shift 0.35)
    agree = _keyed(frame, cb, "agree").mean(axis=1)
    assert agree[labels == "女"].mean() > agree[labels == "男"].mean()


def test_csv_reads_with_the_stdlib_as_plain_text() -> None:
    with (BIGFIVE / "bfi_synthetic.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 301
    assert all(len(r) == 28 for r in rows)
    assert all(c == "" or c.isdigit() for r in rows[1:] for c in r)
