"""Reading YAML files and turning pydantic validation errors into Chinese messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from survey.errors import SurveyError

M = TypeVar("M", bound=BaseModel)

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


def key_path(loc: tuple[Any, ...]) -> str:
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


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
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


def read_yaml(path: Path, *, what: str) -> Any:
    """Read a YAML file, raising :class:`SurveyError` for missing or malformed files."""
    if not path.exists():
        raise SurveyError(f"找不到{what}文件", file=path, hint="请检查路径是否正确")
    if not path.is_file():
        raise SurveyError(f"{what}路径不是文件（可能是文件夹）", file=path, expected="一个 YAML 文件")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyError(
            f"{what}文件不是 UTF-8 编码", file=path, expected="UTF-8 编码的 YAML 文本"
        ) from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
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


def validate(model: type[M], data: Any, *, path: Path, what: str) -> M:
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
            shown = "" if hidden else f"（现为 {value!r}）"
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
