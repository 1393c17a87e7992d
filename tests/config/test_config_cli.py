"""The CLI turns a bad study file into a Chinese message on stderr and exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs survey.cli.main with a stand-in survey.pipeline whose run_clean must never be reached:
# the study is invalid, so loading it has to fail first (`clean` loads the study before it
# imports the pipeline). This checks the CLI's error handling independently of the pipeline.
_STUB = """
import sys, types
stub = types.ModuleType("survey.pipeline")
def run_clean(*args, **kwargs):
    raise AssertionError("run_clean reached with an invalid study")
stub.run_clean = run_clean
sys.modules["survey.pipeline"] = stub
from survey.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _run(args: list[str], *, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("SURVEY_STUDY", None)
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "survey", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=60, check=False)


def _typo_study(make_study) -> Path:
    def typo(d: dict) -> None:
        d["questionaire"] = d.pop("questionnaire")

    return make_study(typo)


def _check(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("错误：")
    for frag in fragments:
        assert frag in proc.stderr
    assert proc.stdout == ""


def test_python_m_survey_clean_bad_study(make_study) -> None:
    proc = _run(["clean", "--study", str(_typo_study(make_study))])
    _check(proc, "questionaire：未知的配置项（可能是拼写错误）", "配置项：questionnaire")


def test_cli_bad_study_exit_2_chinese_message(make_study) -> None:
    proc = _run(["clean", "--study", str(_typo_study(make_study))], code=_STUB)
    _check(proc, "questionaire：未知的配置项（可能是拼写错误）", "study.yaml")


def test_cli_missing_data_file_names_key(make_study) -> None:
    path = make_study(lambda d: d["questionnaire"]["files"][0].__setitem__("path", "data/缺失.xlsx"))
    proc = _run(["clean", "--study", str(path)], code=_STUB)
    _check(proc, "study.yaml 中列出的文件不存在", "配置项：questionnaire.files[0].path", "缺失.xlsx")


def test_cli_study_option_before_subcommand(make_study) -> None:
    path = make_study(lambda d: d["questionnaire"]["files"][0].__setitem__("path", "data/缺失.xlsx"))
    proc = _run(["--study", str(path), "clean"], code=_STUB)
    _check(proc, "配置项：questionnaire.files[0].path", "缺失.xlsx")


def test_cli_non_utf8_study(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_bytes("title: 党建调研\n".encode("gbk"))
    proc = _run(["clean", "--study", str(path)], code=_STUB)
    _check(proc, "不是 UTF-8 编码")


def test_cli_debug_shows_traceback(make_study) -> None:
    proc = _run(["clean", "--debug", "--study", str(_typo_study(make_study))], code=_STUB)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "SurveyError" in proc.stderr


_BOMB = "title: 炸弹\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}' if i else 'lol'] * 9)}]\n" for i in range(9)
)


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX only")
def test_cli_alias_bomb_exit_2_within_memory_and_time(tmp_path: Path) -> None:
    """9**9 strings from 600 bytes: refused with exit 2 while capped at 512 MB of address space.

    Before the YAML limits this run ended in exit 3 (MemoryError) after about 90 s and 3.5 GB.
    """
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (512 * 1024 * 1024, 512 * 1024 * 1024))

    path = tmp_path / "bomb.yaml"
    path.write_text(_BOMB, encoding="utf-8")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _STUB, "clean", "--study", str(path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=60,
                          check=False, preexec_fn=cap)
    elapsed = time.perf_counter() - t0
    _check(proc, "展开别名后超过 100,000 个值", "bomb.yaml")
    assert proc.stderr.count("错误：") == 1
    assert elapsed < 15  # interpreter start-up included; the check itself takes milliseconds


def test_cli_output_into_raw_folder_exit_2(make_study, tmp_path: Path) -> None:
    path = make_study(lambda d: d.__setitem__("output_dir", "data/raw"))
    before = (tmp_path / "data" / "raw" / "本院.csv").read_bytes()
    proc = _run(["clean", "--study", str(path)], code=_STUB)
    _check(proc, "输出文件夹与原始数据文件夹重叠", "配置项：output_dir", "data/raw")
    assert (tmp_path / "data" / "raw" / "本院.csv").read_bytes() == before
