"""腾讯问卷 downloads shaped like real ones (../shared/FORMATS.md), with the planted truth.

Older header: ``编号, 开始答题时间, 结束答题时间, 答题时长(seconds), 地理位置国家和地区, 地理位置省,
地理位置市, 自定义字段, 1.题干 …`` and rows ending in a trailing comma; newer header adds
``用户类型, 用户标识, 昵称, 起始答题时间, IP, UA, Referrer, 语言, 清洗数据结果, 智能清洗数据无效概率,
中奖时间, 中奖金额, 审核状态`` and an empty last column. CSV as UTF-8 with BOM; XLSX via openpyxl.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

NAN = math.nan
SEX = {1: "男", 2: "女"}
ACTS = {1: "理论学习", 2: "志愿服务", 3: "主题党日"}
AGREE = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
ROWS = ["制度健全", "落实到位"]
LETTERS = "ABCDE"

Q_HEADERS = [
    "1.您的性别",
    "2.您的党龄（年）：_填空1",
    "3.您的手机号：_填空1",
    *(f"4.您参加过哪些支部活动？:{a}" for a in ACTS.values()),
    *(f"5.请评价本支部：{r}" for r in ROWS),
    "6.您的年龄和工龄：_填空1",
    "6.您的年龄和工龄：_填空2",
    "7.您对支部工作的建议",
]

#: The planted truth, one dict per respondent. ``acts``: chosen codes (None: not answered).
PEOPLE: list[dict[str, Any]] = [
    {"seq": 1, "start": "2021-02-02 20:25:01", "end": "2021-02-02 20:26:58", "dur": 117,
     "prov": "上海", "city": "上海", "sex": 1, "sex_cell": "A.男", "years": 12, "phone": "13800138000",
     "acts": [1, 3], "m": [5, 4], "age": 35, "work": 10, "advice": "多组织实践活动",
     "nick": "小王同志", "uid": "oAbC123xyz", "ip": "112.65.48.10", "ua": "Mozilla/5.0 (iPhone) WeChat"},
    {"seq": 2, "start": "02-Feb-2021 20:30:00", "end": "02-Feb-2021 20:31:40", "dur": 100,
     "prov": "江苏", "city": "南京", "sex": 2, "sex_cell": "B.女", "years": 3, "phone": "13911112222",
     "acts": [2], "m": [3, 2], "age": 28, "work": 4, "advice": "",
     "nick": "李老师的昵称", "uid": "oDeF456uvw", "ip": "58.212.3.4", "ua": "Mozilla/5.0 (Android) QQ"},
    {"seq": 3, "start": "2021-02-03 08:00:00", "end": "2021-02-03 08:03:20", "dur": 200,
     "prov": "广东省", "city": "广州", "sex": 2, "sex_cell": "女", "years": 20, "phone": "13722223333",
     "acts": None, "m": [1, None], "age": 50, "work": 28, "advice": "希望\t加强学习",
     "nick": "老张", "uid": "oGhI789rst", "ip": "113.108.1.2", "ua": "Mozilla/5.0 (Windows NT 10.0)"},
    {"seq": 4, "start": "2021-02-03 09:10:00", "end": "2021-02-03 09:12:00", "dur": 120,
     "prov": "上海", "city": "上海", "sex": 1, "sex_cell": "A.男", "years": 0, "phone": "13633334444",
     "acts": [1, 2, 3], "m": [4, 5], "age": 22, "work": 1, "advice": "无",
     "nick": "小赵", "uid": "oJkL012opq", "ip": "101.80.5.6", "ua": "Mozilla/5.0 (Macintosh)"},
]

OLD_META = ["编号", "开始答题时间", "结束答题时间", "答题时长(seconds)", "地理位置国家和地区", "地理位置省",
            "地理位置市", "自定义字段"]
NEW_META = ["编号", "用户类型", "用户标识", "昵称", "起始答题时间", "开始答题时间", "结束答题时间", "答题时长",
            "IP", "UA", "Referrer", "语言", "地理位置国家和地区", "地理位置省", "地理位置市", "自定义字段",
            "清洗数据结果", "智能清洗数据无效概率", "中奖时间", "中奖金额", "审核状态"]


def _answers(p: dict[str, Any]) -> list[Any]:
    acts = p["acts"] or []
    m = ["" if c is None else f"{LETTERS[c - 1]}.{AGREE[c]}" for c in p["m"]]
    return [
        p["sex_cell"], str(p["years"]), "\t" + p["phone"],
        *(label if code in acts else "" for code, label in ACTS.items()),
        *m, str(p["age"]), f"{p['work']}\t", p["advice"],
    ]


def _meta(p: dict[str, Any], newer: bool) -> list[Any]:
    if not newer:
        return [str(p["seq"]), p["start"], p["end"], str(p["dur"]), "中国", p["prov"], p["city"], ""]
    return [str(p["seq"]), "微信", p["uid"], p["nick"], p["start"], p["start"], p["end"], str(p["dur"]),
            p["ip"], p["ua"], "", "zh", "中国", p["prov"], p["city"], "", "有效", "0.01", "", "", "通过"]


def rows(newer: bool) -> tuple[list[str], list[list[Any]]]:
    """Header (with the empty last column) and rows (with an empty last cell)."""
    header = [*(NEW_META if newer else OLD_META), *Q_HEADERS, ""]
    return header, [[*_meta(p, newer), *_answers(p), ""] for p in PEOPLE]


def write_csv(path: Path, newer: bool) -> Path:
    """CSV as the platform writes it: UTF-8 with BOM, every line ending in a comma."""
    header, body = rows(newer)
    def line(cells: list[Any]) -> str:
        return ",".join(_quote(str(c)) for c in cells)
    text = "\r\n".join(line(r) for r in [header, *body]) + "\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def _quote(c: str) -> str:
    return f'"{c}"' if any(ch in c for ch in ',"\n') else c


def write_xlsx(path: Path, newer: bool) -> Path:
    import openpyxl

    header, body = rows(newer)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([h or None for h in header])
    for r in body:
        ws.append([_typed(c) for c in r])
    wb.save(path)
    return path


def _typed(c: str) -> Any:
    """A cell as Excel holds it: numbers and ISO times typed, empty cells empty."""
    if c == "":
        return None
    if c.isdigit() and len(c) < 11:
        return int(c)
    if len(c) == 19 and c[4] == "-" and c[10] == " ":
        return dt.datetime.strptime(c, "%Y-%m-%d %H:%M:%S")
    return c


def truth() -> pd.DataFrame:
    """The expected frame columns per respondent."""
    out = []
    for p in PEOPLE:
        acts = p["acts"]
        row: dict[str, Any] = {
            "_seq": float(p["seq"]),
            "submitted_at": pd.Timestamp(_iso(p["end"])),
            "duration_s": float(p["dur"]),
            "Q1": float(p["sex"]),
            "Q2": float(p["years"]),
            "phone": p["phone"],
            "Q5_1": float(p["m"][0]),
            "Q5_2": NAN if p["m"][1] is None else float(p["m"][1]),
            "Q6_1": float(p["age"]),
            "Q6_2": float(p["work"]),
            "Q7": p["advice"] or NAN,
        }
        for code in ACTS:
            row[f"Q4_{code}"] = NAN if acts is None else float(code in acts)
        out.append(row)
    return pd.DataFrame(out)


def _iso(t: str) -> str:
    return pd.to_datetime(t, format="%d-%b-%Y %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S") if "-Feb-" in t else t


def codebook(newer: bool) -> dict[str, Any]:
    """The codebook of this questionnaire (identifiers declared for the newer meta columns)."""
    idents: list[dict[str, Any]] = [
        {"id": "phone", "kind": "phone", "action": "pseudonymise", "respondent_key": True,
         "source": {"question": 3}},
        {"id": "geo", "kind": "ip", "action": "coarsen", "source": {"header": "地理位置省"}},
    ]
    if newer:
        idents += [
            {"id": "nick", "kind": "wechat", "source": {"header": "昵称"}},
            {"id": "uid", "kind": "other", "source": {"header": "用户标识"}},
            {"id": "ip", "kind": "ip", "source": {"header": "IP"}},
            {"id": "ua", "kind": "other", "source": {"header": "UA"}},
        ]
    return {
        "title": "腾讯问卷测试",
        "version": "1",
        "option_sets": {"agree5": AGREE},
        "items": [
            {"id": "Q1", "text": "您的性别", "type": "single", "options": SEX, "source": {"question": 1}},
            {"id": "Q2", "text": "您的党龄（年）", "type": "numeric", "source": {"question": 2}},
            {"id": "Q4", "text": "您参加过哪些支部活动？", "type": "multiple", "options": ACTS,
             "source": {"question": 4}},
            *({"id": f"Q5_{k}", "text": r, "type": "likert", "options": "agree5",
               "source": {"question": 5, "row": r}} for k, r in enumerate(ROWS, start=1)),
            {"id": "Q6_1", "text": "年龄", "type": "numeric", "source": {"question": 6, "row": "填空1"}},
            {"id": "Q6_2", "text": "工龄", "type": "numeric", "source": {"question": 6, "row": "填空2"}},
            {"id": "Q7", "text": "您对支部工作的建议", "type": "text", "source": {"question": 7}},
        ],
        "identifiers": idents,
    }


#: Frame columns compared cell by cell.
COLUMNS = ["_seq", "submitted_at", "duration_s", "Q1", "Q2", "phone", "Q4_1", "Q4_2", "Q4_3",
           "Q5_1", "Q5_2", "Q6_1", "Q6_2", "Q7"]
