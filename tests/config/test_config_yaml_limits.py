"""YAML files are read with limits: size, nesting depth, expanded size (alias bombs), cycles."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from survey.config import yamlio
from survey.config.codebook import load_codebook
from survey.config.study import load_study
from survey.errors import SurveyError


def bomb_text(levels: int = 9, width: int = 9, key: str = "a") -> str:
    """A "billion laughs" document: ``width ** levels`` strings from a few hundred bytes."""
    names = [f"{key}{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n"


def _error(path: Path, loader=load_study) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        loader(path)
    return info.value


def test_alias_bomb_in_study_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("title: 炸弹\n" + bomb_text(), encoding="utf-8")
    t0 = time.perf_counter()
    err = _error(path)
    elapsed = time.perf_counter() - t0
    assert "别名" in err.problem and "超过 100,000 个值" in err.problem
    assert err.file == path and err.row is not None
    assert elapsed < 2.0  # 9**9 strings would take minutes and gigabytes


def test_alias_bomb_in_codebook_refused(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("title: 炸弹\noption_sets:\n  x: {1: a}\n" + bomb_text(key="b"), encoding="utf-8")
    err = _error(path, load_codebook)
    assert "编码手册" in err.problem and "别名" in err.problem


def test_expanded_size_counts_what_aliases_expand_to(tmp_path: Path, monkeypatch) -> None:
    # 1 mapping + 3 keys + list a (1 + 10) + list b (1 + 10 * 11) + list c (1 + 10 * 111)
    # = 1,237 values once expanded, from 12 distinct nodes in the file.
    text = "a: &a [" + ", ".join(["x"] * 10) + "]\nb: &b [" + ", ".join(["*a"] * 10) + "]\n"
    text += "c: [" + ", ".join(["*b"] * 10) + "]\n"
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(yamlio, "MAX_YAML_NODES", 1_237)
    data = yamlio.read_yaml(path, what="测试")
    assert len(data["c"]) == 10 and data["c"][9][9] == ["x"] * 10
    monkeypatch.setattr(yamlio, "MAX_YAML_NODES", 1_236)
    with pytest.raises(SurveyError, match="超过 1,236 个值"):
        yamlio.read_yaml(path, what="测试")


def test_plain_anchors_and_aliases_still_work(write_codebook, small_codebook: dict) -> None:
    # An option-set name anchored and reused by other items: legal YAML, accepted.
    path = write_codebook(small_codebook)
    text = path.read_text(encoding="utf-8")
    text = text.replace("options: agree5", "options: &five agree5", 1).replace(
        "options: agree5", "options: *five"
    )
    assert "*five" in text
    path.write_text(text, encoding="utf-8")
    cb = load_codebook(path)
    assert [cb.item(q).options for q in ("q1", "q2", "q4")] == ["agree5"] * 3


def test_self_referencing_alias_refused(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("title: 循环\nloop: &x [1, *x]\n", encoding="utf-8")
    err = _error(path)
    assert "循环引用" in err.problem
    assert err.row == 2


@pytest.mark.parametrize("depth", [40, 5_000])
def test_deep_nesting_refused_without_recursion_error(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("title: 深\nx: " + "[" * depth + "1" + "]" * depth + "\n", encoding="utf-8")
    err = _error(path)
    assert f"嵌套超过 {yamlio.MAX_YAML_DEPTH} 层" in err.problem
    assert err.row == 2


def test_nesting_limit_counts_values_from_the_top(tmp_path: Path) -> None:
    # mapping -> `depth` lists -> the scalar 1: depth + 2 values on the deepest path.
    path = tmp_path / "x.yaml"
    depth = yamlio.MAX_YAML_DEPTH - 2
    path.write_text("x: " + "[" * depth + "1" + "]" * depth + "\n", encoding="utf-8")
    data = yamlio.read_yaml(path, what="测试")["x"]
    for _ in range(depth - 1):
        data = data[0]
    assert data == [1]
    depth += 1
    path.write_text("x: " + "[" * depth + "1" + "]" * depth + "\n", encoding="utf-8")
    with pytest.raises(SurveyError, match="嵌套超过"):
        yamlio.read_yaml(path, what="测试")


def test_oversized_file_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("title: 大\n")
        fh.write("# " + "填" * (yamlio.MAX_YAML_BYTES // 3) + "\n")
    assert path.stat().st_size > yamlio.MAX_YAML_BYTES
    t0 = time.perf_counter()
    err = _error(path)
    assert time.perf_counter() - t0 < 0.5
    assert "过大" in err.problem and "1 MB" in err.problem


def test_long_wrong_value_is_shortened_in_the_message(make_study) -> None:
    err = _error(make_study(lambda d: d.__setitem__("title", list(range(2_000)))))
    msg = err.message_zh()
    assert "title：应为文本" in msg
    assert "..." in msg and len(msg) < 1_000  # the full list would be ~10,000 characters


def test_demo_codebook_is_far_below_the_limits() -> None:
    # The limits must not bite real files: the demo codebook is ~12 KB with ~1,500 values.
    root = Path(__file__).resolve().parents[2]
    text = (root / "data" / "raw" / "demo" / "codebook.yaml").read_text(encoding="utf-8")
    loader = yamlio._UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    yamlio._check_expanded_size(node, limit=yamlio.MAX_YAML_NODES // 20)
    assert len(text.encode("utf-8")) < yamlio.MAX_YAML_BYTES // 20
