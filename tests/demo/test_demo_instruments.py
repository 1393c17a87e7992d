"""Symposium records, benchmark indicators and roster of the demo study."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest


def _xlsx(demo_dir: Path, truth: dict, key: str) -> pd.DataFrame:
    return pd.read_excel(demo_dir / truth["other_files"][key], engine="openpyxl")


@pytest.fixture(scope="module")
def themes(demo_dir: Path, truth: dict) -> pd.DataFrame:
    return _xlsx(demo_dir, truth, "themes")


def _canonical(cell: str, themes: pd.DataFrame) -> list[str]:
    lookup = {}
    for _, t in themes.iterrows():
        lookup[t["主题编码"].upper()] = t["主题编码"]
        lookup.update(dict.fromkeys(re.split("[;；]", t["同义词"]), t["主题编码"]))
    parts = [unicodedata.normalize("NFKC", p).strip() for p in re.split("[;；]", cell)]
    return sorted(lookup.get(p.upper(), lookup.get(p, p)) for p in parts if p)


def test_sessions(demo_dir: Path, truth: dict) -> None:
    s = _xlsx(demo_dir, truth, "sessions")
    assert 6 <= len(s) <= 8 and s["场次编号"].is_unique
    assert set(s["座谈对象"]) == {"二级学院系部党支部书记", "组织员", "校企合作企业", "用人企业", "学生党员"}
    assert (s["参会人数"] > 0).all() and pd.api.types.is_datetime64_any_dtype(s["日期"])


def test_statements_codes_normalise_to_truth(demo_dir: Path, truth: dict, themes: pd.DataFrame) -> None:
    st = _xlsx(demo_dir, truth, "statements")
    sym = truth["symposium"]
    assert 150 <= len(st) <= 300 and len(st) == sym["n_statements"]
    assert st["发言人"].str.fullmatch(r"发言人[A-G]\d+").all()
    for (_, row), tr in zip(st.iterrows(), sym["statements"], strict=True):
        assert _canonical(row["编码员A"], themes) == tr["coder_a"]
        assert _canonical(row["编码员B"], themes) == tr["coder_b"]
    # codes are written messily on purpose: full-width, lower case, padded, synonyms, both separators
    assert set(sym["code_spelling_mess_counts"]) == {"full_width", "lowercase", "spaces", "synonym"}
    joined = "".join(st["编码员A"]) + "".join(st["编码员B"])
    assert "；" in joined and ";" in joined and "Ｔ" in joined
    agree = (st["编码员A"].map(lambda c: _canonical(c, themes)) == st["编码员B"].map(lambda c: _canonical(c, themes))).mean()
    assert agree == pytest.approx(sym["coder_exact_agreement"]) and 0.75 <= agree <= 0.92
    for row in sym["statements_with_identifiers"]:
        text = st.loc[row - 2, "发言内容"]
        assert re.search(r"1380013\d{4}", text)


def test_planted_theme_frequencies_by_group(truth: dict) -> None:
    counts = truth["symposium"]["true_theme_counts_by_group"]
    top = {g: max(c, key=c.get) for g, c in counts.items()}
    assert top["二级学院系部党支部书记"] in {"T03", "T04"}
    assert top["校企合作企业"] == "T09"
    assert top["学生党员"] in {"T01", "T02"}
    assert counts["组织员"].get("T07", 0) >= max(counts["组织员"].values()) - 2
    assert "T09" not in counts["学生党员"]


def test_theme_codebook(themes: pd.DataFrame) -> None:
    assert themes["主题编码"].is_unique
    areas = {a for v in themes["问题领域"].dropna() for a in re.split("[;；]", v)}
    assert areas == {"P1", "P2", "P3", "P4", "P5"}
    syn = [s for v in themes["同义词"] for s in re.split("[;；]", v)]
    assert len(syn) == len(set(syn))


def test_indicators_long_form_and_gaps(demo_dir: Path, truth: dict) -> None:
    ind = _xlsx(demo_dir, truth, "indicators")
    assert len(ind) == 5 * len(truth["indicators"])
    assert set(ind["院校"]) == set(truth["colleges"])
    assert set(ind["方向"]) == {"越高越好", "越低越好"}
    assert {"智慧党建", "五个规范", "党建品牌", "专职党务", "学习时长"} <= {
        k for k in ("智慧党建", "五个规范", "党建品牌", "专职党务", "学习时长") if ind["指标"].str.contains(k).any()}
    for name, g in truth["indicators"].items():
        d = ind[ind["指标"] == name].set_index("院校")["数值"]
        bench = d.drop("本院").mean()
        assert d["本院"] - bench == pytest.approx(g["diff"])
        assert g["home_behind"] == ((d["本院"] < bench) if g["higher_is_better"] else (d["本院"] > bench))
    behind = [g["area"] for g in truth["indicators"].values() if g["home_behind"]]
    assert {"P2", "P4", "P5"} <= set(behind)


def test_roster_and_response_rates(demo_dir: Path, truth: dict) -> None:
    ro = _xlsx(demo_dir, truth, "roster")
    totals = ro[ro["党支部"].isna()]
    branches = ro[ro["党支部"].notna()]
    assert set(branches["院校"]) == {"本院"}
    by_type = branches.groupby("党员类型")["人数"].sum()
    home = totals[totals["院校"] == "本院"].set_index("党员类型")["人数"]
    assert (by_type.sort_index() == home.sort_index()).all()
    counts = truth["effects"]["genuine_member_type_counts"]
    for _, r in totals.iterrows():
        assert counts[r["院校"]][r["党员类型"]] <= r["人数"]
    # the home college has many more retirees, as the questionnaire sample does
    share = totals.pivot_table(index="院校", columns="党员类型", values="人数")
    share = share["离退休党员"] / share.sum(axis=1)
    assert share["本院"] > 0.35 and (share.drop("本院") < 0.2).all()
