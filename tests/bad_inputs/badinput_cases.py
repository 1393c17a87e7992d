"""The bad-input corpus: each case alters a copy of the small demo and says what must happen.

A case is a *generator* (a function that breaks a :class:`StudyDir` in place, starting from the
small demo: the committed demo study with each questionnaire export cut to its first
:data:`~demo_copy.SMALL_ROWS` answers, see ``tests/demo_copy.py``) plus the expected outcome:

``error``
    ``survey clean`` exits 2 and prints ONE Simplified Chinese message (``错误：…``) naming the
    file and, where they apply, the row as Excel shows it and the column; no traceback; the
    outputs of the previous run are untouched.
``warn``
    the input is legal but odd: a new ``注意：…`` line on stderr and exit 0.
``ok``
    legal input handled silently and correctly (an extra check says how).

``fragments`` must all appear in the message (``error``) or in the new warnings (``warn``).
Cases marked ``cli=True`` run through a real ``python -m survey`` process; the others call
``survey.cli.main`` in the test process.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from badinput_helpers import (
    CODEBOOK,
    GBK_CODE_CSV,
    GENERIC_XLSX,
    HOME_CODE_XLSX,
    HOME_TEXT_XLSX,
    INDICATORS,
    NAMES,
    ROSTER,
    SESSIONS,
    SMALL_ROWS,
    STATEMENTS,
    SUMMARIES,
    TEXT_CSV,
    THEMES,
    StudyDir,
)

Expect = Literal["error", "warn", "ok"]

LIKERT_TEXT = "第12题(党组织的学习教育对我的思想和工作有实际帮助)"
SUBMITTED = "提交答卷时间"
ROW1 = "行：第 1 行（Excel 中显示的行号）"


@dataclass(frozen=True)
class Case:
    """One corpus entry (see the module docstring)."""

    id: str
    title: str
    make: Callable[[StudyDir], None]
    expect: Expect
    fragments: tuple[str, ...] = ()
    cli: bool = False
    check: Callable[[StudyDir], None] | None = None
    #: Why the expected outcome is what it is (shown in docs/bad-inputs.md when set).
    why: str = ""
    needs_non_root: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------------------------


def truncated_xlsx(s: StudyDir) -> None:
    p = s.path(HOME_TEXT_XLSX)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])


def xls_renamed_xlsx(s: StudyDir) -> None:
    """A real BIFF .xls (old 问卷星 download) saved under the .xlsx name of the home file."""
    import openpyxl
    import xlwt

    wb = openpyxl.load_workbook(s.path(HOME_TEXT_XLSX), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None:
                sheet.write(i, j, v)
    buf = io.BytesIO()
    book.save(buf)
    s.path(HOME_TEXT_XLSX).write_bytes(buf.getvalue())


def html_xls(s: StudyDir) -> None:
    """Old 问卷星 ".xls" downloads were sometimes HTML tables: the home file as one."""
    from html import escape

    from survey.io.readers.tabular import read_table

    t = read_table(s.path(HOME_TEXT_XLSX))
    rows = [t.header, *t.data.to_numpy().tolist()]
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    s.path(HOME_TEXT_XLSX).write_text(f"<html><body><table>{body}</table></body></html>", encoding="utf-8")


def utf8_declared_gbk(s: StudyDir) -> None:
    """The UTF-8 (BOM) 按文本 CSV declared ``encoding: gbk`` in study.yaml."""
    s.set_file_option(TEXT_CSV, "encoding", "gbk")


def mixed_encoding(s: StudyDir) -> None:
    """First half of the rows UTF-8, second half GBK (two exports pasted together)."""
    raw = s.path(TEXT_CSV).read_bytes().decode("utf-8-sig")
    lines = raw.split("\r\n")
    half = len(lines) // 2
    data = ("\r\n".join(lines[:half]) + "\r\n").encode("utf-8") + "\r\n".join(lines[half:]).encode(
        "gb18030"
    )
    s.path(TEXT_CSV).write_bytes(data)
    s.set_file_option(TEXT_CSV, "encoding", "auto")


def gbk_no_bom_auto(s: StudyDir) -> None:
    """The 按文本 CSV re-saved as BOM-less GBK (Excel "CSV (逗号分隔)"), encoding: auto."""
    text = s.path(TEXT_CSV).read_bytes().decode("utf-8-sig")
    s.path(TEXT_CSV).write_bytes(text.encode("gb18030"))
    s.set_file_option(TEXT_CSV, "encoding", "auto")


def utf16_csv(s: StudyDir) -> None:
    """The 按文本 CSV saved as UTF-16 ("Unicode 文本") with commas kept, encoding: auto."""
    text = s.path(TEXT_CSV).read_bytes().decode("utf-8-sig")
    s.path(TEXT_CSV).write_bytes(text.encode("utf-16"))
    s.set_file_option(TEXT_CSV, "encoding", "auto")


def unknown_encoding_name(s: StudyDir) -> None:
    s.set_file_option(TEXT_CSV, "encoding", "gbk2312")


def missing_header_row(s: StudyDir) -> None:
    s.edit_csv(TEXT_CSV, "utf-8-sig", lambda rows: rows.pop(0))


def duplicated_headers(s: StudyDir) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[0][rows[0].index("第12题(学院积极运用“智慧党建”等新的学习载体)")] = LIKERT_TEXT

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def header_only_csv(s: StudyDir) -> None:
    s.edit_csv(TEXT_CSV, "utf-8-sig", lambda rows: rows.__delitem__(slice(1, None)))


def whitespace_only_csv(s: StudyDir) -> None:
    s.path(TEXT_CSV).write_bytes(b"\r\n  \r\n\t\r\n")


def empty_first_sheet(s: StudyDir) -> None:
    """An empty sheet inserted before the data (the export pasted into a new workbook)."""
    import openpyxl

    p = s.path(HOME_TEXT_XLSX)
    wb = openpyxl.load_workbook(p)
    wb.create_sheet("Sheet0", 0)
    wb.save(p)


def missing_sheet_name(s: StudyDir) -> None:
    s.set_file_option(HOME_TEXT_XLSX, "sheet", "答卷数据")


def unknown_label_xlsx(s: StudyDir) -> None:
    def edit(ws: object) -> None:
        header = [c.value for c in ws[1]]
        ws.cell(row=12, column=header.index(LIKERT_TEXT) + 1, value="比较同意")

    s.edit_xlsx(HOME_TEXT_XLSX, edit)


def other_version(s: StudyDir) -> None:
    """The 丙 CSV from a version of the questionnaire without question 19 (multiple choice)."""

    def edit(rows: list[list[str]]) -> None:
        j = next(i for i, h in enumerate(rows[0]) if h.startswith("19、"))
        for r in rows:
            del r[j]

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def all_missing_likert(s: StudyDir) -> None:
    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index(LIKERT_TEXT)
        for r in rows[1:]:
            r[j] = "(跳过)"

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def duplicated_seq(s: StudyDir) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[11][0] = rows[10][0]  # Excel rows 11 and 12 share one 序号

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def unparseable_time(s: StudyDir) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[14][rows[0].index(SUBMITTED)] = "九月三日中午"  # Excel row 15

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def excel_serial_dates(s: StudyDir) -> None:
    """提交答卷时间 as Excel serial numbers (the column was formatted as 常规 in Excel)."""

    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index(SUBMITTED)
        for r in rows[1:]:
            t = pd.Timestamp(r[j].replace("/", "-"))
            serial = (t - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
            r[j] = f"{serial:.6f}"

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def phone_scientific(s: StudyDir) -> None:
    """Three phone numbers turned into 1.38001E+10 by Excel."""

    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index("2、您的手机号码")
        done = 0
        for r in rows[20:]:
            if r[j].isdigit() and done < 3:
                r[j] = f"{float(r[j]):.5E}"  # 13812345678 -> 1.38123E+10
                done += 1

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


BIG = 1_000_000


def huge_text_cell(s: StudyDir) -> None:
    """A 1 MB free-text answer (someone pasted a whole document)."""

    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index("5、您所在的党支部（请填写全称）")
        rows[30][j] = "机电学院党支部" + "很长的文字" * (BIG // 5)

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def formula_text(s: StudyDir) -> None:
    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index("5、您所在的党支部（请填写全称）")
        for i, v in ((40, "=HYPERLINK(\"http://x\",\"点我\")"), (41, "+SUM(1,2)"), (42, "@cmd"),
                     (43, "-1+2")):
            rows[i][j] = v

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def check_formula_escaped(s: StudyDir) -> None:
    text = s.path("data/processed/responses.csv").read_bytes().decode("utf-8-sig")
    for bad in ("=HYPERLINK", "+SUM(1,2)", "@cmd", "-1+2"):
        assert f",{bad}" not in text and f'\n{bad}' not in text and f',"{bad}' not in text, bad
    assert "'=HYPERLINK" in text and "'+SUM(1,2)" in text and "'@cmd" in text


def check_huge_text(s: StudyDir) -> None:
    df = pd.read_parquet(s.path("data/processed/responses.parquet"))
    assert df["branch"].astype(str).str.len().max() > BIG  # full text kept in Parquet
    assert s.path("data/processed/responses.sav").stat().st_size < 100_000_000


def directory_instead_of_file(s: StudyDir) -> None:
    """The file named in study.yaml is a folder (unreadable; what chmod 000 is for a non-root
    user — CI runs as root, where chmod cannot make a file unreadable)."""
    p = s.path(TEXT_CSV)
    p.unlink()
    p.mkdir()


def unreadable_chmod(s: StudyDir) -> None:
    s.path(GBK_CODE_CSV).chmod(0)


def study_key_typo(s: StudyDir) -> None:
    """``questionaire:`` instead of ``questionnaire:``."""
    text = s.study.read_text(encoding="utf-8").replace("\nquestionnaire:", "\nquestionaire:", 1)
    s.study.write_text(text, encoding="utf-8")


def study_yaml_syntax(s: StudyDir) -> None:
    """A tab and an unclosed bracket: the YAML itself does not parse."""
    text = s.study.read_text(encoding="utf-8").replace(
        "  start: 2026-09-01", "  start: [2026-09-01", 1
    )
    s.study.write_text(text, encoding="utf-8")


def fieldwork_reversed(s: StudyDir) -> None:
    s.edit_yaml("study.yaml", lambda d: d["fieldwork"].update(end="2026-08-01"))


def scale_missing_item(s: StudyDir) -> None:
    s.edit_yaml(CODEBOOK, lambda d: d["scales"][0]["items"].append("P1_9"))


def reverse_non_likert(s: StudyDir) -> None:
    """A scale built from the numeric item ``years`` with ``years`` reverse-keyed."""

    def edit(d: dict) -> None:
        d["scales"].append({"id": "P6", "label": "党龄", "items": ["years", "P1_1"], "reverse": ["years"]})

    s.edit_yaml(CODEBOOK, edit)


def alias_unknown_variable(s: StudyDir) -> None:
    s.edit_yaml("study.yaml", lambda d: d["questionnaire"]["aliases"].update(dept={"机电": ["机电系"]}))


def crosscheck_same_variant(s: StudyDir) -> None:
    s.set_file_option(HOME_TEXT_XLSX, "crosscheck", HOME_TEXT_XLSX)


def zero_rows_kept(s: StudyDir) -> None:
    """Fieldwork dates a year later: every submission counts as a test submission."""
    s.edit_yaml("study.yaml", lambda d: d["fieldwork"].update(start="2027-09-01", end="2027-10-15"))


def _xlsx_set(s: StudyDir, rel: str, row: int, header: str, value: object) -> None:
    def edit(ws: object) -> None:
        names = [c.value for c in ws[1]]
        ws.cell(row=row, column=names.index(header) + 1).value = value  # None clears the cell

    s.edit_xlsx(rel, edit)


def unknown_theme_code(s: StudyDir) -> None:
    _xlsx_set(s, STATEMENTS, 9, "编码员A", "T03；T99")


def statement_unknown_session(s: StudyDir) -> None:
    _xlsx_set(s, STATEMENTS, 6, "场次编号", "ZT99")


def statement_empty_session(s: StudyDir) -> None:
    _xlsx_set(s, STATEMENTS, 7, "场次编号", None)


def duplicate_theme_code(s: StudyDir) -> None:
    _xlsx_set(s, THEMES, 3, "主题编码", "T01")


def session_bad_date(s: StudyDir) -> None:
    _xlsx_set(s, SESSIONS, 4, "日期", "九月中旬")


def summary_n_zero(s: StudyDir) -> None:
    _xlsx_set(s, SUMMARIES, 5, "样本量", 0)


def summary_negative_sd(s: StudyDir) -> None:
    _xlsx_set(s, SUMMARIES, 8, "标准差", -0.5)


def indicator_non_numeric(s: StudyDir) -> None:
    _xlsx_set(s, INDICATORS, 4, "数值", "较高")


def roster_negative(s: StudyDir) -> None:
    _xlsx_set(s, ROSTER, 3, "人数", -12)


def roster_fraction(s: StudyDir) -> None:
    _xlsx_set(s, ROSTER, 5, "人数", 12.5)


def names_without_column(s: StudyDir) -> None:
    _xlsx_set(s, NAMES, 1, "姓名", "党员")


def key_file_in_git(s: StudyDir) -> None:
    """A real (non-synthetic) study whose key file sits inside its git work tree."""
    subprocess.run(["git", "init", "-q", str(s.root)], check=True, capture_output=True)
    (s.root / "pseudonym.key").write_text("a3" * 32 + "\n", encoding="utf-8")

    def edit(d: dict) -> None:
        d["synthetic"] = False
        d["privacy"] = {"key_env": "SURVEY_TEST_UNSET_KEY_VAR", "key_file": str(s.root / "pseudonym.key")}

    s.edit_yaml("study.yaml", edit)


def no_key_for_real_study(s: StudyDir) -> None:
    def edit(d: dict) -> None:
        d["synthetic"] = False
        d["privacy"] = {"key_env": "SURVEY_TEST_UNSET_KEY_VAR", "key_file": str(s.root / "nokey.key")}

    s.edit_yaml("study.yaml", edit)


def output_dir_is_file(s: StudyDir) -> None:
    (s.root / "outfile").write_text("不是文件夹\n", encoding="utf-8")
    s.edit_yaml("study.yaml", lambda d: d.update(output_dir="outfile"))


def generic_duplicate_id(s: StudyDir) -> None:
    def edit(ws: object) -> None:
        names = [c.value for c in ws[1]]
        ws.cell(row=1, column=names.index("P1_2") + 1, value="P1_1")

    s.edit_xlsx(GENERIC_XLSX, edit)


def numeric_text_years(s: StudyDir) -> None:
    _xlsx_set(s, GENERIC_XLSX, 10, "years", "十年")


def code_csv_out_of_range(s: StudyDir) -> None:
    """按序号 CSV with a likert code 7 (only 1–5 exist) and a -3 skip code."""

    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index(LIKERT_TEXT)
        rows[5][j] = "7"
        rows[6][j] = "-3"

    s.edit_csv(GBK_CODE_CSV, "gbk", edit)


def check_cell_change(s: StudyDir) -> None:
    changes = pd.read_csv(s.path("data/processed/cell_changes.csv"), dtype=str, encoding="utf-8-sig")
    hit = changes[(changes.astype(str).apply(lambda c: c.str.contains("P1_2")).any(axis=1))
                  & (changes.astype(str).apply(lambda c: c.str.fullmatch("7")).any(axis=1))]
    assert len(hit) == 1, changes


def missing_codebook(s: StudyDir) -> None:
    s.path(CODEBOOK).unlink()


def codebook_not_mapping(s: StudyDir) -> None:
    s.path(CODEBOOK).write_text("- 这不是编码手册\n- 只是一个列表\n", encoding="utf-8")


def crosscheck_disagrees(s: StudyDir) -> None:
    """The 按序号 partner of the home file has five more codes that disagree with the labels."""

    def edit(ws: object) -> None:
        names = [c.value for c in ws[1]]
        j = names.index(LIKERT_TEXT) + 1
        for r in range(20, 25):
            v = ws.cell(row=r, column=j).value
            ws.cell(row=r, column=j, value=1 if str(v) != "1" else 2)

    s.edit_xlsx(HOME_CODE_XLSX, edit)


def themes_missing_column(s: StudyDir) -> None:
    _xlsx_set(s, THEMES, 1, "主题编码", "序列")


def ip_garbage(s: StudyDir) -> None:
    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index("来自IP")
        rows[3][j] = "未知地址"
        rows[4][j] = ""

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def full_width_and_nbsp(s: StudyDir) -> None:
    """Full-width digits, non-breaking spaces and trailing blanks in 按文本 cells."""

    def edit(rows: list[list[str]]) -> None:
        j_years = rows[0].index("8、您的党龄（年）")
        j_lik = rows[0].index(LIKERT_TEXT)
        for i in range(1, 20):
            rows[i][j_years] = rows[i][j_years].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            rows[i][j_lik] = "\u00a0" + rows[i][j_lik] + "  "

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def _row_counts(s: StudyDir) -> dict:
    man = json.loads(s.path("data/processed/manifest.json").read_text(encoding="utf-8"))
    return man["row_counts"]


def check_full_width(s: StudyDir) -> None:
    df = pd.read_parquet(s.path("data/processed/responses.parquet"))
    assert df["years"].notna().mean() > 0.95
    assert _row_counts(s)["raw"] == s.baseline["raw"]


def blank_rows_inside(s: StudyDir) -> None:
    """Blank lines between answers (someone deleted rows' contents in Excel)."""

    def edit(rows: list[list[str]]) -> None:
        width = len(rows[0])
        for i in (50, 30, 10):
            rows.insert(i, [""] * width)

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


def check_blank_rows(s: StudyDir) -> None:
    ex = pd.read_csv(s.path("data/processed/exclusions.csv"), dtype=str, encoding="utf-8-sig")
    counts = _row_counts(s)
    assert counts["raw"] == s.baseline["raw"], (counts, s.baseline)
    assert len(ex) == s.baseline["excluded"] > 0


def check_ip_garbage(s: StudyDir) -> None:
    df = pd.read_parquet(s.path("data/processed/responses.parquet"))
    assert "ip" not in df.columns and "ip_province" in df.columns


def check_serial_dates(s: StudyDir) -> None:
    counts = _row_counts(s)
    assert counts["kept"] == s.baseline["kept"], (counts, s.baseline)
    df = pd.read_parquet(s.path("data/processed/responses.parquet"))
    assert df["submitted_at"].notna().all()


def check_same_counts(s: StudyDir) -> None:
    """As many answers read and kept as from the unbroken study."""
    counts = _row_counts(s)
    assert (counts["raw"], counts["kept"]) == (s.baseline["raw"], s.baseline["kept"]), (
        counts, s.baseline)


def check_other_version(s: StudyDir) -> None:
    man = json.loads(s.path("data/processed/manifest.json").read_text(encoding="utf-8"))
    assert man["extra"]["fingerprint_mismatches"] == [TEXT_CSV]


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

# -- hostile and silently wrong files (issue #11) --------------------------------------------
def xlsx_zip_bomb(s: StudyDir) -> None:
    """The home .xlsx with 24 MB of repeated text rows added to its sheet, compressed about
    400 times (a small zip bomb; a real 问卷星 sheet compresses about ten times)."""
    import re
    import zipfile

    p = s.path(HOME_TEXT_XLSX)
    with zipfile.ZipFile(p) as zin:
        parts = [(i, zin.read(i.filename)) for i in zin.infolist()]
    sheet = "xl/worksheets/sheet1.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename != sheet:
                zout.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', head))
            rows = b"".join(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"A" * 100_000}</t></is></c></row>'.encode()
                for r in range(last + 1, last + 241)
            )
            zout.writestr(sheet, head + rows + b"</sheetData>" + tail)
    p.write_bytes(out.getvalue())


def formula_without_result(s: StudyDir) -> None:
    """Two answers replaced by formulas in a workbook saved by a program that does not
    calculate (openpyxl keeps no result): read as empty answers without a word before."""

    def edit(ws: object) -> None:
        header = [c.value for c in ws[1]]
        ws.cell(row=12, column=header.index(LIKERT_TEXT) + 1, value="=\"同意\"")
        ws.cell(row=20, column=header.index(LIKERT_TEXT) + 1, value="=S12")

    s.edit_xlsx(HOME_TEXT_XLSX, edit)


def title_row_above_header(s: StudyDir) -> None:
    """A title typed into a new first row above the headers (an export "tidied" for print)."""

    def edit(ws: object) -> None:
        ws.insert_rows(1)
        ws.cell(row=1, column=1, value="技师学院党建工作调研问卷（本院）")

    s.edit_xlsx(HOME_TEXT_XLSX, edit)


def utf16_no_bom_tabs(s: StudyDir) -> None:
    """The 按文本 CSV as Excel's "Unicode 文本": UTF-16LE, tab-separated; here without a BOM."""
    rows = s.read_csv_rows(TEXT_CSV, "utf-8-sig")
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    s.path(TEXT_CSV).write_bytes(buf.getvalue().encode("utf-16-le"))
    s.set_file_option(TEXT_CSV, "encoding", "auto")


#: Longer than the reader's cell limit (ReadLimits.max_cell_chars, 2,000,000 characters).
HUGE = 2_500_000


def csv_cell_over_limit(s: StudyDir) -> None:
    """A 2.5-million-character cell (two exports fused by a missing quote, or a pasted file)."""

    def edit(rows: list[list[str]]) -> None:
        j = rows[0].index("5、您所在的党支部（请填写全称）")
        rows[20][j] = "机电学院党支部" + "长" * HUGE

    s.edit_csv(TEXT_CSV, "utf-8-sig", edit)


F_TEXT_CSV = f"文件：{TEXT_CSV}"
#: mixed_encoding keeps the first half of the CSV's lines (header, SMALL_ROWS rows and the empty
#: string after the last line end) in UTF-8: the first GBK line is line half + 1.
MIXED_FIRST_GBK_LINE = (SMALL_ROWS + 2) // 2 + 1
F_HOME = f"文件：{HOME_TEXT_XLSX}"

CASES: list[Case] = [
    # ---- damaged or wrong kind of file --------------------------------------------------
    Case("truncated_xlsx", "本院 .xlsx 只剩前三分之一（下载中断）", truncated_xlsx, "error",
         ("Excel 文件已损坏或不完整", F_HOME), cli=True),
    Case("html_xls", "本院 .xlsx 实为网页格式的表格（旧版问卷星 .xls）", html_xls, "warn",
         ("内容是网页表格（HTML），不是真正的 Excel 工作簿，已按表格读取",), check=check_same_counts,
         why="旧版问卷星的 .xls 下载常是网页表格，逐格按文字读取"),
    Case("xls_renamed_xlsx", "真正的 .xls 工作簿被改名为 .xlsx", xls_renamed_xlsx, "warn",
         ("扩展名为 .xlsx，但内容是 .xls 工作簿，已按 .xls 读取",),
         check=check_same_counts, why="内容完整，按实际格式读取"),
    Case("empty_first_sheet", "工作簿第一张工作表是空的（数据在第二张）", empty_first_sheet, "error",
         ("文件中没有任何内容", F_HOME)),
    Case("missing_sheet_name", "study.yaml 指定的工作表名不存在", missing_sheet_name, "error",
         ("工作簿中没有工作表 '答卷数据'", F_HOME, "Sheet1")),
    Case("whitespace_only_csv", "CSV 只有空行和空白", whitespace_only_csv, "error",
         ("文件是空的", F_TEXT_CSV)),
    Case("header_only_csv", "CSV 只有表头、没有答卷", header_only_csv, "warn",
         ("只有表头，没有任何答卷", TEXT_CSV)),
    Case("directory_instead_of_file", "study.yaml 指向的“文件”是一个文件夹（root 下模拟不可读文件）",
         directory_instead_of_file, "error",
         ("不是文件", "配置项：questionnaire.files[3].path", TEXT_CSV), cli=True),
    Case("unreadable_chmod", "输入文件权限为 000（仅非 root 用户可测）", unreadable_chmod, "error",
         ("无法读取", GBK_CODE_CSV), needs_non_root=True),
    # ---- encodings ------------------------------------------------------------------------
    Case("utf8_declared_gbk", "UTF-8 的 CSV 在 study.yaml 中写成 encoding: gbk", utf8_declared_gbk,
         "error", ("无法按指定的编码 gbk 解码", "第 1 行附近", F_TEXT_CSV)),
    Case("mixed_encoding", "CSV 前半 UTF-8、后半 GBK（两次导出拼接）", mixed_encoding, "error",
         ("无法识别文件的文本编码", f"第 {MIXED_FIRST_GBK_LINE} 行附近", F_TEXT_CSV), cli=True),
    Case("unknown_encoding_name", "study.yaml 中的编码名写错（gbk2312）", unknown_encoding_name,
         "error", ("未知的文本编码 'gbk2312'", F_TEXT_CSV)),
    Case("gbk_no_bom_auto", "问卷星按文本 CSV 另存为无 BOM 的 GBK，encoding: auto", gbk_no_bom_auto,
         "ok", check=check_same_counts, why="自动识别为 GB18030"),
    Case("utf16_csv", "CSV 另存为 UTF-16（带 BOM），encoding: auto", utf16_csv, "ok",
         check=check_same_counts),
    # ---- headers -------------------------------------------------------------------------
    Case("missing_header_row", "CSV 缺少表头行（第一行就是答卷）", missing_header_row, "error",
         ("缺少表头行", F_TEXT_CSV, ROW1)),
    Case("duplicated_headers", "两列表头相同", duplicated_headers, "error",
         ("表头重复", F_TEXT_CSV, ROW1, "（S 列） 与", "（T 列）")),
    Case("generic_duplicate_id", "手工录入表中两列都叫 P1_1", generic_duplicate_id, "error",
         ("表头重复", GENERIC_XLSX, "P1_1（O 列） 与 P1_1（P 列）")),
    Case("unknown_label_xlsx", "本院 .xlsx 中出现编码手册没有的选项“比较同意”", unknown_label_xlsx,
         "error", ("选项“比较同意”不在编码手册该题的选项中", F_HOME, "行：第 12 行",
                   f"列：{LIKERT_TEXT}（S 列）"), cli=True),
    Case("other_version", "丙校 CSV 来自另一版问卷（少了第 19 题）", other_version, "warn",
         ("问卷指纹与其他同类文件不同", "没有可选题目 learn"), check=check_other_version),
    # ---- cells ---------------------------------------------------------------------------
    Case("unparseable_time", "提交答卷时间写成“九月三日中午”", unparseable_time, "warn",
         ("提交答卷时间（B 列）", "无法识别的时间", "第 15 行")),
    Case("excel_serial_dates", "提交答卷时间全部是 Excel 序列号（46266.39…）", excel_serial_dates,
         "ok", check=check_serial_dates, why="按 Excel 1900 日期系统换算"),
    Case("phone_scientific", "3 个手机号被 Excel 变成 1.38123E+10", phone_scientific, "warn",
         ("phone 中有 4 个值已被 Excel 变成科学计数法",), why="演示数据本身另有 1 个"),
    Case("huge_text_cell", "一个 1 MB 的自由文本单元格", huge_text_cell, "warn",
         ("SPSS 的文本值最长 32767 字节", "列 branch"), check=check_huge_text),
    Case("formula_text", "自由文本以 = + - @ 开头（公式注入）", formula_text, "ok",
         check=check_formula_escaped, why="写入 CSV 时前加 ' 转义"),
    Case("all_missing_likert", "一道李克特题在整个文件中全部“(跳过)”", all_missing_likert, "warn",
         ("P1_2", f"全部 {SMALL_ROWS} 行中都缺失")),
    Case("duplicated_seq", "两行答卷的序号相同", duplicated_seq, "warn",
         ("序号有重复", "第 11、12 行")),
    Case("numeric_text_years", "党龄填成“十年”", numeric_text_years, "warn",
         ("years（K 列）", "十年")),
    Case("code_csv_out_of_range", "按序号 CSV 中的李克特编码 7 和跳过码 -3", code_csv_out_of_range,
         "ok", check=check_cell_change, why="7 记入 cell_changes 并设为缺失，-3 即缺失"),
    Case("ip_garbage", "来自IP 写成“未知地址”或留空", ip_garbage, "ok", check=check_ip_garbage),
    Case("full_width_and_nbsp", "全角数字、不间断空格和尾随空格", full_width_and_nbsp, "ok",
         check=check_full_width),
    Case("blank_rows_inside", "答卷之间夹着空行", blank_rows_inside, "ok", check=check_blank_rows),
    Case("crosscheck_disagrees", "按序号对照文件与按文本文件有 5 处额外不一致", crosscheck_disagrees,
         "error", ("按文本与按序号两个文件不一致：共 5 处（允许 1 处）", "第 20 行 P1_2：按文本为",
                   "crosscheck_mismatches.csv"),
         why="代码与文字不符时得出的数字是错的：报错并列出不一致之处，完整清单另存（小型演示研究中只有本样例改动的 5 处）"),
    # ---- study.yaml and codebook ---------------------------------------------------------
    Case("study_key_typo", "study.yaml 把 questionnaire 拼成 questionaire", study_key_typo, "error",
         ("questionaire：未知的配置项（可能是拼写错误）", "study.yaml"), cli=True),
    Case("study_yaml_syntax", "study.yaml 的 YAML 语法错误（未闭合的方括号）", study_yaml_syntax,
         "error", ("YAML 格式有误", "study.yaml", "行：第 72 行")),
    Case("fieldwork_reversed", "调查结束日期早于开始日期", fieldwork_reversed, "error",
         ("调查结束日期早于开始日期", "配置项：fieldwork.end")),
    Case("alias_unknown_variable", "别名表写了不存在的变量 dept", alias_unknown_variable, "error",
         ("别名表中的变量 dept", "配置项：questionnaire.aliases.dept")),
    Case("crosscheck_same_variant", "crosscheck 指向按文本文件自己", crosscheck_same_variant, "error",
         ("同一份问卷导出被列了两次", "配置项：questionnaire.files[0].crosscheck")),
    Case("scale_missing_item", "编码手册的量表 P1 列出不存在的题目 P1_9", scale_missing_item, "error",
         ("量表 P1 列出的题目 P1_9 不在 items 中", "codebook.yaml", "配置项：scales[0].items[5]")),
    Case("reverse_non_likert", "把数值题“党龄”放进量表并设为反向题", reverse_non_likert, "error",
         ("量表 P6 的题目 years 不是 likert 类型", "codebook.yaml")),
    Case("missing_codebook", "编码手册文件不存在", missing_codebook, "error",
         ("study.yaml 中列出的文件不存在", "配置项：questionnaire.codebook")),
    Case("codebook_not_mapping", "编码手册是一个列表而不是映射", codebook_not_mapping, "error",
         ("应为映射", "codebook.yaml")),
    Case("zero_rows_kept", "调查日期写成一年以后：全部答卷被判为测试提交，清洗后 0 行", zero_rows_kept,
         "error", ("清洗后没有保留任何答卷", f"测试提交 {4 * SMALL_ROWS} 条", "配置项：cleaning"),
         why="不写出空结果，报告也就不会在空数据上崩溃"),
    Case("key_file_in_git", "真实研究的密钥文件放在 git 仓库内", key_file_in_git, "error",
         ("密钥文件位于 git 仓库内", "配置项：privacy.key_file")),
    Case("no_key_for_real_study", "真实研究（synthetic: false）没有提供密钥", no_key_for_real_study,
         "error", ("找不到假名化密钥", "配置项：privacy")),
    Case("output_dir_is_file", "output_dir 指向一个已有的文件", output_dir_is_file, "error",
         ("输出位置已有一个同名文件", "配置项：output_dir")),
    # ---- symposium, indicators, roster ---------------------------------------------------
    Case("unknown_theme_code", "座谈发言的主题编码 T99 不在编码表中", unknown_theme_code, "error",
         ("未知的主题编码（T99）", STATEMENTS, "行：第 9 行", "列：编码员A（E 列）")),
    Case("statement_unknown_session", "发言的场次编号 ZT99 不在场次表中", statement_unknown_session,
         "error", ("场次编号不在场次表中（ZT99）", STATEMENTS, "行：第 6 行", "列：场次编号（B 列）")),
    Case("statement_empty_session", "一条发言没有场次编号", statement_empty_session, "error",
         ("场次编号为空", STATEMENTS, "行：第 7 行", "列：场次编号（B 列）")),
    Case("duplicate_theme_code", "主题编码表中 T01 出现两次", duplicate_theme_code, "error",
         ("主题编码重复（第 2 行已有该编码）", THEMES, "行：第 3 行", "列：主题编码（A 列）")),
    Case("themes_missing_column", "主题编码表缺少“主题编码”列", themes_missing_column, "error",
         ("主题编码表缺少必需的列", THEMES, ROW1)),
    Case("session_bad_date", "座谈会日期写成“九月中旬”", session_bad_date, "error",
         ("日期无法识别（九月中旬）", SESSIONS, "行：第 4 行", "列：日期（B 列）")),
    Case("summary_n_zero", "汇总统计的样本量为 0", summary_n_zero, "error",
         ("样本量必须是正整数（0）", SUMMARIES, "行：第 5 行", "列：样本量（E 列）"), cli=True),
    Case("summary_negative_sd", "汇总统计的标准差为负", summary_negative_sd, "error",
         ("标准差不能为负（-0.5）", SUMMARIES, "行：第 8 行", "列：标准差（G 列）")),
    Case("indicator_non_numeric", "对标指标的数值写成“较高”", indicator_non_numeric, "error",
         ("指标数值不是数字（较高）", INDICATORS, "行：第 4 行", "列：数值（C 列）")),
    Case("roster_negative", "名册人数为负数", roster_negative, "error",
         ("人数不是非负整数（-12）", ROSTER, "行：第 3 行", "列：人数（D 列）")),
    Case("roster_fraction", "名册人数为小数 12.5", roster_fraction, "error",
         ("人数不是非负整数（12.5）", ROSTER, "行：第 5 行", "列：人数（D 列）")),
    Case("names_without_column", "党员名单没有“姓名”列", names_without_column, "error",
         ("党员名单中没有“姓名”列", NAMES, ROW1)),
    # ---- hostile and silently wrong files (issue #11) -------------------------------------
    Case("xlsx_zip_bomb", "本院 .xlsx 的工作表被塞入 24 MB 重复文字，压缩比约 400 倍（压缩炸弹）",
         xlsx_zip_bomb, "error", ("压缩比异常", "xl/worksheets/sheet1.xml", "上限 200 倍", F_HOME),
         why="读取前只看 zip 目录中的大小，不解压"),
    Case("formula_without_result", "本院 .xlsx 中两个答案是没有保存计算结果的公式",
         formula_without_result, "error",
         ("2 个公式单元格没有保存计算结果（S12、S20）", F_HOME, "行：第 12 行", "列：S 列"),
         why="Excel 保存的公式带有结果，照常读取；没有结果的公式否则会默默变成缺失值"),
    Case("title_row_above_header", "本院 .xlsx 表头之上多了一行标题", title_row_above_header,
         "error", ("表头之上有标题行", "第 1 行只有一个单元格", "第 2 行才是列标题", F_HOME, ROW1)),
    Case("utf16_no_bom_tabs", "CSV 另存为“Unicode 文本”（UTF-16LE、制表符分隔、无 BOM）",
         utf16_no_bom_tabs, "ok", check=check_same_counts, why="按 NUL 字节的位置识别 UTF-16"),
    Case("csv_cell_over_limit", "CSV 中一个单元格有 250 万个字符", csv_cell_over_limit, "error",
         ("单元格内容过长", "超过上限 2,000,000 个字符", F_TEXT_CSV, "行：第 21 行",
          "列：5、您所在的党支部（请填写全称）（K 列）")),
]
