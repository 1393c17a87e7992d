"""CSV, Parquet and SPSS writers: content, labels, escaping and byte-identical repeats."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from survey.errors import SurveyWarning
from survey.io.export import (
    SAV_DATE_OFFSET,
    SAV_TIME_OFFSET,
    SPSS_STRING_BYTES,
    _sav_frame,
    _truncate_utf8,
    escape_formula,
    sav_labels_from_codebook,
    spss_names,
    write_csv,
    write_parquet,
    write_sav,
)


# -- formula escaping ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-无-", "'-无-"),
        ("@所有人", "'@所有人"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("＝SUM(A1)", "'＝SUM(A1)"),
        ("＋1", "'＋1"),
        ("－某某", "'－某某"),
        ("＠某某", "'＠某某"),
        ("-1+2", "'-1+2"),
        ("-5", "-5"),
        ("+1.5", "+1.5"),
        ("-1e3", "-1e3"),
        ("加强学习 = 提高", "加强学习 = 提高"),
        (" =1", " =1"),
        ("", ""),
    ],
)
def test_escape_formula_cells(cell, expected):
    assert escape_formula(pd.Series([cell], dtype=object)).iloc[0] == expected


def test_escape_formula_leaves_numbers_and_missing():
    nums = pd.Series([-5.0, 3.0, np.nan])
    pd.testing.assert_series_equal(escape_formula(nums), nums)
    ints = pd.Series([-1, 2], dtype="int64")
    pd.testing.assert_series_equal(escape_formula(ints), ints)
    text = pd.Series(["=x", None, np.nan], dtype=object)
    out = escape_formula(text)
    assert out.iloc[0] == "'=x" and out.iloc[1:].isna().all()
    cat = pd.Series(pd.Categorical(["=a", "b", "=a"]))
    assert escape_formula(cat).tolist() == ["'=a", "b", "'=a"]


# -- CSV ----------------------------------------------------------------------------------------
def test_csv_bom_crlf_escaped_and_numbers_formatted(frame, tmp_path):
    path = tmp_path / "responses.csv"
    write_csv(frame, path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf_file,_row,")
    body = data[3:].decode("utf-8")
    assert body.count("\r\n") == len(frame) + 1
    back = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    assert back["carrier_other"].tolist() == ["", "'=SUM(A1:A9)", "", "", "", "'＠校企联合支部"]
    assert back["suggest"].tolist() == [
        "加强“三会一课”，\n落实组织生活", "'+86 已隐去", "'-无-", "-5", "'@所有人", "",
    ]  # fmt: skip
    assert back["duration_s"].tolist() == ["123", "0.1", "", "0.0000001", "95.5", "3600"]
    assert back["years"].tolist() == ["12", "-1.5", "3", "40", "", "0"]
    assert back["submitted_at"].tolist()[:3] == ["2026-09-03 12:00:00", "2026-09-03 12:05:30", ""]
    assert back["_row"].tolist() == ["2", "3", "4", "5", "6", "7"]
    assert back["is_home"].tolist() == ["True"] * 3 + ["False"] * 3
    # The floats read back exactly.
    nums = pd.read_csv(path, encoding="utf-8-sig")
    np.testing.assert_array_equal(nums["duration_s"].to_numpy(), frame["duration_s"].to_numpy())


def test_csv_repeated_writes_identical(frame, tmp_path):
    write_csv(frame, tmp_path / "a.csv")
    write_csv(frame.copy(), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# -- Parquet ------------------------------------------------------------------------------------
def test_parquet_round_trip_and_identical_bytes(frame, tmp_path):
    write_parquet(frame, tmp_path / "a.parquet")
    write_parquet(frame.copy(), tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    back = pd.read_parquet(tmp_path / "a.parquet")
    assert back.columns.tolist() == frame.columns.tolist()
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    import pyarrow.parquet as pq

    meta = pq.read_metadata(tmp_path / "a.parquet")
    assert meta.row_group(0).column(0).compression == "ZSTD"


# -- SPSS ---------------------------------------------------------------------------------------
def test_spss_names_rules():
    got = spss_names(["_row", "p1_1", "学院", "a-b", "by", "x.", "1st", "P1_1", "v_row", "x" * 70])
    assert got["_row"] == "v_row"
    assert got["p1_1"] == "p1_1"
    assert got["学院"] == "学院"
    assert got["a-b"] == "a_b"
    assert got["by"] == "by_"
    assert got["x."] == "x"
    assert got["1st"] == "v1st"
    assert got["P1_1"] == "P1_1_2"  # SPSS names ignore case
    assert got["v_row"] == "v_row_2"
    assert len(got["x" * 70]) == 64
    assert len({v.upper() for v in got.values()}) == len(got)


def test_sav_round_trip_with_labels(frame, codebook, tmp_path):
    var_labels, val_labels, measure = sav_labels_from_codebook(codebook)
    path = tmp_path / "responses.sav"
    renamed = write_sav(frame, path, var_labels, val_labels, file_label="合成数据",
                        variable_measure=measure)  # fmt: skip
    assert renamed == {"_file": "v_file", "_row": "v_row"}
    back, meta = pyreadstat.read_sav(str(path))
    assert back.columns.tolist() == [renamed.get(c, c) for c in frame.columns]
    assert meta.file_encoding == "UTF-8"
    assert meta.file_label == "合成数据"
    labels = meta.column_names_to_labels
    assert labels["p1_1"] == "学习形式多样，效果明显"
    assert labels["p1_2"] == "智慧党建"
    assert labels["carrier_1"] == "学习载体：学习强国"
    assert labels["carrier_other"] == "学习载体：其他（请注明）"
    assert labels["respondent_key"] == "受访者代码（HMAC-SHA256 假名）"
    assert labels["v_row"] == "_row"  # renamed columns keep their original name as label
    assert meta.variable_value_labels["p1_1"] == {
        1.0: "非常不同意",
        2.0: "不同意",
        3.0: "一般",
        4.0: "同意",
        5.0: "非常同意",
    }
    assert meta.variable_value_labels["member_type"][3.0] == "离退休党员"
    assert meta.variable_value_labels["carrier_1"] == {0.0: "未选", 1.0: "选中"}
    assert meta.variable_measure["p1_1"] == "ordinal"
    assert meta.variable_measure["years"] == "scale"
    # Values: numbers exact, text in UTF-8, missing text blank, booleans 0/1.
    np.testing.assert_array_equal(back["p1_2"].to_numpy(), frame["p1_2"].to_numpy())
    assert back["suggest"].tolist()[0] == "加强“三会一课”，\n落实组织生活"
    assert back["suggest"].tolist()[-1] == ""
    assert back["carrier_other"].tolist()[1] == "=SUM(A1:A9)"  # not escaped in SPSS
    assert back["is_home"].tolist() == [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert back["submitted_at"].iloc[4] == pd.Timestamp("2026-09-04 09:10:11")
    assert pd.isna(back["submitted_at"].iloc[2])


def test_sav_long_chinese_labels_cut_on_character_boundary(tmp_path):
    df = pd.DataFrame({"q": [1.0, 2.0]})
    long_var = "党建" * 100 + "尾"  # 603 bytes in UTF-8
    long_val = "非常同意" * 20  # 240 bytes
    write_sav(df, tmp_path / "l.sav", {"q": long_var}, {"q": {1: long_val}})
    _, meta = pyreadstat.read_sav(str(tmp_path / "l.sav"))
    var = meta.column_names_to_labels["q"]
    val = meta.variable_value_labels["q"][1.0]
    assert long_var.startswith(var) and len(var.encode()) <= 256 and len(var) == 85
    assert long_val.startswith(val) and len(val) == 40
    assert "\ufffd" not in var + val


def test_sav_identical_bytes_across_runs_and_fixed_header(frame, codebook, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    var_labels, val_labels, _ = sav_labels_from_codebook(codebook)
    write_sav(frame, tmp_path / "a.sav", var_labels, val_labels)
    time.sleep(1.05)  # ReadStat stamps the header with the clock, to the second
    write_sav(frame, tmp_path / "b.sav", var_labels, val_labels)
    a = (tmp_path / "a.sav").read_bytes()
    assert a == (tmp_path / "b.sav").read_bytes()
    assert a[SAV_DATE_OFFSET : SAV_DATE_OFFSET + 9] == b"01 Jan 70"
    assert a[SAV_TIME_OFFSET : SAV_TIME_OFFSET + 8] == b"00:00:00"
    # Without the fix, two plain pyreadstat writes differ only inside those 17 bytes.
    pyreadstat.write_sav(frame[["p1_1"]], str(tmp_path / "c.sav"))
    time.sleep(1.05)
    pyreadstat.write_sav(frame[["p1_1"]], str(tmp_path / "d.sav"))
    c, d = (tmp_path / "c.sav").read_bytes(), (tmp_path / "d.sav").read_bytes()
    diff = [i for i in range(len(c)) if c[i] != d[i]]
    assert diff and all(SAV_DATE_OFFSET <= i < SAV_TIME_OFFSET + 8 for i in diff)


def test_sav_honours_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1788393600")  # 2026-09-03 00:00:00 UTC
    write_sav(pd.DataFrame({"q": [1.0]}), tmp_path / "e.sav")
    data = (tmp_path / "e.sav").read_bytes()
    assert data[SAV_DATE_OFFSET : SAV_DATE_OFFSET + 17] == b"03 Sep 2600:00:00"
    back, _ = pyreadstat.read_sav(str(tmp_path / "e.sav"))
    assert back["q"].tolist() == [1.0]


def _sav_text_cell_by_cell(s: pd.Series) -> list[str]:
    """The conversion value by value, as ``_sav_frame`` did before it converted each distinct
    value once: ``str``, missing as ``""``, cut to the SPSS string limit."""
    values = ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in s.tolist()]
    return [_truncate_utf8(v, SPSS_STRING_BYTES) for v in values]


def test_sav_text_columns_converted_once_equal_the_cell_by_cell_conversion():
    rng = np.random.default_rng(7)
    words = np.array(["同意", "=1+1", " 空格 ", "", "好" * 11_000, "b"], dtype=object)  # 33,000 bytes: cut
    picks = words[rng.integers(0, len(words), 400)]
    holes = rng.random(400) < 0.1
    obj = picks.copy()
    obj[holes] = None
    frame = pd.DataFrame({
        "object_str": pd.Series(obj, dtype=object),
        "object_nan": pd.Series(np.where(holes, np.nan, picks), dtype=object),
        "string": pd.Series(picks, dtype="string").mask(holes),
        "category": pd.Categorical(picks).remove_categories(["b"]),
        "category_codes": pd.Categorical(rng.integers(1, 4, 400)),
        "mixed": pd.Series([1, 1.0, True, "1", None, np.nan, 2.5, "x"] * 50, dtype=object),
        "all_missing": pd.Series([None] * 400, dtype=object),
    })
    with pytest.warns(SurveyWarning) as caught:
        out = _sav_frame(frame)
    for col in frame.columns:
        assert out[col].tolist() == _sav_text_cell_by_cell(frame[col]), col
        assert out[col].dtype == object
    cut = {str(w.message).split("列 ")[1].split(" ")[0]: int(str(w.message).split("中有 ")[1].split(" ")[0])
           for w in caught}
    expected = {c: sum(len(v.encode()) > SPSS_STRING_BYTES for v in frame[c].dropna().astype(str))
                for c in frame.columns}
    assert cut == {c: n for c, n in expected.items() if n}
