"""The Chinese reference pages list every key of ``study.yaml`` and of the codebook.

Each pydantic model of :mod:`survey.config.study` and :mod:`survey.config.codebook` has a section in
its Chinese page whose heading names the model (`` `Study` ``); every user-facing field (and alias)
of the model must be a row ``| `name` |`` of a table in that section. A key added to a model without
Chinese documentation fails here. Fields the code fills in itself (``exclude=True``, e.g.
``Study.root``) are not keys of the file and are not required.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from pydantic import BaseModel

from survey.config import codebook, study

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {study: DOCS / "研究配置说明.md", codebook: DOCS / "编码手册说明.md"}


def models(module: ModuleType) -> list[type[BaseModel]]:
    """The pydantic models defined in ``module`` that have fields."""
    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseModel) and cls.__module__ == module.__name__ and cls.model_fields]


def keys(model: type[BaseModel]) -> list[str]:
    """The names a user may write for ``model``: field names and aliases, excluded fields left out."""
    out: list[str] = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        out.append(name)
        out += [a for a in (field.alias, field.validation_alias) if isinstance(a, str) and a != name]
    return out


def sections(text: str) -> dict[str, str]:
    """``{model name: section text}`` for every ``##`` heading naming a model in backticks."""
    out: dict[str, str] = {}
    parts = re.split(r"^## ", text, flags=re.M)
    for part in parts[1:]:
        heading = part.splitlines()[0]
        for name in re.findall(r"模型 `(\w+)`", heading):
            out[name] = part
    return out


CASES = [(module, model) for module in PAGES for model in models(module)]


def test_walk_finds_the_models() -> None:
    names = {model.__name__ for _, model in CASES}
    assert {"Study", "QuestionnaireFile", "SpeederRule", "Materiality", "Codebook", "Item",
            "Source", "Identifier", "Meta"} <= names
    assert "root" not in keys(study.Study) and "source" not in keys(study.Study)
    assert "source" in keys(codebook.Item)  # a user key on the codebook side


@pytest.mark.parametrize(("module", "model"), CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_every_key_is_documented_in_chinese(module: ModuleType, model: type[BaseModel]) -> None:
    page = PAGES[module]
    found = sections(page.read_text(encoding="utf-8"))
    assert model.__name__ in found, f"{page.name} 缺少模型 {model.__name__} 的小节"
    section = found[model.__name__]
    missing = [k for k in keys(model) if not re.search(rf"^\| `{re.escape(k)}` \|", section, re.M)]
    assert not missing, f"{page.name} 的 {model.__name__} 小节缺少配置项：{missing}"


def test_no_documented_key_is_invented() -> None:
    for module, page in PAGES.items():
        by_name = {m.__name__: m for m in models(module)}
        for name, section in sections(page.read_text(encoding="utf-8")).items():
            assert name in by_name, f"{page.name}：没有模型 {name}"
            rows = re.findall(r"^\| `(\w+)` \|", section, re.M)
            extra = set(rows) - set(keys(by_name[name]))
            assert not extra, f"{page.name} 的 {name} 小节列出了不存在的配置项：{sorted(extra)}"


def example(page: Path) -> object:
    """The first ```yaml block of a Chinese page, parsed."""
    m = re.search(r"^```yaml\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)
    assert m, f"{page.name} 缺少 yaml 示例"
    return yaml.safe_load(m.group(1))


def test_examples_are_valid() -> None:
    cb = codebook.Codebook.model_validate(example(PAGES[codebook]))
    assert [s.reverse for s in cb.scales] == [["P1_5"]]
    assert cb.identifiers[0].respondent_key and cb.identifiers[1].action == "coarsen"
    st = study.Study.model_validate(example(PAGES[study]))
    assert st.synthetic and st.questionnaire.crosscheck.allow_mismatches == 1
    assert st.cleaning.straight_lining.batteries == ["P1", "P2", "P3", "P4", "P5"]
    assert str(st.questionnaire.codebook) == "data/raw/demo/codebook.yaml"
