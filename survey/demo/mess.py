"""The planted export mess of the demo study: extra submissions and messy cells.

Duplicates, repeated respondents, test submissions, speeders, straight-liners and attention
failures (:func:`_junk_rows`), and cell-level mess on genuine rows: full-width digits, phone
variants, identifiers in identifier columns and free text, formula-looking text, out-of-range
codes, a phone in scientific notation, a code/label mismatch, branch spelling variants
(:func:`_plant_cells`, :func:`_plant_branch_variants`). Every case is returned as a record for
``truth.json``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from survey.demo.world import (
    AGREE5,
    ATTENTION_ID,
    BRANCH_VARIANTS,
    FIELD_START,
    IMP_IDS,
    LEARN_OTHER,
    PERF_IDS,
    SCALE_IDS,
    SCALE_ITEMS,
    CollegeSpec,
    Resp,
    _Fakes,
    _respondent,
    _rng,
    _weighted,
)


# ---------------------------------------------------------------------------------------------
# Planted rows: duplicates, repeats, tests, speeders, straight-liners, attention failures
# ---------------------------------------------------------------------------------------------
def _draw_type(spec: CollegeSpec, rng: np.random.Generator) -> int:
    return _weighted(rng, [1, 2, 3], list(spec.mix))


def _junk_rows(spec: CollegeSpec, genuine: list[Resp], rng: np.random.Generator, fakes: _Fakes,
               campus: Sequence[str]) -> list[Resp]:
    """Planted extra submissions of one college (each of exactly one kind)."""
    mess, out = spec.mess, []
    start = dt.datetime.combine(FIELD_START, dt.time(0)) + dt.timedelta(days=1)
    targets = iter([genuine[int(i)] for i in rng.permutation(len(genuine)) if genuine[int(i)].submitted > start])
    for _ in range(mess.get("duplicates", 0)):
        g = next(targets)
        c = copy.deepcopy(g)
        c.kind, c.partner, g.busy = "duplicate", g, True
        c.submitted = g.submitted - dt.timedelta(minutes=int(rng.integers(2, 10)), seconds=int(rng.integers(60)))
        c.duration = max(200, int(g.duration * rng.uniform(0.8, 1.2)))
        out.append(c)
    for _ in range(mess.get("repeats", 0)):
        g = next(targets)
        c = copy.deepcopy(g)
        c.kind, c.partner, g.busy = "repeat", g, True
        c.submitted = g.submitted - dt.timedelta(hours=int(rng.integers(1, 4)), minutes=int(rng.integers(60)))
        c.duration, c.ip = max(200, int(g.duration * rng.uniform(0.7, 1.3))), fakes.ip(campus)
        for s in [str(x) for x in rng.choice(SCALE_IDS, size=3, replace=False)]:
            item = SCALE_ITEMS[s][int(rng.integers(len(SCALE_ITEMS[s])))]
            v = c.answers[item]
            c.answers[item] = v - 1 if v > 2 else v + 1
            if len({c.answers[i] for i in SCALE_ITEMS[s]}) == 1:  # keep it from straight-lining
                c.answers[item] = v
        out.append(c)
    for i in range(mess.get("tests", 0)):
        r = _respondent(spec, 1, rng, fakes, campus, kind="test")
        r.name, r.branch, r.suggest, r.wechat = "测试", "测试", ["测试，请忽略", "test"][i % 2], None
        r.phone = "13800130000" if i == 0 else None
        # days 28-31 August, before fieldwork (a scaled study repeats them)
        r.submitted = dt.datetime(2026, 8, 28 + i % 4, 15 - 5 * (i % 2), (10 + 7 * i) % 60, (3 + i) % 60)
        out.append(r)
    for _ in range(mess.get("speeders", 0)):
        r = _respondent(spec, _draw_type(spec, rng), rng, fakes, campus, kind="speeder")
        for s in SCALE_IDS:
            while len(set(vals := [int(v) for v in rng.integers(1, 6, size=len(SCALE_ITEMS[s]))])) == 1:
                pass
            r.answers.update(dict(zip(SCALE_ITEMS[s], vals, strict=True)))
        r.answers.update({k: int(rng.integers(1, 6)) for k in IMP_IDS + PERF_IDS})
        r.duration, r.suggest = int(rng.integers(35, 95)), None
        out.append(r)
    for _ in range(mess.get("straight", 0)):
        r = _respondent(spec, _draw_type(spec, rng), rng, fakes, campus, kind="straight")
        r.answers = dict.fromkeys(r.answers, 4)  # 4 = 同意 on every row, reverse rows included
        r.duration = int(rng.integers(160, 300))
        out.append(r)
    for _ in range(mess.get("attention", 0)):
        r = _respondent(spec, _draw_type(spec, rng), rng, fakes, campus, kind="attention")
        r.answers[ATTENTION_ID] = _weighted(rng, [1, 2, 3, 5], [0.15, 0.25, 0.3, 0.3])
        out.append(r)
    return out


def _college_rows(spec: CollegeSpec, seed: int, fakes: _Fakes) -> list[Resp]:
    """All submissions of one college in file order (by submission time), Excel rows set."""
    rng = _rng(seed, "respondents", spec.key)
    campus = [fakes.ip(["203.0.113.1"]) for _ in range(4)] if spec.form != "summary" else ["192.0.2.1"]
    genuine = []
    for m, n in zip((1, 2, 3), spec.mix, strict=True):
        # Latent draws standardised within each college x member type cell (a variance-
        # reduction step), so sample latent means equal the planted means and the realised
        # gaps differ from the planted ones only through item noise and rounding.
        z = rng.standard_normal((n, 1 + len(SCALE_IDS)))
        z = (z - z.mean(axis=0)) / z.std(axis=0, ddof=1)
        genuine += [_respondent(spec, m, rng, fakes, campus, z=z[i]) for i in range(n)]
    rows = genuine + _junk_rows(spec, genuine, rng, fakes, campus)
    rows.sort(key=lambda r: (r.submitted, r.duration))
    for i, r in enumerate(rows):
        r.row = i + 2  # header is Excel row 1
    return rows


# ---------------------------------------------------------------------------------------------
# Planted cells
# ---------------------------------------------------------------------------------------------
def _fullwidth(s: str) -> str:
    return s.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def _identifier_text(i: int, r: Resp, fakes: _Fakes) -> tuple[str, list[tuple[str, str]]]:
    """Free text naming fake people (cycled templates) and the identifiers it contains."""
    name, phone = fakes.name(), fakes.phone()
    k = i % 5
    if k == 0:
        return f"建议学习{name}老师所在支部的做法，联系电话{phone}。", [("names", name), ("phones", phone)]
    if k == 1:
        idn = fakes.id_number()
        return f"我是{name}，身份证号{idn}，希望简化组织关系转接手续。", [("names", name), ("id_numbers", idn)]
    if k == 2:
        email = fakes.email()
        return f"有问题可以联系组织员{name}，邮箱{email}。", [("names", name), ("emails", email)]
    if k == 3:
        sid = fakes.sid(2)
        return f"学号{sid}的同学多次被评为优秀党员，建议加强宣传。", [("student_staff_numbers", sid)]
    return f"支部书记{name}（手机{phone}）工作很认真，建议表扬。", [("names", name), ("phones", phone)]


#: What is planted in each form: category -> number of cases.
CELL_PLAN: dict[str, dict[str, int]] = {
    "wjx_text_xlsx": {"full_width_years": 2, "phone_variants": 2, "id_in_sid": 2, "identifiers_in_text": 4,
                      "identifiers_in_other": 1, "formula": 2, "crosscheck_mismatch": 1},
    "wjx_code_csv": {"out_of_range": 4, "formula": 1, "identifiers_in_text": 1, "id_in_sid": 1,
                     "full_width_years": 1},
    "generic_xlsx": {"out_of_range": 2, "full_width_codes": 2, "whitespace_code": 1, "scientific_phone": 1,
                     "full_width_years": 1},
    "wjx_text_csv": {"full_width_years": 2, "scientific_phone": 1, "years_out_of_range": 1, "formula": 2,
                     "identifiers_in_text": 2, "empty_variant": 4},
}
#: A 腾讯问卷 download (丙 in the earlier wave) gets the mess planted in 丙's 问卷星 按文本 CSV.
CELL_PLAN["tencent_csv"] = dict(CELL_PLAN["wjx_text_csv"])
FORMULAS = ["=1+1", "@某某 请把学习资料发到群里", "-无-", "+1 同意楼上的意见", "=SUM(A1:A3)"]


def _plant_cells(spec: CollegeSpec, rows: list[Resp], rng: np.random.Generator, fakes: _Fakes) -> list[dict]:
    """Plant cell-level mess on genuine rows without a twin; return one record per case.

    Records carry ``row`` (Excel row), ``key`` (column key, resolved to the header later) and
    ``form`` (``*`` = every file of the college, else only the named format).
    """
    plan = CELL_PLAN.get(spec.form, {})
    if spec.factor != 1.0:  # a scaled study: as many cases per respondent as the demo
        plan = {cat: max(1, round(n * spec.factor)) for cat, n in plan.items()}
    free = [r for r in rows if r.kind == "genuine" and not r.busy]
    pool = iter([free[int(i)] for i in rng.permutation(len(free))])
    recs: list[dict] = []

    def take(pred: Callable[[Resp], bool] = lambda r: True) -> Resp:
        while not pred(r := next(pool)):
            pass
        return r

    def rec(cat: str, r: Resp, key: str, value: Any, form: str = "*", **extra: Any) -> None:
        recs.append({"category": cat, "row": r.row, "key": key, "value": value, "form": form, **extra})

    likert = [i for s in SCALE_IDS for i in SCALE_ITEMS[s]]
    for cat, n in plan.items():
        for i in range(n):
            if cat == "full_width_years":
                r = take(lambda r: r.years >= 10)
                r.overrides[("*", "years")] = _fullwidth(str(r.years))
                rec("full_width_digits", r, "years", r.overrides[("*", "years")], normalised=str(r.years))
            elif cat == "phone_variants":
                r = take(lambda r: r.phone is not None)
                p = cast(str, r.phone)  # take() chose one with a phone
                raw = f"{p[:3]}-{p[3:7]}-{p[7:]}" if i == 0 else f"+86 {p}"
                r.overrides[("*", "phone")] = raw
                rec("phone_format_variants", r, "phone", raw, normalised=p)
            elif cat == "id_in_sid":
                r = take(lambda r: r.member_type != 3)
                r.sid = fakes.id_number()
                rec("id_number_in_identifier_column", r, "sid", r.sid)
            elif cat == "identifiers_in_text":
                r = take()
                r.suggest, ids = _identifier_text(i + (2 if spec.key == "C" else 0), r, fakes)
                r.embedded.extend(ids)
                rec("identifiers_in_free_text", r, "suggest", r.suggest, identifiers=[v for _, v in ids])
            elif cat == "identifiers_in_other":
                r = take()
                name, phone = fakes.name(), fakes.phone()
                r.learn = sorted(set(r.learn) | {LEARN_OTHER})
                r.learn_other = f"跟{name}老师结对学习，电话{phone}"
                r.embedded.extend([("names", name), ("phones", phone)])
                rec("identifiers_in_free_text", r, "learn_other", r.learn_other, identifiers=[name, phone])
            elif cat == "formula":
                r = take()
                r.suggest = FORMULAS[({"home": 0, "A": 2, "C": 3}.get(spec.key, 0) + i) % len(FORMULAS)]
                rec("formula_like_text", r, "suggest", r.suggest)
            elif cat == "crosscheck_mismatch":
                r = take()
                item = "P2_3"
                wrong = 2 if r.answers[item] >= 4 else 5
                r.overrides[("wjx_code", item)] = wrong
                rec("crosscheck_mismatch", r, item, wrong, form="wjx_code", text_label=AGREE5[r.answers[item]],
                    text_code=r.answers[item])
            elif cat == "out_of_range":
                r = take()
                item, value = str(rng.choice(likert)), [6, 9][i % 2]
                rec("out_of_range", r, item, value, original=r.answers[item])
                r.answers[item] = value
            elif cat == "years_out_of_range":
                r = take()
                rec("out_of_range", r, "years", 88, original=r.years)
                r.years = 88
            elif cat == "full_width_codes":
                r = take()
                item = str(rng.choice(likert))
                r.overrides[("generic", item)] = _fullwidth(str(r.answers[item]))
                rec("full_width_digits", r, item, r.overrides[("generic", item)], normalised=str(r.answers[item]))
            elif cat == "whitespace_code":
                r = take()
                item = str(rng.choice(likert))
                r.overrides[("generic", item)] = f"{r.answers[item]}\u00a0"
                rec("stray_whitespace", r, item, r.overrides[("generic", item)], normalised=str(r.answers[item]))
            elif cat == "scientific_phone":
                r = take(lambda r: r.phone is not None)
                number = float(cast(str, r.phone))  # take() chose one with a phone
                if spec.form == "generic_xlsx":  # typed as a number: Excel shows 1.38E+10
                    r.overrides[("generic", "phone")] = _Cell(number, "0.00E+00")
                    shown = f"{number:.2E}"
                else:  # CSV re-saved from Excel: the digits are gone
                    shown = f"{number:.5E}"
                    r.overrides[("*", "phone")] = shown
                rec("scientific_notation_phone", r, "phone", shown, original=r.phone,
                    recoverable=spec.form == "generic_xlsx")
            elif cat == "empty_variant":
                r = take(lambda r: r.suggest is None)
                r.overrides[("*", "suggest")] = "（空）"
                rec("missing_token_variants", r, "suggest", "（空）")
    return recs


def _plant_branch_variants(rows: list[Resp], rng: np.random.Generator, *, gbk: bool) -> list[dict]:
    """Respondents type their branch freely: spelling variants and stray spaces.

    A GBK file cannot hold a non-breaking space, so it gets ordinary and ideographic ones.
    """
    spaces = [" ", "\u3000"] if gbk else ["\u00a0", " ", "\u3000"]
    recs = []
    for r in rows:
        if r.kind != "genuine" or r.busy:
            continue
        u = rng.random()
        if u < 0.10 and r.branch in BRANCH_VARIANTS:
            variants = BRANCH_VARIANTS[r.branch]
            raw = variants[int(rng.integers(len(variants)))]
        elif u < 0.13:
            raw = r.branch + spaces[int(rng.integers(len(spaces)))]
        else:
            continue
        recs.append({"category": "branch_variants", "row": r.row, "key": "branch", "value": raw,
                     "form": "*", "canonical": r.branch})
        r.overrides[("*", "branch")] = raw
    return recs



@dataclass(frozen=True)
class _Cell:
    """A workbook cell value with an explicit Excel number format."""

    value: float | str
    number_format: str
