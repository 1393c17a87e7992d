"""The demo study's ``truth.json``: everything planted, and what the genuine rows realise.

Planted rows and cells resolved to files, Excel rows and headers; realised scale statistics and
home-vs-benchmark gaps of the genuine rows; the IPA truth; every fake identifier as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from survey.demo.world import (
    ATTENTION_ID,
    BASE_MEANS,
    C_LABEL_VARIANTS,
    FIELD_END,
    FIELD_START,
    GENERAL_SHARE,
    HOME,
    HOME_GAP,
    IMP_IDS,
    IMPORTANCE_MEANS,
    ITEM_NOISE_SD,
    LATENT_SD,
    MEMBER_TYPES,
    PERF_IDS,
    PERF_TYPE_EFFECT,
    PERFORMANCE_MEANS,
    PROJECTS,
    REVERSE_ITEMS,
    SCALE_IDS,
    SCALE_ITEMS,
    SCALES,
    TYPE_EFFECT,
    CollegeSpec,
    Resp,
    World,
)


# ---------------------------------------------------------------------------------------------
# Realised statistics (what the genuine rows of the files actually show)
# ---------------------------------------------------------------------------------------------
def _score(r: Resp, scale: str) -> float:
    """Scale score = mean of the items after reverse keying (6 - x); out-of-range codes missing."""
    vals = [(6 - v if i in REVERSE_ITEMS else v) for i in SCALE_ITEMS[scale] if 1 <= (v := r.answers[i]) <= 5]
    return float(np.mean(vals)) if vals else float("nan")


def _nms(x: Sequence[float]) -> dict[str, float]:
    a = np.asarray([v for v in x if not np.isnan(v)], dtype=float)
    return {"n": int(a.size), "mean": round(float(a.mean()), 6), "sd": round(float(a.std(ddof=1)), 6)}


def _realised(by_college: dict[str, list[Resp]]) -> dict[str, Any]:
    """Scale means per college × member type on genuine rows and the home-vs-benchmark gaps.

    ``gap_within_type_sd``: sum over member types of (home share of type) × (home mean − pooled
    benchmark mean of that type), divided by the pooled within-cell SD over all college × type
    cells. ``gap_naive_sd``: home mean − pooled benchmark mean, divided by the same SD.
    """
    cells: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for college, rows in by_college.items():
        gen = [r for r in rows if r.kind == "genuine"]
        cells[college] = {}
        for label, sel in [("全体", gen)] + [(MEMBER_TYPES[t], [r for r in gen if r.member_type == t]) for t in (1, 2, 3)]:
            cells[college][label] = {s: _nms([_score(r, s) for r in sel]) for s in SCALE_IDS}
    bench = [c for c in by_college if c != HOME]
    within, naive, pooled_sd = {}, {}, {}
    for s in SCALE_IDS:
        ss = sum((cells[c][MEMBER_TYPES[t]][s]["n"] - 1) * cells[c][MEMBER_TYPES[t]][s]["sd"] ** 2
                 for c in by_college for t in (1, 2, 3))
        df = sum(cells[c][MEMBER_TYPES[t]][s]["n"] - 1 for c in by_college for t in (1, 2, 3))
        sd = (ss / df) ** 0.5
        home_n = cells[HOME]["全体"][s]["n"]
        gap = 0.0
        for t in (1, 2, 3):
            h = cells[HOME][MEMBER_TYPES[t]][s]
            bn = sum(cells[c][MEMBER_TYPES[t]][s]["n"] for c in bench)
            bm = sum(cells[c][MEMBER_TYPES[t]][s]["n"] * cells[c][MEMBER_TYPES[t]][s]["mean"] for c in bench) / bn
            gap += h["n"] / home_n * (h["mean"] - bm)
        ball = sum(cells[c]["全体"][s]["n"] * cells[c]["全体"][s]["mean"] for c in bench) / sum(
            cells[c]["全体"][s]["n"] for c in bench)
        pooled_sd[s] = round(sd, 6)
        within[s] = round(gap / sd, 6)
        naive[s] = round((cells[HOME]["全体"][s]["mean"] - ball) / sd, 6)
    return {"scale_stats": cells, "pooled_within_cell_sd": pooled_sd, "gap_within_type_sd": within,
            "gap_naive_sd": naive}


def _row_truth(colleges: Sequence[CollegeSpec], by_college: dict[str, list[Resp]],
               names: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """Planted extra submissions per category, each with its file(s) and Excel row."""
    cats = {"duplicate": "duplicates", "repeat": "repeated_respondents", "test": "test_submissions",
            "speeder": "speeders", "straight": "straight_liners", "attention": "attention_failures"}
    out: dict[str, list[dict]] = {v: [] for v in cats.values()}
    for spec in colleges:
        if spec.form == "summary":
            continue
        files = sorted(names[spec.name].values())
        for r in by_college[spec.name]:
            if r.kind == "genuine":
                continue
            entry: dict[str, Any] = {"college": spec.name, "files": files, "row": r.row,
                                     "submitted": r.submitted.strftime("%Y/%m/%d %H:%M:%S"), "duration_s": r.duration}
            if r.partner is not None:
                entry["repeats_row"] = r.partner.row
                entry["note"] = "较早的一次提交；按 keep: last 应排除本行、保留 repeats_row"
            if r.kind == "attention":
                entry["answer"] = r.answers[ATTENTION_ID]
            out[cats[r.kind]].append(entry)
    return out


def _cell_truth(recs: dict[str, list[dict]], names: dict[str, dict[str, str]],
                headers: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """Resolve cell-level records to file names and header texts."""
    out: dict[str, list[dict]] = {}
    for college, items in recs.items():
        for rec in items:
            rec = dict(rec)
            form, key = rec.pop("form"), rec.pop("key")
            files = [f for fm, f in sorted(names[college].items()) if form in ("*", fm)]
            rec["college"] = college
            rec["cells"] = [{"file": f, "column": headers[f][key]} for f in files if key in headers[f]]
            if key == "learn_other":
                rec["cells"] = [{"file": f, "column": headers[f]["learn" if "learn" in headers[f] else "learn_7"]}
                                for f in files if "learn" in headers[f] or "learn_7" in headers[f]]
            out.setdefault(rec.pop("category"), []).append(rec)
    return out


def _fake_identifiers(colleges: Sequence[CollegeSpec], by_college: dict[str, list[Resp]],
                      sym_ids: list[str]) -> dict[str, list[str]]:
    """Every fake identifier as it appears in the raw files (so outputs can be scanned for them)."""
    found: dict[str, set[str]] = {k: set() for k in ("names", "phones", "id_numbers", "ips", "student_staff_numbers",
                                                     "wechat", "emails", "phones_scientific_notation")}
    for spec in colleges:
        if spec.form == "summary":
            continue
        for r in by_college[spec.name]:
            if r.name and r.name != "测试":
                found["names"].add(r.name)
            raw_phone = next((v for (sc, k), v in r.overrides.items() if k == "phone"), r.phone)
            if isinstance(raw_phone, str) and "E+" in raw_phone:
                found["phones_scientific_notation"].add(raw_phone)
            elif isinstance(raw_phone, str):  # as written (a variant such as 138-0013-1234 included)
                found["phones"].add(raw_phone)
            elif r.phone:  # a number cell in the hand-typed file
                found["phones"].add(r.phone)
            if r.sid and r.member_type != 3:
                found["id_numbers" if len(r.sid) == 18 else "student_staff_numbers"].add(r.sid)
            if r.wechat:
                found["wechat"].add(r.wechat)
            if spec.form != "generic_xlsx":
                found["ips"].add(r.ip)
            for kind, value in r.embedded:
                found[kind].add(value)
    for v in sym_ids:
        found["phones" if v.isdigit() else "names"].add(v)
    return {k: sorted(v) for k, v in found.items()}


def _quadrants() -> dict[str, str]:
    """Planted IPA quadrant of each project for the home college (cut at the means of the eight)."""
    imp, perf = IMPORTANCE_MEANS, PERFORMANCE_MEANS["home"]
    mi, mp = np.mean(list(imp.values())), np.mean(list(perf.values()))
    names = {(True, True): "继续保持", (True, False): "重点改进", (False, True): "可能过度投入", (False, False): "低优先级"}
    return {p: names[(bool(imp[p] > mi), bool(perf[p] > mp))] for p in PROJECTS}


def _effects_truth(colleges: Sequence[CollegeSpec], by_college: dict[str, list[Resp]],
                   gap: dict[str, float] = HOME_GAP) -> dict[str, Any]:
    latent = {}
    for spec in colleges:
        latent[spec.name] = {MEMBER_TYPES[t]: {s: round(BASE_MEANS[s] + TYPE_EFFECT[t] + spec.shift(s), 6)
                                               for s in SCALE_IDS} for t in (1, 2, 3)}
    realised = _realised(by_college)
    return {
        "model": "潜变量 θ_s = μ(院校, 党员类型, 维度) + 0.7·(√0.4·g + √0.6·e_s)；题目 y = clip(round(θ_s + b_j + N(0, 0.65²)), 1, 5)；反向题记为 6 − y",
        "base_means": BASE_MEANS, "member_type_effect": {MEMBER_TYPES[t]: v for t, v in TYPE_EFFECT.items()},
        "home_gap_points": gap, "benchmark_offsets": {c.name: c.offset for c in colleges if c.name != HOME},
        "latent_sd": LATENT_SD, "general_share": GENERAL_SHARE, "item_noise_sd": ITEM_NOISE_SD,
        "item_offsets": {it[0]: it[3] for s in SCALES for it in s[3]},
        "reverse_items": sorted(REVERSE_ITEMS),
        "latent_means": latent,
        "genuine_member_type_counts": {c.name: dict(zip(MEMBER_TYPES.values(), c.mix, strict=True)) for c in colleges},
        "expected": {s: ("behind" if gap[s] <= -0.3 else "level") for s in SCALE_IDS},
        "planted_gap_sd_approx": {s: round(gap[s] / realised["pooled_within_cell_sd"][s], 6) for s in SCALE_IDS},
        "realised": realised,
        "confounding": "本院离退休党员占 40%（对标院校约 15%），离退休党员各维度评分高 0.45 分，"
                       "故不分党员类型的朴素比较会低估本院在 P2、P4、P5 上的差距，并使 P1、P3 看起来略高。",
    }


def _ipa_truth(by_college: dict[str, list[Resp]]) -> dict[str, Any]:
    home = [r for r in by_college[HOME] if r.kind == "genuine"]
    quadrants = _quadrants()
    return {
        "importance_means": IMPORTANCE_MEANS, "performance_means": PERFORMANCE_MEANS,
        "performance_member_type_effect": {MEMBER_TYPES[t]: v for t, v in PERF_TYPE_EFFECT.items()},
        "items": {p: {"importance": IMP_IDS[j], "performance": PERF_IDS[j]} for j, p in enumerate(PROJECTS)},
        "quadrants_home": quadrants,
        "priority_projects": [p for p in PROJECTS if quadrants[p] == "重点改进"],
        "realised_home_means": {p: {"importance": round(float(np.mean([r.answers[IMP_IDS[j]] for r in home])), 6),
                                    "performance": round(float(np.mean([r.answers[PERF_IDS[j]] for r in home])), 6)}
                                for j, p in enumerate(PROJECTS)},
    }


def _count_by_file(entries: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in entries:
        for f in e.get("files") or sorted({c["file"] for c in e.get("cells", [])}):
            counts[f] = counts.get(f, 0) + 1
    return dict(sorted(counts.items()))


def _file_entries(world: World, by_college: dict[str, list[Resp]],
                  names: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    """``truth["files"]``: college, format, encoding, rows and planted extra rows of each file."""
    files = {}
    for spec in world.colleges:
        rows = by_college[spec.name]
        for form, fname in names[spec.name].items():
            files[fname] = {"college": spec.name, "format": form,
                            "encoding": {"wjx_code_csv": "gbk", "wjx_text_csv": "utf-8-sig", "tencent_csv": "utf-8-sig"}.get(spec.form),
                            "n_rows": len(rows) if form != "summary" else None,
                            "n_genuine": sum(r.kind == "genuine" for r in rows),
                            "planted_extra_rows": sorted(r.row for r in rows if r.kind != "genuine") if form != "summary" else []}
    return files


def build_truth(world: World, seed: int, by_college: dict[str, list[Resp]], *,
                names: dict[str, dict[str, str]], headers: dict[str, dict[str, str]],
                cell_recs: dict[str, list[dict]], other_files: dict[str, str],
                instruments: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The content of ``truth.json``.

    Parameters
    ----------
    world
        The colleges generated (:func:`survey.demo.world.build_world`).
    seed
        The random seed of the generation.
    by_college
        Every submission per college, planted rows included, Excel rows set.
    names, headers
        File names per college and format; column key -> header text per file.
    cell_recs
        Cell-level planted records per college (:func:`survey.demo.mess._plant_cells`).
    other_files
        The fixed file names of the study folder.
    instruments
        ``{"symposium": …, "indicators": …, "roster": …}`` truths of the other instruments
        (the earlier wave has no ``symposium``).
    """
    planted = _row_truth(world.colleges, by_college, names) | _cell_truth(cell_recs, names, headers)
    files = _file_entries(world, by_college, names)
    sym_ids = [v for st in instruments.get("symposium", {}).get("statements", []) for v in st["identifiers"]]
    summary = world.summary.name
    truth = {
        "synthetic": True, "note": "合成数据，仅供演示", "seed": seed, "generator": "survey.demo.generate_demo",
        "fieldwork": {"start": FIELD_START.isoformat(), "end": FIELD_END.isoformat()},
        "home": HOME, "colleges": [c.name for c in world.colleges], "files": files,
        "other_files": dict(other_files),
        "crosscheck": {"text": names[HOME]["wjx_text"], "code": names[HOME]["wjx_code"]},
        "summary_only": {"college": summary, "file": names[summary]["summary"]},
        "option_label_variants": {"丙市城市建设职业学院": {k: {str(c): lab for c, lab in v.items()}
                                                          for k, v in C_LABEL_VARIANTS.items()}},
        "planted": planted,
        "counts": {cat: _count_by_file(entries) for cat, entries in sorted(planted.items())},
        "effects": _effects_truth(world.colleges, by_college, world.home_gap), "ipa": _ipa_truth(by_college),
        **instruments,
        "fake_identifiers": _fake_identifiers(world.colleges, by_college, sym_ids),
    }
    if world.scale is not None:
        truth["scale"] = dict(world.scale)
    return truth
