"""The one identifier detector: recall on every spelling, no false positives on ordinary text.

Recall is proved with hypothesis: identifiers are generated in every spelling the detector
claims to handle and planted inside random Chinese text; each must be found with its exact
span. The planted corpus of context names (people not on any list) has no 100% guarantee:
its recall is measured, asserted against a floor and reported in the closing note of the
test run (``tests/privacy/conftest.py``).
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.clean.identifiers import (
    PLACEHOLDER,
    IdentifierDetector,
    Match,
    id_card_valid,
    redact_value,
    redact_values,
    scrub_message,
)

ROSTER = ["张某乙", "欧阳某某", "李明", "王小二"]
DET = IdentifierDetector(ROSTER, numbers=["2099105295", "JS2020001"], number_patterns=[r"GH\d{6}"])

# -- generators -------------------------------------------------------------------------------
_FW = str.maketrans("0123456789-. ", "０１２３４５６７８９－．\u3000")
#: Chinese filler: characters and punctuation, no digits or letters, no context words.
FILLER = st.text(alphabet="党建工作支部学习活动很好希望加强规范组织生活制度落实，。；！？、 ", max_size=12)


def _check_digit(first17: str) -> str:
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * x for c, x in zip(first17, w, strict=True)) % 11]


@st.composite
def id_cards(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 659999))
    born = date(1900, 1, 1) + timedelta(days=draw(st.integers(0, 45000)))
    seq = draw(st.integers(0, 999))
    if draw(st.booleans()):  # 18 digits with check digit
        body = f"{region}{born:%Y%m%d}{seq:03d}"
        s = body + _check_digit(body)
        if s.endswith("X") and draw(st.booleans()):
            s = s[:-1] + "x"
        sep = draw(st.sampled_from(["", " ", "-"]))
        groups = [s[:6], s[6:10], s[10:14], s[14:]] if draw(st.booleans()) else [s[:6], s[6:14], s[14:]]
    else:  # old 15 digits
        born = born.replace(year=1900 + born.year % 100)
        s = f"{region}{born:%y%m%d}{seq:03d}"
        sep = draw(st.sampled_from(["", " ", "-"]))
        groups = [s[:6], s[6:12], s[12:]]
    text = sep.join(groups)
    return text.translate(_FW) if draw(st.booleans()) else text


@st.composite
def phones(draw: st.DrawFn) -> str:
    d = f"1{draw(st.integers(3, 9))}{draw(st.integers(0, 999_999_999)):09d}"
    sep = draw(st.sampled_from([" ", "-", ".", " - "]))
    body = draw(st.sampled_from([
        d, sep.join([d[:3], d[3:7], d[7:]]), sep.join([d[:4], d[4:7], d[7:]]),
        sep.join([d[:3], d[3:]]), sep.join([d[:7], d[7:]]),
    ]))  # fmt: skip
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86 ", "(+86)", "+86-"]))
    text = prefix + body
    return text.translate(_FW) if draw(st.booleans()) else text


EMAILS = st.from_regex(r"[a-z][a-z0-9._]{0,8}@[a-z0-9]{2,8}\.(com|cn|edu\.cn|org)", fullmatch=True)
IPV4 = st.ip_addresses(v=4).map(str)
IPV6 = st.ip_addresses(v=6).map(lambda a: a.exploded if a.exploded.count("0000") > 6 else str(a)).filter(
    lambda s: sum(1 for g in s.split(":") if g) >= 3 and "." not in s
)


@st.composite
def keyworded(draw: st.DrawFn) -> tuple[str, str]:
    """(keyword + separator, value) for QQ, WeChat and student/staff numbers."""
    kind = draw(st.sampled_from(["qq", "wechat", "student_staff_no"]))
    sep = draw(st.sampled_from(["", " ", "：", ":", "是", "号：", "号码"]))
    if kind == "qq":
        return draw(st.sampled_from(["QQ", "qq", "扣扣"])) + sep, str(draw(st.integers(10_000, 99_999_999_999)))
    if kind == "wechat":
        word = draw(st.sampled_from(["微信", "微信号", "vx", "WeChat"]))
        ident = draw(st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{5,15}", fullmatch=True))
        return word + sep.replace("号码", "号"), ident
    word = draw(st.sampled_from(["学号", "工号", "职工号", "学籍号"]))
    return word + sep.replace("号码", "").replace("号：", "："), draw(st.from_regex(r"[A-Z]{0,2}[0-9]{6,12}", fullmatch=True))


@st.composite
def spaced_names(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ROSTER))
    sep = draw(st.sampled_from(["", " ", "\u3000", "  ", "·"]))
    return sep.join(name)


PATTERNED = {
    "id_card": id_cards(),
    "phone": phones(),
    "email": EMAILS,
    "ip": st.one_of(IPV4, IPV6),
    "name": spaced_names(),
    "student_staff_no": st.sampled_from(["2099105295", "JS2020001", "GH123456"]),
}


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(PATTERNED)).flatmap(lambda k: st.tuples(st.just(k), PATTERNED[k])), FILLER, FILLER)
def test_recall_is_complete_for_patterned_kinds(kind_value, before, after):
    kind, value = kind_value
    text = before + value + after
    found = DET.find(text)
    assert Match(kind, len(before), len(before) + len(value)) in found, (text, found)
    scrubbed, counts = DET.scrub(text)
    assert scrubbed == before + PLACEHOLDER + after and counts == {kind: 1}


@settings(max_examples=300, deadline=None)
@given(keyworded(), FILLER, FILLER)
def test_recall_is_complete_after_keywords(word_value, before, after):
    word, value = word_value
    text = before + word + value + after
    start = len(before) + len(word)
    assert [(m.start, m.end) for m in DET.find(text)] == [(start, start + len(value))], text


@given(st.lists(st.one_of(*PATTERNED.values()), min_size=1, max_size=5), FILLER)
def test_several_identifiers_in_one_text_all_go(values, glue):
    text = glue.join(["意见："] + values + ["谢谢"]) if glue else "，".join(["意见："] + values + ["谢谢"])
    scrubbed, counts = DET.scrub(text)
    assert sum(counts.values()) >= len(values)
    for v in values:
        assert v not in scrubbed


def test_checksum_and_dates_decide_id_numbers():
    assert id_card_valid("11010519491231002X") and id_card_valid("370103190006101186")
    assert not id_card_valid("110105194912310021")  # wrong check digit
    assert not id_card_valid("110105194902300027")  # 30 February
    assert not id_card_valid("110105491331002")  # month 13
    assert DET.scrub("号码110105194912310021")[1] == {}
    # ... but after its keyword a mistyped ID number is taken all the same.
    assert DET.scrub("身份证号：110105194912310021")[0] == f"身份证号：{PLACEHOLDER}"
    assert DET.scrub("证件号 370102199003071234。")[0] == f"证件号 {PLACEHOLDER}。"


@pytest.mark.parametrize(
    "text",
    [
        "2026年第3次主题党日，共120人参加，占85%",
        "平均4.5分，标准差0.87，满分5分",
        "2026-09-03 12:00:00 提交；日期20260903；2026.09.03",
        "党龄15年，入党时间2011年7月1日",
        "党龄：3；党龄 12 年；36.5",
        "经费100000元，人均1500.50元",
        "编号12345678901不是手机号",
        "20261127随机种子，流水号138001380001234",
        "版本 3.1.2，时间 10:30:45，比分 3:2",
        "第1、2、3条意见；1-2次；3～5人",
        "给大家做榜样，找到了方向，给予支持，找工作",
        "联系实际，负责人员到位，姓名：",
        "负责人高度重视，联系群众，问题不少",
        "我是党员，也是老师；学院的张老师",
        "学习毛泽东同志的讲话，总书记习近平的重要讲话",
        "QQ群很活跃，微信群里通知，学号不好记",
        "电话联系，手机上学习，邮箱也可以",
        "每周1次，每次2小时，约占30%的时间",
        "第12题(我所在党组织的理论学习形式丰富多样)",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert DET.find(text) == [], DET.find(text)


# -- context names: measured recall -------------------------------------------------------------
_CONTEXTS = ["联系人{}", "负责人：{}。", "姓名 {}", "请找{}。", "给{}打电话", "联系{}，", "组织员{}，",
             "支部书记{}（", "我是{}，", "{}老师讲得好", "{}同学", "联系人是{}"]  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁欧阳高方"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏飞某甲乙丙丁"


def planted_context_corpus(n: int = 600, seed: int = 20261202) -> list[tuple[str, str]]:
    """``(sentence, name)`` pairs: a random name in a random context inside filler text."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        surname = "欧阳" if rng.random() < 0.05 else rng.choice(_SURNAMES[:-4] + "高方")
        name = surname + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))
        out.append(("希望加强学习，" + rng.choice(_CONTEXTS).format(name) + "谢谢", name))
    return out


def test_context_name_recall_is_measured_and_reported(context_recall):
    det = IdentifierDetector()
    corpus = planted_context_corpus()
    found = 0
    for text, name in corpus:
        scrubbed, _ = det.scrub(text)
        found += name not in scrubbed
    recall = found / len(corpus)
    context_recall["context names (no list)"] = (found, len(corpus))
    assert recall >= 0.9


# -- values, messages ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9", "9"), ("88", "88"), ("-1", "-1"), ("4.5", "4.5"), ("不清楚", "不清楚"), ("", ""),
        ("13800138000", "[已隐去，11个字符]"), ("11010519491231002X", "[已隐去，18个字符]"),
        ("张三", "[已隐去，2个字符]"), ("欧阳某某", "[已隐去，4个字符]"),
        ("1234567", "[已隐去，7个字符]"), ("这是一个很长的回答内容", "[已隐去，11个字符]"),
        (None, ""), (np.nan, ""), (3.0, "3.0"),
    ],
)
def test_redact_value_keeps_only_plausible_answers(value, expected):
    assert redact_value(value) == expected


def test_redact_values_matches_elementwise():
    vals = np.array(["6", "13800138000", "6", None, "张三"], dtype=object)
    assert redact_values(vals).tolist() == [redact_value(v) for v in vals]


def test_messages_quote_values_through_the_detector():
    msg = "第 5 行的值 13800138000 无效；邮箱 a@b.cn；列：1、您的姓名；共 120 条"
    assert scrub_message(msg) == f"第 5 行的值 {PLACEHOLDER} 无效；邮箱 {PLACEHOLDER}；列：1、您的姓名；共 120 条"


def test_survey_error_and_warning_texts_are_scrubbed():
    from survey.errors import SurveyError, SurveyWarning

    err = SurveyError("手机号 138-0013-8000 重复", column="2、您的手机号码", expected="不重复")
    assert "8000" not in str(err) and PLACEHOLDER in err.message_zh()
    with pytest.warns(SurveyWarning) as rec:
        import warnings

        warnings.warn("身份证 11010519491231002X 写在了学号列", SurveyWarning, stacklevel=1)
    assert str(rec[0].message) == f"身份证 {PLACEHOLDER} 写在了学号列"


def test_scrub_series_by_distinct_values_counts_rows():
    s = pd.Series(["电话13800138000", None, "电话13800138000", 3, "无"], dtype=object)
    out, counts = DET.scrub_series(s)
    assert out.tolist()[:3] == [f"电话{PLACEHOLDER}", None, f"电话{PLACEHOLDER}"]
    assert out.iloc[3] == 3 and counts["phone"] == 2


# -- symposium speakers -------------------------------------------------------------------------
def _statements(speakers, roles=None):
    from survey.instruments.symposium import themes_from_frame

    df = pd.DataFrame({
        "session": "ZT01", "speaker": speakers, "role": roles if roles is not None else [""] * len(speakers),
        "text": [f"{s}说：支部建设要加强。" for s in speakers], "codes_a": "T01", "codes_b": "",
        "_file": "发言记录.xlsx", "_row": range(2, 2 + len(speakers)),
    })  # fmt: skip
    return df, themes_from_frame(pd.DataFrame({"code": ["T01"], "label": ["学习"]}))


@pytest.mark.parametrize("key", [None, b"k" * 32])
def test_speakers_never_kept_same_person_same_code(key):
    from survey.instruments.symposium import clean_statements

    df, themes = _statements(["张某乙", "李四", "张 某乙", ""])
    out, _ = clean_statements(df, themes, key=key)
    codes = out["speaker"].tolist()
    assert codes[0] == codes[2] != codes[1] and codes[3] == ""
    assert not any(n in " ".join(codes) + " ".join(out["text"]) for n in ("张某乙", "李四"))
    pattern = r"发言人\d{2}" if key is None else r"发言人-[0-9a-f]{8}"
    assert all(re.fullmatch(pattern, c) for c in codes[:3])


def test_speaker_codes_depend_on_the_key_and_roles_replace_them():
    from survey.clean.privacy import pseudonymise_speakers
    from survey.instruments.symposium import clean_statements

    s = pd.Series(["张某乙"])
    assert pseudonymise_speakers(s, b"a" * 32).iloc[0] != pseudonymise_speakers(s, b"b" * 32).iloc[0]
    df, themes = _statements(["张某乙", "李四"], roles=["支部书记", ""])
    out, _ = clean_statements(df, themes, key=b"a" * 32)
    assert out["speaker"].iloc[0] == "支部书记" and out["speaker"].iloc[1].startswith("发言人-")
