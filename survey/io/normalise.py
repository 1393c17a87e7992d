"""Text normalisation: full-width → half-width, stray spaces, alias tables, durations.

Every comparison between what a file says and what the codebook or the study file says goes
through :func:`normalise_text` first, so that ``（空）`` equals ``(空)``, ``１２３`` equals ``123``
and a trailing non-breaking space does not make two labels differ.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TypeVar, overload

import pandas as pd

__all__ = [
    "MISSING_TOKENS",
    "apply_aliases",
    "is_missing_token",
    "normalise_frame_strings",
    "normalise_text",
    "parse_duration",
    "parse_number",
]

# Zero-width characters that survive NFKC and must simply disappear.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")
_T = TypeVar("_T")

#: Cell texts that mean "no answer" in 问卷星 exports (compared after normalisation).
MISSING_TOKENS: frozenset[str] = frozenset({"", "(跳过)", "(空)"})


@overload
def normalise_text(s: str) -> str: ...
@overload
def normalise_text(s: _T) -> _T: ...
def normalise_text(s: object) -> object:
    """Return ``s`` with full-width ASCII made half-width and whitespace tidied.

    Parameters
    ----------
    s
        Any value. Strings are normalised; ``None`` and NaN are returned unchanged; other
        values are returned unchanged as well (so the function can be mapped over a column).

    Returns
    -------
    str or the input
        Unicode NFKC form (``１２３`` → ``123``, ``（`` → ``(``, ``：`` → ``:``, ideographic and
        non-breaking spaces → space), zero-width characters removed, runs of whitespace collapsed
        to one space and both ends stripped. Chinese characters are untouched.

    Notes
    -----
    NFKC (``unicodedata.normalize``) does the width folding; zero-width characters (U+200B,
    U+200C, U+200D, U+2060, U+FEFF, soft hyphen) are removed explicitly because NFKC keeps them.

    Examples
    --------
    >>> normalise_text("  第７题（学习形式）\\u00a0")
    '第7题(学习形式)'
    """
    if not isinstance(s, str):
        return s
    out = unicodedata.normalize("NFKC", s).translate(_ZERO_WIDTH)
    return _SPACES.sub(" ", out).strip()


def is_missing_token(s: object) -> bool:
    """True for ``None``, NaN and the 问卷星 "no answer" texts (``(跳过)``, ``(空)``, empty)."""
    if s is None:
        return True
    if isinstance(s, float) and math.isnan(s):
        return True
    if s is pd.NA or s is pd.NaT:
        return True
    return isinstance(s, str) and normalise_text(s) in MISSING_TOKENS


def normalise_frame_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with :func:`normalise_text` applied to every string cell.

    Non-string cells (numbers, NaN, timestamps) are left as they are; the input is not mutated.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(normalise_text)
    return out


def apply_aliases(series: pd.Series, table: Mapping[str, Sequence[str]]) -> pd.Series:
    """Replace variant spellings by their canonical form.

    Parameters
    ----------
    series
        Values to clean (e.g. a branch column).
    table
        ``{canonical: [variant, ...]}``. A value matches when its normalised form equals the
        normalised canonical form or any normalised variant.

    Returns
    -------
    pandas.Series
        A new series: matching values become the canonical spelling (as written in ``table``);
        other values are returned normalised; missing values stay missing.

    Examples
    --------
    >>> s = pd.Series(["机电党支部", "机电系党支部 ", "其他"])
    >>> apply_aliases(s, {"机电学院党支部": ["机电党支部", "机电系党支部"]}).tolist()
    ['机电学院党支部', '机电学院党支部', '其他']
    """
    lookup: dict[str, str] = {}
    for canonical, variants in table.items():
        lookup[normalise_text(str(canonical))] = canonical
        for v in variants:
            lookup[normalise_text(str(v))] = canonical

    def _one(v: object) -> object:
        if not isinstance(v, str):
            return v
        n = normalise_text(v)
        return lookup.get(n, n)

    return series.map(_one)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YES = frozenset({"是", "有", "YES", "Y", "TRUE", "√"})
_NO = frozenset({"否", "无", "没有", "NO", "N", "FALSE", "×"})


def parse_number(s: object, *, percent: bool = False, yes_no: bool = False) -> float:
    """Parse a number as typed in a cell; NaN when the cell is empty or not a number.

    Parameters
    ----------
    s
        A cell value: a number (returned as float, ``True`` → 1.0), or a text with full-width
        digits and thousands commas allowed (``"１,２００"`` → 1200.0). Other values → NaN.
    percent
        Also read ``"85%"`` (or ``"85％"``) as 85.0: the number as written, not 0.85.
    yes_no
        Also read 是 / 有 / yes / y / true / √ as 1.0 and 否 / 无 / 没有 / no / n / false / × as 0.0
        (case-insensitive), as benchmark indicators are often reported.

    Returns
    -------
    float
        The number, or NaN. The same NaN covers "empty" and "not a number"; a caller that
        must tell them apart (a validator listing cells that are not numbers) checks whether
        the cell's text is empty (:func:`is_missing_token`).

    Examples
    --------
    >>> parse_number("１,２００"), parse_number("-3"), parse_number("五")
    (1200.0, -3.0, nan)
    >>> parse_number("85%"), parse_number("85%", percent=True), parse_number("有", yes_no=True)
    (nan, 85.0, 1.0)
    """
    if isinstance(s, numbers.Real):
        return float(s)
    if not isinstance(s, str):
        return math.nan
    t = normalise_text(s).replace(",", "")
    if yes_no:
        key = t.replace(" ", "").upper()
        if key in _YES:
            return 1.0
        if key in _NO:
            return 0.0
    if percent:
        t = t.removesuffix("%").rstrip()
    if _NUMBER.match(t):
        return float(t)
    return math.nan


_DURATION_PARTS = re.compile(r"(\d+(?:\.\d+)?)\s*(小时|时|分钟|分|秒钟|秒|h|m|s)")
_DURATION_UNITS = {
    "小时": 3600.0,
    "时": 3600.0,
    "h": 3600.0,
    "分钟": 60.0,
    "分": 60.0,
    "m": 60.0,
    "秒钟": 1.0,
    "秒": 1.0,
    "s": 1.0,
}
_CLOCK = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$")


def parse_duration(s: object) -> float:
    """Parse the time a respondent took into seconds.

    Parameters
    ----------
    s
        ``"123秒"``, ``"1分23秒"``, ``"1小时2分3秒"``, ``"0:01:23"``, a plain number of seconds
        (``123``, ``"１２３"``) or a missing value.

    Returns
    -------
    float
        Seconds, or NaN when the value is missing or cannot be read.

    Examples
    --------
    >>> parse_duration("123秒"), parse_duration("1分23秒"), parse_duration("0:01:23")
    (123.0, 83.0, 83.0)
    >>> parse_duration("-120秒")
    -120.0
    """
    if s is None or isinstance(s, bool):
        return math.nan
    if isinstance(s, int | float):
        return float(s)
    if not isinstance(s, str):
        return math.nan
    t = normalise_text(s).replace(" ", "").lower()
    if t in MISSING_TOKENS:
        return math.nan
    n = parse_number(t)
    if not math.isnan(n):
        return n
    # A leading minus is kept ("-120秒" -> -120.0): an impossible duration is the cleaning
    # step's to set missing and log, not the reader's to hide.
    sign = -1.0 if t.startswith("-") else 1.0
    t = t.removeprefix("-")
    m = _CLOCK.match(t)
    if m:
        a, b, c = m.groups()
        if c is None:  # "m:ss"
            return sign * (float(a) * 60 + float(b))
        return sign * (float(a) * 3600 + float(b) * 60 + float(c))
    parts = _DURATION_PARTS.findall(t)
    if parts and _DURATION_PARTS.sub("", t) == "":
        return sign * float(sum(float(v) * _DURATION_UNITS[u] for v, u in parts))
    return math.nan
