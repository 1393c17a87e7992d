"""The questionnaire codebook: items, options, scales, attention checks and identifiers.

The codebook is a YAML file documented in ``docs/codebook.md``. It describes any Likert
questionnaire, not only this study's, and tells the readers how an export header maps to an
item (by 问卷星 question number and matrix row, by exact header text, or by column name).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from survey.config.yamlio import located_errors, read_yaml, validate

ItemType = Literal["likert", "single", "multiple", "ranking", "numeric", "text"]
IdentifierKind = Literal[
    "name", "phone", "id_card", "ip", "staff_no", "student_no", "wechat", "email", "other"
]
IdentifierAction = Literal["drop", "pseudonymise", "coarsen"]
ScaleDirection = Literal["higher_is_better", "lower_is_better"]
#: Chinese names of the scale directions, for messages and reports.
SCALE_DIRECTION_ZH: dict[str, str] = {"higher_is_better": "越高越好", "lower_is_better": "越低越好"}

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}$")
#: Columns of the canonical response frame that are not items (see docs/architecture.md).
RESERVED_COLUMNS = frozenset({"submitted_at", "duration_s", "respondent_key"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """How an export column maps to a codebook entry.

    ``question`` (+ ``row`` for a matrix row) matches 问卷星 headers such as ``7、题干``,
    ``第7题(行标题)`` or ``7.(行标题)``; ``header`` matches the exact header text after
    normalisation; ``column`` names the column in a generic file (default: the entry's id).
    """

    question: int | None = Field(None, ge=1)
    row: str | None = None
    header: str | None = None
    column: str | None = None


class Item(_Strict):
    """One questionnaire item."""

    id: str
    text: str
    type: ItemType
    #: Name of an entry in ``option_sets`` or an inline ``{code: label}`` mapping.
    options: str | dict[int, str] | None = None
    #: Code of the "other, please specify" option, whose text goes to ``<id>_other``.
    other_option: int | None = None
    #: Other spellings of option labels: ``{code: [label, ...]}``.
    option_aliases: dict[int, list[str]] = Field(default_factory=dict)
    source: Source = Source()
    #: Codes meaning "missing" for this item; default: the codebook's ``missing_codes``.
    missing: list[float] | None = None
    #: Valid range of a numeric item, inclusive.
    range: tuple[float, float] | None = None
    #: Short label (SPSS variable label); default: the text.
    label: str | None = None
    #: A required item missing from an export is an error; an optional one becomes all-missing.
    required: bool = True
    #: Earlier waves: ``{wave label: id of this item in that wave}``; ``null`` marks the item
    #: not comparable with that wave (see :func:`survey.waves.comparable_items`).
    wave_map: dict[str, str | None] = Field(default_factory=dict)

    @field_validator("wave_map", mode="before")
    @classmethod
    def _wave_years_as_text(cls, v: Any) -> Any:
        return _labels_as_text(v)

    @model_validator(mode="after")
    def _check(self) -> Item:
        if not _ID_RE.match(self.id):
            raise ValueError(
                f"题目编号 {self.id!r} 无效：应以英文字母开头，只含字母、数字和下划线，最长 60 个字符"
            )
        needs_options = self.type in ("likert", "single", "multiple", "ranking")
        if needs_options and self.options is None:
            raise ValueError(f"题目 {self.id} 的类型为 {self.type}，必须给出 options")
        if self.range is not None and self.type != "numeric":
            raise ValueError(f"题目 {self.id}：range 只用于 numeric 类型的题目")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"题目 {self.id}：range 的下限大于上限")
        _check_wave_map(self.id, self.wave_map)
        return self


def _labels_as_text(v: Any) -> Any:
    """``{2025: Q12_1}`` (a YAML integer key) means the wave label "2025"."""
    if isinstance(v, dict):
        return {(str(k) if isinstance(k, int) and not isinstance(k, bool) else k): x for k, x in v.items()}
    return v


def _check_wave_map(item_id: str, mapping: dict[str, str | None]) -> None:
    for label, earlier in mapping.items():
        if not str(label).strip():
            raise ValueError(f"题目 {item_id} 的 wave_map：轮次名称不能为空")
        if earlier is not None and not _ID_RE.match(earlier):
            raise ValueError(
                f"题目 {item_id} 的 wave_map：{label} 对应的题目编号 {earlier!r} 无效"
                "（应为上一轮编码手册中的题目编号；写 null 表示不可比）"
            )


class Scale(_Strict):
    """A scale (dimension) scored from Likert items."""

    id: str
    label: str
    items: list[str] = Field(min_length=2)
    #: Reverse-keyed items; each must also be listed in ``items``.
    reverse: list[str] = Field(default_factory=list)
    #: Valid range of the items, inclusive; default: the smallest and largest option code.
    range: tuple[int, int] | None = None
    #: Whether a high scale score is the good end (satisfaction) or the bad end (burden,
    #: neuroticism); the gap sentences, colours and the triangulation follow it.
    direction: ScaleDirection = "higher_is_better"

    @field_validator("direction", mode="before")
    @classmethod
    def _known_direction(cls, v: Any) -> Any:
        if v not in SCALE_DIRECTION_ZH:
            raise ValueError(
                "量表方向应为 higher_is_better（越高越好）或 lower_is_better（越低越好，"
                "如负担感、神经质）"
            )
        return v


class AttentionCheck(_Strict):
    item: str
    #: The code a careful respondent gives.
    correct: int


class Identifier(_Strict):
    """A column that identifies a person and what to do with it."""

    id: str
    kind: IdentifierKind
    source: Source = Source()
    action: IdentifierAction = "drop"
    #: The pseudonymised value of this column is the respondent key used to find repeats.
    respondent_key: bool = False

    @model_validator(mode="after")
    def _check(self) -> Identifier:
        if not _ID_RE.match(self.id):
            raise ValueError(f"标识列编号 {self.id!r} 无效")
        if self.action == "coarsen" and self.kind != "ip":
            raise ValueError(f"标识列 {self.id}：coarsen（粗化）只适用于 ip（保留省份）")
        if self.respondent_key and self.action != "pseudonymise":
            raise ValueError(f"标识列 {self.id}：respondent_key 需要 action: pseudonymise")
        return self


class Meta(_Strict):
    """Where the submission time and the time taken are found."""

    submitted_at: Source = Source(header="提交答卷时间")
    duration: Source = Source(header="所用时间")


class Codebook(_Strict):
    """A whole codebook."""

    title: str
    version: str = "1"
    missing_codes: list[float] = Field(default_factory=lambda: [-2.0, -3.0])
    option_sets: dict[str, dict[int, str]] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1)
    scales: list[Scale] = Field(default_factory=list)
    attention_checks: list[AttentionCheck] = Field(default_factory=list)
    identifiers: list[Identifier] = Field(default_factory=list)
    meta: Meta = Meta()
    #: Export headers to ignore (exact text after normalisation), e.g. ``总分``.
    ignore_columns: list[str] = Field(default_factory=list)
    #: ``{item id: {wave label: id in that wave or null}}``: the items' ``wave_map`` written in
    #: one place (an item may not be mapped for the same wave in both places).
    wave_map: dict[str, dict[str, str | None]] = Field(default_factory=dict)

    @field_validator("wave_map", mode="before")
    @classmethod
    def _wave_years_as_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: _labels_as_text(m) for k, m in v.items()}
        return v

    @model_validator(mode="after")
    def _cross_check(self) -> Codebook:
        # Every problem is collected with its own key path and reported at once.
        problems: list[tuple[tuple[str | int, ...], str]] = []
        seen: set[str] = set()
        for n, item in enumerate(self.items):
            if item.id in seen:
                problems.append((("items", n, "id"), f"题目编号重复：{item.id}"))
            seen.add(item.id)
            if item.id in RESERVED_COLUMNS:
                problems.append((("items", n, "id"), f"题目编号 {item.id} 是系统保留的列名"))
            if isinstance(item.options, str) and item.options not in self.option_sets:
                problems.append(
                    (("items", n, "options"), f"题目 {item.id} 引用了不存在的选项集 {item.options!r}")
                )
            elif item.other_option is not None and item.other_option not in self._options(item):
                problems.append(
                    (("items", n, "other_option"),
                     f"题目 {item.id}：other_option {item.other_option} 不在选项中")
                )
        if problems:  # the checks below need valid option sets
            raise located_errors("Codebook", problems)
        by_id = {i.id: i for i in self.items}
        scale_ids: set[str] = set()
        for s, scale in enumerate(self.scales):
            if scale.id in scale_ids:
                problems.append((("scales", s, "id"), f"量表编号重复：{scale.id}"))
            scale_ids.add(scale.id)
            codes: dict[str, list[int]] = {}
            for k, it in enumerate(scale.items):
                if it not in by_id:
                    problems.append(
                        (("scales", s, "items", k), f"量表 {scale.id} 列出的题目 {it} 不在 items 中")
                    )
                elif by_id[it].type != "likert":
                    problems.append(
                        (("scales", s, "items", k), f"量表 {scale.id} 的题目 {it} 不是 likert 类型")
                    )
                else:
                    codes[it] = sorted(self._options(by_id[it]))
            first = next(iter(codes), None)
            odd = [it for it, c in codes.items() if first is not None and c != codes[first]]
            if scale.range is None and odd:
                problems.append(
                    (("scales", s, "items"),
                     f"量表 {scale.id} 的题目 {', '.join(odd)} 与 {first} 的选项编码不同，"
                     "反向计分只能用同一取值范围；请统一选项或给出 range")
                )
            for k, it in enumerate(scale.reverse):
                if it not in scale.items:
                    problems.append(
                        (("scales", s, "reverse", k),
                         f"量表 {scale.id} 的反向题 {it} 不在该量表的 items 中")
                    )
        for c, chk in enumerate(self.attention_checks):
            if chk.item not in by_id:
                problems.append(
                    (("attention_checks", c, "item"), f"注意力检测题 {chk.item} 不在 items 中")
                )
            elif chk.correct not in self._options(by_id[chk.item]):
                problems.append(
                    (("attention_checks", c, "correct"),
                     f"注意力检测题 {chk.item} 的正确答案 {chk.correct} 不在选项中")
                )
        owners: dict[str, tuple[str, str]] = {}
        entries = [("items", n, e.id, self._columns(e, self._options(e)))
                   for n, e in enumerate(self.items)]
        entries += [("identifiers", n, e.id, [e.id]) for n, e in enumerate(self.identifiers)]
        for section, n, entry_id, cols in entries:
            for col in cols:
                owner = owners.setdefault(col, (section, entry_id))
                if owner != (section, entry_id):  # a repeated item id is reported above
                    problems.append(
                        ((section, n, "id"),
                         f"输出列名冲突：{col}（{owner[1]} 已有同名输出列，请改用不同的编号）")
                    )
        for item_id, mapping in self.wave_map.items():
            if item_id not in by_id:
                problems.append((("wave_map", item_id), f"wave_map 中的题目 {item_id} 不在 items 中"))
                continue
            try:
                _check_wave_map(item_id, mapping)
            except ValueError as err:
                problems.append((("wave_map", item_id), str(err)))
            twice = sorted(set(mapping) & set(by_id[item_id].wave_map))
            if twice:
                problems.append(
                    (("wave_map", item_id),
                     f"题目 {item_id} 对 {', '.join(twice)} 的 wave_map 在题目下和顶层各写了一次，只保留一处")
                )
        if problems:
            raise located_errors("Codebook", problems)
        return self

    # -- lookups ---------------------------------------------------------------------------
    def _options(self, item: Item) -> dict[int, str]:
        if item.options is None:
            return {}
        if isinstance(item.options, str):
            return dict(self.option_sets[item.options])
        return dict(item.options)

    def options(self, item_id: str) -> dict[int, str]:
        """Return ``{code: label}`` for an item (empty for numeric and text items)."""
        return self._options(self.item(item_id))

    @staticmethod
    def _columns(item: Item, options: dict[int, str] | None = None) -> list[str]:
        if item.type in ("multiple", "ranking"):
            codes = sorted(options) if options is not None else []
            cols = [f"{item.id}_{c}" for c in codes]
        else:
            cols = [item.id]
        if item.other_option is not None:
            cols.append(f"{item.id}_other")
        return cols

    def columns(self, item_id: str) -> list[str]:
        """Return the output columns of an item.

        Single, Likert, numeric and text items have one column named by the id. Multiple-choice
        items have one 0/1 column per option and ranking items one rank column per option,
        named ``<id>_<code>``. An item with an "other" option also has ``<id>_other`` (text).
        """
        item = self.item(item_id)
        return self._columns(item, self._options(item))

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    def item(self, item_id: str) -> Item:
        """Return the item with this id (``KeyError`` if absent)."""
        return self._by_id[item_id]

    def scale(self, scale_id: str) -> Scale:
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(scale_id)

    def scale_directions(self) -> dict[str, str]:
        """Return ``{scale id: direction}`` (``higher_is_better`` or ``lower_is_better``).

        Examples
        --------
        >>> cb.scale_directions()  # doctest: +SKIP
        {'P1': 'higher_is_better', 'burden': 'lower_is_better'}
        """
        return {s.id: s.direction for s in self.scales}

    def scale_range(self, scale_id: str) -> tuple[int, int]:
        """Return the valid item range of a scale (explicit, or from its first item's options)."""
        s = self.scale(scale_id)
        if s.range is not None:
            return s.range
        codes = sorted(self.options(s.items[0]))
        return codes[0], codes[-1]

    def missing_codes_for(self, item_id: str) -> list[float]:
        item = self.item(item_id)
        return list(item.missing) if item.missing is not None else list(self.missing_codes)

    def item_columns(self) -> list[str]:
        """Every output column of every item, in codebook order."""
        out: list[str] = []
        for item in self.items:
            out.extend(self.columns(item.id))
        return out

    def items_of_type(self, *types: str) -> list[Item]:
        return [i for i in self.items if i.type in types]

    def needs_pseudonym_key(self) -> bool:
        """Whether an identifier is to be pseudonymised (only then is a secret key needed).

        A codebook without identifiers, or whose identifiers are only dropped or coarsened,
        needs no pseudonymisation key.
        """
        return any(i.action == "pseudonymise" for i in self.identifiers)

    def wave_mapping(self, label: str) -> dict[str, str | None]:
        """Return ``{current item id: id in wave `label` (None: not comparable)}`` from ``wave_map``.

        Items without an entry for ``label`` are absent (matched by their own id).

        Examples
        --------
        >>> cb.wave_mapping("2025年")  # doctest: +SKIP
        {'P2_1': 'Q12_1', 'P3_4': None}
        """
        out: dict[str, str | None] = {}
        for item in self.items:
            if label in item.wave_map:
                out[item.id] = item.wave_map[label]
        for item_id, mapping in self.wave_map.items():
            if label in mapping:
                out[item_id] = mapping[label]
        return out

    def item_fingerprint(self, item_id: str) -> str:
        """A short hash of one item's text, type and options (its id left out).

        Two waves' items with equal prints were asked with the same wording and options, so
        a renamed item keeps its print; see :meth:`fingerprint` for the whole codebook.
        """
        item = self.item(item_id)
        payload = [item.text, item.type, sorted(self.options(item_id).items())]
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    def fingerprint(self) -> str:
        """A short hash of item ids, texts, types and options: equal codebooks, equal prints."""
        payload = [
            [i.id, i.text, i.type, sorted(self.options(i.id).items())] for i in self.items
        ]
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]


#: The comment ``survey codebook draft`` puts above every item whose option codes are a guess.
REVIEW_MARK = "# 待核对：选项编码按出现顺序推测"


def review_marks(path: str | Path) -> list[tuple[int, str]]:
    """The draft's :data:`REVIEW_MARK` comments still in a codebook file.

    Returns
    -------
    list of (line, item id)
        The line of each mark and the id on the line after it (``""`` if none), in file order.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []  # load_codebook reports an unreadable file
    out = []
    for n, line in enumerate(lines):
        if line.strip() == REVIEW_MARK:
            nxt = lines[n + 1] if n + 1 < len(lines) else ""
            m = re.match(r"^\s*-\s*id:\s*['\"]?([A-Za-z][A-Za-z0-9_]*)", nxt)
            out.append((n + 1, m.group(1) if m else ""))
    return out


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file.

    Raises
    ------
    SurveyError
        For a missing file, malformed YAML or an inconsistent codebook, naming the key path.
    """
    path = Path(path)
    data: Any = read_yaml(path, what="编码手册（codebook）")
    return validate(Codebook, data, path=path, what="编码手册（codebook）")
