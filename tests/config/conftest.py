"""Fixtures for the study-configuration and codebook tests.

The "demo-like" study is the complete example in ``docs/codebook.md`` and
``docs/study-config.md`` (so the documentation is tested), written into a temporary folder with
empty placeholder files for every path the study names. Error tests start from a small valid
study (``make_study``) and change one thing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BIGFIVE = ROOT / "examples" / "bigfive"

_BLOCK = r"<!-- tested-example: {name} -->\n```yaml\n(.*?)```"


def doc_example(doc: str, name: str) -> str:
    """Return the YAML block marked ``<!-- tested-example: name -->`` in ``docs/<doc>``."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    m = re.search(_BLOCK.format(name=re.escape(name)), text, re.S)
    assert m, f"no tested-example block {name!r} in docs/{doc}"
    return m.group(1)


def dump(data: Any, path: Path) -> Path:
    """Write ``data`` as YAML (UTF-8) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _study_paths(data: dict[str, Any]) -> list[str]:
    q = data["questionnaire"]
    paths = [q["codebook"]]
    for f in q["files"]:
        paths.append(f["path"])
        if f.get("crosscheck"):
            paths.append(f["crosscheck"])
    for section in ("symposium", "indicators", "roster"):
        for value in (data.get(section) or {}).values():
            if value:
                paths.append(value)
    return paths


@pytest.fixture(scope="session")
def demo_codebook_text() -> str:
    """The complete codebook example of docs/codebook.md."""
    return doc_example("codebook.md", "codebook")


@pytest.fixture(scope="session")
def demo_codebook_data(demo_codebook_text: str) -> dict[str, Any]:
    return yaml.safe_load(demo_codebook_text)


@pytest.fixture
def demo_study(tmp_path: Path, demo_codebook_text: str) -> Path:
    """The study example of docs/study-config.md with the codebook example, in a temp folder."""
    text = doc_example("study-config.md", "study")
    data = yaml.safe_load(text)
    for rel in _study_paths(data):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
    (tmp_path / "codebook.yaml").write_text(demo_codebook_text, encoding="utf-8")
    study = tmp_path / "study.yaml"
    study.write_text(text, encoding="utf-8")
    return study


#: A small valid codebook: one 4-item scale with a reverse item, a single-choice item, a
#: multiple-choice item with an "other" option, a numeric and a text item, an attention check.
SMALL_CODEBOOK: dict[str, Any] = {
    "title": "测试问卷",
    "option_sets": {"agree5": {1: "非常不同意", 2: "比较不同意", 3: "一般", 4: "比较同意", 5: "非常同意"}},
    "items": [
        {"id": "q1", "text": "学习形式多样", "type": "likert", "options": "agree5",
         "source": {"question": 6, "row": "学习形式多样"}},
        {"id": "q2", "text": "学习效果明显", "type": "likert", "options": "agree5",
         "source": {"question": 6, "row": "学习效果明显"}},
        {"id": "q3", "text": "学习流于形式", "type": "likert", "options": "agree5",
         "source": {"question": 6, "row": "学习流于形式"}},
        {"id": "q4", "text": "线上平台好用", "type": "likert", "options": "agree5",
         "source": {"question": 6, "row": "线上平台好用"}},
        {"id": "attn", "text": "本题请选择比较同意", "type": "likert", "options": "agree5"},
        {"id": "member_type", "text": "您的党员类别", "type": "single",
         "options": {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"},
         "source": {"question": 1}},
        {"id": "fmt", "text": "参加过的学习形式", "type": "multiple",
         "options": {1: "集中学习", 2: "线上平台", 3: "其他"}, "other_option": 3},
        {"id": "hours", "text": "每月学习小时数", "type": "numeric", "range": [0, 100]},
        {"id": "advice", "text": "意见建议", "type": "text", "required": False},
    ],
    "scales": [
        {"id": "P1", "label": "学习型党组织建设", "items": ["q1", "q2", "q3", "q4"], "reverse": ["q3"]}
    ],
    "attention_checks": [{"item": "attn", "correct": 4}],
    "identifiers": [
        {"id": "ip", "kind": "ip", "source": {"header": "来自IP"}, "action": "coarsen"},
        {"id": "phone", "kind": "phone", "source": {"question": 18}, "action": "pseudonymise",
         "respondent_key": True},
    ],
}

SMALL_STUDY: dict[str, Any] = {
    "title": "测试研究",
    "synthetic": True,
    "questionnaire": {
        "codebook": "codebook.yaml",
        "files": [{"path": "data/raw/本院.csv", "format": "generic", "attributes": {"college": "本院"}}],
    },
    "fieldwork": {"start": "2026-09-01", "end": "2026-09-30"},
}


@pytest.fixture
def small_codebook() -> dict[str, Any]:
    """A deep copy of ``SMALL_CODEBOOK`` to change in a test."""
    return copy.deepcopy(SMALL_CODEBOOK)


@pytest.fixture
def write_codebook(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a codebook mapping to ``tmp_path/codebook.yaml``."""

    def _write(data: dict[str, Any]) -> Path:
        return dump(data, tmp_path / "codebook.yaml")

    return _write


@pytest.fixture
def make_study(tmp_path: Path) -> Callable[..., Path]:
    """Write a small valid study (codebook + data file) and return the study file.

    ``make_study(mutate)`` applies ``mutate(study_dict)`` before writing, so a test changes
    exactly one thing; placeholder files are created for the unchanged defaults only.
    """

    def _make(mutate: Callable[[dict[str, Any]], None] | None = None) -> Path:
        dump(copy.deepcopy(SMALL_CODEBOOK), tmp_path / "codebook.yaml")
        data_file = tmp_path / "data" / "raw" / "本院.csv"
        data_file.parent.mkdir(parents=True, exist_ok=True)
        data_file.write_text("q1,q2\n1,2\n", encoding="utf-8")
        study = copy.deepcopy(SMALL_STUDY)
        if mutate is not None:
            mutate(study)
        return dump(study, tmp_path / "study.yaml")

    return _make
