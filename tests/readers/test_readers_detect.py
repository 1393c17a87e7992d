"""Format detection from extension, headers and cells; overridable by QuestionnaireFile.format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from readers_builders import wjx_code_rows, wjx_text_rows, write_csv, write_xlsx

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.readers import read_path
from survey.io.readers.detect import detect_format


def test_detects_each_fixture(
    wjx_text_xlsx: Path,
    wjx_code_csv_gbk: Path,
    wjx_code_csv_bom: Path,
    wjx_text_xls: Path,
    generic_xlsx: Path,
    sav_file: Path,
    codebook: Codebook,
) -> None:
    assert detect_format(wjx_text_xlsx) == "wjx_text"
    assert detect_format(wjx_code_csv_gbk) == "wjx_code"
    assert detect_format(wjx_code_csv_bom, codebook) == "wjx_code"
    assert detect_format(wjx_text_xls) == "wjx_text"
    assert detect_format(generic_xlsx) == "generic"
    assert detect_format(sav_file) == "spss"


def test_labels_in_matrix_mean_text_even_without_joins(tmp_path: Path) -> None:
    header, rows = wjx_text_rows()
    keep = [j for j, h in enumerate(header) if not h.startswith(("4、", "5、"))]
    p = write_xlsx(
        tmp_path / "export.xlsx", [header[j] for j in keep], [[r[j] for j in keep] for r in rows]
    )
    assert detect_format(p) == "wjx_text"


def test_file_name_breaks_ties_when_no_answers(tmp_path: Path) -> None:
    header, _ = wjx_code_rows()
    p = write_csv(tmp_path / "386540716_按序号_调查_0_0.csv", header, [], "utf-8-sig")
    assert detect_format(p) == "wjx_code"
    q = write_csv(tmp_path / "386540716_按文本_调查_0_0.csv", header, [], "utf-8-sig")
    assert detect_format(q) == "wjx_text"


def test_override_format(wjx_code_csv_bom: Path, codebook: Codebook) -> None:
    auto = read_path(wjx_code_csv_bom, codebook)
    forced = read_path(wjx_code_csv_bom, codebook, format="wjx_code")
    assert auto.format == forced.format == "wjx_code"
    assert any("自动识别为 wjx_code" in n for n in auto.notes)
    assert not any("自动识别" in n for n in forced.notes)


def test_score_download_is_refused_unless_format_given(wjx_code_csv_bom: Path, codebook, tmp_path) -> None:
    """问卷星 按分数: cells are the scores set per option, not necessarily the option codes."""
    scores = tmp_path / "386540716_按分数_党建调查_4_4.csv"
    scores.write_bytes(wjx_code_csv_bom.read_bytes())
    with pytest.raises(SurveyError) as info:
        read_path(scores, codebook)
    msg = info.value.message_zh()
    assert "按分数" in msg and "format: wjx_code" in msg and scores.name in msg
    res = read_path(scores, codebook, format="wjx_code")
    plain = read_path(wjx_code_csv_bom, codebook)
    pd.testing.assert_frame_equal(res.frame.drop(columns="_file"), plain.frame.drop(columns="_file"))
    assert "按分数" in res.notes[0]
