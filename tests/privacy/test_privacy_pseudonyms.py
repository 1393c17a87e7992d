"""Keyed pseudonyms: HMAC-SHA256 known answers, normalisation, and the identifier policy."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from survey.clean.privacy import (
    apply_identifier_policy,
    ip_province,
    keyed_digest,
    normalise_identifier,
    pseudonymise,
    respondent_key_from,
)
from survey.errors import SurveyWarning

PSEUDONYM = re.compile(r"^R[0-9a-f]{16}$")


# -- known answers (RFC 4231, HMAC-SHA256) ------------------------------------------------------
def test_rfc4231_case2_full_digest():
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert keyed_digest("what do ya want for nothing?", b"Jefe") == expected


def test_rfc4231_case1_full_digest():
    expected = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    assert keyed_digest("Hi There", b"\x0b" * 20) == expected


def test_pseudonym_is_prefix_plus_first_16_hex_of_rfc_vector():
    out = pseudonymise(pd.Series(["what do ya want for nothing?"]), b"Jefe")
    assert out.iloc[0] == "R5bdcc146bf60754e"


def test_pseudonym_of_normalised_phone_matches_digest_of_canonical_form(key):
    expected = "R" + keyed_digest("13800138000", key)[:16]
    variants = [
        "13800138000",
        " １３８-0013-8000 ",
        "+86 138 0013 8000",
        "13800138000.0",
        "0086-13800138000",
    ]
    out = pseudonymise(pd.Series(variants), key, kind="phone")
    assert out.tolist() == [expected] * len(variants)


# -- properties ---------------------------------------------------------------------------------
def test_same_key_same_pseudonym_other_key_other_pseudonym(key):
    values = pd.Series(["张三", "李四", "张三"], index=[10, 11, 12], name="name")
    a = pseudonymise(values, key)
    b = pseudonymise(values, key)
    c = pseudonymise(values, b"another-key-" * 4)
    assert a.equals(b)
    assert a.iloc[0] == a.iloc[2] != a.iloc[1]
    assert (a != c).all()
    assert a.index.tolist() == [10, 11, 12] and a.name == "name"
    assert all(PSEUDONYM.match(v) for v in a)


def test_missing_and_blank_stay_missing_and_input_not_mutated(key):
    values = pd.Series(["13800138000", None, np.nan, "  ", ""], dtype=object)
    before = values.copy()
    out = pseudonymise(values, key, kind="phone")
    assert out.isna().tolist() == [False, True, True, True, True]
    pd.testing.assert_series_equal(values, before)


def test_id_card_lowercase_x_equals_uppercase(key):
    out = pseudonymise(
        pd.Series(["11010519491231002x", "110105 19491231 002X"]), key, kind="id_card"
    )
    assert out.iloc[0] == out.iloc[1]


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        (" １３８-0013 8000 ", "phone", "13800138000"),
        ("8613800138000", "phone", "13800138000"),
        ("ｊｓ２０２０００１", "staff_no", "JS2020001"),
        ("2020001.0", "student_no", "2020001"),
        (" LiSi@Example.COM ", "email", "lisi@example.com"),
        ("张 三", "name", "张三"),
        ("Zhang  San", "name", "Zhang San"),
        ("1.38E+10", "phone", "1.38E+10"),
    ],
)
def test_normalise_identifier(raw, kind, expected):
    assert normalise_identifier(raw, kind) == expected


def test_scientific_notation_kept_but_warned(key):
    with pytest.warns(SurveyWarning, match="科学计数法"):
        out = pseudonymise(
            pd.Series(["1.38E+10", "1.38e+10", "13800138000"], name="phone"), key, kind="phone"
        )
    assert PSEUDONYM.match(out.iloc[0])
    assert out.iloc[0] == out.iloc[1] != out.iloc[2]


# -- IP coarsening ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("120.1.2.3(山东-济南)", "山东"),
        ("120.1.2.3（山东-济南）", "山东"),
        ("36.2.3.4(内蒙古自治区-呼和浩特)", "内蒙古"),
        ("1.1.1.1(陕西-西安)", "陕西"),
        ("1.1.1.1(山西-太原)", "山西"),
        ("1.1.1.1(北京)", "北京"),
        ("1.1.1.1(中国-广西-南宁)", "广西"),
        ("1.1.1.1(未知)", None),
        ("10.0.0.1(局域网)", None),
        ("8.8.8.8(美国)", None),
        ("120.1.2.3", None),
        (None, None),
    ],
)
def test_ip_province(raw, expected):
    got = ip_province(raw)
    if expected is None:
        assert pd.isna(got)
    else:
        assert got == expected


# -- the identifier policy ----------------------------------------------------------------------
def test_policy_outputs_and_no_raw_identifier_survives(raw_frame, codebook, key):
    before = raw_frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        out, report = apply_identifier_policy(raw_frame, codebook, key)
    pd.testing.assert_frame_equal(raw_frame, before)  # input not mutated
    assert out.columns.tolist() == [
        "_row", "respondent_key", "staff_no_pseudo", "ip_province", "p1_1", "carrier_1",
        "carrier_2", "carrier_3", "carrier_other", "suggest",
    ]  # fmt: skip
    for ident in codebook.identifiers:
        assert ident.id not in out.columns
    # No raw identifying value appears in any cell of the identifier outputs.
    raw_values = {
        str(v)
        for c in ["name", "phone", "staff_no", "ip", "wechat", "id_card"]
        for v in raw_frame[c].dropna()
    }
    for col in ["respondent_key", "staff_no_pseudo", "ip_province"]:
        assert not raw_values & set(out[col].dropna().astype(str))

    phone = "R" + keyed_digest("13800138000", key)[:16]
    assert out["respondent_key"].iloc[0] == phone
    assert out["respondent_key"].iloc[3] == phone  # "+86 138 0013 8000": same person
    assert pd.isna(out["respondent_key"].iloc[2])  # missing phone
    assert pd.isna(out["respondent_key"].iloc[4])  # 1.38E+10 cannot identify anyone
    assert out["staff_no_pseudo"].iloc[0] == out["staff_no_pseudo"].iloc[3]
    assert out["staff_no_pseudo"].iloc[1] != out["staff_no_pseudo"].iloc[0]
    assert out["ip_province"].tolist()[:2] == ["山东", "内蒙古"]
    assert out["ip_province"].iloc[2:].isna().all()
    pd.testing.assert_series_equal(out["p1_1"], raw_frame["p1_1"])

    rep = report.set_index("identifier")
    assert rep.loc["phone", "output_column"] == "respondent_key"
    assert rep.loc["phone", "n_nonmissing"] == 4
    assert rep.loc["phone", "n_mangled"] == 1
    assert rep.loc["name", "action"] == "drop" and rep.loc["name", "output_column"] == ""
    assert rep.loc["ip", "output_column"] == "ip_province"
    assert "3 个值无法识别省份" in rep.loc["ip", "note"]
    assert rep["present"].all()


def test_policy_missing_column_reported_not_error(raw_frame, codebook, key):
    frame = raw_frame.drop(columns=["id_card", "wechat"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        out, report = apply_identifier_policy(frame, codebook, key)
    rep = report.set_index("identifier")
    assert not rep.loc["id_card", "present"] and not rep.loc["wechat", "present"]
    assert rep.loc["id_card", "n_nonmissing"] == 0
    assert "respondent_key" in out.columns


def test_policy_replaces_existing_respondent_key_and_matches_cleaning_helper(
    raw_frame, codebook, key
):
    with pytest.warns(SurveyWarning, match="respondent_key 设为缺失"):
        early = respondent_key_from(raw_frame, codebook, key)
    assert early.name == "respondent_key"
    frame = raw_frame.assign(respondent_key=early)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        out, _ = apply_identifier_policy(frame, codebook, key)
    assert out.columns.tolist().count("respondent_key") == 1
    assert out.columns.get_loc("respondent_key") == 1
    pd.testing.assert_series_equal(out["respondent_key"], early, check_dtype=False)


def test_respondent_key_from_without_marked_identifier(raw_frame, codebook, key):
    plain = codebook.model_copy(
        update={"identifiers": [i for i in codebook.identifiers if not i.respondent_key]}
    )
    out = respondent_key_from(raw_frame, plain, key)
    assert out.isna().all() and len(out) == len(raw_frame) and out.name == "respondent_key"
    out = respondent_key_from(raw_frame.drop(columns=["phone"]), codebook, key)
    assert out.isna().all()
