"""问卷星 按文本 / 按序号 readers against known answers, cross-check, fingerprints, messages."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pandas.testing import assert_frame_equal
from readers_builders import (
    CODEBOOK,
    STEM1_OTHER_VERSION,
    truth_codes,
    wjx_code_rows,
    wjx_text_rows,
    write_csv,
    write_html_xls,
    write_xlsx,
)

from survey.config.codebook import Codebook, load_codebook
from survey.errors import SurveyError
from survey.io.readers import read_path
from survey.io.readers.wjx import crosscheck, read_wjx

ITEM_COLS = list(truth_codes().columns)


def _items(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[ITEM_COLS].copy()
    out["Q4_other"] = out["Q4_other"].astype(object)
    return out


def _truth() -> pd.DataFrame:
    t = truth_codes()
    t["Q4_other"] = t["Q4_other"].astype(object)
    return t


def test_text_xlsx_matches_truth(wjx_text_xlsx: Path, codebook: Codebook) -> None:
    res = read_wjx(wjx_text_xlsx, codebook, variant="text", display="raw/按文本.xlsx")
    assert res.format == "wjx_text" and res.n_rows == 4
    assert_frame_equal(_items(res.frame), _truth(), check_dtype=False)
    f = res.frame
    assert f["_file"].unique().tolist() == ["raw/按文本.xlsx"]
    assert f["_row"].tolist() == [2, 3, 4, 5]
    assert f["_seq"].tolist() == [1.0, 2.0, 3.0, 4.0]
    # meta: timestamps and durations
    assert f["submitted_at"].dtype == "datetime64[ns]"
    assert f["submitted_at"].iloc[1] == pd.Timestamp("2026-09-03 12:05:10")
    assert f["duration_s"].tolist() == [123.0, 83.0, 45.0, 300.0]
    # identifiers kept raw (as strings), phone not turned into a float
    assert f["phone"].tolist()[0] == "13800138000"
    assert f["name"].tolist() == ["张三", "李四", "王五", "赵六"]
    assert f["ip"].iloc[0] == "10.1.2.3(山东-济南)"
    # free text kept as typed, (空) -> NaN, formula-like text untouched here
    assert f["Q6"].iloc[0] == "希望增加线上学习" and pd.isna(f["Q6"].iloc[2])
    assert f["Q6"].iloc[3] == '=HYPERLINK("x")'
    # column order per architecture.md
    assert f.columns[:9].tolist() == [
        "_file",
        "_row",
        "_format",
        "_seq",
        "submitted_at",
        "duration_s",
        "name",
        "phone",
        "ip",
    ]
    assert res.header_map["第3题(学习流于形式)"] == "Q3_4"
    assert res.header_map["来源"] == "(元数据)"


@pytest.mark.parametrize("fixture", ["wjx_code_csv_gbk", "wjx_code_csv_bom"])
def test_code_csv_matches_truth(
    fixture: str, codebook: Codebook, request: pytest.FixtureRequest
) -> None:
    path = request.getfixturevalue(fixture)
    res = read_wjx(path, codebook)
    assert res.format == "wjx_code"
    assert res.encoding == ("gb18030" if "gbk" in fixture else "utf-8-sig")
    assert_frame_equal(_items(res.frame), _truth(), check_dtype=False)
    assert res.frame["duration_s"].tolist() == [123.0, 83.0, 45.0, 300.0]


def test_old_xls_with_dot_matrix_headers(wjx_text_xls: Path, codebook: Codebook) -> None:
    res = read_path(wjx_text_xls, codebook)
    assert res.format == "wjx_text"
    assert_frame_equal(_items(res.frame), _truth(), check_dtype=False)


def test_missing_codes_and_skips(wjx_code_csv_bom: Path, codebook: Codebook) -> None:
    f = read_wjx(wjx_code_csv_bom, codebook).frame
    # -3 in a Likert cell, -3 in every multiple/ranking column (skipped), -2 = not ranked
    assert math.isnan(f.loc[2, "Q3_3"])
    assert f.loc[2, ["Q4_1", "Q4_2", "Q4_3", "Q4_4"]].isna().all()
    assert math.isnan(f.loc[1, "Q5_3"]) and f.loc[1, "Q5_1"] == 2.0


def test_code_out_of_options_kept_as_read(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_code_rows()
    rows[0][header.index("第3题(学习形式多样)")] = 9
    rows[1][header.index("1、您的党员类别")] = "７"
    res = read_wjx(write_csv(tmp_path / "c.csv", header, rows, "utf-8"), codebook, variant="code")
    assert res.frame.loc[0, "Q3_1"] == 9.0 and res.frame.loc[1, "Q1"] == 7.0


def test_other_text_forms_in_code_file(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_code_rows()
    col = header.index("第4题(其他)")
    rows[1][col] = "〖校企联合支部〗"
    rows[3][col] = "读书班"  # bare text in the "other" column (unconfirmed export form)
    f = read_wjx(
        write_csv(tmp_path / "c.csv", header, rows, "utf-8"), codebook, variant="code"
    ).frame
    assert f["Q4_4"].tolist()[1] == 1.0 and f["Q4_4"].tolist()[3] == 1.0
    assert f["Q4_other"].tolist()[1] == "校企联合支部" and f["Q4_other"].tolist()[3] == "读书班"


def test_crosscheck_agrees(wjx_text_xlsx: Path, wjx_code_csv_gbk: Path, codebook: Codebook) -> None:
    mism = crosscheck(
        read_wjx(wjx_text_xlsx, codebook), read_wjx(wjx_code_csv_gbk, codebook), codebook
    )
    assert mism.empty and mism.columns.tolist() == [
        "seq",
        "row",
        "code_row",
        "column",
        "label",
        "text_code",
        "code",
    ]


def test_crosscheck_finds_reversed_codes(
    tmp_path: Path, wjx_text_xlsx: Path, codebook: Codebook
) -> None:
    header, rows = wjx_code_rows()
    j = header.index("第3题(学习效果明显)")
    for r in rows:  # the platform coded this row 5..1
        if r[j] != -3:
            r[j] = 6 - r[j]
    rows = rows[:3]  # and row 序号 4 is missing from the code file
    code = read_wjx(write_csv(tmp_path / "c.csv", header, rows, "utf-8"), codebook, variant="code")
    mism = crosscheck(read_wjx(wjx_text_xlsx, codebook), code, codebook)
    cells = mism[mism["column"] == "Q3_2"]
    # 5 vs 1 in seq 1 and 3; seq 2 answered 3 which reverses to itself
    assert cells["seq"].tolist() == [1.0, 3.0]
    assert cells["label"].tolist() == ["非常同意", "非常同意"]
    assert cells["text_code"].tolist() == [5.0, 5.0] and cells["code"].tolist() == [1.0, 1.0]
    whole = mism[mism["column"] == "(整行)"]
    assert whole["seq"].tolist() == [4.0] and whole["row"].tolist() == [5]


def test_fingerprints(
    tmp_path: Path,
    wjx_text_xlsx: Path,
    wjx_code_csv_gbk: Path,
    wjx_text_xls: Path,
    codebook: Codebook,
) -> None:
    a = read_wjx(wjx_text_xlsx, codebook).fingerprint
    b = read_wjx(wjx_code_csv_gbk, codebook).fingerprint
    c = read_path(wjx_text_xls, codebook).fingerprint  # N.(row) headers: same questions
    assert a == b == c and len(a) == 12
    header, rows = wjx_text_rows(stem1=STEM1_OTHER_VERSION)
    other = read_wjx(write_xlsx(tmp_path / "v2.xlsx", header, rows), codebook).fingerprint
    assert other != a
    # an optional item absent also changes the print
    header, rows = wjx_text_rows()
    j = header.index("6、您对党建工作的意见和建议")
    short = read_wjx(
        write_xlsx(
            tmp_path / "v3.xlsx", header[:j] + header[j + 1 :], [r[:j] + r[j + 1 :] for r in rows]
        ),
        codebook,
    )
    assert short.fingerprint != a and short.frame["Q6"].isna().all()
    assert any("Q6" in n for n in short.notes)


# -- messages -------------------------------------------------------------------------------
def _raise(path: Path, codebook: Codebook, variant: str | None = None) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        read_wjx(path, codebook, variant=variant, display=path.name)
    return info.value


def test_unknown_label_names_file_row_column_and_allowed(
    tmp_path: Path, codebook: Codebook
) -> None:
    header, rows = wjx_text_rows()
    rows[2][header.index("第3题(学习效果明显)")] = "很同意"
    err = _raise(write_xlsx(tmp_path / "t.xlsx", header, rows), codebook, "text")
    assert err.file == "t.xlsx" and err.row == 4
    assert err.column == "第3题(学习效果明显)（J 列）"
    assert "很同意" in err.problem and "非常同意（5）" in err.expected
    assert "option_aliases" in err.hint


def test_unknown_label_in_joined_multiple(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_text_rows()
    rows[0][header.index("4、您参加过哪些学习形式")] = "三会一课┋读书会"
    err = _raise(write_xlsx(tmp_path / "t.xlsx", header, rows), codebook, "text")
    assert (
        err.row == 2
        and "读书会" in err.problem
        and err.column.startswith("4、您参加过哪些学习形式")
    )


def test_aliases_and_full_width_labels_accepted(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_text_rows()
    rows[0][header.index("第3题(学习形式多样)")] = " 同意\u00a0"
    rows[1][header.index("1、您的党员类别")] = "学生党员 "
    f = read_wjx(write_xlsx(tmp_path / "t.xlsx", header, rows), codebook, variant="text").frame
    assert (
        f.loc[0, "Q3_1"] == 4.0 and f.loc[1, "Q1"] == 2.0 and f.loc[3, "Q1"] == 1.0
    )  # row 4: alias


def test_unrecognised_column(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_text_rows()
    header = [*header, "9、您的职务"]
    rows = [[*r, "普通党员"] for r in rows]
    err = _raise(write_xlsx(tmp_path / "t.xlsx", header, rows), codebook)
    assert "无法识别的列" in err.problem and err.column == "9、您的职务（R 列）"
    assert "ignore_columns" in err.hint and err.file == "t.xlsx"


def test_ignore_columns_and_total_score(
    tmp_path: Path, codebook_dict: dict, codebook: Codebook
) -> None:
    header, rows = wjx_text_rows()
    header = [*header, "总分", "9、您的职务"]
    rows = [[*r, 10, "普通党员"] for r in rows]
    cb = Codebook.model_validate({**codebook_dict, "ignore_columns": ["总分", "9、您的职务"]})
    res = read_wjx(write_xlsx(tmp_path / "t.xlsx", header, rows), cb)
    assert res.header_map["9、您的职务"] == "(忽略)" and "9、您的职务" not in res.frame.columns


def test_unknown_matrix_row_lists_expected_rows(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_text_rows()
    header[header.index("第3题(学习效果明显)")] = "第3题(学习效果显著)"
    err = _raise(write_xlsx(tmp_path / "t.xlsx", header, rows), codebook)
    assert "无法识别的列" in err.problem and "第3题(学习效果明显)" in err.problem


def test_unknown_option_column_in_code_file(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_code_rows()
    header[header.index("第4题(学习强国)")] = "第4题(读书班)"
    err = _raise(write_csv(tmp_path / "c.csv", header, rows, "utf-8"), codebook, "code")
    assert "读书班" in err.problem and "学习强国（3）" in err.problem and "J 列" not in err.column


def test_required_item_missing(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_text_rows()
    j = header.index("第3题(支部计划落实到位)")
    path = write_xlsx(
        tmp_path / "t.xlsx", header[:j] + header[j + 1 :], [r[:j] + r[j + 1 :] for r in rows]
    )
    err = _raise(path, codebook)
    assert (
        "Q3_3" in err.problem and "第3题(支部计划落实到位)" in err.expected and err.file == "t.xlsx"
    )


def test_text_in_code_file(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_code_rows()
    rows[3][header.index("1、您的党员类别")] = "学生党员"
    err = _raise(write_csv(tmp_path / "c.csv", header, rows, "utf-8"), codebook, "code")
    assert err.row == 5 and err.column == "1、您的党员类别（G 列）" and "wjx_text" in err.hint


def test_numeric_with_units_and_words(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_text_rows()
    j = header.index("2、您的党龄（年）")
    rows[0][j], rows[1][j] = "１２年", "不清楚"
    res = read_wjx(write_xlsx(tmp_path / "t.xlsx", header, rows), codebook, variant="text")
    assert res.frame.loc[0, "Q2"] == 12.0 and math.isnan(res.frame.loc[1, "Q2"])
    assert any("非纯数字" in n for n in res.notes)


def test_excel_serial_dates_and_bad_times(tmp_path: Path, codebook: Codebook) -> None:
    header, rows = wjx_text_rows()
    rows[0][1] = 46268.5  # Excel serial for 2026-09-03 12:00
    rows[1][1] = "昨天"
    res = read_wjx(write_xlsx(tmp_path / "t.xlsx", header, rows), codebook, variant="text")
    assert res.frame.loc[0, "submitted_at"] == pd.Timestamp("2026-09-03 12:00:00")
    assert pd.isna(res.frame.loc[1, "submitted_at"])
    assert any("无法识别的时间" in n and "第 3 行" in n for n in res.notes)


def test_custom_missing_codes(tmp_path: Path, codebook_dict: dict) -> None:
    cb = Codebook.model_validate({**codebook_dict, "missing_codes": [-3, 99]})
    header, rows = wjx_code_rows()
    rows[0][header.index("第3题(学习形式多样)")] = 99
    f = read_wjx(write_csv(tmp_path / "c.csv", header, rows, "utf-8"), cb, variant="code").frame
    assert math.isnan(f.loc[0, "Q3_1"])
    # -2 is not a missing code any more: the ranking keeps it as read
    assert f.loc[1, "Q5_3"] == -2.0


def test_codebook_roundtrip_via_yaml(codebook_path: Path) -> None:
    cb = load_codebook(codebook_path)
    assert yaml.safe_load(codebook_path.read_text(encoding="utf-8"))["title"] == CODEBOOK["title"]
    assert cb.columns("Q4") == ["Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q4_other"]
    assert np.isnan(np.nan)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_old_html_xls_downloads_match_truth(tmp_path: Path, codebook: Codebook, encoding: str) -> None:
    """Old ``<id>_<n>_0.xls`` (按文本) / ``_2.xls`` (按序号) downloads that are HTML tables."""
    text = write_html_xls(tmp_path / "386540716_1_0.xls", *wjx_text_rows(matrix_style="."), encoding)
    code = write_html_xls(tmp_path / "386540716_1_2.xls", *wjx_code_rows(), encoding)
    t, c = read_path(text, codebook), read_path(code, codebook)
    assert (t.format, c.format) == ("wjx_text", "wjx_code")
    assert any("网页表格" in n for n in t.notes)
    assert_frame_equal(_items(t.frame), _truth(), check_dtype=False)
    assert_frame_equal(_items(c.frame), _truth(), check_dtype=False)
    assert t.frame["phone"].tolist() == ["13800138000", "13900139000", "13700137000", "13600136000"]
    assert t.frame["Q6"].tolist()[3] == '=HYPERLINK("x")'
    assert crosscheck(t, c, codebook).empty


def test_generic_whole_and_option_columns_stay_ambiguous(tmp_path: Path, codebook: Codebook) -> None:
    """Only 问卷星 headers get the fill-in reading; a generic ``Q4`` beside ``Q4_1``… is refused."""
    header = ["Q1", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4", "Q4_1", "Q4_2", "Q4_3", "Q4_4", "Q5_1", "Q5_2", "Q5_3"]
    p = write_xlsx(tmp_path / "g.xlsx", header, [[1, 3, 4, 4, 4, 4, "三会一课", 1, 0, 0, 0, 1, 2, 3]])
    with pytest.raises(SurveyError, match="既有整题一列，又有每个选项一列"):
        read_path(p, codebook, format="generic")


def test_single_choice_other_fill_in_both_variants(tmp_path: Path, codebook_dict: dict) -> None:
    """Single choice with 其他: 按文本 ``其他〖文字〗``; 按序号 ``4〖文字〗`` in the code cell (assumed)."""
    d = yaml.safe_load(yaml.safe_dump(codebook_dict, allow_unicode=True))
    d["items"][0]["options"] = {**d["items"][0]["options"], 4: "其他"}
    d["items"][0]["other_option"] = 4
    p = tmp_path / "cb.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    cb = load_codebook(p)
    th, tr = wjx_text_rows()
    ch, cr = wjx_code_rows()
    j, k = th.index("1、您的党员类别"), ch.index("1、您的党员类别")
    tr[1][j], cr[1][k] = "其他〖预备党员〗", "4〖预备党员〗"
    t = read_path(write_xlsx(tmp_path / "386540716_按文本_t_4_4.xlsx", th, tr), cb)
    c = read_path(write_csv(tmp_path / "386540716_按序号_t_4_4.csv", ch, cr, "gbk"), cb)
    for res in (t, c):
        assert res.frame["Q1"].tolist() == [1.0, 4.0, 3.0, 1.0]
        assert res.frame["Q1_other"].tolist()[1] == "预备党员"
        assert res.frame["Q1_other"].isna().tolist() == [True, False, True, True]
    assert crosscheck(t, c, cb).empty
