"""The Word export: the DOCX renderer of the shared Document and the draft sections 三/四.

The committee-brief tests render a hand-built :class:`Document` (every block kind) and read the
file back with python-docx. The draft tests compute the section results of the cleaned demo
study once (module fixture) and check that every number the draft writes is a cell of those
sections' tables, rounded once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import matplotlib
import pandas as pd
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from survey.errors import SurveyError
from survey.report import docx as wd
from survey.report import draft_report as dr
from survey.report import narrative as nz
from survey.report.document import Document, Figure, Heading, PageBreak, Paragraph, Table

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------
# helpers


def _png(path: Path, color: str) -> Path:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar([0, 1], [1, 2], color=color)
    fig.savefig(path, format="png", dpi=50)
    plt.close(fig)
    return path


def _headings(d) -> list[tuple[int, str]]:
    out = []
    for p in d.paragraphs:
        m = re.fullmatch(r"Heading (\d)", p.style.name)
        if m:
            out.append((int(m.group(1)), p.text))
    return out


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _frame_cells(block: Table) -> list[list[str]]:
    head = [str(c) for c in block.frame.columns]
    body = [["" if pd.isna(v) else str(v) for v in row]
            for row in block.frame.itertuples(index=False, name=None)]
    return [head, *body]


def _style_fonts(d, name: str) -> dict[str, str]:
    rfonts = d.styles[name].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in rfonts.attrib.items()}


def _images(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("word/media/")]


# ---------------------------------------------------------------------------------------------
# the committee brief renderer


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("docx_brief")
    figs = [_png(folder / "gap_by_dimension.png", "tab:blue"),
            _png(folder / "ipa_quadrant.png", "tab:red")]
    frame = pd.DataFrame({"维度": ["学习型党组织建设", "过硬党支部建设", "服务型党组织建设"],
                          "本院样本量": ["150", "150", "<5"],
                          "差值": ["0.06", "-0.24", "—"],
                          "差值 95% CI": ["[-0.08, 0.20]", "[-0.37, -0.11]", "—"]})
    doc = Document(title="党委会简报：党建工作规范化水平调研", subtitle="合成演示研究",
                   notice="合成数据，仅供演示", footer="数据文件：responses.parquet；代码版本 abc")
    doc.add(Heading("摘要", 1), Paragraph("结论：本院在两个维度上明显落后。", "lead"),
            Paragraph("本院在「过硬党支部建设」上比对标院校平均低 0.24 分。"),
            Heading("一、对标差距", 1), Heading("（一）各维度", 2), Heading("1. 逐题", 3),
            Table(frame, caption="表 1  各维度的差距", numeric=("本院样本量", "差值"),
                  note="差值 = 本院 − 对标。"),
            Figure(figs[0], caption="图 1  差距"), PageBreak(),
            Paragraph("“支部书记大多是兼职。”", "quote"), Paragraph("Hedges g 的读法……", "note"),
            Figure(figs[1].with_suffix(".svg"), caption="图 2  象限图（SVG 旁的 PNG）", width_cm=30))
    out = wd.write_committee_docx(doc, folder / "out" / "brief.docx")
    return {"doc": doc, "path": out, "folder": folder, "docx": docx.Document(str(out))}


def test_brief_headings_and_title(brief):
    d, doc = brief["docx"], brief["doc"]
    want = [(b.level, b.text) for b in doc.blocks if isinstance(b, Heading)]
    assert _headings(d) == want
    titles = [p.text for p in d.paragraphs if p.style.name == "Title"]
    assert titles == [doc.title]
    texts = [p.text for p in d.paragraphs]
    assert doc.notice in texts and doc.subtitle in texts and doc.footer in texts
    assert d.core_properties.title == doc.title


def test_brief_every_figure_embedded_at_text_width(brief):
    d, doc = brief["docx"], brief["doc"]
    figures = list(doc.figures())
    assert len(d.inline_shapes) == len(figures) == 2
    assert len(_images(brief["path"])) == len(figures)
    text_width = Mm(210 - 28 - 26)
    widths = [s.width for s in d.inline_shapes]
    assert widths[0] == pytest.approx(docx.shared.Cm(15.0), abs=2)
    assert widths[1] == pytest.approx(text_width, abs=2)  # 30 cm asked, capped at the text width
    # the template's thumbnail (a picture of an empty page) is not shipped
    with zipfile.ZipFile(brief["path"]) as z:
        assert not any("thumbnail" in n for n in z.namelist())


def test_brief_tables_are_word_tables_with_the_same_cells(brief):
    d, doc = brief["docx"], brief["doc"]
    blocks = list(doc.tables())
    assert len(d.tables) == len(blocks)
    for t, b in zip(d.tables, blocks, strict=True):
        assert _cells(t) == _frame_cells(b)
        header = t.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None  # repeated on every page
        cols = [str(c) for c in b.frame.columns]
        for row in t.rows[1:]:
            for name, cell in zip(cols, row.cells, strict=True):
                align = cell.paragraphs[0].alignment
                assert (align == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT) == (name in b.numeric)
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption" and p.text]
    assert captions == ["表 1  各维度的差距", "图 1  差距", "图 2  象限图（SVG 旁的 PNG）"]


def test_brief_east_asian_fonts_and_a4(brief):
    d = brief["docx"]
    assert _style_fonts(d, "Normal")["eastAsia"] == "仿宋"
    for level in (1, 2, 3):
        fonts = _style_fonts(d, f"Heading {level}")
        assert fonts["eastAsia"] == "黑体"
        assert not any(k.endswith("Theme") for k in fonts)  # theme fonts would override 黑体
    assert _style_fonts(d, dr_style("quote"))["eastAsia"] == "楷体"
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    # no run overrides the style's fonts
    assert not d.element.body.xpath(".//w:r/w:rPr/w:rFonts")
    sec = d.sections[0]
    # Word stores twips: compare in millimetres
    assert (sec.page_width.mm, sec.page_height.mm) == pytest.approx((210, 297), abs=0.05)
    assert [sec.top_margin.mm, sec.bottom_margin.mm, sec.left_margin.mm, sec.right_margin.mm] == \
        pytest.approx([37, 35, 28, 26], abs=0.05)
    footer = sec.footer.paragraphs[0]._p
    assert "PAGE" in "".join(footer.xpath(".//w:instrText/text()"))


def dr_style(kind: str) -> str:
    return wd.STYLE_NAMES[kind]


def test_wide_table_gets_a_landscape_page(tmp_path):
    cols = {f"列{k}": ["[-0.73, -0.45]", "[0.08, 0.39]"] for k in range(1, 12)}
    wide = Table(pd.DataFrame({"项目": ["品牌铸造工程", "政治领航工程"], **cols}), caption="宽表",
                 numeric=tuple(cols))
    doc = Document("宽表").add(Paragraph("前文。"), wide, Paragraph("后文。"))
    d = docx.Document(str(wd.write_committee_docx(doc, tmp_path / "wide.docx")))
    orient = [s.orientation for s in d.sections]
    assert orient == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    land = d.sections[1]
    assert land.page_width.mm == pytest.approx(297, abs=0.05)
    table_width = sum(c.width for c in d.tables[0].columns)
    assert table_width <= land.page_width - land.left_margin - land.right_margin + Mm(0.5)  # twips
    # numeric cells keep an interval on one line
    assert d.tables[0].rows[1].cells[1]._tc.tcPr.find(qn("w:noWrap")) is not None
    assert _cells(d.tables[0]) == _frame_cells(wide)


def test_brief_is_byte_identical_across_runs(brief, tmp_path, monkeypatch):
    again = wd.write_committee_docx(brief["doc"], tmp_path / "again.docx")
    assert again.read_bytes() == brief["path"].read_bytes()
    with zipfile.ZipFile(again) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
    cp = brief["docx"].core_properties
    assert cp.created == cp.modified == cp.last_printed
    assert cp.created.year == 2000 and cp.author == "调研组" and cp.revision == 1
    # SOURCE_DATE_EPOCH moves the date (reproducible-builds convention)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    moved = wd.write_committee_docx(brief["doc"], tmp_path / "moved.docx")
    assert docx.Document(str(moved)).core_properties.created.year == 2026
    assert moved.read_bytes() != again.read_bytes()


def test_brief_written_atomically_over_an_old_file(brief, tmp_path):
    target = tmp_path / "brief.docx"
    target.write_bytes(b"old")
    wd.write_committee_docx(brief["doc"], target)
    assert target.read_bytes() == brief["path"].read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.docx"]


def test_brief_bad_blocks_give_chinese_errors(brief, tmp_path):
    missing = Document("缺图").add(Figure(tmp_path / "nope.png", caption="图"))
    with pytest.raises(SurveyError, match="找不到图片文件"):
        wd.write_committee_docx(missing, tmp_path / "x.docx")
    bad = Document("坏表").add(Table(pd.DataFrame({"a": ["1"]}), caption="表", numeric=("b",)))
    with pytest.raises(SurveyError, match="数值列不存在"):
        wd.write_committee_docx(bad, tmp_path / "y.docx")
    assert not list(tmp_path.glob("*.docx"))


# ---------------------------------------------------------------------------------------------
# the draft sections 三 and 四, on the demo study


@pytest.fixture(scope="module")
def demo(cleaned_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from survey import analysis as A

    folder = tmp_path_factory.mktemp("docx_draft")
    ctx = A.load(cleaned_demo, figures_dir=folder / "figures")
    res = dr.draft_results(ctx)
    A.save_figures(res.priorities, ctx)
    doc = dr.draft_document(res)
    path = dr.write_draft_sections(res, folder / "reports" / dr.DRAFT_FILENAME)
    return {"ctx": ctx, "res": res, "doc": doc, "path": path, "folder": folder,
            "docx": docx.Document(str(path))}


def _area_blocks(doc: Document, label: str) -> list:
    """The blocks under the level-2 heading ``（k）label`` up to the next heading."""
    out, inside = [], False
    for b in doc.blocks:
        if isinstance(b, Heading):
            inside = b.level == 2 and b.text.endswith("）" + label)
            continue
        if inside:
            out.append(b)
    return out


def _texts(blocks: list, style: str | None = None) -> list[str]:
    return [b.text for b in blocks if isinstance(b, Paragraph) and (style is None or b.style == style)]


def test_draft_structure_follows_the_codebook(demo):
    doc, res, ctx = demo["doc"], demo["res"], demo["ctx"]
    assert "草稿" in doc.title and "草稿" in doc.notice and "合成" in doc.notice
    h1 = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert h1 == ["三、存在的问题不足", "四、对策建议"]
    h2 = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 2]
    areas = list(ctx.scale_labels.values())
    projects = list(res.priorities.data["ipa"].sort_values("project")["name"])
    ordinals = [dr.zh_ordinal(k) for k in range(1, 9)]
    assert h2 == [f"（{ordinals[k]}）{a}" for k, a in enumerate(areas)] + \
        [f"（{ordinals[k]}）{p}" for k, p in enumerate(projects)]
    assert len(areas) == 5 and len(projects) == 8
    # the docx carries the same headings, tables and the saved IPA figure
    d = demo["docx"]
    assert _headings(d) == [(b.level, b.text) for b in doc.blocks if isinstance(b, Heading)]
    assert [_cells(t) for t in d.tables] == [_frame_cells(b) for b in doc.tables()]
    assert len(d.inline_shapes) == len(list(doc.figures())) == 1


def test_draft_gap_of_each_area_is_the_gap_table_value_rounded_once(demo):
    doc, res, ctx = demo["doc"], demo["res"], demo["ctx"]
    data = res.gaps.data["scale"]
    main = res.gaps.data["main_group"]["group"].iloc[0]
    table = res.gaps.tables["scale"]
    for sid, label in ctx.scale_labels.items():
        q = [t for t in _texts(_area_blocks(doc, label)) if t.startswith("问卷：")]
        assert len(q) == 1, label
        m = re.search(r"平均(低|高) (\d+\.\d+) 分", q[0])
        row = data[(data["group"] == main) & (data["scale"] == sid)].iloc[0]
        assert m.group(1) == ("低" if row["diff"] < 0 else "高")
        assert m.group(2) == nz.num(abs(row["diff"]))  # rounded once from the full value
        cell = table[(table["维度"] == label) & (table["比较对象"] == "对标院校（合并）")]["差值"].iloc[0]
        assert m.group(2) == cell.lstrip("-")
        assert f"Hedges g = {nz.num(row['effect'])}" in q[0]


def test_draft_evidence_strength_and_indicators_per_area(demo):
    doc, res, ctx = demo["doc"], demo["res"], demo["ctx"]
    tri = res.triangulation.data["triangulation"].set_index("area")
    ind = res.indicators.data["gaps"]
    for sid, label in ctx.scale_labels.items():
        blocks = _area_blocks(doc, label)
        lead = _texts(blocks, "lead")[0]
        assert lead.startswith(f"证据强度：「{tri.loc[sid, 'rating']}」")
        text = [t for t in _texts(blocks) if t.startswith("对标指标：")][0]
        mine = ind[ind["area"] == sid]
        m = re.search(r"对应这一问题的 (\d+) 项指标中有 (\d+) 项落后", text)
        assert (int(m.group(1)), int(m.group(2))) == (len(mine), int(mine["behind_median"].sum()))
        for r in mine.itertuples():
            assert nz.quoted(r.indicator) in text
            if r.behind_median:
                assert f"落后 {nz.pct(abs(r.gap_median_share))}" in text
    counts = tri["rating"].value_counts()
    first = _texts(doc.blocks, "lead")[0]
    for k, n in counts.items():
        assert f"「{k}」的有 {n} 个" in first


def test_draft_quotes_are_scrubbed_quotes_of_the_area(demo):
    doc, res, ctx = demo["doc"], demo["res"], demo["ctx"]
    quotes = res.symposium.tables["quotes"]
    freq = res.symposium.tables["frequencies"]
    known: dict[str, set[str]] = {}
    for _, r in quotes.iterrows():  # one statement may be the quotation of two themes
        known.setdefault(f"{r['座谈对象']}（{r['发言人（代号）']}）：“{r['发言摘录']}”", set()).add(r["主题"])
    for sid, label in ctx.scale_labels.items():
        qs = _texts(_area_blocks(doc, label), "quote")
        themes = set(freq.loc[[sid in str(a).split("、") for a in freq["问题领域"]], "主题"])
        assert 2 <= len(qs) <= dr.MAX_QUOTES, label
        assert len(set(qs)) == len(qs)
        for q in qs:
            assert q in known and known[q] & themes
    # no roster name reaches the draft
    names = pd.read_excel(ROOT / "data/raw/demo/合成演示_党员名单.xlsx", engine="openpyxl").iloc[:, 0].astype(str)
    text = "\n".join(_texts(doc.blocks))
    assert not [n for n in names if len(n) >= 2 and n in text]


_NUM = re.compile(r"(?<![A-Za-z_\d.])-?\d+(?:\.\d+)?%?")


def _numbers(text: str) -> list[str]:
    """Number tokens without sign or % (an indicator's unit % is a separate table column)."""
    text = re.sub(r"\b[A-Z]+\d*_\d+\b", " ", text)  # item ids such as P2_2
    text = text.replace("95% CI", " ")
    return [t.lstrip("-").rstrip("%") for t in _NUM.findall(text)]


def test_every_number_in_the_draft_is_a_table_cell(demo):
    doc, res = demo["doc"], demo["res"]
    cells: set[str] = set()
    for sec in (res.gaps, res.symposium, res.indicators, res.priorities, res.triangulation):
        for t in sec.tables.values():
            for v in t.astype(str).to_numpy().ravel():
                cells.update(_numbers(v))
    # integer counts written by the draft itself (checked in the tests above)
    counted = {str(n) for n in range(0, 9)}
    missing = []
    for text in _texts(doc.blocks):
        if text.startswith(("证据强度", "综合")) or "“" in text[:20] and "（发言人" in text:
            continue
        for tok in _numbers(text):
            if tok not in cells and not (tok.isdigit() and tok in counted):
                missing.append((tok, text[:40]))
    assert not missing
    # the check can fail: a number not in any table is caught
    assert "0.123" not in cells


def test_draft_is_byte_identical_and_dated_by_the_fieldwork(demo, tmp_path):
    again = dr.write_draft_sections(demo["res"], tmp_path / "again.docx")
    assert again.read_bytes() == demo["path"].read_bytes()
    created = demo["docx"].core_properties.created
    fw = demo["ctx"].study.fieldwork
    assert created.date() == (fw.end or fw.start)


# ---------------------------------------------------------------------------------------------
# a study without symposium, indicators or importance–performance items


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from survey import analysis as A

    root = tmp_path_factory.mktemp("docx_minimal")
    shutil.copytree(ROOT / "tests/analysis/minimal_study", root / "study",
                    ignore=shutil.ignore_patterns("processed", "__pycache__"))
    study = root / "study" / "study.yaml"
    env = {k: v for k, v in os.environ.items() if k != "SURVEY_PSEUDONYM_KEY"}
    proc = subprocess.run([sys.executable, "-m", "survey", "clean", "--study", str(study)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ctx = A.load(study, figures_dir=root / "figures")
    res = dr.draft_results(ctx)
    return {"ctx": ctx, "res": res, "doc": dr.draft_document(res),
            "path": dr.write_draft_sections(res, root / "draft.docx")}


def test_minimal_study_gets_notes_for_missing_instruments(minimal):
    doc, ctx, res = minimal["doc"], minimal["ctx"], minimal["res"]
    assert res.symposium.skipped and res.indicators.skipped
    for label in ctx.scale_labels.values():
        blocks = _area_blocks(doc, label)
        notes = _texts(blocks, "note")
        assert any(n.startswith("座谈会：") and res.symposium.notes[0] in n for n in notes)
        assert any(n.startswith("对标指标：") and res.indicators.notes[0] in n for n in notes)
        assert any(t.startswith("问卷：") for t in _texts(blocks))
    if res.priorities.skipped:
        assert res.priorities.notes[0] in _texts(doc.blocks, "note")
    d = docx.Document(str(minimal["path"]))
    assert [h for h in _headings(d) if h[0] == 1] == [(1, "三、存在的问题不足"), (1, "四、对策建议")]


def test_zh_ordinal():
    assert [dr.zh_ordinal(n) for n in (1, 8, 10, 11, 20, 35)] == ["一", "八", "十", "十一", "二十", "三十五"]
    with pytest.raises(ValueError):
        dr.zh_ordinal(0)
