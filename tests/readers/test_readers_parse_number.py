"""The one number parser, survey.io.normalise.parse_number: its contract and its options."""

from __future__ import annotations

import math

import numpy as np
import pytest

from survey.io.normalise import parse_number


@pytest.mark.parametrize(("cell", "expected"), [
    ("１,２００", 1200.0), (" -3 ", -3.0), ("+.5", 0.5), ("1e3", 1000.0), (7, 7.0), (2.5, 2.5),
    (np.int64(4), 4.0), (np.float32(0.5), 0.5), (True, 1.0),
])
def test_numbers_parse_by_default(cell, expected):
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["", "(空)", None, float("nan"), "五", "85%", "是", "1 200", "12abc", [1]])
def test_everything_else_is_nan_by_default(cell):
    assert math.isnan(parse_number(cell))


def test_percent_reads_the_number_as_written():
    assert parse_number("85%", percent=True) == 85.0
    assert parse_number("８５．５％", percent=True) == 85.5  # full-width digits, point and sign
    assert parse_number("1,200 %", percent=True) == 1200.0
    assert math.isnan(parse_number("%", percent=True))
    assert math.isnan(parse_number("85%%", percent=True))


def test_yes_no_tokens_are_one_and_zero():
    for yes in ("是", "有", "Yes", "y", "TRUE", "√"):
        assert parse_number(yes, yes_no=True) == 1.0, yes
    for no in ("否", "无", "没有", "no", "N", "false", "×"):
        assert parse_number(no, yes_no=True) == 0.0, no
    assert math.isnan(parse_number("也许", yes_no=True))
    assert math.isnan(parse_number("是", percent=True))  # each option only adds its own forms


def test_empty_and_invalid_are_told_apart_by_the_cell_text():
    """The validators' rule: NaN from a non-empty cell is "not a number", from an empty one "not reported"."""
    from survey.instruments.tables import norm_text

    for cell, invalid in (("", False), ("abc", True), ("3", False)):
        v = parse_number(cell, percent=True, yes_no=True)
        assert (math.isnan(v) and bool(norm_text(cell))) is invalid
