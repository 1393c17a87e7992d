"""The ``survey`` command as a user runs it: help, progress and summary streams, determinism of
``survey clean`` across working directories and hash seeds, ``survey verify``, ``survey codebook
draft`` and ``survey demo``."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_helpers import GBK_CODE_CSV, HOME_TEXT_XLSX, ROOT, copy_demo, survey_cmd, tree_hashes

from survey.config.codebook import load_codebook

SUBCOMMANDS = ("clean", "report", "verify", "demo", "codebook")


# -- help -------------------------------------------------------------------------------------
@pytest.mark.parametrize("console_script", [False, True], ids=["python -m survey", "survey"])
def test_help(tmp_path: Path, console_script: bool) -> None:
    proc = survey_cmd("--help", cwd=tmp_path, console_script=console_script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: survey")
    for sub in SUBCOMMANDS:
        assert sub in proc.stdout
    assert "技师学院党建工作调研数据工具" in proc.stdout
    assert "--study" in proc.stdout and "--debug" in proc.stdout


def test_subcommand_help(tmp_path: Path) -> None:
    proc = survey_cmd("codebook", "draft", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "--overwrite" in proc.stdout and "-o OUT" in proc.stdout


# -- clean: streams and determinism -----------------------------------------------------------
def test_clean_progress_on_stderr_summary_on_stdout(
    first_clean: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _study, proc = first_clean
    # Progress (one line per questionnaire file, then each step) goes to stderr ...
    current, _, earlier = proc.stderr.partition("清洗上一轮调查（2025年）的数据")
    assert current.count("读取问卷文件（") == 4
    # ... then the earlier wave named in waves: is cleaned too (its own four files)
    assert earlier.count("读取问卷文件（") == 4 and "data/raw/demo/2025/" in earlier
    for step in ("读取问卷文件（1/4）：data/raw/demo/", "清洗：644 行原始答卷", "写入：", "完成，用时"):
        assert step in proc.stderr
    assert "读取问卷文件" not in proc.stdout
    # ... the summary to stdout, with the real counts of the demo study.
    assert proc.stdout.startswith("研究：合成演示")
    assert "原始记录 644 条。" in proc.stdout
    assert "共排除 44 条，保留 600 条（93.2%）。" in proc.stdout
    assert "输出：data/processed/（23 个文件，清单见 manifest.json）" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_clean_is_byte_identical_across_cwd_and_hashseed(
    cleaned_study: Path, tmp_path: Path
) -> None:
    """Second run: another folder, another PYTHONHASHSEED, started from elsewhere with an
    absolute ``--study`` and ``-q``. Every processed file must have the same bytes."""
    root = tmp_path / "elsewhere"
    root.mkdir()
    study = copy_demo(root)
    proc = survey_cmd("clean", "-q", "--study", str(study), cwd=tmp_path, hashseed="4242")
    assert proc.returncode == 0, proc.stderr
    # -q silences the progress lines (notes about odd input may still be shown).
    assert "读取问卷文件" not in proc.stderr and "完成，用时" not in proc.stderr
    first = tree_hashes(cleaned_study.parent / "data" / "processed")
    second = tree_hashes(root / "data" / "processed")
    assert len(first) == 24  # 23 outputs (manifest.json, responses_labels.csv included) + .survey_outputs.json
    assert second == first


# -- verify -----------------------------------------------------------------------------------
def _bump_one_byte(path: Path) -> str:
    """Change one digit of the first "NNN秒" duration after the header (GBK: 秒 = C3 EB)."""
    data = bytearray(path.read_bytes())
    i = data.index("秒".encode("gbk"), data.index(b"\n")) - 1
    assert chr(data[i]).isdigit()
    data[i] = ord("1") if data[i] != ord("1") else ord("2")
    path.write_bytes(bytes(data))
    return path.name


@pytest.fixture
def verify_copy(cleaned_study: Path, tmp_path: Path) -> Path:
    root = tmp_path / "study"
    shutil.copytree(cleaned_study.parent, root)
    return root


def test_verify_passes_on_a_clean_run(verify_copy: Path) -> None:
    proc = survey_cmd("verify", "--study", "study.yaml", cwd=verify_copy)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("核验通过")


def test_verify_names_a_changed_raw_file_and_a_changed_output(verify_copy: Path) -> None:
    """One verify run (each costs a full re-clean): one byte changed in a raw file and a line
    ending changed in a processed file; both files must be named."""
    raw_name = _bump_one_byte(verify_copy / GBK_CODE_CSV)
    target = verify_copy / "data" / "processed" / "exclusions.csv"
    target.write_bytes(target.read_bytes().replace(b"\r\n", b"\n", 1))
    proc = survey_cmd("verify", "--study", "study.yaml", cwd=verify_copy)
    assert proc.returncode == 1, proc.stderr
    assert "核验未通过" in proc.stderr and proc.stdout == ""
    problems = [ln for ln in proc.stderr.splitlines() if ln.startswith("  - ")]
    assert any(raw_name in ln for ln in problems), proc.stderr
    assert any("data/processed/exclusions.csv" in ln for ln in problems), proc.stderr


# -- codebook draft ---------------------------------------------------------------------------
def test_codebook_draft_writes_a_loadable_codebook_and_refuses_to_overwrite(
    tmp_path: Path,
) -> None:
    export = ROOT / HOME_TEXT_XLSX
    proc = survey_cmd("codebook", "draft", str(export), "-o", "x.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "x.yaml"
    cb = load_codebook(out)
    demo = load_codebook(ROOT / "data" / "raw" / "demo" / "codebook.yaml")
    assert len(cb.items) == len(demo.items) == 52
    assert {"name", "phone", "ip", "wechat"} <= {i.kind for i in cb.identifiers}
    q12_1 = cb.item("Q12_1")
    assert (q12_1.type, q12_1.source.question, q12_1.source.row) == (
        "likert", 12, "我所在党组织的理论学习形式丰富多样"
    )
    assert cb.options("Q12_1") == demo.options("P1_1")

    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    again = survey_cmd("codebook", "draft", str(export), "-o", "x.yaml", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.startswith("错误：输出文件已存在，为避免覆盖已编辑的编码手册，本次未写入")
    assert "文件：x.yaml" in again.stderr and "--overwrite" in again.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest

    out.write_text("# edited\n", encoding="utf-8")
    forced = survey_cmd(
        "codebook", "draft", str(export), "-o", "x.yaml", "--overwrite", cwd=tmp_path
    )
    assert forced.returncode == 0, forced.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest


# -- demo -------------------------------------------------------------------------------------
def test_demo_regenerates_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    proc = survey_cmd("demo", "--out", "regen", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "已生成合成演示数据（随机种子 20261127）" in proc.stdout
    committed = tree_hashes(ROOT / "data" / "raw" / "demo")
    assert len(committed) >= 14
    assert tree_hashes(tmp_path / "regen") == committed
