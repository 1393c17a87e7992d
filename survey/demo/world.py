"""The synthetic demo study (``survey demo``): realistic raw files with known planted truth.

:func:`generate_demo` writes, into one folder, everything a real study of this project would
hand over: 问卷星 downloads of the home college (按文本 ``.xlsx`` plus its 按序号 twin for a
code/label cross-check), benchmark colleges in mixed formats (按序号 ``.csv`` in GBK, a generic
``.xlsx`` typed by a research assistant, 按文本 ``.csv`` in UTF-8 with BOM), one benchmark college
present only as summary statistics, the codebook, symposium sessions/statements/theme codes,
benchmark indicators and the roster summary. Every file name carries ``合成演示`` and a
``README.md`` says 合成数据，仅供演示.

The data carry planted mess (duplicates, speeders, straight-liners, failed attention checks,
test submissions, out-of-range codes, full-width digits, branch spelling variants, fake
identifiers in identifier columns and in free text, formula-looking text, a phone in
scientific notation, a code/label mismatch) and planted effects (the home college behind on
P2, P4, P5 and level on P1, P3 within member types; member-type mixes that confound a naive
comparison; an importance–performance pattern). Everything planted is listed in
``truth.json`` so tests can check the pipeline against it.

Regeneration is deterministic byte for byte: random numbers come from one seeded
:class:`numpy.random.Generator` per component, xlsx files get fixed document properties and are
re-zipped with fixed entry dates in sorted order, CSV files use fixed line endings.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import io
import json
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import yaml

__all__ = ["DEFAULT_SEED", "generate_demo", "main"]

DEFAULT_SEED = 20261127
#: Timestamp written into every workbook's document properties (and zip entry dates).
FIXED_DATETIME = dt.datetime(2026, 11, 27, 8, 0, 0)
_ZIP_DATE = (2026, 11, 27, 8, 0, 0)
FIELD_START = dt.date(2026, 9, 1)
FIELD_END = dt.date(2026, 10, 15)
SURVEY_TITLE = "合成演示_技师学院党建工作规范化水平调研问卷"
PREFIX = "合成演示_"

# ---------------------------------------------------------------------------------------------
# The questionnaire
# ---------------------------------------------------------------------------------------------
AGREE5 = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
IMPORTANCE5 = {1: "非常不重要", 2: "不重要", 3: "一般", 4: "重要", 5: "非常重要"}
PERFORMANCE5 = {1: "很差", 2: "较差", 3: "一般", 4: "较好", 5: "很好"}
MEMBER_TYPES = {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"}
ROLES = {1: "党支部书记", 2: "组织员", 3: "中层干部", 4: "普通党员"}
AGE_BANDS = {1: "25岁及以下", 2: "26-35岁", 3: "36-45岁", 4: "46-55岁", 5: "56-65岁", 6: "66岁及以上"}
PLATFORM_USE = {1: "是", 2: "否"}
PLATFORM_FREQ = {1: "几乎每天", 2: "每周数次", 3: "每月数次", 4: "很少使用"}
LEARN = {
    1: "集中学习与专题党课",
    2: "“学习强国”等线上平台",
    3: "主题党日活动",
    4: "参观红色教育基地",
    5: "微党课与线上直播",
    6: "读书班与研讨交流",
    7: "其他",
}
LEARN_OTHER = 7

#: (scale id, label, matrix question number, [(item id, row text, reverse?, item offset)]).
SCALES: list[tuple[str, str, int, list[tuple[str, str, bool, float]]]] = [
    ("P1", "学习型党组织建设", 12, [
        ("P1_1", "我所在党组织的理论学习形式丰富多样", False, 0.05),
        ("P1_2", "党组织的学习教育对我的思想和工作有实际帮助", False, 0.15),
        ("P1_3", "学院积极运用“智慧党建”等新的学习载体", False, -0.20),
        ("P1_4", "党组织能主动引导党员开展自学和研讨", False, 0.00),
        ("P1_5", "党组织的学习往往只是完成任务、走过场", True, -0.05),
    ]),
    ("P2", "过硬党支部建设", 13, [
        ("P2_1", "我所在党支部有明确的过硬支部建设目标和时间表", False, -0.10),
        ("P2_2", "上级党组织对支部建设给予了具体指导", False, 0.00),
        ("P2_3", "《推进过硬支部建设实施方案》在本支部得到落实", False, -0.05),
        ("P2_4", "本支部“三会一课”等组织生活规范、有质量", False, 0.20),
        ("P2_5", "过硬支部建设停留在文件上，没有真正推进", True, -0.05),
    ]),
    ("P3", "二级院系党组织统领专业建设", 14, [
        ("P3_1", "二级学院（系部）党组织在专业建设重大事项中发挥了领导作用", False, 0.05),
        ("P3_2", "党组织参与专业建设、课程设置等重大事项的前置研究", False, -0.05),
        ("P3_3", "本院系形成了“一院一品”等党建与专业融合的做法", False, -0.15),
        ("P3_4", "党建工作与专业建设、教学工作是“两张皮”", True, 0.10),
    ]),
    ("P4", "服务型党组织建设", 15, [
        ("P4_1", "学院党建业务分工明确，职责清晰", False, 0.00),
        ("P4_2", "党务工作人员力量充足", False, -0.20),
        ("P4_3", "党务工作人员专业能力强，能提供有效指导", False, -0.05),
        ("P4_4", "党组织能为师生和党员提供切实服务", False, 0.15),
        ("P4_5", "党组织积极服务校企合作和用人企业", False, 0.00),
        ("P4_6", "遇到党建业务问题时，不知道该找哪个部门", True, 0.10),
    ]),
    ("P5", "品牌示范与争先创优", 16, [
        ("P5_1", "本单位的党建工作经验得到了总结提炼", False, 0.00),
        ("P5_2", "学院已形成有影响力的党建品牌", False, -0.20),
        ("P5_3", "先进典型的示范带动作用明显", False, 0.10),
        ("P5_4", "学院党建工作中争先创优氛围浓厚", False, 0.05),
        ("P5_5", "评先选优流于形式，对党员激励作用不大", True, 0.05),
    ]),
]
SCALE_IDS = [s[0] for s in SCALES]
SCALE_ITEMS = {s[0]: [it[0] for it in s[3]] for s in SCALES}
REVERSE_ITEMS = {it[0] for s in SCALES for it in s[3] if it[2]}
ATTENTION_ID = "ATT_1"
ATTENTION_TEXT = "本题请选择“同意”"
ATTENTION_CORRECT = 4
#: The attention row sits inside the P2 matrix, after the third row.
ATTENTION_AFTER = "P2_3"

PROJECTS = ["政治领航", "铁军淬炼", "固本强基", "示范引领", "服务保障", "文化育人", "品牌铸造", "舆论阵地建设"]
IMP_IDS = [f"IMP_{i}" for i in range(1, 9)]
PERF_IDS = [f"PERF_{i}" for i in range(1, 9)]
Q = {  # question numbers of the 问卷星 questionnaire
    "name": 1, "phone": 2, "sid": 3, "wechat": 4, "branch": 5, "member_type": 6, "role": 7,
    "years": 8, "age_band": 9, "platform_use": 10, "platform_freq": 11,
    "P1": 12, "P2": 13, "P3": 14, "P4": 15, "P5": 16, "IMP": 17, "PERF": 18,
    "learn": 19, "rank": 20, "suggest": 21,
}
STEMS = {
    "name": "您的姓名",
    "phone": "您的手机号码",
    "sid": "您的学号/工号",
    "wechat": "您的微信昵称",
    "branch": "您所在的党支部（请填写全称）",
    "member_type": "您的党员类别",
    "role": "您在党组织中的身份",
    "years": "您的党龄（年）",
    "age_band": "您的年龄段",
    "platform_use": "您是否使用过“学习强国”等线上平台参加党员学习",
    "platform_freq": "您使用线上平台参加党员学习的频率",
    "learn": "近一年您参加过哪些形式的党员学习教育？（多选）",
    "rank": "您认为学院党建工作最需要优先加强的三个方面（请排序）",
    "suggest": "您对学院进一步提升党建工作规范化水平有哪些意见和建议？",
}
RANK_OPTIONS = {i + 1: s[1] for i, s in enumerate(SCALES)}

# ---------------------------------------------------------------------------------------------
# Colleges, planted effects
# ---------------------------------------------------------------------------------------------
HOME = "本院"


@dataclass(frozen=True)
class CollegeSpec:
    """One college of the demo study and the form its answers arrive in."""

    name: str
    key: str
    #: ``wjx_text_xlsx``, ``wjx_code_csv``, ``generic_xlsx``, ``wjx_text_csv`` or ``summary``.
    form: str
    mix: tuple[int, int, int]  # genuine respondents per member type (staff, student, retired)
    offset: float  # benchmark college's shift on every scale (points), 0 for home
    places: tuple[str, ...]
    wjx_id: int
    mess: dict[str, int] = field(default_factory=dict)


COLLEGES = [
    CollegeSpec(HOME, "home", "wjx_text_xlsx", (60, 30, 60), 0.0, ("山东-济南", "山东-济南", "山东-泰安"),
                301234567, {"duplicates": 3, "repeats": 1, "tests": 2, "speeders": 4, "straight": 3,
                            "attention": 3}),
    CollegeSpec("甲市技师学院", "A", "wjx_code_csv", (83, 45, 22), 0.05, ("山东-青岛", "山东-潍坊"),
                302345678, {"duplicates": 2, "tests": 2, "speeders": 3, "straight": 2, "attention": 3}),
    CollegeSpec("乙市高级技工学校", "B", "generic_xlsx", (75, 53, 22), -0.04, ("江苏-南京",),
                0, {"duplicates": 2, "straight": 2, "attention": 2}),
    CollegeSpec("丙市城市建设职业学院", "C", "wjx_text_csv", (90, 37, 23), 0.02, ("浙江-杭州", "浙江-宁波"),
                303456789, {"duplicates": 2, "tests": 1, "speeders": 3, "straight": 2, "attention": 2}),
    CollegeSpec("丁市工程技师学院", "D", "summary", (83, 45, 22), -0.03, ("河北-石家庄",), 0, {}),
]

#: Latent scale means (points on the 1–5 item scale) of in-service staff at the benchmark average.
BASE_MEANS = {"P1": 3.55, "P2": 3.75, "P3": 3.50, "P4": 3.70, "P5": 3.60}
#: Member-type shift on every scale: retirees rate higher, students a little higher.
TYPE_EFFECT = {1: 0.0, 2: 0.15, 3: 0.45}
#: Home college minus benchmark average, same within every member type (points).
HOME_GAP = {"P1": 0.00, "P2": -0.38, "P3": 0.06, "P4": -0.38, "P5": -0.36}
LATENT_SD = 0.70
GENERAL_SHARE = 0.40  # share of latent variance common to all five scales
ITEM_NOISE_SD = 0.65

IMPORTANCE_MEANS = dict(zip(PROJECTS, [4.60, 4.25, 4.50, 3.70, 4.45, 3.60, 4.40, 3.50], strict=True))
PERFORMANCE_MEANS = {
    "home": dict(zip(PROJECTS, [4.20, 3.95, 3.25, 3.80, 3.20, 4.00, 3.05, 3.40], strict=True)),
    "benchmark": dict(zip(PROJECTS, [4.25, 4.00, 3.90, 3.95, 3.85, 4.05, 3.80, 3.60], strict=True)),
}
PERF_TYPE_EFFECT = {1: 0.0, 2: 0.10, 3: 0.30}

# Branches: canonical name -> members per member type (home college roster).
HOME_BRANCHES: dict[str, dict[int, int]] = {
    "机电学院党支部": {1: 48, 2: 30},
    "汽车工程系党支部": {1: 36, 2: 20},
    "信息工程系党支部": {1: 40, 2: 25},
    "智能制造学院党支部": {1: 34, 2: 15},
    "商贸管理系党支部": {1: 30},
    "基础部党支部": {1: 28},
    "机关第一党支部": {1: 24},
    "机关第二党支部": {1: 20},
    "学生党支部": {2: 30},
    "离退休第一党支部": {3: 125},
    "离退休第二党支部": {3: 115},
}
BENCH_BRANCHES: dict[int, list[str]] = {
    1: ["机电工程系党支部", "汽车工程系党支部", "信息工程系党支部", "建筑工程系党支部", "机关党支部"],
    2: ["学生第一党支部", "学生第二党支部"],
    3: ["离退休党支部"],
}
BRANCH_VARIANTS: dict[str, list[str]] = {
    "机电学院党支部": ["机电党支部", "机电系党支部", "机电学院支部"],
    "汽车工程系党支部": ["汽车系党支部", "汽车工程系支部"],
    "信息工程系党支部": ["信息系党支部", "信息工程党支部"],
    "智能制造学院党支部": ["智能制造党支部"],
    "离退休第一党支部": ["离退休一支部", "退休第一党支部"],
    "学生党支部": ["学生支部"],
    "机电工程系党支部": ["机电系党支部", "机电工程党支部"],
    "建筑工程系党支部": ["建筑系党支部"],
    "学生第一党支部": ["学生一支部"],
}
#: Population (roster) per college and member type.
ROSTER_TOTALS = {
    HOME: (260, 120, 240),
    "甲市技师学院": (410, 210, 95),
    "乙市高级技工学校": (380, 240, 90),
    "丙市城市建设职业学院": (450, 180, 100),
    "丁市工程技师学院": (400, 200, 110),
}
#: Option label variants used by 丙市城市建设职业学院's copy of the questionnaire.
C_LABEL_VARIANTS = {"member_type": {1: "在职党员", 3: "退休党员"}, "role": {4: "一般党员"}}

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
FAKE_SUFFIX = "甲乙丙丁戊己庚辛壬癸"
NICKNAMES = ["岁月静好", "追梦人", "向阳花", "匠心", "初心", "晨曦", "拾光", "青松", "老兵", "远方"]


# ---------------------------------------------------------------------------------------------
# Random streams and fake identifiers
# ---------------------------------------------------------------------------------------------
def _rng(seed: int, *keys: str) -> np.random.Generator:
    """Return an independent generator for one component (stable across runs and platforms).

    The component name is hashed with CRC-32 (not Python's salted ``hash``) so that adding a
    component never shifts another component's random numbers.
    """
    spawn = tuple(zlib.crc32(k.encode("utf-8")) for k in keys)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn))


def _id_number(rng: np.random.Generator) -> str:
    """An obviously fake 18-digit resident ID (born in 1900) with a valid ISO 7064 check digit."""
    area = ["370102", "370103", "370112", "110105"][int(rng.integers(4))]
    body = f"{area}1900{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}{int(rng.integers(100, 999)):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


class _Fakes:
    """Issues fake identifiers and remembers every one of them for ``truth.json``."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        # 1380013xxxx: the textbook example number, obviously fake; 0000 is kept for tests.
        self._phones = iter(int(x) for x in rng.permutation(np.arange(1, 10000)))
        self.used: dict[str, set[str]] = {
            k: set() for k in ("names", "phones", "id_numbers", "ips", "student_staff_numbers",
                               "wechat", "emails")
        }

    def _keep(self, kind: str, value: str) -> str:
        self.used[kind].add(value)
        return value

    def name(self) -> str:
        r = self.rng
        return self._keep("names", SURNAMES[int(r.integers(len(SURNAMES)))] + "某"
                          + FAKE_SUFFIX[int(r.integers(len(FAKE_SUFFIX)))])

    def phone(self) -> str:
        return self._keep("phones", f"1380013{next(self._phones):04d}")

    def id_number(self) -> str:
        return self._keep("id_numbers", _id_number(self.rng))

    def ip(self, campus: Sequence[str]) -> str:
        r = self.rng
        if r.random() < 0.5:  # campus networks share addresses
            return self._keep("ips", campus[int(r.integers(len(campus)))])
        block = ["192.0.2", "198.51.100", "203.0.113"][int(r.integers(3))]  # RFC 5737
        return self._keep("ips", f"{block}.{int(r.integers(1, 255))}")

    def sid(self, member_type: int) -> str:
        r = self.rng
        if member_type == 2:  # enrolment year 2099: obviously fake
            return self._keep("student_staff_numbers", f"2099{int(r.integers(10, 99))}{int(r.integers(1000, 9999))}")
        return self._keep("student_staff_numbers", f"GH99{int(r.integers(1000, 9999))}")

    def wechat(self) -> str:
        r = self.rng
        return self._keep("wechat", f"{NICKNAMES[int(r.integers(len(NICKNAMES)))]}_演示{int(r.integers(100)):02d}")

    def email(self) -> str:
        return self._keep("emails", f"demo{int(self.rng.integers(100, 999))}@example.com")


# ---------------------------------------------------------------------------------------------
# Respondents
# ---------------------------------------------------------------------------------------------
@dataclass
class Resp:
    """One submission, with answers as codes; rendering into a file format happens later."""

    college: str
    kind: str  # genuine, duplicate, repeat, test, speeder, straight, attention
    submitted: dt.datetime
    duration: int
    source: str
    source_detail: str
    ip: str
    place: str
    name: str | None
    phone: str | None
    sid: str | None
    wechat: str | None
    branch: str
    member_type: int
    role: int
    years: int
    age_band: int
    platform_use: int
    platform_freq: int | None
    answers: dict[str, int]
    learn: list[int]
    learn_other: str | None
    rank: list[int]
    suggest: str | None
    #: (format or "*", column key) -> raw cell value written instead of the rendered one.
    overrides: dict[tuple[str, str], Any] = field(default_factory=dict)
    #: Identifiers planted inside free text: (kind, value).
    embedded: list[tuple[str, str]] = field(default_factory=list)
    #: For a duplicate or an earlier repeated submission: the genuine submission it repeats.
    partner: Any = None
    busy: bool = False
    row: int = 0


def _cat(x: np.ndarray) -> np.ndarray:
    """Latent value on the 1–5 scale -> ordinal category 1..5 (round and clip)."""
    return np.clip(np.rint(x), 1, 5).astype(int)


def _scale_answers(mu: dict[str, float], rng: np.random.Generator,
                   z: np.ndarray | None = None) -> tuple[dict[str, int], dict[str, float]]:
    """Draw Likert answers of one respondent from latent traits (no accidental straight-lining).

    ``z`` holds the six standard-normal latent draws (general factor, then one per scale); when
    omitted they are drawn here.
    """
    z = rng.standard_normal(1 + len(SCALE_IDS)) if z is None else z
    g = z[0]
    theta = {s: mu[s] + LATENT_SD * (np.sqrt(GENERAL_SHARE) * g + np.sqrt(1 - GENERAL_SHARE) * z[1 + k])
             for k, s in enumerate(SCALE_IDS)}
    answers: dict[str, int] = {}
    # Redraws come from a child stream so that the main stream (and hence every other
    # respondent) does not depend on how many redraws the planted means happen to cause.
    redraw = np.random.default_rng(rng.integers(2**63))
    for sid, _label, _q, items in SCALES:
        offsets = np.array([it[3] for it in items])
        noise = rng.standard_normal(len(items))
        while True:
            cats = _cat(theta[sid] + offsets + ITEM_NOISE_SD * noise)
            raw = [6 - c if it[2] else c for c, it in zip(cats, items, strict=True)]
            if len(set(raw)) > 1:  # genuine respondents never straight-line a battery
                break
            noise = redraw.standard_normal(len(items))
        answers.update({it[0]: int(v) for it, v in zip(items, raw, strict=True)})
    theta["_g"] = float(g)
    return answers, theta


def _weighted(rng: np.random.Generator, options: Sequence[Any], weights: Sequence[float]) -> Any:
    w = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _attributes(spec: CollegeSpec, mtype: int, rng: np.random.Generator) -> dict[str, Any]:
    """Branch, role, membership years, age band and platform use of one respondent."""
    if spec.name == HOME:
        names = [b for b, m in HOME_BRANCHES.items() if mtype in m]
        branch = _weighted(rng, names, [HOME_BRANCHES[b][mtype] for b in names])
    else:
        branch = _weighted(rng, BENCH_BRANCHES[mtype], [1.0] * len(BENCH_BRANCHES[mtype]))
    role = {1: _weighted(rng, [1, 2, 3, 4], [0.10, 0.08, 0.17, 0.65]), 2: 4,
            3: _weighted(rng, [1, 4], [0.05, 0.95])}[mtype]
    if mtype == 2:
        age, years = _weighted(rng, [1, 2], [0.9, 0.1]), int(rng.integers(0, 4))
    elif mtype == 1:
        age = _weighted(rng, [2, 3, 4, 5], [0.30, 0.30, 0.25, 0.15])
        years = int(rng.integers(1, {2: 10, 3: 18, 4: 28, 5: 38}[age]))
    else:
        age, years = _weighted(rng, [5, 6], [0.35, 0.65]), int(rng.integers(25, 61))
    use = 1 if rng.random() < {1: 0.80, 2: 0.90, 3: 0.45}[mtype] else 2
    freq = _weighted(rng, [1, 2, 3, 4], [0.25, 0.40, 0.25, 0.10]) if use == 1 else None
    return {"branch": branch, "role": role, "years": years, "age_band": age,
            "platform_use": use, "platform_freq": freq}


SUGGESTIONS = [
    "建议丰富学习形式，多组织现场教学和研讨交流，避免只读文件。",
    "希望尽快制定过硬支部建设的时间表，并加强对各支部的具体指导。",
    "党务工作人员太少，建议配齐配强专职组织员。",
    "建议明确各部门的党建业务分工，编一本党务工作手册。",
    "希望打造“一院一品”党建品牌，把党建和专业建设结合起来。",
    "建议多宣传身边的先进典型，营造争先创优的氛围。",
    "希望建设智慧党建平台，方便离退休党员线上学习。",
    "多为学生党员提供志愿服务和实践锻炼的机会。",
    "建议加强与合作企业党组织的联建共建。",
    "希望评先选优更加公开透明，真正起到激励作用。",
    "无",
    "没有意见，挺好的。",
]
LEARN_OTHER_TEXTS = ["校企联合支部共学", "红色电影观影", "老党员结对帮学", "党史知识竞赛"]


def _respondent(spec: CollegeSpec, mtype: int, rng: np.random.Generator, fakes: _Fakes,
                campus: Sequence[str], kind: str = "genuine", z: np.ndarray | None = None) -> Resp:
    """Draw one respondent of a college and member type from the planted model."""
    home = spec.name == HOME
    mu = {s: BASE_MEANS[s] + TYPE_EFFECT[mtype] + (HOME_GAP[s] if home else spec.offset) for s in SCALE_IDS}
    answers, theta = _scale_answers(mu, rng, z)
    answers[ATTENTION_ID] = ATTENTION_CORRECT
    gi, gp = 0.35 * rng.standard_normal(), 0.4 * rng.standard_normal() + 0.15 * theta["_g"]
    perf = PERFORMANCE_MEANS["home" if home else "benchmark"]
    for j, p in enumerate(PROJECTS):
        answers[IMP_IDS[j]] = int(_cat(np.array(IMPORTANCE_MEANS[p] + gi + 0.6 * rng.standard_normal()))[()])
        x = perf[p] + PERF_TYPE_EFFECT[mtype] + (0 if home else spec.offset) + gp + 0.6 * rng.standard_normal()
        answers[PERF_IDS[j]] = int(_cat(np.array(x))[()])
    attrs = _attributes(spec, mtype, rng)
    learn = [c for c, p in zip(range(1, 7), [0.8, 0.6, 0.7, 0.3, 0.4, 0.25], strict=True) if rng.random() < p] or [1]
    other = None
    if rng.random() < 0.05:
        learn.append(LEARN_OTHER)
        other = LEARN_OTHER_TEXTS[int(rng.integers(len(LEARN_OTHER_TEXTS)))]
    weak = -2.0 * np.array([theta[s] for s in SCALE_IDS])  # weaker areas ranked first
    # Weighted sampling without replacement by exponential races (Efraimidis & Spirakis 2006):
    # always five uniforms, unlike Generator.choice(replace=False, p=...), whose number of draws
    # depends on the weights and would shift every later random number.
    race = -np.log(rng.random(5)) / np.exp(weak - weak.max())
    rank = [int(c) + 1 for c in np.argsort(race, kind="stable")[:3]]
    day = int(min(rng.exponential(12.0), (FIELD_END - FIELD_START).days))
    hour = _weighted(rng, list(range(7, 23)), [1, 2, 3, 3, 3, 2, 2, 3, 3, 3, 2, 2, 3, 3, 2, 1])
    submitted = dt.datetime.combine(FIELD_START, dt.time(hour, int(rng.integers(60)), int(rng.integers(60))))
    submitted += dt.timedelta(days=day)
    while (duration := int(rng.lognormal(np.log(420), 0.35))) < 190:
        pass
    source = _weighted(rng, ["微信", "手机提交", "链接"], [0.55, 0.35, 0.10])
    return Resp(
        college=spec.name, kind=kind, submitted=submitted, duration=duration, source=source,
        source_detail="N/A" if source == "微信" else "直接访问", ip=fakes.ip(campus),
        place=spec.places[int(rng.integers(len(spec.places)))],
        name=fakes.name() if rng.random() < 0.6 else None,
        phone=fakes.phone() if rng.random() < 0.95 else None,
        sid=None if mtype == 3 or rng.random() < 0.1 else fakes.sid(mtype),
        wechat=fakes.wechat() if rng.random() < 0.7 else None,
        member_type=mtype, answers=answers, learn=learn, learn_other=other, rank=rank,
        suggest=SUGGESTIONS[int(rng.integers(len(SUGGESTIONS)))] if rng.random() < 0.45 else None,
        **attrs,
    )


# ---------------------------------------------------------------------------------------------
# Planted rows: duplicates, repeats, tests, speeders, straight-liners, attention failures
# ---------------------------------------------------------------------------------------------
def _draw_type(spec: CollegeSpec, rng: np.random.Generator) -> int:
    return _weighted(rng, [1, 2, 3], list(spec.mix))


def _junk_rows(spec: CollegeSpec, genuine: list[Resp], rng: np.random.Generator, fakes: _Fakes,
               campus: Sequence[str]) -> list[Resp]:
    """Planted extra submissions of one college (each of exactly one kind)."""
    mess, out = spec.mess, []
    start = dt.datetime.combine(FIELD_START, dt.time(0)) + dt.timedelta(days=1)
    targets = iter([genuine[int(i)] for i in rng.permutation(len(genuine)) if genuine[int(i)].submitted > start])
    for _ in range(mess.get("duplicates", 0)):
        g = next(targets)
        c = copy.deepcopy(g)
        c.kind, c.partner, g.busy = "duplicate", g, True
        c.submitted = g.submitted - dt.timedelta(minutes=int(rng.integers(2, 10)), seconds=int(rng.integers(60)))
        c.duration = max(200, int(g.duration * rng.uniform(0.8, 1.2)))
        out.append(c)
    for _ in range(mess.get("repeats", 0)):
        g = next(targets)
        c = copy.deepcopy(g)
        c.kind, c.partner, g.busy = "repeat", g, True
        c.submitted = g.submitted - dt.timedelta(hours=int(rng.integers(1, 4)), minutes=int(rng.integers(60)))
        c.duration, c.ip = max(200, int(g.duration * rng.uniform(0.7, 1.3))), fakes.ip(campus)
        for s in [str(x) for x in rng.choice(SCALE_IDS, size=3, replace=False)]:
            item = SCALE_ITEMS[s][int(rng.integers(len(SCALE_ITEMS[s])))]
            v = c.answers[item]
            c.answers[item] = v - 1 if v > 2 else v + 1
            if len({c.answers[i] for i in SCALE_ITEMS[s]}) == 1:  # keep it from straight-lining
                c.answers[item] = v
        out.append(c)
    for i in range(mess.get("tests", 0)):
        r = _respondent(spec, 1, rng, fakes, campus, kind="test")
        r.name, r.branch, r.suggest, r.wechat = "测试", "测试", ["测试，请忽略", "test"][i % 2], None
        r.phone = "13800130000" if i == 0 else None
        r.submitted = dt.datetime(2026, 8, 28 + i, 15 - 5 * (i % 2), 10 + 7 * i, 3 + i)
        out.append(r)
    for _ in range(mess.get("speeders", 0)):
        r = _respondent(spec, _draw_type(spec, rng), rng, fakes, campus, kind="speeder")
        for s in SCALE_IDS:
            while len(set(vals := [int(v) for v in rng.integers(1, 6, size=len(SCALE_ITEMS[s]))])) == 1:
                pass
            r.answers.update(dict(zip(SCALE_ITEMS[s], vals, strict=True)))
        r.answers.update({k: int(rng.integers(1, 6)) for k in IMP_IDS + PERF_IDS})
        r.duration, r.suggest = int(rng.integers(35, 95)), None
        out.append(r)
    for _ in range(mess.get("straight", 0)):
        r = _respondent(spec, _draw_type(spec, rng), rng, fakes, campus, kind="straight")
        r.answers = dict.fromkeys(r.answers, 4)  # 4 = 同意 on every row, reverse rows included
        r.duration = int(rng.integers(160, 300))
        out.append(r)
    for _ in range(mess.get("attention", 0)):
        r = _respondent(spec, _draw_type(spec, rng), rng, fakes, campus, kind="attention")
        r.answers[ATTENTION_ID] = _weighted(rng, [1, 2, 3, 5], [0.15, 0.25, 0.3, 0.3])
        out.append(r)
    return out


def _college_rows(spec: CollegeSpec, seed: int, fakes: _Fakes) -> list[Resp]:
    """All submissions of one college in file order (by submission time), Excel rows set."""
    rng = _rng(seed, "respondents", spec.key)
    campus = [fakes.ip(["203.0.113.1"]) for _ in range(4)] if spec.form != "summary" else ["192.0.2.1"]
    genuine = []
    for m, n in zip((1, 2, 3), spec.mix, strict=True):
        # Latent draws standardised within each college x member type cell (a variance-
        # reduction step), so sample latent means equal the planted means and the realised
        # gaps differ from the planted ones only through item noise and rounding.
        z = rng.standard_normal((n, 1 + len(SCALE_IDS)))
        z = (z - z.mean(axis=0)) / z.std(axis=0, ddof=1)
        genuine += [_respondent(spec, m, rng, fakes, campus, z=z[i]) for i in range(n)]
    rows = genuine + _junk_rows(spec, genuine, rng, fakes, campus)
    rows.sort(key=lambda r: (r.submitted, r.duration))
    for i, r in enumerate(rows):
        r.row = i + 2  # header is Excel row 1
    return rows


# ---------------------------------------------------------------------------------------------
# Planted cells
# ---------------------------------------------------------------------------------------------
def _fullwidth(s: str) -> str:
    return s.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def _identifier_text(i: int, r: Resp, fakes: _Fakes) -> tuple[str, list[tuple[str, str]]]:
    """Free text naming fake people (cycled templates) and the identifiers it contains."""
    name, phone = fakes.name(), fakes.phone()
    k = i % 5
    if k == 0:
        return f"建议学习{name}老师所在支部的做法，联系电话{phone}。", [("names", name), ("phones", phone)]
    if k == 1:
        idn = fakes.id_number()
        return f"我是{name}，身份证号{idn}，希望简化组织关系转接手续。", [("names", name), ("id_numbers", idn)]
    if k == 2:
        email = fakes.email()
        return f"有问题可以联系组织员{name}，邮箱{email}。", [("names", name), ("emails", email)]
    if k == 3:
        sid = fakes.sid(2)
        return f"学号{sid}的同学多次被评为优秀党员，建议加强宣传。", [("student_staff_numbers", sid)]
    return f"支部书记{name}（手机{phone}）工作很认真，建议表扬。", [("names", name), ("phones", phone)]


#: What is planted in each form: category -> number of cases.
CELL_PLAN: dict[str, dict[str, int]] = {
    "wjx_text_xlsx": {"full_width_years": 2, "phone_variants": 2, "id_in_sid": 2, "identifiers_in_text": 4,
                      "identifiers_in_other": 1, "formula": 2, "crosscheck_mismatch": 1},
    "wjx_code_csv": {"out_of_range": 4, "formula": 1, "identifiers_in_text": 1, "id_in_sid": 1,
                     "full_width_years": 1},
    "generic_xlsx": {"out_of_range": 2, "full_width_codes": 2, "whitespace_code": 1, "scientific_phone": 1,
                     "full_width_years": 1},
    "wjx_text_csv": {"full_width_years": 2, "scientific_phone": 1, "years_out_of_range": 1, "formula": 2,
                     "identifiers_in_text": 2, "empty_variant": 4},
}
FORMULAS = ["=1+1", "@某某 请把学习资料发到群里", "-无-", "+1 同意楼上的意见", "=SUM(A1:A3)"]


def _plant_cells(spec: CollegeSpec, rows: list[Resp], rng: np.random.Generator, fakes: _Fakes) -> list[dict]:
    """Plant cell-level mess on genuine rows without a twin; return one record per case.

    Records carry ``row`` (Excel row), ``key`` (column key, resolved to the header later) and
    ``form`` (``*`` = every file of the college, else only the named format).
    """
    plan = CELL_PLAN.get(spec.form, {})
    free = [r for r in rows if r.kind == "genuine" and not r.busy]
    pool = iter([free[int(i)] for i in rng.permutation(len(free))])
    recs: list[dict] = []

    def take(pred: Any = lambda r: True) -> Resp:
        while not pred(r := next(pool)):
            pass
        return r

    def rec(cat: str, r: Resp, key: str, value: Any, form: str = "*", **extra: Any) -> None:
        recs.append({"category": cat, "row": r.row, "key": key, "value": value, "form": form, **extra})

    likert = [i for s in SCALE_IDS for i in SCALE_ITEMS[s]]
    for cat, n in plan.items():
        for i in range(n):
            if cat == "full_width_years":
                r = take(lambda r: r.years >= 10)
                r.overrides[("*", "years")] = _fullwidth(str(r.years))
                rec("full_width_digits", r, "years", r.overrides[("*", "years")], normalised=str(r.years))
            elif cat == "phone_variants":
                r = take(lambda r: r.phone is not None)
                p = r.phone
                raw = f"{p[:3]}-{p[3:7]}-{p[7:]}" if i == 0 else f"+86 {p}"
                r.overrides[("*", "phone")] = raw
                rec("phone_format_variants", r, "phone", raw, normalised=p)
            elif cat == "id_in_sid":
                r = take(lambda r: r.member_type != 3)
                r.sid = fakes.id_number()
                rec("id_number_in_identifier_column", r, "sid", r.sid)
            elif cat == "identifiers_in_text":
                r = take()
                r.suggest, ids = _identifier_text(i + (2 if spec.key == "C" else 0), r, fakes)
                r.embedded.extend(ids)
                rec("identifiers_in_free_text", r, "suggest", r.suggest, identifiers=[v for _, v in ids])
            elif cat == "identifiers_in_other":
                r = take()
                name, phone = fakes.name(), fakes.phone()
                r.learn = sorted(set(r.learn) | {LEARN_OTHER})
                r.learn_other = f"跟{name}老师结对学习，电话{phone}"
                r.embedded.extend([("names", name), ("phones", phone)])
                rec("identifiers_in_free_text", r, "learn_other", r.learn_other, identifiers=[name, phone])
            elif cat == "formula":
                r = take()
                r.suggest = FORMULAS[{"home": 0, "A": 2, "C": 3}[spec.key] + i]
                rec("formula_like_text", r, "suggest", r.suggest)
            elif cat == "crosscheck_mismatch":
                r = take()
                item = "P2_3"
                wrong = 2 if r.answers[item] >= 4 else 5
                r.overrides[("wjx_code", item)] = wrong
                rec("crosscheck_mismatch", r, item, wrong, form="wjx_code", text_label=AGREE5[r.answers[item]],
                    text_code=r.answers[item])
            elif cat == "out_of_range":
                r = take()
                item, value = str(rng.choice(likert)), [6, 9][i % 2]
                rec("out_of_range", r, item, value, original=r.answers[item])
                r.answers[item] = value
            elif cat == "years_out_of_range":
                r = take()
                rec("out_of_range", r, "years", 88, original=r.years)
                r.years = 88
            elif cat == "full_width_codes":
                r = take()
                item = str(rng.choice(likert))
                r.overrides[("generic", item)] = _fullwidth(str(r.answers[item]))
                rec("full_width_digits", r, item, r.overrides[("generic", item)], normalised=str(r.answers[item]))
            elif cat == "whitespace_code":
                r = take()
                item = str(rng.choice(likert))
                r.overrides[("generic", item)] = f"{r.answers[item]}\u00a0"
                rec("stray_whitespace", r, item, r.overrides[("generic", item)], normalised=str(r.answers[item]))
            elif cat == "scientific_phone":
                r = take(lambda r: r.phone is not None)
                if spec.form == "generic_xlsx":  # typed as a number: Excel shows 1.38E+10
                    r.overrides[("generic", "phone")] = _Cell(float(r.phone), "0.00E+00")
                    shown = f"{float(r.phone):.2E}"
                else:  # CSV re-saved from Excel: the digits are gone
                    shown = f"{float(r.phone):.5E}"
                    r.overrides[("*", "phone")] = shown
                rec("scientific_notation_phone", r, "phone", shown, original=r.phone,
                    recoverable=spec.form == "generic_xlsx")
            elif cat == "empty_variant":
                r = take(lambda r: r.suggest is None)
                r.overrides[("*", "suggest")] = "（空）"
                rec("missing_token_variants", r, "suggest", "（空）")
    return recs


def _plant_branch_variants(rows: list[Resp], rng: np.random.Generator, *, gbk: bool) -> list[dict]:
    """Respondents type their branch freely: spelling variants and stray spaces.

    A GBK file cannot hold a non-breaking space, so it gets ordinary and ideographic ones.
    """
    spaces = [" ", "\u3000"] if gbk else ["\u00a0", " ", "\u3000"]
    recs = []
    for r in rows:
        if r.kind != "genuine" or r.busy:
            continue
        u = rng.random()
        if u < 0.10 and r.branch in BRANCH_VARIANTS:
            variants = BRANCH_VARIANTS[r.branch]
            raw = variants[int(rng.integers(len(variants)))]
        elif u < 0.13:
            raw = r.branch + spaces[int(rng.integers(len(spaces)))]
        else:
            continue
        recs.append({"category": "branch_variants", "row": r.row, "key": "branch", "value": raw,
                     "form": "*", "canonical": r.branch})
        r.overrides[("*", "branch")] = raw
    return recs


# ---------------------------------------------------------------------------------------------
# Rendering into 问卷星 按文本 / 按序号 and a generic typed file
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cell:
    """A workbook cell value with an explicit Excel number format."""

    value: Any
    number_format: str


SINGLE_OPTIONS = {"member_type": MEMBER_TYPES, "role": ROLES, "age_band": AGE_BANDS,
                  "platform_use": PLATFORM_USE, "platform_freq": PLATFORM_FREQ}
IDENTIFIER_KEYS = ["name", "phone", "sid", "wechat"]
ATTRIBUTE_KEYS = ["branch", "member_type", "role", "years", "age_band", "platform_use", "platform_freq"]


def _matrix_rows() -> list[tuple[str, int, str]]:
    """Every matrix row in questionnaire order: (item id, question number, row title)."""
    out = []
    for sid, _label, q, items in SCALES:
        for it in items:
            out.append((it[0], q, it[1]))
            if sid == "P2" and it[0] == ATTENTION_AFTER:
                out.append((ATTENTION_ID, q, ATTENTION_TEXT))
    out += [(IMP_IDS[j], Q["IMP"], f"{p}工程") for j, p in enumerate(PROJECTS)]
    out += [(PERF_IDS[j], Q["PERF"], f"{p}工程") for j, p in enumerate(PROJECTS)]
    return out


def _item_options(item_id: str) -> dict[int, str]:
    if item_id.startswith("IMP_"):
        return IMPORTANCE5
    if item_id.startswith("PERF_"):
        return PERFORMANCE5
    return AGREE5


def _columns(form: str) -> list[tuple[str, str]]:
    """Column keys and headers of a format: ``wjx_text``, ``wjx_code`` or ``generic``."""
    if form == "generic":
        cols = [("seq", "序号"), ("submitted", "提交答卷时间")] + [(k, k) for k in IDENTIFIER_KEYS + ["ip"]]
        cols += [(k, k) for k in ATTRIBUTE_KEYS] + [(i, i) for i, _q, _t in _matrix_rows()]
        return cols
    cols = [("seq", "序号"), ("submitted", "提交答卷时间"), ("duration", "所用时间"), ("source", "来源"),
            ("source_detail", "来源详情"), ("ip", "来自IP")]
    cols += [(k, f"{Q[k]}、{STEMS[k]}") for k in IDENTIFIER_KEYS + ATTRIBUTE_KEYS]
    cols += [(i, f"第{q}题({t})") for i, q, t in _matrix_rows()]
    if form == "wjx_text":
        cols += [("learn", f"{Q['learn']}、{STEMS['learn']}"), ("rank", f"{Q['rank']}、{STEMS['rank']}")]
    else:
        cols += [(f"learn_{c}", f"第{Q['learn']}题({lab})") for c, lab in LEARN.items()]
        cols += [(f"rank_{c}", f"第{Q['rank']}题({lab})") for c, lab in RANK_OPTIONS.items()]
    return cols + [("suggest", f"{Q['suggest']}、{STEMS['suggest']}")]


def _excel_serial(t: dt.datetime) -> float:
    delta = t - dt.datetime(1899, 12, 30)
    return round(delta.days + delta.seconds / 86400, 6)


def _cells(r: Resp, form: str, labels: dict[str, dict[int, str]] | None = None) -> dict[str, Any]:
    """Cell values of one submission in one format (before overrides)."""
    labels = labels or {}
    empty = "(空)"
    c: dict[str, Any] = {"seq": r.row - 1}
    if form == "generic":
        c.update(submitted=_excel_serial(r.submitted), name=r.name, phone=r.phone, sid=r.sid,
                 wechat=r.wechat, ip=None, branch=r.branch, years=r.years, platform_freq=r.platform_freq)
        c.update({k: getattr(r, k) for k in ("member_type", "role", "age_band", "platform_use")})
        c.update(r.answers)
        return c
    c.update(submitted=r.submitted.strftime("%Y/%m/%d %H:%M:%S"), duration=f"{r.duration}秒",
             source=r.source, source_detail=r.source_detail, ip=f"{r.ip}({r.place})",
             name=r.name or empty, phone=r.phone or empty, wechat=r.wechat or empty,
             sid="(跳过)" if r.member_type == 3 else (r.sid or empty), branch=r.branch,
             years=str(r.years), suggest=r.suggest or empty)
    if form == "wjx_text":
        for k, opts in SINGLE_OPTIONS.items():
            v = getattr(r, k)
            c[k] = "(跳过)" if v is None else {**opts, **labels.get(k, {})}[v]
        c.update({i: _item_options(i).get(v, str(v)) for i, v in r.answers.items()})
        parts = [f"其他〖{r.learn_other}〗" if x == LEARN_OTHER else LEARN[x] for x in r.learn]
        c["learn"] = "┋".join(parts)
        c["rank"] = "→".join(RANK_OPTIONS[x] for x in r.rank)
        return c
    for k in SINGLE_OPTIONS:
        v = getattr(r, k)
        c[k] = -3 if v is None else v
    c.update(r.answers)
    for code in LEARN:
        chosen = code in r.learn
        c[f"learn_{code}"] = f"1〖{r.learn_other}〗" if chosen and code == LEARN_OTHER else int(chosen)
    for code in RANK_OPTIONS:
        c[f"rank_{code}"] = r.rank.index(code) + 1 if code in r.rank else -2
    return c


def _table(rows: list[Resp], form: str, labels: dict[str, dict[int, str]] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and body of one file; planted overrides applied."""
    cols = _columns(form)
    body = []
    for r in rows:
        cells = _cells(r, form, labels)
        for (scope, key), value in r.overrides.items():
            if scope in ("*", form) and key in cells:
                cells[key] = value
        body.append([cells.get(k) for k, _h in cols])
    return [h for _k, h in cols], body


# ---------------------------------------------------------------------------------------------
# Deterministic writers
# ---------------------------------------------------------------------------------------------
Sheet = tuple[str, list[str], list[list[Any]]]

_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _normalise_zip(data: bytes) -> bytes:
    """Re-zip an xlsx with sorted entries, fixed entry dates and fixed core-property dates.

    openpyxl stamps ``docProps/core.xml`` with the current time on every save and zip entries
    carry the write time; both would make two generations differ.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_DATETIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            payload = src.read(name)
            if name == "docProps/core.xml":
                payload = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), payload)
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, payload, compresslevel=6)
    return out.getvalue()


def _write_xlsx(path: Path, sheets: Sequence[Sheet], *, title: str) -> None:
    """Write sheets (name, header, rows) to an xlsx file, byte-for-byte reproducibly.

    Strings are always stored as text, so free text such as ``=1+1`` stays text instead of
    becoming a formula; :class:`_Cell` values carry a number format; dates get ``yyyy-mm-dd``.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        for j, h in enumerate(header, start=1):
            ws.cell(row=1, column=j, value=h)
        for i, row in enumerate(rows, start=2):
            for j, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=i, column=j)
                if isinstance(v, _Cell):
                    cell.value, cell.number_format = v.value, v.number_format
                elif isinstance(v, dt.date):
                    cell.value, cell.number_format = v, "yyyy-mm-dd"
                else:
                    cell.value = v
                    if isinstance(v, str):
                        cell.data_type = "s"
    props = wb.properties
    props.creator = props.lastModifiedBy = "survey demo（合成数据生成器）"
    props.title, props.description = title, "合成数据，仅供演示；不含任何真实个人信息。"
    props.created = props.modified = FIXED_DATETIME
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_normalise_zip(buf.getvalue()))


def _write_csv(path: Path, header: list[str], rows: list[list[Any]], *, encoding: str) -> None:
    """Write a CSV as 问卷星 does (CRLF line ends; ``utf-8-sig`` or ``gbk``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))


# ---------------------------------------------------------------------------------------------
# Codebook
# ---------------------------------------------------------------------------------------------
def build_codebook() -> dict[str, Any]:
    """The demo questionnaire's codebook as plain data (schema: :class:`survey.config.codebook.Codebook`)."""
    items: list[dict[str, Any]] = [
        {"id": "branch", "text": STEMS["branch"], "type": "text", "label": "党支部",
         "source": {"question": Q["branch"]}},
        {"id": "member_type", "text": STEMS["member_type"], "type": "single", "label": "党员类别",
         "options": dict(MEMBER_TYPES), "source": {"question": Q["member_type"]},
         "option_aliases": {1: ["在职党员", "教职工党员", "在职教职工"], 2: ["学生"], 3: ["退休党员", "离退休"]}},
        {"id": "role", "text": STEMS["role"], "type": "single", "label": "党内身份", "options": dict(ROLES),
         "source": {"question": Q["role"]}, "option_aliases": {4: ["一般党员", "党员"]}},
        {"id": "years", "text": STEMS["years"], "type": "numeric", "label": "党龄", "range": [0, 70],
         "source": {"question": Q["years"]}},
        {"id": "age_band", "text": STEMS["age_band"], "type": "single", "label": "年龄段",
         "options": dict(AGE_BANDS), "source": {"question": Q["age_band"]}},
        {"id": "platform_use", "text": STEMS["platform_use"], "type": "single", "label": "使用线上学习平台",
         "options": dict(PLATFORM_USE), "source": {"question": Q["platform_use"]}},
        {"id": "platform_freq", "text": STEMS["platform_freq"], "type": "single", "label": "线上学习频率",
         "options": dict(PLATFORM_FREQ), "source": {"question": Q["platform_freq"]}},
    ]
    for item_id, q, title in _matrix_rows():
        entry: dict[str, Any] = {"id": item_id, "text": title, "type": "likert",
                                 "options": {"IMP": "importance5", "PER": "performance5"}.get(item_id[:3], "agree5"),
                                 "source": {"question": q, "row": title}}
        if item_id.startswith("IMP_"):
            entry["label"] = f"重要性：{title}"
        elif item_id.startswith("PERF_"):
            entry["label"] = f"现状表现：{title}"
        items.append(entry)
    items += [
        {"id": "learn", "text": STEMS["learn"], "type": "multiple", "label": "学习形式", "options": dict(LEARN),
         "other_option": LEARN_OTHER, "source": {"question": Q["learn"]}, "required": False},
        {"id": "rank", "text": STEMS["rank"], "type": "ranking", "label": "优先加强方面排序",
         "options": dict(RANK_OPTIONS), "source": {"question": Q["rank"]}, "required": False},
        {"id": "suggest", "text": STEMS["suggest"], "type": "text", "label": "意见和建议",
         "source": {"question": Q["suggest"]}, "required": False},
    ]
    return {
        "title": f"{SURVEY_TITLE} 编码手册",
        "version": "1",
        "missing_codes": [-2, -3],
        "option_sets": {"agree5": dict(AGREE5), "importance5": dict(IMPORTANCE5), "performance5": dict(PERFORMANCE5)},
        "items": items,
        "scales": [{"id": sid, "label": label, "items": [it[0] for it in its],
                    "reverse": [it[0] for it in its if it[2]]} for sid, label, _q, its in SCALES],
        "attention_checks": [{"item": ATTENTION_ID, "correct": ATTENTION_CORRECT}],
        "identifiers": [
            {"id": "name", "kind": "name", "action": "drop", "source": {"question": Q["name"]}},
            {"id": "phone", "kind": "phone", "action": "pseudonymise", "respondent_key": True,
             "source": {"question": Q["phone"]}},
            {"id": "sid", "kind": "staff_no", "action": "pseudonymise", "source": {"question": Q["sid"]}},
            {"id": "wechat", "kind": "wechat", "action": "drop", "source": {"question": Q["wechat"]}},
            {"id": "ip", "kind": "ip", "action": "coarsen", "source": {"header": "来自IP", "column": "ip"}},
        ],
        "ignore_columns": ["来源", "来源详情", "总分"],
    }


def _write_codebook(path: Path) -> None:
    head = ("# 合成演示数据的编码手册（由 `survey demo` 自动生成，请勿手工修改；合成数据，仅供演示）\n"
            "# Codebook of the synthetic demo questionnaire, generated by survey/demo.py.\n")
    body = yaml.safe_dump(build_codebook(), allow_unicode=True, sort_keys=False, width=1000)
    path.write_bytes((head + body).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Realised statistics (what the genuine rows of the files actually show)
# ---------------------------------------------------------------------------------------------
def _score(r: Resp, scale: str) -> float:
    """Scale score = mean of the items after reverse keying (6 - x); out-of-range codes missing."""
    vals = [(6 - v if i in REVERSE_ITEMS else v) for i in SCALE_ITEMS[scale] if 1 <= (v := r.answers[i]) <= 5]
    return float(np.mean(vals)) if vals else float("nan")


def _nms(x: Sequence[float]) -> dict[str, float]:
    a = np.asarray([v for v in x if not np.isnan(v)], dtype=float)
    return {"n": int(a.size), "mean": round(float(a.mean()), 6), "sd": round(float(a.std(ddof=1)), 6)}


def _realised(by_college: dict[str, list[Resp]]) -> dict[str, Any]:
    """Scale means per college × member type on genuine rows and the home-vs-benchmark gaps.

    ``gap_within_type_sd``: sum over member types of (home share of type) × (home mean − pooled
    benchmark mean of that type), divided by the pooled within-cell SD over all college × type
    cells. ``gap_naive_sd``: home mean − pooled benchmark mean, divided by the same SD.
    """
    cells: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for college, rows in by_college.items():
        gen = [r for r in rows if r.kind == "genuine"]
        cells[college] = {}
        for label, sel in [("全体", gen)] + [(MEMBER_TYPES[t], [r for r in gen if r.member_type == t]) for t in (1, 2, 3)]:
            cells[college][label] = {s: _nms([_score(r, s) for r in sel]) for s in SCALE_IDS}
    bench = [c for c in by_college if c != HOME]
    within, naive, pooled_sd = {}, {}, {}
    for s in SCALE_IDS:
        ss = sum((cells[c][MEMBER_TYPES[t]][s]["n"] - 1) * cells[c][MEMBER_TYPES[t]][s]["sd"] ** 2
                 for c in by_college for t in (1, 2, 3))
        df = sum(cells[c][MEMBER_TYPES[t]][s]["n"] - 1 for c in by_college for t in (1, 2, 3))
        sd = (ss / df) ** 0.5
        home_n = cells[HOME]["全体"][s]["n"]
        gap = 0.0
        for t in (1, 2, 3):
            h = cells[HOME][MEMBER_TYPES[t]][s]
            bn = sum(cells[c][MEMBER_TYPES[t]][s]["n"] for c in bench)
            bm = sum(cells[c][MEMBER_TYPES[t]][s]["n"] * cells[c][MEMBER_TYPES[t]][s]["mean"] for c in bench) / bn
            gap += h["n"] / home_n * (h["mean"] - bm)
        ball = sum(cells[c]["全体"][s]["n"] * cells[c]["全体"][s]["mean"] for c in bench) / sum(
            cells[c]["全体"][s]["n"] for c in bench)
        pooled_sd[s] = round(sd, 6)
        within[s] = round(gap / sd, 6)
        naive[s] = round((cells[HOME]["全体"][s]["mean"] - ball) / sd, 6)
    return {"scale_stats": cells, "pooled_within_cell_sd": pooled_sd, "gap_within_type_sd": within,
            "gap_naive_sd": naive}


def _summary_rows(college: str, rows: list[Resp]) -> list[list[Any]]:
    """Summary statistics a benchmark college sends instead of raw answers."""
    gen = [r for r in rows if r.kind == "genuine"]
    labels = {s[0]: s[1] for s in SCALES} | {i: t for i, _q, t in _matrix_rows()}
    out = []
    for label, sel in [("", gen)] + [(MEMBER_TYPES[t], [r for r in gen if r.member_type == t]) for t in (1, 2, 3)]:
        for s in SCALE_IDS:
            st = _nms([_score(r, s) for r in sel])
            out.append([college, s, labels[s], label, st["n"], round(st["mean"], 4), round(st["sd"], 4)])
    for item, _q, _t in _matrix_rows():
        if item == ATTENTION_ID:
            continue
        st = _nms([float(r.answers[item]) for r in gen])
        out.append([college, item, labels[item], "", st["n"], round(st["mean"], 4), round(st["sd"], 4)])
    return out


# ---------------------------------------------------------------------------------------------
# Symposium (座谈会)
# ---------------------------------------------------------------------------------------------
#: code -> (label, problem areas, project, synonyms, statement templates)
THEMES: dict[str, tuple[str, str, str, list[str], list[str]]] = {
    "T01": ("学习形式单一、效果不明显", "P1", "政治领航", ["学习单一", "学习效果差"], [
        "现在的理论学习基本就是读文件、念材料，形式比较单一，大家听完印象不深。",
        "学习任务能完成，但是对党员思想上的触动不大，效果不够明显。",
        "希望学习能结合技能大赛和专业教学，不要只是走过场。"]),
    "T02": ("智慧党建与学习载体创新", "P1", "舆论阵地建设", ["智慧党建", "线上平台"], [
        "我们缺少像兄弟院校那样的党建终端平台，线上学习还是靠转发链接。",
        "建议建设智慧党建平台，把学习、考核、积分都放到线上。",
        "学生党员更习惯用手机学习，可以多开发一些短视频和微党课。"]),
    "T03": ("过硬支部建设推进不力", "P2", "固本强基", ["过硬支部", "支部建设"], [
        "过硬支部建设的方案出台以后，后续推进力度不够，支部不知道下一步怎么做。",
        "第一阶段的目标任务到现在还没有完成，支部建设有点停留在文件上。",
        "先进院校的过硬支部已经有成熟成果了，我们差距比较明显。"]),
    "T04": ("缺少上级指导与时间表", "P2", "固本强基", ["缺少指导", "没有时间表"], [
        "希望学院能给各支部一个明确的时间表，什么时候完成什么任务。",
        "支部书记大多是兼职，缺少上级的具体指导，很多工作只能摸索着干。"]),
    "T05": ("党建与专业建设脱节", "P3", "政治领航", ["两张皮", "党建业务脱节"], [
        "二级学院的党组织在专业建设上说话不多，党建和业务还是两张皮。",
        "专业设置、课程改革这些大事，党组织前置研究做得不够。",
        "企业希望学校的党建工作能和人才培养结合得更紧一些。"]),
    "T06": ("一院一品与专业特色", "P3;P5", "品牌铸造", ["一院一品"], [
        "可以学习先进院校一院一品的做法，每个系部结合专业打造一个特色。",
        "我们和学校共建的实训基地可以作为支部的特色品牌来培育。"]),
    "T07": ("党务力量不足、分工不清", "P4", "服务保障", ["人手不足", "分工不清"], [
        "党务工作人员太少，一个人兼好几项工作，专业能力也跟不上。",
        "各部门之间党建业务分工不够清楚，有时候一件事不知道归谁管。",
        "组织员队伍缺少专家型人才，遇到政策问题很难给出准确答复。"]),
    "T08": ("服务师生和企业不到位", "P4", "服务保障", ["服务不到位", "服务企业"], [
        "党组织为教职工和学生办实事的举措不多，服务意识还需要加强。",
        "用人企业来校招聘，希望学校党组织能在对接上多提供一些服务。",
        "学生党员反映，有问题不知道该找哪个部门，服务渠道不够畅通。"]),
    "T09": ("校企党建共建", "P4", "服务保障", ["校企共建", "联合支部"], [
        "建议和合作企业党组织开展联建共建，一起过组织生活。",
        "我们企业的党支部很愿意和学校的专业支部结对，共同培养学生。"]),
    "T10": ("缺少党建品牌", "P5", "品牌铸造", ["品牌", "没有品牌"], [
        "很多支部其实有好的做法，但总结提炼不够，没有形成品牌。",
        "学院还没有叫得响的党建品牌，对外宣传的时候拿不出典型。"]),
    "T11": ("争先创优氛围不浓", "P5", "示范引领", ["评优", "先进典型"], [
        "评先选优有时候是轮流坐庄，激励作用不大。",
        "身边的先进典型宣传得不够，争先创优的氛围不浓。"]),
    "T12": ("干部与教师队伍培训", "", "铁军淬炼", ["干部培训"], [
        "希望多组织中层干部和支部书记外出培训，开阔眼界。",
        "青年教师党员的培养要有计划，最好能一对一结对帮带。"]),
    "T13": ("文化育人与工匠精神", "", "文化育人", ["工匠精神"], [
        "企业最看重学生的职业素养，希望把工匠精神教育融入日常。",
        "校园文化建设可以多体现技工院校的特色，讲好大国工匠的故事。"]),
    "T14": ("肯定现有成绩", "", "", ["肯定"], [
        "这几年学院党建工作整体上是有进步的，规范化程度比以前高了。",
        "三会一课总体上能按时开展，这一点应该肯定。"]),
}
GROUPS = ["二级学院系部党支部书记", "组织员", "校企合作企业", "用人企业", "学生党员"]
#: Planted theme weights per stakeholder group (unnormalised).
GROUP_THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "二级学院系部党支部书记": {"T03": 6, "T04": 5, "T07": 4, "T05": 3, "T10": 2, "T11": 1.5, "T01": 2, "T14": 1},
    "组织员": {"T07": 6, "T04": 4, "T03": 3, "T01": 3, "T02": 2, "T11": 2, "T12": 1},
    "校企合作企业": {"T09": 7, "T08": 5, "T06": 4, "T05": 3, "T13": 2},
    "用人企业": {"T08": 6, "T13": 5, "T05": 4, "T12": 2, "T14": 2, "T09": 1},
    "学生党员": {"T01": 6, "T02": 6, "T11": 4, "T10": 3, "T08": 2},
}
SESSIONS = [  # (session id, date, group, participants, statements)
    ("ZT01", dt.date(2026, 9, 10), "二级学院系部党支部书记", 8, 34),
    ("ZT02", dt.date(2026, 9, 12), "组织员", 6, 28),
    ("ZT03", dt.date(2026, 9, 16), "校企合作企业", 7, 30),
    ("ZT04", dt.date(2026, 9, 18), "用人企业", 6, 26),
    ("ZT05", dt.date(2026, 9, 22), "学生党员", 10, 36),
    ("ZT06", dt.date(2026, 9, 25), "二级学院系部党支部书记", 7, 30),
    ("ZT07", dt.date(2026, 9, 29), "学生党员", 9, 32),
]


def _messy_code(code: str, rng: np.random.Generator) -> tuple[str, str | None]:
    """How a coder actually typed a code: usually clean, sometimes full-width, lower-case,
    padded or as a synonym. Returns the written form and the kind of mess (or None)."""
    u = rng.random()
    if u < 0.05:
        return code.translate({ord(c): ord(c) + 0xFEE0 for c in code}), "full_width"
    if u < 0.09:
        return code.lower(), "lowercase"
    if u < 0.12:
        return f" {code} ", "spaces"
    if u < 0.16:
        syn = THEMES[code][3]
        return syn[int(rng.integers(len(syn)))], "synonym"
    return code, None


def _coder_variant(true: list[str], group: str, rng: np.random.Generator, p: float) -> list[str]:
    """A coder's codes: the true set, with probability ``p`` changed (swap, drop or add one)."""
    codes = list(true)
    if rng.random() >= p:
        return codes
    pool = [c for c in GROUP_THEME_WEIGHTS[group] if c not in codes] or [c for c in THEMES if c not in codes]
    u = rng.random()
    if u < 0.5:
        codes[int(rng.integers(len(codes)))] = pool[int(rng.integers(len(pool)))]
    elif u < 0.75 and len(codes) > 1:
        codes.pop(int(rng.integers(len(codes))))
    else:
        codes.append(pool[int(rng.integers(len(pool)))])
    return codes


def _symposium(seed: int, fakes: _Fakes) -> tuple[list[Sheet], list[Sheet], list[Sheet], dict[str, Any]]:
    """Sessions, statements and theme codebook sheets, plus the planted truth."""
    rng = _rng(seed, "symposium")
    sessions = [[sid, d, g, n, "学院行政楼三楼会议室"] for sid, d, g, n, _k in SESSIONS]
    statements, truth_rows = [], []
    mess_counts: dict[str, int] = {}
    planted_ids = {12: None, 97: None, 180: None}  # statement numbers naming a fake person
    no = 0
    for s_idx, (sid, _d, group, n_part, k) in enumerate(SESSIONS):
        weights = GROUP_THEME_WEIGHTS[group]
        codes_all = list(weights)
        w = np.array([weights[c] for c in codes_all])
        for _ in range(k):
            no += 1
            m = 2 if rng.random() < 0.35 else 1
            true = sorted(str(c) for c in rng.choice(codes_all, size=m, replace=False, p=w / w.sum()))
            texts = [THEMES[c][4][int(rng.integers(len(THEMES[c][4])))] for c in true]
            text = texts[0] if m == 1 else texts[0] + "另外，" + texts[1]
            ids: list[str] = []
            if no in planted_ids:
                name, phone = fakes.name(), fakes.phone()
                text += f"这件事之前是{name}负责的，有需要可以打他电话{phone}。"
                ids = [name, phone]
            a = _coder_variant(true, group, rng, 0.05)
            b = _coder_variant(true, group, rng, 0.15)
            written = []
            for coded in (a, b):
                parts = []
                for c in coded:
                    raw, kind = _messy_code(c, rng)
                    parts.append(raw)
                    if kind:
                        mess_counts[kind] = mess_counts.get(kind, 0) + 1
                sep = "；" if rng.random() < 0.3 else ";"
                written.append(sep.join(parts))
            speaker = f"发言人{chr(65 + s_idx)}{int(rng.integers(1, n_part + 1))}"
            statements.append([no, sid, speaker, text, written[0], written[1]])
            truth_rows.append({"row": no + 1, "session": sid, "group": group, "true_codes": true,
                               "coder_a": sorted(a), "coder_b": sorted(b), "coder_a_written": written[0],
                               "coder_b_written": written[1], "identifiers": ids})
    themes = [[c, t[0], t[1], t[2], "；".join(t[3])] for c, t in THEMES.items()]
    freq = {g: {} for g in GROUPS}
    for tr in truth_rows:
        for c in tr["true_codes"]:
            freq[tr["group"]][c] = freq[tr["group"]].get(c, 0) + 1
    agree = sum(tr["coder_a"] == tr["coder_b"] for tr in truth_rows) / len(truth_rows)
    truth = {
        "n_sessions": len(SESSIONS), "n_statements": len(truth_rows),
        "group_theme_weights": GROUP_THEME_WEIGHTS,
        "true_theme_counts_by_group": {g: dict(sorted(v.items())) for g, v in freq.items()},
        "coder_exact_agreement": round(agree, 6),
        "code_spelling_mess_counts": dict(sorted(mess_counts.items())),
        "statements": truth_rows,
        "statements_with_identifiers": [tr["row"] for tr in truth_rows if tr["identifiers"]],
    }
    return (
        [("场次", ["场次编号", "日期", "座谈对象", "参会人数", "地点"], sessions), _explain_sheet("sessions")],
        [("发言记录", ["序号", "场次编号", "发言人", "发言内容", "编码员A", "编码员B"], statements),
         _explain_sheet("statements")],
        [("主题编码", ["主题编码", "主题名称", "问题领域", "对应项目", "同义词"], themes), _explain_sheet("themes")],
        truth,
    )


EXPLAIN = {
    "sessions": "每行一场座谈会。座谈对象：二级学院系部党支部书记、组织员、校企合作企业、用人企业、学生党员。",
    "statements": "每行一条发言，由会议纪要整理。编码员A、编码员B 独立编码，多个编码用分号（; 或 ；）分隔。发言人为化名。",
    "themes": "主题编码表：编码、名称、对应的问题领域（P1–P5，可多个）、对应的八项工程、编码员可能写的同义词（；分隔）。",
    "member_names": "党员名单（合成）：只用于在自由文本和座谈发言中隐去这些姓名，不会写入处理结果。",
    "indicators": "长表：每行一个院校 × 指标。方向：越高越好 / 越低越好。是否类指标：1=是，0=否。",
    "roster": "党员名册汇总：党支部为空的行是该院校该类党员的合计；本院另列各党支部明细，合计等于明细之和。",
    "summary": "丁市工程技师学院未提供原始答卷，只提供各维度、各题的样本量、均值、标准差。量表得分为该维度各题（反向题先按 6−x 转换）的平均分；党员类型为空表示全体。",
}


def _explain_sheet(kind: str) -> Sheet:
    return ("说明", ["说明"], [[EXPLAIN[kind]], ["合成数据，仅供演示；所有人名、电话、证件号均为虚构。"]])


# ---------------------------------------------------------------------------------------------
# Benchmark indicators and roster
# ---------------------------------------------------------------------------------------------
#: indicator -> (unit, higher is better, problem area, values for 本院, 甲, 乙, 丙, 丁)
INDICATORS: dict[str, tuple[str, bool, str, tuple[float, ...]]] = {
    "达到“五个规范”的党支部比例": ("%", True, "P2", (62.5, 92.0, 85.7, 88.9, 80.0)),
    "校级以上党建品牌数量": ("个", True, "P5", (1, 6, 4, 5, 3)),
    "每百名党员专职党务工作人员数": ("人", True, "P4", (0.8, 1.6, 1.4, 1.5, 1.2)),
    "建有智慧党建平台": ("是/否（1=是，0=否）", True, "P1", (0, 1, 1, 1, 0)),
    "党员人均年学习时长": ("小时", True, "P1", (36, 52, 48, 50, 45)),
    "二级院系党组织参与专业建设前置研究比例": ("%", True, "P3", (70, 75, 68, 72, 71)),
    "上级党组织年度指导支部建设次数": ("次/支部", True, "P2", (1.5, 4.0, 3.5, 3.0, 2.5)),
    "党建问题整改平均用时": ("天", False, "P4", (45, 20, 25, 22, 30)),
}
INDICATOR_SOURCES = ["实地调研座谈记录（2026年9月）", "该院2025年党建工作总结", "上级党委组织部统计报表"]


def _indicators() -> tuple[list[Sheet], dict[str, Any]]:
    colleges = [c.name for c in COLLEGES]
    rows, gaps = [], {}
    for k, (ind, (unit, higher, area, values)) in enumerate(INDICATORS.items()):
        for j, (college, v) in enumerate(zip(colleges, values, strict=True)):
            src = "本院党委组织部统计" if college == HOME else INDICATOR_SOURCES[(j + k) % len(INDICATOR_SOURCES)]
            rows.append([college, ind, v, unit, "越高越好" if higher else "越低越好", area, src])
        bench = float(np.mean(values[1:]))
        diff = values[0] - bench
        gaps[ind] = {"home": values[0], "benchmark_mean": round(bench, 6), "diff": round(diff, 6),
                     "higher_is_better": higher, "area": area,
                     "home_behind": bool(diff < 0 if higher else diff > 0)}
    sheet = ("对标指标", ["院校", "指标", "数值", "单位", "方向", "问题领域", "来源"], rows)
    return [sheet, _explain_sheet("indicators")], gaps


def _roster() -> tuple[list[Sheet], dict[str, Any]]:
    rows = []
    for college, totals in ROSTER_TOTALS.items():
        for t, n in zip((1, 2, 3), totals, strict=True):
            rows.append([college, "", MEMBER_TYPES[t], n])
    for branch, members in HOME_BRANCHES.items():
        for t, n in members.items():
            rows.append([HOME, branch, MEMBER_TYPES[t], n])
    sheet = ("党员名册汇总", ["院校", "党支部", "党员类型", "人数"], rows)
    truth = {c: dict(zip(MEMBER_TYPES.values(), v, strict=True)) for c, v in ROSTER_TOTALS.items()}
    return [sheet, _explain_sheet("roster")], {"members": truth, "home_branches": {
        b: {MEMBER_TYPES[t]: n for t, n in m.items()} for b, m in HOME_BRANCHES.items()}}


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------
def _file_names(by_college: dict[str, list[Resp]]) -> dict[str, dict[str, str]]:
    """File name(s) per college, shaped like real downloads (问卷星: ``<id>_按文本_<标题>_<n>_<n>``)."""
    out: dict[str, dict[str, str]] = {}
    for spec in COLLEGES:
        n = len(by_college[spec.name])
        if spec.form == "wjx_text_xlsx":
            out[spec.name] = {"wjx_text": f"{spec.wjx_id}_按文本_{SURVEY_TITLE}_{n}_{n}.xlsx",
                              "wjx_code": f"{spec.wjx_id}_按序号_{SURVEY_TITLE}_{n}_{n}.xlsx"}
        elif spec.form == "wjx_code_csv":
            out[spec.name] = {"wjx_code": f"{spec.wjx_id}_按序号_{SURVEY_TITLE}_{n}_{n}.csv"}
        elif spec.form == "wjx_text_csv":
            out[spec.name] = {"wjx_text": f"{spec.wjx_id}_按文本_{SURVEY_TITLE}_{n}_{n}.csv"}
        elif spec.form == "generic_xlsx":
            out[spec.name] = {"generic": f"{PREFIX}{spec.name}_问卷录入.xlsx"}
        else:
            out[spec.name] = {"summary": f"{PREFIX}对标院校汇总统计.xlsx"}
    return out


OTHER_FILES = {
    "codebook": "codebook.yaml",
    "sessions": f"{PREFIX}座谈会_场次.xlsx",
    "statements": f"{PREFIX}座谈会_发言记录.xlsx",
    "themes": f"{PREFIX}座谈会_主题编码.xlsx",
    "indicators": f"{PREFIX}对标指标.xlsx",
    "roster": f"{PREFIX}党员名册汇总.xlsx",
    "member_names": f"{PREFIX}党员名单.xlsx",
    "truth": "truth.json",
    "readme": "README.md",
}


def _write_questionnaires(out_dir: Path, by_college: dict[str, list[Resp]],
                          names: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Write every questionnaire file; return header lookup ``{file: {column key: header}}``."""
    headers: dict[str, dict[str, str]] = {}
    for spec in COLLEGES:
        rows = by_college[spec.name]
        for form, fname in names[spec.name].items():
            path = out_dir / fname
            if form == "summary":
                head = ["院校", "量表或题目", "名称", "党员类型", "样本量", "均值", "标准差"]
                _write_xlsx(path, [("汇总统计", head, _summary_rows(spec.name, rows)), _explain_sheet("summary")],
                            title=f"{PREFIX}对标院校汇总统计")
                continue
            labels = C_LABEL_VARIANTS if spec.key == "C" else None
            header, body = _table(rows, form, labels)
            headers[fname] = dict(zip([k for k, _h in _columns(form)], header, strict=True))
            if fname.endswith(".csv"):
                _write_csv(path, header, body, encoding="gbk" if form == "wjx_code" else "utf-8-sig")
            else:
                _write_xlsx(path, [("Sheet1", header, body)], title=fname.rsplit(".", 1)[0])
    return headers


def _row_truth(by_college: dict[str, list[Resp]], names: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """Planted extra submissions per category, each with its file(s) and Excel row."""
    cats = {"duplicate": "duplicates", "repeat": "repeated_respondents", "test": "test_submissions",
            "speeder": "speeders", "straight": "straight_liners", "attention": "attention_failures"}
    out: dict[str, list[dict]] = {v: [] for v in cats.values()}
    for spec in COLLEGES:
        if spec.form == "summary":
            continue
        files = sorted(names[spec.name].values())
        for r in by_college[spec.name]:
            if r.kind == "genuine":
                continue
            entry: dict[str, Any] = {"college": spec.name, "files": files, "row": r.row,
                                     "submitted": r.submitted.strftime("%Y/%m/%d %H:%M:%S"), "duration_s": r.duration}
            if r.partner is not None:
                entry["repeats_row"] = r.partner.row
                entry["note"] = "较早的一次提交；按 keep: last 应排除本行、保留 repeats_row"
            if r.kind == "attention":
                entry["answer"] = r.answers[ATTENTION_ID]
            out[cats[r.kind]].append(entry)
    return out


def _cell_truth(recs: dict[str, list[dict]], names: dict[str, dict[str, str]],
                headers: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """Resolve cell-level records to file names and header texts."""
    out: dict[str, list[dict]] = {}
    for college, items in recs.items():
        for rec in items:
            rec = dict(rec)
            form, key = rec.pop("form"), rec.pop("key")
            files = [f for fm, f in sorted(names[college].items()) if form in ("*", fm)]
            rec["college"] = college
            rec["cells"] = [{"file": f, "column": headers[f][key]} for f in files if key in headers[f]]
            if key == "learn_other":
                rec["cells"] = [{"file": f, "column": headers[f]["learn" if "learn" in headers[f] else "learn_7"]}
                                for f in files if "learn" in headers[f] or "learn_7" in headers[f]]
            out.setdefault(rec.pop("category"), []).append(rec)
    return out


def _fake_identifiers(by_college: dict[str, list[Resp]], sym_ids: list[str]) -> dict[str, list[str]]:
    """Every fake identifier as it appears in the raw files (so outputs can be scanned for them)."""
    found: dict[str, set[str]] = {k: set() for k in ("names", "phones", "id_numbers", "ips", "student_staff_numbers",
                                                     "wechat", "emails", "phones_scientific_notation")}
    for spec in COLLEGES:
        if spec.form == "summary":
            continue
        for r in by_college[spec.name]:
            if r.name and r.name != "测试":
                found["names"].add(r.name)
            raw_phone = next((v for (sc, k), v in r.overrides.items() if k == "phone"), r.phone)
            if isinstance(raw_phone, str) and "E+" in raw_phone:
                found["phones_scientific_notation"].add(raw_phone)
            elif isinstance(raw_phone, str):  # as written (a variant such as 138-0013-1234 included)
                found["phones"].add(raw_phone)
            elif r.phone:  # a number cell in the hand-typed file
                found["phones"].add(r.phone)
            if r.sid and r.member_type != 3:
                found["id_numbers" if len(r.sid) == 18 else "student_staff_numbers"].add(r.sid)
            if r.wechat:
                found["wechat"].add(r.wechat)
            if spec.form != "generic_xlsx":
                found["ips"].add(r.ip)
            for kind, value in r.embedded:
                found[kind].add(value)
    for v in sym_ids:
        found["phones" if v.isdigit() else "names"].add(v)
    return {k: sorted(v) for k, v in found.items()}


def _quadrants() -> dict[str, str]:
    """Planted IPA quadrant of each project for the home college (cut at the means of the eight)."""
    imp, perf = IMPORTANCE_MEANS, PERFORMANCE_MEANS["home"]
    mi, mp = np.mean(list(imp.values())), np.mean(list(perf.values()))
    names = {(True, True): "继续保持", (True, False): "重点改进", (False, True): "可能过度投入", (False, False): "低优先级"}
    return {p: names[(imp[p] > mi, perf[p] > mp)] for p in PROJECTS}


def _effects_truth(by_college: dict[str, list[Resp]]) -> dict[str, Any]:
    latent = {}
    for spec in COLLEGES:
        home = spec.name == HOME
        latent[spec.name] = {MEMBER_TYPES[t]: {s: round(BASE_MEANS[s] + TYPE_EFFECT[t] + (HOME_GAP[s] if home else spec.offset), 6)
                                               for s in SCALE_IDS} for t in (1, 2, 3)}
    realised = _realised(by_college)
    return {
        "model": "潜变量 θ_s = μ(院校, 党员类型, 维度) + 0.7·(√0.4·g + √0.6·e_s)；题目 y = clip(round(θ_s + b_j + N(0, 0.65²)), 1, 5)；反向题记为 6 − y",
        "base_means": BASE_MEANS, "member_type_effect": {MEMBER_TYPES[t]: v for t, v in TYPE_EFFECT.items()},
        "home_gap_points": HOME_GAP, "benchmark_offsets": {c.name: c.offset for c in COLLEGES if c.name != HOME},
        "latent_sd": LATENT_SD, "general_share": GENERAL_SHARE, "item_noise_sd": ITEM_NOISE_SD,
        "item_offsets": {it[0]: it[3] for s in SCALES for it in s[3]},
        "reverse_items": sorted(REVERSE_ITEMS),
        "latent_means": latent,
        "genuine_member_type_counts": {c.name: dict(zip(MEMBER_TYPES.values(), c.mix, strict=True)) for c in COLLEGES},
        "expected": {s: ("behind" if HOME_GAP[s] <= -0.3 else "level") for s in SCALE_IDS},
        "planted_gap_sd_approx": {s: round(HOME_GAP[s] / realised["pooled_within_cell_sd"][s], 6) for s in SCALE_IDS},
        "realised": realised,
        "confounding": "本院离退休党员占 40%（对标院校约 15%），离退休党员各维度评分高 0.45 分，"
                       "故不分党员类型的朴素比较会低估本院在 P2、P4、P5 上的差距，并使 P1、P3 看起来略高。",
    }


def _ipa_truth(by_college: dict[str, list[Resp]]) -> dict[str, Any]:
    home = [r for r in by_college[HOME] if r.kind == "genuine"]
    quadrants = _quadrants()
    return {
        "importance_means": IMPORTANCE_MEANS, "performance_means": PERFORMANCE_MEANS,
        "performance_member_type_effect": {MEMBER_TYPES[t]: v for t, v in PERF_TYPE_EFFECT.items()},
        "items": {p: {"importance": IMP_IDS[j], "performance": PERF_IDS[j]} for j, p in enumerate(PROJECTS)},
        "quadrants_home": quadrants,
        "priority_projects": [p for p in PROJECTS if quadrants[p] == "重点改进"],
        "realised_home_means": {p: {"importance": round(float(np.mean([r.answers[IMP_IDS[j]] for r in home])), 6),
                                    "performance": round(float(np.mean([r.answers[PERF_IDS[j]] for r in home])), 6)}
                                for j, p in enumerate(PROJECTS)},
    }


README = """# 合成演示数据（合成数据，仅供演示）

本文件夹中的所有文件均由 `survey demo`（`survey/demo.py`，随机种子 {seed}）自动生成，
**合成数据，仅供演示**：不含任何真实单位、真实人员或真实答卷。人名（如“张某甲”）、手机号
（1380013xxxx）、身份证号（出生年份 1900）、IP（RFC 5737 文档专用地址段）、学号（2099 级）
均为虚构，仅模仿真实数据的形态，用于演示清洗、去标识化和统计分析流程。

重新生成：`survey demo --out data/raw/demo --seed {seed}`，结果逐字节一致。

## 文件一览

| 文件 | 内容 |
|---|---|
{file_table}

## 问卷（五所院校，每校约 150 名有效答卷人）

- 本院：问卷星“按文本”下载（.xlsx）及同一批答卷的“按序号”下载（.xlsx，用于核对选项编码与文字是否一致，其中故意放了一处不一致）。
- 甲市技师学院：问卷星“按序号”下载（.csv，GBK 编码；多选题每个选项一列 0/1，`-3` 表示因跳题逻辑未作答，排序题未选的选项为 `-2`，“其他”选项列写作 `1〖填写内容〗`——此写法为本项目的假定，尚未与真实下载核实）。
- 乙市高级技工学校：研究助理手工录入的通用表格（.xlsx，列名为题目编号；提交时间为 Excel 日期序列号；未录入多选、排序和开放题）。
- 丙市城市建设职业学院：问卷星“按文本”下载（.csv，UTF-8 带 BOM；该校问卷的个别选项文字与本院版本不同，如“在职党员”“退休党员”“一般党员”）。
- 丁市工程技师学院：未提供原始答卷，只有汇总统计（各维度、各题的样本量、均值、标准差，另按党员类型给出各维度统计）。

## 故意埋入的问题（全部记录在 truth.json 中）

重复提交、同一手机号的重复作答、调查开始（2026-09-01）前的测试提交、答题过快、直线作答、
注意力检测题未通过、超出范围的编码（6、9，党龄 88）、全角数字、党支部名称写法不一、
手机号与开放题中的虚构个人信息、以 `=`、`@`、`+`、`-` 开头的文本、科学计数法显示的手机号、
“按序号”与“按文本”不一致的一个单元格；座谈会编码中的全角、小写、空格和同义词写法。

## 其他文件的列

- 座谈会场次：场次编号、日期、座谈对象、参会人数、地点。
- 座谈会发言记录：序号、场次编号、发言人（化名）、发言内容、编码员A、编码员B（多个编码以 `;` 或 `；` 分隔）。
- 座谈会主题编码：主题编码、主题名称、问题领域（P1–P5，可多个）、对应项目、同义词。
- 对标指标（长表）：院校、指标、数值、单位、方向（越高越好 / 越低越好）、问题领域、来源。
- 党员名册汇总：院校、党支部（空 = 该院校合计）、党员类型、人数。
- 对标院校汇总统计：院校、量表或题目、名称、党员类型（空 = 全体）、样本量、均值、标准差。

`truth.json`（UTF-8，键已排序）记录全部埋入的参数与问题及其所在文件和 Excel 行号（表头为第 1 行），供测试核对。
"""


def _clean_out_dir(out_dir: Path) -> None:
    """Remove files a previous generation wrote (only ours: names carrying 合成演示 or fixed names)."""
    for p in out_dir.iterdir():
        if p.is_file() and ("合成演示" in p.name or p.name in OTHER_FILES.values()):
            p.unlink()


def generate_demo(out_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Write the whole synthetic demo study into ``out_dir`` and return its truth.

    Parameters
    ----------
    out_dir
        Folder to write into (created if needed). Files from an earlier generation are replaced.
    seed
        Random seed; the same seed gives byte-identical files.

    Returns
    -------
    dict
        The content of ``truth.json``: planted parameters, planted problems with file and Excel
        row, realised statistics of the genuine rows, symposium/indicator/roster truth and every
        fake identifier.

    Examples
    --------
    >>> truth = generate_demo(Path("data/raw/demo"))  # doctest: +SKIP
    >>> truth["effects"]["expected"]["P2"]  # doctest: +SKIP
    'behind'
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean_out_dir(out_dir)
    fakes = _Fakes(_rng(seed, "identifiers"))
    by_college: dict[str, list[Resp]] = {}
    cell_recs: dict[str, list[dict]] = {}
    for spec in COLLEGES:
        own = fakes if spec.form != "summary" else _Fakes(_rng(seed, "identifiers", "summary-only"))
        by_college[spec.name] = _college_rows(spec, seed, own)
        if spec.form != "summary":
            rng = _rng(seed, "cells", spec.key)
            cell_recs[spec.name] = _plant_branch_variants(
                by_college[spec.name], rng, gbk=spec.form == "wjx_code_csv") + _plant_cells(
                spec, by_college[spec.name], rng, fakes)
    names = _file_names(by_college)
    headers = _write_questionnaires(out_dir, by_college, names)
    _write_codebook(out_dir / OTHER_FILES["codebook"])
    sessions, statements, themes, sym_truth = _symposium(seed, fakes)
    _write_xlsx(out_dir / OTHER_FILES["sessions"], sessions, title=f"{PREFIX}座谈会场次")
    _write_xlsx(out_dir / OTHER_FILES["statements"], statements, title=f"{PREFIX}座谈会发言记录")
    _write_xlsx(out_dir / OTHER_FILES["themes"], themes, title=f"{PREFIX}座谈会主题编码")
    ind_sheets, ind_truth = _indicators()
    _write_xlsx(out_dir / OTHER_FILES["indicators"], ind_sheets, title=f"{PREFIX}对标指标")
    roster_sheets, roster_truth = _roster()
    _write_xlsx(out_dir / OTHER_FILES["roster"], roster_sheets, title=f"{PREFIX}党员名册汇总")
    # The member list (names only) lets the pipeline scrub names of people who are mentioned in
    # free text or symposium statements but never answered the questionnaire themselves.
    member_names = [[n] for n in sorted(fakes.used["names"])]
    _write_xlsx(out_dir / OTHER_FILES["member_names"],
                [("党员名单", ["姓名"], member_names), _explain_sheet("member_names")],
                title=f"{PREFIX}党员名单")

    planted = _row_truth(by_college, names) | _cell_truth(cell_recs, names, headers)
    files = {}
    for spec in COLLEGES:
        rows = by_college[spec.name]
        for form, fname in names[spec.name].items():
            files[fname] = {"college": spec.name, "format": form,
                            "encoding": {"wjx_code_csv": "gbk", "wjx_text_csv": "utf-8-sig"}.get(spec.form),
                            "n_rows": len(rows) if form != "summary" else None,
                            "n_genuine": sum(r.kind == "genuine" for r in rows),
                            "planted_extra_rows": sorted(r.row for r in rows if r.kind != "genuine") if form != "summary" else []}
    sym_ids = [v for st in sym_truth["statements"] for v in st["identifiers"]]
    truth = {
        "synthetic": True, "note": "合成数据，仅供演示", "seed": seed, "generator": "survey.demo.generate_demo",
        "fieldwork": {"start": FIELD_START.isoformat(), "end": FIELD_END.isoformat()},
        "home": HOME, "colleges": [c.name for c in COLLEGES], "files": files,
        "other_files": {k: v for k, v in OTHER_FILES.items()},
        "crosscheck": {"text": names[HOME]["wjx_text"], "code": names[HOME]["wjx_code"]},
        "summary_only": {"college": COLLEGES[-1].name, "file": names[COLLEGES[-1].name]["summary"]},
        "option_label_variants": {"丙市城市建设职业学院": {k: {str(c): lab for c, lab in v.items()}
                                                          for k, v in C_LABEL_VARIANTS.items()}},
        "planted": planted,
        "counts": {cat: _count_by_file(entries) for cat, entries in sorted(planted.items())},
        "effects": _effects_truth(by_college), "ipa": _ipa_truth(by_college),
        "symposium": sym_truth, "indicators": ind_truth, "roster": roster_truth,
        "fake_identifiers": _fake_identifiers(by_college, sym_ids),
    }
    (out_dir / OTHER_FILES["truth"]).write_bytes(
        (json.dumps(truth, ensure_ascii=False, sort_keys=True, indent=1, default=str) + "\n").encode("utf-8"))
    table = "\n".join(f"| `{f}` | {_describe(f, files)} |" for f in sorted(list(files) + list(OTHER_FILES.values())))
    (out_dir / OTHER_FILES["readme"]).write_bytes(README.format(seed=seed, file_table=table).encode("utf-8"))
    return json.loads(json.dumps(truth, ensure_ascii=False, sort_keys=True, default=str))


def _count_by_file(entries: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in entries:
        for f in e.get("files") or sorted({c["file"] for c in e.get("cells", [])}):
            counts[f] = counts.get(f, 0) + 1
    return dict(sorted(counts.items()))


def _describe(fname: str, files: dict[str, dict]) -> str:
    if fname in files:
        info = files[fname]
        kind = {"wjx_text": "问卷星按文本下载", "wjx_code": "问卷星按序号下载", "generic": "手工录入表格",
                "summary": "汇总统计（无原始答卷）"}[info["format"]]
        return f"{info['college']}：{kind}"
    return {"codebook.yaml": "问卷编码手册", "truth.json": "埋入参数与问题清单（供测试）", "README.md": "本说明",
            OTHER_FILES["sessions"]: "座谈会场次", OTHER_FILES["statements"]: "座谈会发言记录（双人编码）",
            OTHER_FILES["themes"]: "座谈会主题编码表", OTHER_FILES["indicators"]: "对标指标（长表）",
            OTHER_FILES["roster"]: "党员名册汇总",
            OTHER_FILES["member_names"]: "党员名单（仅用于脱敏）"}[fname]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: ``survey demo [--out DIR] [--seed N]`` (also ``python -m survey.demo.generate``)."""
    from survey.paths import DEMO_RAW_DIR

    parser = argparse.ArgumentParser(prog="survey demo", description="重新生成合成演示数据（确定性，可复现）")
    parser.add_argument("--out", default=None, help="输出文件夹（默认：data/raw/demo）")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else DEMO_RAW_DIR
    generate_demo(out, seed=args.seed)
    print(f"已生成合成演示数据（随机种子 {args.seed}）：{out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
