"""``survey codebook draft`` for a 腾讯问卷 download (one CSV or XLSX file).

Headers are read by :func:`survey.io.readers.tencent.parse_tencent_headers` (layout in
:mod:`survey.io.readers.tencent`):

* ``N.题干`` with cells ``A.男`` / ``B.女`` → a single-choice item (a Likert item when the labels
  form a known scale, :data:`~survey.io.draft.LIKERT_VOCABULARIES`). **Codes come from the
  letters** (A = 1, B = 2 …): the letters are the questionnaire's own option order, so the codes
  are the platform's and need no guessing. A letter no respondent chose has no label in the
  download: it gets the placeholder ``选项C`` (a note says so). A question whose cells carry no
  letter is drafted like a 问卷星 按文本 column (codes guessed, marked for review).
* several columns ``N.题干：X`` → multiple choice with options X in column order (codes 1, 2 …
  in the questionnaire's order) when the cells are marks (the option text, ``1``), or a matrix
  (one Likert / single item ``QN_k`` per row X) when the cells are lettered options.
* ``N.题干：_填空1`` → a numeric or text item (or an identifier when the stem names one, e.g.
  手机号); several blanks → one item ``QN_k`` per blank (``source.row: 填空k``).
* the identifying meta columns (:data:`~survey.io.readers.tencent.TENCENT_IDENTIFIERS`: 用户标识,
  昵称, IP, UA, 地理位置省) → identifiers with ``action: drop``; the other meta columns are read
  (编号, 结束答题时间, 答题时长) or dropped by the reader and need no entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from survey.errors import SurveyError
from survey.io.draft import LIKERT_VOCABULARIES, guess_identifier, stem_item
from survey.io.normalise import is_missing_token, normalise_text, parse_number
from survey.io.readers.tabular import Table
from survey.io.readers.tencent import (
    TENCENT_IDENTIFIERS,
    TencentColumn,
    letter_code,
    parse_tencent_headers,
    strip_letter,
)

__all__ = ["draft_tencent"]

#: Identifier ids the draft gives the identifying meta columns.
_IDENT_IDS = {"用户标识": "user_id", "昵称": "nickname", "IP": "ip", "UA": "user_agent", "地理位置省": "province"}


def _answers(values: list[str]) -> list[str]:
    return [normalise_text(v) for v in values if not is_missing_token(v)]


def _is_number(v: str) -> bool:
    return parse_number(v) == parse_number(v)


def _lettered(values: list[str]) -> tuple[dict[int, str], list[str]]:
    """``{code: label}`` of the lettered answers, and the answers without a letter."""
    options: dict[int, str] = {}
    plain: list[str] = []
    for a in _answers(values):
        letter, label = strip_letter(a)
        if letter is None:
            plain.append(label)
        else:
            options.setdefault(letter_code(letter), label)
    return options, plain


def _letter(code: int) -> str:
    s = ""
    while code:
        code, r = divmod(code - 1, 26)
        s = chr(65 + r) + s
    return s


def _options(
    q: int, found: dict[int, str], plain: list[str], notes: list[str]
) -> tuple[dict[int, str], str, bool]:
    """Options 1..max with placeholders for unseen letters; ``(options, type, guessed)``."""
    top = max(found)
    options = {c: found.get(c, f"选项{_letter(c)}") for c in range(1, top + 1)}
    missing = [c for c in options if c not in found]
    if missing:
        letters = "、".join(_letter(c) for c in missing)
        notes.append(f"Q{q}：没有人选过选项 {letters}，其文字暂写作“选项{_letter(missing[0])}”等，请按问卷补上。")
    known = set(options.values())
    extra = [p for p in dict.fromkeys(plain) if p not in known]
    guessed = bool(extra)
    for p in extra:
        options[max(options) + 1] = p
    if extra:
        notes.append(f"Q{q}：有不带字母序号的答案（{'、'.join(extra)}），其代码排在最后，请按问卷核对。")
    labels = list(found.values())
    scale = any(set(labels) <= set(v) for v in LIKERT_VOCABULARIES.values())
    return options, ("likert" if scale and not missing and not extra else "single"), guessed


def _is_matrix(group: list[tuple[TencentColumn, list[str]]]) -> bool:
    """Lettered cells other than the column's own option text mean matrix rows."""
    lettered = marks = 0
    for col, values in group:
        for a in _answers(values):
            letter, label = strip_letter(a)
            if letter is not None and label != normalise_text(col.sub or ""):
                lettered += 1
            else:
                marks += 1
    return lettered > marks


def draft_tencent(
    table: Table, path: Path, *, notes: list[str], review: list[str]
) -> dict[str, Any]:
    """A codebook draft (plain data, as :func:`survey.io.draft.draft_codebook` returns) of a
    腾讯问卷 download; ``notes`` / ``review`` as there."""
    cols = parse_tencent_headers(table.header)
    items: list[dict[str, Any]] = []
    identifiers: list[dict[str, Any]] = []
    ignore: list[str] = []
    option_sets: dict[str, dict[int, str]] = {}
    groups: dict[int, list[tuple[TencentColumn, list[str]]]] = {}
    order: list[int] = []
    for col in cols:
        values = [str(v) for v in table.data[col.header].tolist()]
        h = normalise_text(col.header)
        if col.kind == "meta":
            key = h.upper() if h.lower() in ("ip", "ua") else h
            if key in TENCENT_IDENTIFIERS:
                identifiers.append(
                    {"id": _IDENT_IDS[key], "kind": TENCENT_IDENTIFIERS[key], "source": {"header": key}}
                )
            continue
        if col.kind != "question" or col.question is None:
            ignore.append(h)
            notes.append(f"列“{h}”不是腾讯问卷的题目列，已放入 ignore_columns。")
            continue
        if col.question not in groups:
            groups[col.question] = []
            order.append(col.question)
        groups[col.question].append((col, values))
    phone_key = False
    for q in order:
        group = groups[q]
        first = group[0][0]
        blanks = [(c, v) for c, v in group if c.blank is not None]
        subs = [(c, v) for c, v in group if c.sub is not None and c.blank is None]
        if len(blanks) == 1 and len(group) == 1:
            kind = guess_identifier(first.stem)
            if kind is not None:
                ident: dict[str, Any] = {"id": kind, "kind": kind, "source": {"question": q}}
                if kind in ("phone", "student_no", "staff_no") and not phone_key:
                    ident.update(action="pseudonymise", respondent_key=True)
                    phone_key = True
                identifiers.append(ident)
                continue
            ans = _answers(group[0][1])
            items.append({
                "id": f"Q{q}", "text": first.stem or f"第{q}题",
                "type": "numeric" if ans and all(_is_number(a) for a in ans) else "text",
                "source": {"question": q},
            })
        elif blanks and len(blanks) == len(group):
            for c, v in blanks:
                ans = _answers(v)
                items.append({
                    "id": f"Q{q}_{c.blank}", "text": f"{c.stem}（填空{c.blank}）",
                    "type": "numeric" if ans and all(_is_number(a) for a in ans) else "text",
                    "source": {"question": q, "row": f"填空{c.blank}"},
                })
        elif subs and len(subs) == len(group):
            if _is_matrix(subs):
                found: dict[int, str] = {}
                plain: list[str] = []
                for _c, v in subs:
                    f, p = _lettered(v)
                    for code, lab in f.items():
                        found.setdefault(code, lab)
                    plain += p
                if not found:
                    raise SurveyError(f"第 {q} 题的矩阵列中没有带字母序号的选项", file=str(path))
                options, typ, guessed = _options(q, found, plain, notes)
                name = f"q{q}_options"
                option_sets[name] = options
                for k, (c, _v) in enumerate(subs, start=1):
                    items.append({
                        "id": f"Q{q}_{k}", "text": c.sub or f"第{q}题第{k}行", "type": typ,
                        "options": name, "source": {"question": q, "row": c.sub},
                    })
                    if guessed:
                        review.append(f"Q{q}_{k}")
            else:
                items.append({
                    "id": f"Q{q}", "text": first.stem or f"第{q}题", "type": "multiple",
                    "options": {k: c.sub for k, (c, _v) in enumerate(subs, start=1)},
                    "source": {"question": q},
                })
                notes.append(f"Q{q}：多选题，选项取自各列表头（按问卷顺序编码 1、2……）。")
        elif len(group) == 1:
            c, v = group[0]
            kind = guess_identifier(c.stem)
            if kind is not None:
                identifiers.append({"id": kind, "kind": kind, "source": {"question": q}})
                continue
            found, plain = _lettered(v)
            if found:
                options, typ, guessed = _options(q, found, plain, notes)
                items.append({"id": f"Q{q}", "text": c.stem or f"第{q}题", "type": typ,
                              "options": options, "source": {"question": q}})
                if guessed:
                    review.append(f"Q{q}")
            else:
                items.append(stem_item(q, c.stem, v, notes, review))
        else:
            raise SurveyError(
                f"第 {q} 题的列既有填空（_填空k），又有选项或矩阵行，无法判断题型",
                file=str(path),
                row=table.header_row,
                column="、".join(c.header for c, _ in group),
                hint="生成草稿后在编码手册中手工写出该题",
            )
    if not items:
        raise SurveyError(
            "腾讯问卷导出文件中没有找到任何题目列",
            file=str(path),
            row=table.header_row,
            expected="“N.题干”形式的列",
        )
    seen: dict[str, int] = {}
    for ident in identifiers:
        seen[ident["id"]] = seen.get(ident["id"], 0) + 1
        if seen[ident["id"]] > 1:
            ident["id"] = f"{ident['id']}_{seen[ident['id']]}"
    ids = {i["id"] for i in identifiers}
    if ids & {"ip", "province"}:
        notes.append("IP、地理位置省：默认删除（action: drop）；若需保留省份，把 province 改为 action: coarsen。")
    notes.append("选项代码取自腾讯问卷答案前的字母（A = 1、B = 2……），即问卷中的选项顺序。")
    from survey.io.draft import assemble_draft

    return assemble_draft(path.stem, option_sets, items, identifiers, ignore)
