"""Render a :class:`~survey.report.document.Document` as one self-contained HTML page.

The page is what ``reports/committee.html`` is: no script, nothing loaded from another host
(a ``Content-Security-Policy`` meta tag forbids both), figures as ``data:`` URIs (each once,
scaled to the width it is printed at), the CSS inline, and an optional ``@font-face`` with a
subset of the CJK font. Texts are escaped by Jinja2's autoescape: a statement quoted from a
symposium cannot inject markup. A reference such as ``附录表 A2`` or ``图 1`` in a paragraph
becomes a link to the table or figure of that name.

The print layout (A4, page numbers, tables never split by row, header rows repeated, figures
two to a row in the 摘要) is in ``templates/report.css``; Chromium prints it to PDF
(:func:`print_pdf`).
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from survey.report.document import Document, Figure, Heading, PageBreak, Paragraph, Table

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["render_html", "CSP", "figure_data_uri", "print_pdf", "start_pdf", "dump_dom", "chromium", "CHROMIUM_HINT"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: No script, no remote load: images and fonts only as data URIs, styles inline.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
#: Pixels per centimetre of an embedded figure (about 190 dpi: sharp in print, small in size).
PX_PER_CM = 75
CHROMIUM_HINT = "未找到 Chromium，未生成 committee.pdf；安装后即可生成：apt-get install chromium"
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_REF_RE = re.compile(r"(附录表 ?|附表 ?|摘要表 ?|表 ?)(A\d+|\d+[a-z]?)|(图 ?)(\d+)")


def figure_data_uri(path: Path, width_cm: float) -> tuple[str, tuple[int, int]]:
    """A PNG as a ``data:`` URI, scaled down to ``width_cm`` at :data:`PX_PER_CM`.

    Returns the URI and the size in pixels. The PNG is re-encoded with Pillow (``optimize``),
    deterministically; an SVG is embedded as it is.
    """
    path = Path(path)
    if path.suffix.lower() == ".svg":
        data = path.read_bytes()
        return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii"), (0, 0)
    from PIL import Image

    with Image.open(path) as src:
        src.load()
        im: Image.Image = src
        target = max(1, int(round(width_cm * PX_PER_CM)))
        if im.width > target:
            im = im.resize((target, max(1, round(im.height * target / im.width))),
                           Image.Resampling.LANCZOS)
        if im.mode not in ("RGB", "L", "P"):
            bg = Image.new("RGB", im.size, "white")
            bg.paste(im, mask=im.getchannel("A") if "A" in im.getbands() else None)
            im = bg
        buf = io.BytesIO()
        im.save(buf, format="PNG", optimize=True)
        size = im.size
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), size


def _anchors(doc: Document) -> dict[str, str]:
    """Label shown in a text (``A2``, ``3``, ``图1``) → anchor of the block it names."""
    out: dict[str, str] = {}
    for b in doc.blocks:
        if isinstance(b, Table) and b.anchor:
            m = re.match(r"\s*(?:附表|表) ?(A\d+|\d+[a-z]?)\b", b.caption)
            if m:
                out[m.group(1)] = b.anchor
        elif isinstance(b, Figure) and b.anchor:
            m = re.match(r"\s*图 ?(\d+)", b.caption)
            if m:
                out["图" + m.group(1)] = b.anchor
    return out


def _linked(text: str, anchors: dict[str, str]) -> Markup:
    """Escape ``text`` and turn references to known tables and figures into links."""
    from markupsafe import Markup, escape

    parts: list[str] = []
    pos = 0
    for m in _REF_RE.finditer(text):
        key = m.group(2) if m.group(2) else "图" + m.group(4)
        anchor = anchors.get(key)
        if anchor is None:
            continue
        parts.append(str(escape(text[pos:m.start()])))
        parts.append(f'<a href="#{escape(anchor)}">{escape(m.group(0))}</a>')
        pos = m.end()
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))


def _is_numeric_text(s: str) -> bool:
    return bool(re.fullmatch(r"[-+<>≤≥ ]*[\d.,]+%?|—|[\[(].*[\])]|<\s*[\d.]+", s.strip()))


def _table_view(t: Table) -> dict[str, Any]:
    numeric = set(t.numeric)
    cols = [str(c) for c in t.frame.columns]
    long_cols = set()
    for c in t.frame.columns:
        if str(c) in numeric:
            continue
        lengths = t.frame[c].astype(str).map(len)
        if len(lengths) and lengths.max() > 14:
            long_cols.add(str(c))
    header = [{"text": c, "cls": "num" if c in numeric else ("long" if c in long_cols else "text")}
              for c in cols]
    rows = []
    for values in t.frame.itertuples(index=False):
        row = []
        for c, v in zip(cols, values, strict=True):
            text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
            cls = "num" if c in numeric else ("long" if c in long_cols else "text")
            row.append({"text": text, "cls": cls})
        rows.append(row)
    return {"kind": "table", "caption": t.caption, "anchor": t.anchor, "note": t.note,
            "header": header, "rows": rows,
            "cls": "data wide" if len(cols) > 7 else "data"}


def _views(doc: Document) -> list[dict[str, Any]]:
    anchors = _anchors(doc)
    views: list[dict[str, Any]] = []
    seen: set[Path] = set()
    for b in doc.blocks:
        if isinstance(b, Heading):
            views.append({"kind": "heading", "level": min(max(b.level, 1), 3) + 1
                          if b.level else 2, "text": b.text, "anchor": b.anchor})
        elif isinstance(b, Paragraph):
            views.append({"kind": "paragraph", "style": b.style, "html": _linked(b.text, anchors)})
        elif isinstance(b, Figure):
            key = Path(b.path).resolve()
            if key in seen:  # a figure is embedded once; later mentions link to it
                continue
            seen.add(key)
            src, px = figure_data_uri(Path(b.path), b.width_cm)
            item = {"src": src, "px": px, "caption": b.caption, "anchor": b.anchor,
                    "width": f"{b.width_cm:.1f}cm"}
            if views and views[-1]["kind"] == "figures":
                views[-1]["figs"].append(item)
            else:
                views.append({"kind": "figures", "figs": [item]})
        elif isinstance(b, Table):
            views.append(_table_view(b))
        elif isinstance(b, PageBreak):
            views.append({"kind": "pagebreak"})
    return views


def render_html(doc: Document, *, css: str | None = None, font_css: str = "",
                run_time: str | None = None) -> str:
    """The page of a :class:`Document` (headings one level below the title's ``<h1>``).

    Parameters
    ----------
    doc
        The document (e.g. :func:`survey.report.brief.build_brief`).
    css
        The style sheet; default ``templates/report.css``.
    font_css
        A ``<style>`` element with an ``@font-face`` (e.g. the CJK subset), inserted as is.
    run_time
        Shown under the title when given.

    Returns
    -------
    str
        A complete HTML document.

    Examples
    --------
    >>> from survey.report.document import Document, Paragraph
    >>> page = render_html(Document("示例").add(Paragraph("<script>alert(1)</script>")))
    >>> "<script>" in page, "&lt;script&gt;" in page
    (False, True)
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=False, lstrip_blocks=False)
    css = css if css is not None else (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    return env.get_template("brief.html.j2").render(
        doc=doc, blocks=_views(doc), css=css, font_css=font_css, csp=CSP, run_time=run_time)


def chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or ``None``."""
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_args(exe: str, profile: str) -> list[str]:
    """Chromium's headless options: no sandbox, GPU, network services or first-run UI."""
    return [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={profile}"]


def start_pdf(html_path: Path, pdf_path: Path, *, timeout: int = 180,
              extra: Iterable[str] = ()) -> Callable[[], Path | None] | None:
    """Start printing an HTML file to PDF with headless Chromium; return a function to wait.

    ``None`` when Chromium is absent. Calling the returned function waits for Chromium, moves
    the PDF from its temporary name into place and returns its path (``None`` if printing
    failed). The caller can do other work (e.g. write the DOCX) meanwhile.
    """
    import os

    exe = chromium()
    if exe is None:
        return None
    pdf_path = Path(pdf_path)
    from survey.io.atomic import check_writable

    check_writable(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    profile = tempfile.TemporaryDirectory(prefix="survey-chromium-")
    tmp = pdf_path.with_name(f".{pdf_path.name}.tmp")
    tmp.unlink(missing_ok=True)
    cmd = [*chromium_args(exe, profile.name), *extra, f"--print-to-pdf={tmp}",
           Path(html_path).resolve().as_uri()]
    from survey.report.runner import child_launch_options  # dies with survey report

    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            **child_launch_options())

    def wait() -> Path | None:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        finally:
            profile.cleanup()
        if not tmp.is_file() or tmp.stat().st_size == 0:
            tmp.unlink(missing_ok=True)
            return None
        from survey.io.atomic import check_writable

        check_writable(pdf_path)
        os.replace(tmp, pdf_path)
        return pdf_path

    return wait


def print_pdf(html_path: Path, pdf_path: Path, *, timeout: int = 180,
              extra: Iterable[str] = ()) -> Path | None:
    """Print an HTML file to PDF with headless Chromium (``None`` when Chromium is absent).

    The PDF is written to a temporary name next to ``pdf_path`` and moved into place.
    """
    wait = start_pdf(html_path, pdf_path, timeout=timeout, extra=extra)
    return wait() if wait is not None else None


def dump_dom(html_path: Path, *, timeout: int = 180, extra: Iterable[str] = ()) -> str | None:
    """The DOM of an HTML file after layout, from headless Chromium (``None`` without it)."""
    exe = chromium()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="survey-chromium-") as profile:
        cmd = [*chromium_args(exe, profile), "--run-all-compositor-stages-before-draw",
               "--virtual-time-budget=5000", *extra, "--dump-dom", Path(html_path).resolve().as_uri()]
        out = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False, text=True)
    return out.stdout
