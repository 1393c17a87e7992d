"""Render a :class:`~survey.report.document.Document` to Word (DOCX) for the research group.

The research group pastes the committee brief and the draft sections into their 调研报告 and
edits them in Word or WPS, so the file uses real Word structures: headings are Word heading
styles (they show in the navigation pane), tables are Word tables (header row repeated on
every page, numbers right-aligned), figures are embedded PNG pictures at the text width, and
the page number is a ``PAGE`` field in the footer.

Page and type follow the usual Chinese official-document layout (GB/T 9704-2012, loosely):

=================  =========================================================================
page               A4 (210 × 297 mm); margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm
title              宋体 bold, 二号 (22 pt), centred
headings           黑体: level 1 三号 (16 pt), level 2 四号 (14 pt), level 3 小四 (12 pt) bold
body               仿宋 四号 (14 pt), first-line indent of two characters, 1.5 line spacing
                   (GB/T 9704 prescribes 三号 for official documents; a research report with
                   tables reads better one size smaller, and the group re-styles it anyway)
notes, captions    仿宋 小四 (12 pt); captions 黑体 五号 (10.5 pt), centred
quotations         楷体 四号, indented
tables             宋体 五号 (10.5 pt; 小五 9 pt above 8 columns), single lines, header row bold
                   repeated on every page, column widths from the widest cell; a table too
                   wide for the page gets a landscape page of its own
footer             page number ``— n —``, 宋体 四号, centred
=================  =========================================================================

Latin letters and digits are set in Times New Roman (body) or Arial (headings). python-docx
sets only the ``ascii``/``hAnsi`` fonts of a run; Chinese text uses the ``w:eastAsia`` font,
which is set here on the document defaults and on every style, and the theme fonts of
python-docx's template headings are removed so they cannot override it.

The file is byte-identical across runs: core properties carry a fixed date
(``SOURCE_DATE_EPOCH`` if set, else 2000-01-01) and the zip is rewritten with fixed entry
times and attributes (python-docx stamps every entry with the current time).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt, RGBColor
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph as DocxParagraph

from survey.errors import SurveyError
from survey.io.atomic import write_atomic
from survey.report.document import Document, Figure, Heading, PageBreak, Paragraph, Table

__all__ = ["write_committee_docx", "build_docx", "docx_bytes", "FONTS", "STYLE_NAMES",
           "A4", "MARGINS_MM", "fixed_timestamp"]

#: Page size and margins (mm): GB/T 9704-2012 §5.2 (天头 37 mm, 订口 28 mm).
A4 = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
#: Width of the text block (cm): figures are scaled to it.
TEXT_WIDTH_CM = (A4[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 10
#: Width of the text block of a landscape page (wide tables).
LANDSCAPE_TEXT_WIDTH_CM = (A4[1] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 10

#: East-Asian and Latin font of each role.
FONTS = {
    "body": ("仿宋", "Times New Roman"),
    "heading": ("黑体", "Arial"),
    "title": ("宋体", "Times New Roman"),
    "table": ("宋体", "Times New Roman"),
    "quote": ("楷体", "Times New Roman"),
}
#: Chinese font sizes in points (二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5).
SIZE = {"二号": 22.0, "三号": 16.0, "四号": 14.0, "小四": 12.0, "五号": 10.5, "小五": 9.0}
#: Tables with more columns than this are set in 小五 (9 pt).
WIDE_TABLE = 8

#: Word style used for each block kind (python-docx template names; custom ones are added).
STYLE_NAMES = {
    "title": "Title", "subtitle": "Subtitle", "heading": "Heading {level}",
    "body": "Normal", "lead": "调研-结论", "note": "调研-说明", "quote": "调研-引文",
    "caption": "Caption", "table": "调研-表格", "notice": "调研-提示",
}

#: Author written into the core properties.
AUTHOR = "调研组"

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def fixed_timestamp() -> dt.datetime:
    """The date stamped into the core properties: ``SOURCE_DATE_EPOCH`` if set, else 2000-01-01.

    ``SOURCE_DATE_EPOCH`` is the reproducible-builds convention (seconds since 1970, UTC), also
    used for the SPSS export (:func:`survey.io.export.sav_timestamp`).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime(2000, 1, 1)


# ---------------------------------------------------------------------------------------------
# styles


def _set_fonts(rpr_owner: Any, east_asia: str, latin: str) -> None:  # oxml: untyped accessors
    """Set all four rFonts slots of a style or run, dropping theme-font attributes."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia),
                        ("w:cs", latin)):
        rfonts.set(qn(attr), value)


def _style(doc: DocxDocument, name: str, *, role: str, size: float, bold: bool = False,
           base: str | None = "Normal") -> ParagraphStyle:
    """The paragraph style ``name`` (added if the template lacks it) in the fonts of ``role``."""
    styles = doc.styles
    try:
        st = styles[name]
    except KeyError:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if base:
            st.base_style = styles[base]
        st.quick_style = True
    if not isinstance(st, ParagraphStyle):  # never: these names are paragraph styles
        raise TypeError(f"Word 样式“{name}”不是段落样式")
    east, latin = FONTS[role]
    st.font.name = latin
    _set_fonts(st.element, east, latin)
    st.font.size = Pt(size)
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    return st


def _setup_styles(doc: DocxDocument) -> None:
    # document defaults: Chinese language and fonts for every run without its own
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    east, latin = FONTS["body"]
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east),
                        ("w:cs", latin)):
        rfonts.set(qn(attr), value)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")

    normal = _style(doc, "Normal", role="body", size=SIZE["四号"], base=None)
    pf = normal.paragraph_format
    pf.first_line_indent = Pt(2 * SIZE["四号"])  # two characters
    pf.line_spacing = 1.5
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = _style(doc, "Title", role="title", size=SIZE["二号"], bold=True)
    _no_indent(title, WD_ALIGN_PARAGRAPH.CENTER, before=0, after=12)
    _drop_borders(title)
    sub = _style(doc, "Subtitle", role="heading", size=SIZE["三号"])
    _no_indent(sub, WD_ALIGN_PARAGRAPH.CENTER, before=0, after=12)
    sizes = {1: SIZE["三号"], 2: SIZE["四号"], 3: SIZE["小四"]}
    for level, size in sizes.items():
        h = _style(doc, f"Heading {level}", role="heading", size=size, bold=level == 3)
        _no_indent(h, WD_ALIGN_PARAGRAPH.LEFT, before=12 if level == 1 else 6, after=6)
        h.paragraph_format.keep_with_next = True
    lead = _style(doc, STYLE_NAMES["lead"], role="body", size=SIZE["四号"], bold=True)
    lead.next_paragraph_style = normal
    note = _style(doc, STYLE_NAMES["note"], role="body", size=SIZE["小四"])
    note.paragraph_format.first_line_indent = Pt(2 * SIZE["小四"])
    note.paragraph_format.line_spacing = 1.25
    quote = _style(doc, STYLE_NAMES["quote"], role="quote", size=SIZE["四号"])
    quote.paragraph_format.left_indent = Pt(2 * SIZE["四号"])
    quote.paragraph_format.right_indent = Pt(2 * SIZE["四号"])
    quote.paragraph_format.first_line_indent = Pt(0)
    notice = _style(doc, STYLE_NAMES["notice"], role="heading", size=SIZE["小四"], bold=True)
    _no_indent(notice, WD_ALIGN_PARAGRAPH.CENTER, before=0, after=12)
    notice.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    cap = _style(doc, "Caption", role="heading", size=SIZE["五号"])
    _no_indent(cap, WD_ALIGN_PARAGRAPH.CENTER, before=6, after=6)
    cap.paragraph_format.keep_with_next = True
    cell = _style(doc, STYLE_NAMES["table"], role="table", size=SIZE["五号"])
    _no_indent(cell, WD_ALIGN_PARAGRAPH.LEFT, before=0, after=0)
    cell.paragraph_format.line_spacing = 1.0
    for name in ("Header", "Footer"):
        _style(doc, name, role="title", size=SIZE["四号"])


def _no_indent(style: ParagraphStyle, align: WD_ALIGN_PARAGRAPH | None, *, before: float, after: float) -> None:
    pf = style.paragraph_format
    pf.first_line_indent = Pt(0)
    pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)


def _drop_borders(style: BaseStyle) -> None:
    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        for b in ppr.findall(qn("w:pBdr")):
            ppr.remove(b)


def _setup_page(doc: DocxDocument) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(A4[0]), Mm(A4[1])
    sec.top_margin, sec.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    sec.header_distance, sec.footer_distance = Mm(15), Mm(20)
    # footer: "— n —" with a PAGE field
    p = sec.footer.paragraphs[0]
    p.style = doc.styles["Footer"]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    _field(p, "PAGE", "1")
    p.add_run(" —")


def _field(paragraph: DocxParagraph, instr: str, shown: str) -> None:
    """Append a simple Word field (e.g. ``PAGE``) to ``paragraph``."""
    for kind, text in (("begin", None), ("instr", f" {instr} "), ("separate", None),
                       ("text", shown), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


# ---------------------------------------------------------------------------------------------
# blocks


def _paragraph(doc: DocxDocument, text: str, style: str) -> DocxParagraph:
    return doc.add_paragraph(text, style=doc.styles[style])


def _table(doc: DocxDocument, block: Table) -> None:
    frame = block.frame
    columns = [str(c) for c in frame.columns]
    numeric = {str(c) for c in block.numeric}
    unknown = numeric - set(columns)
    if unknown:
        raise SurveyError(f"表格“{block.caption}”的数值列不存在：" + "、".join(sorted(unknown)),
                          expected="Table.numeric 只列出表中已有的列名")
    rows = [[_cell_text(v) for v in values] for values in frame.itertuples(index=False, name=None)]
    size = SIZE["五号"] if len(columns) <= WIDE_TABLE else SIZE["小五"]
    natural = _natural_widths(columns, rows, size)
    landscape = sum(natural) > TEXT_WIDTH_CM
    if landscape:  # a wide table gets a landscape page of its own
        _new_section(doc, landscape=True)
    widths = _fit_widths(natural, columns, numeric,
                         LANDSCAPE_TEXT_WIDTH_CM if landscape else TEXT_WIDTH_CM)
    _paragraph(doc, block.caption, "Caption")
    t = doc.add_table(rows=1, cols=len(columns))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_layout(t, widths)
    header = t.rows[0]
    _repeat_header(header)
    for cell, name in zip(header.cells, columns, strict=True):
        _cell(cell, name, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for values in rows:
        row = t.add_row()
        _no_split(row)
        for cell, name, text in zip(row.cells, columns, values, strict=True):
            _cell(cell, text, size=size, nowrap=name in numeric,
                  align=WD_ALIGN_PARAGRAPH.RIGHT if name in numeric else WD_ALIGN_PARAGRAPH.LEFT)
    for row in t.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = w
    if block.note:
        _paragraph(doc, block.note, STYLE_NAMES["note"])
    if landscape:
        _new_section(doc, landscape=False)


def _new_section(doc: DocxDocument, *, landscape: bool) -> None:
    """Start a new page in portrait or landscape A4 (same margins, same footer)."""
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    w, h = Mm(A4[0]), Mm(A4[1])
    sec.page_width, sec.page_height = (h, w) if landscape else (w, h)


def _text_units(text: str) -> int:
    """Width of a text in half-em units: a Chinese (wide) character counts 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _natural_widths(columns: list[str], rows: list[list[str]], size: float) -> list[float]:
    """Width (cm) each column needs: its widest cell; a header may wrap onto two lines."""
    half_em_cm = size / 72 * 2.54 / 2
    pad_cm = 0.4  # cell margins (Word default 0.19 cm each side) and a little air
    need = []
    for j, name in enumerate(columns):
        body = max((_text_units(r[j]) for r in rows), default=0)
        head = -(-_text_units(name) // 2)
        need.append(max(body, head, 4) * half_em_cm + pad_cm)
    return need


def _fit_widths(need: list[float], columns: list[str], numeric: set[str],
                width_cm: float) -> list[Length]:
    """Fit the natural widths into ``width_cm``: text columns give up width first.

    Numeric cells do not wrap (an interval ``[-0.37, -0.11]`` stays on one line), so they keep
    their width while the text columns still get at least 40 % of theirs.
    """
    total = sum(need)
    if total > width_cm:
        fixed = sum(w for w, c in zip(need, columns, strict=True) if c in numeric)
        flexible = total - fixed
        room = width_cm - fixed
        if flexible > 0 and room >= 0.4 * flexible:
            need = [w if c in numeric else w * room / flexible
                    for w, c in zip(need, columns, strict=True)]
        else:
            need = [w * width_cm / total for w in need]
    return [Cm(w) for w in need]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _cell(cell: _Cell, text: str, *, size: float, align: WD_ALIGN_PARAGRAPH | None, bold: bool = False,
          nowrap: bool = False) -> None:
    p = cell.paragraphs[0]
    p.style = STYLE_NAMES["table"]
    p.alignment = align
    run = p.add_run(text)
    if bold:
        run.bold = True
    if size != SIZE["五号"]:
        run.font.size = Pt(size)
    if nowrap:
        tcpr = cell._tc.get_or_add_tcPr()
        tcpr.append(OxmlElement("w:noWrap"))


def _fixed_layout(table: DocxTable, widths: list[Length]) -> None:
    """Fixed column widths (Word and LibreOffice otherwise split the page evenly)."""
    table.autofit = False
    tblpr = table._tbl.tblPr
    w = tblpr.find(qn("w:tblW"))
    if w is None:
        w = OxmlElement("w:tblW")
        tblpr.append(w)
    w.set(qn("w:type"), "dxa")
    w.set(qn("w:w"), str(sum(int(x.twips) for x in widths)))
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width


def _repeat_header(row: _Row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)
    _no_split(row)


def _no_split(row: _Row) -> None:
    trpr = row._tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert(0, OxmlElement("w:cantSplit"))


def _png(path: Path) -> Path:
    """The PNG of a figure (a figure given as SVG uses the PNG saved beside it)."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    if not path.is_file():
        raise SurveyError(f"找不到图片文件 {path}", expected="报告保存的 PNG 图片（先运行 survey report 生成图片）")
    return path


def _figure(doc: DocxDocument, block: Figure) -> None:
    width = Cm(min(float(block.width_cm), TEXT_WIDTH_CM))
    p = doc.add_paragraph(style=doc.styles["Caption"])
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(str(_png(block.path)), width=width)
    _paragraph(doc, block.caption, "Caption").paragraph_format.keep_with_next = False


def _page_break(doc: DocxDocument) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(0)
    p.add_run().add_break(WD_BREAK.PAGE)


def build_docx(document: Document, *, when: dt.datetime | None = None) -> DocxDocument:
    """Build the python-docx object of a :class:`Document` (not saved).

    Parameters
    ----------
    document
        The blocks to render.
    when
        Date of the core properties (default :func:`fixed_timestamp`).

    Returns
    -------
    docx.document.Document
        The Word document; :func:`docx_bytes` serialises it deterministically.
    """
    doc = new_docx()
    _drop_thumbnail(doc)
    _setup_styles(doc)
    _setup_page(doc)
    _core_properties(doc, document, when or fixed_timestamp())
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(p)
    _paragraph(doc, document.title, "Title")
    if document.subtitle:
        _paragraph(doc, document.subtitle, "Subtitle")
    if document.notice:
        _paragraph(doc, document.notice, STYLE_NAMES["notice"])
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(max(int(block.level), 1), 3)
            _paragraph(doc, block.text, f"Heading {level}")
        elif isinstance(block, Paragraph):
            style = {"body": "Normal"}.get(block.style, STYLE_NAMES.get(block.style, "Normal"))
            _paragraph(doc, block.text, style)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Figure):
            _figure(doc, block)
        elif isinstance(block, PageBreak):
            _page_break(doc)
        else:  # pragma: no cover - Block is a closed union
            raise TypeError(f"unknown block {block!r}")
    if document.footer:
        _paragraph(doc, document.footer, STYLE_NAMES["note"])
    return doc


def _drop_thumbnail(doc: DocxDocument) -> None:
    """Remove the template's thumbnail (a picture of an empty page shown by file browsers)."""
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(rid)


def _core_properties(doc: DocxDocument, document: Document, when: dt.datetime) -> None:
    cp = doc.core_properties
    cp.title = document.title
    cp.subject = document.subtitle or ""
    cp.author = AUTHOR
    cp.last_modified_by = AUTHOR
    cp.comments = ""
    cp.keywords = ""
    cp.category = ""
    cp.language = "zh-CN"
    cp.revision = 1
    cp.created = cp.modified = cp.last_printed = when


# ---------------------------------------------------------------------------------------------
# writing


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite a DOCX zip with fixed entry times and attributes, keeping the entry order.

    python-docx writes every entry with ``ZipFile.writestr(name, ...)``, which stamps the
    current local time; the order of the entries is already stable (``[Content_Types].xml``
    first, then the parts in relationship order), so only the metadata is normalised.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0
            dst.writestr(fixed, src.read(info.filename), compresslevel=6)
    return out.getvalue()


def docx_bytes(document: Document, *, when: dt.datetime | None = None) -> bytes:
    """The DOCX file of ``document`` as bytes (the same bytes on every run)."""
    buf = io.BytesIO()
    build_docx(document, when=when).save(buf)
    return _deterministic_zip(buf.getvalue())


def write_committee_docx(document: Document, path: str | Path, *,
                         when: dt.datetime | None = None) -> Path:
    """Write ``document`` as a Word file in the Chinese official-document style.

    Parameters
    ----------
    document
        The committee brief (or any :class:`Document`): headings, paragraphs, tables, figures.
    path
        Target ``.docx``; its folder is created. Written atomically (a temporary file in the
        same folder, then :func:`os.replace`), so a reader never sees half a file.
    when
        Date of the core properties (default :func:`fixed_timestamp`).

    Returns
    -------
    Path
        ``path``.

    Notes
    -----
    Two runs on the same document give byte-identical files (fixed core-property dates, fixed
    zip entry times). Figures must be saved PNG files (:func:`survey.analysis.save_figures`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from survey.report.document import Document, Heading, Paragraph
    >>> doc = Document("示例").add(Heading("一、结论"), Paragraph("本院在两个维度上落后。"))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "brief.docx"
    >>> write_committee_docx(doc, out).stat().st_size > 0
    True
    """
    path = Path(path)
    write_atomic(path, docx_bytes(document, when=when))
    return path
