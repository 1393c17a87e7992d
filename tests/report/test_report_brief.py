"""The committee's brief: built from data, printed on A4, the same numbers in HTML and DOCX.

One report run of the demo (module fixture: the demo cleaned once by the CLI, then
``run_report`` into private folders) feeds every test; the minimal study (no symposium, no
member types, grouped by campus) is built in-process without notebooks. The print tests need
Chromium and poppler's ``pdfinfo``/``pdftotext``; they are skipped without them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

from survey.report import html as rh
from survey.report.document import Document, Paragraph, Table

ROOT = Path(__file__).resolve().parents[2]
HAVE_PRINT = rh.chromium() is not None and shutil.which("pdfinfo") and shutil.which("pdftotext")
needs_chromium = pytest.mark.skipif(not HAVE_PRINT, reason="chromium 或 poppler-utils 未安装")


class _Tables(HTMLParser):
    """The cells of every ``<table>`` of a page, and the ``src`` of every image."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.images: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs).get("src", ""))

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: str) -> _Tables:
    p = _Tables()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def demo_report(cleaned_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from survey.report.runner import run_report

    out = tmp_path_factory.mktemp("brief_report")
    kw = dict(notebooks_dir=ROOT / "notebooks", reports_dir=out / "reports",
              figures_dir=out / "figures", progress=None)
    result = run_report(cleaned_demo, **kw)
    from survey import analysis as A

    ctx = A.load(cleaned_demo, figures_dir=out / "figures", reports_dir=out / "reports")
    return {"result": result, "reports": out / "reports", "figures": out / "figures",
            "study": cleaned_demo, "kw": kw, "ctx": ctx, "sections": A.results(ctx),
            "page": (out / "reports" / "committee.html").read_text(encoding="utf-8")}


# ---------------------------------------------------------------------------------------------
# structure, size, safety


def test_brief_starts_with_the_summary_and_keeps_audit_material_out(demo_report) -> None:
    page = demo_report["page"]
    heads = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert heads[0] == "摘要" and heads[-1] == "附录", heads
    assert "一、调研基本情况" in heads and "二、六个问题的回答" in heads
    for audit_only in ("Kruskal", "Dunn", "平均秩", "缺失比例", "执行缓存键"):
        assert audit_only not in page, audit_only
    assert "reports/audit/index.html" in page  # the provenance footer names the audit report
    assert "<script" not in page.lower()
    from markupsafe import escape

    assert f'http-equiv="Content-Security-Policy" content="{escape(rh.CSP)}"' in page


def test_brief_html_is_small_and_embeds_each_figure_once(demo_report) -> None:
    path = demo_report["reports"] / "committee.html"
    assert path.stat().st_size <= 1.5 * 1024 * 1024, path.stat().st_size
    images = _parse(demo_report["page"]).images
    assert images and all(src.startswith("data:image/") for src in images)
    assert len(set(images)) == len(images)  # no figure embedded twice
    assert len(images) == len(list(_brief(demo_report).figures()))


def _brief(demo_report) -> Document:
    from survey.report.brief import build_brief

    return build_brief(demo_report["ctx"], demo_report["sections"],
                       figures_dir=demo_report["figures"])


def test_brief_numbers_are_the_section_tables_numbers(demo_report) -> None:
    sec = demo_report["sections"]
    tables = {t.anchor: t for t in _brief(demo_report).tables()}
    gaps = sec["gaps"].tables["scale"]
    main = gaps[gaps["比较对象"] == "对标院校（合并）"].set_index("维度")
    q1 = tables["tab-gaps"].frame.set_index("维度")
    for col in ("差值", "差值 95% CI", "Hedges g", "Holm 校正 p"):
        assert q1[col].to_dict() == main[col].to_dict(), col
    for dim, r in q1.iterrows():  # the shown means give the shown difference
        diff = float(r["本院均值"]) - float(r["比较组均值"])
        assert f"{diff:.2f}".replace("-0.00", "0.00") == r["差值"] or abs(diff - float(r["差值"])) < 0.006, dim
    tri = sec["triangulation"].data["triangulation"]
    ev = tables["tab-evidence"].frame
    assert list(ev["证据强度"]) == list(tri["rating"]) and list(ev["问卷"]) == list(tri["q_signal"])
    ipa = sec["priorities"].tables["ipa"].head(3)
    top = tables["tab-projects-top"].frame
    assert list(top["项目"]) == list(ipa["项目"]) and list(top["表现均值"]) == list(ipa["表现均值"])
    a1 = tables["A1"].frame
    assert list(a1["α 的 95% CI"]) == list(sec["measurement"].tables["scales"]["α 的 95% CI"])
    # statement counts are not personal data: shown, never "<5"
    assert not tables["A4"].frame["提及条数（全部）"].str.startswith("<").any()
    # the unadjusted gap of 表 4 is the gap of 表 3 (one value for one quantity)
    q2 = tables["tab-adjusted"].frame.set_index("维度")
    assert q2["未调整 95% CI"].to_dict() == q1["差值 95% CI"].to_dict()
    # the summary sentence of question 1 quotes table 3
    summary = next(p.text for p in _brief(demo_report).blocks
                   if isinstance(p, Paragraph) and p.text.startswith("一、"))
    worst = q1.loc[q1["Hedges g"].astype(float).idxmin()]
    assert f"平均低 {worst['差值'].lstrip('-')} 分" in summary and worst["Hedges g"] in summary
    assert "可能性约为" in summary  # the probability of superiority in words


def test_docx_has_the_html_numbers(demo_report) -> None:
    reports = demo_report["reports"]
    d = docx.Document(str(reports / "committee.docx"))
    word = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    page = _parse(demo_report["page"]).tables
    assert word == page
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert heads[0] == "摘要" and "附录" in heads
    with __import__("zipfile").ZipFile(reports / "committee.docx") as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == len(_parse(demo_report["page"]).images)
    from survey.report.draft_report import DRAFT_FILENAME

    assert (reports / DRAFT_FILENAME).is_file()


def test_no_op_rerun_rewrites_nothing(demo_report) -> None:
    from survey.report.runner import run_report

    reports = demo_report["reports"]
    files = [reports / n for n in ("committee.html", "committee.docx")]
    before = [p.stat().st_mtime_ns for p in files]
    again = run_report(demo_report["study"], **demo_report["kw"])
    assert again.executed == []
    assert [p.stat().st_mtime_ns for p in files] == before


def test_planted_markup_is_escaped() -> None:
    import pandas as pd

    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    doc = Document("测试<b>标题</b>").add(
        Paragraph(f"发言：{evil}", "quote"),
        Table(pd.DataFrame({"发言摘录": [evil], "n": ["3"]}), caption=f"表 1 {evil}", numeric=("n",)))
    page = rh.render_html(doc)
    assert "<script" not in page and "<img src=x" not in page and "<b>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3


def test_without_chromium_no_pdf_and_a_hint(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(rh, "chromium", lambda: None)
    page = tmp_path / "p.html"
    page.write_text(rh.render_html(Document("示例")), encoding="utf-8")
    assert rh.start_pdf(page, tmp_path / "p.pdf") is None
    assert rh.print_pdf(page, tmp_path / "p.pdf") is None and not (tmp_path / "p.pdf").exists()
    assert "apt-get install chromium" in rh.CHROMIUM_HINT


def test_minimal_study_renders_without_demo_text(tmp_path: Path) -> None:
    """Fewer groups, no symposium, no member types, grouped by campus: nothing of the demo."""
    from survey import analysis as A
    from survey.config.study import load_study
    from survey.pipeline import run_clean
    from survey.report.brief import build_brief

    src = ROOT / "tests" / "analysis" / "minimal_study"
    for f in src.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    run_clean(load_study(tmp_path / "study.yaml"))
    ctx = A.load(tmp_path / "study.yaml", figures_dir=tmp_path / "figures",
                 reports_dir=tmp_path / "reports")
    doc = build_brief(ctx, A.results(ctx))
    page = rh.render_html(doc)
    text = re.sub(r"<[^>]+>", " ", page.split("<main>")[1])
    for demo_word in ("对标", "本院", "院校", "工程", "座谈会共", "P1", "对标样本量"):
        assert demo_word not in text, demo_word
    assert "主校区" in text and "校区" in text
    assert any(t.anchor == "tab-gaps" for t in doc.tables())


# ---------------------------------------------------------------------------------------------
# print: A4 pages, the summary on two, no table wider than its box

_MEASURE = """
<script>
window.addEventListener('load', () => {
  const out = {tables: [], narrow: []};
  const main = document.querySelector('main').getBoundingClientRect().width;
  for (const t of document.querySelectorAll('table')) {
    const box = t.parentElement.getBoundingClientRect().width;
    out.tables.push({caption: (t.caption || {}).textContent || '', width: t.scrollWidth,
                     box: Math.min(box, main)});
  }
  for (const td of document.querySelectorAll('td.text, td.long')) {
    const em = parseFloat(getComputedStyle(td).fontSize);
    if (td.textContent.trim().length >= 3 && td.clientWidth < 2.2 * em)
      out.narrow.push(td.textContent.trim());
  }
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


@needs_chromium
def test_committee_pdf_pages_and_summary(demo_report) -> None:
    pdf = demo_report["reports"] / "committee.pdf"
    assert pdf.is_file()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages <= 12, pages
    first_after = None
    for n in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        if n == 1:  # the summary's sentences, the wave comparison's line included, on page 1
            assert "六、问题的证据有多强" in text and "与上一轮相比" in text, text
        if "一、调研基本情况" in text:
            first_after = n
            break
    # 摘要 with its figures and the two summary tables: at most three pages before part 一
    assert first_after is not None and first_after <= 4, first_after


@needs_chromium
def test_no_table_wider_than_its_box(demo_report, tmp_path: Path) -> None:
    page = demo_report["page"]
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    page = page.replace("@media print {", "@media all {")  # lay out as printed
    page = page.replace("</body>", _MEASURE + "</body>")
    copy = tmp_path / "measure.html"
    copy.write_text(page, encoding="utf-8")
    # A4 minus the print margins (182 mm) at 96 px per inch
    dom = rh.dump_dom(copy, extra=["--window-size=688,1200"])
    m = re.search(r'<pre id="probe">(.*?)</pre>', dom or "", re.S)
    assert m, (dom or "")[-500:]
    probe = json.loads(__import__("html").unescape(m.group(1)))
    assert probe["tables"]
    wide = [t for t in probe["tables"] if t["width"] > t["box"] + 1]
    assert wide == [], wide
    assert probe["narrow"] == []  # no Chinese text one character per line


def test_question_four_quotes_the_most_raised_themes(demo_report) -> None:
    """Two or three scrubbed quotes (speakers pseudonymised) in the full answer, not the 摘要."""
    from survey.report.document import Heading
    from survey.stats.themes import ALL_GROUPS

    doc = _brief(demo_report)
    sym = demo_report["sections"]["symposium"]
    blocks = doc.blocks
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.anchor == "q4")
    end = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and i > start)
    quotes = [b.text for b in blocks[start:end] if isinstance(b, Paragraph) and b.style == "quote"]
    assert 2 <= len(quotes) <= 3
    q = sym.data["quotes"]
    freq = sym.data["frequencies"]
    top = freq[freq["group"] == ALL_GROUPS].sort_values("n", ascending=False, kind="stable")
    for text, code in zip(quotes, top["code"], strict=False):
        row = q[(q["code"] == code) & (q["rank"] == 1)].iloc[0]
        assert f"“{row['text']}”" in text and f"「{row['label']}」" in text
        assert f"（{row['speaker']}）" in text
    before = [b for b in blocks[:start] if isinstance(b, Paragraph) and b.style == "quote"]
    assert before == []  # none in the 摘要
    assert all(t.split("“", 1)[1][:10] in demo_report["page"] for t in quotes)  # in the HTML


# ---------------------------------------------------------------------------------------------
# appendix: the next wave's sample size (issue #13 §3)


def _plan_rows(table: list[list[str]]) -> dict[str, tuple[str, str]]:
    head = table[0]
    i, j, k = head.index("维度"), head.index("所需有效问卷"), head.index("所需邀请人数")
    return {row[i]: (row[j], row[k]) for row in table[1:]}


def _expected_plan(demo_report) -> tuple[dict[str, tuple[str, str]], str]:
    from survey.report.plan import plan_study

    plan, inv, sentence = plan_study(demo_report["study"])
    assert inv is not None and plan["n_needed"].notna().all()
    rows = {r.label: (str(int(r.n_needed)), str(int(r.invitations))) for r in plan.itertuples()}
    return rows, sentence


def test_committee_html_has_the_next_wave_plan(demo_report) -> None:
    rows, sentence = _expected_plan(demo_report)
    page = demo_report["page"]
    heads = re.findall(r"<h3[^>]*>(.*?)</h3>", page.split('id="appendix"')[1])
    assert "下一轮调查的样本量" in heads
    text = re.sub(r"<[^>]+>", "", page)
    assert sentence in text
    n, m = re.search(r"回收约 (\d+) 份有效问卷（按今年 (\d+)% 的应答率，约需邀请 (\d+) 名党员）",
                     sentence).group(1, 3)
    assert (n, m) == max(rows.values(), key=lambda v: int(v[0]))
    found = [t for t in _parse(page).tables if t and "所需有效问卷" in t[0]]
    assert len(found) == 1
    assert _plan_rows(found[0]) == rows


def test_committee_docx_has_the_next_wave_plan(demo_report) -> None:
    rows, sentence = _expected_plan(demo_report)
    d = docx.Document(str(demo_report["reports"] / "committee.docx"))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert heads.index("下一轮调查的样本量") > heads.index("附录")
    assert sentence in [p.text for p in d.paragraphs]
    found = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    found = [t for t in found if "所需有效问卷" in t[0]]
    assert len(found) == 1
    assert _plan_rows(found[0]) == rows


def test_gap_change_plan_with_waves_in_html_docx_and_cli(demo_report) -> None:
    """With an earlier wave: 附表 A7, the next wave's home sample to detect a change of the
    gap (survey.stats.plan.plan_gap_change on this wave), in the brief, the DOCX and survey plan."""
    from survey.report.plan import plan_gap_context
    from survey.report.sections.base import load

    table, sentence = plan_gap_context(load(demo_report["study"]))
    want = {r.label: ("—" if r.n_needed != r.n_needed else str(int(r.n_needed)))
            for r in table.itertuples()}
    assert len(want) == 5
    col = "所需有效问卷（本院）"

    def rows(t: list[list[str]]) -> dict[str, str]:
        i, j = t[0].index("维度"), t[0].index(col)
        return {r[i]: r[j] for r in t[1:]}

    page = demo_report["page"]
    assert sentence in re.sub(r"<[^>]+>", "", page)
    (html_table,) = [t for t in _parse(page).tables if t and col in t[0]]
    assert rows(html_table) == want
    d = docx.Document(str(demo_report["reports"] / "committee.docx"))
    (docx_table,) = [t for t in ([[c.text for c in row.cells] for row in t.rows] for t in d.tables)
                     if col in t[0]]
    assert rows(docx_table) == want
    out = subprocess.run([sys.executable, "-m", "survey", "plan", "--study", str(demo_report["study"])],
                         capture_output=True, text=True, encoding="utf-8", check=True).stdout
    assert "判断差距是否变化" in out and sentence in out


def test_minimal_study_plan_without_roster(tmp_path: Path) -> None:
    """No roster: the needs per dimension, no invitations column, the number in the sentence."""
    from survey import analysis as A
    from survey.config.study import load_study
    from survey.pipeline import run_clean
    from survey.report.brief import build_brief
    from survey.report.plan import plan_context

    src = ROOT / "tests" / "analysis" / "minimal_study"
    for f in src.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    run_clean(load_study(tmp_path / "study.yaml"))
    ctx = A.load(tmp_path / "study.yaml", cache=False)
    plan, inv, sentence = plan_context(ctx)
    assert inv is None and plan["invitations"].isna().all()
    doc = build_brief(ctx, A.results(ctx))
    (table,) = [t for t in doc.tables() if t.anchor == "A6"]
    assert "所需邀请人数" not in table.frame.columns
    assert table.frame["所需有效问卷"].tolist() == [str(int(n)) for n in plan["n_needed"]]
    need = int(re.search(r"回收约 (\d+) 份", sentence).group(1))
    assert need == int(plan["n_needed"].max())
    assert any(isinstance(b, Paragraph) and b.text == sentence for b in doc.blocks)


def test_wave_gap_adjusted_to_each_waves_roster(demo_report) -> None:
    """The composition-adjusted change of the gap uses the home roster of each wave: the
    targets equal the member-type shares of each wave's processed roster, counted by hand."""
    import pandas as pd

    from survey.report.sections.base import load
    from survey.report.sections.waves import _roster_targets
    from survey.waves import load_waves

    ctx = load(demo_report["study"], cache=False)
    wave = load_waves(ctx.study)[-1]
    targets = _roster_targets(ctx, wave, "2025年", "2026年")
    assert targets is not None and set(targets) == {"2025年", "2026年"}
    for label, folder in (("2025年", wave.folder), ("2026年", ctx.study.output_path)):
        roster = pd.read_csv(folder / "roster.csv", encoding="utf-8-sig")
        home = roster[roster["college"] == "本院"]
        home = home[home["branch"].isna()] if home["branch"].isna().any() else home
        shares = home.groupby("member_type")["members"].sum()
        shares = shares / shares.sum()
        got = targets[label].sort_index()
        assert list(got.index) == list(shares.sort_index().index)
        assert got.to_numpy() == pytest.approx(shares.sort_index().to_numpy())
    sec = demo_report["sections"]["waves"]
    assert any("党员名册的构成（2025年、2026年）" in n for n in sec.notes)
