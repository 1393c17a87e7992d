"""draft_codebook / write_draft: a starting codebook that loads and reads the export back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from readers_builders import write_xlsx

from survey.config.codebook import load_codebook
from survey.errors import SurveyError
from survey.io.draft import draft_codebook, guess_identifier, write_draft
from survey.io.readers import read_path


def test_draft_from_text_export(tmp_path: Path, wjx_text_xlsx: Path) -> None:
    notes: list[str] = []
    d = draft_codebook(wjx_text_xlsx, notes=notes)
    items = {i["id"]: i for i in d["items"]}
    assert list(items) == ["Q1", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4", "Q5", "Q6"]
    assert items["Q2"]["type"] == "numeric"
    assert items["Q3_4"] == {
        "id": "Q3_4",
        "text": "学习流于形式",
        "type": "likert",
        "options": "Q3_scale",
        "source": {"question": 3, "row": "学习流于形式"},
    }
    # labels seen ordered by the Likert vocabulary, negative end = 1
    assert d["option_sets"]["Q3_scale"] == {
        1: "非常不同意",
        2: "不同意",
        3: "一般",
        4: "同意",
        5: "非常同意",
    }
    assert items["Q4"]["type"] == "multiple" and items["Q4"]["other_option"] is not None
    assert items["Q4"]["options"][items["Q4"]["other_option"]] == "其他"
    assert items["Q5"]["type"] == "ranking" and set(items["Q5"]["options"].values()) == {
        "政治领航",
        "铁军淬炼",
        "固本强基",
    }
    assert items["Q6"]["type"] == "text"
    kinds = {i["id"]: (i["kind"], i["source"]) for i in d["identifiers"]}
    assert kinds == {
        "ip": ("ip", {"header": "来自IP"}),
        "name": ("name", {"question": 7}),
        "phone": ("phone", {"question": 8}),
    }
    assert any("Q4" in n for n in notes)


def test_written_draft_loads_and_reads_its_export(tmp_path: Path, wjx_text_xlsx: Path) -> None:
    out = write_draft(wjx_text_xlsx, tmp_path / "codebook.draft.yaml")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 编码手册草稿")
    cb = load_codebook(out)
    res = read_path(wjx_text_xlsx, cb)
    assert res.n_rows == 4 and res.frame["Q3_1"].tolist() == [4.0, 3.0, 5.0, 2.0]


def test_draft_from_code_export(tmp_path: Path, wjx_code_csv_gbk: Path) -> None:
    notes: list[str] = []
    out = write_draft(wjx_code_csv_gbk, tmp_path / "cb.yaml")
    d = draft_codebook(wjx_code_csv_gbk, notes=notes)
    items = {i["id"]: i for i in d["items"]}
    assert items["Q4"]["type"] == "multiple" and items["Q4"]["options"][4] == "其他"
    assert items["Q5"]["type"] == "ranking"
    assert items["Q3_1"]["type"] == "likert" and items["Q1"]["type"] == "single"
    assert any("选项k" in n for n in notes)
    res = read_path(wjx_code_csv_gbk, load_codebook(out))
    q44 = res.frame["Q4_4"]
    assert q44.iloc[[0, 1, 3]].tolist() == [0.0, 1.0, 1.0] and pd.isna(q44.iloc[2])
    assert res.frame["Q4_other"].iloc[1] == "校企联合支部"
    assert res.frame["Q5_2"].tolist()[:2] == [3.0, 1.0]


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("您的姓名", "name"),
        ("手机号码", "phone"),
        ("身份证号", "id_card"),
        ("学号", "student_no"),
        ("工号", "staff_no"),
        ("微信昵称", "wechat"),
        ("来自IP", "ip"),
        ("电子邮箱", "email"),
        ("您的党龄", None),
        ("PIPELINE", None),
    ],
)
def test_guess_identifier(header: str, kind: str | None) -> None:
    assert guess_identifier(header) == kind


def test_draft_refuses_non_wjx(tmp_path: Path) -> None:
    p = write_xlsx(tmp_path / "g.xlsx", ["Q1", "Q2"], [[1, 2]])
    with pytest.raises(SurveyError) as info:
        draft_codebook(p)
    assert "问卷星" in info.value.problem
