"""Random cells fed to the 问卷星 reader: it either reads them or raises SurveyError."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readers_builders import CODEBOOK, wjx_code_rows, wjx_text_rows

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.readers import read_path

CB = Codebook.model_validate(CODEBOOK)
TEXT_HEADER, TEXT_ROWS = wjx_text_rows()
CODE_HEADER, _ = wjx_code_rows()

# Cells drawn from what exports contain, plus arbitrary text.
_PIECES = [
    "同意",
    "非常同意",
    "(跳过)",
    "（空）",
    "-3",
    "-2",
    "9",
    "１２",
    "┋",
    "→",
    "〖",
    "〗",
    "其他〖x〗",
    "三会一课┋其他〖支部〗",
    "政治领航→固本强基",
    "1分23秒",
    "2026/09/03 12:00:00",
    "=1+1",
    "\u00a0",
    "",
]
cell = st.one_of(
    st.sampled_from(_PIECES),
    st.text(max_size=12),
    st.lists(st.sampled_from(_PIECES), max_size=4).map("".join),
    st.integers(-5, 20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    header_pick=st.sampled_from(["text", "code"]),
    cells=st.lists(
        st.lists(cell, min_size=len(CODE_HEADER), max_size=len(CODE_HEADER)), min_size=0, max_size=4
    ),
    fmt=st.sampled_from(["auto", "wjx_text", "wjx_code"]),
    drop=st.none() | st.integers(0, len(TEXT_HEADER) - 1),
)
def test_random_cells_only_survey_error(
    header_pick: str, cells: list[list[str]], fmt: str, drop: int | None
) -> None:
    header = list(TEXT_HEADER if header_pick == "text" else CODE_HEADER)
    rows = [r[: len(header)] for r in cells]
    if drop is not None:
        header.pop(drop)
        rows = [r[:drop] + r[drop + 1 :] for r in rows]
    buf = io.StringIO()
    pd.DataFrame(rows, columns=header, dtype=object).to_csv(buf, index=False)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "random.csv"
        p.write_text(buf.getvalue(), encoding="utf-8-sig")
        try:
            res = read_path(p, CB, format=fmt)
        except SurveyError as exc:
            assert exc.file is not None
            return
        assert res.n_rows == len(res.frame) <= len(rows)
        assert res.frame["_row"].is_monotonic_increasing
