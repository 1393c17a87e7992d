"""Every planted problem recorded in truth.json is in the raw files, and nothing else is."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from demo_helpers import norm

SCALES = {
    "P1": ["P1_1", "P1_2", "P1_3", "P1_4", "P1_5"],
    "P2": ["P2_1", "P2_2", "P2_3", "P2_4", "P2_5"],
    "P3": ["P3_1", "P3_2", "P3_3", "P3_4"],
    "P4": ["P4_1", "P4_2", "P4_3", "P4_4", "P4_5", "P4_6"],
    "P5": ["P5_1", "P5_2", "P5_3", "P5_4", "P5_5"],
}
LIKERT = [i for items in SCALES.values() for i in items]


def _rows(truth: dict, category: str, fname: str) -> set[int]:
    return {e["row"] for e in truth["planted"].get(category, []) if fname in e.get("files", [])}


def _cell_rows(truth: dict, category: str, fname: str) -> set[tuple[int, str]]:
    return {(e["row"], c["column"]) for e in truth["planted"].get(category, [])
            for c in e["cells"] if c["file"] == fname}


def test_counts_agree_with_the_entries(truth: dict) -> None:
    for cat, per_file in truth["counts"].items():
        entries = truth["planted"][cat]
        for fname, n in per_file.items():
            listed = [e for e in entries if fname in e.get("files", []) or
                      any(c["file"] == fname for c in e.get("cells", []))]
            assert len(listed) == n, (cat, fname)
    home = [f for f, i in truth["files"].items() if i["college"] == "本院" and i["format"] == "wjx_text"][0]
    expected = {"duplicates": 3, "repeated_respondents": 1, "test_submissions": 2, "speeders": 4,
                "straight_liners": 3, "attention_failures": 3}
    assert {k: truth["counts"][k][home] for k in expected} == expected


def test_test_submissions_are_exactly_the_rows_before_fieldwork(raw: dict, truth: dict) -> None:
    start = pd.Timestamp(truth["fieldwork"]["start"])
    for fname, f in raw.items():
        c = f["codes"]
        found = set(c.loc[c["submitted"] < start, "_row"])
        assert found == _rows(truth, "test_submissions", fname), fname


def test_speeders_are_exactly_the_rows_under_a_third_of_the_median(raw: dict, truth: dict) -> None:
    checked = 0
    for fname, f in raw.items():
        c = f["codes"]
        if "duration" not in c:  # the hand-typed file has no durations
            assert not _rows(truth, "speeders", fname)
            continue
        found = set(c.loc[c["duration"] < c["duration"].median() / 3, "_row"])
        assert found == _rows(truth, "speeders", fname), fname
        assert c.loc[c["_row"].isin(found), "duration"].max() < 0.25 * c["duration"].median()
        checked += 1
    assert checked == 4


def test_attention_failures_are_exactly_the_rows_not_choosing_agree(raw: dict, truth: dict) -> None:
    for fname, f in raw.items():
        c = f["codes"]
        found = set(c.loc[c["ATT_1"] != 4, "_row"])
        assert found == _rows(truth, "attention_failures", fname), fname


def test_straight_liners_are_exactly_the_rows_with_a_constant_battery(raw: dict, truth: dict) -> None:
    for fname, f in raw.items():
        c = f["codes"]
        flat = np.zeros(len(c), dtype=bool)
        for items in SCALES.values():
            x = c[items]
            flat |= (x.nunique(axis=1) == 1) & (x.notna().sum(axis=1) >= 4)
        assert set(c.loc[flat, "_row"]) == _rows(truth, "straight_liners", fname), fname
        # the planted straight-liners contradict themselves on the reverse-keyed items
        assert (c.loc[flat, ["P1_1", "P1_5"]].nunique(axis=1) == 1).all()


def test_duplicates_and_repeats(raw: dict, truth: dict) -> None:
    for fname, f in raw.items():
        s = f["strings"]
        meta = {"_row", "序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"}
        answers = s[[c for c in s.columns if c not in meta]]
        dup = s.loc[answers.duplicated(keep="last"), "_row"]
        assert set(dup) == _rows(truth, "duplicates", fname), fname
        for e in truth["planted"]["duplicates"]:
            if fname in e["files"]:
                a = answers[s["_row"] == e["row"]].to_numpy()
                b = answers[s["_row"] == e["repeats_row"]].to_numpy()
                assert (a == b).all() and e["repeats_row"] > e["row"]
        phones = f["codes"]["phone"].str.replace(r"\D", "", regex=True)
        phones = phones.where(~phones.isin(["", "86"]) & (phones.str.len() >= 11))
        rep = set(s.loc[phones.duplicated(keep="last") & phones.notna(), "_row"]) - set(dup)
        assert rep == _rows(truth, "repeated_respondents", fname), fname


def test_out_of_range_cells(raw: dict, truth: dict) -> None:
    for fname, f in raw.items():
        s, c = f["strings"], f["codes"]
        found = set()
        for item in LIKERT:
            bad = c[item].notna() & ~c[item].between(1, 5)
            col = item if f["format"] == "generic" else _header(item)
            found |= {(int(r), col) for r in c.loc[bad, "_row"]}
        years = pd.to_numeric(c["years"], errors="coerce")
        ycol = "years" if f["format"] == "generic" else next(h for h in s.columns if h.startswith("8、"))
        found |= {(int(r), ycol) for r in c.loc[years > 70, "_row"]}
        assert found == _cell_rows(truth, "out_of_range", fname), fname


def _header(item: str) -> str:
    from survey.demo.writers import _matrix_rows

    q, title = next((q, t) for i, q, t in _matrix_rows() if i == item)
    return f"第{q}题({title})"


def test_full_width_digits_branch_variants_and_scientific_phones(raw: dict, truth: dict) -> None:
    canonical = set()
    for e in truth["planted"]["branch_variants"]:
        canonical.add(e["canonical"])
    for fname, f in raw.items():
        s = f["strings"]
        fw, sci = set(), set()
        for col in s.columns[1:]:
            vals = s[col].astype(str)
            fw |= {(int(r), col) for r in s.loc[vals.str.contains("[０-９]"), "_row"]}
            sci |= {(int(r), col) for r in s.loc[vals.str.fullmatch(r"\d\.\d+E\+\d+"), "_row"]}
        assert fw == _cell_rows(truth, "full_width_digits", fname), fname
        sci_truth = _cell_rows(truth, "scientific_notation_phone", fname)
        if f["format"] == "generic":  # stored as a number with format 0.00E+00
            assert len(sci_truth) == 1 and not sci
        else:
            assert sci == sci_truth, fname
        branch = s[next(c for c in s.columns if c in ("branch",) or c.startswith("5、"))]
        odd = {(int(r), branch.name) for r, v in zip(s["_row"], branch, strict=True)
               if v != norm(v) or (v not in canonical and v != "测试" and not _is_plain_branch(v))}
        assert odd == _cell_rows(truth, "branch_variants", fname), fname


def _is_plain_branch(v: str) -> bool:
    from survey.demo.world import BENCH_BRANCHES, HOME_BRANCHES

    return v in HOME_BRANCHES or any(v in names for names in BENCH_BRANCHES.values())


def test_generic_file_has_phone_in_scientific_format(demo_dir: Path, truth: dict) -> None:
    import openpyxl

    (entry,) = [e for e in truth["planted"]["scientific_notation_phone"] if e["recoverable"]]
    cell = entry["cells"][0]
    ws = openpyxl.load_workbook(demo_dir / cell["file"]).active
    header = [c.value for c in ws[1]]
    target = ws.cell(row=entry["row"], column=header.index("phone") + 1)
    assert target.number_format == "0.00E+00" and target.value == float(entry["original"])


def test_crosscheck_has_exactly_the_planted_mismatch(raw: dict, truth: dict) -> None:
    text, code = raw[truth["crosscheck"]["text"]]["codes"], raw[truth["crosscheck"]["code"]]["codes"]
    code = code.replace({-2.0: np.nan, -3.0: np.nan})  # 按序号 missing codes = (跳过) in 按文本
    cols = [c for c in text.columns if c not in ("_row", "years", "branch", "phone", "suggest", "duration", "submitted")]
    diff = (text[cols].to_numpy() != code[cols].to_numpy()) & ~(text[cols].isna().to_numpy() & code[cols].isna().to_numpy())
    found = [(int(text["_row"].iat[i]), cols[j]) for i, j in zip(*np.nonzero(diff), strict=True)]
    (planted,) = truth["planted"]["crosscheck_mismatch"]
    assert found == [(planted["row"], "P2_3")]
    assert code.loc[code["_row"] == planted["row"], "P2_3"].item() == planted["value"] != planted["text_code"]


def test_formula_like_text_is_stored_as_text(raw: dict, truth: dict) -> None:
    entries = truth["planted"]["formula_like_text"]
    assert {e["value"][0] for e in entries} == {"=", "@", "-", "+"}
    for e in entries:
        for cell in e["cells"]:
            s = raw[cell["file"]]["strings"]
            assert s.loc[s["_row"] == e["row"], cell["column"]].item() == e["value"]


def _all_text(demo_dir: Path, truth: dict) -> str:
    parts = []
    for fname, info in truth["files"].items():
        if info["format"] != "summary":
            from demo_helpers import read_strings

            parts.append(read_strings(demo_dir / fname, info["encoding"]).to_csv(index=False))
    parts.append(pd.read_excel(demo_dir / truth["other_files"]["statements"], dtype=str, engine="openpyxl").to_csv(index=False))
    return "\n".join(parts)


def test_every_fake_identifier_is_in_the_files_and_every_identifier_is_listed(demo_dir: Path, truth: dict) -> None:
    text = _all_text(demo_dir, truth)
    fake = truth["fake_identifiers"]
    for kind, values in fake.items():
        assert values, kind
        for v in values:
            assert v in text, (kind, v)
    # every phone-shaped or ID-shaped token in the files is a listed fake
    phones = set(re.findall(r"(?<!\d)1\d{10}(?!\d)", text))
    assert phones <= set(fake["phones"]) | {p.replace("+86 ", "") for p in fake["phones"]}
    ids = set(re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", text))
    assert ids == set(fake["id_numbers"])
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for idn in ids:  # realistic shape (valid check digit) but obviously fake (born 1900)
        assert "10X98765432"[sum(int(d) * w for d, w in zip(idn[:17], weights, strict=True)) % 11] == idn[17]
        assert idn[6:10] == "1900"
    assert all(p.startswith(("1380013", "138-0013", "+86 1380013")) for p in fake["phones"])
    assert all(ip.startswith(("192.0.2.", "198.51.100.", "203.0.113.")) for ip in fake["ips"])
    embedded = [v for e in truth["planted"]["identifiers_in_free_text"] for v in e["identifiers"]]
    assert len(embedded) >= 10 and all(v in text for v in embedded)
    assert len(truth["symposium"]["statements_with_identifiers"]) >= 2
