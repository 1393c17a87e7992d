"""Reading and cleaning the symposium files: code normalisation, messages, scrubbing."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from survey.errors import SurveyError, SurveyWarning
from survey.instruments.symposium import (
    clean_statements,
    read_sessions,
    read_statements,
    read_themes,
)
from survey.instruments.tables import split_codes
from survey.stats.themes import representative_quotes


def _identity(series, names):
    return series, {}


def _load(files, **kw):
    sessions = read_sessions(files["sessions"], display="sessions.xlsx")
    themes = read_themes(files["themes"], display="themes.xlsx")
    raw = read_statements(files["statements"], display="statements.xlsx")
    return sessions, themes, raw, clean_statements(raw, themes, sessions, **kw)


def test_sessions_dates_and_counts(symposium_files):
    s = read_sessions(symposium_files["sessions"])
    assert list(s["session"]) == ["Z1", "Z2", "Z3"]
    assert list(s["_row"]) == [2, 3, 4]
    assert s["date"].iloc[0] == pd.Timestamp("2026-09-03")
    assert s["date"].iloc[1] == pd.Timestamp("2026-09-04")
    # 46270 is an Excel serial date (days since 1899-12-30)
    assert s["date"].iloc[2] == pd.Timestamp("1899-12-30") + pd.Timedelta(days=46270)
    assert s["participants"].tolist() == [8.0, 10.0, 5.0]


def test_split_codes_handles_every_separator():
    assert split_codes("Ｔ０１；t02、T03，T04,T05;T06 / T07") == ["T01", "t02", "T03", "T04", "T05", "T06", "T07"]
    assert split_codes(None) == []


def test_codes_normalised_full_width_case_and_synonyms(symposium_files):
    _, _, raw, (st, issues) = _load(symposium_files, scrubber=_identity)
    assert issues.empty
    assert st["codes_a"].tolist() == [("T01", "T02"), ("T01", "T03"), ("T02",), ("T04",), ("T06",)]
    assert st["codes_b"].tolist() == [("T01",), ("T03",), ("T01", "T02"), (), ("T06",)]
    assert st["group"].tolist() == ["党支部书记", "党支部书记", "学生党员", "用人企业", "用人企业"]
    assert st["statement_id"].tolist() == ["S0001", "S0002", "S0003", "S0004", "S0005"]
    assert raw.equals(read_statements(symposium_files["statements"], display="statements.xlsx"))


def test_unknown_code_error_names_file_row_column_code_and_allowed(tmp_path, symposium_files, xlsx):
    bad = xlsx(tmp_path / "bad.xlsx", [
        ["场次编号", "发言人代号", "发言内容", "编码员A", "编码员B"],
        ["Z1", "书记1", "文本一", "T01", "T01"],
        ["Z1", "书记2", "文本二", "T01；T99", "T01"],
        ["Z9", "书记3", "文本三", "T02", "X5"],
    ])
    sessions = read_sessions(symposium_files["sessions"])
    themes = read_themes(symposium_files["themes"])
    raw = read_statements(bad, display="座谈/bad.xlsx")
    with pytest.raises(SurveyError) as err:
        clean_statements(raw, themes, sessions, scrubber=None)
    msg = err.value.message_zh()
    assert "座谈/bad.xlsx" in msg
    assert "第 3 行" in msg and "T99" in msg and "编码员A（D 列）" in msg
    assert "T01、T02、T03、T04、T05、T06" in msg  # the allowed codes
    assert "X5" in msg and "编码员B（E 列）" in msg  # all problems listed at once
    assert "Z9" in msg and "场次编号不在场次表中" in msg
    assert err.value.row == 3


def test_warn_mode_returns_issue_table_and_drops_unknown(tmp_path, symposium_files, xlsx):
    bad = xlsx(tmp_path / "bad.xlsx", [
        ["场次", "发言", "编码A", "编码B"],
        ["Z1", "文本一", "T01;T99", "T01"],
    ])
    themes = read_themes(symposium_files["themes"])
    raw = read_statements(bad)
    with pytest.warns(SurveyWarning, match="T99"):
        st, issues = clean_statements(raw, themes, None, scrubber=_identity, on_issue="warn")
    assert st["codes_a"].tolist() == [("T01",)]
    assert issues[["row", "value", "problem"]].values.tolist() == [[2, "T99", "未知的主题编码"]]


def test_missing_column_message(tmp_path, xlsx):
    bad = xlsx(tmp_path / "nocodes.xlsx", [["场次编号", "发言内容"], ["Z1", "文本"]])
    with pytest.raises(SurveyError, match="缺少必需的列：编码员A") as err:
        read_statements(bad)
    assert err.value.row == 1


def test_theme_codebook_rejects_bad_area_and_shared_synonym(tmp_path, xlsx):
    bad = xlsx(tmp_path / "themes.xlsx", [
        ["编码", "名称", "问题领域", "同义词"],
        ["T01", "学习", "P1", "学风"],
        ["T02", "支部", "P7", "学风"],
    ])
    with pytest.raises(SurveyError) as err:
        read_themes(bad)
    msg = err.value.message_zh()
    assert "P7" in msg and "问题领域无效" in msg and "学风" in msg and "T01" in msg


def test_custom_scrubber_is_called_with_names(symposium_files):
    seen = {}

    def scrub(series, names):
        seen["names"] = list(names)
        return series.str.replace("张三", "某某", regex=False), {"name": 1}

    _, _, _, (st, _) = _load(symposium_files, scrubber=scrub, names=["张三"])
    assert seen["names"] == ["张三"]
    assert "某某" in st["text"].iloc[0] and "张三" not in st["text"].iloc[0]
    assert st["text_scrubbed"].all()


def test_default_scrubber_removes_names_and_phone(symposium_files):
    pytest.importorskip("survey.clean.privacy")
    _, _, _, (st, _) = _load(symposium_files, names=["张三"])
    assert "张三" not in st["text"].iloc[0]
    assert "13800138000" not in st["text"].iloc[0]


def test_no_scrubber_warns_and_quotes_refuse(symposium_files):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        _, themes, _, (st, _) = _load(symposium_files, scrubber=None)
    assert any(issubclass(w.category, SurveyWarning) for w in rec)
    assert not st["text_scrubbed"].any()
    with pytest.raises(SurveyError, match="尚未脱敏"):
        representative_quotes(st, themes)


def test_gbk_csv_with_blank_row_keeps_excel_row_numbers(tmp_path):
    text = "场次编号,日期,座谈对象,参会人数\nZ1,2026-09-03,组织员,6\n,,,\nＺ２,2026-09-04,校企合作企业,abc\n"
    f = tmp_path / "sessions.csv"
    f.write_bytes(text.encode("gb18030"))
    with pytest.raises(SurveyError) as err:
        read_sessions(f, display="sessions.csv")
    assert err.value.row == 4 and "参会人数无效" in err.value.message_zh()
    f.write_bytes(text.replace("abc", "7").encode("gb18030"))
    s = read_sessions(f)
    assert s["session"].tolist() == ["Z1", "Z2"] and s["_row"].tolist() == [2, 4]
