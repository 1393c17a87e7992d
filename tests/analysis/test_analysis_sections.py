"""The analysis functions: planted truths, small-cell suppression, sentences equal tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from survey import analysis as A
from survey.report import narrative as nz
from survey.stats.common import POOLED

NUM = r"-?\d+\.\d+"


def _pooled(sec: A.Section) -> pd.DataFrame:
    t = sec.data["scale"]
    return t[t["group"] == POOLED].set_index("scale")


# --------------------------------------------------------------------------------------------
# planted truths of the demo study (data/raw/demo/truth.json)


def test_planted_gaps_recovered(demo_sections, truth) -> None:
    pooled = _pooled(demo_sections["gaps"])
    for scale, expected in truth["effects"]["expected"].items():
        r = pooled.loc[scale]
        if expected == "behind":
            assert r["diff"] < 0 and r["ci_high"] < 0 and r["effect_ci_high"] < 0, scale
            assert r["p_adj"] < 0.05, scale
            # rough size: the planted gap is about -0.38 points before composition effects
            assert -0.5 < r["diff"] < -0.1, scale
        else:
            assert r["ci_low"] < 0 < r["ci_high"], scale
            assert abs(r["diff"]) < 0.15, scale
    # summary-only college folded into the pooled benchmark: 4 benchmark colleges x 150
    assert (pooled["n"] >= 590).all()
    groups = set(demo_sections["gaps"].data["scale"]["group"])
    assert truth["summary_only"]["college"] in groups


def test_composition_adjustment_enlarges_planted_gaps(demo_sections, truth) -> None:
    adj = demo_sections["composition"].data["pooled"].pivot_table(
        index="scale", columns="estimator", values="diff")
    for scale, expected in truth["effects"]["expected"].items():
        if expected == "behind":
            assert abs(adj.loc[scale, "poststratified"]) > abs(adj.loc[scale, "naive"]) + 0.05
            # and close to the realised within-type gap (in points: SD-units x pooled SD)
            within = (truth["effects"]["realised"]["gap_within_type_sd"][scale]
                      * truth["effects"]["realised"]["pooled_within_cell_sd"][scale])
            assert adj.loc[scale, "poststratified"] == pytest.approx(within, abs=0.1)
    w = demo_sections["composition"].data["within"]
    assert set(w["stratum"]) == {"在职教职工党员", "学生党员", "离退休党员"}


def test_ipa_puts_planted_projects_in_focus_quadrant(demo_sections, truth) -> None:
    res = demo_sections["priorities"].data["ipa"]
    focus = set(res.loc[res["quadrant"] == "重点改进", "name"])
    planted = truth["ipa"]["priority_projects"]
    assert len(focus) == len(planted)
    assert all(any(p in name for name in focus) for p in planted)
    # the focus projects come first, and each is behind the benchmarks on performance
    top = res.head(len(planted))
    assert (top["quadrant"] == "重点改进").all()
    assert (top["bench_diff"] < 0).all() and (top["bench_ci_high"] < 0).all()
    for name, q in truth["ipa"]["quadrants_home"].items():
        assert res.loc[res["name"].str.contains(name), "quadrant"].iloc[0] == q


def test_symposium_frequencies_match_planted_counts(demo_sections, truth) -> None:
    freq = demo_sections["symposium"].data["frequencies"]
    planted = truth["symposium"]["true_theme_counts_by_group"]
    observed = freq.set_index(["group", "code"])["n"]
    for group, counts in planted.items():
        for code, n in counts.items():
            assert observed.loc[(group, code)] == pytest.approx(n, abs=max(3, 0.3 * n)), (group, code)
    # themes never planted for a group are rare there (coding noise only)
    planted_pairs = {(g, c) for g, cs in planted.items() for c in cs}
    stray = observed[[k not in planted_pairs and k[0] != "全部" for k in observed.index]]
    assert stray.max() <= 3
    assert demo_sections["symposium"].data["alpha"]["effect"].iloc[0] > 0.6


def test_triangulation_rates_planted_problems_strong(demo_sections, truth) -> None:
    tri = demo_sections["triangulation"].data["triangulation"].set_index("area")
    for area, expected in truth["effects"]["expected"].items():
        if expected == "behind":
            assert tri.loc[area, "rating"] == "强"
            assert tri.loc[area, "q_signal"] == "支持"
        else:
            assert tri.loc[area, "q_signal"] == "不支持"


def test_results_are_deterministic(demo_ctx, demo_sections) -> None:
    again = A.benchmark_gaps(demo_ctx, items=False, likert=False)
    pd.testing.assert_frame_equal(again.data["scale"], demo_sections["gaps"].data["scale"])
    first = demo_sections["gaps"].sentences[: len(again.sentences)]
    assert again.sentences == first


# --------------------------------------------------------------------------------------------
# small cells


def _all_sections(demo_sections, minimal_sections):
    return [*demo_sections.values(), *minimal_sections.values()]


def test_no_report_table_shows_a_count_of_one_to_four(demo_sections, minimal_sections) -> None:
    checked = 0
    for sec in _all_sections(demo_sections, minimal_sections):
        for name, table in sec.tables.items():
            for col in sec.counts.get(name, []):
                assert col in table.columns, (sec.title, name, col)
                values = pd.to_numeric(table[col], errors="coerce").dropna()
                assert not values.between(1, 4).any(), (sec.title, name, col)
                checked += 1
            # headers never carry a small count either ("南校区（n=<5）")
            for head in map(str, table.columns):
                assert not re.search(r"n=[1-4]\b", head), head
    assert checked > 20


def test_small_group_is_suppressed_but_pooled(minimal_ctx, minimal_sections) -> None:
    assert minimal_ctx.small_groups == ["南校区"]
    t = minimal_sections["gaps"].tables["scale"]
    small = t[t["比较对象"] == "南校区"]
    assert len(small) == 2
    assert (small["对标样本量"] == "<5").all()
    assert (small[["对标均值", "差值", "Hedges g", "Holm 校正 p"]] == nz.MISSING).all().all()
    # the pooled comparison still contains the small campus
    pooled = _pooled(minimal_sections["gaps"])
    sizes = minimal_ctx.responses[minimal_ctx.by].value_counts()
    assert int(pooled.loc["svc", "n"]) == int(sizes.drop("主校区").sum())
    assert "南校区" not in set(minimal_sections["gaps"].data["kruskal"].get("group", []))
    assert minimal_sections["gaps"].data["kruskal"]["k"].max() == 3
    audit = minimal_sections["audit"].tables["sample"]
    assert audit.loc[audit["分组"] == "南校区", "答卷人数"].iloc[0] == "<5"


def test_minimal_study_uses_config_grouping_and_skips(minimal_ctx, minimal_sections) -> None:
    assert (minimal_ctx.by, minimal_ctx.reference, minimal_ctx.strata) == ("campus", "主校区", None)
    assert minimal_ctx.groups[0] == "主校区"
    for key in ("composition", "priorities", "symposium", "indicators", "triangulation"):
        assert minimal_sections[key].skipped and minimal_sections[key].notes, key
    pooled = _pooled(minimal_sections["gaps"])
    assert pooled.loc["svc", "diff"] < -0.3 and pooled.loc["svc", "ci_high"] < 0
    assert pooled.loc["org", "ci_low"] < 0 < pooled.loc["org", "ci_high"]
    # 6-point items: the Likert chart has six categories
    fig = minimal_sections["gaps"].figures["likert_svc"]
    legend = fig.legends[0]  # the legend sits below the axes, on the figure
    assert len(legend.get_texts()) == 6


# --------------------------------------------------------------------------------------------
# sentences equal tables


GAP_RE = re.compile(
    rf"在「(?P<label>[^」]+)」上(?:比|与)(?P<against>.+?)(?:平均|基本持平：平均)(?P<word>[低高]) "
    rf"(?P<diff>\d+\.\d+) 分（Hedges g = (?P<g>{NUM})，95% CI \[(?P<lo>{NUM}), (?P<hi>{NUM})\]，"
    r"Holm 校正 p (?:= )?(?P<p>< 0\.001|\d\.\d{3})）")


@pytest.mark.parametrize("which", ["demo", "minimal"])
def test_gap_sentences_equal_gap_table(which, demo_sections, minimal_sections) -> None:
    sections = demo_sections if which == "demo" else minimal_sections
    sec = sections["gaps"]
    table = sec.tables["scale"]
    main = table[table["比较对象"] == table["比较对象"].iloc[0]].set_index("维度")
    matched = 0
    for sentence in sec.sentences:
        m = GAP_RE.search(sentence)
        if not m:
            continue
        row = main.loc[m["label"]]
        diff = row["差值"]
        assert m["diff"] == diff.lstrip("-")
        assert (m["word"] == "低") == diff.startswith("-")
        assert m["g"] == row["Hedges g"]
        assert f"[{m['lo']}, {m['hi']}]" == row["g 的 95% CI"]
        assert m["p"] == row["Holm 校正 p"]
        matched += 1
    assert matched == len(main)
    # the findings repeat the very same sentences under question 1
    answers = sections["findings"].data["answers"]
    q1 = list(answers.loc[answers["number"] == 1, "sentence"])
    assert all(s in q1 for s in sec.sentences if GAP_RE.search(s))


def test_composition_sentences_equal_table(demo_sections) -> None:
    sec = demo_sections["composition"]
    t = sec.tables["adjusted"]
    t = t[t["比较对象"] == "对标院校（合并）"]
    pat = re.compile(rf"「(?P<label>[^」]+)」：未调整差距 (?P<n>{NUM}) 分（95% CI (?P<nci>\[[^\]]+\])），"
                     rf"按党员构成调整后 (?P<a>{NUM}) 分（95% CI (?P<aci>\[[^\]]+\])）")
    matched = 0
    for s in sec.sentences:
        m = pat.search(s)
        assert m, s
        rows = t[t["维度"] == m["label"]].set_index("估计方法")
        assert m["n"] == rows.loc["未调整", "差值"] and m["nci"] == rows.loc["未调整", "95% CI"]
        assert m["a"] == rows.loc["按构成调整", "差值"] and m["aci"] == rows.loc["按构成调整", "95% CI"]
        matched += 1
    assert matched == 5


def test_reliability_and_ipa_sentences_equal_tables(demo_sections) -> None:
    meas = demo_sections["measurement"]
    scales = meas.tables["scales"].set_index("维度")
    pat = re.compile(rf"「(?P<label>[^」]+)」：α = (?P<a>{NUM})（95% CI (?P<ci>\[[^\]]+\])），ω = (?P<o>{NUM})")
    hits = [pat.search(s) for s in meas.sentences]
    assert sum(h is not None for h in hits) == len(scales)
    for m in filter(None, hits):
        row = scales.loc[m["label"]]
        assert (m["a"], m["ci"], m["o"]) == (row["Cronbach's α"], row["α 的 95% CI"],
                                             row["McDonald's ω"])
    prio = demo_sections["priorities"]
    ipa = prio.tables["ipa"].set_index("项目")
    pat = re.compile(rf"「(?P<name>[^」]+)」：重要性 (?P<i>{NUM})，表现 (?P<p>{NUM})（相差 (?P<d>{NUM}) 分）；"
                     rf"表现比对标院校低 (?P<b>{NUM}) 分（95% CI (?P<ci>\[[^\]]+\])，BH 校正 p (?:= )?(?P<q>< 0\.001|\d\.\d{{3}})）")
    hits = [m for m in map(pat.search, prio.sentences) if m]
    assert len(hits) == 3
    for m in hits:
        row = ipa.loc[m["name"]]
        assert m["i"] == row["重要性均值"] and m["p"] == row["表现均值"]
        assert m["d"] == row["重要性 − 表现"]
        assert "-" + m["b"] == row["与对标的表现差值"] and m["ci"] == row["差值 95% CI"]
        assert m["q"] == row["BH 校正 p"]


def test_audit_and_symposium_sentences_equal_data(demo_sections, demo_ctx) -> None:
    audit = demo_sections["audit"]
    log = audit.data["cleaning_log"]
    raw, kept = int(log["n_remaining"].iloc[0]), int(log["n_remaining"].iloc[-1])
    assert f"原始答卷 {raw} 条" in audit.sentences[0]
    assert f"保留 {kept} 条（{nz.pct(kept / raw)}）" in audit.sentences[0]
    assert len(demo_ctx.processed.responses) == kept
    sym = demo_sections["symposium"]
    n = len(demo_ctx.processed.statements)
    assert f"共记录发言 {n} 条" in sym.sentences[0]
    freq = sym.tables["frequencies"].set_index("主题")
    for label, count, share in re.findall(r"「([^」]+)」（(\d+) 条，占 ([\d.]+%)）", sym.sentences[0]):
        assert str(freq.loc[label, "提及条数（全部）"]) == count
        assert freq.loc[label, "占全部发言"] == share
    a = sym.data["alpha"].iloc[0]
    assert f"Krippendorff's α = {nz.num(a['effect'])}" in sym.sentences[-1]


def test_findings_answer_all_six_questions(demo_sections, minimal_sections) -> None:
    for sections in (demo_sections, minimal_sections):
        fin = sections["findings"]
        assert [a.number for a in fin.answers] == [1, 2, 3, 4, 5, 6]
        assert all(a.sentences for a in fin.answers)
        md = A.answer_markdown(fin, 1)
        assert md.startswith("**问：")
    demo = demo_sections["findings"]
    lead = demo.answers[0].sentences[0]
    assert lead.startswith("结论：") and all(x in lead for x in ("过硬党支部建设", "服务型党组织建设",
                                                               "品牌示范与争先创优"))
    assert "学习型党组织建设" not in lead
    assert demo.answers[1].sentences[0].startswith("结论：按党员构成调整后")
    assert "「固本强基工程」" in " ".join(demo.answers[4].sentences)
    # no number in the findings is left unformatted
    text = " ".join(demo.sentences)
    assert not re.search(r"\d\.\d{4,}", text) and "nan" not in text


def test_narrative_formatting() -> None:
    assert nz.num(-0.004) == "0.00" and nz.num(-0.238) == "-0.24" and nz.num(np.nan) == nz.MISSING
    assert nz.pval(0.0004) == "< 0.001" and nz.p_eq(0.0123) == "= 0.012"
    assert nz.ci(-0.51, -0.149) == "[-0.51, -0.15]"
    assert nz.count(3) == "<5" and nz.count(0) == "0" and nz.count(12) == "12"
    assert nz.mean_digits(0.063, 3.688, 3.625) == 3 and nz.mean_digits(-0.24, 3.58, 3.82) == 2
    assert nz.join_zh(["甲", "乙", "丙"]) == "甲、乙和丙"


# --------------------------------------------------------------------------------------------
# sentences for any grouping and scale direction

DEMO_WORDS = ("本院", "对标", "院校", "领先")


def _texts(sections) -> list[str]:
    """Every sentence, and the notes of the sections written here (gaps, composition, audit)."""
    notes = [n for k in ("gaps", "composition", "audit") for n in sections[k].notes]
    return [t for s in sections.values() for t in s.sentences] + notes


def test_minimal_sentences_use_the_study_labels(minimal_sections) -> None:
    """Grouped by campus: no sentence speaks of 本院, 对标院校 or 领先."""
    texts = _texts(minimal_sections)
    assert any("主校区" in t for t in texts)
    bad = [t for t in texts if any(w in t for w in DEMO_WORDS)]
    assert bad == []
    # the gap sentences name the comparison group in the study's words
    gaps = minimal_sections["gaps"].sentences
    assert any("其他校区（合并）" in s for s in gaps)
    svc = next(s for s in gaps if "「服务意识」" in s)
    assert "较差" in svc  # the planted gap: 主校区 lower on a higher-is-better scale


def _lower_is_better(ctx, scale: str):
    """The context with ``scale`` declared lower-is-better (a fresh, uncached context)."""
    import dataclasses

    scales = [s.model_copy(update={"direction": "lower_is_better"}) if s.id == scale else s
              for s in ctx.codebook.scales]
    codebook = ctx.codebook.model_copy(update={"scales": scales})
    return dataclasses.replace(ctx, codebook=codebook, memo={}, digest=None, cache_dir=None)


def test_lower_is_better_scale_turns_the_judgement_round(minimal_ctx, minimal_sections) -> None:
    ctx = _lower_is_better(minimal_ctx, "svc")
    assert ctx.codebook.scale_directions()["svc"] == "lower_is_better"
    sec = A.benchmark_gaps(ctx, likert=False)
    svc = next(s for s in sec.sentences if "「服务意识」" in s)
    # same numbers, opposite judgement: 主校区 scores lower, and lower is better
    before = next(s for s in minimal_sections["gaps"].sentences if "「服务意识」" in s)
    assert GAP_RE.search(svc).groupdict() == GAP_RE.search(before).groupdict()
    assert "越低越好" in svc and "较好" in svc and "较差" not in svc
    # the items of the scale are no longer listed as where 主校区 does worst
    assert not any(s.startswith("逐题看") and "svc" in s for s in sec.sentences)
    assert any("越低越好" in n for n in sec.notes)
    # the findings and the brief write the same sentence
    from survey.report.brief import gap_sentence as brief_sentence

    row = next(sec.data["scale"].query("group == @POOLED and scale == 'svc'").itertuples())
    assert brief_sentence(row, ctx, against="其他校区（合并）") == svc


def test_composition_sentence_follows_direction_and_labels(minimal_ctx) -> None:
    from survey.report.sections.gaps import composition_sentence

    pooled = pd.DataFrame({"scale": ["svc", "svc"], "estimator": ["naive", "poststratified"],
                           "diff": [-0.30, -0.42], "ci_low": [-0.5, -0.66], "ci_high": [-0.1, -0.2]})
    # home lower in 2 of 3 member types, 1 type too small to count
    within = pd.DataFrame({"scale": ["svc"] * 4, "stratum": ["甲", "乙", "丙", "丁"],
                           "diff": [-0.5, -0.2, 0.1, -0.9], "n_ref": [30, 30, 30, 3],
                           "n": [40, 40, 40, 40]})
    higher = composition_sentence(minimal_ctx, "svc", pooled, within, against="其他校区（合并）")
    assert higher == ("「服务意识」：未调整差距 -0.30 分（95% CI [-0.50, -0.10]），按党员构成调整后 "
                      "-0.42 分（95% CI [-0.66, -0.20]）；在 3 个党员类别内部，有 2 个类别主校区"
                      "差于其他校区（合并）。")
    lower = composition_sentence(_lower_is_better(minimal_ctx, "svc"), "svc", pooled, within,
                                 against="其他校区（合并）")
    assert "有 1 个类别主校区差于其他校区（合并）（该维度分数越低越好）" in lower
    assert not any(w in higher + lower for w in DEMO_WORDS)


def test_gap_table_means_give_the_shown_difference(demo_sections, minimal_sections) -> None:
    """Rounding: the two means shown give the difference shown (one more decimal if needed)."""
    checked = 0
    for sections in (demo_sections, minimal_sections):
        for name in ("scale", "item"):
            t = sections["gaps"].tables[name]
            ref = next(c for c in t.columns if c.endswith("均值") and c != "对标均值")
            for _, r in t[t["差值"] != nz.MISSING].iterrows():
                shown = float(r[ref]) - float(r["对标均值"])
                # equal, or (a tie at the extra decimal) within half a unit of the last digit
                assert nz.num(shown) == r["差值"] or abs(shown - float(r["差值"])) <= 0.0051, \
                    (r[ref], r["对标均值"], r["差值"])
                checked += 1
    assert checked > 50


# --------------------------------------------------------------------------------------------
# counts of rows are shown; breakdowns of people are suppressed, with secondary suppression


def test_excluded_row_counts_are_shown_in_full() -> None:
    from types import SimpleNamespace

    from survey.report.sections.audit import _flow

    log = pd.DataFrame({
        "rule_id": ["raw", "duplicate", "speeder", "kept"],
        "rule": ["原始记录", "重复作答", "作答过快", "最终保留"], "enabled": [True] * 4,
        "n_flagged": [0, 3, 1, 0], "n_excluded": [0, 3, 1, 0], "n_remaining": [40, 37, 36, 36],
        "note": ["", "", "", ""]})
    ctx = SimpleNamespace(processed=SimpleNamespace(cleaning_log=log))
    table, _, sentences = _flow(ctx)
    assert "重复作答 3 条" in sentences[0] and "作答过快 1 条" in sentences[0]
    assert "排除 4 条" in sentences[0] and "<5" not in sentences[0]
    assert table["排除条数"].tolist() == [0, 3, 1, 0]


def test_audit_tables_of_rows_are_not_suppressed(demo_sections) -> None:
    audit = demo_sections["audit"]
    log = audit.data["cleaning_log"]
    assert audit.tables["flow"]["排除条数"].astype(int).tolist() == log["n_excluded"].astype(int).tolist()
    for t in ("flow", "exclusions", "files"):
        assert not audit.tables[t].astype(str).isin(["<5"]).any().any(), t


def test_sample_table_suppression_cannot_be_undone() -> None:
    from types import SimpleNamespace

    from survey.report.sections.audit import sample_table
    from survey.stats.suppress import recoverable

    counts = pd.DataFrame({"在职": [30, 12, 2, 0], "学生": [20, 3, 1, 9], "离退休": [10, 8, 0, 6]},
                          index=pd.Index(["甲", "乙", "丙", "丁"], name="college"))
    sample = counts.assign(合计=counts.sum(axis=1))
    out = sample_table(sample, SimpleNamespace(min_n=5)).set_index("分组")
    assert out.loc["丙"].tolist() == ["<5"] * 4  # a group of 3 people: hidden as a whole
    assert out.loc["乙", "学生"] == "<5" and out.loc["乙", "合计"] == 23
    shown = out.drop(index="丙")
    hidden = shown.drop(columns="合计").isin(["<5", "*"]).to_numpy()
    assert hidden.sum() >= 2  # the small cell and its complement
    assert not recoverable(hidden, totals="rows").any()
    assert out.loc["甲"].tolist() == [30, 20, 10, 60]
