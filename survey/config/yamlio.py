"""Reading YAML files and turning pydantic validation errors into Chinese messages."""

from __future__ import annotations

import re
import reprlib
from collections.abc import Hashable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from survey.errors import SurveyError

M = TypeVar("M", bound=BaseModel)

#: Shows a wrong value in a message without printing a whole (possibly huge) list.
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 6, 4, 80, 80

_PYDANTIC_ZH = {
    "extra_forbidden": "未知的配置项（可能是拼写错误）",
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "string_type": "应为文本",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "literal_error": "取值不在允许范围内",
    "date_parsing": "应为日期，例如 2026-09-01",
    "date_from_datetime_parsing": "应为日期，例如 2026-09-01",
    "datetime_parsing": "应为日期时间，例如 2026-09-01 08:00",
    "greater_than": "取值过小",
    "greater_than_equal": "取值过小",
    "less_than": "取值过大",
    "less_than_equal": "取值过大",
    "model_type": "应为映射（键: 值）",
    "value_error": "取值无效",
    "too_short": "列表太短",
}


#: Parts pydantic adds to a location for union members and mapping keys (``str``,
#: ``dict[int,str]``, ``function-after[...]``, ``[key]``): meaningless to users.
_UNION_TAG = re.compile(r"^(str|int|float|bool|none|\[key\]|(dict|list|tuple|function-\w+)\[.*\])$")


def key_path(loc: tuple[int | str, ...]) -> str:
    """Format a pydantic location tuple as ``a.b[2].c``."""
    out = ""
    for part in loc:
        if isinstance(part, str) and _UNION_TAG.match(part):
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "（顶层）"


#: Limits that keep a hostile or broken YAML file from exhausting memory or the stack. The demo
#: codebook is 12 KB, ~1,500 values and 5 levels deep; real study files and codebooks stay far
#: below these numbers.
MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 100_000


class _LimitExceeded(Exception):
    """Raised by the loader when a limit is hit; turned into a :class:`SurveyError`."""

    def __init__(self, problem: str, line: int | None, hint: str) -> None:
        super().__init__(problem)
        self.problem, self.line, self.hint = problem, line, hint


_ALIAS_HINT = (
    "不要用锚点（&名称）和别名（*名称）层层引用；编码手册中多道题共用的选项请写在 option_sets 中"
)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last).

    It also refuses nesting deeper than :data:`MAX_YAML_DEPTH` while composing (before Python's
    recursion limit is reached).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise _LimitExceeded(
                    f"嵌套超过 {MAX_YAML_DEPTH} 层", mark.line + 1, "检查缩进；配置文件只需要几层嵌套"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[Hashable, object]:
    seen: dict[object, int] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"键 {key!r} 出现了两次（第 {seen[key]} 行和第 {key_node.start_mark.line + 1} 行）",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expanded_size(root: yaml.Node, limit: int | None = None) -> None:
    """Refuse a node graph that expands to more than ``limit`` values, or refers to itself.

    An alias (``*a``) is the same node object as its anchor (``&a``), so a "billion laughs"
    file is small as a graph but huge once expanded (by the constructor, by validation or by an
    error message). The expanded size is counted with one memo entry per distinct node, so the
    check costs time proportional to the file, not to the expansion. ``limit`` defaults to
    :data:`MAX_YAML_NODES`.
    """
    limit = MAX_YAML_NODES if limit is None else limit
    size: dict[int, int] = {}
    open_: set[int] = set()

    def count(node: yaml.Node) -> int:
        key = id(node)
        if key in size:
            return size[key]
        if key in open_:
            raise _LimitExceeded("别名引用了包含它自己的内容（循环引用）", node.start_mark.line + 1, _ALIAS_HINT)
        open_.add(key)
        total = 1
        for child in _children(node):
            total += count(child)
            if total > limit:
                raise _LimitExceeded(
                    f"展开别名后超过 {limit:,} 个值（多半是锚点与别名层层引用造成的“别名炸弹”）",
                    node.start_mark.line + 1,
                    _ALIAS_HINT,
                )
        open_.discard(key)
        size[key] = total
        return total

    count(root)


def _parse(text: str) -> object:
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml(path: Path, *, what: str) -> object:
    """Read a YAML file, raising :class:`SurveyError` for missing, malformed or oversized files.

    Notes
    -----
    Only plain YAML data is accepted (a ``SafeLoader``: no Python objects). A file larger than
    :data:`MAX_YAML_BYTES`, nested deeper than :data:`MAX_YAML_DEPTH` or expanding (through
    anchors ``&a`` and aliases ``*a``) to more than :data:`MAX_YAML_NODES` values is refused
    with one message before it can use much memory or time.
    """
    if not path.exists():
        raise SurveyError(f"找不到{what}文件", file=path, hint="请检查路径是否正确")
    if not path.is_file():
        raise SurveyError(f"{what}路径不是文件（可能是文件夹）", file=path, expected="一个 YAML 文件")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise SurveyError(
            f"{what}文件过大（{size / 1024 / 1024:.1f} MB），超过上限 {MAX_YAML_BYTES // 1024 // 1024} MB",
            file=path,
            expected="一个小的 YAML 文本文件（演示研究的编码手册只有约 12 KB）",
            hint="确认路径指向的是配置文件，而不是数据文件",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyError(
            f"{what}文件不是 UTF-8 编码", file=path, expected="UTF-8 编码的 YAML 文本"
        ) from exc
    try:
        data = _parse(text)
    except _LimitExceeded as exc:
        raise SurveyError(
            f"{what}文件的内容超出允许范围：{exc.problem}",
            file=path,
            row=exc.line,
            row_note="",
            hint=exc.hint,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise SurveyError(
            f"{what}文件的 YAML 格式有误：{getattr(exc, 'problem', exc)}",
            file=path,
            row=row,
            row_note="",
            expected="合法的 YAML（注意缩进与冒号后的空格）",
        ) from exc
    if data is None:
        raise SurveyError(f"{what}文件是空的", file=path, expected="至少包含必填项的 YAML")
    return data


def validate(model: type[M], data: object, *, path: Path, what: str) -> M:
    """Validate ``data`` against ``model``; report every problem at once in Chinese."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            reason = _PYDANTIC_ZH.get(err["type"], err["msg"])
            if err["type"] == "value_error":
                reason = str(err.get("ctx", {}).get("error", err["msg"]))
            if err["type"] == "literal_error":
                reason += f"：{err.get('ctx', {}).get('expected', '')}"
            value = err.get("input")
            hidden = err["type"] in ("missing", "survey_check") or isinstance(value, dict)
            shown = "" if hidden else f"（现为 {_SHORT.repr(value)}）"
            lines.append(f"{key_path(err['loc'])}：{reason}{shown}")
        first = exc.errors()[0]
        raise SurveyError(
            f"{what}文件有 {len(lines)} 处问题：\n    " + "\n    ".join(lines),
            file=path,
            key=key_path(first["loc"]),
        ) from exc


def located_errors(title: str, problems: list[tuple[tuple[str | int, ...], str]]) -> ValidationError:
    """Build a pydantic ``ValidationError`` whose errors carry their own key paths.

    Raised inside a model validator, the locations are kept (and prefixed by the enclosing
    model's location), so cross-field checks name ``scales[0].items[4]`` instead of the top level.
    """
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(type=PydanticCustomError("survey_check", msg), loc=loc, input=None)
            for loc, msg in problems
        ],
    )
