"""Builders for reader test files: a small codebook and exports shaped like real downloads.

Everything is built from one list of respondents (``RESPONDENTS``) whose true codes are known,
so every reader can be checked against the same truth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

AGREE = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
MEMBER = {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"}
FORMS = {1: "三会一课", 2: "主题党日", 3: "学习强国", 4: "其他"}
PROJECTS = {1: "政治领航", 2: "铁军淬炼", 3: "固本强基"}
ROWS = ["学习形式多样", "学习效果明显", "支部计划落实到位", "学习流于形式"]
STEM1 = "您的党员类别"
STEM1_OTHER_VERSION = "您属于哪一类党员"

CODEBOOK: dict[str, Any] = {
    "title": "读取器测试问卷",
    "version": "1",
    "option_sets": {"agree5": AGREE},
    "items": [
        {
            "id": "Q1",
            "text": STEM1,
            "type": "single",
            "options": MEMBER,
            "option_aliases": {1: ["教职工党员"]},
            "source": {"question": 1},
        },
        {
            "id": "Q2",
            "text": "您的党龄（年）",
            "type": "numeric",
            "range": [0, 70],
            "source": {"question": 2},
        },
        *[
            {
                "id": f"Q3_{k}",
                "text": row,
                "type": "likert",
                "options": "agree5",
                "source": {"question": 3, "row": row},
            }
            for k, row in enumerate(ROWS, start=1)
        ],
        {
            "id": "Q4",
            "text": "您参加过哪些学习形式",
            "type": "multiple",
            "options": FORMS,
            "other_option": 4,
            "source": {"question": 4},
        },
        {
            "id": "Q5",
            "text": "请对以下工程按重要性排序",
            "type": "ranking",
            "options": PROJECTS,
            "source": {"question": 5},
        },
        {
            "id": "Q6",
            "text": "您对党建工作的意见和建议",
            "type": "text",
            "required": False,
            "source": {"question": 6},
        },
    ],
    "scales": [
        {
            "id": "P1",
            "label": "学习型党组织建设",
            "items": ["Q3_1", "Q3_2", "Q3_3", "Q3_4"],
            "reverse": ["Q3_4"],
        }
    ],
    "identifiers": [
        {"id": "name", "kind": "name", "source": {"question": 7}},
        {
            "id": "phone",
            "kind": "phone",
            "source": {"question": 8},
            "action": "pseudonymise",
            "respondent_key": True,
        },
        {"id": "ip", "kind": "ip", "source": {"header": "来自IP"}, "action": "coarsen"},
    ],
    "ignore_columns": ["总分"],
}

NaN = float("nan")

#: True answers. Likert None = left empty; Q4 set of codes (None = skipped), Q4_other text;
#: Q5 list of codes in rank order (None = skipped); Q2 as typed (full-width digits allowed).
RESPONDENTS: list[dict[str, Any]] = [
    dict(
        seq=1,
        t="2026/09/03 12:00:00",
        dur="123秒",
        Q1=1,
        Q2="１２",
        Q3=[4, 5, 4, 2],
        Q4={1, 2},
        Q4o=None,
        Q5=[1, 3, 2],
        Q6="希望增加线上学习",
        name="张三",
        phone="13800138000",
        ip="10.1.2.3(山东-济南)",
    ),
    dict(
        seq=2,
        t="2026/09/03 12:05:10",
        dur="1分23秒",
        Q1=2,
        Q2="3",
        Q3=[3, 3, 3, 3],
        Q4={4},
        Q4o="校企联合支部",
        Q5=[2, 1],
        Q6=None,
        name="李四",
        phone="13900139000",
        ip="10.1.2.4(山东-青岛)",
    ),
    dict(
        seq=3,
        t="2026/09/04 08:30:00",
        dur="45秒",
        Q1=3,
        Q2="40",
        Q3=[5, 5, None, 1],
        Q4=None,
        Q4o=None,
        Q5=None,
        Q6="（空）",
        name="王五",
        phone="13700137000",
        ip="10.1.2.5(山东-济南)",
    ),
    dict(
        seq=4,
        t="2026/09/04 09:00:00",
        dur="300秒",
        Q1=1,
        Q2="8",
        Q3=[2, 1, 2, 5],
        Q4={1, 3, 4},
        Q4o="读书班",
        Q5=[3, 2, 1],
        Q6='=HYPERLINK("x")',
        name="赵六",
        phone="13600136000",
        ip="10.1.2.6(山东-济南)",
    ),
]

META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]


def _stem_headers(stem1: str = STEM1) -> dict[str, str]:
    return {
        "Q1": f"1、{stem1}",
        "Q2": "2、您的党龄（年）",
        "Q4": "4、您参加过哪些学习形式",
        "Q5": "5、请对以下工程按重要性排序",
        "Q6": "6、您对党建工作的意见和建议",
        "name": "7、您的姓名",
        "phone": "8、您的手机号",
    }


def _meta_cells(r: dict[str, Any]) -> list[Any]:
    return [r["seq"], r["t"], r["dur"], "手机提交", "直接访问", r["ip"]]


def wjx_text_rows(
    stem1: str = STEM1, matrix_style: str = "第"
) -> tuple[list[str], list[list[Any]]]:
    """按文本 export: header and rows (labels, ┋ and → joins, 〖〗 other text, (跳过)/(空))."""
    h = _stem_headers(stem1)
    mrow = (lambda row: f"第3题({row})") if matrix_style == "第" else (lambda row: f"3.({row})")
    header = [
        *META,
        h["Q1"],
        h["Q2"],
        *[mrow(r) for r in ROWS],
        h["Q4"],
        h["Q5"],
        h["Q6"],
        h["name"],
        h["phone"],
    ]
    out = []
    for r in RESPONDENTS:
        likert = [AGREE[c] if c is not None else "(空)" for c in r["Q3"]]
        if r["Q4"] is None:
            q4 = "(跳过)"
        else:
            q4 = "┋".join(FORMS[c] + (f"〖{r['Q4o']}〗" if c == 4 else "") for c in sorted(r["Q4"]))
        q5 = "(跳过)" if r["Q5"] is None else "→".join(PROJECTS[c] for c in r["Q5"])
        q1 = MEMBER[r["Q1"]] if r["seq"] != 4 else "教职工党员"  # an alias spelling
        out.append(
            [
                *_meta_cells(r),
                q1,
                r["Q2"],
                *likert,
                q4,
                q5,
                r["Q6"] or "(空)",
                r["name"],
                r["phone"],
            ]
        )
    return header, out


def wjx_code_rows(stem1: str = STEM1) -> tuple[list[str], list[list[Any]]]:
    """按序号 export: codes, one 0/1 column per option, one rank column per option (-2 unranked)."""
    h = _stem_headers(stem1)
    header = [
        *META,
        h["Q1"],
        h["Q2"],
        *[f"第3题({r})" for r in ROWS],
        *[f"第4题({lab})" for lab in FORMS.values()],
        *[f"第5题({lab})" for lab in PROJECTS.values()],
        h["Q6"],
        h["name"],
        h["phone"],
    ]
    out = []
    for r in RESPONDENTS:
        likert = [c if c is not None else -3 for c in r["Q3"]]
        if r["Q4"] is None:
            q4: list[Any] = [-3] * 4
        else:
            q4 = [1 if c in r["Q4"] else 0 for c in FORMS]
            if 4 in r["Q4"]:
                q4[3] = f"1〖{r['Q4o']}〗"
        if r["Q5"] is None:
            q5: list[Any] = [-3] * 3
        else:
            q5 = [r["Q5"].index(c) + 1 if c in r["Q5"] else -2 for c in PROJECTS]
        out.append(
            [
                *_meta_cells(r),
                r["Q1"],
                r["Q2"],
                *likert,
                *q4,
                *q5,
                r["Q6"] or "(空)",
                r["name"],
                r["phone"],
            ]
        )
    return header, out


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(header)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a text answer, not a formula (as the platform writes it)
    wb.save(path)
    return path


def write_xls(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    for j, v in enumerate(header):
        ws.write(0, j, v)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    wb.save(str(path))
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str) -> Path:
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return path


def truth_codes() -> pd.DataFrame:
    """The expected item columns, one row per respondent."""
    recs = []
    for r in RESPONDENTS:
        rec: dict[str, Any] = {
            "Q1": float(r["Q1"]),
            "Q2": float(r["Q2"].translate(str.maketrans("０１２３４５６７８９", "0123456789"))),
        }
        for k, c in enumerate(r["Q3"], start=1):
            rec[f"Q3_{k}"] = float(c) if c is not None else NaN
        for c in FORMS:
            rec[f"Q4_{c}"] = NaN if r["Q4"] is None else float(c in r["Q4"])
        rec["Q4_other"] = r["Q4o"] if r["Q4o"] else NaN
        for c in PROJECTS:
            rec[f"Q5_{c}"] = (
                NaN if r["Q5"] is None or c not in r["Q5"] else float(r["Q5"].index(c) + 1)
            )
        recs.append(rec)
    return pd.DataFrame(recs)


def sav_frame() -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[float, str]]]:
    """An SPSS download: variables Q1… with value labels; Q1 coded 10/20/30 (labels decide)."""
    t = truth_codes()
    data: dict[str, Any] = {
        "Q1": [r["Q1"] * 10.0 for r in RESPONDENTS],
        "Q2": t["Q2"].tolist(),
        **{f"Q3_{k}": t[f"Q3_{k}"].fillna(-3).tolist() for k in range(1, 5)},
        **{f"Q4_{c}": t[f"Q4_{c}"].fillna(-3).tolist() for c in FORMS},
        "Q4_other": [r["Q4o"] or "" for r in RESPONDENTS],
        **{f"Q5_{c}": t[f"Q5_{c}"].fillna(-2).tolist() for c in PROJECTS},
        "Q6": [r["Q6"] or "" for r in RESPONDENTS],
        "name": [r["name"] for r in RESPONDENTS],
        "phone": [r["phone"] for r in RESPONDENTS],
        "ip": [r["ip"] for r in RESPONDENTS],
    }
    labels = {
        "Q1": "1、" + STEM1,
        "Q2": "2、您的党龄（年）",
        **{f"Q3_{k}": f"第3题({row})" for k, row in enumerate(ROWS, 1)},
    }
    value_labels = {
        "Q1": {10.0: MEMBER[1], 20.0: MEMBER[2], 30.0: MEMBER[3]},
        **{f"Q3_{k}": {float(c): lab for c, lab in AGREE.items()} for k in range(1, 5)},
    }
    return pd.DataFrame(data), labels, value_labels


def write_study(
    tmp_path: Path, files: list[dict[str, Any]], aliases: dict[str, Any] | None = None
) -> Path:
    """A study.yaml in ``tmp_path`` listing ``files`` (paths relative to ``tmp_path``)."""
    study = {
        "title": "读取器测试研究",
        "synthetic": True,
        "questionnaire": {"codebook": "codebook.yaml", "files": files, "aliases": aliases or {}},
        "fieldwork": {"start": "2026-09-01"},
    }
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def write_html_xls(path: Path, header: list[str], rows: list[list[Any]], encoding: str) -> Path:
    """An old ".xls" download that is really an HTML <table> (as some platforms serve)."""
    from html import escape

    def tr(cells: list[Any], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{escape(str(c))}</{tag}>" for c in cells) + "</tr>"

    charset = "gb2312" if encoding.lower().startswith("gb") else "utf-8"
    body = "\n".join(tr(r, "td") for r in rows)
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>'
        f'<body><table border="1">\n{tr(header, "th")}\n{body}\n</table></body></html>'
    )
    path.write_bytes(page.encode(encoding))
    return path
