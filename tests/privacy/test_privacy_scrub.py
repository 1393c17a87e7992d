"""Free-text scrubbing: each kind replaced and counted, ordinary numbers left alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.clean import privacy
from survey.clean.identifiers import IdentifierDetector
from survey.clean.privacy import (
    PLACEHOLDER,
    SCRUB_KIND_LABELS_ZH,
    free_text_columns,
    names_from_identifiers,
    scrub_free_text,
    scrub_text,
)

P = PLACEHOLDER


def _one(text: str, names=()) -> tuple[str, dict[str, int]]:
    out, counts = scrub_text(pd.Series([text]), names)
    return out.iloc[0], counts


@pytest.mark.parametrize(
    ("text", "expected", "kind", "n"),
    [
        ("电话13800138000谢谢", f"电话{P}谢谢", "phone", 1),
        ("手机 138 0013 8000。", f"手机 {P}。", "phone", 1),
        ("手机138-0013-8000", f"手机{P}", "phone", 1),
        ("+86 13912345678 或 +8613912345678", f"{P} 或 {P}", "phone", 2),
        ("0086-19912345678", P, "phone", 1),
        ("全角１３８００１３８０００号", f"全角{P}号", "phone", 1),
        ("座机0531-88888888", f"座机{P}", "landline", 1),
        ("座机(010)12345678转", f"座机{P}转", "landline", 1),
        ("座机（０１０）12345678", f"座机{P}", "landline", 1),
        ("办公室 0531-8888888-123", f"办公室 {P}", "landline", 1),
        ("身份证11010519491231002X", f"身份证{P}", "id_card", 1),
        ("身份证11010519491231002x。", f"身份证{P}。", "id_card", 1),
        ("旧证110105491231002", f"旧证{P}", "id_card", 1),
        ("邮箱 lisi.wang@example.com.cn 联系", f"邮箱 {P} 联系", "email", 1),
        ("QQ邮箱13800138000@qq.com", f"QQ邮箱{P}", "email", 1),
        ("学号2099775030的同学", f"学号{P}的同学", "student_staff_no", 1),
        ("工号：GH991234，职工号 js2020001", f"工号：{P}，职工号 {P}", "student_staff_no", 2),
        ("学籍号为２０９９１２３４", f"学籍号为{P}", "student_staff_no", 1),
    ],
)
def test_each_kind_is_replaced_and_counted(text, expected, kind, n):
    out, counts = _one(text)
    assert out == expected
    assert counts[kind] == n
    assert sum(counts.values()) == n


@pytest.mark.parametrize(
    "text",
    [
        "2026年第3次主题党日",
        "共120人参加，占85%",
        "2026-09-03 12:00:00 提交",
        "日期20260903",
        "平均3.5分，标准差0.87",
        "经费100000元",
        "编号12345678901不是手机号",  # 11 digits but 12x is no mobile prefix
        "138001380001234这是15位流水号",  # 15 digits without a birth date
        "138001380001",  # 12 digits: no phone
        "第1、2、3条意见",
        "时间0.5小时",
        "2026年9月3日下午3点",
        "用了123秒",
        "学号不好记，工号也是",  # the word alone is no identifier
        "代码R05318888888abcd",  # a landline-like run inside a token
        "型号 X0531888888",
    ],
)
def test_ordinary_numbers_survive(text):
    out, counts = _one(text)
    assert out == text
    assert sum(counts.values()) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有问题可以联系组织员陈某丙，邮箱见群", f"有问题可以联系组织员{P}，邮箱见群"),
        ("支部书记王五（手机见通讯录）", f"支部书记{P}（手机见通讯录）"),
        ("建议学习李四老师所在支部的做法", f"建议学习{P}老师所在支部的做法"),
        ("我是张三，希望简化手续", f"我是{P}，希望简化手续"),
        ("院长刘某、书记赵某某。", f"院长{P}、书记{P}。"),
    ],
)
def test_names_guessed_from_role_words(text, expected):
    out, counts = _one(text)
    assert out == expected
    assert counts["name_context"] == expected.count(P)


@pytest.mark.parametrize(
    "text",
    [
        "学习毛泽东同志的讲话",
        "总书记习近平的重要讲话",
        "曾经的老师很好",
        "支部书记要加强学习",
        "书记曾多次强调",
        "高职老师和各位同学",
        "组织员太少，建议配齐",
        "我是党员，也是老师",
        "党支部书记、系主任、思政老师",
        "学院的张老师",
        "周末老师不在，周围同学帮忙",
    ],
)
def test_role_words_without_names_survive(text):
    out, counts = _one(text)
    assert out == text
    assert counts["name_context"] == 0


def test_names_longest_first_exact_substring_and_short_names_ignored():
    out, counts = _one("张三丰和张三都说李好", ["张三", "张三丰", "李", ""])
    assert out == f"{P}和{P}都说李好"
    assert counts["name"] == 2


def test_ascii_nickname_only_as_whole_word():
    out, counts = _one("Tom likes tomatoes; Tomato Tom2 Tom.", ["Tom"])
    assert out == f"{P} likes tomatoes; Tomato Tom2 {P}."
    assert counts["name"] == 2


def test_mixed_text_counts_every_kind():
    text = "张三(13800138000, zs@example.com)身份证11010519491231002X，座机010-62345678"
    out, counts = _one(text, ["张三"])
    assert out == f"{P}({P}, {P})身份证{P}，座机{P}"
    assert counts == dict.fromkeys(SCRUB_KIND_LABELS_ZH, 0) | {
        "email": 1, "id_card": 1, "phone": 1, "landline": 1, "name": 1,
    }  # fmt: skip


def test_missing_and_non_text_left_alone_index_kept():
    s = pd.Series([None, np.nan, "无"], index=[5, 7, 9], name="suggest", dtype=object)
    out, counts = scrub_text(s, ["张三"])
    assert out.index.tolist() == [5, 7, 9] and out.name == "suggest"
    assert out.isna().tolist() == [True, True, False]
    assert sum(counts.values()) == 0


def test_placeholder_not_rescrubbed():
    once, _ = _one("张三 13800138000", ["张三"])
    twice, counts = _one(once, ["张三"])
    assert twice == once and sum(counts.values()) == 0


def test_names_from_identifiers(raw_frame, codebook):
    names = names_from_identifiers(raw_frame, codebook)
    assert names == sorted({"张三", "李四", "王五", "张 三", "阳光小张", "Tom", "x"})
    spaced = raw_frame.assign(name=["赵 六", None, None, None, "ＡＢ"])
    got = names_from_identifiers(spaced, codebook, kinds=("name",))
    assert got == sorted({"赵 六", "赵六", "ＡＢ", "AB"})


def test_scrub_free_text_touches_only_text_and_other(raw_frame, codebook):
    before = raw_frame.copy()
    names = names_from_identifiers(raw_frame, codebook) + ["赵六"]
    out, counts = scrub_free_text(raw_frame, codebook, names)
    pd.testing.assert_frame_equal(raw_frame, before)
    assert free_text_columns(raw_frame, codebook) == ["carrier_other", "suggest"]
    assert out["carrier_other"].tolist()[0] == f"{P}组织的读书会"
    assert out["carrier_other"].tolist()[4] == f"找{P} {P}"
    assert out["suggest"].iloc[0] == "希望多开展主题党日，2026年第3次活动很好"
    assert out["suggest"].iloc[1] == f"请联系{P}，电话{P}，邮箱{P}"
    assert out["suggest"].iloc[3] == f"{P}说要加强智慧党建"
    assert out["suggest"].iloc[4] == raw_frame["suggest"].iloc[4]  # escaping is export's job
    # Identifier columns and items are not free text: untouched here.
    pd.testing.assert_frame_equal(out.drop(columns=["carrier_other", "suggest"]),
                                  raw_frame.drop(columns=["carrier_other", "suggest"]))  # fmt: skip
    assert counts == dict.fromkeys(SCRUB_KIND_LABELS_ZH, 0) | {
        "email": 1, "phone": 1, "landline": 1, "name": 4,
    }  # fmt: skip


def test_ipv4_addresses_in_free_text_are_scrubbed_but_versions_and_dates_survive() -> None:
    import pandas as pd

    from survey.clean.privacy import scrub_text

    text = pd.Series(["我的IP是192.0.2.15，版本 3.1.2 和 2026.09.03 保留", "代理 203.0.113.250:8080"])
    out, counts = scrub_text(text)
    assert out.tolist() == ["我的IP是[已隐去]，版本 3.1.2 和 2026.09.03 保留", "代理 [已隐去]:8080"]
    assert counts["ip"] == 2


@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["请联系张三 138-0013-8000", "工号12345", "x@qq.com", "张三丰说", "第3次 2026年", "", None]
            ),
            st.just(float("nan")),
            st.integers(0, 3),
            st.text(alphabet="张三丰工号0123456789@.x ", max_size=14),
        ),
        max_size=40,
    ),
    st.sampled_from([object, "str"]),
)
def test_scrub_text_by_distinct_value_equals_per_cell(values, dtype) -> None:
    """Scrubbing each distinct text once gives what scrubbing every cell gives, counts too."""
    if dtype == "str":
        values = [v for v in values if v is None or isinstance(v, str)]
    s = pd.Series(values, dtype=dtype)
    got, counts = privacy.scrub_text(s, ["张三", "张三丰"])
    det = IdentifierDetector(["张三", "张三丰"])
    ref_counts = dict.fromkeys(privacy.SCRUB_KIND_LABELS_ZH, 0)
    ref = []
    for v in s.tolist():
        if isinstance(v, str):
            v, one = det.scrub(v)
            for kind, n in one.items():
                ref_counts[kind] += n
        ref.append(v)
    pd.testing.assert_series_equal(got, pd.Series(ref, index=s.index, dtype=s.dtype))
    assert counts == ref_counts
