"""The synthetic demo study's world: questionnaire, colleges, planted effects, respondents.

The population model (latent scale scores per college and member type, the home college's
planted gaps, importance–performance means), the fake identifiers, one respondent's answers,
and the other instruments of the study (symposium sessions and their coded statements,
benchmark indicators, the roster). :mod:`survey.demo.mess` adds the planted export mess,
:mod:`survey.demo.writers` renders and writes the files, :mod:`survey.demo.truth` builds
``truth.json``; :func:`survey.demo.generate_demo` drives them.

Random numbers come from one seeded :class:`numpy.random.Generator` per component
(:func:`_rng`), so regeneration is deterministic byte for byte.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
    #: ``wjx_text_xlsx``, ``wjx_code_csv``, ``generic_xlsx``, ``wjx_text_csv``, ``tencent_csv`` or ``summary``.
    form: str
    mix: tuple[int, int, int]  # genuine respondents per member type (staff, student, retired)
    offset: float  # benchmark college's shift on every scale (points), 0 for home
    places: tuple[str, ...]
    wjx_id: int
    mess: dict[str, int] = field(default_factory=dict)
    #: Size relative to the demo study's college it was scaled from (cell-level mess scales with it).
    factor: float = 1.0
    #: The home college's planted gaps of this college's wave (points per scale); ``None`` for the
    #: current wave (:data:`HOME_GAP`). Only the home college carries it (:func:`home_gap`).
    gap: dict[str, float] | None = None

    def shift(self, scale: str) -> float:
        """Planted shift of this college on one scale (points): the home gap or the benchmark offset."""
        if self.name != HOME:
            return self.offset
        return (HOME_GAP if self.gap is None else self.gap)[scale]


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

#: The current wave (the committed ``data/raw/demo``) and the earlier wave written beside it.
CURRENT_WAVE = "2026年"
EARLIER_WAVE = "2025年"
#: How much the home college's gap to the benchmarks closes from the earlier wave to the current
#: one (points on the 1–5 scale): in 2025 the home college was this much further behind on P2
#: (过硬党支部建设) and P4 (服务型党组织建设). Dimensions not named (P1, P3, P5) keep their gap;
#: in particular the P5 gap (品牌示范) does not close.
GAP_CLOSING: dict[str, float] = {"P2": 0.30, "P4": 0.25}
#: Home respondents who answered both waves under the same respondent key (the phone number,
#: ``respondent_key: true`` in the codebook), hence the same pseudonym with the same study key.
SHARED_RESPONDENTS = 40
#: The earlier wave's seed is the current seed minus this (20261127 -> 20251127).
EARLIER_SEED_SHIFT = 10_000
#: Submission times of the earlier wave are the current wave's calendar a year (365 days) earlier.
EARLIER_WAVE_DAYS = 365
#: The benchmark college whose earlier-wave answers arrive as a 腾讯问卷 download (the current
#: wave's are a 问卷星 按文本 CSV): the demo keeps one 腾讯问卷 file, planted mess included.
EARLIER_TENCENT = "丙市城市建设职业学院"


def home_gap(wave: str = CURRENT_WAVE) -> dict[str, float]:
    """The home college's planted gap to the benchmark average per scale in one wave (points).

    Parameters
    ----------
    wave
        :data:`CURRENT_WAVE` (:data:`HOME_GAP`) or :data:`EARLIER_WAVE` (:data:`HOME_GAP` minus
        :data:`GAP_CLOSING`, i.e. further behind on P2 and P4).

    Returns
    -------
    dict
        Scale id -> home mean minus benchmark mean, within every member type.
    """
    if wave == CURRENT_WAVE:
        return dict(HOME_GAP)
    if wave == EARLIER_WAVE:
        return {s: round(g - GAP_CLOSING.get(s, 0.0), 6) for s, g in HOME_GAP.items()}
    raise ValueError(f"unknown wave {wave!r}")
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

    def __init__(self, rng: np.random.Generator, phone_blocks: int = 1,
                 exclude: frozenset[str] = frozenset()) -> None:
        self.rng = rng
        # 1380013xxxx: the textbook example number, obviously fake; 0000 is kept for tests. A
        # scaled study needs more than 9,999 numbers: block k adds 13800130000 + k·10000 onwards.
        # ``exclude``: numbers never issued (another wave's, so that waves share only planted ones).
        self._phones = iter(x for x in (int(v) for v in rng.permutation(np.arange(1, 10000 * phone_blocks)))
                            if str(13800130000 + x) not in exclude)
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
        return self._keep("phones", str(13800130000 + next(self._phones)))

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
    partner: Resp | None = None
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
    mu = {s: BASE_MEANS[s] + TYPE_EFFECT[mtype] + spec.shift(s) for s in SCALE_IDS}
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
# Symposium (座谈会)
# ---------------------------------------------------------------------------------------------
#: One worksheet: (sheet name, header, rows).
Sheet = tuple[str, list[str], list[list[Any]]]

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
    statements: list[list[Any]] = []
    truth_rows: list[dict[str, Any]] = []  # JSON records of the planted truth
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
    freq: dict[str, dict[str, int]] = {g: {} for g in GROUPS}
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


def _indicators(world: World) -> tuple[list[Sheet], dict[str, Any]]:
    colleges = [c.name for c in world.colleges]
    rows, gaps = [], {}
    for k, (ind, (unit, higher, area, _demo)) in enumerate(INDICATORS.items()):
        values = world.indicators[ind]
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


def _roster(world: World) -> tuple[list[Sheet], dict[str, Any]]:
    rows = []
    for college, totals in world.roster.items():
        for t, n in zip((1, 2, 3), totals, strict=True):
            rows.append([college, "", MEMBER_TYPES[t], n])
    for branch, members in world.home_branches.items():
        for t, n in members.items():
            rows.append([HOME, branch, MEMBER_TYPES[t], n])
    sheet = ("党员名册汇总", ["院校", "党支部", "党员类型", "人数"], rows)
    truth = {c: dict(zip(MEMBER_TYPES.values(), v, strict=True)) for c, v in world.roster.items()}
    return [sheet, _explain_sheet("roster")], {"members": truth, "home_branches": {
        b: {MEMBER_TYPES[t]: n for t, n in m.items()} for b, m in world.home_branches.items()}}


# ---------------------------------------------------------------------------------------------
# Scaled studies (``survey demo --respondents N --colleges K``)
# ---------------------------------------------------------------------------------------------
#: Benchmark colleges beyond the demo's four: (name, key, offset, places, 问卷星 id); their form,
#: member-type mix, mess, roster and indicator values are those of 甲, 乙, 丙 in turn.
EXTRA_COLLEGES: list[tuple[str, str, float, tuple[str, ...], int]] = [
    ("戊市技师学院", "E", 0.03, ("安徽-合肥",), 304567890),
    ("己市技工学校", "F", -0.02, ("河南-郑州",), 0),
    ("庚市职业技术学院", "G", 0.01, ("湖北-武汉", "湖北-宜昌"), 305678901),
    ("辛市技师学院", "H", -0.05, ("湖南-长沙",), 306789012),
    ("壬市高级技工学校", "I", 0.04, ("四川-成都",), 0),
]
MIN_COLLEGES, MAX_COLLEGES = 3, len(COLLEGES) + len(EXTRA_COLLEGES)
#: Fewest genuine respondents per college × member type cell of a scaled study.
MIN_CELL = 5


@dataclass(frozen=True)
class World:
    """The colleges of one generation and everything that scales with them.

    ``scale`` is ``None`` for the demo study itself, else ``{"respondents": N, "colleges": K}``.
    """

    colleges: tuple[CollegeSpec, ...]
    roster: dict[str, tuple[int, int, int]]
    home_branches: dict[str, dict[int, int]]
    #: indicator -> one value per college, in ``colleges`` order.
    indicators: dict[str, tuple[float, ...]]
    scale: dict[str, int] | None = None
    phone_blocks: int = 1
    wave: str = CURRENT_WAVE

    @property
    def home_gap(self) -> dict[str, float]:
        """The home college's planted gaps of this world's wave (:func:`home_gap`)."""
        return home_gap(self.wave)

    @property
    def summary(self) -> CollegeSpec:
        """The benchmark college present only as summary statistics."""
        return next(c for c in self.colleges if c.form == "summary")


DEMO_WORLD = World(tuple(COLLEGES), ROSTER_TOTALS, HOME_BRANCHES,
                   {ind: spec[3] for ind, spec in INDICATORS.items()})


def _largest_remainder(weights: Sequence[float], total: int) -> list[int]:
    """Integers proportional to ``weights`` that sum to ``total`` (Hamilton's method)."""
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * total
    out = np.floor(exact).astype(int)
    order = np.argsort(-(exact - out), kind="stable")
    out[order[: total - int(out.sum())]] += 1
    return [int(v) for v in out]


def build_world(respondents: int | None = None, colleges: int = len(COLLEGES)) -> World:
    """The demo study's colleges, or a scaled study with the same planted effects and mess.

    Parameters
    ----------
    respondents
        Genuine respondents over all colleges (the summary-only college included); ``None``
        keeps the demo's 150 per college.
    colleges
        Colleges including the home college, 3 to 10. The summary-only college 丁 is always
        one of them; beyond the demo's five, 戊, 己, 庚 … copy the formats of 甲, 乙, 丙 in turn.

    Returns
    -------
    World
        :data:`DEMO_WORLD` for the defaults. Otherwise every college × member type cell is
        scaled by the same factor (largest remainders, so the cells sum to ``respondents``);
        planted extra rows, cell-level mess and roster counts scale with their college.

    Raises
    ------
    SurveyError
        ``colleges`` outside 3–10, or so few respondents that a cell gets fewer than 5.
    """
    from survey.errors import SurveyError

    if respondents is None and colleges == len(COLLEGES):
        return DEMO_WORLD
    if not MIN_COLLEGES <= colleges <= MAX_COLLEGES:
        raise SurveyError(f"院校数 {colleges} 超出范围", key="--colleges",
                          expected=f"{MIN_COLLEGES} 到 {MAX_COLLEGES} 之间的整数（含本院和只有汇总统计的丁市工程技师学院）")
    home, raw, summary = COLLEGES[0], list(COLLEGES[1:4]), COLLEGES[4]
    templates = [COLLEGES[1 + i % 3] for i in range(len(EXTRA_COLLEGES))]
    extras = [CollegeSpec(name, key, t.form, t.mix, offset, places, wjx_id, dict(t.mess))
              for (name, key, offset, places, wjx_id), t in zip(EXTRA_COLLEGES, templates, strict=True)]
    chosen = [home] + raw[: colleges - 2] + [summary] + extras[: max(0, colleges - 5)]
    template_of = {s.name: s for s in COLLEGES} | {e.name: t for e, t in zip(extras, templates, strict=True)}
    base = [m for s in chosen for m in s.mix]
    total = sum(base) if respondents is None else int(respondents)
    cells = _largest_remainder(base, total)
    if min(cells) < MIN_CELL:
        needed = int(np.ceil(MIN_CELL * sum(base) / min(base)))
        raise SurveyError(f"答卷人数 {total:,} 太少，分到 {colleges} 所院校的三类党员后有的类别不足 {MIN_CELL} 人",
                          key="--respondents", expected=f"不少于 {needed:,} 人")
    specs, roster, branches = [], {}, {}
    for i, s in enumerate(chosen):
        mix = tuple(cells[3 * i: 3 * i + 3])
        f = sum(mix) / sum(s.mix)
        mess = {k: max(1, round(v * f)) for k, v in s.mess.items()}
        specs.append(CollegeSpec(s.name, s.key, s.form, mix, s.offset, s.places, s.wjx_id, mess, f))  # type: ignore[arg-type]
        if s.name == HOME:
            branches = {b: {t: max(1, round(n * f)) for t, n in m.items()} for b, m in HOME_BRANCHES.items()}
            roster[s.name] = tuple(sum(m.get(t, 0) for m in branches.values()) for t in (1, 2, 3))
        else:
            roster[s.name] = tuple(max(1, round(n * f)) for n in ROSTER_TOTALS[template_of[s.name].name])
    position = {c.name: j for j, c in enumerate(COLLEGES)}
    indicators = {ind: tuple(spec[3][position[template_of[c.name].name]] for c in chosen)
                  for ind, spec in INDICATORS.items()}
    rows = total * 1.1 + 1000  # genuine + planted rows, plus phones planted in free text
    return World(tuple(specs), roster, branches, indicators,  # type: ignore[arg-type]
                 scale={"respondents": total, "colleges": colleges}, phone_blocks=int(np.ceil(rows / 9999)))


def earlier_world() -> World:
    """The demo study's earlier wave (:data:`EARLIER_WAVE`): the same colleges and roster, the
    home college further behind by :data:`GAP_CLOSING`, new 问卷星 survey ids; the college of
    :data:`EARLIER_TENCENT` sent a 腾讯问卷 download (``tencent_csv``) in that wave."""
    specs = tuple(dataclasses.replace(c, wjx_id=c.wjx_id - 100_000 if c.wjx_id else 0,
                                      gap=home_gap(EARLIER_WAVE) if c.name == HOME else None,
                                      form="tencent_csv" if c.name == EARLIER_TENCENT else c.form)
                  for c in COLLEGES)
    return dataclasses.replace(DEMO_WORLD, colleges=specs, wave=EARLIER_WAVE)
