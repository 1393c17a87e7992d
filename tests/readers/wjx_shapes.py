"""A second questionnaire, shaped like real 问卷星 downloads, for the draft and fill-in tests.

Planted traps: the single choice's first answer is its code 3 (so order-of-appearance codes are
wrong); the matrix uses the platform's codes 1 = 非常同意 … 5 = 非常不同意 (the reverse of the
usual scale); the multiple choice has an 其他 fill-in (按文本 ``其他〖…〗``; 按序号 a 0/1 column
per option plus a fill-in text column, in one of two header readings, see ``FILL_IN``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from readers_builders import write_xlsx

BRANCH = {1: "教工支部", 2: "学生支部", 3: "离退休支部"}
#: The platform's codes for the matrix (1 = the positive end).
SCALE = {1: "非常同意", 2: "同意", 3: "一般", 4: "不同意", 5: "非常不同意"}
ACTS = {1: "理论学习", 2: "志愿服务", 3: "主题党日", 4: "其他"}
RANK = {1: "政治建设", 2: "组织建设", 3: "作风建设"}
ROWS = ["制度健全", "落实到位"]
NAME = "7654321_{variant}_支部工作调查_5_5.xlsx"
#: Header of the 按序号 fill-in text column: the repeated stem, or a second 其他 column.
FILL_IN = {"stem": "3、您参加过哪些支部活动", "option": "第3题(其他〖〗)"}

PEOPLE: list[dict[str, Any]] = [
    dict(seq=1, t="2026/10/08 09:01:02", dur="95秒", dev="手机提交", ch="微信", ip="112.65.48.10(上海-上海)",
         Q1=3, Q2=[1, 2], Q3={1, 4}, Q3o="社区共建", Q4=[2, 1], Q5="12", Q6="多组织线上学习", name="钱一", phone="13511110001"),
    dict(seq=2, t="2026/10/08 10:15:40", dur="3分10秒", dev="电脑提交", ch="直接访问", ip="61.135.2.7(北京-北京)",
         Q1=1, Q2=[5, 4], Q3={2}, Q3o=None, Q4=[1, 2, 3], Q5="3", Q6=None, name="孙二", phone="13511110002"),
    dict(seq=3, t="2026/10/09 14:00:00", dur="61秒", dev="手机提交", ch="微信", ip="223.104.3.9(广东-广州)",
         Q1=2, Q2=[3, None], Q3=None, Q3o=None, Q4=None, Q5="25", Q6="（空）", name="周三", phone="13511110003"),
    dict(seq=4, t="2026/10/09 15:30:00", dur="240秒", dev="手机提交", ch="QQ", ip="112.65.48.11(上海-上海)",
         Q1=3, Q2=[2, 2], Q3={1, 2, 3, 4}, Q3o="读书会", Q4=[3, 1], Q5="7", Q6="希望增加实践活动", name="吴四", phone="13511110004"),
    dict(seq=5, t="2026/10/10 08:00:00", dur="180秒", dev="电脑提交", ch="直接访问", ip="未知",
         Q1=1, Q2=[4, 5], Q3={3}, Q3o=None, Q4=[1], Q5="30", Q6="无", name="郑五", phone="13511110005"),
]

META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
STEMS = {1: "1、您所在的支部类型", 3: "3、您参加过哪些支部活动", 4: "4、请对以下工作按重要性排序",
         5: "5、您的党龄（年）", 6: "6、您对支部工作的意见和建议", 7: "7、您的姓名", 8: "8、您的手机号码"}


def _meta(p: dict[str, Any]) -> list[Any]:
    return [p["seq"], p["t"], p["dur"], p["dev"], p["ch"], p["ip"]]


def text_rows() -> tuple[list[str], list[list[Any]]]:
    header = [*META, STEMS[1], *[f"第2题({r})" for r in ROWS], STEMS[3], STEMS[4], STEMS[5], STEMS[6], STEMS[7], STEMS[8]]
    out = []
    for p in PEOPLE:
        q3 = "(跳过)" if p["Q3"] is None else "┋".join(
            ACTS[c] + (f"〖{p['Q3o']}〗" if c == 4 else "") for c in sorted(p["Q3"]))
        q4 = "(跳过)" if p["Q4"] is None else "→".join(RANK[c] for c in p["Q4"])
        q2 = [SCALE[c] if c is not None else "(空)" for c in p["Q2"]]
        out.append([*_meta(p), BRANCH[p["Q1"]], *q2, q3, q4, p["Q5"], p["Q6"] or "(空)", p["name"], p["phone"]])
    return header, out


def code_rows(fill_in: str = "stem") -> tuple[list[str], list[list[Any]]]:
    header = [*META, STEMS[1], *[f"第2题({r})" for r in ROWS], *[f"第3题({lab})" for lab in ACTS.values()],
              FILL_IN[fill_in], *[f"第4题({lab})" for lab in RANK.values()], STEMS[5], STEMS[6], STEMS[7], STEMS[8]]
    out = []
    for p in PEOPLE:
        q3: list[Any] = [-3] * 4 if p["Q3"] is None else [int(c in p["Q3"]) for c in ACTS]
        q3o = "(跳过)" if p["Q3"] is None else (p["Q3o"] or "(空)")
        q4 = [-3] * 3 if p["Q4"] is None else [p["Q4"].index(c) + 1 if c in p["Q4"] else -2 for c in RANK]
        q2 = [c if c is not None else -3 for c in p["Q2"]]
        out.append([*_meta(p), p["Q1"], *q2, *q3, q3o, *q4, p["Q5"], p["Q6"] or "(空)", p["name"], p["phone"]])
    return header, out


def write_pair(folder: Path, fill_in: str = "stem") -> tuple[Path, Path]:
    """The 按文本 and 按序号 downloads of the same answers."""
    text = write_xlsx(folder / NAME.format(variant="按文本"), *text_rows())
    code = write_xlsx(folder / NAME.format(variant="按序号"), *code_rows(fill_in))
    return text, code


def truth() -> pd.DataFrame:
    """Every item cell in the platform's codes (NaN = missing)."""
    nan = float("nan")
    recs = []
    for p in PEOPLE:
        rec: dict[str, Any] = {"Q1": float(p["Q1"])}
        for k, c in enumerate(p["Q2"], start=1):
            rec[f"Q2_{k}"] = nan if c is None else float(c)
        for c in ACTS:
            rec[f"Q3_{c}"] = nan if p["Q3"] is None else float(c in p["Q3"])
        rec["Q3_other"] = p["Q3o"] or nan
        for c in RANK:
            rec[f"Q4_{c}"] = nan if p["Q4"] is None or c not in p["Q4"] else float(p["Q4"].index(c) + 1)
        rec["Q5"] = float(p["Q5"])
        rec["Q6"] = nan if p["Q6"] in (None, "（空）") else p["Q6"]
        recs.append(rec)
    return pd.DataFrame(recs)


# -- more shapes: multi-blank fill-in, slider, NPS, 比重题, matrix multiple choice, 总分 ---------
SHARES = ["理论学习", "实践活动", "组织生活"]
HALVES = ["上半年", "下半年"]
FORMS2 = ["讲党课", "谈心谈话", "志愿服务"]
MORE: list[dict[str, Any]] = [
    dict(seq=1, t="2026/11/02 09:00:00", unit="机电学院", years="12", slider="85", nps="9",
         shares=[50, 30, 20], halves=[["讲党课", "谈心谈话"], ["志愿服务"]], score="18"),
    dict(seq=2, t="2026/11/02 09:30:00", unit="信息工程系", years="3", slider="72.5", nps="6",
         shares=[40, 40, 20], halves=[["谈心谈话"], None], score="12"),
    dict(seq=3, t="2026/11/03 10:00:00", unit="(空)", years="(空)", slider="100", nps="10",
         shares=[100, 0, 0], halves=[["志愿服务", "讲党课"], ["讲党课", "谈心谈话", "志愿服务"]], score="20"),
    dict(seq=4, t="2026/11/03 11:00:00", unit="汽车工程系", years="25", slider="0", nps="0",
         shares=None, halves=[None, ["讲党课"]], score="5"),
]
MORE_META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "总分"]
MORE_NAME = "8765432_{variant}_支部工作评价_4_4.xlsx"


def more_rows(variant: str, *, matrix_multiple: bool = False) -> tuple[list[str], list[list[Any]]]:
    """The 按文本 (``text``) or 按序号 (``code``) download of ``MORE``; the matrix multiple
    choice (按文本 only: its 按序号 layout is unconfirmed) on request."""
    header = [*MORE_META, "第1题(填空1)", "第1题(填空2)", "2、您对支部工作的总体评分",
              "3、您向同事推荐参加支部活动的可能性有多大", *[f"第4题({s})" for s in SHARES]]
    if matrix_multiple:
        header += [f"第5题({h})" for h in HALVES]
    out = []
    for p in MORE:
        skip = "(跳过)" if variant == "text" else -3
        shares = [skip] * 3 if p["shares"] is None else p["shares"]
        row = [p["seq"], p["t"], "100秒", "手机提交", "微信", "112.65.48.10(上海-上海)", p["score"],
               p["unit"], p["years"], p["slider"], p["nps"], *shares]
        if matrix_multiple:
            row += ["(跳过)" if h is None else "┋".join(h) for h in p["halves"]]
        out.append(row)
    return header, out


def more_truth() -> pd.DataFrame:
    nan = float("nan")
    recs = []
    for p in MORE:
        rec: dict[str, Any] = {
            "Q1_1": nan if p["unit"] == "(空)" else p["unit"],
            "Q1_2": nan if p["years"] == "(空)" else float(p["years"]),
            "Q2": float(p["slider"]),
            "Q3": float(p["nps"]),
        }
        for k in range(3):
            rec[f"Q4_{k + 1}"] = nan if p["shares"] is None else float(p["shares"][k])
        recs.append(rec)
    return pd.DataFrame(recs)
