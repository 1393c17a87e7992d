"""Property-based recall test: patterned identifiers in every spelling inside random Chinese text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.clean.identifiers import detector, id_card_valid

_HAN = st.text(alphabet=st.sampled_from("的是在有和我们工作学习党建支部活动很好一般希望加强"), max_size=8)
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    """Mainland mobile numbers with prefixes, separators, groupings and full-width digits."""
    digits = "1" + draw(st.sampled_from("3456789")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    sep = draw(st.sampled_from(["", " ", "-", "."]))
    if draw(st.booleans()):
        text = sep.join([digits[:3], digits[3:7], digits[7:]])
    else:
        text = sep.join([digits[:4], digits[4:7], digits[7:]])
    text = draw(st.sampled_from(["", "+86", "+86 ", "0086"])) + text
    return text.translate(_FULL) if draw(st.booleans()) else text


@st.composite
def id_cards(draw: st.DrawFn) -> str:
    """18-digit ID numbers with a valid check character (X included)."""
    body = draw(st.sampled_from(["110101", "440305", "510107"])) + str(
        draw(st.integers(1950, 2005))) + f"{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}" + \
        f"{draw(st.integers(0, 999)):03d}"
    for check in "0123456789X":
        if id_card_valid(body + check):
            return body + check
    raise AssertionError("no check character")


@settings(max_examples=150, deadline=None)
@given(before=_HAN, after=_HAN, ident=st.one_of(mobiles(), id_cards()))
def test_patterned_identifier_always_found(before: str, after: str, ident: str) -> None:
    out, counts = detector().scrub(f"{before}{ident}{after}")
    kept = "".join(c for c in out if c.isdigit())
    assert sum(counts.values()) >= 1, (ident, out)
    assert len(kept) < 7, (ident, out)


@settings(max_examples=100, deadline=None)
@given(year=st.integers(1949, 2030), age=st.integers(1, 60), pct=st.integers(0, 100))
def test_ordinary_numbers_untouched(year: int, age: int, pct: int) -> None:
    text = f"{year}年入党，党龄{age}年，满意度{pct}%"
    out, counts = detector().scrub(text)
    assert out == text and sum(counts.values()) == 0
