"""Shortcuts of the readers give what the plain paths give.

Long files have their items decoded in two threads (``_frame.THREAD_ROWS``); the frame, the
notes and the first error must be those of the one-thread loop. Plain string columns of a CSV
skip the edge-space regular expression when every value visibly starts and ends in ASCII.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.errors import SurveyError
from survey.io.readers import _frame, read_path
from survey.io.readers.tabular import _EDGE_SPACE, _edges_plain


def _read_both(path: Path, codebook, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_frame, "THREAD_ROWS", 10**9)
    one = read_path(path, codebook)
    monkeypatch.setattr(_frame, "THREAD_ROWS", 1)
    two = read_path(path, codebook)
    return one, two


@pytest.mark.parametrize("fixture", ["generic_xlsx", "wjx_text_xlsx", "wjx_code_csv_gbk"])
def test_threaded_decoding_equals_loop(fixture: str, request, codebook, monkeypatch) -> None:
    one, two = _read_both(request.getfixturevalue(fixture), codebook, monkeypatch)
    pd.testing.assert_frame_equal(one.frame, two.frame)
    assert one.notes == two.notes


def test_threaded_decoding_reports_the_first_item_in_codebook_order(tmp_path, codebook, monkeypatch) -> None:
    header = ["Q1", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q5_1", "Q5_2", "Q5_3"]
    good = ["1", "12", "4", "5", "4", "2", "1", "0", "0", "0", "1", "2", "3"]
    rows = [good] * 40
    rows[5] = good[:3] + ["很好"] + good[4:]  # Q3_2: not an option (later in the codebook)
    rows[30] = ["团员"] + good[1:]  # Q1: not an option (first in the codebook)
    path = tmp_path / "two_errors.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    messages = []
    for threshold in (10**9, 1):
        monkeypatch.setattr(_frame, "THREAD_ROWS", threshold)
        with pytest.raises(SurveyError) as info:
            read_path(path, codebook)
        messages.append(info.value.message_zh())
    assert messages[0] == messages[1]
    assert "团员" in messages[0] and "第 32 行" in messages[0]


_CHARS = st.sampled_from(list("ab1 \t\u3000\u00a0\u0085\u2028,同意:") + ["\x1c", "\u200b"])


@given(st.lists(st.text(_CHARS, max_size=6), min_size=1, max_size=30))
def test_edges_plain_never_hides_an_edge_space(values: list[str]) -> None:
    arr = pa.array(values, type=pa.string())
    has_edge_space = pc.any(pc.match_substring_regex(arr, _EDGE_SPACE)).as_py()
    if _edges_plain(arr):
        assert not has_edge_space
    if all(v == "" or (v[0].isascii() and v[0].isprintable() and v[0] != " "
                       and v[-1].isascii() and v[-1].isprintable() and v[-1] != " ") for v in values):
        assert _edges_plain(arr)


def test_edges_plain_on_a_slice() -> None:
    arr = pa.array([" a", "b", "c ", "d"])
    assert not _edges_plain(arr)
    assert _edges_plain(arr.slice(1, 1)) and _edges_plain(arr.slice(3, 1))
    assert not _edges_plain(arr.slice(2, 2))

