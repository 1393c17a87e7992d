"""Writing the demo study: 问卷星 按文本 / 按序号 downloads, a generic typed file, the codebook.

Rendering a submission into each platform format, deterministic xlsx and CSV writers (fixed
document properties, re-zipped with fixed entry dates in sorted order, fixed line endings), and
the driver :func:`generate_demo` that writes the whole study folder (and the earlier wave,
``2025/``, beside the current one).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# openpyxl writes its XML through lxml when lxml is installed (a dependency of the project,
# via python-docx, and declared in pyproject.toml) and through the standard library otherwise;
# the bytes differ (``" />"`` or ``"/>"``). The committed demo is written the lxml way.
import numpy as np
import openpyxl
import yaml

from survey.demo.mess import (
    _Cell,
    _college_rows,
    _plant_branch_variants,
    _plant_cells,
)
from survey.demo.truth import (
    _nms,
    _score,
    build_truth,
)
from survey.demo.world import (
    _ZIP_DATE,
    AGE_BANDS,
    AGREE5,
    ATTENTION_AFTER,
    ATTENTION_CORRECT,
    ATTENTION_ID,
    ATTENTION_TEXT,
    BRANCH_VARIANTS,
    C_LABEL_VARIANTS,
    COLLEGES,
    CURRENT_WAVE,
    DEFAULT_SEED,
    EARLIER_SEED_SHIFT,
    EARLIER_WAVE_DAYS,
    FIELD_END,
    FIELD_START,
    FIXED_DATETIME,
    GAP_CLOSING,
    HOME,
    IMP_IDS,
    IMPORTANCE5,
    LEARN,
    LEARN_OTHER,
    MEMBER_TYPES,
    PERF_IDS,
    PERFORMANCE5,
    PLATFORM_FREQ,
    PLATFORM_USE,
    PREFIX,
    PROJECTS,
    RANK_OPTIONS,
    ROLES,
    SCALE_IDS,
    SCALES,
    SHARED_RESPONDENTS,
    STEMS,
    SURVEY_TITLE,
    CollegeSpec,
    Q,
    Resp,
    Sheet,
    World,
    _explain_sheet,
    _Fakes,
    _indicators,
    _rng,
    _roster,
    _symposium,
    build_world,
    earlier_world,
    home_gap,
)

# ---------------------------------------------------------------------------------------------
# Rendering into 问卷星 按文本 / 按序号 and a generic typed file
# ---------------------------------------------------------------------------------------------
SINGLE_OPTIONS = {"member_type": MEMBER_TYPES, "role": ROLES, "age_band": AGE_BANDS,
                  "platform_use": PLATFORM_USE, "platform_freq": PLATFORM_FREQ}
IDENTIFIER_KEYS = ["name", "phone", "sid", "wechat"]
ATTRIBUTE_KEYS = ["branch", "member_type", "role", "years", "age_band", "platform_use", "platform_freq"]


def _matrix_rows() -> list[tuple[str, int, str]]:
    """Every matrix row in questionnaire order: (item id, question number, row title)."""
    out = []
    for sid, _label, q, items in SCALES:
        for it in items:
            out.append((it[0], q, it[1]))
            if sid == "P2" and it[0] == ATTENTION_AFTER:
                out.append((ATTENTION_ID, q, ATTENTION_TEXT))
    out += [(IMP_IDS[j], Q["IMP"], f"{p}工程") for j, p in enumerate(PROJECTS)]
    out += [(PERF_IDS[j], Q["PERF"], f"{p}工程") for j, p in enumerate(PROJECTS)]
    return out


def _item_options(item_id: str) -> dict[int, str]:
    if item_id.startswith("IMP_"):
        return IMPORTANCE5
    if item_id.startswith("PERF_"):
        return PERFORMANCE5
    return AGREE5


#: 腾讯问卷's newer meta columns (column key, header); keys without a value are written empty.
TENCENT_META_COLUMNS = [
    ("seq", "编号"), ("tc_user_type", "用户类型"), ("tc_uid", "用户标识"), ("tc_nick", "昵称"),
    ("tc_start", "起始答题时间"), ("tc_start2", "开始答题时间"), ("submitted", "结束答题时间"),
    ("duration", "答题时长"), ("ip", "IP"), ("tc_ua", "UA"), ("tc_referrer", "Referrer"), ("tc_lang", "语言"),
    ("tc_country", "地理位置国家和地区"), ("tc_province", "地理位置省"), ("tc_city", "地理位置市"),
    ("tc_custom", "自定义字段"), ("tc_clean", "清洗数据结果"), ("tc_clean_p", "智能清洗数据无效概率"),
    ("tc_prize_time", "中奖时间"), ("tc_prize", "中奖金额"), ("tc_review", "审核状态"),
]
_LETTERS = "ABCDEFGHIJ"
_UAS = ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0",
        "Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"]


def _tencent_columns() -> list[tuple[str, str]]:
    """Column keys and headers of a 腾讯问卷 download (newer header, trailing empty column).

    Fill-ins are ``N.题干：_填空1``, single choice ``N.题干``, a matrix one column per row
    ``N.量表：行``, multiple choice one column per option ``N.题干：选项``. The ranking question is
    not written (how 腾讯问卷 lays one out has not been seen).
    """
    cols = list(TENCENT_META_COLUMNS)
    for k in IDENTIFIER_KEYS + ATTRIBUTE_KEYS:
        fill = k in IDENTIFIER_KEYS or k in ("branch", "years")
        cols.append((k, f"{Q[k]}.{STEMS[k]}：_填空1" if fill else f"{Q[k]}.{STEMS[k]}"))
    labels = {sid: label for sid, label, _q, _its in SCALES} | {"IMP": "重要性评价", "PERF": "现状表现评价"}
    by_q = {Q[k]: labels[k] for k in labels}
    cols += [(i, f"{q}.{by_q[q]}：{t}") for i, q, t in _matrix_rows()]
    cols += [(f"learn_{c}", f"{Q['learn']}.{STEMS['learn']}：{lab}") for c, lab in LEARN.items()]
    cols.append(("suggest", f"{Q['suggest']}.{STEMS['suggest']}"))
    return cols + [("tc_trailing", "")]


def _tencent_cells(r: Resp, labels: dict[str, dict[int, str]]) -> dict[str, Any]:
    """Cell values of one submission in a 腾讯问卷 download (before overrides)."""
    h = sum(map(ord, f"{r.row}{r.submitted}"))  # a stable per-row number for the synthetic meta values
    c: dict[str, Any] = {
        "seq": r.row - 1, "tc_user_type": "微信", "tc_uid": f"oDEMO{h:06d}{r.row:04d}",
        "tc_nick": f"合成昵称{r.row:03d}", "tc_start": (r.submitted - dt.timedelta(seconds=r.duration)).strftime("%Y-%m-%d %H:%M:%S"),
        "submitted": r.submitted.strftime("%Y-%m-%d %H:%M:%S"), "duration": r.duration, "ip": r.ip,
        "tc_ua": _UAS[h % len(_UAS)], "tc_lang": "zh", "tc_country": "中国",
        "tc_province": r.place.split("-")[0] if r.place else "", "tc_city": r.place.split("-")[-1] if r.place else "",
        "tc_clean": "有效", "tc_clean_p": "0.01", "tc_review": "通过",
        "name": r.name, "wechat": r.wechat, "sid": None if r.member_type == 3 else r.sid,
        # the platform writes a tab before the digits of some phone cells
        "phone": ("\t" + r.phone if r.row % 3 == 0 else r.phone) if r.phone else None,
        "branch": r.branch, "years": str(r.years), "suggest": r.suggest,
    }
    c["tc_start2"] = c["tc_start"]
    for k, opts in SINGLE_OPTIONS.items():
        v = getattr(r, k)
        c[k] = None if v is None else f"{_LETTERS[v - 1]}.{ {**opts, **labels.get(k, {})}[v]}"
    for i, v in r.answers.items():
        opts = _item_options(i)
        c[i] = f"{_LETTERS[v - 1]}.{opts[v]}" if v in opts else str(v)
    for code, lab in LEARN.items():
        c[f"learn_{code}"] = lab if code in r.learn else None
    return c


def _columns(form: str) -> list[tuple[str, str]]:
    """Column keys and headers of a format: ``wjx_text``, ``wjx_code``, ``generic`` or ``tencent``."""
    if form == "tencent":
        return _tencent_columns()
    if form == "generic":
        cols = [("seq", "序号"), ("submitted", "提交答卷时间")] + [(k, k) for k in IDENTIFIER_KEYS + ["ip"]]
        cols += [(k, k) for k in ATTRIBUTE_KEYS] + [(i, i) for i, _q, _t in _matrix_rows()]
        return cols
    cols = [("seq", "序号"), ("submitted", "提交答卷时间"), ("duration", "所用时间"), ("source", "来源"),
            ("source_detail", "来源详情"), ("ip", "来自IP")]
    cols += [(k, f"{Q[k]}、{STEMS[k]}") for k in IDENTIFIER_KEYS + ATTRIBUTE_KEYS]
    cols += [(i, f"第{q}题({t})") for i, q, t in _matrix_rows()]
    if form == "wjx_text":
        cols += [("learn", f"{Q['learn']}、{STEMS['learn']}"), ("rank", f"{Q['rank']}、{STEMS['rank']}")]
    else:
        cols += [(f"learn_{c}", f"第{Q['learn']}题({lab})") for c, lab in LEARN.items()]
        cols += [(f"rank_{c}", f"第{Q['rank']}题({lab})") for c, lab in RANK_OPTIONS.items()]
    return cols + [("suggest", f"{Q['suggest']}、{STEMS['suggest']}")]


def _excel_serial(t: dt.datetime) -> float:
    delta = t - dt.datetime(1899, 12, 30)
    return round(delta.days + delta.seconds / 86400, 6)


def _cells(r: Resp, form: str, labels: dict[str, dict[int, str]] | None = None) -> dict[str, Any]:
    """Cell values of one submission in one format (before overrides)."""
    labels = labels or {}
    if form == "tencent":
        return _tencent_cells(r, labels)
    empty = "(空)"
    c: dict[str, Any] = {"seq": r.row - 1}
    if form == "generic":
        c.update(submitted=_excel_serial(r.submitted), name=r.name, phone=r.phone, sid=r.sid,
                 wechat=r.wechat, ip=None, branch=r.branch, years=r.years, platform_freq=r.platform_freq)
        c.update({k: getattr(r, k) for k in ("member_type", "role", "age_band", "platform_use")})
        c.update(r.answers)
        return c
    c.update(submitted=r.submitted.strftime("%Y/%m/%d %H:%M:%S"), duration=f"{r.duration}秒",
             source=r.source, source_detail=r.source_detail, ip=f"{r.ip}({r.place})",
             name=r.name or empty, phone=r.phone or empty, wechat=r.wechat or empty,
             sid="(跳过)" if r.member_type == 3 else (r.sid or empty), branch=r.branch,
             years=str(r.years), suggest=r.suggest or empty)
    if form == "wjx_text":
        for k, opts in SINGLE_OPTIONS.items():
            v = getattr(r, k)
            c[k] = "(跳过)" if v is None else {**opts, **labels.get(k, {})}[v]
        c.update({i: _item_options(i).get(v, str(v)) for i, v in r.answers.items()})
        parts = [f"其他〖{r.learn_other}〗" if x == LEARN_OTHER else LEARN[x] for x in r.learn]
        c["learn"] = "┋".join(parts)
        c["rank"] = "→".join(RANK_OPTIONS[x] for x in r.rank)
        return c
    for k in SINGLE_OPTIONS:
        v = getattr(r, k)
        c[k] = -3 if v is None else v
    c.update(r.answers)
    for code in LEARN:
        chosen = code in r.learn
        c[f"learn_{code}"] = f"1〖{r.learn_other}〗" if chosen and code == LEARN_OTHER else int(chosen)
    for code in RANK_OPTIONS:
        c[f"rank_{code}"] = r.rank.index(code) + 1 if code in r.rank else -2
    return c


def _table(rows: list[Resp], form: str, labels: dict[str, dict[int, str]] | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and body of one file; planted overrides applied."""
    cols = _columns(form)
    body = []
    for r in rows:
        cells = _cells(r, form, labels)
        for (scope, key), value in r.overrides.items():
            if scope in ("*", form) and key in cells:
                cells[key] = value
        body.append([cells.get(k) for k, _h in cols])
    return [h for _k, h in cols], body


# ---------------------------------------------------------------------------------------------
# Deterministic writers
# ---------------------------------------------------------------------------------------------

_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _normalise_zip(data: bytes) -> bytes:
    """Re-zip an xlsx with sorted entries, fixed entry dates and fixed core-property dates.

    openpyxl stamps ``docProps/core.xml`` with the current time on every save and zip entries
    carry the write time; both would make two generations differ.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_DATETIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            payload = src.read(name)
            if name == "docProps/core.xml":
                payload = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), payload)
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, payload, compresslevel=6)
    return out.getvalue()


def _write_xlsx(path: Path, sheets: Sequence[Sheet], *, title: str) -> None:
    """Write sheets (name, header, rows) to an xlsx file, byte-for-byte reproducibly.

    Strings are always stored as text, so free text such as ``=1+1`` stays text instead of
    becoming a formula; :class:`_Cell` values carry a number format; dates get ``yyyy-mm-dd``.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        for j, h in enumerate(header, start=1):
            ws.cell(row=1, column=j, value=h)
        for i, row in enumerate(rows, start=2):
            for j, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=i, column=j)
                if isinstance(v, _Cell):
                    cell.value, cell.number_format = v.value, v.number_format
                elif isinstance(v, dt.date):
                    cell.value, cell.number_format = v, "yyyy-mm-dd"
                else:
                    cell.value = v
                    if isinstance(v, str):
                        cell.data_type = "s"
    props = wb.properties
    props.creator = props.lastModifiedBy = "survey demo（合成数据生成器）"
    props.title, props.description = title, "合成数据，仅供演示；不含任何真实个人信息。"
    props.created = props.modified = FIXED_DATETIME
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_normalise_zip(buf.getvalue()))


def _write_csv(path: Path, header: list[str], rows: list[list[Any]], *, encoding: str) -> None:
    """Write a CSV as 问卷星 does (CRLF line ends; ``utf-8-sig`` or ``gbk``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))


# ---------------------------------------------------------------------------------------------
# Codebook
# ---------------------------------------------------------------------------------------------
def build_codebook(*, tencent: bool = False) -> dict[str, Any]:
    """The demo questionnaire's codebook as plain data (schema: :class:`survey.config.codebook.Codebook`).

    Parameters
    ----------
    tencent
        The wave holds a 腾讯问卷 download: also declare its identifying meta columns
        (``IP``, ``昵称``, ``用户标识``, ``UA``) as identifiers to drop.
    """
    items: list[dict[str, Any]] = [
        {"id": "branch", "text": STEMS["branch"], "type": "text", "label": "党支部",
         "source": {"question": Q["branch"]}},
        {"id": "member_type", "text": STEMS["member_type"], "type": "single", "label": "党员类别",
         "options": dict(MEMBER_TYPES), "source": {"question": Q["member_type"]},
         "option_aliases": {1: ["在职党员", "教职工党员", "在职教职工"], 2: ["学生"], 3: ["退休党员", "离退休"]}},
        {"id": "role", "text": STEMS["role"], "type": "single", "label": "党内身份", "options": dict(ROLES),
         "source": {"question": Q["role"]}, "option_aliases": {4: ["一般党员", "党员"]}},
        {"id": "years", "text": STEMS["years"], "type": "numeric", "label": "党龄", "range": [0, 70],
         "source": {"question": Q["years"]}},
        {"id": "age_band", "text": STEMS["age_band"], "type": "single", "label": "年龄段",
         "options": dict(AGE_BANDS), "source": {"question": Q["age_band"]}},
        {"id": "platform_use", "text": STEMS["platform_use"], "type": "single", "label": "使用线上学习平台",
         "options": dict(PLATFORM_USE), "source": {"question": Q["platform_use"]}},
        {"id": "platform_freq", "text": STEMS["platform_freq"], "type": "single", "label": "线上学习频率",
         "options": dict(PLATFORM_FREQ), "source": {"question": Q["platform_freq"]}},
    ]
    for item_id, q, title in _matrix_rows():
        entry: dict[str, Any] = {"id": item_id, "text": title, "type": "likert",
                                 "options": {"IMP": "importance5", "PER": "performance5"}.get(item_id[:3], "agree5"),
                                 "source": {"question": q, "row": title}}
        if item_id.startswith("IMP_"):
            entry["label"] = f"重要性：{title}"
        elif item_id.startswith("PERF_"):
            entry["label"] = f"现状表现：{title}"
        items.append(entry)
    items += [
        {"id": "learn", "text": STEMS["learn"], "type": "multiple", "label": "学习形式", "options": dict(LEARN),
         "other_option": LEARN_OTHER, "source": {"question": Q["learn"]}, "required": False},
        {"id": "rank", "text": STEMS["rank"], "type": "ranking", "label": "优先加强方面排序",
         "options": dict(RANK_OPTIONS), "source": {"question": Q["rank"]}, "required": False},
        {"id": "suggest", "text": STEMS["suggest"], "type": "text", "label": "意见和建议",
         "source": {"question": Q["suggest"]}, "required": False},
    ]
    codebook: dict[str, Any] = {
        "title": f"{SURVEY_TITLE} 编码手册",
        "version": "1",
        "missing_codes": [-2, -3],
        "option_sets": {"agree5": dict(AGREE5), "importance5": dict(IMPORTANCE5), "performance5": dict(PERFORMANCE5)},
        "items": items,
        "scales": [{"id": sid, "label": label, "items": [it[0] for it in its],
                    "reverse": [it[0] for it in its if it[2]]} for sid, label, _q, its in SCALES],
        "attention_checks": [{"item": ATTENTION_ID, "correct": ATTENTION_CORRECT}],
        "identifiers": [
            {"id": "name", "kind": "name", "action": "drop", "source": {"question": Q["name"]}},
            {"id": "phone", "kind": "phone", "action": "pseudonymise", "respondent_key": True,
             "source": {"question": Q["phone"]}},
            {"id": "sid", "kind": "staff_no", "action": "pseudonymise", "source": {"question": Q["sid"]}},
            {"id": "wechat", "kind": "wechat", "action": "drop", "source": {"question": Q["wechat"]}},
            {"id": "ip", "kind": "ip", "action": "coarsen", "source": {"header": "来自IP", "column": "ip"}},
        ],
        "ignore_columns": ["来源", "来源详情", "总分"],
    }
    if tencent:  # 腾讯问卷's identifying meta columns (only in its downloads)
        codebook["identifiers"] += [
            {"id": "tc_ip", "kind": "ip", "action": "drop", "source": {"header": "IP"}},
            {"id": "tc_nick", "kind": "wechat", "action": "drop", "source": {"header": "昵称"}},
            {"id": "tc_uid", "kind": "other", "action": "drop", "source": {"header": "用户标识"}},
            {"id": "tc_ua", "kind": "other", "action": "drop", "source": {"header": "UA"}},
        ]
    return codebook


def _write_codebook(path: Path, *, tencent: bool = False) -> None:
    """Write :func:`build_codebook` (``tencent``: with the 腾讯问卷 identifiers) as YAML."""
    head = ("# 合成演示数据的编码手册（由 `survey demo` 自动生成，请勿手工修改；合成数据，仅供演示）\n"
            "# Codebook of the synthetic demo questionnaire, generated by survey/demo.py.\n")
    body = yaml.safe_dump(build_codebook(tencent=tencent), allow_unicode=True, sort_keys=False, width=1000)
    path.write_bytes((head + body).encode("utf-8"))



def _summary_rows(college: str, rows: list[Resp]) -> list[list[Any]]:
    """Summary statistics a benchmark college sends instead of raw answers."""
    gen = [r for r in rows if r.kind == "genuine"]
    labels = {s[0]: s[1] for s in SCALES} | {i: t for i, _q, t in _matrix_rows()}
    out = []
    for label, sel in [("", gen)] + [(MEMBER_TYPES[t], [r for r in gen if r.member_type == t]) for t in (1, 2, 3)]:
        for s in SCALE_IDS:
            st = _nms([_score(r, s) for r in sel])
            out.append([college, s, labels[s], label, st["n"], round(st["mean"], 4), round(st["sd"], 4)])
    for item, _q, _t in _matrix_rows():
        if item == ATTENTION_ID:
            continue
        st = _nms([float(r.answers[item]) for r in gen])
        out.append([college, item, labels[item], "", st["n"], round(st["mean"], 4), round(st["sd"], 4)])
    return out



# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------
def _file_names(world: World, by_college: dict[str, list[Resp]]) -> dict[str, dict[str, str]]:
    """File name(s) per college, shaped like real downloads (问卷星: ``<id>_按文本_<标题>_<n>_<n>``)."""
    out: dict[str, dict[str, str]] = {}
    for spec in world.colleges:
        n = len(by_college[spec.name])
        if spec.form == "wjx_text_xlsx":
            out[spec.name] = {"wjx_text": f"{spec.wjx_id}_按文本_{SURVEY_TITLE}_{n}_{n}.xlsx",
                              "wjx_code": f"{spec.wjx_id}_按序号_{SURVEY_TITLE}_{n}_{n}.xlsx"}
        elif spec.form == "wjx_code_csv":
            out[spec.name] = {"wjx_code": f"{spec.wjx_id}_按序号_{SURVEY_TITLE}_{n}_{n}.csv"}
        elif spec.form == "wjx_text_csv":
            out[spec.name] = {"wjx_text": f"{spec.wjx_id}_按文本_{SURVEY_TITLE}_{n}_{n}.csv"}
        elif spec.form == "tencent_csv":  # like 腾讯问卷's 下载答卷数据 (<标题>_答卷数据); short: SPSS labels ≤ 120 bytes
            out[spec.name] = {"tencent": f"{PREFIX}{spec.name}_腾讯问卷_答卷数据.csv"}
        elif spec.form == "generic_xlsx":
            out[spec.name] = {"generic": f"{PREFIX}{spec.name}_问卷录入.xlsx"}
        else:
            out[spec.name] = {"summary": f"{PREFIX}对标院校汇总统计.xlsx"}
    return out


OTHER_FILES = {
    "codebook": "codebook.yaml",
    "sessions": f"{PREFIX}座谈会_场次.xlsx",
    "statements": f"{PREFIX}座谈会_发言记录.xlsx",
    "themes": f"{PREFIX}座谈会_主题编码.xlsx",
    "indicators": f"{PREFIX}对标指标.xlsx",
    "roster": f"{PREFIX}党员名册汇总.xlsx",
    "member_names": f"{PREFIX}党员名单.xlsx",
    "truth": "truth.json",
    "readme": "README.md",
}


def _write_questionnaires(out_dir: Path, world: World, by_college: dict[str, list[Resp]],
                          names: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Write every questionnaire file; return header lookup ``{file: {column key: header}}``."""
    headers: dict[str, dict[str, str]] = {}
    for spec in world.colleges:
        rows = by_college[spec.name]
        for form, fname in names[spec.name].items():
            path = out_dir / fname
            if form == "summary":
                head = ["院校", "量表或题目", "名称", "党员类型", "样本量", "均值", "标准差"]
                _write_xlsx(path, [("汇总统计", head, _summary_rows(spec.name, rows)), _explain_sheet("summary")],
                            title=f"{PREFIX}对标院校汇总统计")
                continue
            labels = C_LABEL_VARIANTS if spec.key == "C" else None
            header, body = _table(rows, form, labels)
            headers[fname] = dict(zip([k for k, _h in _columns(form)], header, strict=True))
            if fname.endswith(".csv"):
                _write_csv(path, header, body, encoding="gbk" if form == "wjx_code" else "utf-8-sig")
            else:
                _write_xlsx(path, [("Sheet1", header, body)], title=fname.rsplit(".", 1)[0])
    return headers



README = """# 合成演示数据（合成数据，仅供演示）

本文件夹中的所有文件均由 `survey demo`（`survey/demo.py`，随机种子 {seed}）自动生成，
**合成数据，仅供演示**：不含任何真实单位、真实人员或真实答卷。人名（如“张某甲”）、手机号
（1380013xxxx）、身份证号（出生年份 1900）、IP（RFC 5737 文档专用地址段）、学号（2099 级）
均为虚构，仅模仿真实数据的形态，用于演示清洗、去标识化和统计分析流程。

重新生成：`survey demo --out data/raw/demo --seed {seed}`，结果逐字节一致。

## 文件一览

| 文件 | 内容 |
|---|---|
{file_table}

## 问卷（五所院校，每校约 150 名有效答卷人）

- 本院：问卷星“按文本”下载（.xlsx）及同一批答卷的“按序号”下载（.xlsx，用于核对选项编码与文字是否一致，其中故意放了一处不一致）。
- 甲市技师学院：问卷星“按序号”下载（.csv，GBK 编码；多选题每个选项一列 0/1，`-3` 表示因跳题逻辑未作答，排序题未选的选项为 `-2`，“其他”选项列写作 `1〖填写内容〗`——此写法为本项目的假定，尚未与真实下载核实）。
- 乙市高级技工学校：研究助理手工录入的通用表格（.xlsx，列名为题目编号；提交时间为 Excel 日期序列号；未录入多选、排序和开放题）。
- 丙市城市建设职业学院：问卷星“按文本”下载（.csv，UTF-8 带 BOM；该校问卷的个别选项文字与本院版本不同，如“在职党员”“退休党员”“一般党员”）。
- 丁市工程技师学院：未提供原始答卷，只有汇总统计（各维度、各题的样本量、均值、标准差，另按党员类型给出各维度统计）。

## 故意埋入的问题（全部记录在 truth.json 中）

重复提交、同一手机号的重复作答、调查开始（2026-09-01）前的测试提交、答题过快、直线作答、
注意力检测题未通过、超出范围的编码（6、9，党龄 88）、全角数字、党支部名称写法不一、
手机号与开放题中的虚构个人信息、以 `=`、`@`、`+`、`-` 开头的文本、科学计数法显示的手机号、
“按序号”与“按文本”不一致的一个单元格；座谈会编码中的全角、小写、空格和同义词写法。

## 其他文件的列

- 座谈会场次：场次编号、日期、座谈对象、参会人数、地点。
- 座谈会发言记录：序号、场次编号、发言人（化名）、发言内容、编码员A、编码员B（多个编码以 `;` 或 `；` 分隔）。
- 座谈会主题编码：主题编码、主题名称、问题领域（P1–P5，可多个）、对应项目、同义词。
- 对标指标（长表）：院校、指标、数值、单位、方向（越高越好 / 越低越好）、问题领域、来源。
- 党员名册汇总：院校、党支部（空 = 该院校合计）、党员类型、人数。
- 对标院校汇总统计：院校、量表或题目、名称、党员类型（空 = 全体）、样本量、均值、标准差。

`truth.json`（UTF-8，键已排序）记录全部埋入的参数与问题及其所在文件和 Excel 行号（表头为第 1 行），供测试核对。
"""

#: Appended to the demo study's README (not a scaled study's): the earlier wave beside it.
README_WAVES = """
## 上一轮调查（2025年）：子文件夹 `2025/`

本文件夹中的数据是本轮（2026年）调查；子文件夹 `2025/` 是同一研究的上一轮调查，同一份问卷（丙市城市建设职业学院那一轮用腾讯问卷收集，编码手册因此多了腾讯问卷的标识列），
由同一条 `survey demo` 命令一起生成（随机种子 = 本轮种子 − {shift}），研究配置见仓库根目录的 `study_2025.yaml`，
处理结果写入 `data/processed_2025/`（需要时 `reports_2025/`、`figures_2025/`）。两轮之间埋入的变化：

- 本院与对标院校的差距在 P2（过硬党支部建设）上缩小 {p2} 分、在 P4（服务型党组织建设）上缩小 {p4} 分
  （上一轮差距更大）；P5（品牌示范与争先创优）的差距没有缩小，P1、P3 不变。
- 本院有 {shared} 名党员两轮都参加了调查（手机号相同，假名化后 `respondent_key` 相同），可做配对比较。
- 上一轮有自己的一套故意埋入的问题（所在行与本轮不同），没有座谈会记录；详见 `2025/README.md` 和 `2025/truth.json`。
"""


def _clean_out_dir(out_dir: Path) -> None:
    """Remove files a previous generation wrote (only ours: names carrying 合成演示 or fixed names)."""
    for p in out_dir.iterdir():
        if p.is_file() and ("合成演示" in p.name or p.name in OTHER_FILES.values() or p.name == STUDY_FILE):
            p.unlink()


#: The scaled study's own configuration, written next to its files (the demo's is the repository's).
STUDY_FILE = "study.yaml"


def _readme(seed: int, table: str, world: World) -> str:
    text = README.format(seed=seed, file_table=table)
    if world.scale is None:
        return text + README_WAVES.format(shift=EARLIER_SEED_SHIFT, p2=GAP_CLOSING["P2"], p4=GAP_CLOSING["P4"],
                                          shared=SHARED_RESPONDENTS)
    n, k = world.scale["respondents"], world.scale["colleges"]
    command = f"survey demo --out <文件夹> --seed {seed} --respondents {n} --colleges {k}"
    extra = "、".join(c.name for c in world.colleges[5:])
    return (text.replace(f"`survey demo --out data/raw/demo --seed {seed}`", f"`{command}`")
            .replace("## 问卷（五所院校，每校约 150 名有效答卷人）",
                     f"## 问卷（规模化版本：{k} 所院校，共 {n:,} 名有效答卷人；埋入的效应与问题同演示数据，"
                     f"数量按规模放大；研究配置见 `{STUDY_FILE}`）")
            + (f"\n新增院校（{extra}）依次沿用甲、乙、丙三校的文件格式。\n" if extra else ""))


def _write_study_yaml(out_dir: Path, world: World, names: dict[str, dict[str, str]],
                      mismatches: int) -> None:
    """A ``study.yaml`` for a scaled study: the repository's demo configuration, paths in this folder.

    ``mismatches`` is the number of code/label mismatches planted between the 按文本 and 按序号
    downloads of one college: declared in ``questionnaire.crosscheck.allow_mismatches``, as the
    repository's ``study.yaml`` declares the demo's one.
    """
    scale = world.scale
    if scale is None:  # pragma: no cover - the caller writes one for scaled worlds only
        raise ValueError("only a scaled world has its own study.yaml")
    files: list[dict[str, Any]] = []
    for spec in world.colleges:
        if spec.form == "summary":
            continue
        own = names[spec.name]
        fmt = "wjx_text" if "wjx_text" in own else next(iter(own))
        entry: dict[str, Any] = {"path": own[fmt], "format": fmt}
        if own[fmt].endswith(".csv"):
            entry["encoding"] = "gbk" if fmt == "wjx_code" else "utf-8-sig"
        entry["attributes"] = {"college": spec.name}
        if fmt == "wjx_text" and "wjx_code" in own:
            entry["crosscheck"] = own["wjx_code"]
        files.append(entry)
    aliases: dict[str, list[str]] = {}
    taken: set[str] = set()
    for canonical, variants in BRANCH_VARIANTS.items():  # a variant two branches share stays unmapped
        aliases[canonical] = [v for v in variants if v not in taken]
        taken |= set(variants)
    study = {
        "title": f"合成演示（规模化）：{scale['respondents']:,} 名答卷人、{len(world.colleges)} 所院校（合成数据，仅供演示）",
        "synthetic": True,
        "questionnaire": {"codebook": OTHER_FILES["codebook"], "files": files,
                          "crosscheck": {"allow_mismatches": mismatches},
                          "compare": {"by": "college", "reference": HOME}, "aliases": {"branch": aliases}},
        "fieldwork": {"start": FIELD_START, "end": FIELD_END},
        "cleaning": {"test_submissions": {"enabled": True}, "exact_duplicates": {"enabled": True},
                     "repeated_respondent": {"enabled": True, "keep": "last"},
                     "speeders": {"enabled": True, "per_file": True},
                     "straight_lining": {"enabled": True, "batteries": list(SCALE_IDS), "min_items": 4},
                     "attention_check": {"enabled": True}, "min_answered": {"enabled": True, "min_fraction": 0.5},
                     "out_of_range": {"enabled": True}},
        "privacy": {"key_env": "SURVEY_PSEUDONYM_KEY", "demo_key": "合成演示-公开密钥-仅限演示-demo-only"},
        "output_dir": "processed",
        "symposium": {k: OTHER_FILES[k] for k in ("sessions", "statements", "themes")},
        "indicators": {"path": OTHER_FILES["indicators"], "summaries": names[world.summary.name]["summary"]},
        "roster": {"path": OTHER_FILES["roster"], "names": OTHER_FILES["member_names"]},
    }
    head = ("# 规模化合成演示研究的配置（由 `survey demo --respondents N --colleges K` 生成；合成数据，仅供演示）\n"
            "# Study configuration of a scaled synthetic demo study; paths are relative to this folder.\n")
    body = yaml.safe_dump(study, allow_unicode=True, sort_keys=False, width=1000)
    (out_dir / STUDY_FILE).write_bytes((head + body).encode("utf-8"))


def _college_data(world: World, seed: int, fakes: _Fakes,
                  before_cells: Callable[[CollegeSpec, list[Resp]], None] | None = None,
                  ) -> tuple[dict[str, list[Resp]], dict[str, list[dict]]]:
    """Every college's submissions and cell-level planted records.

    ``before_cells`` (the earlier wave) edits a college's rows after they are drawn and before
    the cell-level mess is planted on them.
    """
    by_college: dict[str, list[Resp]] = {}
    cell_recs: dict[str, list[dict]] = {}
    for spec in world.colleges:
        own = fakes if spec.form != "summary" else _Fakes(_rng(seed, "identifiers", "summary-only"), world.phone_blocks)
        by_college[spec.name] = _college_rows(spec, seed, own)
        if before_cells is not None:
            before_cells(spec, by_college[spec.name])
        if spec.form != "summary":
            rng = _rng(seed, "cells", spec.key)
            cell_recs[spec.name] = _plant_branch_variants(
                by_college[spec.name], rng, gbk=spec.form == "wjx_code_csv") + _plant_cells(
                spec, by_college[spec.name], rng, fakes)
    return by_college, cell_recs


def _write_other_instruments(out_dir: Path, world: World, fakes: _Fakes) -> dict[str, Any]:
    """Write the indicators, roster and member list; return ``{"indicators": …, "roster": …}`` truth."""
    ind_sheets, ind_truth = _indicators(world)
    _write_xlsx(out_dir / OTHER_FILES["indicators"], ind_sheets, title=f"{PREFIX}对标指标")
    roster_sheets, roster_truth = _roster(world)
    _write_xlsx(out_dir / OTHER_FILES["roster"], roster_sheets, title=f"{PREFIX}党员名册汇总")
    # The member list (names only) lets the pipeline scrub names of people who are mentioned in
    # free text or symposium statements but never answered the questionnaire themselves.
    member_names = [[n] for n in sorted(fakes.used["names"])]
    _write_xlsx(out_dir / OTHER_FILES["member_names"],
                [("党员名单", ["姓名"], member_names), _explain_sheet("member_names")],
                title=f"{PREFIX}党员名单")
    return {"indicators": ind_truth, "roster": roster_truth}


def _write_truth_and_readme(out_dir: Path, truth: dict[str, Any], other_files: dict[str, str], readme: str) -> None:
    """Write ``truth.json`` and the README (``{table}`` in ``readme`` becomes the file table)."""
    (out_dir / other_files["truth"]).write_bytes(
        (json.dumps(truth, ensure_ascii=False, sort_keys=True, indent=1, default=str) + "\n").encode("utf-8"))
    files = truth["files"]
    table = "\n".join(f"| `{f}` | {_describe(f, files)} |" for f in sorted(list(files) + list(other_files.values())))
    (out_dir / other_files["readme"]).write_bytes(readme.replace("{table}", table, 1).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# The earlier wave (data/raw/demo/2025)
# ---------------------------------------------------------------------------------------------
#: Sub-folder of the demo folder holding the earlier wave; its study file is ``study_2025.yaml``.
EARLIER_DIR = "2025"
#: The earlier wave's files: no symposium was held in 2025.
EARLIER_FILES = {k: v for k, v in OTHER_FILES.items() if k not in ("sessions", "statements", "themes")}


def _plant_shared(current_home: list[Resp], earlier_home: list[Resp], rng: np.random.Generator) -> list[dict]:
    """Give :data:`SHARED_RESPONDENTS` earlier-wave home respondents the identity (phone, staff or
    student number, name) of current-wave home respondents of the same member type.

    Only genuine rows without a twin (no duplicate or repeat) and with a phone written as issued
    are used, so that each shared person is one kept row in each wave with the same respondent key.
    """
    def usable(r: Resp) -> bool:
        return r.kind == "genuine" and not r.busy and r.phone is not None and not any(
            k == "phone" for _scope, k in r.overrides)

    sources = [r for r in current_home if usable(r)]
    targets = [r for r in earlier_home if usable(r)]
    chosen = [sources[int(i)] for i in rng.permutation(len(sources))[:SHARED_RESPONDENTS]]
    order = [targets[int(i)] for i in rng.permutation(len(targets))]
    out = []
    for src in chosen:
        dst = next(t for t in order if t.member_type == src.member_type)
        order.remove(dst)
        dst.phone, dst.sid, dst.name = src.phone, src.sid if dst.member_type != 3 else None, src.name
        out.append({"row": dst.row, "current_row": src.row, "member_type": MEMBER_TYPES[src.member_type]})
    return sorted(out, key=lambda e: e["row"])


EARLIER_README = """# 合成演示数据：上一轮调查（{wave}，合成数据，仅供演示）

本文件夹是同一项合成演示研究的**上一轮调查**（{wave}），由 `survey demo` 与上一级文件夹
（本轮调查，{current}）一起生成（随机种子 {seed} = 本轮种子 − {shift}），逐字节可复现；研究配置见仓库根目录的
`study_2025.yaml`，处理结果写入 `data/processed_2025/`（需要时 `reports_2025/`、`figures_2025/`），不会覆盖本轮的结果。

问卷、五所院校和党员名册与本轮相同，对标指标也沿用本轮的数值（演示从简）；答卷、虚构个人信息和故意埋入的问题（重复提交、测试提交、
答题过快、直线作答、注意力检测未通过、超出范围的编码、全角数字、手机号写法不一等）按本轮的规则重新随机生成，
所在行各不相同；提交时间比本轮早 {days} 天（调查时间 {start} 至 {end}）。上一轮没有召开座谈会，
因此没有座谈会文件。

## 丙市城市建设职业学院：腾讯问卷下载

与本轮（问卷星“按文本”CSV）不同，丙市城市建设职业学院上一轮用腾讯问卷收集，提供的是腾讯问卷“下载答卷数据”
（.csv，UTF-8 带 BOM，CRLF 换行；文件名 `合成演示_<院校>_腾讯问卷_答卷数据.csv`；研究配置中 `format: tencent`）：
新版表头含编号、用户类型、用户标识、昵称、起止答题时间、IP、UA、地理位置等元数据列（均为虚构值），
答题时长以秒计，填空题表头为 `N.题干：_填空1`，矩阵题每行一列（`N.量表：行`），选项带 `A.` 字母前缀，
多选题每个选项一列，每行末尾多一个空列，部分手机号单元格前带制表符；排序题未收录。
该校问卷的个别选项文字与本院版本不同（如“在职党员”“退休党员”“一般党员”）。故意埋入的问题与本轮该校的
问卷星文件同类（全角数字、科学计数法的手机号、党龄 88、以 `=`/`@`/`+`/`-` 开头的文本、开放题中的个人信息、
“（空）”写法），另有重复提交、测试提交等整行问题。
本文件夹的编码手册因此比本轮多声明四个腾讯问卷标识列（`IP`、`昵称`、`用户标识`、`UA`，清洗时删除），其余相同。

## 埋入的变化（记录在本文件夹的 truth.json 的 `wave` 中）

- 本院与对标院校的差距：上一轮在 P2（过硬党支部建设）上比本轮大 {p2} 分、在 P4（服务型党组织建设）上大 {p4} 分，
  即两轮之间这两项差距分别缩小 {p2} 分和 {p4} 分；P5（品牌示范与争先创优）的差距两轮相同（没有缩小），P1、P3 也不变。
- 同一批人：本院有 {shared} 名党员两轮都参加了调查，手机号相同，用同一密钥假名化后 `respondent_key` 相同，
  可用于配对分析；truth.json 的 `wave.shared_respondents` 列出他们在两轮文件中的 Excel 行号。

## 文件一览

| 文件 | 内容 |
|---|---|
{{table}}
"""


def _generate_earlier_wave(out_dir: Path, seed: int, current_home: list[Resp], taken_phones: frozenset[str],
                           current_file: str) -> None:
    """Write the demo study's earlier wave into ``out_dir`` (``data/raw/demo/2025``).

    Parameters
    ----------
    out_dir
        The wave's folder (created if needed; files of an earlier generation are replaced).
    seed
        The current wave's seed; the earlier wave uses ``seed - EARLIER_SEED_SHIFT``.
    current_home
        The current wave's home-college submissions (the shared respondents are taken from them).
    taken_phones
        Every phone number the current wave issued: never issued again, so that the two waves
        share only the planted respondents.
    current_file
        The current wave's home 按文本 download (where ``current_row`` of a shared respondent is).
    """
    world = earlier_world()
    wseed = seed - EARLIER_SEED_SHIFT
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean_out_dir(out_dir)
    fakes = _Fakes(_rng(wseed, "identifiers"), world.phone_blocks, exclude=taken_phones)
    shift = dt.timedelta(days=EARLIER_WAVE_DAYS)
    shared: list[dict] = []

    def before_cells(spec: CollegeSpec, rows: list[Resp]) -> None:
        for r in rows:
            r.submitted -= shift
        if spec.name == HOME:
            shared.extend(_plant_shared(current_home, rows, _rng(wseed, "shared-respondents")))
            for e in shared:
                r = next(x for x in rows if x.row == e["row"])
                if r.name:
                    fakes.used["names"].add(r.name)

    by_college, cell_recs = _college_data(world, wseed, fakes, before_cells)
    names = _file_names(world, by_college)
    headers = _write_questionnaires(out_dir, world, by_college, names)
    _write_codebook(out_dir / EARLIER_FILES["codebook"], tencent=any(c.form == "tencent_csv" for c in world.colleges))
    instruments = _write_other_instruments(out_dir, world, fakes)
    truth = build_truth(world, wseed, by_college, names=names, headers=headers, cell_recs=cell_recs,
                        other_files=EARLIER_FILES, instruments=instruments)
    start, end = FIELD_START - shift, FIELD_END - shift
    truth["fieldwork"] = {"start": start.isoformat(), "end": end.isoformat()}
    truth["wave"] = {
        "label": world.wave, "current_wave": CURRENT_WAVE, "current_seed": seed,
        "home_gap_points": world.home_gap, "current_home_gap_points": home_gap(CURRENT_WAVE),
        "gap_closing_points": {s: GAP_CLOSING.get(s, 0.0) for s in SCALE_IDS},
        "gap_closes": {s: s in GAP_CLOSING for s in SCALE_IDS},
        "submission_shift_days": EARLIER_WAVE_DAYS,
        "shared_respondents": {"count": len(shared), "key": "phone（respondent_key）",
                               "file": names[HOME]["wjx_text"], "current_file": current_file,
                               "rows": shared},
        "symposium": None,
    }
    readme = EARLIER_README.format(wave=world.wave, current=CURRENT_WAVE, seed=wseed, shift=EARLIER_SEED_SHIFT,
                                   days=EARLIER_WAVE_DAYS, start=start.isoformat(), end=end.isoformat(),
                                   p2=GAP_CLOSING["P2"], p4=GAP_CLOSING["P4"], shared=len(shared))
    _write_truth_and_readme(out_dir, truth, EARLIER_FILES, readme)



def generate_demo(out_dir: Path, seed: int = DEFAULT_SEED, *, respondents: int | None = None,
                  colleges: int = len(COLLEGES)) -> dict[str, Any]:
    """Write the whole synthetic demo study into ``out_dir`` and return its truth.

    Parameters
    ----------
    out_dir
        Folder to write into (created if needed). Files from an earlier generation are replaced.
    seed
        Random seed; the same seed gives byte-identical files.
    respondents, colleges
        A scaled study (:func:`survey.demo.world.build_world`): ``respondents`` genuine
        respondents over ``colleges`` colleges, with the same planted effects and mess. The
        defaults give the demo study; a scaled study also gets its own ``study.yaml``.

    Notes
    -----
    The demo study (not a scaled one) also gets its earlier wave in ``out_dir / "2025"``
    (:func:`_generate_earlier_wave`; study file ``study_2025.yaml`` at the repository root):
    seed ``seed - EARLIER_SEED_SHIFT``, the home gaps of :func:`survey.demo.world.home_gap`
    for 2025, its own mess and :data:`~survey.demo.world.SHARED_RESPONDENTS` home respondents
    shared with the current wave. It is written after the current wave, from random streams
    of its own, so the current wave's files are the same bytes as without it.

    Returns
    -------
    dict
        The content of ``truth.json``: planted parameters, planted problems with file and Excel
        row, realised statistics of the genuine rows, symposium/indicator/roster truth and every
        fake identifier.

    Examples
    --------
    >>> truth = generate_demo(Path("data/raw/demo"))  # doctest: +SKIP
    >>> truth["effects"]["expected"]["P2"]  # doctest: +SKIP
    'behind'
    >>> big = generate_demo(Path("/tmp/big"), respondents=100_000, colleges=6)  # doctest: +SKIP
    """
    world = build_world(respondents, colleges)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean_out_dir(out_dir)
    fakes = _Fakes(_rng(seed, "identifiers"), world.phone_blocks)
    by_college, cell_recs = _college_data(world, seed, fakes)
    names = _file_names(world, by_college)
    headers = _write_questionnaires(out_dir, world, by_college, names)
    _write_codebook(out_dir / OTHER_FILES["codebook"])
    sessions, statements, themes, sym_truth = _symposium(seed, fakes)
    _write_xlsx(out_dir / OTHER_FILES["sessions"], sessions, title=f"{PREFIX}座谈会场次")
    _write_xlsx(out_dir / OTHER_FILES["statements"], statements, title=f"{PREFIX}座谈会发言记录")
    _write_xlsx(out_dir / OTHER_FILES["themes"], themes, title=f"{PREFIX}座谈会主题编码")
    instruments = {"symposium": sym_truth} | _write_other_instruments(out_dir, world, fakes)
    truth = build_truth(world, seed, by_college, names=names, headers=headers, cell_recs=cell_recs,
                        other_files=OTHER_FILES, instruments=instruments)
    _write_truth_and_readme(out_dir, truth, OTHER_FILES, _readme(seed, "{table}", world))
    if world.scale is not None:
        planted = sum(c["category"] == "crosscheck_mismatch" for recs in cell_recs.values() for c in recs)
        _write_study_yaml(out_dir, world, names, planted)
    else:
        _generate_earlier_wave(out_dir / EARLIER_DIR, seed, by_college[HOME], frozenset(fakes.used["phones"]),
                               names[HOME]["wjx_text"])
    return json.loads(json.dumps(truth, ensure_ascii=False, sort_keys=True, default=str))


def _describe(fname: str, files: dict[str, dict]) -> str:
    if fname in files:
        info = files[fname]
        kind = {"wjx_text": "问卷星按文本下载", "wjx_code": "问卷星按序号下载", "generic": "手工录入表格",
                "tencent": "腾讯问卷下载（答卷数据）",
                "summary": "汇总统计（无原始答卷）"}[info["format"]]
        return f"{info['college']}：{kind}"
    return {"codebook.yaml": "问卷编码手册", "truth.json": "埋入参数与问题清单（供测试）", "README.md": "本说明",
            OTHER_FILES["sessions"]: "座谈会场次", OTHER_FILES["statements"]: "座谈会发言记录（双人编码）",
            OTHER_FILES["themes"]: "座谈会主题编码表", OTHER_FILES["indicators"]: "对标指标（长表）",
            OTHER_FILES["roster"]: "党员名册汇总",
            OTHER_FILES["member_names"]: "党员名单（仅用于脱敏）"}[fname]


def run_demo(args: argparse.Namespace) -> Path:
    """Generate the study ``survey demo`` was asked for (options in :mod:`survey.cli`); return its folder.

    A scaled study (``--respondents`` or ``--colleges`` given) is written only into an
    explicit ``--out`` other than ``data/raw/demo``, which holds the committed demo study.
    """
    from survey.errors import SurveyError
    from survey.paths import DEMO_RAW_DIR

    scaled = args.respondents is not None or args.colleges != len(COLLEGES)
    out = Path(args.out) if args.out else DEMO_RAW_DIR
    if scaled and (not args.out or out.resolve() == DEMO_RAW_DIR.resolve()):
        raise SurveyError("规模化研究不能写入 data/raw/demo（那里是提交到仓库的演示数据）", key="--out",
                          expected="用 --out 指定另一个文件夹，例如 --out /tmp/survey-scaled")
    generate_demo(out, seed=args.seed, respondents=args.respondents, colleges=args.colleges)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m survey.demo.writers [--out DIR] [--seed N] [--respondents N --colleges K]``:
    the same as ``survey demo`` (:mod:`survey.cli` defines the options)."""
    from survey.cli import main as cli_main

    return cli_main(["demo", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
