"""Issue §9 through the real CLI: every bad input gives exit status 2, one Simplified Chinese
message on stderr naming the file, the Excel row, the column and what was expected, no traceback
(unless ``--debug``), and leaves the previous outputs in ``data/processed`` byte for byte as they
were.

Each case breaks a private copy of an already cleaned small demo (``study_copy``: the demo study
with each questionnaire export cut to 60 answers, ``demo_copy.copy_small_demo``). The messages
asserted here are the ones listed in ``docs/errors.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_helpers import (
    CODEBOOK,
    GBK_CODE_CSV,
    HOME_TEXT_XLSX,
    TEXT_CSV,
    StudyCopy,
    survey_cmd,
)

LIKERT_HEADER = "第12题(党组织的学习教育对我的思想和工作有实际帮助)"


def _file_entry(data: dict, rel: str) -> dict:
    for f in data["questionnaire"]["files"]:
        if f["path"] == rel:
            return f
    raise KeyError(rel)


# -- the breakers: each changes the copy and returns nothing ----------------------------------
def missing_column(s: StudyCopy) -> None:
    def drop(rows: list[list[str]]) -> None:
        j = rows[0].index(LIKERT_HEADER)
        for r in rows:
            del r[j]

    s.edit_csv(TEXT_CSV, "utf-8-sig", drop)


def unmapped_header(s: StudyCopy) -> None:
    def add(rows: list[list[str]]) -> None:
        rows[0].append("99、新增题目")
        for r in rows[1:]:
            r.append("是")

    s.edit_csv(TEXT_CSV, "utf-8-sig", add)


def unknown_label(s: StudyCopy) -> None:
    def relabel(rows: list[list[str]]) -> None:
        j = rows[0].index(LIKERT_HEADER)
        rows[6][j] = "有点同意"  # data row 6 = Excel row 7

    s.edit_csv(TEXT_CSV, "utf-8-sig", relabel)


def gbk_declared_utf8(s: StudyCopy) -> None:
    s.edit_yaml("study.yaml", lambda d: _file_entry(d, GBK_CODE_CSV).__setitem__("encoding", "utf-8"))


def undecodable_auto(s: StudyCopy) -> None:
    # Bytes that are neither UTF-8 nor GB18030 (0xFF never starts a character in either).
    p = s.path(TEXT_CSV)
    data = p.read_bytes()
    cut = data.index(b"\n", data.index(b"\n") + 1) + 1  # after the first data row
    p.write_bytes(data[:cut] + b"\xff\xfe\xff" + data[cut:])
    s.edit_yaml("study.yaml", lambda d: _file_entry(d, TEXT_CSV).__setitem__("encoding", "auto"))


def corrupt_xlsx(s: StudyCopy) -> None:
    p = s.path(HOME_TEXT_XLSX)
    data = bytearray(p.read_bytes())
    mid = len(data) // 3
    data[mid : mid + 4096] = bytes(range(256)) * 16  # garbage inside the zip's compressed parts
    p.write_bytes(bytes(data))


def truncated_xlsx(s: StudyCopy) -> None:
    p = s.path(HOME_TEXT_XLSX)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def empty_file(s: StudyCopy) -> None:
    s.path(TEXT_CSV).write_bytes(b"")


def missing_file(s: StudyCopy) -> None:
    s.path(TEXT_CSV).unlink()


def unknown_key(s: StudyCopy) -> None:
    s.edit_yaml("study.yaml", lambda d: d["cleaning"].__setitem__("speeder", {"enabled": True}))


def codebook_error(s: StudyCopy) -> None:
    def edit(d: dict) -> None:
        scale = d["scales"][1]
        scale["items"].append("P9_9")

    s.edit_yaml(CODEBOOK, edit)


ROW1 = "行：第 1 行（Excel 中显示的行号）"

# name → (breaker, fragments the message must contain: problem, file, row, column, expected)
CASES: dict[str, tuple[Callable[[StudyCopy], None], list[str]]] = {
    "missing_column": (missing_column, [
        "错误：文件中缺少编码手册要求的题目 P1_2（党组织的学习教育对我的思想和工作有实际帮助）",
        f"文件：{TEXT_CSV}", ROW1,
        f"应为：表头中有“{LIKERT_HEADER}”或“12.(党组织的学习教育对我的思想和工作有实际帮助)”",
    ]),
    "unmapped_header": (unmapped_header, [
        "错误：无法识别的列：编码手册中没有与该列标题对应的题目、标识列或元数据列",
        f"文件：{TEXT_CSV}", ROW1, "列：99、新增题目（BK 列）",
        "应为：编码手册中某个题目的 source（question/row、header 或 column）与之对应",
        "ignore_columns",
    ]),
    "unknown_label": (unknown_label, [
        "错误：选项“有点同意”不在编码手册该题的选项中",
        f"文件：{TEXT_CSV}", "行：第 7 行（Excel 中显示的行号）", f"列：{LIKERT_HEADER}（S 列）",
        "应为：以下选项之一：非常不同意（1）、不同意（2）、一般（3）、同意（4）、非常同意（5）",
        "option_aliases",
    ]),
    "gbk_declared_utf8": (gbk_declared_utf8, [
        "错误：文件无法按指定的编码 utf-8 解码：第 1 行附近（第 1 个字节，字节值 0xD0）",
        f"文件：{GBK_CODE_CSV}", "应为：utf-8 编码的文本", "encoding 改为 auto",
    ]),
    "undecodable_auto": (undecodable_auto, [
        "错误：无法识别文件的文本编码：第 3 行附近",
        "字节值 0xFF）不是合法的 UTF-8 或 GBK 字符",
        f"文件：{TEXT_CSV}", "应为：UTF-8（可带 BOM）或 GBK/GB18030 编码的 CSV 文本",
    ]),
    "corrupt_xlsx": (corrupt_xlsx, [
        "错误：Excel 文件已损坏或不完整（可能下载或复制时中断），无法打开",
        f"文件：{HOME_TEXT_XLSX}", "应为：完整的 .xlsx 工作簿", "重新从问卷平台下载",
    ]),
    "truncated_xlsx": (truncated_xlsx, [
        "错误：Excel 文件已损坏或不完整（可能下载或复制时中断），无法打开",
        f"文件：{HOME_TEXT_XLSX}", "应为：完整的 .xlsx 工作簿",
    ]),
    "empty_file": (empty_file, [
        "错误：文件是空的（0 字节或只有空白）", f"文件：{TEXT_CSV}", "重新下载该文件",
    ]),
    "missing_file": (missing_file, [
        "错误：study.yaml 中列出的文件不存在", "study.yaml", "配置项：questionnaire.files[3].path",
        "应为：存在的文件：", TEXT_CSV,
    ]),
    "unknown_key": (unknown_key, [
        "错误：研究配置（study.yaml）文件有 1 处问题：",
        "cleaning.speeder：未知的配置项（可能是拼写错误）", "study.yaml", "配置项：cleaning.speeder",
    ]),
    "codebook_error": (codebook_error, [
        "错误：编码手册（codebook）文件有 1 处问题：",
        "scales[1].items[5]：量表 P2 列出的题目 P9_9 不在 items 中",
        "codebook.yaml", "配置项：scales[1].items[5]",
    ]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_one_chinese_message(study_copy: StudyCopy, case: str) -> None:
    breaker, fragments = CASES[case]
    breaker(study_copy)
    proc = study_copy.clean()
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    # One message: progress lines (读取问卷文件……) may precede it, nothing else is an error.
    assert proc.stderr.count("错误：") == 1, proc.stderr
    message = proc.stderr[proc.stderr.index("错误：") :]
    for frag in fragments:
        assert frag in message, f"{frag!r} not in\n{message}"
    assert "完成，用时" not in proc.stderr and proc.stdout == ""
    assert study_copy.processed_unchanged()


def test_debug_shows_the_traceback(study_copy: StudyCopy) -> None:
    unknown_label(study_copy)
    proc = study_copy.clean("--debug")
    assert proc.returncode not in (0, 2)
    assert "Traceback (most recent call last)" in proc.stderr
    assert "survey.errors.SurveyError" in proc.stderr and "有点同意" in proc.stderr
    assert study_copy.processed_unchanged()


def test_missing_file_is_named_relative_to_the_study(study_copy: StudyCopy) -> None:
    """Run from the study folder with a relative ``--study``: the message names the files as
    the user wrote them."""
    missing_file(study_copy)
    proc = survey_cmd("clean", "--study", "study.yaml", cwd=study_copy.root)
    assert proc.returncode == 2
    assert "  文件：study.yaml\n" in proc.stderr
    assert study_copy.processed_unchanged()
