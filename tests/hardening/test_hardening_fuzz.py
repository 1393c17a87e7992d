"""Fuzzing every reader: random cells, encodings and header shapes go in; nothing comes out but a
result, a :class:`SurveyWarning`, or a :class:`SurveyError` with a non-empty Chinese message.

Files are written as CSV in utf-8, utf-8-sig, gb18030 or utf-16 (characters the codec cannot
hold replaced), as raw garbage bytes (latin-1 noise), or as .xlsx; headers mix the real headers
of each file kind with duplicates, blanks, full-width and very long text, and numbers. The SPSS
reader gets random bytes and truncated real ``.sav`` files. ``derandomize=True``: the same
examples on every run.
"""

from __future__ import annotations

import io
import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.config.codebook import load_codebook
from survey.errors import SurveyError, SurveyWarning

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = load_codebook(ROOT / "data" / "raw" / "demo" / "codebook.yaml")
CJK = re.compile(r"[\u4e00-\u9fff]")

WJX_HEADERS = [
    "序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、您的姓名", "2、您的手机号码",
    "6、您的党员类别", "8、您的党龄（年）", "第12题(我所在党组织的理论学习形式丰富多样)",
    "第12题(党组织的学习教育对我的思想和工作有实际帮助)", "12.(学院积极运用“智慧党建”等新的学习载体)",
    "19、近一年您参加过哪些形式的党员学习教育？（多选）", "第19题(集中学习与专题党课)",
]
GENERIC_HEADERS = ["序号", "提交答卷时间", "name", "phone", "member_type", "years", "P1_1", "P1_2",
                   "P2_1", "ATT_1", "IMP_1", "PERF_1"]
INSTRUMENT_HEADERS = [
    "场次编号", "日期", "座谈对象", "参会人数", "主题编码", "主题名称", "问题领域", "同义词", "发言人",
    "发言内容", "编码员A", "编码员B", "院校", "指标", "数值", "单位", "方向", "量表或题目", "名称",
    "党员类型", "样本量", "均值", "标准差", "党支部", "人数", "姓名",
]
PIECES = ["同意", "非常同意", "(跳过)", "（空）", "-3", "5", "１２", "┋", "→", "〖其他〗", "T01；T99",
          "P1", "ZT01", "2026/09/03 12:00:00", "46266.39", "1.38E+10", "=1+1", "\u00a0", "", "是",
          "-0.5", "0", "NaN", "inf", "在职教职工党员", "本院", "%", "62.5%", "1e309"]

cell = st.one_of(
    st.sampled_from(PIECES),
    st.text(max_size=10),
    st.integers(-10, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def header_cell(real: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(real),
        st.sampled_from(real).map(lambda h: h.translate(str.maketrans("0123456789()", "０１２３４５６７８９（）"))),
        st.just(""),
        st.integers(0, 99).map(str),
        st.text(min_size=200, max_size=300),
        st.text(max_size=8),
    )


def table(real: list[str], full: list[str] | None = None) -> st.SearchStrategy[tuple[list[str], list[list[str]]]]:
    """Random header shapes; or (when ``full`` is given, half the time) the file kind's complete
    real header with random cells, so that examples also get past the header checks."""
    shaped = st.integers(1, 8).flatmap(
        lambda w: st.tuples(
            st.lists(header_cell(real), min_size=w, max_size=w),
            st.lists(st.lists(cell, min_size=w, max_size=w), max_size=5),
        )
    )
    if not full:
        return shaped
    w = len(full)
    complete = st.tuples(st.just(list(full)), st.lists(st.lists(cell, min_size=w, max_size=w), max_size=4))
    return st.one_of(complete, shaped)


def _demo_header(name: str) -> list[str]:
    from survey.io.readers.tabular import read_table

    return read_table(ROOT / "data" / "raw" / "demo" / name).header


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "garbage", "xlsx"]


def write_file(folder: Path, shape: tuple[list[str], list[list[str]]], encoding: str, seed: int) -> Path:
    header, rows = shape
    if encoding == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        path = folder / "fuzz.xlsx"
        try:
            for r in [header, *rows]:
                ws.append([c if c else None for c in r])
            wb.save(path)
        except Exception:  # openpyxl refuses control characters: not a reader question
            path.write_bytes(b"PK\x03\x04broken")
        return path
    import csv

    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    path = folder / "fuzz.csv"
    if encoding == "garbage":
        noise = bytes((seed * 7919 + i * 104729) % 256 for i in range(64))
        path.write_bytes(buf.getvalue().encode("latin-1", "replace") + noise)
    else:
        path.write_bytes(buf.getvalue().encode(encoding, "replace"))
    return path


def assert_only_survey_errors(call: Callable[[], object]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        warnings.simplefilter("error")  # any other warning type counts as escaping
        try:
            call()
        except SurveyError as exc:
            message = exc.message_zh()
            assert message.strip() and CJK.search(message), repr(exc)
        except RecursionError:  # pragma: no cover
            raise


def _readers() -> dict[str, tuple[list[str], list[str], Callable[[Path], object]]]:
    from survey.instruments import indicators, roster, symposium
    from survey.io.readers import read_path
    from survey.io.readers.tabular import read_table

    h = _demo_header
    text = h("301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx")
    code = h("301234567_按序号_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx")
    generic = h("合成演示_乙市高级技工学校_问卷录入.xlsx")
    return {
        "wjx_text": (WJX_HEADERS, text, lambda p: read_path(p, CODEBOOK, format="wjx_text")),
        "wjx_code": (WJX_HEADERS, code, lambda p: read_path(p, CODEBOOK, format="wjx_code")),
        "generic": (GENERIC_HEADERS, generic, lambda p: read_path(p, CODEBOOK, format="generic")),
        "auto": (WJX_HEADERS + GENERIC_HEADERS, generic, lambda p: read_path(p, CODEBOOK)),
        "tabular": (WJX_HEADERS, text, read_table),
        "sessions": (INSTRUMENT_HEADERS, h("合成演示_座谈会_场次.xlsx"), symposium.read_sessions),
        "statements": (INSTRUMENT_HEADERS, h("合成演示_座谈会_发言记录.xlsx"), symposium.read_statements),
        "themes": (INSTRUMENT_HEADERS, h("合成演示_座谈会_主题编码.xlsx"), symposium.read_themes),
        "indicators": (INSTRUMENT_HEADERS, h("合成演示_对标指标.xlsx"), indicators.read_indicators),
        "summaries": (INSTRUMENT_HEADERS, h("合成演示_对标院校汇总统计.xlsx"), indicators.read_summaries),
        "roster": (INSTRUMENT_HEADERS, h("合成演示_党员名册汇总.xlsx"), roster.read_roster),
        "member_names": (INSTRUMENT_HEADERS, h("合成演示_党员名单.xlsx"), roster.read_member_names),
    }


READERS = _readers()
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("reader", sorted(READERS))
def test_reader_raises_only_survey_errors(reader: str) -> None:
    real, full, read = READERS[reader]

    @FUZZ
    @given(shape=table(real, full), encoding=st.sampled_from(ENCODINGS), seed=st.integers(0, 10**6))
    def run(shape: tuple[list[str], list[list[str]]], encoding: str, seed: int) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = write_file(Path(tmp), shape, encoding, seed)
            assert_only_survey_errors(lambda: read(path))

    run()


def _sav_bytes() -> bytes:
    import pandas as pd
    import pyreadstat

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "x.sav"
        pyreadstat.write_sav(pd.DataFrame({"P1_1": [1.0, 2.0, 5.0], "name": ["张三", "李四", "王五"]}), str(p))
        return p.read_bytes()


SAV = _sav_bytes()


@FUZZ
@given(cut=st.integers(0, len(SAV)), noise=st.binary(max_size=64), mode=st.sampled_from(["cut", "noise", "flip"]))
def test_spss_reader_raises_only_survey_errors(cut: int, noise: bytes, mode: str) -> None:
    from survey.io.readers import read_path

    if mode == "cut":
        data = SAV[:cut]
    elif mode == "noise":
        data = noise
    else:
        data = SAV[:cut] + noise + SAV[cut + len(noise):]
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "fuzz.sav"
        p.write_bytes(data)
        assert_only_survey_errors(lambda: read_path(p, CODEBOOK, format="spss"))
