"""clean(): the ledger, the CONSORT-style log, the summary and the row-accounting invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cleaning_support import FILES, GOOD_ANSWERS, build_frame, build_study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.clean.ledger import EXCLUSION_COLUMNS, LOG_COLUMNS, clean
from survey.clean.rules import ROW_RULES
from survey.errors import SurveyError


def _designed_frame() -> pd.DataFrame:
    straight = {"a1": 5.0, "a2": 5.0, "a3": 5.0, "a4": 5.0}
    blank8 = dict.fromkeys(["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"], np.nan)
    return build_frame(
        [
            {"respondent_key": "A"},  # 0 kept
            {"respondent_key": "T", "submitted_at": "2026-08-28 16:30"},  # 1 test
            {"respondent_key": "D", "a1": 7.0},  # 2 kept, a1 set missing
            {"respondent_key": "D", "a1": 7.0, "duration_s": 250.0},  # 3 copy of 2
            {"respondent_key": "E", "submitted_at": "2026-09-05 10:00"},  # 4 repeat (older)
            {"respondent_key": "E", "submitted_at": "2026-09-07 10:00", "b1": 5.0},  # 5 kept
            {"duration_s": 50.0, "att": 2.0},  # 6 speeder + attention
            straight,  # 7 straight-lining
            blank8,  # 8 too few answers
            {"_file": FILES[1]},  # 9 kept
            {"_file": FILES[1], "years": 99.0},  # 10 kept, years set missing
        ]
    )


def test_clean_designed_frame(codebook):
    df = _designed_frame()
    raw = df.copy()
    res = clean(df, codebook, build_study())
    pd.testing.assert_frame_equal(df, raw)  # input never mutated

    assert list(res.log.columns) == LOG_COLUMNS
    got = res.log[["rule_id", "rule", "enabled", "n_flagged", "n_excluded", "n_remaining"]]
    assert got.to_dict("list") == {
        "rule_id": [
            "raw",
            "out_of_range",
            "test_submissions",
            "exact_duplicates",
            "repeated_respondent",
            "speeders",
            "straight_lining",
            "attention_check",
            "min_answered",
            "kept",
        ],
        "rule": [
            "原始记录",
            "取值越界",
            "测试提交",
            "完全重复",
            "重复作答",
            "作答过快",
            "直线作答",
            "注意力检测未通过",
            "作答过少",
            "最终保留",
        ],
        "enabled": [True] * 10,
        "n_flagged": [0, 3, 1, 1, 2, 1, 1, 1, 1, 0],
        "n_excluded": [0, 0, 1, 1, 1, 1, 1, 0, 1, 0],
        "n_remaining": [11, 11, 10, 9, 8, 7, 6, 6, 5, 5],
    }
    assert res.log["step"].tolist() == list(range(10))
    assert res.log.loc[1, "note"] == "3 个单元格设为缺失，不排除记录"

    assert list(res.exclusions.columns) == EXCLUSION_COLUMNS
    assert res.exclusions.to_dict("records") == [
        {
            "file": "本院.xlsx",
            "row": 3,
            "rules": "测试提交",
            "rule_ids": "test_submissions",
            "detail": "测试提交：提交时间 2026-08-28 16:30:00 早于调查开始日期 2026-09-01",
        },
        {
            "file": "本院.xlsx",
            "row": 5,
            "rules": "完全重复；重复作答",
            "rule_ids": "exact_duplicates;repeated_respondent",
            "detail": "完全重复：与 本院.xlsx 第 4 行完全相同；"
            "重复作答：与 本院.xlsx 第 4 行为同一作答者（共 2 条，保留最后提交的一条）",
        },
        {
            "file": "本院.xlsx",
            "row": 6,
            "rules": "重复作答",
            "rule_ids": "repeated_respondent",
            "detail": "重复作答：与 本院.xlsx 第 7 行为同一作答者（共 2 条，保留最后提交的一条）",
        },
        {
            "file": "本院.xlsx",
            "row": 8,
            "rules": "作答过快；注意力检测未通过",
            "rule_ids": "speeders;attention_check",
            "detail": "作答过快：用时 50 秒，低于中位数 300 秒的 1/3（100 秒）；"
            "注意力检测未通过：注意力检测题 att 应选 4（同意），实际作答 2（不同意）",
        },
        {
            "file": "本院.xlsx",
            "row": 9,
            "rules": "直线作答",
            "rule_ids": "straight_lining",
            "detail": "直线作答：量表「学习型党组织建设」（P1）4 题均答 5（含反向题）",
        },
        {
            "file": "本院.xlsx",
            "row": 10,
            "rules": "作答过少",
            "rule_ids": "min_answered",
            "detail": "作答过少：作答 5/13 题（38%），低于要求的 50%",
        },
    ]

    assert res.kept[["_file", "_row"]].to_dict("list") == {
        "_file": ["本院.xlsx"] * 3 + ["对标.xlsx"] * 2,
        "_row": [2, 4, 7, 2, 3],
    }
    assert res.kept.index.tolist() == list(range(5))
    assert np.isnan(res.kept.loc[1, "a1"]) and np.isnan(res.kept.loc[4, "years"])
    assert res.kept.loc[0, "a1"] == GOOD_ANSWERS["a1"]
    assert res.cell_changes[["file", "row", "column", "value"]].to_dict("records") == [
        {"file": "本院.xlsx", "row": 4, "column": "a1", "value": "7"},
        {"file": "本院.xlsx", "row": 5, "column": "a1", "value": "7"},
        {"file": "对标.xlsx", "row": 3, "column": "years", "value": "99"},
    ]
    assert res.flags.shape == (11, 2 + len(ROW_RULES))
    assert res.flags["speeders"].tolist() == [False] * 6 + [True] + [False] * 4

    assert res.summary_zh() == (
        "原始记录 11 条。\n"
        "取值越界的单元格 3 个已设为缺失（涉及 3 行，不因此排除记录）。\n"
        "依次排除：测试提交 1 条、完全重复 1 条、重复作答 1 条、作答过快 1 条、直线作答 1 条、"
        "注意力检测未通过 0 条、作答过少 1 条。\n"
        "共排除 6 条，保留 5 条（45.5%）。"
    )


def test_clean_disabled_rules(codebook):
    study = build_study(
        {
            "speeders": {"enabled": False},
            "attention_check": {"enabled": False},
            "out_of_range": {"enabled": False},
        }
    )
    res = clean(_designed_frame(), codebook, study)
    log = res.log.set_index("rule_id")
    assert not log.loc["speeders", "enabled"] and log.loc["speeders", "n_flagged"] == 0
    assert log.loc["attention_check", "n_flagged"] == 0
    assert log.loc["out_of_range", "n_flagged"] == 0 and res.cell_changes.empty
    # row 8 (speeder + wrong attention answer) is now kept; a1 = 7 stays as read
    assert (8 in res.kept["_row"].tolist()) and res.kept["a1"].max() == 7.0
    assert res.summary_zh().splitlines()[2] == "未启用的规则：作答过快、注意力检测未通过。"


def test_clean_keeps_caller_index_untouched(codebook):
    df = _designed_frame().set_axis(range(100, 111))
    res = clean(df, codebook, build_study())
    assert df.index.tolist() == list(range(100, 111))
    assert len(res.kept) == 5 and res.kept.index.tolist() == list(range(5))


def test_clean_requires_source_columns(codebook):
    with pytest.raises(SurveyError) as err:
        clean(_designed_frame().drop(columns="_row"), codebook, build_study())
    assert err.value.column == "_row"


def test_clean_empty_frame(codebook):
    res = clean(_designed_frame().iloc[:0], codebook, build_study())
    assert res.kept.empty and res.exclusions.empty
    assert res.log["n_remaining"].tolist() == [0] * 10
    assert "原始记录 0 条" in res.summary_zh()


# -- invariants on random frames ----------------------------------------------------------------
LIKERT = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4", "att"]
DAY0 = pd.Timestamp("2026-08-25")


def random_frame(n: int, seed: int) -> pd.DataFrame:
    """A messy frame: copies, shared keys, straight lines, invalid codes, odd times and durations.

    Drawn with numpy from a hypothesis-chosen seed (fast; hypothesis still varies size, seed and
    configuration and shrinks them).
    """
    if n == 0:
        return build_frame([{}]).iloc[:0]
    rng = np.random.default_rng(seed)
    pick = lambda values: rng.choice(np.array(values, dtype=object), n)  # noqa: E731
    codes = [np.nan, 1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 4.0, 9.0]
    cols = {c: pick(codes).astype(float) for c in LIKERT}
    line = rng.random(n) < 0.3
    for c in ["a1", "a2", "a3", "a4"]:
        cols[c] = np.where(line, cols["a1"], cols[c])
    cols |= {
        "member": pick([np.nan, 1.0, 2.0, 3.0, 0.0]).astype(float),
        "years": pick([np.nan, 0.0, 12.0, 70.0, 71.0]).astype(float),
        "channels_1": pick([np.nan, 0.0, 1.0, 2.0]).astype(float),
        "prio_1": pick([np.nan, 1.0, 3.0, 4.0]).astype(float),
        "respondent_key": pick([None, "A", "B", "C", "D", "E", "F"]),
    }
    answers = pd.DataFrame(cols)
    # About one row in five copies an earlier row's answers and key.
    src = np.arange(n)
    copy = (rng.random(n) < 0.2) & (src > 0)
    src[copy] = (rng.random(copy.sum()) * src[copy]).astype(int)
    answers = answers.iloc[src].reset_index(drop=True)
    minutes = rng.integers(0, 45 * 24 * 60, n).astype(float)
    minutes[rng.random(n) < 0.1] = np.nan
    durations = rng.gamma(2.0, 150.0, n)
    durations[rng.random(n) < 0.1] = np.nan
    rows = answers.to_dict("records")
    for i, r in enumerate(rows):
        r["_file"] = FILES[int(rng.integers(0, 2))]
        r["submitted_at"] = (
            pd.NaT if np.isnan(minutes[i]) else DAY0 + pd.Timedelta(minutes=minutes[i])
        )
        r["duration_s"] = durations[i]
    return build_frame(rows)


@st.composite
def random_configs(draw: st.DrawFn) -> dict:
    on = {r: {"enabled": draw(st.booleans())} for r in [s.id for s in ROW_RULES] + ["out_of_range"]}
    on["repeated_respondent"]["keep"] = draw(st.sampled_from(["first", "last", "most_complete"]))
    on["speeders"] |= {
        "per_file": draw(st.booleans()),
        "fraction_of_median": draw(st.sampled_from([0.25, 1 / 3, 0.5, 0.9])),
    }
    on["straight_lining"] |= {
        "min_items": draw(st.integers(2, 4)),
        "batteries": draw(st.sampled_from([None, ["P1", "P2"], ["P2"]])),
    }
    on["min_answered"]["min_fraction"] = draw(st.sampled_from([0.3, 0.5, 0.9, 1.0]))
    return on


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(n=st.integers(0, 40), seed=st.integers(0, 2**32 - 1), cfg=random_configs())
def test_clean_accounts_for_every_row(codebook, n, seed, cfg):
    df = random_frame(n, seed)
    raw = df.copy()
    res = clean(df, codebook, build_study(cfg))
    pd.testing.assert_frame_equal(df, raw)

    ids = lambda f, r: list(zip(f.tolist(), r.tolist(), strict=True))  # noqa: E731
    all_rows = ids(df["_file"], df["_row"])
    kept = ids(res.kept["_file"], res.kept["_row"])
    gone = ids(res.exclusions["file"], res.exclusions["row"])
    assert len(set(all_rows)) == len(all_rows)
    assert not set(kept) & set(gone)
    assert sorted(kept + gone) == sorted(all_rows)
    assert kept == [r for r in all_rows if r in set(kept)]  # original order
    assert sorted(gone) == gone  # sorted by file then row

    n_labels = res.exclusions["rules"].str.split("；").str.len()
    n_ids = res.exclusions["rule_ids"].str.split(";").str.len()
    assert (res.exclusions["rules"] != "").all() and (n_labels == n_ids).all()
    assert (res.exclusions["detail"].str.split("；").str.len() >= n_labels).all()

    log = res.log
    assert log["n_remaining"].iloc[0] == len(df)
    assert log["n_remaining"].iloc[-1] == len(res.kept)
    assert log["n_excluded"].sum() == len(res.exclusions)
    assert (np.diff(log["n_remaining"]) <= 0).all()
    assert (log["n_excluded"] <= log["n_flagged"]).all()
    for rule_id, rule_cfg in cfg.items():
        row = log.set_index("rule_id").loc[rule_id]
        assert (row["status"] == "skipped") == (not rule_cfg["enabled"])
        assert bool(row["enabled"]) == (row["status"] == "ran")
        if row["status"] != "ran":
            assert row["n_flagged"] == 0
    assert res.flags[[r.id for r in ROW_RULES]].any(axis=1).sum() == len(res.exclusions)

    # kept cells: as read, except the logged out-of-range cells, which are missing
    changed = set(ids(res.cell_changes["file"], res.cell_changes["row"]))
    if not cfg["out_of_range"]["enabled"]:
        assert res.cell_changes.empty
    merged = res.kept.merge(df, on=["_file", "_row"], suffixes=("", "_raw"))
    for c in ["a1", "att", "years", "prio_1", "member"]:
        same = merged[c].eq(merged[f"{c}_raw"]) | (merged[c].isna() & merged[f"{c}_raw"].isna())
        rows_diff = ids(merged.loc[~same, "_file"], merged.loc[~same, "_row"])
        assert set(rows_diff) <= changed
        assert merged.loc[~same, c].isna().all()
    if cfg["out_of_range"]["enabled"] and len(res.kept):
        assert res.kept["years"].dropna().between(0, 70).all()
        assert res.kept["a1"].dropna().isin([1, 2, 3, 4, 5]).all()
