"""问卷网 (wenjuan.com): the All_Data_Readable.csv / All_Data_Original.csv pair, read and
cross-checked cell by cell against a planted truth; ``codebook draft`` on the pair.

The fixtures follow the confirmed shape (GBK CSV; Original ``Q1``, ``Qn_A#``, ``start``,
``finish``; Readable the same columns plus ``答题时长``) and the assumptions documented in
``survey/io/readers/wjw.py`` (序号 and IP columns, Readable headers as question texts with
``题干_选项`` for option columns, label-or-empty multiple-choice cells).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from readers_builders import write_study

from survey.config.codebook import Codebook, load_codebook
from survey.config.study import load_study
from survey.errors import SurveyError
from survey.io.draft import write_draft
from survey.io.readers import mismatch_list_path, read_path, read_responses
from survey.io.readers.detect import detect_format

NaN = math.nan
MEMBER = {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"}
AGREE = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
FORMS = {1: "三会一课", 2: "主题党日", 3: "学习强国", 4: "志愿服务"}
PROJECTS = {1: "政治领航", 2: "铁军淬炼", 3: "固本强基"}

#: The planted truth: codes per respondent (Q4 = chosen options, None = skipped; Q5 = options
#: in rank order, None = skipped).
PEOPLE: list[dict[str, Any]] = [
    {"seq": 1, "start": "2024-05-01 09:58:00", "finish": "2024-05-01 10:00:03", "ip": "112.65.48.10",
     "Q1": 1, "Q2": "12", "Q3": 4, "Q4": [1, 3], "Q5": [2, 1, 3], "Q6": "多开展实践活动"},
    {"seq": 2, "start": "2024-05-01 10:05:00", "finish": "2024-05-01 10:15:00", "ip": "36.110.1.2",
     "Q1": 3, "Q2": "40", "Q3": 5, "Q4": [2], "Q5": [3, 1], "Q6": ""},
    {"seq": 3, "start": "2024-05-02 08:00:00", "finish": "2024-05-02 08:02:30", "ip": "",
     "Q1": 2, "Q2": "1", "Q3": 2, "Q4": None, "Q5": [1, 2, 3], "Q6": "希望减少形式主义"},
    {"seq": 4, "start": "2024-05-02 09:00:00", "finish": "2024-05-02 09:20:00", "ip": "58.20.3.4",
     "Q1": 1, "Q2": "25", "Q3": 1, "Q4": [1, 2, 3, 4], "Q5": None, "Q6": "无"},
    {"seq": 5, "start": "2024-05-03 20:00:00", "finish": "2024-05-03 20:04:00", "ip": "222.1.1.1",
     "Q1": 2, "Q2": "3", "Q3": 3, "Q4": [4], "Q5": [3, 2, 1], "Q6": "=组织生活会"},
]

STEMS = {
    "Q1": "您的党员类别", "Q2": "您的党龄（年）", "Q3": "您对支部工作的评价：我对支部工作满意",
    "Q4": "您参加过哪些学习形式", "Q5": "请按重要程度为以下项目排序", "Q6": "您对党建工作的建议",
}

CODEBOOK: dict[str, Any] = {
    "title": "问卷网读取测试",
    "version": "1",
    "items": [
        {"id": "member", "text": STEMS["Q1"], "type": "single", "options": MEMBER,
         "source": {"question": 1}},
        {"id": "years", "text": STEMS["Q2"], "type": "numeric", "source": {"question": 2}},
        {"id": "satisfied", "text": STEMS["Q3"], "type": "likert", "options": AGREE,
         "source": {"question": 3}},
        {"id": "forms", "text": STEMS["Q4"], "type": "multiple", "options": FORMS,
         "source": {"question": 4}},
        {"id": "rank", "text": STEMS["Q5"], "type": "ranking", "options": PROJECTS,
         "source": {"question": 5}},
        {"id": "advice", "text": STEMS["Q6"], "type": "text", "source": {"question": 6},
         "required": False},
    ],
    "identifiers": [{"id": "ip", "kind": "ip", "source": {"header": "来自IP"}}],
}


def original_rows() -> tuple[list[str], list[list[str]]]:
    header = ["序号", "start", "finish", "IP", "Q1", "Q2", "Q3",
              *[f"Q4_A{c}" for c in FORMS], *[f"Q5_A{c}" for c in PROJECTS], "Q6"]
    rows = []
    for p in PEOPLE:
        forms = [str(int(c in (p["Q4"] or []))) for c in FORMS]
        ranks = [str(p["Q5"].index(c) + 1) if p["Q5"] and c in p["Q5"] else "0" for c in PROJECTS]
        rows.append([str(p["seq"]), p["start"], p["finish"], p["ip"], str(p["Q1"]), p["Q2"],
                     str(p["Q3"]), *forms, *ranks, p["Q6"]])
    return header, rows


def readable_rows() -> tuple[list[str], list[list[str]]]:
    header = ["序号", "开始时间", "结束时间", "答题时长", "IP", STEMS["Q1"], STEMS["Q2"], STEMS["Q3"],
              *[f"{STEMS['Q4']}_{lab}" for lab in FORMS.values()],
              *[f"{STEMS['Q5']}_{lab}" for lab in PROJECTS.values()], STEMS["Q6"]]
    rows = []
    for p in PEOPLE:
        took = pd.Timestamp(p["finish"]) - pd.Timestamp(p["start"])
        forms = [lab if c in (p["Q4"] or []) else "" for c, lab in FORMS.items()]
        ranks = [str(p["Q5"].index(c) + 1) if p["Q5"] and c in p["Q5"] else "" for c in PROJECTS]
        rows.append([str(p["seq"]), p["start"], p["finish"], f"{int(took.total_seconds())}秒",
                     p["ip"], MEMBER[p["Q1"]], p["Q2"], AGREE[p["Q3"]], *forms, *ranks, p["Q6"]])
    return header, rows


def write_gbk(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV as the platform writes it: GBK bytes, CRLF line ends."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """One download unpacked into ``data/raw/wjw``; the codebook in ``tmp_path``."""
    folder = tmp_path / "data" / "raw" / "wjw"
    write_gbk(folder / "All_Data_Original.csv", *original_rows())
    write_gbk(folder / "All_Data_Readable.csv", *readable_rows())
    (tmp_path / "codebook.yaml").write_text(
        yaml.safe_dump(CODEBOOK, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


@pytest.fixture
def codebook(download: Path) -> Codebook:
    return load_codebook(download.parent.parent.parent / "codebook.yaml")


def truth(ids: dict[str, str] | None = None) -> pd.DataFrame:
    """The expected frame columns, one row per respondent (``ids``: codebook id per question)."""
    ids = ids or {"Q1": "member", "Q2": "years", "Q3": "satisfied", "Q4": "forms", "Q5": "rank",
                  "Q6": "advice"}
    recs = []
    for k, p in enumerate(PEOPLE):
        rec: dict[str, Any] = {
            "_row": k + 2,
            "_seq": float(p["seq"]),
            "submitted_at": pd.Timestamp(p["finish"]),
            "duration_s": (pd.Timestamp(p["finish"]) - pd.Timestamp(p["start"])).total_seconds(),
            "ip": p["ip"] or NaN,
            ids["Q1"]: float(p["Q1"]),
            ids["Q2"]: float(p["Q2"]),
            ids["Q3"]: float(p["Q3"]),
            ids["Q6"]: p["Q6"] or NaN,
        }
        for c in FORMS:
            rec[f"{ids['Q4']}_{c}"] = NaN if p["Q4"] is None else float(c in p["Q4"])
        for c in PROJECTS:
            ranked = p["Q5"] is not None and c in p["Q5"]
            rec[f"{ids['Q5']}_{c}"] = float(p["Q5"].index(c) + 1) if ranked else NaN
        recs.append(rec)
    return pd.DataFrame(recs)


def assert_every_cell(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert len(frame) == len(expected)
    for col in expected.columns:
        for i, (got, want) in enumerate(zip(frame[col], expected[col], strict=True)):
            if isinstance(want, float) and math.isnan(want):
                assert pd.isna(got), (col, i, got)
            else:
                assert got == want, (col, i, got, want)


@pytest.mark.parametrize(
    ("name", "fmt"), [("All_Data_Original.csv", "wjw_code"), ("All_Data_Readable.csv", "wjw_text")]
)
def test_every_cell_against_truth(download: Path, codebook: Codebook, name: str, fmt: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_path(download / name, codebook)
    assert res.format == fmt and res.encoding is not None and "gb" in res.encoding.lower()
    assert (res.frame["_format"] == fmt).all()
    assert_every_cell(res.frame, truth())
    # the Readable file is aligned to the Original by position; both print alike
    other = read_path(download / ("All_Data_Readable.csv" if fmt == "wjw_code" else "All_Data_Original.csv"),
                      codebook)
    assert other.fingerprint == res.fingerprint


def test_detected_by_name_and_content(download: Path, tmp_path: Path) -> None:
    assert detect_format(download / "All_Data_Readable.csv") == "wjw_text"
    assert detect_format(download / "All_Data_Original.csv") == "wjw_code"
    renamed = write_gbk(tmp_path / "本院下载.csv", *original_rows())
    assert detect_format(renamed) == "wjw_code"


def test_ip_header_named_in_codebook(download: Path) -> None:
    """An identifier may name the download's own header (IP) instead of 来自IP."""
    data = {**CODEBOOK, "identifiers": [{"id": "addr", "kind": "ip", "source": {"header": "IP"}}]}
    cb = Codebook.model_validate(data)
    res = read_path(download / "All_Data_Original.csv", cb)
    assert res.frame["addr"].tolist()[:2] == ["112.65.48.10", "36.110.1.2"]
    # without any identifier for it the IP column is dropped like 问卷星's 来自IP
    cb = Codebook.model_validate({**CODEBOOK, "identifiers": []})
    res = read_path(download / "All_Data_Original.csv", cb)
    assert "112.65.48.10" not in res.frame.astype(str).to_numpy().ravel().tolist()


def test_crosscheck_pair(download: Path) -> None:
    root = download.parent.parent.parent
    files = [{"path": "data/raw/wjw/All_Data_Readable.csv",
              "crosscheck": "data/raw/wjw/All_Data_Original.csv"}]
    study = load_study(write_study(root, files))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_responses(study)
    assert res.crosschecks["data/raw/wjw/All_Data_Readable.csv"].empty
    assert_every_cell(res.frame, truth())
    # an Original whose Q1 codes differ in two rows (as if the codebook had 1 and 3 swapped)
    header, rows = original_rows()
    j = header.index("Q1")
    for r in rows:
        r[j] = {"1": "3", "3": "1"}.get(r[j], r[j])
    write_gbk(download / "All_Data_Original.csv", header, rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SurveyError) as exc:
            read_responses(study)
    msg = exc.value.message_zh()
    listed = mismatch_list_path(study)
    assert "共 3 处（允许 0 处）" in msg and str(listed) in msg
    assert "第 2 行 member：按文本为“在职教职工党员”（编码手册代码 1），按序号为 3" in msg
    full = pd.read_csv(listed, encoding="utf-8-sig", dtype=str)
    assert full["行"].tolist() == ["2", "3", "5"] and full["列"].unique().tolist() == ["member"]
    # the knob
    p = write_study(root, files)
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["questionnaire"]["crosscheck"] = {"allow_mismatches": 3}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_responses(load_study(p))
    assert len(res.crosschecks["data/raw/wjw/All_Data_Readable.csv"]) == 3


def test_crosscheck_needs_the_other_variant(download: Path) -> None:
    root = download.parent.parent.parent
    other = root / "data" / "raw" / "wjw2"
    header, rows = readable_rows()
    write_gbk(other / "All_Data_Original.csv", *original_rows())
    write_gbk(other / "All_Data_Readable.csv", header, rows[:4])
    files = [{"path": "data/raw/wjw/All_Data_Readable.csv",
              "crosscheck": "data/raw/wjw2/All_Data_Readable.csv"}]
    with pytest.raises(SurveyError, match="实际为 wjw_text 与 wjw_text"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read_responses(load_study(write_study(root, files)))


def test_draft_then_read_reproduces_every_code(download: Path, tmp_path: Path) -> None:
    out = write_draft(
        [download / "All_Data_Readable.csv", download / "All_Data_Original.csv"], tmp_path / "draft.yaml"
    )
    text = out.read_text(encoding="utf-8")
    assert "待核对" not in text
    cb = load_codebook(out)
    by_id = {i.id: i for i in cb.items}
    assert by_id["Q1"].type == "single" and cb.options("Q1") == MEMBER
    assert by_id["Q2"].type == "numeric"
    assert cb.options("Q3") == AGREE
    assert by_id["Q4"].type == "multiple" and cb.options("Q4") == FORMS
    assert by_id["Q5"].type == "ranking" and cb.options("Q5") == PROJECTS
    assert by_id["Q6"].type == "text" and by_id["Q6"].text == STEMS["Q6"]
    assert [i.kind for i in cb.identifiers] == ["ip"]
    ids = {f"Q{n}": f"Q{n}" for n in range(1, 7)}
    for name in ("All_Data_Original.csv", "All_Data_Readable.csv"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = read_path(download / name, cb)
        assert_every_cell(res.frame, truth(ids).rename(columns={"ip": cb.identifiers[0].id}))


def test_gbk_error_names_file_row_and_column(download: Path, codebook: Codebook) -> None:
    header, rows = readable_rows()
    rows[2][header.index(STEMS["Q1"])] = "预备党员"
    write_gbk(download / "All_Data_Readable.csv", header, rows)
    with pytest.raises(SurveyError) as exc:
        read_path(download / "All_Data_Readable.csv", codebook)
    err = exc.value
    assert "All_Data_Readable.csv" in str(err.file) and err.row == 4
    assert err.column == f"{STEMS['Q1']}（F 列，读作 member）"
    msg = err.message_zh()
    assert "预备党员" in msg and "在职教职工党员（1）" in msg


def test_readable_with_other_columns_refused(download: Path, codebook: Codebook) -> None:
    header, rows = readable_rows()
    write_gbk(download / "All_Data_Readable.csv", header[:-1], [r[:-1] for r in rows])
    with pytest.raises(SurveyError, match="列数不同"):
        read_path(download / "All_Data_Readable.csv", codebook)


def test_readable_alone_says_where_its_original_belongs(tmp_path: Path, codebook: Codebook) -> None:
    alone = write_gbk(tmp_path / "alone" / "All_Data_Readable.csv", *readable_rows())
    with pytest.raises(SurveyError) as exc:
        read_path(alone, codebook)
    assert exc.value.problem.startswith("无法识别的列")
    assert "All_Data_Original.csv" in str(exc.value.hint) and "同一文件夹" in str(exc.value.hint)


def test_draft_from_original_alone(download: Path, tmp_path: Path) -> None:
    """Codes from the Original only: every code reproduced, labels left as placeholders,
    a column of typed words is a text item (never a choice with guessed codes)."""
    out = write_draft([download / "All_Data_Original.csv"], tmp_path / "draft.yaml")
    cb = load_codebook(out)
    by_id = {i.id: i for i in cb.items}
    assert by_id["Q6"].type == "text" and by_id["Q4"].type == "multiple"
    assert by_id["Q5"].type == "ranking" and cb.options("Q4") == {c: f"选项{c}" for c in FORMS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_path(download / "All_Data_Original.csv", cb)
    ids = {f"Q{n}": f"Q{n}" for n in range(1, 7)}
    assert by_id["Q2"].type == "numeric"  # 党龄 up to 40: beyond any option code
    assert_every_cell(res.frame, truth(ids))


def test_times_with_fractions_and_slashes(download: Path, codebook: Codebook) -> None:
    header, rows = original_rows()
    rows[0][header.index("start")] = "2024/05/01 09:58:00.500"
    rows[0][header.index("finish")] = "2024-05-01T10:00:03.500"
    write_gbk(download / "All_Data_Original.csv", header, rows)
    res = read_path(download / "All_Data_Original.csv", codebook)
    assert res.frame["submitted_at"].iloc[0] == pd.Timestamp("2024-05-01 10:00:03")
    assert res.frame["duration_s"].iloc[0] == 123.0
