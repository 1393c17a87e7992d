"""``survey codebook draft EXPORT [EXPORT]``: a starting codebook written from 问卷星 downloads
(or from one 腾讯问卷 download: :mod:`survey.io.draft_tencent`).

The draft lists every question the export shows: ``N、题干`` columns become single-choice,
multiple-choice, ranking, numeric or text items (judged from the answers), matrix rows
``第N题(行标题)`` become Likert items ``QN_k`` (multi-blank fill-ins, numeric matrices, 比重题
and 按文本 matrix multiple choice one item per blank or row), identifying columns (姓名, 手机,
IP …) become ``identifiers``.

Given the 按文本 **and** the 按序号 download of the same answers (paired by the 问卷星 file name
or by their question numbers, rows aligned by 序号), codes come from 按序号 and labels from
按文本: the draft reproduces every code the platform wrote. From a 按文本 download alone the
codes are a guess: options that form a known Chinese scale (:data:`LIKERT_VOCABULARIES`) are put
in its order (1 = the negative end); every other choice item is marked ``REVIEW_MARK`` in the
YAML, and ``survey clean`` refuses the codebook until the marks are removed or the study says
``codes_checked: true``. From a 按序号 download alone only the codes are known and the labels
are placeholders. The research group checks and edits the draft (types, reverse items, scales,
identifiers) before using it.

问卷网 downloads (``All_Data_Original.csv`` + ``All_Data_Readable.csv``) are first put in 问卷星
按序号 / 按文本 shape (:func:`survey.io.readers.wjw.draft_tables`): codes come from Original,
labels and stems from Readable, exactly as for the 问卷星 pair.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from survey.config.codebook import REVIEW_MARK, load_codebook
from survey.errors import SurveyError
from survey.io.atomic import write_atomic
from survey.io.normalise import is_missing_token, normalise_text, parse_number
from survey.io.readers.detect import detect_table
from survey.io.readers.tabular import Table, read_table
from survey.io.readers.wjw import draft_tables
from survey.io.readers.wjx_headers import (
    WJX_META,
    core_label,
    parse_download_name,
    parse_wjx_header,
    split_other,
)

__all__ = [
    "LIKERT_VOCABULARIES",
    "REVIEW_MARK",
    "download_key",
    "draft_codebook",
    "guess_identifier",
    "stem_item",
    "write_draft",
]

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
    "agree5e": ["很不同意", "不同意", "一般", "同意", "很同意"],
    "satisfied5c": ["很不满意", "不满意", "一般", "满意", "很满意"],
    "satisfied5d": ["非常不满意", "不太满意", "一般", "比较满意", "非常满意"],
    "fit5c": ["完全不符合", "不符合", "一般", "符合", "完全符合"],
    "fit5d": ["非常不符合", "比较不符合", "不确定", "比较符合", "非常符合"],
    "know5": ["非常不了解", "不太了解", "一般", "比较了解", "非常了解"],
    "frequency5": ["从不", "很少", "有时", "经常", "总是"],
    "frequency5b": ["从不", "偶尔", "有时", "经常", "总是"],
    "frequency5c": ["从不", "很少", "有时", "经常", "每次"],
    "agree3": ["不同意", "一般", "同意"],
    "satisfied3": ["不满意", "一般", "满意"],
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
        number = {lab: float(m.group(0)) for lab, m in zip(seen, leading, strict=True) if m}
        return sorted(seen, key=number.__getitem__), None
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
    q: int, text: str, values: list[str], variant: str, notes: list[str], review: list[str]
) -> dict[str, Any]:
    ans = _answers(values)
    item: dict[str, Any] = {"id": f"Q{q}", "text": text or f"第{q}题", "source": {"question": q}}
    if variant == "text" and any("┋" in a for a in ans):
        labels = [p for a in ans for p in a.split("┋") if p.strip()]
        options, other, name = _choice_options(labels)
        item.update(type="multiple", options=options)
        if other is not None:
            item["other_option"] = other
        if name is None:
            review.append(item["id"])
        notes.append(f"Q{q}：多选题，选项取自答案中出现过的选项，未被选过的选项需补上。")
        return item
    if variant == "text" and any("→" in a for a in ans):
        labels = [p for a in ans for p in a.split("→") if p.strip()]
        options, other, name = _choice_options(labels)
        item.update(type="ranking", options=options)
        if name is None:
            review.append(item["id"])
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
    if variant == "code" and ans:
        # a 按序号 / 问卷网 Original file writes every choice as a code: words here are typed text
        item["type"] = "text"
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
            review.append(item["id"])
            notes.append(f"Q{q}：选项取自答案，代码顺序请按问卷核对，未被选过的选项需补上。")
        return item
    item["type"] = "text"
    if not ans:
        notes.append(f"Q{q}：导出中没有答案，暂按填空题（text）处理。")
    return item


def stem_item(
    q: int, text: str, values: list[str], notes: list[str], review: list[str]
) -> dict[str, Any]:
    """The draft item of one question column whose cells are option labels or typed answers
    (as in a 问卷星 按文本 ``N、题干`` column): its type judged from the answers, option codes in
    a known scale's order or else marked for review (``review``)."""
    return _stem_item(q, text, values, "text", notes, review)


_BLANK = re.compile(r"^填空\s*\d+$")


def _row_items(q: int, rows: list[tuple[str, list[str]]], **fields: Any) -> list[dict[str, Any]]:
    """One item per matrix row (or blank, or option): ``Q{q}_{k}`` with ``source.row``."""
    return [
        {
            "id": f"Q{q}_{k}",
            "text": normalise_text(row) or f"第{q}题第{k}行",
            **fields,
            "source": {"question": q, "row": normalise_text(row)},
        }
        for k, (row, _) in enumerate(rows, start=1)
    ]


def _constant_sum(rows: list[tuple[str, list[str]]]) -> float | None:
    """The total every answer sheet gives when the columns are shares of one (比重题), else None."""
    n = len(rows[0][1]) if rows else 0
    totals = set()
    for i in range(n):
        cells = [vals[i] for _, vals in rows]
        if all(is_missing_token(c) or parse_number(c) in (-2.0, -3.0) for c in cells):
            continue  # skipped (按文本 "(跳过)", 按序号 -3)
        nums = [parse_number(c) for c in cells if not is_missing_token(c)]
        if len(nums) != len(cells) or any(x != x for x in nums):
            return None
        totals.add(round(sum(nums), 6))
    return totals.pop() if len(totals) == 1 and len(rows) >= 2 else None


def _per_row_items(
    q: int,
    rows: list[tuple[str, list[str]]],
    variant: str,
    notes: list[str],
    option_sets: dict[str, dict[int, str]],
    review: list[str],
) -> list[dict[str, Any]] | None:
    """Questions shown as ``第N题(…)`` columns that are not a Likert matrix, else ``None``.

    Multi-blank fill-ins (``第N题(填空1)``) become one text or numeric item per blank; a
    numeric matrix (a slider matrix, values beyond 20 or with decimals) or a 比重题 (shares
    that add up to the same total on every sheet) one numeric item per row; a 按文本 matrix
    multiple choice (``A┋B`` in the row cells) one multiple-choice item per row.
    """
    per_row = [_answers(vals) for _, vals in rows]
    ans = [a for r in per_row for a in r]
    if all(_BLANK.match(normalise_text(t)) for t, _ in rows):
        kinds = ["numeric" if r and all(_is_number(a) for a in r) else "text" for r in per_row]
        notes.append(f"Q{q}：多项填空题，每个填空一题（{'、'.join(t for t, _ in rows)}）；请补上题干。")
        return [
            {**item, "type": kind}
            for item, kind in zip(_row_items(q, rows), kinds, strict=True)
        ]
    if ans and all(_is_number(a) for a in ans):
        nums = [parse_number(a) for a in ans if parse_number(a) not in (-2.0, -3.0)]
        total = _constant_sum(rows)
        wide = any(not x.is_integer() or x > 20 for x in nums)
        if (total is not None and total >= 10 and not _is_ranking(rows)) or wide:
            what = f"比重题（每份答卷合计 {total:g}）" if total is not None else "数值矩阵（如滑动条）"
            notes.append(f"Q{q}：{what}，每行一个数值题。")
            return _row_items(q, rows, type="numeric")
        return None
    if variant == "text" and any("┋" in a for a in ans):
        labels = [p for a in ans for p in a.split("┋") if p.strip()]
        options, other, name = _choice_options(labels)
        set_name = f"Q{q}_options"
        option_sets[set_name] = options
        items = _row_items(q, rows, type="multiple", options=set_name)
        if other is not None:
            for item in items:
                item["other_option"] = other
        if name is None:
            review.extend(i["id"] for i in items)
        notes.append(f"Q{q}：矩阵多选题，每行一个多选题，选项取自答案，未被选过的选项需补上。")
        return items
    return None


def _matrix_items(
    q: int,
    rows: list[tuple[str, list[str]]],
    variant: str,
    notes: list[str],
    option_sets: dict[str, dict[int, str]],
    review: list[str],
) -> list[dict[str, Any]]:
    per_row = _per_row_items(q, rows, variant, notes, option_sets, review)
    if per_row is not None:
        return per_row
    fill_in: list[str] = []
    if variant == "code":
        # A 按序号 multiple choice with an "other" fill-in: the text column sits among the 0/1
        # columns (same question number); it is the option's text, not an option.
        texts = [
            (t, v) for t, v in rows
            if _answers(v) and not all(_is_number(a) for a in _codes(_answers(v)))
        ]
        if texts and len(texts) < len(rows):
            fill_in = [normalise_text(t) for t, _ in texts]
            rows = [r for r in rows if r not in texts]
    ans = [a for _, vals in rows for a in _answers(vals)]
    if variant == "code":
        ans = _codes(ans)
    numeric = bool(ans) and all(_is_number(a) for a in ans)
    if variant == "code" and numeric:
        nums = {parse_number(a) for a in ans} - {-3.0}
        k = len(rows)
        labels = {c + 1: normalise_text(t) or f"选项{c + 1}" for c, (t, _) in enumerate(rows)}
        if nums <= {0.0, 1.0}:
            item: dict[str, Any] = {
                "id": f"Q{q}",
                "text": f"第{q}题",
                "type": "multiple",
                "options": labels,
                "source": {"question": q},
            }
            other = next((c for c, lab in labels.items() if "其他" in lab), None)
            if other is None and fill_in:
                cores = {core_label(t) for t in fill_in}
                other = next((c for c, lab in labels.items() if core_label(lab) in cores), None)
            if other is not None:
                item["other_option"] = other
            if fill_in:
                notes.append(
                    f"Q{q}：列“第{q}题({fill_in[0]})”是“其他”选项的填写内容，读入 Q{q}_other（按自由文本去标识化）。"
                )
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
            review.extend(f"Q{q}_{k}" for k in range(1, len(rows) + 1))
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


def download_key(path: Path) -> tuple[str, str | None]:
    """``(questionnaire key, variant)`` from a 问卷星 file name; variant ``None`` if unknown.

    Examples
    --------
    >>> download_key(Path("386540716_按序号_党建调查_79_78.xlsx"))
    ('386540716_党建调查', 'code')
    >>> download_key(Path("386540716_3_0.xls"))
    ('386540716_', 'text')
    """
    parsed = parse_download_name(path.stem)
    if parsed is None:
        return path.stem, None
    qid, title, variant = parsed
    return f"{qid}_{title}", variant


@dataclass
class _Export:
    path: Path
    table: Table
    variant: str
    platform: str = "wjx"

    @property
    def questions(self) -> frozenset[int]:
        return frozenset(p[1] for p in map(parse_wjx_header, self.table.header) if p is not None)


def _read_export(path: Path) -> _Export:
    if download_key(path)[1] == "score":
        raise SurveyError(
            "这是问卷星“按分数”下载的文件：单元格中是各选项的分值，不是选项代码，不能用来生成编码手册",
            file=str(path),
            expected="同一次下载的“按文本”和“按序号”文件",
        )
    table = read_table(path)
    fmt, _reason = detect_table(table, path, None)
    if fmt == "generic":
        raise SurveyError(
            "该文件不像问卷星导出（没有“序号、提交答卷时间”等列，题目列也不是“N、题干”形式）",
            file=str(path),
            row=table.header_row,
            expected="问卷星“按文本”或“按序号”下载的 .xlsx / .xls / .csv",
        )
    if fmt == "tencent":
        return _Export(path, table, "tencent", "tencent")
    platform = "wjw" if fmt.startswith("wjw_") else "wjx"
    return _Export(path, table, "code" if fmt.endswith("_code") else "text", platform)


def _wjw_pair(exports: list[_Export]) -> tuple[_Export, _Export | None]:
    """问卷网: the Original (codes) and its Readable partner, both in 问卷星 shape
    (:func:`~survey.io.readers.wjw.draft_tables`), so the 问卷星 draft applies unchanged."""
    codes = [e for e in exports if e.variant == "code"]
    texts = [e for e in exports if e.variant == "text"]
    if len(exports) > 2 or any(e.platform != "wjw" for e in exports) or len(codes) > 1 or len(texts) > 1:
        raise SurveyError(
            "codebook draft 读问卷网下载时最多两个文件：同一次下载的 All_Data_Readable.csv 和 All_Data_Original.csv",
            file="、".join(e.path.name for e in exports),
            expected="一个 All_Data_Original.csv，以及（可选）同一次下载的 All_Data_Readable.csv",
        )
    code = codes[0] if codes else None
    text = texts[0] if texts else None
    ct, tt = draft_tables(code.table if code else None, text.table if text else None)
    if code is not None and ct is not None:
        code.table = ct
    if text is not None and tt is not None:
        text.table = tt
    if code is None:
        assert text is not None
        return text, None
    return code, text


def _seq_set(e: _Export) -> frozenset[str]:
    col = next((h for h in e.table.header if normalise_text(h) == "序号"), None)
    return frozenset() if col is None else frozenset(map(normalise_text, e.table.data[col]))


def _concat(parts: list[_Export], variant: str) -> _Export:
    """One export holding the rows of ``parts`` (same header) one file after another."""
    import pandas as pd

    first = parts[0].table
    frames = []
    for e in parts:
        f = e.table.data.copy()
        f.columns = pd.RangeIndex(f.shape[1])
        frames.append(f)
    data = pd.concat(frames, ignore_index=True)
    data.columns = first.data.columns
    table = Table(
        display="、".join(e.table.display for e in parts),
        header=list(first.header),
        data=data,
        excel_rows=[r for e in parts for r in e.table.excel_rows],
        kind=first.kind,
        encoding=first.encoding,
        header_row=first.header_row,
        letters=list(first.letters),
        notes=[n for e in parts for n in e.table.notes],
        parsed_by=first.parsed_by,
    )
    return _Export(parts[0].path, table, variant, parts[0].platform)


def _check_same_questionnaire(exports: list[_Export]) -> None:
    for variant in ("code", "text"):
        same = [e for e in exports if e.variant == variant]
        for e in same[1:]:
            if [normalise_text(h) for h in e.table.header] != [normalise_text(h) for h in same[0].table.header]:
                raise SurveyError(
                    "这几个文件不像同一份问卷的下载：表头（题目列）不同",
                    file=f"{same[0].path.name}、{e.path.name}",
                    expected="同一份问卷、同一种下载方式（按文本或按序号）的文件，表头完全相同",
                    hint="不同问卷请分别生成编码手册",
                )
    if len({e.questions for e in exports}) > 1:
        raise SurveyError(
            "这几个文件不像同一份问卷的下载：题号不同",
            file="、".join(e.path.name for e in exports),
            expected="同一份问卷的按文本 / 按序号下载",
        )


def _codes_agree(pairs: list[tuple[_Export, _Export]]) -> None:
    """Refuse pairs whose 按序号 codes stand for different 按文本 labels (another option order)."""
    seen: dict[tuple[Any, int], tuple[str, str]] = {}
    for code, text in pairs:
        rows = _aligned_rows(code, text)
        headers = [h for h in code.table.header if parse_wjx_header(h) is not None]
        per: dict[tuple[Any, int], Counter[str]] = {}
        for h in headers:
            for x, label, _other in _cell_pairs(code, text, rows, [h]):
                if x == x and x.is_integer() and x > 0:
                    per.setdefault((_column_key(h), int(x)), Counter())[label] += 1
        for key, labels in per.items():
            label = labels.most_common(1)[0][0]
            if key in seen and seen[key][0] != label:
                header = next(h for h in code.table.header if _column_key(h) == key[0])
                raise SurveyError(
                    f"同一题的同一代码在两次下载中对应不同的选项：代码 {key[1]} 在 "
                    f"{seen[key][1]} 中是“{seen[key][0]}”，在 {code.path.name} 中是“{label}”",
                    file=code.path.name,
                    column=normalise_text(header),
                    expected="同一份问卷（选项顺序相同）的下载",
                    hint="选项顺序不同的问卷副本不能合并生成一个编码手册：请分别生成，或在问卷星中统一选项顺序",
                )
            seen.setdefault(key, (label, code.path.name))


def _combine(exports: list[_Export], notes: list[str]) -> list[_Export]:
    """Several downloads of one questionnaire as one export, or as one 按序号 + 按文本 pair.

    One file, or one 按文本 + 按序号 pair, is returned as it is. Otherwise every file must be
    the same questionnaire (same header per variant). All of one variant: their rows one after
    another. Both variants: each 按序号 file is paired with the 按文本 file of the same download
    (same questionnaire key in the 问卷星 file name and the same 序号 values, or the same 序号
    values alone), the codes of every pair must agree, and the pairs' rows are joined in the
    same order on both sides. A file listed twice is used once.
    """
    unique: list[_Export] = []
    digests: set[tuple[str, ...]] = set()
    for e in exports:
        digest = (e.variant, *e.table.header, *map(str, e.table.data.itertuples(index=False)))
        if digest in digests:
            notes.append(f"{e.path.name} 与前面的文件内容相同，只用一次。")
            continue
        digests.add(digest)
        unique.append(e)
    exports = unique
    if len(exports) == 1 or any(e.platform == "wjw" for e in exports):
        return exports  # 问卷网: one download (Readable + Original), see _wjw_pair
    if all(e.variant == "tencent" for e in exports):
        head = [normalise_text(h) for h in exports[0].table.header]
        for e in exports[1:]:
            if [normalise_text(h) for h in e.table.header] != head:
                raise SurveyError(
                    "这几个文件不像同一份问卷的下载：表头（题目列）不同",
                    file=f"{exports[0].path.name}、{e.path.name}",
                    expected="同一份腾讯问卷的下载，表头完全相同",
                )
        notes.append(f"由 {len(exports)} 个腾讯问卷下载合并生成：" + "、".join(e.path.name for e in exports) + "。")
        return [_concat(exports, "tencent")]
    for e in exports:
        v = download_key(e.path)[1]
        if v in ("code", "text"):
            e.variant = str(v)
    codes = [e for e in exports if e.variant == "code"]
    texts = [e for e in exports if e.variant == "text"]
    if len(codes) == 1 and len(texts) == 1:
        return exports
    _check_same_questionnaire(exports)
    if not codes or not texts:
        variant = "code" if codes else "text"
        notes.append(f"由 {len(exports)} 个{'按序号' if codes else '按文本'}文件合并生成："
                     + "、".join(e.path.name for e in exports) + "。")
        return [_concat(exports, variant)]
    pairs: list[tuple[_Export, _Export]] = []
    left = list(texts)
    for c in codes:
        key, seqs = download_key(c.path)[0], _seq_set(c)
        match = [t for t in left if seqs and _seq_set(t) == seqs and len(t.table.data) == len(c.table.data)]
        if len(match) > 1:
            match = [t for t in match if download_key(t.path)[0] == key] or match[:0]
        if len(match) != 1:
            raise SurveyError(
                "找不到与该按序号文件配对的按文本文件（同一次下载：问卷编号相同、序号相同）"
                if not match else "该按序号文件可与多个按文本文件配对，无法确定",
                file=c.path.name,
                expected="每次下载的按文本和按序号两个文件都给出（或只给同一种下载方式的文件）",
                hint="给出每次下载的一对文件，或只给按文本文件（选项代码需核对）/只给按序号文件",
            )
        pairs.append((c, match[0]))
        left.remove(match[0])
    if left:
        raise SurveyError(
            "这些按文本文件没有配对的按序号文件",
            file="、".join(t.path.name for t in left),
            expected="每次下载的按文本和按序号两个文件都给出（或只给同一种下载方式的文件）",
        )
    _codes_agree(pairs)
    joined_code: list[_Export] = []
    joined_text: list[_Export] = []
    for c, t in pairs:
        rows = _aligned_rows(c, t)
        joined_code.append(_subset(c, [i for i, _ in rows]))
        joined_text.append(_subset(t, [j for _, j in rows]))
    notes.append(f"由 {len(pairs)} 次下载（每次按文本 + 按序号）合并生成："
                 + "；".join(f"{c.path.name} + {t.path.name}" for c, t in pairs) + "。")
    return [_concat(joined_code, "code"), _concat(joined_text, "text")]


def _subset(e: _Export, rows: list[int]) -> _Export:
    t = e.table
    table = Table(display=t.display, header=list(t.header),
                  data=t.data.iloc[rows].reset_index(drop=True),
                  excel_rows=[t.excel_rows[i] for i in rows], kind=t.kind, encoding=t.encoding,
                  header_row=t.header_row, letters=list(t.letters), notes=list(t.notes),
                  parsed_by=t.parsed_by)
    return _Export(e.path, table, e.variant, e.platform)


def _pair(exports: list[_Export]) -> tuple[_Export, _Export | None]:
    """The file the structure comes from (按序号 when given) and its 按文本 partner."""
    if any(e.platform == "wjw" for e in exports):
        return _wjw_pair(exports)
    if len(exports) == 1:
        return exports[0], None
    by_name = [download_key(e.path)[1] for e in exports]
    if len(exports) == 2 and sorted(map(str, by_name)) == ["code", "text"]:
        # The cells cannot always tell (a download without choice questions looks alike in
        # both variants); the 问卷星 names of a pair can.
        for e, v in zip(exports, by_name, strict=True):
            e.variant = str(v)
    codes = [e for e in exports if e.variant == "code"]
    texts = [e for e in exports if e.variant == "text"]
    names = "、".join(e.path.name for e in exports)
    if len(exports) != 2 or len(codes) != 1:
        raise SurveyError(
            "无法确定哪个是按序号文件、哪个是按文本文件",
            file=names,
            expected="一个按文本文件和一个按序号文件（按文件名或内容识别）",
            hint="只给一个文件，或给出同一次下载的按文本 + 按序号两个文件",
        )
    code, text = codes[0], texts[0]
    (kc, vc), (kt, vt) = download_key(code.path), download_key(text.path)
    same_name = vc is not None and vt is not None and kc == kt
    if not same_name and code.questions != text.questions:
        raise SurveyError(
            "两个文件不像同一份问卷的按文本和按序号下载（文件名中的问卷编号和标题不同，题号也不同）",
            file=names,
            expected="同一份问卷星下载的两个版本",
        )
    return code, text


def _aligned_rows(code: _Export, text: _Export) -> list[tuple[int, int]]:
    """(row in code, row in text) pairs: by 序号 when both have it, else by position."""
    def seqs(t: Table) -> list[float] | None:
        col = next((h for h in t.header if normalise_text(h) == "序号"), None)
        if col is None:
            return None
        vals = [parse_number(v) for v in t.data[col]]
        return vals if all(v == v for v in vals) and len(set(vals)) == len(vals) else None

    a, b = seqs(code.table), seqs(text.table)
    if a is not None and b is not None:
        where = {v: i for i, v in enumerate(b)}
        return [(i, where[v]) for i, v in enumerate(a) if v in where]
    if len(code.table.data) != len(text.table.data):
        raise SurveyError(
            "按文本与按序号两个文件的行数不同，又没有可对齐的序号列",
            file=f"{code.path.name}、{text.path.name}",
            expected="同一次下载的两个版本（行数相同，或都有“序号”列）",
        )
    return [(i, i) for i in range(len(code.table.data))]


def _header_kind(header: str) -> str | None:
    """The form of a 问卷星 header (``stem``, ``matrix``, ...); None when it is not one."""
    parsed = parse_wjx_header(header)
    return None if parsed is None else parsed[0]


def _column_key(header: str) -> tuple[str, int, str] | str:
    parsed = parse_wjx_header(header)
    if parsed is None:
        return normalise_text(header)
    form, q, text = parsed
    return (form, q, normalise_text(text).replace(" ", "") if form == "matrix" else "")


def _cell_pairs(
    code: _Export, text: _Export, rows: list[tuple[int, int]], headers: list[str]
) -> Iterator[tuple[float, str, str | None]]:
    """``(code, label, other text)`` of every answered cell of the 按序号 ``headers`` and the
    same cell of the 按文本 file (matched by header, rows aligned by ``rows``)."""
    text_cols = {_column_key(h): h for h in text.table.header}
    for h in headers:
        th = text_cols.get(_column_key(h))
        if th is None:
            continue
        cv, tv = code.table.data[h].tolist(), text.table.data[th].tolist()
        for i, j in rows:
            if is_missing_token(cv[i]) or is_missing_token(tv[j]):
                continue
            x = parse_number(split_other(normalise_text(cv[i]))[0] or "nan")
            label, other = split_other(normalise_text(tv[j]))
            yield x, label or "其他", other


def _labels_by_code(
    code: _Export, text: _Export, rows: list[tuple[int, int]], headers: list[str]
) -> tuple[dict[int, Counter[str]], int | None]:
    """Per code in the 按序号 ``headers``, the labels the 按文本 file shows in the same cells;
    and the code whose 按文本 cells carry ``〖…〗`` text (an "other, please specify" option)."""
    out: dict[int, Counter[str]] = {}
    other_code = None
    for x, label, other in _cell_pairs(code, text, rows, headers):
        if x == x and x.is_integer() and x > 0:
            out.setdefault(int(x), Counter())[label] += 1
            if other is not None and other_code is None:
                other_code = int(x)
    return out, other_code


def _named_options(
    q: int, seen: dict[int, Counter[str]], notes: list[str]
) -> tuple[dict[int, str], str | None]:
    """Options from the 按序号 codes and the 按文本 labels; the vocabulary they fit, if any."""
    options: dict[int, str] = {}
    for c in range(1, max(seen) + 1):
        if c not in seen:
            options[c] = f"选项{c}"
            notes.append(f"Q{q}：代码 {c} 没有人选过，标签未知（写作“选项{c}”），请按问卷补上。")
            continue
        (label, _n), *rest = seen[c].most_common()
        if rest:
            others = "、".join(lab for lab, _ in rest)
            notes.append(f"Q{q}：代码 {c} 在按文本文件中对应多个标签（{label}、{others}），取最常见的“{label}”。")
        options[c] = label
    labels = set(options.values())
    vocab = next((n for n, v in LIKERT_VOCABULARIES.items() if labels <= set(v)), None)
    if vocab is not None:
        order = LIKERT_VOCABULARIES[vocab]
        ranks = [order.index(lab) for _c, lab in sorted(options.items())]
        if ranks != sorted(ranks):
            notes.append(
                f"Q{q}：问卷星的代码顺序与量表“{order[0]} … {order[-1]}”不同（代码取自按序号文件），"
                "请在量表（scales）中按需要设置反向题。"
            )
    return options, vocab


def _enrich(
    draft_items: list[dict[str, Any]],
    option_sets: dict[str, dict[int, str]],
    code: _Export,
    text: _Export,
    notes: list[str],
) -> None:
    """Codes from the 按序号 file, labels (and stems) from its 按文本 partner (in place)."""
    rows = _aligned_rows(code, text)
    if len(rows) < len(code.table.data):
        notes.append(
            f"按序号文件中有 {len(code.table.data) - len(rows)} 行在按文本文件中找不到相同序号，未用于取标签。"
        )
    stems = {
        p[1]: p[2] for p in map(parse_wjx_header, text.table.header) if p and p[0] == "stem"
    }
    by_q: dict[int, list[str]] = {}
    for h in code.table.header:
        p = parse_wjx_header(h)
        if p is not None:
            by_q.setdefault(p[1], []).append(h)
    matrix_sets: dict[int, dict[int, str]] = {}
    for item in draft_items:
        q, row = item["source"].get("question"), item["source"].get("row")
        if q is None:
            continue
        if item.get("text") == f"第{q}题" and stems.get(q):
            item["text"] = stems[q]
        if item["type"] in ("multiple", "ranking", "text") or (row is not None and item["type"] != "likert"):
            continue
        if row is not None:
            if q not in matrix_sets:
                heads = [h for h in by_q.get(q, []) if _header_kind(h) == "matrix"]
                seen, _other = _labels_by_code(code, text, rows, heads)
                if seen:
                    matrix_sets[q], _ = _named_options(q, seen, notes)
            continue
        heads = [h for h in by_q.get(q, []) if _header_kind(h) == "stem"]
        seen, other = _labels_by_code(code, text, rows, heads)
        labels = [lab for c in seen.values() for lab in c]
        if not seen:
            continue
        if all(_is_number(lab) for lab in labels):
            # a number in both files (a slider, an NPS 0–10): numeric, whatever 按序号 guessed
            item["type"] = "numeric"
            item.pop("options", None)
            item.pop("other_option", None)
            continue
        options, vocab = _named_options(q, seen, notes)
        item.update(type="likert" if vocab else "single", options=options)
        item.pop("range", None)
        if other is not None:
            item["other_option"] = other
    # One option set per distinct scale (the 按序号-only draft shared placeholder sets).
    sets: dict[str, dict[int, str]] = {}
    for item in draft_items:
        q = item["source"].get("question")
        if item["source"].get("row") is None or q not in matrix_sets:
            if isinstance(item.get("options"), str):
                sets.setdefault(item["options"], option_sets[item["options"]])
            continue
        options = matrix_sets[q]
        name = next((n for n, o in sets.items() if o == options), f"Q{q}_scale")
        sets[name] = options
        item["options"] = name
    option_sets.clear()
    option_sets.update(sets)


_NOTE_Q = re.compile(r"^Q(\d+)：")


def _current_notes(
    notes: list[str], items: list[dict[str, Any]], option_sets: dict[str, dict[int, str]]
) -> list[str]:
    """The 按序号-only notes ("选项k" labels, missing stems) less those the 按文本 file settled."""
    placeholder: set[int] = set()
    no_stem: set[int] = set()
    for item in items:
        q = item["source"].get("question")
        opts = item.get("options")
        labels = option_sets.get(opts, {}) if isinstance(opts, str) else (opts or {})
        if any(re.fullmatch(r"选项\d+", str(lab)) for lab in labels.values()):
            placeholder.add(q)
        if item.get("text") == f"第{q}题":
            no_stem.add(q)
    out = []
    for n in notes:
        m = _NOTE_Q.match(n)
        q = int(m.group(1)) if m else None
        if "“选项k”" in n and q not in placeholder:
            continue
        if "；请补上题干" in n and q not in no_stem:
            n = n.replace("；请补上题干", "")
        out.append(n)
    return out


def draft_codebook(
    export_path: str | Path | Sequence[str | Path],
    *,
    notes: list[str] | None = None,
    review: list[str] | None = None,
) -> dict[str, Any]:
    """Draft a codebook from one 问卷星 download, or from its 按文本 + 按序号 pair.

    Parameters
    ----------
    export_path
        A 问卷星 download (.xlsx, .xls or .csv), or a list of two: the 按文本 and the 按序号
        download of the same answers (matched by the file name
        ``{id}_{按文本|按序号}_{title}_{n}_{n}`` / ``{id}_{n}_{0|2}.xls`` or by the question
        numbers). With the pair, option codes come from 按序号 and labels from 按文本.
    notes
        If given, receives what the user must check (Chinese), one line per point.
    review
        If given, receives the id of every item whose option codes are only a guess (a 按文本
        download alone, options in order of first appearance, no known scale):
        :func:`write_draft` marks them :data:`REVIEW_MARK`.

    Returns
    -------
    dict
        A codebook as plain data (``title``, ``version``, ``option_sets``, ``items``,
        ``identifiers``, ``ignore_columns``) that :func:`survey.config.codebook.load_codebook` accepts
        once written as YAML.

    Raises
    ------
    SurveyError
        A file cannot be read or does not look like a 问卷星 export; two files that are not the
        two variants of one download.

    Examples
    --------
    >>> cb = draft_codebook(["386540716_按文本_调查_79_78.xlsx", "386540716_按序号_调查_79_78.xlsx"])  # doctest: +SKIP
    >>> [i["id"] for i in cb["items"]][:3]  # doctest: +SKIP
    ['Q1', 'Q2', 'Q3']
    """
    paths = [Path(export_path)] if isinstance(export_path, (str, Path)) else [Path(p) for p in export_path]
    notes = notes if notes is not None else []
    review = review if review is not None else []
    exports = [_read_export(p) for p in paths]
    if any(e.variant == "tencent" for e in exports):
        if not all(e.variant == "tencent" for e in exports):
            raise SurveyError(
                "腾讯问卷的下载不能与其他平台的文件一起生成编码手册草稿",
                file="、".join(e.path.name for e in exports),
                expected="同一份腾讯问卷的一个或几个下载（.csv 或 .xlsx）",
            )
        from survey.io.draft_tencent import draft_tencent

        (one,) = _combine(exports, notes)
        return draft_tencent(one.table, one.path, notes=notes, review=review)
    base, partner = _pair(_combine(exports, notes))
    table, variant, path = base.table, base.variant, base.path
    items: list[dict[str, Any]] = []
    identifiers: list[dict[str, Any]] = []
    ignore: list[str] = []
    option_sets: dict[str, dict[int, str]] = {}
    kinds = Counter[str]()
    matrices: dict[int, list[tuple[str, list[str]]]] = {}
    order: list[tuple[str, Any]] = []
    stems: dict[int, tuple[str, str, list[str]]] = {}

    def add_identifier(kind: str, source: dict[str, Any]) -> None:
        kinds[kind] += 1
        ident: dict[str, Any] = {
            "id": kind if kinds[kind] == 1 else f"{kind}_{kinds[kind]}",
            "kind": kind,
            "source": source,
        }
        if kind in ("phone", "student_no", "staff_no") and not any(
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
        stems[q] = (header, text, values)
        order.append(("stem", q))
    for what, q in order:
        if what == "matrix":
            items.extend(_matrix_items(q, matrices[q], variant, notes, option_sets, review))
        elif q in matrices:
            # 按序号: the question's option columns came first; this column is its fill-in.
            header, text, _values = stems[q]
            multi = [i for i in items if i["id"] == f"Q{q}" and i["type"] in ("multiple", "ranking")]
            if multi:
                if text and not core_label(text).startswith("其他"):
                    multi[0]["text"] = text
                if "other_option" not in multi[0]:
                    multi[0]["other_option"] = max(multi[0]["options"])
                notes.append(f"Q{q}：列“{normalise_text(header)}”是“其他”选项的填写内容，读入 Q{q}_other。")
            else:
                items.append(
                    {"id": f"Q{q}_fill", "text": text or f"第{q}题填空", "type": "text",
                     "source": {"header": normalise_text(header)}}
                )
        else:
            header, text, values = stems[q]
            items.append(_stem_item(q, text, values, variant, notes, review))
    if not items:
        raise SurveyError(
            "导出文件中没有找到任何题目列",
            file=str(path),
            row=table.header_row,
            expected="“N、题干”或“第N题(…)”形式的列",
        )
    if partner is not None:
        _enrich(items, option_sets, base, partner, notes)
        review.clear()  # codes come from 按序号: nothing is a guess
        notes[:] = _current_notes(notes, items, option_sets)
    ips = [i for i in identifiers if i["kind"] == "ip"]
    if ips:
        notes.append(
            "来自IP：默认删除（action: drop）；若需保留省份，改为 action: coarsen（只留括号中的省份）。"
        )
    title = path.stem if partner is None else f"{path.stem} + {partner.path.stem}"
    return assemble_draft(title, option_sets, items, identifiers, ignore)


def assemble_draft(
    title: str,
    option_sets: dict[str, dict[int, str]],
    items: list[dict[str, Any]],
    identifiers: list[dict[str, Any]],
    ignore: list[str],
) -> dict[str, Any]:
    """A draft codebook as plain data, keys in the order the codebook documents them (empty
    ``option_sets``, ``identifiers`` and ``ignore_columns`` left out)."""
    draft: dict[str, Any] = {
        "title": f"编码手册草稿：{title}",
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


def write_draft(export_path: str | Path | Sequence[str | Path], out_path: str | Path) -> Path:
    """Write :func:`draft_codebook` as YAML (with the points to check as comments) and check it
    loads with :func:`survey.config.codebook.load_codebook`.

    Every item whose codes are a guess gets :data:`REVIEW_MARK` on the line above it;
    ``survey clean`` refuses a codebook that still carries the mark unless ``study.yaml`` says
    ``questionnaire.codes_checked: true`` (:func:`survey.config.codebook.review_marks`).

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    out = Path(out_path)
    notes: list[str] = []
    review: list[str] = []
    draft = draft_codebook(export_path, notes=notes, review=review)
    names = [Path(export_path).name] if isinstance(export_path, (str, Path)) else [Path(p).name for p in export_path]
    head = [
        f"# 编码手册草稿，由 {'、'.join(names)} 自动生成。使用前请逐项核对：",
        "# 题目类型、选项代码（1 = 量表的否定端）、反向题与量表（scales）、标识列的处理方式。",
        *(f"# - {n}" for n in notes),
    ]
    if review:
        head.append(
            f"# 标有“{REVIEW_MARK[2:]}”的 {len(review)} 题：选项代码是按答案中出现的顺序推测的，"
            "很可能与问卷星的代码不同。请按问卷核对后删除该标记，或改用按文本 + 按序号两个文件重新生成。"
        )
    body = yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=100)
    marked = set(review)
    lines = []
    for line in body.splitlines():
        m = re.match(r"^(\s*)- id: (\S+)$", line)
        if m and m.group(2) in marked:
            lines.append(f"{m.group(1)}{REVIEW_MARK}")
        lines.append(line)
    write_atomic(out, "\n".join([*head, "", *lines]) + "\n")
    load_codebook(out)  # the draft must be a valid codebook
    return out
