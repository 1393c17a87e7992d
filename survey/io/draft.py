"""``survey codebook draft EXPORT``: a starting codebook written from a 问卷星 export.

The draft lists every question the export shows: ``N、题干`` columns become single-choice,
multiple-choice, ranking, numeric or text items (judged from the answers), matrix rows
``第N题(行标题)`` become Likert items ``QN_k``, identifying columns (姓名, 手机, IP …) become
``identifiers``. From a 按文本 export the option labels are the ones seen in the answers, put in
the order of a known Chinese Likert vocabulary (非常不同意 … 非常同意) when they fit one, so that
codes run from the negative to the positive end; from a 按序号 export only the codes are known
and the labels are placeholders. The research group checks and edits the draft (types, codes,
reverse items, scales) before using it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from survey.config.codebook import load_codebook
from survey.errors import SurveyError
from survey.io.normalise import is_missing_token, normalise_text, parse_number
from survey.io.readers.detect import detect_table
from survey.io.readers.tabular import read_table
from survey.io.readers.wjx_headers import WJX_META, parse_wjx_header, split_other

__all__ = ["LIKERT_VOCABULARIES", "draft_codebook", "guess_identifier", "write_draft"]

#: Known Chinese response scales, negative → positive (codes 1..k in this order).
LIKERT_VOCABULARIES: dict[str, list[str]] = {
    "agree5": ["非常不同意", "不同意", "一般", "同意", "非常同意"],
    "agree5b": ["非常不同意", "比较不同意", "一般", "比较同意", "非常同意"],
    "agree5c": ["非常不同意", "不同意", "不确定", "同意", "非常同意"],
    "agree5d": ["完全不同意", "不太同意", "一般", "比较同意", "完全同意"],
    "satisfied5": ["非常不满意", "不满意", "一般", "满意", "非常满意"],
    "satisfied5b": ["非常不满意", "比较不满意", "一般", "比较满意", "非常满意"],
    "important5": ["非常不重要", "不重要", "一般", "重要", "非常重要"],
    "important5b": ["非常不重要", "不太重要", "一般", "比较重要", "非常重要"],
    "fit5": ["完全不符合", "比较不符合", "一般", "比较符合", "完全符合"],
    "fit5b": ["完全不符合", "不太符合", "一般", "比较符合", "完全符合"],
    "good5": ["非常差", "较差", "一般", "较好", "非常好"],
    "good5b": ["很差", "较差", "一般", "较好", "很好"],
    "frequency5": ["从不", "很少", "有时", "经常", "总是"],
    "agree7": ["非常不同意", "不同意", "有点不同意", "一般", "有点同意", "同意", "非常同意"],
}

_IDENTIFIER_WORDS: list[tuple[str, str]] = [
    ("身份证", "id_card"),
    ("姓名", "name"),
    ("名字", "name"),
    ("手机", "phone"),
    ("电话", "phone"),
    ("联系方式", "phone"),
    ("学号", "student_no"),
    ("工号", "staff_no"),
    ("职工号", "staff_no"),
    ("微信", "wechat"),
    ("昵称", "wechat"),
    ("邮箱", "email"),
    ("email", "email"),
    ("ip", "ip"),
]


def guess_identifier(header: str) -> str | None:
    """The identifier kind a header names (``"您的手机号码"`` → ``"phone"``), or ``None``."""
    h = normalise_text(header).lower()
    for word, kind in _IDENTIFIER_WORDS:
        if word == "ip":
            if re.search(r"(^|[^a-z])ip([^a-z]|$)", h):
                return kind
        elif word in h:
            return kind
    return None


def _answers(values: list[str]) -> list[str]:
    return [normalise_text(v) for v in values if not is_missing_token(v)]


def _codes(answers: list[str]) -> list[str]:
    """Answers with 〖other text〗 removed (``1〖x〗`` → ``1``, ``〖x〗`` → ``1``)."""
    out = []
    for a in answers:
        base, other = split_other(a)
        out.append(base if base or other is None else "1")
    return out


_TEXT_STEM = re.compile(r"意见|建议|说明|描述|填写|请写|为什么|原因|看法|想法|其他")


def _is_number(v: str) -> bool:
    return parse_number(v) == parse_number(v)


_LEADING_NUMBER = re.compile(r"^\d+(\.\d+)?")


def _order_labels(labels: list[str]) -> tuple[list[str], str | None]:
    """Labels in vocabulary order (and the vocabulary's name), else by a leading number
    (``25岁及以下``, ``26-35岁`` …), else in order of first appearance."""
    seen = list(dict.fromkeys(labels))
    fits = [(len(v), name) for name, v in LIKERT_VOCABULARIES.items() if set(seen) <= set(v)]
    if seen and fits:
        name = min(fits)[1]
        return list(LIKERT_VOCABULARIES[name]), name
    leading = [_LEADING_NUMBER.match(lab) for lab in seen]
    if seen and all(leading):
        return sorted(seen, key=lambda lab: float(_LEADING_NUMBER.match(lab).group(0))), None
    return seen, None


def _is_ranking(rows: list[tuple[str, list[str]]]) -> bool:
    """Per-option columns hold a ranking when every answer sheet's ranks are 1..m, no repeats."""
    n = len(rows[0][1]) if rows else 0
    seen_any = False
    for i in range(n):
        ranks = []
        for _, vals in rows:
            v = vals[i]
            if is_missing_token(v):
                continue
            x = parse_number(split_other(normalise_text(v))[0] or "1")
            if x in (-2.0, -3.0):
                continue
            ranks.append(x)
        if ranks:
            seen_any = True
            if sorted(ranks) != [float(k) for k in range(1, len(ranks) + 1)]:
                return False
    return seen_any


def _choice_options(labels: list[str]) -> tuple[dict[int, str], int | None, str | None]:
    """Options (code → label) from labels seen; the code of an 〖other〗 option."""
    plain: list[str] = []
    other_label = None
    for lab in labels:
        base, other = split_other(lab)
        base = normalise_text(base) or "其他"
        if other is not None or "〖" in lab:
            other_label = base
        plain.append(base)
    ordered, vocab = _order_labels(plain)
    options = {i + 1: lab for i, lab in enumerate(ordered)}
    other_code = next((c for c, lab in options.items() if lab == other_label), None)
    return options, other_code, vocab


def _stem_item(
    q: int, text: str, values: list[str], variant: str, notes: list[str]
) -> dict[str, Any]:
    ans = _answers(values)
    item: dict[str, Any] = {"id": f"Q{q}", "text": text or f"第{q}题", "source": {"question": q}}
    if variant == "text" and any("┋" in a for a in ans):
        labels = [p for a in ans for p in a.split("┋") if p.strip()]
        options, other, _ = _choice_options(labels)
        item.update(type="multiple", options=options)
        if other is not None:
            item["other_option"] = other
        notes.append(f"Q{q}：多选题，选项取自答案中出现过的选项，未被选过的选项需补上。")
        return item
    if variant == "text" and any("→" in a for a in ans):
        labels = [p for a in ans for p in a.split("→") if p.strip()]
        options, other, _ = _choice_options(labels)
        item.update(type="ranking", options=options)
        notes.append(f"Q{q}：排序题，选项取自答案中出现过的选项。")
        return item
    if ans and all(_is_number(a) for a in _codes(ans)):
        nums = {parse_number(a) for a in _codes(ans) if parse_number(a) not in (-2.0, -3.0)}
        if (
            variant == "code"
            and nums
            and all(x.is_integer() and 0 <= x <= 20 for x in nums)
            and len(nums) <= 12
        ):
            top = int(max(nums))
            item.update(type="single", options={c: f"选项{c}" for c in range(1, max(top, 1) + 1)})
            notes.append(f"Q{q}：按序号导出，只知道代码 1–{top}，请把“选项k”改为问卷上的选项文字。")
            return item
        item["type"] = "numeric"
        return item
    distinct = set(ans)
    few = len(distinct) <= 12 and len(distinct) <= max(2, len(ans) // 2)
    short = len(ans) < 10 and all(len(a) <= 12 for a in ans)
    if ans and not _TEXT_STEM.search(text) and (few or short):
        options, other, name = _choice_options(ans)
        item.update(type="likert" if name else "single", options=options)
        if other is not None:
            item["other_option"] = other
        if name is None:
            notes.append(f"Q{q}：选项取自答案，代码顺序请按问卷核对，未被选过的选项需补上。")
        return item
    item["type"] = "text"
    if not ans:
        notes.append(f"Q{q}：导出中没有答案，暂按填空题（text）处理。")
    return item


def _matrix_items(
    q: int,
    rows: list[tuple[str, list[str]]],
    variant: str,
    notes: list[str],
    option_sets: dict[str, dict[int, str]],
) -> list[dict[str, Any]]:
    ans = [a for _, vals in rows for a in _answers(vals)]
    if variant == "code":
        ans = _codes(ans)
    numeric = bool(ans) and all(_is_number(a) for a in ans)
    if variant == "code" and numeric:
        nums = {parse_number(a) for a in ans} - {-3.0}
        k = len(rows)
        labels = {c + 1: normalise_text(t) or f"选项{c + 1}" for c, (t, _) in enumerate(rows)}
        if nums <= {0.0, 1.0}:
            item = {
                "id": f"Q{q}",
                "text": f"第{q}题",
                "type": "multiple",
                "options": labels,
                "source": {"question": q},
            }
            other = next((c for c, lab in labels.items() if "其他" in lab), None)
            if other is not None:
                item["other_option"] = other
            notes.append(f"Q{q}：按序号导出中每个选项一列且只有 0/1，按多选题处理；请补上题干。")
            return [item]
        if nums <= ({-2.0} | {float(r) for r in range(1, k + 1)}) and _is_ranking(rows):
            notes.append(f"Q{q}：每个选项一列、取值为名次（-2 = 未排），按排序题处理；请补上题干。")
            return [
                {
                    "id": f"Q{q}",
                    "text": f"第{q}题",
                    "type": "ranking",
                    "options": labels,
                    "source": {"question": q},
                }
            ]
    set_name: str
    if variant == "code" or numeric:
        nums = {parse_number(a) for a in ans} - {-2.0, -3.0}
        top = int(max(nums)) if nums and all(x.is_integer() and x >= 1 for x in nums) else 5
        options = {c: f"选项{c}" for c in range(1, top + 1)}
        notes.append(f"Q{q}：矩阵题按序号导出，只知道代码 1–{top}，请把“选项k”改为量表文字。")
    else:
        labels_seen = [a for a in ans]
        ordered, vocab = _order_labels(labels_seen)
        options = {i + 1: lab for i, lab in enumerate(ordered)}
        if vocab is None:
            notes.append(
                f"Q{q}：矩阵题的选项不属于已知的李克特量表，按出现顺序编码，请核对代码顺序。"
            )
    set_name = next((n for n, o in option_sets.items() if o == options), f"Q{q}_scale")
    option_sets[set_name] = options
    return [
        {
            "id": f"Q{q}_{k}",
            "text": normalise_text(row) or f"第{q}题第{k}行",
            "type": "likert",
            "options": set_name,
            "source": {"question": q, "row": normalise_text(row)},
        }
        for k, (row, _) in enumerate(rows, start=1)
    ]


def draft_codebook(export_path: str | Path, *, notes: list[str] | None = None) -> dict[str, Any]:
    """Draft a codebook from a 问卷星 export.

    Parameters
    ----------
    export_path
        A 问卷星 download (.xlsx, .xls or .csv; 按文本 gives labels, 按序号 only codes).
    notes
        If given, receives what the user must check (Chinese), one line per point.

    Returns
    -------
    dict
        A codebook as plain data (``title``, ``version``, ``option_sets``, ``items``,
        ``identifiers``, ``ignore_columns``) that :func:`survey.config.codebook.load_codebook` accepts
        once written as YAML.

    Raises
    ------
    SurveyError
        The file cannot be read, or does not look like a 问卷星 export.

    Examples
    --------
    >>> cb = draft_codebook("386540716_按文本_调查_79_78.xlsx")  # doctest: +SKIP
    >>> [i["id"] for i in cb["items"]][:3]  # doctest: +SKIP
    ['Q1', 'Q2', 'Q3']
    """
    path = Path(export_path)
    notes = notes if notes is not None else []
    table = read_table(path)
    fmt, _reason = detect_table(table, path, None)
    if fmt == "generic":
        raise SurveyError(
            "该文件不像问卷星导出（没有“序号、提交答卷时间”等列，题目列也不是“N、题干”形式）",
            file=str(path),
            row=table.header_row,
            expected="问卷星“按文本”或“按序号”下载的 .xlsx / .xls / .csv",
        )
    variant = "code" if fmt == "wjx_code" else "text"
    items: list[dict[str, Any]] = []
    identifiers: list[dict[str, Any]] = []
    ignore: list[str] = []
    option_sets: dict[str, dict[int, str]] = {}
    kinds = Counter[str]()
    matrices: dict[int, list[tuple[str, list[str]]]] = {}
    order: list[tuple[str, Any]] = []

    def add_identifier(kind: str, source: dict[str, Any]) -> None:
        kinds[kind] += 1
        ident: dict[str, Any] = {
            "id": kind if kinds[kind] == 1 else f"{kind}_{kinds[kind]}",
            "kind": kind,
            "source": source,
        }
        if kind == "ip":
            ident["action"] = "coarsen"
        elif kind in ("phone", "student_no", "staff_no") and not any(
            i.get("respondent_key") for i in identifiers
        ):
            ident.update(action="pseudonymise", respondent_key=True)
        identifiers.append(ident)

    for header in table.header:
        h = normalise_text(header)
        values = table.data[header].tolist()
        if h in WJX_META:
            if h == "来自IP":
                add_identifier("ip", {"header": h})
            elif h == "总分":
                ignore.append(h)
            continue
        parsed = parse_wjx_header(header)
        if parsed is None:
            kind = guess_identifier(h)
            if kind is not None:
                add_identifier(kind, {"header": h})
            else:
                ignore.append(h)
                notes.append(f"列“{h}”不是问卷星题目列，已放入 ignore_columns。")
            continue
        form, q, text = parsed
        if form == "matrix":
            if q not in matrices:
                matrices[q] = []
                order.append(("matrix", q))
            matrices[q].append((text, values))
            continue
        kind = guess_identifier(text)
        if kind is not None:
            add_identifier(kind, {"question": q})
            continue
        order.append(("item", _stem_item(q, text, values, variant, notes)))
    for what, obj in order:
        if what == "matrix":
            items.extend(_matrix_items(obj, matrices[obj], variant, notes, option_sets))
        else:
            items.append(obj)
    if not items:
        raise SurveyError(
            "导出文件中没有找到任何题目列",
            file=str(path),
            row=table.header_row,
            expected="“N、题干”或“第N题(…)”形式的列",
        )
    draft: dict[str, Any] = {
        "title": f"编码手册草稿：{path.stem}",
        "version": "draft",
        "missing_codes": [-2, -3],
    }
    if option_sets:
        draft["option_sets"] = option_sets
    draft["items"] = items
    if identifiers:
        draft["identifiers"] = identifiers
    if ignore:
        draft["ignore_columns"] = ignore
    return draft


def write_draft(export_path: str | Path, out_path: str | Path) -> Path:
    """Write :func:`draft_codebook` as YAML (with the points to check as comments) and check it
    loads with :func:`survey.config.codebook.load_codebook`.

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    out = Path(out_path)
    notes: list[str] = []
    draft = draft_codebook(export_path, notes=notes)
    head = [
        f"# 编码手册草稿，由 {Path(export_path).name} 自动生成。使用前请逐项核对：",
        "# 题目类型、选项代码（1 = 量表的否定端）、反向题与量表（scales）、标识列的处理方式。",
        *(f"# - {n}" for n in notes),
        "",
    ]
    body = yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=100)
    out.write_text("\n".join(head) + body, encoding="utf-8")
    load_codebook(out)  # the draft must be a valid codebook
    return out
