"""Generic files (ids as headers) and SPSS .sav (value labels, GBK retry)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from pandas.testing import assert_frame_equal
from readers_builders import truth_codes, write_xlsx

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.io.readers import read_path
from survey.io.readers.generic import read_generic
from survey.io.readers.spss import read_spss


def _items(frame: pd.DataFrame) -> pd.DataFrame:
    t = truth_codes()
    out = frame[list(t.columns)].copy()
    out["Q4_other"] = out["Q4_other"].astype(object)
    return out


def _truth() -> pd.DataFrame:
    t = truth_codes()
    t["Q4_other"] = t["Q4_other"].astype(object)
    return t


def test_generic_xlsx(generic_xlsx: Path, codebook: Codebook) -> None:
    res = read_generic(generic_xlsx, codebook)
    assert res.format == "generic"
    assert_frame_equal(_items(res.frame), _truth(), check_dtype=False)
    f = res.frame
    assert f["submitted_at"].iloc[0] == pd.Timestamp("2026-09-03 12:00:00")
    assert f["duration_s"].tolist() == [100.0, 101.0, 102.0, 103.0]
    assert f["phone"].iloc[0] == "13800138000"  # an integer cell, not 1.38E+10
    assert f["_seq"].isna().all()


def test_generic_source_column_and_joined_codes(tmp_path: Path, codebook_dict: dict) -> None:
    items = [dict(i) for i in codebook_dict["items"]]
    items[0] = {**items[0], "source": {"column": "member_type"}}
    cb = Codebook.model_validate({**codebook_dict, "items": items, "identifiers": []})
    header = ["member_type", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4", "Q5_1", "Q5_2", "Q5_3"]
    rows = [
        [2, 5, 1, 2, 3, 4, "1,3", 1, 2, 3],
        ["离退休党员", "", 5, 5, 5, 5, "2┋其他〖支部共建〗", None, None, None],
    ]
    f = read_generic(write_xlsx(tmp_path / "g.xlsx", header, rows), cb).frame
    assert f["Q1"].tolist() == [2.0, 3.0]
    assert f[["Q4_1", "Q4_2", "Q4_3", "Q4_4"]].to_numpy().tolist() == [[1, 0, 1, 0], [0, 1, 0, 1]]
    assert f["Q4_other"].tolist()[1] == "支部共建"
    assert f["Q6"].isna().all()


def test_generic_bad_cell_message(tmp_path: Path, codebook_dict: dict) -> None:
    cb = Codebook.model_validate({**codebook_dict, "identifiers": []})
    header = [
        "Q1",
        "Q2",
        "Q3_1",
        "Q3_2",
        "Q3_3",
        "Q3_4",
        "Q4_1",
        "Q4_2",
        "Q4_3",
        "Q4_4",
        "Q5_1",
        "Q5_2",
        "Q5_3",
    ]
    rows = [[1, 5, 1, 2, 3, 4, 0, 0, 0, 0, 1, 2, 3], [1, 5, "好", 2, 3, 4, 0, 0, 0, 0, 1, 2, 3]]
    with pytest.raises(SurveyError) as info:
        read_generic(write_xlsx(tmp_path / "g.xlsx", header, rows), cb, display="g.xlsx")
    err = info.value
    assert (
        err.row == 3
        and err.column == "Q3_1（C 列）"
        and "好" in err.problem
        and err.file == "g.xlsx"
    )


def test_spss_value_labels_map_to_codebook_codes(sav_file: Path, codebook: Codebook) -> None:
    res = read_path(sav_file, codebook, display="raw/export.sav")
    assert res.format == "spss"
    # Q1 is coded 10/20/30 in the file; its labels map it to the codebook's 1/2/3
    assert_frame_equal(_items(res.frame), _truth(), check_dtype=False)
    assert res.frame["_row"].tolist() == [2, 3, 4, 5]
    assert res.frame["name"].tolist()[0] == "张三"
    assert res.header_map["Q3_4"] == "Q3_4"


def test_spss_matches_by_variable_label(tmp_path: Path, codebook: Codebook) -> None:
    df = pd.DataFrame({"V1": [1.0, 2.0], "V2": [5.0, 3.0]})
    # only two variables: the rest of the codebook is required, so expect the missing item
    p = tmp_path / "labels.sav"
    pyreadstat.write_sav(
        df, str(p), column_labels={"V1": "1、您的党员类别", "V2": "第3题(学习形式多样)"}
    )
    with pytest.raises(SurveyError) as info:
        read_spss(p, codebook, display="labels.sav")
    assert "Q2" in info.value.problem  # V1 and V2 were recognised; Q2 is the first one missing


def test_spss_unknown_value_label(tmp_path: Path, codebook: Codebook, sav_file: Path) -> None:
    df, meta = pyreadstat.read_sav(str(sav_file))
    labels = dict(meta.variable_value_labels)
    labels["Q1"] = {10.0: "在职教职工党员", 20.0: "预备党员", 30.0: "离退休党员"}
    p = tmp_path / "bad.sav"
    pyreadstat.write_sav(
        df, str(p), column_labels=meta.column_names_to_labels, variable_value_labels=labels
    )
    with pytest.raises(SurveyError) as info:
        read_spss(p, codebook, display="bad.sav")
    err = info.value
    assert (
        "预备党员" in err.problem
        and err.row == 3
        and err.column.startswith("Q1")
        and err.file == "bad.sav"
    )


def test_gbk_sav_retried_with_gbk(gbk_sav_file: Path, codebook_dict: dict) -> None:
    with pytest.raises(pyreadstat.ReadstatError):
        pyreadstat.read_sav(str(gbk_sav_file))  # what the user would hit
    cb = Codebook.model_validate({**codebook_dict, "identifiers": [{"id": "name", "kind": "name"}]})
    res = read_spss(gbk_sav_file, cb, display="gbk.sav")
    assert res.encoding == "GBK"
    assert res.frame["Q1"].tolist() == [1.0, 2.0, 3.0]
    assert res.frame["name"].tolist()[0] == "张三"
    assert any("GBK" in n for n in res.notes)


def test_corrupt_sav(tmp_path: Path, codebook: Codebook) -> None:
    p = tmp_path / "broken.sav"
    p.write_bytes(b"$FL2" + b"\x00" * 40)
    with pytest.raises(SurveyError) as info:
        read_spss(p, codebook, display="broken.sav")
    assert "无法读取 SPSS 文件" in info.value.problem and info.value.file == "broken.sav"
