"""Each cleaning rule on small hand-built frames, with the exact rows it must flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cleaning_support import FILES, N_QUESTIONS, build_frame

from survey.clean import rules
from survey.errors import SurveyError


def flagged(res: rules.RuleResult) -> list[int]:
    return [int(i) for i in np.flatnonzero(res.flag.to_numpy())]


def details(res: rules.RuleResult) -> list[str]:
    return res.detail[res.flag].tolist()


def check_shape(res: rules.RuleResult, df: pd.DataFrame) -> None:
    assert res.flag.index.equals(df.index) and res.detail.index.equals(df.index)
    assert res.flag.dtype == bool
    assert (res.detail[~res.flag] == "").all()
    assert (res.detail[res.flag] != "").all()


# -- test_submissions --------------------------------------------------------------------------
def test_test_submissions_window(make_ctx):
    df = build_frame(
        [
            {"submitted_at": "2026-08-31 23:59:59"},  # before start
            {"submitted_at": "2026-09-01 00:00:00"},  # first valid second
            {"submitted_at": "2026-09-30 23:59:59"},  # last valid second (end day)
            {"submitted_at": "2026-10-01 00:00:00"},  # day after end
            {"submitted_at": pd.NaT},  # unknown: never a test
        ]
    )
    res = rules.test_submissions(df, make_ctx())
    check_shape(res, df)
    assert flagged(res) == [0, 3]
    assert details(res) == [
        "提交时间 2026-08-31 23:59:59 早于调查开始日期 2026-09-01",
        "提交时间 2026-10-01 00:00:00 晚于调查结束日期 2026-09-30",
    ]


def test_test_submissions_without_end(make_ctx):
    df = build_frame([{"submitted_at": "2026-08-20 10:00"}, {"submitted_at": "2027-05-01"}])
    assert flagged(rules.test_submissions(df, make_ctx(end=None))) == [0]


def test_test_submissions_index_kept(make_ctx):
    df = build_frame([{"submitted_at": "2026-08-20"}, {}]).set_axis([10, 20])
    res = rules.test_submissions(df, make_ctx())
    assert res.flag.to_dict() == {10: True, 20: False}


# -- exact_duplicates --------------------------------------------------------------------------
def test_exact_duplicates_flags_all_copies_but_first(make_ctx):
    same = {"respondent_key": "K", "a1": np.nan}
    df = build_frame(
        [
            {**same, "duration_s": 500.0},
            {"respondent_key": "other"},
            {**same, "duration_s": 80.0, "submitted_at": "2026-09-20"},  # time ignored
            {**same, "a2": 1.0},  # one answer differs
            {**same, "_file": FILES[1], "college": "本院"},  # other file, same attributes
            {**same, "college": "甲院"},  # attribute differs
            {**same, "respondent_key": np.nan},  # key differs (missing)
        ]
    )
    res = rules.exact_duplicates(df, make_ctx())
    check_shape(res, df)
    assert flagged(res) == [2, 4]
    assert details(res) == ["与 本院.xlsx 第 2 行完全相同"] * 2


def test_exact_duplicates_text_and_missing_keys(make_ctx):
    df = build_frame(
        [
            {"respondent_key": np.nan, "remark": "很好"},
            {"respondent_key": np.nan, "remark": "很好"},
            {"respondent_key": np.nan, "remark": "很差"},
        ]
    )
    assert flagged(rules.exact_duplicates(df, make_ctx())) == [1]


def test_exact_duplicates_ignore_empty_rows(make_ctx, codebook):
    empty = {c: np.nan for c in codebook.item_columns()} | {"respondent_key": np.nan}
    df = build_frame([empty, empty, empty])
    assert flagged(rules.exact_duplicates(df, make_ctx())) == []


def test_exact_duplicates_prefer_rows_in_play(make_ctx):
    df = build_frame([{"respondent_key": "K"}] * 3)
    ctx = make_ctx(prior={"test_submissions": [True, False, False]})
    res = rules.exact_duplicates(df, ctx)
    assert flagged(res) == [0, 2]
    assert details(res) == ["与 本院.xlsx 第 3 行完全相同"] * 2


def test_exact_duplicates_hash_fallback(make_ctx, monkeypatch):
    """A (forced) hash collision must not flag rows that differ."""
    monkeypatch.setattr(rules, "_row_hash", lambda df, cols: np.zeros(len(df), dtype=np.uint64))
    df = build_frame([{"a1": 1.0}, {"a1": 2.0}, {"a1": 1.0}]).assign(respondent_key="K")
    res = rules.exact_duplicates(df, make_ctx())
    assert flagged(res) == [2]
    assert details(res) == ["与 本院.xlsx 第 2 行完全相同"]


# -- repeated_respondent -----------------------------------------------------------------------
def _repeat_frame():
    # Rows 0, 2, 3 share key K; row 3 has no submission time; row 2 answered less.
    return build_frame(
        [
            {"respondent_key": "K", "submitted_at": "2026-09-05 08:00"},
            {"respondent_key": "L"},
            {
                "respondent_key": "K",
                "submitted_at": "2026-09-06 08:00",
                "years": np.nan,
                "member": np.nan,
            },
            {"respondent_key": "K", "submitted_at": pd.NaT},
            {"respondent_key": np.nan},
            {"respondent_key": np.nan},
        ]
    )


@pytest.mark.parametrize(
    ("keep", "kept_row", "flags", "policy"),
    [
        ("first", 0, [2, 3], "保留最早提交的一条"),
        ("last", 2, [0, 3], "保留最后提交的一条"),
        ("most_complete", 0, [2, 3], "保留作答最完整的一条"),
    ],
)
def test_repeated_respondent_policies(make_ctx, keep, kept_row, flags, policy):
    df = _repeat_frame()
    res = rules.repeated_respondent(df, make_ctx({"repeated_respondent": {"keep": keep}}))
    check_shape(res, df)
    assert flagged(res) == flags
    excel_row = kept_row + 2
    assert details(res) == [f"与 本院.xlsx 第 {excel_row} 行为同一作答者（共 3 条，{policy}）"] * 2


def test_repeated_respondent_most_complete_ties_go_to_latest(make_ctx):
    # Rows 0 and 1 both complete: the later submission wins; row 2 is less complete.
    df = build_frame(
        [
            {"respondent_key": "K", "submitted_at": "2026-09-05"},
            {"respondent_key": "K", "submitted_at": "2026-09-07"},
            {"respondent_key": "K", "submitted_at": "2026-09-09", "a1": np.nan},
        ]
    )
    res = rules.repeated_respondent(
        df, make_ctx({"repeated_respondent": {"keep": "most_complete"}})
    )
    assert flagged(res) == [0, 2]


def test_repeated_respondent_ties_without_times(make_ctx):
    df = build_frame([{"respondent_key": "K", "submitted_at": pd.NaT}] * 3)
    first = rules.repeated_respondent(df, make_ctx({"repeated_respondent": {"keep": "first"}}))
    last = rules.repeated_respondent(df, make_ctx({"repeated_respondent": {"keep": "last"}}))
    assert flagged(first) == [1, 2]
    assert flagged(last) == [0, 1]


def test_repeated_respondent_skips_rows_already_excluded(make_ctx):
    # The earliest row is a test submission: "first" keeps the earliest row still in play.
    df = build_frame(
        [
            {"respondent_key": "K", "submitted_at": "2026-08-25"},
            {"respondent_key": "K", "submitted_at": "2026-09-03"},
            {"respondent_key": "K", "submitted_at": "2026-09-04"},
        ]
    )
    ctx = make_ctx(
        {"repeated_respondent": {"keep": "first"}},
        prior={"test_submissions": [True, False, False]},
    )
    assert flagged(rules.repeated_respondent(df, ctx)) == [0, 2]


def test_repeated_respondent_without_key_column(make_ctx):
    df = build_frame([{}, {}]).drop(columns="respondent_key")
    assert flagged(rules.repeated_respondent(df, make_ctx())) == []


# -- speeders ------------------------------------------------------------------------------------
def test_speeders_per_file(make_ctx):
    df = build_frame(
        [
            {"duration_s": 300.0},
            {"duration_s": 300.0},
            {"duration_s": 41.0},
            {"duration_s": 400.0},
            {"duration_s": np.nan},
            {"_file": FILES[1], "duration_s": 90.0},
            {"_file": FILES[1], "duration_s": 90.0},
            {"_file": FILES[1], "duration_s": 29.0},
        ]
    )
    res = rules.speeders(df, make_ctx())
    check_shape(res, df)
    assert flagged(res) == [2, 7]
    assert details(res) == [
        "用时 41 秒，低于中位数 300 秒的 1/3（100 秒）",
        "用时 29 秒，低于中位数 90 秒的 1/3（30 秒）",
    ]


def test_speeders_overall_median(make_ctx):
    df = build_frame(
        [
            {"duration_s": 300.0},
            {"duration_s": 300.0},
            {"duration_s": 300.0},
            {"_file": FILES[1], "duration_s": 90.0},
            {"_file": FILES[1], "duration_s": 90.0},
        ]
    )
    res = rules.speeders(df, make_ctx({"speeders": {"per_file": False, "fraction_of_median": 0.5}}))
    # overall median 300 → threshold 150: both 90-second rows are speeders
    assert flagged(res) == [3, 4]
    assert details(res)[0] == "用时 90 秒，低于中位数 300 秒的 1/2（150 秒）"


def test_speeders_median_without_test_submissions(make_ctx):
    durations = [30.0, 30.0, 30.0, 300.0, 300.0, 90.0]
    df = build_frame([{"duration_s": d} for d in durations])
    plain = rules.speeders(df, make_ctx())
    assert flagged(plain) == []  # median (30 + 90) / 2 = 60 → threshold 20: nobody
    ctx = make_ctx(prior={"test_submissions": [True, True, True, False, False, False]})
    res = rules.speeders(df, ctx)
    # median of 300, 300, 90 = 300 → threshold 100: the tests and the 90-second row
    assert flagged(res) == [0, 1, 2, 5]
    assert details(res)[-1] == "用时 90 秒，低于中位数 300 秒的 1/3（100 秒）"


def test_fraction_text():
    assert rules.fmt_fraction(1 / 3) == "1/3"
    assert rules.fmt_fraction(0.25) == "1/4"
    assert rules.fmt_fraction(0.4) == "2/5"
    assert rules.fmt_fraction(0.123) == "12.3%"


# -- straight_lining -----------------------------------------------------------------------------
def test_straight_lining_default_batteries(make_ctx):
    df = build_frame(
        [
            {"a1": 4.0, "a2": 4.0, "a3": 4.0, "a4": 4.0},  # straight on P1 (has reverse item)
            {"b1": 3.0, "b2": 3.0, "b3": 3.0, "b4": 3.0},  # straight on P2 (no reverse item)
            {"a1": 4.0, "a2": 4.0, "a3": 4.0, "a4": np.nan},  # reverse item not answered
            {"a1": 2.0, "a2": 2.0, "a3": np.nan, "a4": 2.0},  # only 3 answered < min_items
            {},
        ]
    )
    res = rules.straight_lining(df, make_ctx())
    check_shape(res, df)
    assert flagged(res) == [0]
    assert details(res) == ["量表「学习型党组织建设」（P1）4 题均答 4（含反向题）"]


def test_straight_lining_configured_batteries(make_ctx):
    straight = {f"{s}{i}": 5.0 for s in "ab" for i in range(1, 5)}
    df = build_frame([{"a1": 2.0, "a2": 2.0, "a3": np.nan, "a4": 2.0}, straight])
    ctx = make_ctx({"straight_lining": {"batteries": ["P1", "P2"], "min_items": 3}})
    res = rules.straight_lining(df, ctx)
    assert flagged(res) == [0, 1]
    assert details(res) == [
        "量表「学习型党组织建设」（P1）3 题均答 2（含反向题）",
        "量表「学习型党组织建设」（P1）4 题均答 5（含反向题），量表「过硬党支部建设」（P2）4 题均答 5",
    ]


def test_straight_lining_unknown_battery(make_ctx):
    ctx = make_ctx({"straight_lining": {"batteries": ["P9"]}})
    with pytest.raises(SurveyError) as err:
        rules.straight_lining(build_frame([{}]), ctx)
    assert err.value.key == "cleaning.straight_lining.batteries[0]"
    assert "P1、P2" in err.value.expected


# -- attention_check -----------------------------------------------------------------------------
def test_attention_check_wrong_and_missing(make_ctx):
    df = build_frame(
        [
            {"att": 4.0},
            {"att": 2.0},
            {"att": np.nan},
            {"_file": FILES[1], "att": np.nan},  # nobody in this file was asked
            {"_file": FILES[1], "att": np.nan},
        ]
    )
    res = rules.attention_check(df, make_ctx())
    check_shape(res, df)
    assert flagged(res) == [1, 2]
    assert details(res) == [
        "注意力检测题 att 应选 4（同意），实际作答 2（不同意）",
        "注意力检测题 att 应选 4（同意），未作答",
    ]


def test_attention_check_column_absent(make_ctx):
    df = build_frame([{}, {}]).drop(columns="att")
    assert flagged(rules.attention_check(df, make_ctx())) == []


# -- min_answered --------------------------------------------------------------------------------
def _blank(cols):
    return dict.fromkeys(cols, np.nan)


def test_min_answered_counts_questions(make_ctx):
    # 13 questions; blanking 7 leaves 6/13 (46%) < 50%; blanking 6 leaves 7/13 (54%).
    seven = ["a1", "a2", "a3", "a4", "b1", "b2", "b3"]
    df = build_frame(
        [
            _blank(seven),
            _blank(seven[:6]),
            # a multiple-choice question with one answered column counts as answered
            _blank([*seven[:6], "channels_1", "channels_2"]),
            # ... and counts once: 6 questions left when channels is fully blank
            _blank([*seven[:6], "channels_1", "channels_2", "channels_3"]),
            _blank([*seven[:6], "prio_1", "prio_2", "prio_3", "remark"]),
            {},  # a complete answer: every question was asked in this file
        ]
    )
    res = rules.min_answered(df, make_ctx())
    check_shape(res, df)
    assert flagged(res) == [0, 3, 4]
    assert details(res) == [f"作答 6/{N_QUESTIONS} 题（46%），低于要求的 50%"] * 3


def test_min_answered_per_file_denominator(make_ctx):
    # In file 2 nobody answered the b-battery: the denominator there is 9, not 13.
    b_blank = _blank(["b1", "b2", "b3", "b4"])
    df = build_frame(
        [
            {"_file": FILES[1], **b_blank},
            {"_file": FILES[1], **b_blank, **_blank(["a1", "a2", "a3", "a4", "att"])},
            {**b_blank},  # 9/13 in file 1 (b asked there)
            {},
        ]
    )
    res = rules.min_answered(df, make_ctx({"min_answered": {"min_fraction": 0.7}}))
    assert flagged(res) == [1, 2]
    assert details(res) == [
        "作答 4/9 题（44%），低于要求的 70%",
        "作答 9/13 题（69%），低于要求的 70%",
    ]


def test_min_answered_empty_file(make_ctx, codebook):
    df = build_frame([_blank(codebook.item_columns())])
    res = rules.min_answered(df, make_ctx())
    assert flagged(res) == [0]
    assert details(res) == ["作答 0/0 题（0%），低于要求的 50%"]


# -- out_of_range --------------------------------------------------------------------------------
def test_out_of_range_cells(make_ctx):
    df = build_frame(
        [
            {"a1": 6.0, "years": 80.0},
            {"member": 0.0, "prio_1": 4.0, "prio_2": 1.5, "channels_2": 2.0},
            {"a2": 2.5, "years": 70.0, "prio_3": 0.0},
            {},
        ]
    )
    before = df.copy()
    res = rules.out_of_range(df, make_ctx())
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert res.changes.to_dict("records") == [
        {
            "file": "本院.xlsx",
            "row": 2,
            "column": "a1",
            "item": "a1",
            "value": "6",
            "allowed": "1、2、3、4、5",
        },
        {
            "file": "本院.xlsx",
            "row": 2,
            "column": "years",
            "item": "years",
            "value": "80",
            "allowed": "0～70",
        },
        {
            "file": "本院.xlsx",
            "row": 3,
            "column": "member",
            "item": "member",
            "value": "0",
            "allowed": "1、2、3",
        },
        {
            "file": "本院.xlsx",
            "row": 3,
            "column": "channels_2",
            "item": "channels",
            "value": "2",
            "allowed": "0 或 1",
        },
        {
            "file": "本院.xlsx",
            "row": 3,
            "column": "prio_1",
            "item": "prio",
            "value": "4",
            "allowed": "1～3 的整数",
        },
        {
            "file": "本院.xlsx",
            "row": 3,
            "column": "prio_2",
            "item": "prio",
            "value": "1.5",
            "allowed": "1～3 的整数",
        },
        {
            "file": "本院.xlsx",
            "row": 4,
            "column": "a2",
            "item": "a2",
            "value": "2.5",
            "allowed": "1、2、3、4、5",
        },
        {
            "file": "本院.xlsx",
            "row": 4,
            "column": "prio_3",
            "item": "prio",
            "value": "0",
            "allowed": "1～3 的整数",
        },
    ]
    out = res.frame
    changed = {(r["row"] - 2, r["column"]) for r in res.changes.to_dict("records")}
    for col in df.columns:
        for i in range(len(df)):
            if (i, col) in changed:
                assert pd.isna(out.at[i, col])
            else:
                a, b = df.at[i, col], out.at[i, col]
                assert (pd.isna(a) and pd.isna(b)) or a == b, (i, col)
    assert out.at[2, "years"] == 70.0  # range is inclusive


def test_out_of_range_text_in_numeric_column(make_ctx):
    df = build_frame([{"a1": "很同意"}, {"a1": 3.0}])
    res = rules.out_of_range(df, make_ctx())
    assert res.changes[["row", "column", "value"]].to_dict("records") == [
        {"row": 2, "column": "a1", "value": "很同意"}
    ]
    assert pd.isna(res.frame.at[0, "a1"]) and res.frame.at[1, "a1"] == 3.0


# -- switches ------------------------------------------------------------------------------------
#: For each rule, a frame in which it flags something when enabled.
TRIGGERS = {
    "test_submissions": [{"submitted_at": "2026-08-01"}],
    "exact_duplicates": [{"respondent_key": "K"}, {"respondent_key": "K"}],
    "repeated_respondent": [{"respondent_key": "K"}, {"respondent_key": "K", "a1": 1.0}],
    "speeders": [{"duration_s": 300.0}, {"duration_s": 300.0}, {"duration_s": 10.0}],
    "straight_lining": [{"a1": 3.0, "a2": 3.0, "a3": 3.0, "a4": 3.0}],
    "attention_check": [{"att": 1.0}],
    "min_answered": [_blank(["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]), {}],
}


@pytest.mark.parametrize("rule_id", list(TRIGGERS))
def test_disabled_rule_flags_nothing(make_ctx, rule_id):
    df = build_frame(TRIGGERS[rule_id])
    func = getattr(rules, rule_id)
    assert rules.LABELS[rule_id]
    assert func(df, make_ctx()).flag.any()
    off = func(df, make_ctx({rule_id: {"enabled": False}}))
    check_shape(off, df)
    assert not off.flag.any()


def test_disabled_out_of_range_changes_nothing(make_ctx):
    df = build_frame([{"a1": 9.0}])
    res = rules.out_of_range(df, make_ctx({"out_of_range": {"enabled": False}}))
    assert res.changes.empty and list(res.changes.columns) == rules.CELL_CHANGE_COLUMNS
    assert res.frame.at[0, "a1"] == 9.0


def test_rules_on_empty_frame(make_ctx):
    df = build_frame([{}]).iloc[:0]
    for spec in rules.ROW_RULES:
        res = spec.func(df, make_ctx())
        assert len(res.flag) == 0
    assert rules.out_of_range(df, make_ctx()).changes.empty


def test_rule_named_test_is_not_collected_by_pytest():
    from survey.clean.rules import test_submissions as rule

    assert rule.__test__ is False
