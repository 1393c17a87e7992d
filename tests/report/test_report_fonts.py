"""CJK font setup: Chinese renders without missing-glyph warnings, output is reproducible."""

from __future__ import annotations

import io
import re
import warnings

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from survey.report.fonts import PNG_METADATA, SVG_METADATA, bundled_font_files, setup_cjk_font


def _render(text: str) -> np.ndarray:
    fig = Figure(figsize=(2, 2), dpi=100)
    fig.text(0.5, 0.5, text, fontsize=60, ha="center", va="center")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].mean(axis=2)


def test_bundled_font_found_and_rcparams_set() -> None:
    family = setup_cjk_font()
    assert family == "Noto Sans CJK SC"  # the mplfonts bundle (a dependency) comes first
    assert any(p.name == "NotoSansCJKsc-Regular.otf" for p in bundled_font_files())
    assert mpl.rcParams["font.sans-serif"][0] == family
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert mpl.rcParams["svg.fonttype"] == "path"
    assert mpl.rcParams["svg.hashsalt"]


def test_chinese_renders_real_glyphs_without_warning() -> None:
    setup_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise
        zhong, guo = _render("中"), _render("国")
        minus = _render("-1")
    for img in (zhong, guo):
        dark = img < 128
        # ink in the centre where the glyph is, none in the corners
        assert dark[50:150, 50:150].mean() > 0.05
        assert not dark[:20, :20].any()
    # Two different characters give different images: not the same "tofu" box twice.
    assert np.abs(zhong - guo).mean() > 5
    assert (minus < 128).any()


def test_saved_files_are_reproducible_and_portable() -> None:
    setup_cjk_font()

    def draw() -> Figure:
        fig = Figure(figsize=(3, 2))
        ax = fig.subplots()
        ax.plot([0, 1], [1, -1])
        ax.set_title("党建工作 −1")
        return fig

    blobs = []
    for _ in range(2):
        png, svg = io.BytesIO(), io.BytesIO()
        fig = draw()
        fig.savefig(png, format="png", metadata=dict(PNG_METADATA))
        fig.savefig(svg, format="svg", metadata=dict(SVG_METADATA))
        blobs.append((png.getvalue(), svg.getvalue()))
    assert blobs[0] == blobs[1]
    png, svg = blobs[0]
    assert b"Software" not in png and b"matplotlib" not in png.lower()
    text = svg.decode("utf-8")
    assert "<dc:date>" not in text
    assert "<text" not in text  # glyphs are paths: renders without the font installed
    assert re.search(r"<path", text)


def test_cjk_font_file_prefers_the_bundled_file_over_a_system_collection() -> None:
    """With fonts-noto-cjk installed the family also comes from a .ttc (crashed the subsetter)."""
    from survey.report.fonts import bundled_font_files, cjk_font_file

    if not bundled_font_files():
        pytest.skip("mplfonts not installed")
    assert cjk_font_file() in bundled_font_files()


def test_collection_index_picks_the_simplified_chinese_face() -> None:
    from pathlib import Path

    from fontTools.ttLib import TTCollection

    from survey.report.fonts import collection_index

    ttc = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not ttc.is_file():
        pytest.skip("fonts-noto-cjk not installed")
    i = collection_index(ttc)
    assert str(TTCollection(str(ttc), lazy=True)[i]["name"].getDebugName(1)).endswith(" SC")
    assert collection_index(Path("x.otf")) == 0
