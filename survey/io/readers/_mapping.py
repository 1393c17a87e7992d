"""Which export column is which codebook entry: the header index and column mapping.

Shared by every reader. A header is matched, in this order, against ``ignore_columns``, an
exact ``Source.header``, a ``Source.column``, the meta columns, 问卷星 header patterns
(``N、题干``, ``第N题(行或选项)``, ``N.(行)``) via ``Source.question`` / ``Source.row``, and
finally the entry's id (``Q1``, ``Q5_2``, ``Q5_other``). Anything left over is an error: a
column nobody has described would otherwise be silently lost.

The tables these lookups use are built once per codebook (:class:`HeaderIndex`,
:func:`header_index`); mapping a file's headers is then a dictionary lookup per header.
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from dataclasses import dataclass

from survey.config.codebook import Codebook, Item
from survey.errors import SurveyError
from survey.io.normalise import normalise_text
from survey.io.readers.wjx_headers import WJX_META, core_label, parse_wjx_header

__all__ = [
    "ColumnSpec",
    "HeaderIndex",
    "LabelMap",
    "expected_headers",
    "header_index",
    "map_columns",
]

#: Canonical-frame names accepted as meta headers in generic files.
_GENERIC_META = {"_seq": "_seq", "submitted_at": "submitted_at", "duration_s": "duration_s"}
#: ``Q5_2`` / ``Q5_other``: an option column or the "other" text of a multiple/ranking item.
_ID_SUFFIX = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)_(other|-?\d+)$")


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


class _Unmapped(Exception):
    """A header that matched a codebook question but not as written (``extra`` says why)."""

    def __init__(self, extra: str = "", message: str = "", hint: str = "") -> None:
        super().__init__(extra or message)
        self.extra = extra
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class HeaderIndex:
    """Every header text a codebook accepts, and what it maps to.

    Built once per codebook by :func:`header_index`. Keys are normalised header texts
    (:func:`~survey.io.normalise.normalise_text`); entries are ``(kind, target)`` pairs
    (``("item", "Q1")``, ``("identifier", "phone")``) or, for the meta columns, the frame
    column. 问卷星 question numbers index the matrix rows (``rows_of``), the items asked by
    stem (``stem_of``) and the identifiers (``ident_q``).
    """

    ignore: frozenset[str]
    by_header: dict[str, tuple[str, str]]
    by_column: dict[str, tuple[str, str]]
    by_id: dict[str, tuple[str, str]]
    meta: dict[str, str]
    rows_of: dict[int, dict[str, Item]]
    stem_of: dict[int, list[Item]]
    ident_q: dict[int, str]
    label_maps: dict[str, LabelMap]
    items: dict[str, Item]
    options: dict[str, dict[int, str]]

    @classmethod
    def from_codebook(cls, codebook: Codebook) -> HeaderIndex:
        """Index every ``source`` of ``codebook``'s items, identifiers and meta columns."""
        by_header: dict[str, tuple[str, str]] = {}
        by_column: dict[str, tuple[str, str]] = {}
        by_id: dict[str, tuple[str, str]] = {}
        entries = [("item", i.id, i.source) for i in codebook.items]
        entries += [("identifier", i.id, i.source) for i in codebook.identifiers]
        for kind, target, src in entries:
            if src.header:
                by_header[normalise_text(src.header)] = (kind, target)
            if src.column:
                by_column[normalise_text(src.column)] = (kind, target)
            else:  # the id is the default generic column name (see codebook.Source)
                by_id[target] = (kind, target)
        meta: dict[str, str] = {**WJX_META, **_GENERIC_META}
        for name, src in (
            ("submitted_at", codebook.meta.submitted_at),
            ("duration_s", codebook.meta.duration),
        ):
            for h in (src.header, src.column):
                if h:
                    meta[normalise_text(h)] = name
        rows_of: dict[int, dict[str, Item]] = {}
        stem_of: dict[int, list[Item]] = {}
        for item in codebook.items:
            q = item.source.question
            if q is None or item.source.header or item.source.column:
                continue
            if item.source.row is not None:
                rows_of.setdefault(q, {})[normalise_text(item.source.row).replace(" ", "")] = item
            else:
                stem_of.setdefault(q, []).append(item)
        ident_q = {
            i.source.question: i.id for i in codebook.identifiers if i.source.question is not None
        }
        options = {i.id: codebook.options(i.id) for i in codebook.items}
        return cls(
            ignore=frozenset(normalise_text(h) for h in codebook.ignore_columns),
            by_header=by_header,
            by_column=by_column,
            by_id=by_id,
            meta=meta,
            rows_of=rows_of,
            stem_of=stem_of,
            ident_q=ident_q,
            label_maps={i.id: LabelMap(i, options[i.id]) for i in codebook.items},
            items={i.id: i for i in codebook.items},
            options=options,
        )

    def match(self, header: str, where: str, *, wjx_patterns: bool = True) -> ColumnSpec | None:
        """The spec of one header, or ``None`` when nothing in the codebook names it.

        Raises
        ------
        _Unmapped
            A 问卷星 header of a known question that names no row or option of it.
        """
        h = normalise_text(header)
        if h in self.ignore:
            return ColumnSpec(header, where, "ignore", form="ignore")
        for form, table in (("header", self.by_header), ("column", self.by_column)):
            if h in table:
                return self._spec(header, where, *table[h], form=form, text=h)
        if h in self.meta:
            return ColumnSpec(header, where, "meta", self.meta[h], form="meta")
        if wjx_patterns:
            parsed = parse_wjx_header(header)
            if parsed is not None:
                form, q, text = parsed
                got = (self._matrix if form == "matrix" else self._stem)(header, where, q, text)
                if got is not None:
                    return got
        return self._by_id(header, where, h)

    def _spec(
        self, header: str, where: str, kind: str, target: str, *, form: str, text: str
    ) -> ColumnSpec:
        q = self.items[target].source.question if kind == "item" else None
        return ColumnSpec(header, where, kind, target, form=form, question=q, text=text)

    def _matrix(self, header: str, where: str, q: int, text: str) -> ColumnSpec | None:
        """``第q题(text)``: a matrix row, or an option column of a multiple/ranking item."""
        key = normalise_text(text).replace(" ", "")
        rows = self.rows_of.get(q, {})
        if key in rows:
            return ColumnSpec(header, where, "item", rows[key].id, form="row", question=q, text=key)
        key_core = core_label(text)
        for r_key, r_item in rows.items():
            if key_core and core_label(r_key) == key_core:
                return ColumnSpec(
                    header, where, "item", r_item.id, form="row", question=q, text=r_key
                )
        multi = [i for i in self.stem_of.get(q, []) if i.type in ("multiple", "ranking")]
        if len(multi) == 1:
            lm = self.label_maps[multi[0].id]
            code = lm.lookup(text)
            if code is None:
                raise _Unmapped(f"（第{q}题 {multi[0].id} 没有选项“{text}”；允许的选项：{lm.allowed()}）")
            return ColumnSpec(
                header, where, "item", multi[0].id, role="option", code=code, form="option",
                question=q,
            )
        if rows:
            allowed = "、".join(f"第{q}题({r.source.row})" for r in rows.values())
            raise _Unmapped(f"（第{q}题的矩阵行应为：{allowed}）")
        return None

    def _stem(self, header: str, where: str, q: int, text: str) -> ColumnSpec | None:
        """``q、text``: the one item (or identifier) asked as question ``q``."""
        stems = self.stem_of.get(q, [])
        if len(stems) == 1:
            return ColumnSpec(
                header, where, "item", stems[0].id, form="stem", question=q,
                text=normalise_text(text),
            )
        if len(stems) > 1:
            ids = "、".join(i.id for i in stems)
            raise _Unmapped(
                message=f"编码手册中有多个题目对应第 {q} 题（{ids}），无法确定该列属于哪一题",
                hint="矩阵题的每一行需写 source.row；其余题目每题只写一个 source.question",
            )
        if q in self.ident_q:
            return ColumnSpec(header, where, "identifier", self.ident_q[q], form="stem", question=q)
        return None

    def _by_id(self, header: str, where: str, h: str) -> ColumnSpec | None:
        """``Q1`` (an id), ``Q5_2`` (an option column) or ``Q5_other`` (an "other" text)."""
        if h in self.by_id:
            return self._spec(header, where, *self.by_id[h], form="id", text=h)
        m = _ID_SUFFIX.match(h)
        if not (m and self.by_id.get(m.group(1), ("",))[0] == "item"):
            return None
        item = self.items[m.group(1)]
        if m.group(2) == "other":
            if item.other_option is None:
                return None
            return ColumnSpec(header, where, "item", item.id, role="other", form="id")
        code = int(m.group(2))
        if item.type in ("multiple", "ranking") and code in self.options[item.id]:
            return ColumnSpec(header, where, "item", item.id, role="option", code=code, form="option")
        return None


_INDEXES: dict[int, tuple[weakref.ref[Codebook], HeaderIndex]] = {}


def header_index(codebook: Codebook) -> HeaderIndex:
    """The :class:`HeaderIndex` of ``codebook``, built on first use and kept while it lives.

    Codebooks are frozen (pydantic ``frozen=True``), so the index of one codebook object never
    goes stale; it is dropped when the codebook is garbage-collected.
    """
    key = id(codebook)
    cached = _INDEXES.get(key)
    if cached is not None and cached[0]() is codebook:
        return cached[1]
    index = HeaderIndex.from_codebook(codebook)

    def forget(ref: weakref.ref[Codebook]) -> None:
        if _INDEXES.get(key, (None,))[0] is ref:
            del _INDEXES[key]

    _INDEXES[key] = (weakref.ref(codebook, forget), index)
    return index


def _unrecognised(
    display: str, header_row: int, where: str, header: str, extra: str = ""
) -> SurveyError:
    return SurveyError(
        "无法识别的列：编码手册中没有与该列标题对应的题目、标识列或元数据列" + extra,
        file=display,
        row=header_row,
        column=f"{header}（{where}）",
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
        The codebook (its :func:`header_index` is built on first use).
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
    index = header_index(codebook)
    specs: list[ColumnSpec] = []
    alts = alt_headers or [None] * len(headers)
    for header, where, alt in zip(headers, wheres, alts, strict=True):
        spec = _match(index, header, where, wjx_patterns, display, header_row)
        if spec is None and alt:
            spec = _match(index, alt, where, wjx_patterns, display, header_row)
            if spec is not None:
                spec = dataclasses.replace(spec, header=header)
        if spec is None:
            raise _unrecognised(display, header_row, where, header)
        specs.append(spec)
    specs = _fill_in_columns(specs, index)
    _check_duplicates(specs, display, header_row)
    return specs


def _fill_in_columns(specs: list[ColumnSpec], index: HeaderIndex) -> list[ColumnSpec]:
    """按序号: the "other" fill-in text column of a multiple-choice or ranking item.

    Such a download has one 0/1 (or rank) column per option plus a text column for the "other"
    option's fill-in. Its header is not confirmed; both readings are taken: the repeated stem
    ``N、题干`` next to the option columns, or a second column for the "other" option
    (``第N题(其他〖〗)``; the one whose header carries ``〖`` or comes second). Either becomes
    ``<id>_other`` when the item has an ``other_option``.
    """
    with_options = {s.target for s in specs if s.kind == "item" and s.role == "option"}
    out = list(specs)
    for target in with_options:
        item = index.items[target]
        if item.other_option is None:
            continue
        # Only 问卷星 headers (``N、…`` and ``第N题(…)``): a generic file names the text ``Q5_other``.
        mine = [
            k for k, s in enumerate(out)
            if s.kind == "item" and s.target == target and s.question is not None
        ]
        if not any(out[k].role == "option" for k in mine):
            continue
        for k in mine:
            if out[k].role == "value" and out[k].form == "stem":
                out[k] = dataclasses.replace(out[k], role="other", code=None)
        other = [k for k in mine if out[k].role == "option" and out[k].code == item.other_option]
        if len(other) > 1:
            marked = [k for k in other if "〖" in normalise_text(out[k].header)]
            for k in marked or other[1:]:
                out[k] = dataclasses.replace(out[k], role="other", code=None)
    return out


def _match(
    index: HeaderIndex, header: str, where: str, wjx_patterns: bool, display: str, header_row: int
) -> ColumnSpec | None:
    """:meth:`HeaderIndex.match`, its refusals as messages naming the file and column."""
    try:
        return index.match(header, where, wjx_patterns=wjx_patterns)
    except _Unmapped as exc:
        if not exc.message:
            raise _unrecognised(display, header_row, where, header, extra=exc.extra) from None
        raise SurveyError(
            exc.message, file=display, row=header_row, column=f"{header}（{where}）", hint=exc.hint
        ) from None


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
