"""问卷星 downloads shaped like real ones: draft from a 按文本 + 按序号 pair, the review mark,
the 其他 fill-in in both variants, the meta columns. Every cell is compared to the planted truth."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from readers_builders import write_csv, write_study, write_xlsx
from wjx_shapes import (
    ACTS,
    BRANCH,
    FORMS2,
    HALVES,
    MORE,
    MORE_NAME,
    PEOPLE,
    RANK,
    SCALE,
    code_rows,
    more_rows,
    more_truth,
    text_rows,
    truth,
    write_pair,
)

from survey.clean.privacy import free_text_columns, scrub_free_text
from survey.cli import main
from survey.config.codebook import REVIEW_MARK, load_codebook, review_marks
from survey.config.study import load_study
from survey.errors import SurveyError, SurveyWarning
from survey.io.draft import download_key, draft_codebook, write_draft
from survey.io.readers import crosscheck, read_path, read_responses

ITEM_COLUMNS = ["Q1", "Q2_1", "Q2_2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q3_other", "Q4_1", "Q4_2", "Q4_3", "Q5", "Q6"]


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


def _assert_cells(frame: pd.DataFrame, expected: pd.DataFrame, columns: list[str] = ITEM_COLUMNS) -> None:
    assert frame[columns].shape == expected[columns].shape
    for col in columns:
        for r, (got, want) in enumerate(zip(frame[col].tolist(), expected[col].tolist(), strict=True)):
            assert _same(got, want), f"{col} 第 {r + 2} 行：{got!r} != {want!r}"


def _read(path: Path, cb) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_path(path, cb).frame


@pytest.mark.parametrize("fill_in", ["stem", "option"])
def test_pair_draft_reproduces_every_code(tmp_path: Path, fill_in: str) -> None:
    text, code = write_pair(tmp_path, fill_in)
    out = write_draft([text, code], tmp_path / "cb.yaml")
    assert review_marks(out) == [] and REVIEW_MARK not in out.read_text(encoding="utf-8")
    cb = load_codebook(out)
    # codes from 按序号, labels from 按文本 (the matrix keeps the platform's reversed codes)
    assert cb.options("Q1") == BRANCH and cb.item("Q1").type == "single"
    assert cb.options("Q2_1") == SCALE == cb.options("Q2_2")
    assert cb.options("Q3") == ACTS and cb.item("Q3").other_option == 4
    assert cb.item("Q3").text == "您参加过哪些支部活动"
    assert cb.options("Q4") == RANK and cb.item("Q4").type == "ranking"
    assert cb.item("Q5").type == "numeric" and cb.item("Q6").type == "text"
    t, c = _read(text, cb), _read(code, cb)
    _assert_cells(t, truth())
    _assert_cells(c, truth())
    assert crosscheck(read_path(text, cb), read_path(code, cb), cb).empty


def test_pair_given_in_either_order_and_by_content(tmp_path: Path) -> None:
    text, code = write_pair(tmp_path)
    a = draft_codebook([code, text])
    b = draft_codebook([text, code])
    assert a["items"] == b["items"]
    # matched by content when the names are not 问卷星's
    t2, c2 = text.rename(tmp_path / "a.xlsx"), code.rename(tmp_path / "b.xlsx")
    assert draft_codebook([t2, c2])["items"] == a["items"]
    # the command takes both files
    out = tmp_path / "cb.yaml"
    assert main(["codebook", "draft", str(t2), str(c2), "-o", str(out)]) == 0
    assert load_codebook(out).options("Q1") == BRANCH


def test_download_key() -> None:
    assert download_key(Path("7654321_按文本_支部工作调查_5_5.xlsx")) == ("7654321_支部工作调查", "text")
    assert download_key(Path("7654321_按序号_支部工作调查_5_5.xlsx")) == ("7654321_支部工作调查", "code")
    assert download_key(Path("7654321_2_2.xls")) == ("7654321_", "code")
    assert download_key(Path("data.xlsx")) == ("data", None)


def test_same_file_twice_is_used_once(tmp_path: Path) -> None:
    text, _code = write_pair(tmp_path)
    other = tmp_path / "copy.xlsx"
    other.write_bytes(text.read_bytes())
    notes: list[str] = []
    assert draft_codebook([text, other], notes=notes)["items"] == draft_codebook(text)["items"]
    assert any("copy.xlsx" in n and "只用一次" in n for n in notes)


def _split_downloads(folder: Path, *, permute_q1: bool = False) -> list[Path]:
    """Two downloads of the questionnaire (people 1-2, then 3-5), each as 按文本 + 按序号.

    Same questionnaire id and title in both names (only the counts differ), as when a group
    downloads once mid-fieldwork and again at the end of it. ``permute_q1``: the second
    download's 按序号 codes of Q1 come from a copy of the questionnaire with another option order.
    """
    th, trows = text_rows()
    ch, crows = code_rows()
    paths = []
    for k, (lo, hi) in enumerate([(0, 2), (2, 5)]):
        n = hi - lo
        crows_k = [list(r) for r in crows[lo:hi]]
        if permute_q1 and k == 1:
            at = ch.index("1、您所在的支部类型")
            for r in crows_k:
                r[at] = {1: 2, 2: 3, 3: 1}[r[at]]
        paths.append(write_xlsx(folder / f"7654321_按文本_支部工作调查_{n}_{n + k}.xlsx", th, trows[lo:hi]))
        paths.append(write_xlsx(folder / f"7654321_按序号_支部工作调查_{n}_{n + k}.xlsx", ch, crows_k))
    return paths


def test_several_downloads_pair_up_and_give_every_code(tmp_path: Path) -> None:
    paths = _split_downloads(tmp_path)
    # the first download alone never saw 学生支部 (code 2 of Q1): its label is unknown
    notes1: list[str] = []
    first = draft_codebook(paths[:2], notes=notes1)
    q1 = next(i for i in first["items"] if i["id"] == "Q1")
    assert q1["options"][2] == "选项2" and any("代码 2 没有人选过" in n for n in notes1)
    # all four files, in any order: pairs found by 序号, codes and labels from every download
    notes: list[str] = []
    out = tmp_path / "cb.yaml"
    assert main(["codebook", "draft", *map(str, [paths[3], paths[0], paths[2], paths[1]]),
                 "-o", str(out)]) == 0
    draft = draft_codebook([paths[3], paths[0], paths[2], paths[1]], notes=notes)
    assert any("由 2 次下载" in n for n in notes)
    cb = load_codebook(out)
    assert review_marks(out) == []
    assert cb.options("Q1") == BRANCH and cb.options("Q3") == ACTS and cb.options("Q4") == RANK
    assert cb.options("Q2_1") == SCALE
    assert [i["id"] for i in draft["items"]] == [i["id"] for i in first["items"]]
    # the codebook reads every download back to the planted codes
    want = truth()
    for k, (lo, hi) in enumerate([(0, 2), (2, 5)]):
        part = want.iloc[lo:hi].reset_index(drop=True)
        _assert_cells(_read(paths[2 * k], cb), part)
        _assert_cells(_read(paths[2 * k + 1], cb), part)


def test_several_text_downloads_join_their_answers(tmp_path: Path) -> None:
    paths = _split_downloads(tmp_path)
    texts = [paths[0], paths[2]]
    notes: list[str] = []
    review: list[str] = []
    draft = draft_codebook(texts, notes=notes, review=review)
    q1 = next(i for i in draft["items"] if i["id"] == "Q1")
    assert set(q1["options"].values()) == set(BRANCH.values())  # 学生支部 only in the second file
    assert review == ["Q1", "Q3", "Q4"]  # still guesses: no 按序号 file
    assert any("由 2 个按文本文件合并生成" in n for n in notes)


def test_downloads_with_different_option_codes_are_refused(tmp_path: Path) -> None:
    paths = _split_downloads(tmp_path, permute_q1=True)
    with pytest.raises(SurveyError) as info:
        draft_codebook(paths)
    message = str(info.value)
    assert "代码" in message and "1、您所在的支部类型" in message and paths[3].name in message


def test_unpaired_and_foreign_files_are_refused(tmp_path: Path) -> None:
    paths = _split_downloads(tmp_path)
    with pytest.raises(SurveyError, match="没有配对的按序号文件"):
        draft_codebook([paths[0], paths[1], paths[2]])
    other_h, other_rows = more_rows("text")
    foreign = write_xlsx(tmp_path / "8765432_按文本_支部工作评价_4_4.xlsx", other_h, other_rows)
    with pytest.raises(SurveyError, match="不像同一份问卷"):
        draft_codebook([paths[0], paths[2], foreign])


def test_text_only_draft_marks_guessed_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, _code = write_pair(tmp_path)
    out = tmp_path / "cb.yaml"
    assert main(["codebook", "draft", str(text), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "3 题的选项代码是按答案出现顺序推测的" in printed and "必须按问卷核对" in printed
    marks = review_marks(out)
    assert [i for _, i in marks] == ["Q1", "Q3", "Q4"]
    lines = out.read_text(encoding="utf-8").splitlines()
    for line, item in marks:
        assert lines[line - 1].strip() == REVIEW_MARK and lines[line].strip() == f"- id: {item}"
    cb = load_codebook(out)
    # the trap: order of first appearance gives the wrong code to every 离退休支部 answer
    assert cb.options("Q1")[1] == "离退休支部" != BRANCH[1]
    # a recognised scale is put in its canonical order (1 = 非常不同意), not marked
    assert cb.options("Q2_1") == {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}


def test_clean_refuses_marked_codebook_until_checked(tmp_path: Path) -> None:
    text, _code = write_pair(tmp_path)
    write_draft(text, tmp_path / "codebook.yaml")
    p = write_study(tmp_path, [{"path": text.name}])
    with pytest.raises(SurveyError) as exc:
        read_responses(load_study(p))
    msg = exc.value.message_zh()
    assert "3 处“待核对：选项编码按出现顺序推测”标记（Q1、Q3、Q4）" in msg and "codes_checked" in msg
    assert exc.value.row == review_marks(tmp_path / "codebook.yaml")[0][0]
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["questionnaire"]["codes_checked"] = True
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(read_responses(load_study(p)).frame) == len(PEOPLE)
    # removing the marks (after checking) is the other way
    cb = tmp_path / "codebook.yaml"
    cb.write_text(cb.read_text(encoding="utf-8").replace(REVIEW_MARK, ""), encoding="utf-8")
    data["questionnaire"]["codes_checked"] = False
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(read_responses(load_study(p)).frame) == len(PEOPLE)


@pytest.mark.parametrize("fill_in", ["stem", "option"])
def test_other_fill_in_is_free_text_and_scrubbed(tmp_path: Path, fill_in: str) -> None:
    text, code = write_pair(tmp_path, fill_in)
    cb = load_codebook(write_draft([text, code], tmp_path / "cb.yaml"))
    for path in (text, code):
        frame = _read(path, cb)
        assert "Q3_other" in free_text_columns(frame, cb)
        frame.loc[0, "Q3_other"] = "跟钱一老师结对，电话13511110001"
        scrubbed, _counts = scrub_free_text(frame, cb, ["钱一"])
        assert "钱一" not in scrubbed.loc[0, "Q3_other"] and "13511110001" not in scrubbed.loc[0, "Q3_other"]


def test_meta_columns_as_real_downloads(tmp_path: Path) -> None:
    text, code = write_pair(tmp_path)
    d = draft_codebook([text, code])
    ip = next(i for i in d["identifiers"] if i["kind"] == "ip")
    assert ip["source"] == {"header": "来自IP"} and ip.get("action", "drop") == "drop"
    cb = load_codebook(write_draft([text, code], tmp_path / "cb.yaml"))
    for path in (text, code):
        frame = _read(path, cb)
        assert frame["_seq"].tolist() == [float(p["seq"]) for p in PEOPLE]
        assert frame["submitted_at"].tolist() == [pd.Timestamp(p["t"].replace("/", "-")) for p in PEOPLE]
        assert frame["duration_s"].tolist() == [95.0, 190.0, 61.0, 240.0, 180.0]
        assert frame["ip"].tolist() == [p["ip"] for p in PEOPLE]  # the privacy step drops it
        for col in ("来源", "来源详情"):
            assert col not in frame.columns
        assert not frame.isin(["手机提交", "电脑提交", "微信", "直接访问", "QQ"]).any().any()


def test_overlapping_downloads_counted_once(tmp_path: Path) -> None:
    text, code = write_pair(tmp_path)
    write_draft([text, code], tmp_path / "codebook.yaml")
    header, rows = text_rows()
    # a later download covering sheets 4-5 again plus a new sheet 6; and the same download
    # again as CSV (a byte-identical copy is already refused by load_study)
    later = [list(r) for r in rows[3:]] + [[6, "2026/10/11 09:00:00", *rows[0][2:]]]
    write_xlsx(tmp_path / "7654321_按文本_支部工作调查_6_6.xlsx", header, later)
    write_csv(tmp_path / "copy.csv", header, rows, "utf-8-sig")
    files = [{"path": text.name}, {"path": "7654321_按文本_支部工作调查_6_6.xlsx"}, {"path": "copy.csv"}]
    with pytest.warns(SurveyWarning) as caught:
        res = read_responses(load_study(write_study(tmp_path, files)))
    msgs = [str(w.message) for w in caught]
    assert any(
        m.startswith(f"7654321_按文本_支部工作调查_6_6.xlsx 与 {text.name} 有 2 行重叠") for m in msgs
    )
    assert any(m.startswith(f"copy.csv 与 {text.name} 有 5 行重叠（序号和提交答卷时间都相同）（整个文件都已读过") for m in msgs)
    # every answer sheet once: 5 from the first download, only the new one from the later
    assert res.frame["_seq"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert res.frame["_file"].tolist() == [text.name] * 5 + ["7654321_按文本_支部工作调查_6_6.xlsx"]
    assert res.frame["_row"].tolist() == [2, 3, 4, 5, 6, 4]


def test_other_questionnaires_are_not_overlaps(tmp_path: Path) -> None:
    """Each college has its own 问卷星 questionnaire: equal 序号 + time there is chance."""
    text, code = write_pair(tmp_path)
    write_draft([text, code], tmp_path / "codebook.yaml")
    header, rows = text_rows()
    other = [list(r) for r in rows]
    other[0][header.index("6、您对支部工作的意见和建议")] = "另一所学校的意见"
    write_xlsx(tmp_path / "7777777_按文本_支部工作调查_5_5.xlsx", header, other)
    files = [{"path": text.name, "attributes": {"college": "本院"}},
             {"path": "7777777_按文本_支部工作调查_5_5.xlsx", "attributes": {"college": "甲"}}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_responses(load_study(write_study(tmp_path, files)))
    assert len(res.frame) == 10 and not any("重叠" in n for n in res.notes)


def test_more_shapes_pair_every_cell(tmp_path: Path) -> None:
    """Multi-blank fill-in, slider, NPS, 比重题 and a 总分 column, drafted from the pair."""
    text = write_xlsx(tmp_path / MORE_NAME.format(variant="按文本"), *more_rows("text"))
    code = write_xlsx(tmp_path / MORE_NAME.format(variant="按序号"), *more_rows("code"))
    notes: list[str] = []
    d = draft_codebook([text, code], notes=notes)
    types = {i["id"]: i["type"] for i in d["items"]}
    assert types == {"Q1_1": "text", "Q1_2": "numeric", "Q2": "numeric", "Q3": "numeric",
                     "Q4_1": "numeric", "Q4_2": "numeric", "Q4_3": "numeric"}
    assert "总分" in d["ignore_columns"] and any("比重题（每份答卷合计 100）" in n for n in notes)
    cb = load_codebook(write_draft([text, code], tmp_path / "cb.yaml"))
    expected = more_truth()
    for path in (text, code):
        frame = _read(path, cb)
        assert "总分" not in frame.columns
        for col in expected.columns:
            for r, (got, want) in enumerate(zip(frame[col].tolist(), expected[col].tolist(), strict=True)):
                assert _same(got, want), f"{path.name} {col} 第 {r + 2} 行：{got!r} != {want!r}"
    assert crosscheck(read_path(text, cb), read_path(code, cb), cb).empty


def test_matrix_multiple_choice_text_download(tmp_path: Path) -> None:
    """按文本 matrix multiple choice: one multiple-choice item per row (codes a guess: marked)."""
    text = write_xlsx(tmp_path / MORE_NAME.format(variant="按文本"), *more_rows("text", matrix_multiple=True))
    out = write_draft(text, tmp_path / "cb.yaml")
    assert [i for _, i in review_marks(out)] == ["Q5_1", "Q5_2"]
    cb = load_codebook(out)
    assert cb.item("Q5_1").type == "multiple" and set(cb.options("Q5_1").values()) == set(FORMS2)
    code_of = {lab: c for c, lab in cb.options("Q5_1").items()}
    frame = _read(text, cb)
    for k, half in enumerate(HALVES, start=1):
        for r, p in enumerate(MORE):
            chosen = p["halves"][k - 1]
            for lab, c in code_of.items():
                want = float("nan") if chosen is None else float(lab in chosen)
                assert _same(frame[f"Q5_{k}_{c}"].iloc[r], want), (half, r, lab)


def test_survey_clean_with_the_pair_codebook_reproduces_every_code(tmp_path: Path) -> None:
    """Done-when of issue #10: draft from the pair, then ``survey clean`` with the 按序号 file
    as cross-check keeps every code the platform wrote."""
    from survey.pipeline import run_clean

    text, code = write_pair(tmp_path)
    write_draft([text, code], tmp_path / "codebook.yaml")
    p = write_study(tmp_path, [{"path": text.name, "crosscheck": code.name}])
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["privacy"] = {"demo_key": "仅供测试-test-only-key", "key_file": None}
    data["cleaning"] = {rule: {"enabled": False} for rule in ("speeders", "straight_lining", "min_answered")}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run = run_clean(load_study(p), output_dir=tmp_path / "processed")
    assert run.responses.crosschecks[text.name].empty
    kept = run.result.kept.sort_values("_row").reset_index(drop=True)
    codes = [c for c in ITEM_COLUMNS if c not in ("Q3_other", "Q6")]  # free text is scrubbed
    _assert_cells(kept, truth(), codes)
    assert kept["Q3_other"].notna().tolist() == truth()["Q3_other"].notna().tolist()
    assert (tmp_path / "processed" / "manifest.json").exists()


def test_score_download_not_drafted(tmp_path: Path) -> None:
    text, _code = write_pair(tmp_path)
    score = text.rename(tmp_path / "7654321_按分数_支部工作调查_5_5.xlsx")
    with pytest.raises(SurveyError, match="按分数"):
        draft_codebook(score)
