"""Which export column is which codebook entry: header parsing and column mapping.

Shared by every reader. A header is matched, in this order, against ``ignore_columns``, an
exact ``Source.header``, a ``Source.column``, the meta columns, 问卷星 header patterns
(``N、题干``, ``第N题(行或选项)``, ``N.(行)``) via ``Source.question`` / ``Source.row``, and
finally the entry's id (``Q1``, ``Q5_2``, ``Q5_other``). Anything left over is an error: a
column nobody has described would otherwise be silently lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey.config.codebook import Codebook, Item
from survey.errors import SurveyError
from survey.io.normalise import normalise_text

__all__ = [
    "WJX_META",
    "ColumnSpec",
    "LabelMap",
    "core_label",
    "expected_headers",
    "map_columns",
    "parse_wjx_header",
]

#: 问卷星 meta columns (normalised) and what they become.
WJX_META: dict[str, str] = {
    "序号": "_seq",
    "提交答卷时间": "submitted_at",
    "所用时间": "duration_s",
    "来源": "",
    "来源详情": "",
    "来自IP": "",
    "总分": "",
}
#: Canonical-frame names accepted as meta headers in generic files.
_GENERIC_META = {"_seq": "_seq", "submitted_at": "submitted_at", "duration_s": "duration_s"}

_MATRIX = re.compile(r"^第\s*(\d+)\s*题\s*\((.*)\)$", re.DOTALL)
_MATRIX_DOT = re.compile(r"^(\d+)\s*\.\s*\((.*)\)$", re.DOTALL)
_STEM = re.compile(r"^(\d+)\s*(?:、|:|\.(?!\d))\s*(.*)$", re.DOTALL)


def parse_wjx_header(header: str) -> tuple[str, int, str] | None:
    """Parse a 问卷星 header.

    Returns
    -------
    (form, number, text) or None
        ``("matrix", 7, "行标题")`` for ``第7题(行标题)`` / ``7.(行标题)`` (a matrix row, or an
        option column of a 按序号 multiple-choice or ranking question), ``("stem", 3, "题干")``
        for ``3、题干`` / ``3：题干`` / ``3:题干``; ``None`` for anything else.

    Examples
    --------
    >>> parse_wjx_header("第７题（学习形式单一）")
    ('matrix', 7, '学习形式单一')
    """
    h = normalise_text(header)
    for pat in (_MATRIX, _MATRIX_DOT):
        m = pat.match(h)
        if m:
            return "matrix", int(m.group(1)), m.group(2).strip()
    m = _STEM.match(h)
    if m:
        return "stem", int(m.group(1)), m.group(2).strip()
    return None


_OTHER_MARK = re.compile(r"〖.*?〗")
_TRAILING_NOTE = re.compile(r"\((请注明|请说明|请填写|注明|请写明)?[^()]*\)$|_+$")


def core_label(label: str) -> str:
    """A looser form of a label for matching: no ``〖…〗``, no trailing ``(请注明)``, no spaces."""
    t = _OTHER_MARK.sub("", normalise_text(label))
    t = _TRAILING_NOTE.sub("", t.strip())
    return t.replace(" ", "").replace("_", "")


class LabelMap:
    """Option label → code for one item (labels normalised, ``option_aliases`` honoured)."""

    def __init__(self, item: Item, options: dict[int, str]) -> None:
        self.options = dict(options)
        self.other = item.other_option
        self._exact: dict[str, int] = {}
        self._core: dict[str, int] = {}
        pairs = [(c, lab) for c, lab in options.items()]
        pairs += [(c, a) for c, aliases in item.option_aliases.items() for a in aliases]
        for code, label in pairs:
            self._exact.setdefault(normalise_text(str(label)).replace(" ", ""), code)
            self._core.setdefault(core_label(str(label)), code)

    def lookup(self, label: str) -> int | None:
        """Code of a label, or ``None``."""
        n = normalise_text(label).replace(" ", "")
        if n in self._exact:
            return self._exact[n]
        c = core_label(label)
        return self._core.get(c) if c else None

    def allowed(self) -> str:
        """The allowed labels for a message."""
        return "、".join(f"{lab}（{code}）" for code, lab in self.options.items())


@dataclass(frozen=True)
class ColumnSpec:
    """What one export column is.

    ``kind`` is ``"item"``, ``"identifier"``, ``"meta"`` or ``"ignore"``; ``target`` the item or
    identifier id or the meta column name; ``role`` (items) ``"value"`` (one column for the
    item, or a joined multiple/ranking column), ``"option"`` (one column per option, ``code``)
    or ``"other"`` (the text of the "other" option); ``form``/``question``/``text`` what the
    header said (used for the fingerprint).
    """

    header: str
    where: str
    kind: str
    target: str = ""
    role: str = "value"
    code: int | None = None
    form: str = ""
    question: int | None = None
    text: str = ""

    @property
    def output(self) -> str:
        if self.kind != "item":
            return self.target
        if self.role == "option":
            return f"{self.target}_{self.code}"
        if self.role == "other":
            return f"{self.target}_other"
        return self.target

    @property
    def described(self) -> str:
        return f"{self.header}（{self.where}）"


def expected_headers(item: Item, options: dict[int, str]) -> str:
    """How a column for ``item`` should be headed, for messages."""
    src = item.source
    if src.header:
        return f"“{src.header}”"
    if src.column:
        return f"“{src.column}”"
    if src.question is not None and src.row is not None:
        return f"“第{src.question}题({src.row})”或“{src.question}.({src.row})”"
    if src.question is not None:
        alt = ""
        if item.type in ("multiple", "ranking") and options:
            first = next(iter(options.values()))
            alt = f"，或按序号导出的“第{src.question}题({first})”等每个选项一列"
        return f"以“{src.question}、”开头的列{alt}"
    return f"“{item.id}”"


def _unrecognised(
    display: str, header_row: int, spec_where: str, header: str, extra: str = ""
) -> SurveyError:
    return SurveyError(
        "无法识别的列：编码手册中没有与该列标题对应的题目、标识列或元数据列" + extra,
        file=display,
        row=header_row,
        column=f"{header}（{spec_where}）",
        expected="编码手册中某个题目的 source（question/row、header 或 column）与之对应",
        hint="在编码手册中为该列添加题目（或标识列 identifiers），"
        f"或把“{normalise_text(header)}”加入 ignore_columns",
    )


def map_columns(
    headers: list[str],
    wheres: list[str],
    codebook: Codebook,
    *,
    display: str,
    header_row: int = 1,
    wjx_patterns: bool = True,
    alt_headers: list[str | None] | None = None,
) -> list[ColumnSpec]:
    """Map every header to a codebook entry.

    Parameters
    ----------
    headers
        Header texts in file order.
    wheres
        Where each column is, for messages (``"G 列"``).
    codebook
        The codebook.
    display, header_row
        For messages.
    wjx_patterns
        Also match 问卷星 header patterns via ``Source.question`` / ``Source.row``.
    alt_headers
        A second text per column tried after the header (SPSS variable labels).

    Returns
    -------
    list of ColumnSpec
        One per header, in file order.

    Raises
    ------
    SurveyError
        ``无法识别的列`` for a header that maps to nothing, and for two columns that map to the
        same output column.
    """
    ignore = {normalise_text(h) for h in codebook.ignore_columns}
    by_header: dict[str, tuple[str, str]] = {}
    by_column: dict[str, tuple[str, str]] = {}
    by_id: dict[str, tuple[str, str]] = {}
    for item in codebook.items:
        if item.source.header:
            by_header[normalise_text(item.source.header)] = ("item", item.id)
        if item.source.column:
            by_column[normalise_text(item.source.column)] = ("item", item.id)
        else:  # the id is the default generic column name (see codebook.Source)
            by_id[item.id] = ("item", item.id)
    for ident in codebook.identifiers:
        if ident.source.header:
            by_header[normalise_text(ident.source.header)] = ("identifier", ident.id)
        if ident.source.column:
            by_column[normalise_text(ident.source.column)] = ("identifier", ident.id)
        else:
            by_id[ident.id] = ("identifier", ident.id)
    meta: dict[str, str] = dict(WJX_META)
    meta.update(_GENERIC_META)
    for name, src in (
        ("submitted_at", codebook.meta.submitted_at),
        ("duration_s", codebook.meta.duration),
    ):
        for h in (src.header, src.column):
            if h:
                meta[normalise_text(h)] = name
    label_maps = {i.id: LabelMap(i, codebook.options(i.id)) for i in codebook.items}
    rows_of: dict[int, dict[str, Item]] = {}
    stem_of: dict[int, list[Item]] = {}
    ident_q: dict[int, str] = {}
    for item in codebook.items:
        q = item.source.question
        if q is None or item.source.header or item.source.column:
            continue
        if item.source.row is not None:
            rows_of.setdefault(q, {})[normalise_text(item.source.row).replace(" ", "")] = item
        else:
            stem_of.setdefault(q, []).append(item)
    for ident in codebook.identifiers:
        if ident.source.question is not None:
            ident_q[ident.source.question] = ident.id

    def one(header: str, where: str) -> ColumnSpec | None:
        h = normalise_text(header)
        if h in ignore:
            return ColumnSpec(header, where, "ignore", form="ignore")
        if h in by_header:
            kind, target = by_header[h]
            return _spec_for(header, where, kind, target, "header", h)
        if h in by_column:
            kind, target = by_column[h]
            return _spec_for(header, where, kind, target, "column", h)
        if h in meta:
            return ColumnSpec(header, where, "meta", meta[h], form="meta")
        if wjx_patterns:
            parsed = parse_wjx_header(header)
            if parsed is not None:
                got = _wjx(header, where, parsed)
                if got is not None:
                    return got
        return _by_id(header, where, h)

    def _spec_for(
        header: str, where: str, kind: str, target: str, form: str, text: str
    ) -> ColumnSpec:
        q = None
        if kind == "item":
            q = codebook.item(target).source.question
        return ColumnSpec(header, where, kind, target, form=form, question=q, text=text)

    def _wjx(header: str, where: str, parsed: tuple[str, int, str]) -> ColumnSpec | None:
        form, q, text = parsed
        if form == "matrix":
            key = normalise_text(text).replace(" ", "")
            rows = rows_of.get(q, {})
            if key in rows:
                return ColumnSpec(
                    header, where, "item", rows[key].id, form="row", question=q, text=key
                )
            key_core = core_label(text)
            for r_key, r_item in rows.items():
                if core_label(r_key) == key_core and key_core:
                    return ColumnSpec(
                        header, where, "item", r_item.id, form="row", question=q, text=r_key
                    )
            multi = [i for i in stem_of.get(q, []) if i.type in ("multiple", "ranking")]
            if len(multi) == 1:
                item = multi[0]
                code = label_maps[item.id].lookup(text)
                if code is None:
                    raise _unrecognised(
                        display,
                        header_row,
                        where,
                        header,
                        extra=f"（第{q}题 {item.id} 没有选项“{text}”；"
                        f"允许的选项：{label_maps[item.id].allowed()}）",
                    )
                return ColumnSpec(
                    header,
                    where,
                    "item",
                    item.id,
                    role="option",
                    code=code,
                    form="option",
                    question=q,
                )
            if rows:
                allowed = "、".join(f"第{q}题({r.source.row})" for r in rows.values())
                raise _unrecognised(
                    display, header_row, where, header, extra=f"（第{q}题的矩阵行应为：{allowed}）"
                )
            return None
        stems = stem_of.get(q, [])
        if len(stems) == 1:
            return ColumnSpec(
                header,
                where,
                "item",
                stems[0].id,
                form="stem",
                question=q,
                text=normalise_text(text),
            )
        if len(stems) > 1:
            ids = "、".join(i.id for i in stems)
            raise SurveyError(
                f"编码手册中有多个题目对应第 {q} 题（{ids}），无法确定该列属于哪一题",
                file=display,
                row=header_row,
                column=f"{header}（{where}）",
                hint="矩阵题的每一行需写 source.row；其余题目每题只写一个 source.question",
            )
        if q in ident_q:
            return ColumnSpec(header, where, "identifier", ident_q[q], form="stem", question=q)
        return None

    def _by_id(header: str, where: str, h: str) -> ColumnSpec | None:
        if h in by_id:
            kind, target = by_id[h]
            return _spec_for(header, where, kind, target, "id", h)
        m = re.match(r"^([A-Za-z][A-Za-z0-9_]*)_(other|-?\d+)$", h)
        if m and m.group(1) in by_id and by_id[m.group(1)][0] == "item":
            item = codebook.item(m.group(1))
            if m.group(2) == "other" and item.other_option is not None:
                return ColumnSpec(header, where, "item", item.id, role="other", form="id")
            if m.group(2) != "other" and item.type in ("multiple", "ranking"):
                code = int(m.group(2))
                if code in codebook.options(item.id):
                    return ColumnSpec(
                        header, where, "item", item.id, role="option", code=code, form="option"
                    )
        return None

    specs: list[ColumnSpec] = []
    alts = alt_headers or [None] * len(headers)
    for header, where, alt in zip(headers, wheres, alts, strict=True):
        spec = one(header, where)
        if spec is None and alt:
            spec = one(alt, where)
            if spec is not None:
                spec = ColumnSpec(
                    header,
                    where,
                    spec.kind,
                    spec.target,
                    spec.role,
                    spec.code,
                    spec.form,
                    spec.question,
                    spec.text,
                )
        if spec is None:
            raise _unrecognised(display, header_row, where, header)
        specs.append(spec)
    _check_duplicates(specs, display, header_row)
    return specs


def _check_duplicates(specs: list[ColumnSpec], display: str, header_row: int) -> None:
    seen: dict[str, ColumnSpec] = {}
    for s in specs:
        if s.kind in ("ignore",) or (s.kind == "meta" and not s.target):
            continue
        key = s.output
        if s.kind == "item" and s.role == "value":
            key = f"{s.target}#value"
        if key in seen:
            a = seen[key]
            raise SurveyError(
                f"两列对应编码手册中的同一项 {s.output}",
                file=display,
                row=header_row,
                column=f"{a.described} 与 {s.described}",
                expected="每个题目、选项或元数据只对应一列",
                hint="检查编码手册中的 source 设置，或把多余的列加入 ignore_columns",
            )
        seen[key] = s
