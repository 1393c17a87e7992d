"""The Chinese guide ``docs/新研究上手.md`` runs: its marked commands work on the demo's downloads.

A ```bash block preceded by ``<!-- guide-test expect="line|line" -->`` is run, as written, in a
private copy of the small demo study with ``survey`` on PATH; it must exit 0 and print every
expected line. The blocks run in document order in one copy, as a reader would type them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from demo_copy import copy_small_demo

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "新研究上手.md"

_BLOCK = re.compile(
    r'<!-- guide-test(?: expect="(?P<expect>[^"]*)")? -->\s*\n```bash\n(?P<code>.*?)\n```', re.S)


def guide_blocks(text: str) -> list[tuple[str, list[str]]]:
    """The runnable blocks of the guide: ``(commands, expected output lines)`` in order."""
    return [(m["code"], [e for e in (m["expect"] or "").split("|") if e])
            for m in _BLOCK.finditer(text)]


def test_guide_marks_blocks_that_a_reader_needs() -> None:
    blocks = guide_blocks(GUIDE.read_text(encoding="utf-8"))
    commands = "\n".join(code for code, _ in blocks)
    for needed in ("survey codebook draft", "survey clean", "survey verify", "survey plan"):
        assert needed in commands
    assert all(expect for _, expect in blocks), "every runnable block names what it must print"
    # a marker the pattern does not parse (typo, wrong fence) would silently skip a block
    assert GUIDE.read_text(encoding="utf-8").count("<!-- guide-test") == len(blocks)


def test_guide_parser_reads_marker_and_fence() -> None:
    text = ('x\n<!-- guide-test expect="a|b" -->\n```bash\necho a\necho b\n```\n'
            "```bash\nnot run\n```\n")
    assert guide_blocks(text) == [("echo a\necho b", ["a", "b"])]


def test_guide_commands_run_on_the_demo(tmp_path: Path) -> None:
    study = copy_small_demo(tmp_path / "study")
    folder = study.parent
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT)}
    env.pop("SURVEY_STUDY", None)
    for code, expect in guide_blocks(GUIDE.read_text(encoding="utf-8")):
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=120)
        shown = f"$ {code}\n{done.stdout}\n{done.stderr}"
        assert done.returncode == 0, shown
        for line in expect:
            assert line in done.stdout + done.stderr, shown
    # what the guide says the commands leave behind
    assert (folder / "编码手册草稿.yaml").is_file()
    assert "# 待核对：选项编码按出现顺序推测" in (folder / "按文本草稿.yaml").read_text(encoding="utf-8")
    for name in ("cleaning_log.csv", "exclusions.csv", "cell_changes.csv", "manifest.json"):
        assert (folder / "data" / "processed" / name).is_file()


def test_guide_drafted_codebook_with_marks_is_refused(tmp_path: Path) -> None:
    """What the guide promises about ``# 待核对``: clean refuses such a codebook (exit 2)."""
    study = copy_small_demo(tmp_path / "study")
    folder = study.parent
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    survey = [sys.executable, "-m", "survey"]
    rel = "data/raw/demo/303456789_按文本_合成演示_技师学院党建工作规范化水平调研问卷_160_160.csv"
    drafted = subprocess.run([*survey, "codebook", "draft", rel, "-o", "按文本草稿.yaml"],
                             cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert drafted.returncode == 0, drafted.stderr
    text = study.read_text(encoding="utf-8")
    assert "codebook: data/raw/demo/codebook.yaml" in text
    study.write_text(text.replace("codebook: data/raw/demo/codebook.yaml", "codebook: 按文本草稿.yaml"),
                     encoding="utf-8")
    refused = subprocess.run([*survey, "clean", "--study", str(study)], cwd=folder, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert "待核对" in refused.stderr and "codes_checked: true" in refused.stderr
    assert not (folder / "data" / "processed").exists()


@pytest.mark.parametrize("needle", ["codes_checked", "allow_mismatches", "exclusions.csv",
                                    "未能运行", "腾讯问卷", "make lab", "make kernel"])
def test_guide_names_each_check(needle: str) -> None:
    assert needle in GUIDE.read_text(encoding="utf-8")


def _lab_recipe(tmp_path: Path) -> str:
    """``make -n lab`` as the shell would run it (the stamp made fresh so no install is shown)."""
    # Under `make test` the parent make's variables would make this one print "make[1]: …"
    # lines into the recipe: run it as a top-level make.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    done = subprocess.run(["make", "-n", "--no-print-directory", "-o", ".venv/.installed", "lab",
                           "STUDY=other/study.yaml"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_lab_registers_the_named_kernel_first(tmp_path: Path) -> None:
    recipe = _lab_recipe(tmp_path)
    install = ('-m ipykernel install --sys-prefix --name survey --display-name "调研分析 (survey)"')
    assert install in recipe
    assert "--user --name survey" in recipe  # the Anaconda JupyterLab variant is printed
    assert recipe.index(install) < recipe.index("jupyter lab")
    assert f'SURVEY_STUDY="{ROOT / "other" / "study.yaml"}"' in recipe


@pytest.mark.parametrize(("uid", "root"), [("0", True), ("1000", False)])
def test_make_lab_allows_root_only_as_root(tmp_path: Path, uid: str, root: bool) -> None:
    recipe = _lab_recipe(tmp_path)
    start = recipe.index("PATH=")
    command = recipe[start:].replace(".venv/bin/jupyter lab", "echo jupyter lab")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("jupyter lab --notebook-dir=notebooks")
    assert ("--allow-root" in done.stdout) is root
