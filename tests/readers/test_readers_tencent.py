"""腾讯问卷 downloads shaped like real ones: every cell compared to the planted truth.

Fixtures (``tencent_shapes``) follow ../shared/FORMATS.md: the older header (编号, 开始/结束答题时间,
答题时长(seconds), 地理位置…, rows ending in a trailing comma) and the newer one (用户类型, 用户标识,
昵称, IP, UA …, an empty last column), CSV as UTF-8 with BOM and XLSX.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd
import pytest
import tencent_shapes as ts

from survey.clean.privacy import apply_identifier_policy
from survey.config.codebook import Codebook, load_codebook, review_marks
from survey.errors import SurveyError
from survey.io.draft import draft_codebook, write_draft
from survey.io.readers import read_path
from survey.io.readers.detect import detect_format
from survey.io.readers.tencent import parse_tencent_headers, read_tencent

SHAPES = [(False, "csv"), (False, "xlsx"), (True, "csv"), (True, "xlsx")]
IDS = ["older-csv", "older-xlsx", "newer-csv", "newer-xlsx"]


def _write(folder: Path, newer: bool, ext: str) -> Path:
    path = folder / f"党建调查_答卷数据_{'new' if newer else 'old'}.{ext}"
    return (ts.write_csv if ext == "csv" else ts.write_xlsx)(path, newer)


def _read(path: Path, cb: Codebook) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_path(path, cb).frame


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return bool(a == b)


def _assert_cells(frame: pd.DataFrame, columns: list[str] = ts.COLUMNS) -> None:
    want = ts.truth()
    assert len(frame) == len(want)
    for col in columns:
        for r, (got, exp) in enumerate(zip(frame[col].tolist(), want[col].tolist(), strict=True)):
            assert _same(got, exp), f"{col} 第 {r + 2} 行：{got!r} != {exp!r}"


def test_trailing_comma_is_in_the_csv(tmp_path: Path) -> None:
    # the fixture really has the platform's shape: BOM, and every line ends in a comma
    raw = _write(tmp_path, False, "csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert all(line.endswith(",") for line in raw.decode("utf-8-sig").splitlines())


@pytest.mark.parametrize(("newer", "ext"), SHAPES, ids=IDS)
def test_every_cell(tmp_path: Path, newer: bool, ext: str) -> None:
    path = _write(tmp_path, newer, ext)
    assert detect_format(path) == "tencent"
    cb = Codebook.model_validate(ts.codebook(newer))
    res = read_path(path, cb)
    assert res.format == "tencent"
    _assert_cells(res.frame)
    assert res.frame["_row"].tolist() == [2, 3, 4, 5]
    assert res.frame["geo"].tolist() == [p["prov"] for p in ts.PEOPLE]
    if newer:
        for ident, key in (("nick", "nick"), ("uid", "uid"), ("ip", "ip"), ("ua", "ua")):
            assert res.frame[ident].tolist() == [p[key] for p in ts.PEOPLE]
    # read_tencent gives the same frame
    again = read_tencent(path, cb).frame
    pd.testing.assert_frame_equal(res.frame, again)


def test_old_and_new_downloads_print_alike(tmp_path: Path) -> None:
    cb = Codebook.model_validate(ts.codebook(True))
    old = Codebook.model_validate(ts.codebook(False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = read_path(_write(tmp_path, False, "csv"), old)
        b = read_path(_write(tmp_path, True, "xlsx"), cb)
    assert a.fingerprint == b.fingerprint
    assert a.header_map["编号"] == "_seq"
    assert a.header_map["结束答题时间"] == "submitted_at"
    assert a.header_map["答题时长(seconds)"] == "duration_s"
    assert a.header_map["开始答题时间"] == "(元数据)"
    assert b.header_map["4.您参加过哪些支部活动？:志愿服务"] == "Q4_2"
    assert b.header_map["6.您的年龄和工龄：_填空2"] == "Q6_2"


@pytest.mark.parametrize(("newer", "ext"), SHAPES, ids=IDS)
def test_identifiers_reach_no_other_column(tmp_path: Path, newer: bool, ext: str) -> None:
    path = _write(tmp_path, newer, ext)
    secrets = [p[k] for p in ts.PEOPLE for k in ("nick", "uid", "ip", "ua", "phone")]
    # declared: kept only in the identifier columns, then dropped / pseudonymised / coarsened
    cb = Codebook.model_validate(ts.codebook(newer))
    frame = _read(path, cb)
    ident_cols = {i.id for i in cb.identifiers}
    rest = frame.drop(columns=list(ident_cols))
    cells = {str(v) for col in rest.columns for v in rest[col].tolist()}
    assert not any(s in c for s in secrets for c in cells)
    out, _report = apply_identifier_policy(frame, cb, b"k" * 32)
    assert not ident_cols & set(out.columns)
    assert out["geo_province"].tolist() == ["上海", "江苏", "广东", "上海"]
    cells = {str(v) for col in out.columns for v in out[col].tolist()}
    assert not any(s in c for s in secrets for c in cells)
    # undeclared (a codebook without 昵称 / 用户标识 / IP / UA): dropped like 问卷星's 来自IP
    bare = ts.codebook(False)
    bare["identifiers"] = [i for i in bare["identifiers"] if i["id"] == "phone"]
    frame = _read(path, Codebook.model_validate(bare))
    assert set(frame.columns) >= set(ts.COLUMNS)
    rest = frame.drop(columns=["phone"])
    cells = {str(v) for col in rest.columns for v in rest[col].tolist()}
    assert not any(s in c for s in secrets for c in cells)
    assert not any(p["city"] in c for p in ts.PEOPLE for c in cells)


@pytest.mark.parametrize(("newer", "ext"), SHAPES, ids=IDS)
def test_draft_reproduces_every_code(tmp_path: Path, newer: bool, ext: str) -> None:
    path = _write(tmp_path, newer, ext)
    notes: list[str] = []
    draft = draft_codebook(path, notes=notes)
    items = {i["id"]: i for i in draft["items"]}
    assert list(items) == ["Q1", "Q2", "Q4", "Q5_1", "Q5_2", "Q6_1", "Q6_2", "Q7"]
    assert items["Q1"]["options"] == ts.SEX
    assert items["Q4"]["type"] == "multiple" and items["Q4"]["options"] == ts.ACTS
    assert draft["option_sets"][items["Q5_1"]["options"]] == ts.AGREE
    assert items["Q5_2"]["source"] == {"question": 5, "row": "落实到位"}
    assert [items[k]["type"] for k in ("Q2", "Q6_1", "Q6_2", "Q7")] == ["numeric"] * 3 + ["text"]
    idents = {i["id"]: i for i in draft["identifiers"]}
    assert idents["phone"]["source"] == {"question": 3} and idents["phone"]["respondent_key"]
    expected = {"province"} | ({"user_id", "nickname", "ip", "user_agent"} if newer else set())
    assert set(idents) - {"phone"} == expected
    assert any("A = 1" in n for n in notes)
    out = write_draft(path, tmp_path / "codebook.yaml")
    assert review_marks(out) == []  # the letters give the codes: nothing is a guess
    cb = load_codebook(out)
    frame = _read(path, cb)
    _assert_cells(frame)


def test_draft_placeholder_for_an_unchosen_letter(tmp_path: Path) -> None:
    header = ["编号", "开始答题时间", "结束答题时间", "答题时长", "1.您的学历", ""]
    body = [["1", "2021-02-02 20:25:01", "2021-02-02 20:26:58", "60", "A.大专", ""],
            ["2", "2021-02-02 20:25:01", "2021-02-02 20:27:58", "70", "C.硕士", ""]]
    path = tmp_path / "t.csv"
    path.write_bytes(("\n".join(",".join(r) for r in [header, *body]) + "\n").encode("utf-8-sig"))
    notes: list[str] = []
    draft = draft_codebook(path, notes=notes)
    assert draft["items"][0]["options"] == {1: "大专", 2: "选项B", 3: "硕士"}
    assert any("选项 B" in n for n in notes)


def test_unknown_option_label_message(tmp_path: Path) -> None:
    header, body = ts.rows(False)
    body[2][header.index("1.您的性别")] = "C.保密"
    path = tmp_path / "问卷.xlsx"
    from readers_builders import write_xlsx

    write_xlsx(path, header[:-1], [r[:-1] for r in body])
    with pytest.raises(SurveyError) as info:
        read_path(path, Codebook.model_validate(ts.codebook(False)))
    msg = str(info.value)
    assert "选项“保密”不在编码手册该题的选项中" in msg
    assert "问卷.xlsx" in msg
    assert "第 4 行" in msg
    assert "1.您的性别（I 列）" in msg
    assert "男（1）、女（2）" in msg


def test_unknown_header_names_the_original(tmp_path: Path) -> None:
    header, body = ts.rows(True)
    header[header.index("7.您对支部工作的建议")] = "8.您对学院的建议"
    path = tmp_path / "t.csv"
    from readers_builders import write_csv

    write_csv(path, header[:-1], [r[:-1] for r in body], "utf-8-sig")
    with pytest.raises(SurveyError) as info:
        read_path(path, Codebook.model_validate(ts.codebook(True)))
    assert "无法识别的列" in str(info.value) and "8.您对学院的建议" in str(info.value)


def test_headers_split_with_the_codebook() -> None:
    # a stem with its own colon: the option is what the codebook knows
    cb = Codebook.model_validate(ts.codebook(False))
    cols = parse_tencent_headers(["4.请选择：您参加过哪些支部活动？:主题党日", "1.您的性别"], cb)
    assert (cols[0].question, cols[0].sub) == (4, "主题党日")
    assert (cols[1].question, cols[1].sub) == (1, None)


@pytest.mark.parametrize("newer", [False, True], ids=["older", "newer"])
def test_survey_clean_on_a_tencent_download(tmp_path: Path, newer: bool) -> None:
    """Draft from the download, then ``survey clean``: every code kept, no identifier written."""
    import yaml
    from readers_builders import write_study

    from survey.config.study import load_study
    from survey.pipeline import run_clean

    path = _write(tmp_path, newer, "csv")
    write_draft(path, tmp_path / "codebook.yaml")
    p = write_study(tmp_path, [{"path": path.name}])
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["privacy"] = {"demo_key": "仅供测试-test-only-key", "key_file": None}
    data["fieldwork"] = {"start": "2021-02-01"}
    data["cleaning"] = {rule: {"enabled": False} for rule in ("speeders", "straight_lining", "min_answered")}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_clean(load_study(p), output_dir=tmp_path / "processed")
    kept = run.result.kept.sort_values("_row").reset_index(drop=True)
    codes = [c for c in ts.COLUMNS if c not in ("phone", "Q7")]  # identifiers go, free text is scrubbed
    _assert_cells(kept, codes)
    secrets = [p[k] for p in ts.PEOPLE for k in ("nick", "uid", "ip", "ua", "phone")]
    written = [f for f in (tmp_path / "processed").rglob("*")
               if f.is_file() and f.suffix in (".csv", ".json", ".md", ".txt", ".yaml")]
    assert any(f.name == "manifest.json" for f in written)
    for f in written:
        text = f.read_text(encoding="utf-8-sig", errors="replace")
        assert not [s for s in secrets if s in text], f.name


def _small(tmp_path: Path, questions: list[str], answers: list[list[str]]) -> Path:
    header = ["编号", "开始答题时间", "结束答题时间", "答题时长", *questions, ""]
    body = [[str(k), "2021-02-02 20:25:01", "2021-02-02 20:26:58", "60", *a, ""]
            for k, a in enumerate(answers, start=1)]
    path = tmp_path / "small.csv"
    path.write_bytes(("\n".join(",".join(r) for r in [header, *body]) + "\n").encode("utf-8-sig"))
    return path


def test_multiple_choice_marks_one_zero_and_skipped(tmp_path: Path) -> None:
    # cells 1 / 0 / the option text / empty; a row with every option column empty is missing
    path = _small(tmp_path, ["1.您常用的学习平台？:学习强国", "1.您常用的学习平台？:学习通"],
                  [["1", "0"], ["学习强国", "学习通"], ["", ""], ["", "1"]])
    cb = Codebook.model_validate({
        "title": "t", "items": [{"id": "Q1", "text": "平台", "type": "multiple",
                                 "options": {1: "学习强国", 2: "学习通"}, "source": {"question": 1}}]})
    frame = _read(path, cb)
    assert [_same(a, b) for a, b in zip(frame["Q1_1"], [1.0, 1.0, math.nan, 0.0], strict=True)] == [True] * 4
    assert [_same(a, b) for a, b in zip(frame["Q1_2"], [0.0, 1.0, math.nan, 1.0], strict=True)] == [True] * 4


def test_draft_without_letters_marks_the_guess(tmp_path: Path) -> None:
    path = _small(tmp_path, ["1.您所在的支部"], [["教工支部"], ["学生支部"], ["教工支部"], ["学生支部"]])
    out = write_draft(path, tmp_path / "cb.yaml")
    assert [i for _, i in review_marks(out)] == ["Q1"]
