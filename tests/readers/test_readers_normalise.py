"""normalise_text, apply_aliases, parse_duration, parse_number."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from survey.io.normalise import (
    apply_aliases,
    is_missing_token,
    normalise_frame_strings,
    normalise_text,
    parse_duration,
    parse_number,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１２３", "123"),
        ("（空）", "(空)"),
        ("第７题（学习形式）：", "第7题(学习形式):"),
        ("机电\u00a0党支部\u3000 ", "机电 党支部"),
        ("同\u200b意\ufeff", "同意"),
        ("ＡＢＣ，ｘ", "ABC,x"),
        ("  非常   同意 ", "非常 同意"),
        ("党建工作", "党建工作"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_normalise_text_leaves_non_strings() -> None:
    assert normalise_text(5) == 5
    assert normalise_text(None) is None
    assert math.isnan(normalise_text(float("nan")))


def test_normalise_frame_strings_does_not_mutate() -> None:
    df = pd.DataFrame({"a": ["１ ", None], "b": [1.5, 2.0]})
    out = normalise_frame_strings(df)
    assert out["a"].tolist()[0] == "1"
    assert df["a"].tolist()[0] == "１ "
    assert out["b"].tolist() == [1.5, 2.0]


def test_apply_aliases_matches_after_normalisation() -> None:
    s = pd.Series(["机电党支部", "机电系党支部\u00a0", "机电学院党支部", "其他支部", None])
    out = apply_aliases(s, {"机电学院党支部": ["机电党支部", "机电系党支部"]})
    assert out.tolist()[:4] == ["机电学院党支部", "机电学院党支部", "机电学院党支部", "其他支部"]
    assert out.isna().tolist()[4]


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("123秒", 123.0),
        ("1分23秒", 83.0),
        ("1小时2分3秒", 3723.0),
        ("１２３秒", 123.0),
        ("2分钟", 120.0),
        ("0:01:23", 83.0),
        ("1:23", 83.0),
        (" 45 ", 45.0),
        (90, 90.0),
        ("12.5秒", 12.5),
    ],
)
def test_parse_duration(raw: object, seconds: float) -> None:
    assert parse_duration(raw) == seconds


@pytest.mark.parametrize("raw", ["", "(跳过)", None, "很快", "1分钟左右"])
def test_parse_duration_missing_or_unreadable(raw: object) -> None:
    assert math.isnan(parse_duration(raw))


def test_parse_number_and_missing_tokens() -> None:
    assert parse_number("１,２００") == 1200.0
    assert parse_number("-3") == -3.0
    assert math.isnan(parse_number("五"))
    assert is_missing_token("（空）") and is_missing_token("(跳过)") and is_missing_token(" ")
    assert not is_missing_token("0")
