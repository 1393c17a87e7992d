"""Script planted in every text field of the demo never runs in the reports (issue 11 "Injection").

A copy of the small demo gets ``<script>``, ``<img onerror>``, ``<svg onload>`` and
``javascript:`` links in the text fields a research group types or receives: branch names and the
open answer of the home 按文本 export, the branch column of the generic file, the symposium's
statements, speakers, session descriptions and theme names, and the benchmark indicators' names
and sources. ``survey clean`` and ``survey report`` run on it (real CLI), then every HTML page is
opened in headless Chromium twice: as written, and with its Content-Security-Policy removed, so
that escaping alone is proved as well as the policy. Each payload, if it ran, would set
``data-pwned`` on ``<body>`` or change the title; a control page holding the raw payloads proves
that the probe sees a payload that runs.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest
from browser_probe import CHROMIUM
from demo_copy import copy_small_demo
from hardening_helpers import notebooks_present, run_pipelines

from survey.report.html import CSP, dump_dom

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium 未安装（.ci/run 会安装）")

DEMO = "data/raw/demo/"

#: The payloads; each sets a marker that cannot appear in the page's escaped text.
PAYLOADS = (
    "<script>document.body.setAttribute('data-'+'pwned','s')</script>",
    "<img src=x onerror=\"document.body.setAttribute('data-'+'pwned','i')\">",
    "<svg onload=\"document.title='PW'+'NED'\"></svg>",
    "<a href=\"javascript:document.body.setAttribute('data-'+'pwned','a')\">点我</a>",
    "[点我](javascript:document.body.setAttribute('data-'+'pwned','m'))",
)


def _hostile(k: int, before: str = "") -> str:
    return before + PAYLOADS[k % len(PAYLOADS)]


def _plant(root: Path) -> int:
    """Plant :data:`PAYLOADS` into the text fields of the study copy; return the cells planted."""
    import openpyxl

    planted = 0

    def edit(rel: str, cells: dict[str, list[int]], sheet: int = 0) -> None:
        nonlocal planted
        p = root / DEMO / rel
        wb = openpyxl.load_workbook(p)
        ws = wb.worksheets[sheet]
        header = {str(c.value): i + 1 for i, c in enumerate(ws[1]) if c.value is not None}
        for prefix, rows in cells.items():
            col = next(i for h, i in header.items() if h.startswith(prefix))
            for k, r in enumerate(rows):
                old = ws.cell(row=r, column=col).value
                ws.cell(row=r, column=col).value = _hostile(planted + k, f"{old or ''}")
            planted += len(rows)
        wb.save(p)

    edit("301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx",
         {"5、": [10, 11, 12], "21、": [13, 14, 15, 16, 17]})
    edit("合成演示_乙市高级技工学校_问卷录入.xlsx", {"branch": [5, 6]})
    edit("合成演示_座谈会_发言记录.xlsx", {"发言内容": [2, 3, 4, 5, 6, 7], "发言人": [8, 9]})
    edit("合成演示_座谈会_场次.xlsx", {"座谈对象": [2], "地点": [3]})
    edit("合成演示_座谈会_主题编码.xlsx", {"主题名称": [2, 3, 4, 5, 6]})
    edit("合成演示_对标指标.xlsx", {"指标": [2, 3], "来源": [4]})
    return planted


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not notebooks_present():
        pytest.skip("notebooks/ 中还没有笔记本：survey report 无法运行")
    root = tmp_path_factory.mktemp("hostile")
    copy_small_demo(root)
    assert _plant(root) >= 25
    run_pipelines([(root, root, "0")], report=True)
    return root


def _pwned(dom: str | None) -> list[str]:
    assert dom and "<body" in dom, "Chromium 没有输出 DOM"
    body = re.search(r"<body[^>]*>", dom)
    found = []
    if body and "data-pwned" in body.group(0):
        found.append(body.group(0))
    if re.search(r"<title>\s*PWNED\s*</title>", dom):
        found.append("title")
    return found


def _pages(root: Path) -> list[Path]:
    pages = [root / "reports" / "committee.html", *sorted((root / "reports" / "audit").glob("*.html"))]
    assert len(pages) >= 8 and all(p.is_file() for p in pages)
    return pages


def test_control_page_shows_the_probe_sees_a_payload_run(tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p>"
                    f"{PAYLOADS[0]}{PAYLOADS[1]}</body></html>", encoding="utf-8")
    assert _pwned(dump_dom(page))


def test_payloads_reach_the_reports_as_text(hostile_run: Path) -> None:
    texts = "".join(p.read_text(encoding="utf-8") for p in _pages(hostile_run))
    # The planted text is shown (escaped), so the test exercises the rendering path.
    assert "&lt;script&gt;" in texts or "&lt;img" in texts
    for page in _pages(hostile_run):
        text = page.read_text(encoding="utf-8")
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', text)
        assert policy and html.unescape(policy.group(1)) == CSP, page.name
        assert not re.search(r"<script\b", text, re.I), page.name
        assert not re.search(r"<(img|svg)\b[^>]*\bon\w+\s*=", text, re.I), page.name
        assert not re.search(r"<a\b[^>]*\bhref\s*=\s*[\"']?\s*javascript:", text, re.I), page.name


@pytest.mark.parametrize("strip_csp", [False, True], ids=["as-written", "without-csp"])
def test_no_payload_runs_in_chromium(hostile_run: Path, tmp_path: Path, strip_csp: bool) -> None:
    pages = _pages(hostile_run)
    if strip_csp:  # only the pages that show a payload need the second look
        pages = [p for p in pages if "pwned" in p.read_text(encoding="utf-8")]
        assert pages
    for page in pages:
        target = page
        if strip_csp:
            target = tmp_path / page.name
            text = page.read_text(encoding="utf-8")
            text = re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", text)
            target.write_text(text, encoding="utf-8")
        assert _pwned(dump_dom(target)) == [], page.name


def test_docx_holds_the_payloads_as_plain_text(hostile_run: Path) -> None:
    docx = hostile_run / "reports" / "committee.docx"
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode("utf-8")
    from xml.dom.minidom import parseString

    assert parseString(body.encode("utf-8")).documentElement is not None  # well-formed
    assert "<script" not in body  # only as &lt;script, never as markup
