"""Hostile and silently wrong inputs (issue #11): zip bombs, over-long cells, formulas without
results, a title row above the header, BOM-less UTF-16, a full or read-only disk, a tampered
raw file under ``survey verify``.

Each planted input must give one clear Chinese message (exit 2, or exit 1 for ``verify``) with
the previous outputs untouched, or be read correctly. The end-to-end versions of the reader
cases are in the bad-input corpus (``tests/bad_inputs/badinput_cases.py``).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
from demo_copy import tree_hashes

from survey import cli
from survey.errors import SurveyError
from survey.io import atomic
from survey.io.atomic import AtomicOutput, write_atomic
from survey.io.readers import tabular
from survey.io.readers.tabular import ReadLimits, read_table

HOME_TEXT_XLSX = (
    "data/raw/demo/301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
)
SHEET = "xl/worksheets/sheet1.xml"


# -- helpers ------------------------------------------------------------------------------------
def _workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def _rewrite_sheet(path: Path, edit) -> None:
    """Rewrite the first sheet's XML of an .xlsx (``edit(bytes) -> bytes``), streaming."""
    with zipfile.ZipFile(path) as zin:
        parts = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename == SHEET:
                with zout.open(SHEET, "w", force_zip64=True) as fh:
                    for chunk in edit(data):
                        fh.write(chunk)
            else:
                zout.writestr(info, data)


def _padding_rows(megabytes: float):
    """Edit for :func:`_rewrite_sheet`: append rows of one 100,000-letter cell each."""

    def edit(xml: bytes):
        head, tail = xml.split(b"</sheetData>")
        yield head
        last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', head))
        cell = b"A" * 100_000
        for k in range(int(megabytes * 10)):
            r = str(last + 1 + k).encode()
            yield b'<row r="' + r + b'"><c r="A' + r + b'" t="inlineStr"><is><t>' + cell
            yield b"</t></is></c></row>"
        yield b"</sheetData>" + tail

    return edit


def _error(call) -> str:
    with pytest.raises(SurveyError) as info:
        call()
    return info.value.message_zh()


# -- zip bombs ----------------------------------------------------------------------------------
def test_xlsx_part_over_size_limit_refused_before_parsing(tmp_path, monkeypatch) -> None:
    p = _workbook(tmp_path / "bomb.xlsx", [["序号", "答案"], [1, "同意"]])
    _rewrite_sheet(p, _padding_rows(3))

    def no_parse(*_a, **_k):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(tabular, "_sheet_rows_calamine", no_parse)
    monkeypatch.setattr(tabular, "_sheet_rows_openpyxl", no_parse)
    msg = _error(lambda: read_table(p, display="bomb.xlsx",
                                    limits=ReadLimits(max_part_bytes=1024**2)))
    assert "工作簿中的部件 xl/worksheets/sheet1.xml 解压后有 2.9 MB" in msg
    assert "超过上限 1.0 MB" in msg and "文件：bomb.xlsx" in msg


def test_xlsx_absurd_compression_ratio_refused(tmp_path) -> None:
    p = _workbook(tmp_path / "bomb.xlsx", [["序号", "答案"], [1, "同意"]])
    _rewrite_sheet(p, _padding_rows(12))
    msg = _error(lambda: read_table(p))
    assert "压缩比异常" in msg and "上限 200 倍" in msg and "压缩炸弹" in msg
    # The same workbook passes when the ratio limit is lifted (the size is below 200 MB).
    table = read_table(p, limits=ReadLimits(max_ratio=10_000))
    assert len(table.excel_rows) == 1 + 120


def test_small_compressible_parts_are_not_refused(tmp_path) -> None:
    # 2 MB of one letter compresses ~1000 times but stays under the ratio floor (10 MB).
    p = _workbook(tmp_path / "ok.xlsx", [["序号", "答案"], [1, "同意"]])
    _rewrite_sheet(p, _padding_rows(2))
    assert len(read_table(p).excel_rows) == 21


def test_zip_bomb_peak_memory_is_bounded(tmp_path) -> None:
    """A sheet inflating to 250 MB: refused with the memory of an idle interpreter.

    Unchecked, calamine inflated a 900 MB sheet to 1.9 GB of memory (``/usr/bin/time -v``).
    """
    p = _workbook(tmp_path / "bomb.xlsx", [["序号", "答案"], [1, "同意"]])
    _rewrite_sheet(p, _padding_rows(250))
    assert p.stat().st_size < 1_000_000
    code = textwrap.dedent(f"""
        from survey.errors import SurveyError
        from survey.io.readers.tabular import read_table
        try:
            read_table({str(p)!r})
        except SurveyError as exc:
            print("refused" if "超过上限 200.0 MB" in str(exc) else str(exc))
        # VmHWM is this process's own peak; getrusage's ru_maxrss survives exec and reports
        # the forking pytest worker's size when that is larger.
        status = open("/proc/self/status", encoding="ascii").read()
        print(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM:")))
    """)
    if not os.path.isfile("/proc/self/status"):
        pytest.skip("/proc/self/status is Linux-only")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    verdict, maxrss_kb = out.stdout.split()
    assert verdict == "refused"
    assert int(maxrss_kb) < 400 * 1024, maxrss_kb


# -- cells ----------------------------------------------------------------------------------------
def test_csv_cell_over_limit_names_row_and_column(tmp_path) -> None:
    p = tmp_path / "long.csv"
    p.write_text("序号,党支部\r\n1,机电\r\n2," + "长" * 500 + "\r\n", encoding="utf-8")
    msg = _error(lambda: read_table(p, limits=ReadLimits(max_cell_chars=100)))
    assert "单元格内容过长（500 个字符），超过上限 100 个字符" in msg
    assert "行：第 3 行" in msg and "列：党支部（B 列）" in msg
    assert len(read_table(p, limits=ReadLimits(max_cell_chars=500)).excel_rows) == 2


def test_xlsx_cell_over_limit(tmp_path) -> None:
    p = _workbook(tmp_path / "long.xlsx", [["序号", "意见"], [1, "好"], [2, "好"], [3, "x" * 300]])
    msg = _error(lambda: read_table(p, limits=ReadLimits(max_cell_chars=200)))
    assert "行：第 4 行" in msg and "列：意见（B 列）" in msg


# -- formulas -------------------------------------------------------------------------------------
def test_formula_without_cached_value_refused(tmp_path) -> None:
    # openpyxl saves formulas without results, as any program that does not calculate.
    p = _workbook(tmp_path / "f.xlsx", [["序号", "得分", "合计"], [1, 3, "=B2*2"], [2, 4, "=B3*2"]])
    msg = _error(lambda: read_table(p, display="f.xlsx"))
    assert "2 个公式单元格没有保存计算结果（C2、C3）" in msg
    assert "行：第 2 行" in msg and "列：C 列" in msg and "选择性粘贴为数值" in msg


def test_formula_with_cached_value_reads_the_value(tmp_path) -> None:
    p = _workbook(tmp_path / "f.xlsx", [["序号", "得分", "合计"], [1, 3, "=B2*2"], [2, 4, '=""']])

    def cache(xml: bytes):
        # What Excel writes: the number result, and an empty text result typed t="str".
        xml = xml.replace(b"<f>B2*2</f><v></v>", b"<f>B2*2</f><v>6</v>")
        yield re.sub(rb'<c r="C3"([^>]*)><f>""</f><v></v>', rb'<c r="C3" t="str"><f>""</f><v></v>',
                     xml)

    _rewrite_sheet(p, cache)
    table = read_table(p)
    assert table.data["合计"].astype(str).tolist() == ["6", ""]


# -- title row ------------------------------------------------------------------------------------
def test_title_row_above_header_csv(tmp_path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("\r\n2026 年党建调研,,\r\n序号,提交答卷时间,1、性别\r\n1,2026/09/03,男\r\n",
                 encoding="utf-8")
    msg = _error(lambda: read_table(p))
    assert "表头之上有标题行：第 2 行只有一个单元格（“2026 年党建调研”），第 3 行才是列标题" in msg
    assert "行：第 2 行" in msg and "删除第 2 行" in msg


def test_one_column_table_is_not_a_title(tmp_path) -> None:
    p = tmp_path / "names.csv"
    p.write_text("姓名\r\n张三\r\n李四\r\n", encoding="utf-8")
    assert read_table(p).header == ["姓名"]


# -- UTF-16 ---------------------------------------------------------------------------------------
TEXT = "序号\t提交答卷时间\t1、您对“一岗双责”的看法\r\n1\t2026/09/03 12:00:00\t一般\r\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(tmp_path, codec) -> None:
    p = tmp_path / "u.csv"
    p.write_bytes(TEXT.encode(codec))
    table = read_table(p)
    assert table.encoding == codec
    assert table.header[2] == "1、您对“一岗双责”的看法"
    assert table.data.iloc[0].tolist() == ["1", "2026/09/03 12:00:00", "一般"]


def test_utf16_under_a_wrong_declared_encoding_gets_a_hint(tmp_path) -> None:
    p = tmp_path / "u.csv"
    p.write_bytes(TEXT.encode("utf-16-le"))
    msg = _error(lambda: read_table(p, encoding="gbk"))
    assert "文件看起来是 UTF-16 编码" in msg and "encoding 改为 auto（可识别 UTF-16）" in msg


def test_binary_is_not_taken_for_utf16(tmp_path) -> None:
    import random

    rng = random.Random(7)
    p = tmp_path / "b.csv"
    p.write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))
    assert tabular._utf16_guess(p.read_bytes()) is None
    with pytest.raises(SurveyError):
        read_table(p)


# -- disk full, no permission, read-only ----------------------------------------------------------
def _fail_with(code: int):
    def fail(*_a, **_k):
        raise OSError(code, os.strerror(code))

    return fail


def _previous_run(tmp_path: Path, *names: str) -> tuple[Path, dict[str, str]]:
    """An output folder holding one earlier run's ``names``, and its hashes."""
    dest = tmp_path / "processed"
    with AtomicOutput(dest) as staging:
        for name in names:
            (staging / name).write_text(f"old {name}", encoding="utf-8")
    return dest, tree_hashes(dest)


def test_write_atomic_disk_full_leaves_target(tmp_path, monkeypatch) -> None:
    target = tmp_path / "out" / "page.html"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(atomic.os, "fsync", _fail_with(errno.ENOSPC))
    msg = _error(lambda: write_atomic(target, "x" * 3_000_000))
    assert "无法写入输出文件夹：磁盘空间不足" in msg
    assert "本次需要写入约 2.9 MB，该磁盘剩余" in msg and f"文件：{target.parent}" in msg
    assert "原有输出保持不变" in msg
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "磁盘空间不足"),
    (errno.EACCES, "没有写入权限"),
    (errno.EROFS, "只读文件系统"),
    (errno.EDQUOT, "超出磁盘配额"),
])
def test_atomic_output_write_error_in_staging(tmp_path, monkeypatch, code, words) -> None:
    dest, before = _previous_run(tmp_path, "a.csv", "manifest.json")
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        if ".staging-" in str(self) and self.name == "b.csv":
            raise OSError(code, os.strerror(code), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)

    def run() -> None:
        with AtomicOutput(dest) as staging:
            (staging / "a.csv").write_bytes(b"new a" * 1000)
            (staging / "b.csv").write_bytes(b"new b")

    msg = _error(run)
    assert f"无法写入输出文件夹：{words}" in msg and f"文件：{dest}" in msg
    assert "已写入约 0.0 MB 时出错" in msg and "b.csv" in msg
    assert tree_hashes(dest) == before
    assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def test_atomic_output_disk_full_while_moving_rolls_back(tmp_path, monkeypatch) -> None:
    dest, before = _previous_run(tmp_path, "a.csv", "b.csv", "manifest.json")
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(SurveyError) as info, AtomicOutput(dest) as staging:
        for name in ("a.csv", "b.csv", "manifest.json"):
            (staging / name).write_text(f"new {name}", encoding="utf-8")
    assert "磁盘空间不足" in info.value.message_zh()
    monkeypatch.setattr(atomic.os, "replace", real)
    assert tree_hashes(dest) == before


def test_atomic_output_read_only_parent(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(atomic.tempfile, "mkdtemp", _fail_with(errno.EROFS))
    msg = _error(lambda: AtomicOutput(tmp_path / "processed").__enter__())
    assert "只读文件系统" in msg and "把 output_dir 改到可写的磁盘" in msg


# -- through the CLI ------------------------------------------------------------------------------
@pytest.fixture
def study_copy(cleaned_small_demo, tmp_path) -> Path:
    """A private copy of the cleaned small demo; returns its study file."""
    study, _ = cleaned_small_demo
    root = tmp_path / "study"
    shutil.copytree(study.parent, root)
    return root / "study.yaml"


def _cli(*args: str) -> tuple[int, str]:
    cli._SHOWN.clear()
    err = io.StringIO()
    saved = __import__("warnings").showwarning
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main([*args, "-q"])
    finally:
        __import__("warnings").showwarning = saved
    return code, err.getvalue()


def test_clean_on_a_full_disk_exits_2_outputs_untouched(study_copy, monkeypatch) -> None:
    processed = study_copy.parent / "data" / "processed"
    before = tree_hashes(processed)
    real = Path.write_bytes

    def write_bytes(self: Path, data: bytes) -> int:
        if ".staging-" in str(self) and self.suffix == ".csv":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    code, err = _cli("clean", "--study", str(study_copy))
    assert code == 2, err
    assert err.startswith("错误：无法写入输出文件夹：磁盘空间不足（No space left on device）")
    assert f"文件：{processed}" in err and "程序内部错误" not in err
    assert tree_hashes(processed) == before
    assert [p.name for p in processed.parent.iterdir() if ".staging-" in p.name] == []


def test_cli_os_error_outside_the_writers(study_copy, monkeypatch) -> None:
    import survey.pipeline

    monkeypatch.setattr(survey.pipeline, "run_clean", _fail_with(errno.ENOSPC))
    code, err = _cli("clean", "--study", str(study_copy))
    assert code == 2 and "磁盘空间不足" in err, err
    monkeypatch.setattr(survey.pipeline, "run_clean", _fail_with(errno.EIO))
    code, err = _cli("clean", "--study", str(study_copy))
    assert code == 3 and "程序内部错误" in err, err


@pytest.mark.parametrize("tamper", ["truncate", "edit_cell"])
def test_verify_reports_a_tampered_raw_xlsx_by_its_hash(study_copy, tamper) -> None:
    p = study_copy.parent / HOME_TEXT_XLSX
    if tamper == "truncate":
        p.write_bytes(p.read_bytes()[:5000])
    else:
        wb = openpyxl.load_workbook(p)
        wb.worksheets[0].cell(row=3, column=2, value="2026/09/03 12:00:00")
        wb.save(p)
    code, err = _cli("verify", "--study", str(study_copy))
    assert code == 1, err
    raw = json.loads((study_copy.parent / "data/processed/manifest.json").read_text(
        encoding="utf-8"))["raw_files"]
    name = next(e["name"] for e in raw if e["name"].endswith(p.name))
    assert f"原始数据文件 {name} 与 manifest 记录的 SHA-256 不同" in err, err
    assert "未重新清洗" in err
    assert "损坏" not in err and "错误：" not in err
