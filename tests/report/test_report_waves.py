"""The report section "与上一轮调查相比" on two tiny generic studies (issue #13 §4).

Two waves (2025年 earlier, 2026年 current), three colleges (本院, 对标甲, 对标乙), 150 answers
per college and wave. Planted: on P1 the home college's items move from 2 to 3 in 5 points
while the benchmarks stay at 4 (the gap narrows from about −2 to about −1: 缩小); on P2 the home
college catches up completely (−1.5 → 0: 基本消除); on P3 nothing changes (gap −1 in both waves:
没有明显变化). P3's third item was reworded in 2026, so P3 is compared over two items. The
first 40 home respondents answered both waves (same key file, so the same pseudonyms).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from survey import analysis as A
from survey.config.study import load_study
from survey.pipeline import run_clean
from survey.report.sections.waves import NO_WAVES, TITLE, VERDICT_WORDS, waves

AGREE = {1: "非常不同意", 2: "比较不同意", 3: "一般", 4: "比较同意", 5: "非常同意"}
KEY = "waves-report-test-key-not-secret"
COLLEGES = ("本院", "对标甲", "对标乙")
N = 150
#: planted item means: (wave, college) -> {scale: mean}
MEANS = {
    ("2025", "本院"): {"P1": 2.0, "P2": 2.5, "P3": 3.0},
    ("2026", "本院"): {"P1": 3.0, "P2": 4.0, "P3": 3.0},
    **{(w, c): {"P1": 4.0, "P2": 4.0, "P3": 4.0} for w in ("2025", "2026")
       for c in ("对标甲", "对标乙")},
}
ITEMS = {"P1": ["a1", "a2", "a3"], "P2": ["b1", "b2", "b3"], "P3": ["c1", "c2", "c3"]}


def _dump(data: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _codebook(c3_text: str) -> dict[str, Any]:
    items = []
    for scale, ids in ITEMS.items():
        for i in ids:
            text = c3_text if i == "c3" else f"{scale} 题 {i}"
            items.append({"id": i, "text": text, "type": "likert", "options": "agree5"})
    for k in (1, 2, 3):
        items.append({"id": f"IMP_{k}", "text": f"项目{k}·重要性", "label": f"项目{k}·重要性",
                      "type": "likert", "options": "agree5"})
        items.append({"id": f"PERF_{k}", "text": f"项目{k}·表现", "label": f"项目{k}·表现",
                      "type": "likert", "options": "agree5"})
    return {
        "title": "两轮报告测试问卷", "missing_codes": [], "option_sets": {"agree5": AGREE},
        "items": items,
        "scales": [{"id": s, "label": f"维度{s}", "items": ids} for s, ids in ITEMS.items()],
        "identifiers": [{"id": "staff", "kind": "staff_no", "action": "pseudonymise",
                         "respondent_key": True, "source": {"column": "staff"}}],
    }


def _write_wave(root: Path, wave: str, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    files = []
    for college in COLLEGES:
        m = MEANS[(wave, college)]
        df = pd.DataFrame({"staff": [f"{college}-{wave}-{i}" for i in range(N)]})
        if college == "本院":  # the first 40 home respondents answered both waves
            df.loc[:39, "staff"] = [f"本院-both-{i}" for i in range(40)]
        for scale, ids in ITEMS.items():
            for i in ids:
                df[i] = np.clip(np.rint(rng.normal(m[scale], 0.9, N)), 1, 5).astype(int)
        for k in (1, 2, 3):
            perf = 2.5 + (1.0 if (k == 1 and wave == "2026" and college == "本院") else 0.0) + 0.3 * k
            df[f"IMP_{k}"] = np.clip(np.rint(rng.normal(4.5 - 0.6 * k, 0.8, N)), 1, 5).astype(int)
            df[f"PERF_{k}"] = np.clip(np.rint(rng.normal(perf, 0.8, N)), 1, 5).astype(int)
        path = root / "raw" / f"{wave}_{college}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False, encoding="utf-8")
        files.append({"path": f"raw/{wave}_{college}.csv", "format": "generic", "encoding": "utf-8",
                      "attributes": {"college": college}})
    return files


def _study(title: str, files: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {
        "title": title, "synthetic": True,
        "questionnaire": {"codebook": "codebook.yaml", "files": files,
                          "compare": {"by": "college", "reference": "本院"}},
        "cleaning": {"test_submissions": {"enabled": False}, "speeders": {"enabled": False},
                     "straight_lining": {"enabled": False}},
        "privacy": {"demo_key": KEY},
        **top,
    }


@pytest.fixture(scope="module")
def two_waves(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("waves_report")
    earlier = root / "earlier"
    _dump(_codebook("P3 题 c3"), earlier / "codebook.yaml")
    old = _dump(_study("上一轮", _write_wave(earlier, "2025", seed=11), output_dir="processed"),
                earlier / "study.yaml")
    run_clean(load_study(old))
    _dump(_codebook("P3 题 c3（今年改了措辞）"), root / "codebook.yaml")
    current = _dump(_study("本轮", _write_wave(root, "2026", seed=12), wave_label="2026年",
                           output_dir="processed", figures_dir="figures", reports_dir="reports",
                           waves=[{"label": "2025年", "study": "earlier/study.yaml"}]),
                    root / "study.yaml")
    run_clean(load_study(current))
    return current


@pytest.fixture(scope="module")
def section(two_waves: Path) -> A.Section:
    return waves(A.load(two_waves, cache=False))


def _direct(two_waves: Path) -> dict[str, pd.DataFrame]:
    """The same numbers from direct calls of survey.waves and survey.stats.waves."""
    from survey.stats.scoring import score_scales
    from survey.stats.waves import gap_change, wave_change
    from survey.waves import (
        aligned_responses,
        common_codebook,
        comparable_items,
        load_waves,
        scale_items_in_both,
    )

    ctx = A.load(two_waves, cache=False)
    (wave,) = load_waves(ctx.study)
    match = comparable_items(ctx.codebook, wave)
    common = common_codebook(ctx.codebook, scale_items_in_both(ctx.codebook, wave, match))
    old = aligned_responses(wave, match)
    parts = []
    for label, frame in (("2025年", old), ("2026年", ctx.processed.responses)):
        s = score_scales(frame, common)
        s["college"], s["w"], s["key"] = frame["college"].astype(str).to_numpy(), label, \
            frame["respondent_key"].to_numpy()
        parts.append(s)
    long = pd.concat(parts, ignore_index=True)
    change = wave_change(long, dv=["P1", "P2", "P3"], wave="w", by="college", paired_key="key")
    gap = gap_change(long, dv=["P1", "P2", "P3"], wave="w", group="college", reference="本院",
                     paired_key="key")
    alone = gap_change(long, dv=["P1", "P2", "P3"], wave="w", group="college", reference="本院",
                       benchmark=["对标甲"], paired_key="key")
    return {"change": change, "gap": gap, "alone": alone}


def test_section_numbers_equal_direct_calls(two_waves: Path, section: A.Section) -> None:
    assert not section.skipped and section.title == TITLE
    direct = _direct(two_waves)
    cols = ["diff", "ci_low", "ci_high", "p_adj", "effect", "n1", "n2", "n_matched"]
    got = section.data["change"].set_index(["group", "scale"]).sort_index()[cols]
    want = direct["change"].set_index(["group", "scale"]).sort_index()[cols]
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    cols = ["gap1", "gap2", "diff", "ci_low", "ci_high", "p_adj", "verdict", "n_matched"]
    got = section.data["gap"].set_index("scale")[cols]
    pd.testing.assert_frame_equal(got, direct["gap"].set_index("scale")[cols], check_dtype=False)
    by_group = section.data["gap_by_group"]
    got = by_group[by_group["group"] == "对标甲"].set_index("scale")[cols]
    pd.testing.assert_frame_equal(got, direct["alone"].set_index("scale")[cols],
                                  check_dtype=False)
    # Holm across the three dimensions within each college
    assert set(section.data["change"]["p_adj_method"]) == {"holm/scales"}


def test_verdicts_match_planted_truth(section: A.Section) -> None:
    gap = section.data["gap"].set_index("scale")
    assert gap.loc["P1", "verdict"] == "已缩小"
    assert gap.loc["P2", "verdict"] == "已消除"
    assert gap.loc["P3", "verdict"] == "未见变化"
    # planted change of the gap (items move by 1, 1.5 and 0 points) lies in the CI
    for scale, planted in (("P1", 1.0), ("P2", 1.5), ("P3", 0.0)):
        assert gap.loc[scale, "ci_low"] < planted < gap.loc[scale, "ci_high"], scale
    table = section.tables["gap"].set_index("维度")["判断"]
    assert table.to_dict() == {"维度P1": "缩小", "维度P2": "基本消除", "维度P3": "没有明显变化"}
    lead = section.sentences[0]
    assert lead.startswith("结论：与2025年相比，本院与对标院校（合并）在")
    assert "「维度P1」上的差距缩小" in lead and "「维度P2」上的差距基本消除" in lead
    assert "其余1个维度的差距没有明显变化" in lead  # P3, named in its own sentence
    said = [s for s in section.sentences if s.startswith("在「维度P3」上")]
    assert len(said) == 1 and said[0].endswith("未见差距有可分辨的变化。")


def test_matched_respondents_dropped_items_and_reliability(section: A.Section) -> None:
    assert int(section.data["matched"]["n_matched"].iloc[0]) == 40
    home = section.data["change"][section.data["change"]["group"] == "本院"]
    assert set(home["n_matched"]) == {40} and set(home["design"]) == {"partially_paired"}
    assert any("两轮都作答的受访者有 40 人" in s for s in section.sentences)
    assert any(n.startswith("P3 只比较两轮都有的 2 题，未纳入：c3（题目措辞或选项已变") for n in section.notes)
    rel = section.data["reliability"]
    assert list(rel["wave"].unique()) == ["2025年", "2026年"]
    assert rel.set_index(["wave", "scale"]).loc[("2026年", "P3"), "n_items"] == 2


def test_ipa_movement_figure(section: A.Section) -> None:
    mv = section.data["ipa_movement"].set_index("project")
    # planted: project 1's performance at 本院 rises by one point, the others do not move
    assert 0.7 < mv.loc[1, "performance_change"] < 1.3
    assert abs(mv.loc[2, "performance_change"]) < 0.3
    assert "ipa_movement" in section.figures and section.saved["ipa_movement"].is_file()


def test_single_wave_study_is_skipped(two_waves: Path) -> None:
    sec = waves(A.load(two_waves.parent / "earlier" / "study.yaml", cache=False))
    assert sec.skipped and sec.notes == [NO_WAVES]
    assert NO_WAVES == "本研究只有一轮调查，无法与上一轮比较。"
    assert set(VERDICT_WORDS.values()) == {"缩小", "基本消除", "没有明显变化", "扩大"}


def _brief(study: Path) -> Any:
    from survey.report.brief import build_brief

    ctx = A.load(study, cache=False)
    return build_brief(ctx, A.results(ctx))


def _texts(doc: Any) -> list[str]:
    from survey.report.document import Heading, Paragraph

    return [b.text for b in doc.blocks if isinstance(b, Heading | Paragraph)]


def test_brief_has_the_section_and_a_summary_line(two_waves: Path) -> None:
    from survey.report.document import Heading

    doc = _brief(two_waves)
    heads = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert "三、与上一轮调查相比" in heads
    # after the six answers, before the appendix
    assert heads.index("三、与上一轮调查相比") > heads.index("二、六个问题的回答")
    assert heads.index("三、与上一轮调查相比") < heads.index("附录")
    texts = _texts(doc)
    summary = texts[:texts.index("一、调研基本情况")]
    line = [t for t in summary if t.startswith("与上一轮相比：")]
    assert len(line) == 1 and "「维度P2」上的差距基本消除" in line[0]


def test_docx_has_the_section_and_summary_line(two_waves: Path, tmp_path: Path) -> None:
    import docx

    from survey.report.docx import write_committee_docx

    path = write_committee_docx(_brief(two_waves), tmp_path / "committee.docx")
    text = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "三、与上一轮调查相比" in text
    assert any(t.startswith("与上一轮相比：") and "「维度P1」上的差距缩小" in t for t in text)


def test_single_wave_brief_has_no_wave_section(two_waves: Path) -> None:
    texts = _texts(_brief(two_waves.parent / "earlier" / "study.yaml"))
    assert not any("与上一轮" in t for t in texts)
