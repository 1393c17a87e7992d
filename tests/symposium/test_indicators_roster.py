"""Benchmark indicators, summary statistics and the roster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.errors import SurveyError, SurveyWarning
from survey.instruments.indicators import read_indicators, read_summaries
from survey.instruments.roster import read_roster
from survey.stats.indicators import indicator_gaps
from survey.stats.roster import population_shares, response_rates

IND_HEADER = ["院校", "指标", "数值", "单位", "方向", "来源", "问题领域"]


@pytest.fixture
def indicators_file(tmp_path, xlsx):
    rows = [IND_HEADER]
    data = {  # college: (五个规范达标率 %, 党建品牌数, 专职党务人员每百名党员 , 平台, 问题整改天数)
        "本院": ("60%", 1, "0.5", "否", 30),
        "甲院": ("80%", 3, "1.0", "是", 20),
        "乙院": ("90%", 2, "０.８", "是", 25),
        "丙院": ("70%", 4, "1.2", "有", 10),
        "丁院": ("", 5, "0.9", "无", 40),
    }
    for college, v in data.items():
        rows += [
            [college, "五个规范达标率", v[0], "%", "越高越好", "考察", "P2"],
            [college, "党建品牌数", v[1], "个", "正向", "文件", "P5"],
            [college, "专职党务人员/百名党员", v[2], "人", "越高越好", "文件", "P4"],
            [college, "智慧党建平台", v[3], "有/无", "越高越好", "考察", "P1"],
            [college, "问题整改天数", v[4], "天", "越低越好", "文件", "P2"],
        ]
    return xlsx(tmp_path / "indicators.xlsx", rows)


def test_read_indicators_parses_percent_yes_no_and_full_width(indicators_file):
    ind = read_indicators(indicators_file)
    v = ind.set_index(["college", "indicator"])["value"]
    assert v[("本院", "五个规范达标率")] == 60.0
    assert v[("乙院", "专职党务人员/百名党员")] == 0.8
    assert v[("丙院", "智慧党建平台")] == 1.0 and v[("丁院", "智慧党建平台")] == 0.0
    assert np.isnan(v[("丁院", "五个规范达标率")])  # not reported, kept as NaN
    assert set(ind["direction"]) == {"higher", "lower"}


def test_indicator_gaps_respect_direction(indicators_file):
    g = indicator_gaps(read_indicators(indicators_file)).set_index("indicator")
    # higher is better: benchmarks 80, 90, 70 (丁院 missing) -> median 80, best 90
    r = g.loc["五个规范达标率"]
    assert (r["n_benchmark"], r["benchmark_median"], r["benchmark_best"]) == (3, 80.0, 90.0)
    assert r["gap_median"] == -20.0 and r["gap_best"] == -30.0
    assert r["gap_median_share"] == pytest.approx(-0.25)
    assert r["best_college"] == "乙院" and bool(r["behind_median"])
    # lower is better: benchmarks 20, 25, 10, 40 -> median 22.5, best 10; home 30 is behind
    r = g.loc["问题整改天数"]
    assert r["benchmark_median"] == 22.5 and r["benchmark_best"] == 10.0
    assert r["diff_median"] == 7.5 and r["gap_median"] == -7.5
    assert r["gap_best"] == -20.0 and r["gap_best_share"] == pytest.approx(-2.0)
    assert r["best_college"] == "丙院"


def test_indicator_errors_list_every_problem(tmp_path, xlsx):
    bad = xlsx(tmp_path / "bad.xlsx", [
        IND_HEADER,
        ["本院", "品牌数", "两个", "个", "越高越好", "", "P5"],
        ["甲院", "品牌数", "3", "个", "越多越好", "", "P5"],
        ["乙院", "品牌数", "2", "项", "越高越好", "", "P9"],
    ])
    with pytest.raises(SurveyError) as err:
        read_indicators(bad, display="indicators.xlsx")
    msg = err.value.message_zh()
    assert err.value.row == 2 and "数值（C 列）" in msg and "两个" in msg
    assert "越多越好" in msg and "第 3 行" in msg
    assert "P9" in msg and "计量单位不一致" in msg


def test_summaries_validate_n_and_sd(tmp_path, xlsx):
    good = xlsx(tmp_path / "s.xlsx", [["院校", "量表", "均值", "标准差", "样本量"],
                                      ["戊院", "P1", 3.9, 0.6, 48], ["戊院", "P2", "4.1", "0.5", "48"]])
    s = read_summaries(good)
    assert s["n"].tolist() == [48, 48] and s["mean"].tolist() == [3.9, 4.1]
    bad = xlsx(tmp_path / "b.xlsx", [["院校", "量表", "均值", "标准差", "样本量"],
                                     ["戊院", "P1", 3.9, -0.6, 48], ["戊院", "P2", 4.1, 0.5, 0]])
    with pytest.raises(SurveyError) as err:
        read_summaries(bad)
    msg = err.value.message_zh()
    assert "标准差不能为负" in msg and "样本量必须是正整数" in msg and err.value.row == 2


@pytest.fixture
def roster_file(tmp_path, xlsx):
    return xlsx(tmp_path / "roster.xlsx", [
        ["院校", "党支部", "党员类型", "人数"],
        ["本院", "机电学院党支部", "在职", 30],
        ["本院", "机电学院党支部", "学生", 20],
        ["本院", "信息学院党支部", "在职教职工党员", 20],
        ["本院", "信息学院党支部", "学生党员", 20],
        ["本院", "离退休党支部", "退休", 10],
        ["甲院", "", "在职", 50],
        ["甲院", "", "学生", 40],
        ["甲院", "", "离退休", 10],
    ])


def test_population_shares_and_response_rates(roster_file):
    r = read_roster(roster_file)
    pop = population_shares(r).set_index(["college", "member_type"])
    assert pop.loc[("本院", "在职教职工党员"), "members"] == 50
    assert pop.loc[("本院", "在职教职工党员"), "population_share"] == pytest.approx(0.5)
    assert pop.loc[("甲院", "学生党员"), "population_share"] == pytest.approx(0.4)
    resp = pd.DataFrame({"college": ["本院"] * 30 + ["甲院"] * 10,
                         "member_type": ["在职"] * 25 + ["学生党员"] * 5 + ["在职教职工党员"] * 10})
    rr = response_rates(r, resp).set_index(["college", "member_type"])
    assert rr.loc[("本院", "在职教职工党员"), "response_rate"] == pytest.approx(25 / 50)
    assert rr.loc[("本院", "离退休党员"), "n"] == 0
    assert rr.loc[("本院", "在职教职工党员"), "sample_share"] == pytest.approx(25 / 30)
    branch = population_shares(r, by=("college", "branch", "member_type"), within="college")
    assert branch["members"].sum() == 100


def test_roster_total_row_must_match_branches(tmp_path, xlsx):
    f = xlsx(tmp_path / "r.xlsx", [
        ["院校", "党支部", "党员类型", "人数"],
        ["本院", "", "学生", 45],
        ["本院", "甲支部", "学生", 20],
        ["本院", "乙支部", "学生", 20],
    ])
    with pytest.raises(SurveyError, match="不一致") as err:
        read_roster(f)
    assert err.value.row == 2


def test_roster_total_used_once_when_consistent(tmp_path, xlsx):
    f = xlsx(tmp_path / "r.xlsx", [
        ["院校", "党支部", "党员类型", "人数"],
        ["本院", "", "学生", 40], ["本院", "甲支部", "学生", 20], ["本院", "乙支部", "学生", 20],
    ])
    pop = population_shares(read_roster(f))
    assert pop["members"].tolist() == [40]


def test_roster_unknown_member_type_and_bad_count(tmp_path, xlsx):
    f = xlsx(tmp_path / "r.xlsx", [["院校", "党员类型", "人数"], ["本院", "预备党员", 3], ["本院", "学生", -1]])
    with pytest.raises(SurveyError) as err:
        read_roster(f)
    msg = err.value.message_zh()
    assert "预备党员" in msg and "在职教职工党员、学生党员、离退休党员" in msg and "非负整数" in msg


def test_roster_counts_are_plain_numbers(tmp_path, xlsx):
    """A member count of 是 or 5% is refused (indicators accept them; a head count does not)."""
    f = xlsx(tmp_path / "r.xlsx", [["院校", "党员类型", "人数"], ["本院", "学生", "是"], ["本院", "离退休", "5%"],
                                   ["本院", "在职", "１,２００"]])
    with pytest.raises(SurveyError) as err:
        read_roster(f)
    assert err.value.message_zh().count("人数不是非负整数") == 2


def test_instrument_files_are_read_by_the_shared_reader_gbk_csv(tmp_path):
    """A GBK CSV roster is decoded by survey.io.readers.tabular (encoding detection), Excel rows kept."""
    f = tmp_path / "名册.csv"
    f.write_bytes("院校,党员类型,人数\n本院,学生党员,12\n\n本院,离退休党员,3\n".encode("gbk"))
    r = read_roster(f, display="名册.csv")
    assert r["members"].tolist() == [12, 3]
    assert r["_row"].tolist() == [2, 4] and set(r["_file"]) == {"名册.csv"}


def test_response_rate_over_100_percent_warns(roster_file):
    r = read_roster(roster_file)
    resp = pd.DataFrame({"college": ["甲院"] * 12, "member_type": ["离退休党员"] * 12})
    with pytest.warns(SurveyWarning, match="应答率 > 100%"):
        response_rates(r, resp)
