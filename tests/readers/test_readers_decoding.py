"""The header index (built once per codebook) and the per-type item decoders."""

from __future__ import annotations

import gc
from typing import get_args

import pytest

from survey.config.codebook import ItemType, load_codebook
from survey.errors import SurveyError
from survey.io.readers import _mapping, read_path
from survey.io.readers._frame import DECODERS


def test_header_index_is_built_once_per_codebook(
    wjx_text_xlsx, generic_xlsx, codebook, codebook_path, monkeypatch
) -> None:
    built = []
    real = _mapping.HeaderIndex.from_codebook
    monkeypatch.setattr(
        _mapping.HeaderIndex, "from_codebook", classmethod(lambda cls, cb: built.append(cb) or real(cb))
    )
    first = read_path(wjx_text_xlsx, codebook)
    again = read_path(generic_xlsx, codebook)
    assert built == [codebook] and first.n_rows and again.n_rows
    other = load_codebook(codebook_path)  # an equal codebook, another object: its own index
    assert _mapping.header_index(other) is not _mapping.header_index(codebook)
    assert len(built) == 2
    key = id(other)
    built.clear()
    del other
    gc.collect()
    assert key not in _mapping._INDEXES  # dropped with its codebook


def test_header_index_maps_like_the_codebook_says(codebook) -> None:
    index = _mapping.header_index(codebook)
    assert index.match("序号", "A 列").target == "_seq"
    assert index.match("没有这一列", "C 列") is None


def test_every_item_type_has_a_decoder() -> None:
    assert set(DECODERS) == set(get_args(ItemType))


def test_the_first_bad_item_in_codebook_order_is_reported(tmp_path, codebook) -> None:
    header = ["Q1", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q5_1", "Q5_2", "Q5_3"]
    good = ["1", "12", "4", "5", "4", "2", "1", "0", "0", "0", "1", "2", "3"]
    rows = [good] * 40
    rows[5] = good[:3] + ["很好"] + good[4:]  # Q3_2: not an option (later in the codebook)
    rows[30] = ["团员"] + good[1:]  # Q1: not an option (first in the codebook)
    path = tmp_path / "two_errors.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(SurveyError) as info:
        read_path(path, codebook)
    message = info.value.message_zh()
    assert "团员" in message and "第 32 行" in message
