"""Chinese (CJK) fonts for matplotlib, and deterministic figure output.

Figures carry Simplified Chinese labels. A bare machine (a CI runner, a fresh Linux server) has
no CJK font, so matplotlib would draw empty boxes and warn ``Glyph ... missing from font(s)``.
:func:`setup_cjk_font` registers a CJK font with matplotlib's font manager **in memory**:

1. the Noto Sans CJK SC font bundled in the ``mplfonts`` package (no network, nothing written
   into site-packages: unlike ``mplfonts init`` we only call
   :meth:`matplotlib.font_manager.FontManager.addfont` on the bundled file);
2. otherwise a CJK font already installed on the system (Noto Sans CJK SC, Source Han Sans SC,
   WenQuanYi, Microsoft YaHei, SimHei, PingFang SC ...).

It also sets the rcParams that make saved figures portable and byte-for-byte reproducible:
``svg.fonttype = "path"`` (glyphs become paths, so an SVG renders anywhere without the font),
a fixed ``svg.hashsalt`` (stable SVG element ids) and ``axes.unicode_minus = False`` (CJK fonts
lack U+2212). :data:`SVG_METADATA` and :data:`PNG_METADATA` remove the date and the matplotlib
version from saved files.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

#: Preferred bundled font files in the ``mplfonts`` package, best first.
_BUNDLED_FILES = ("NotoSansCJKsc-Regular.otf", "SourceHanSerifSC-Regular.otf", "SimHei.ttf")

#: System font families that cover Simplified Chinese, best first.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "Droid Sans Fallback",
)

#: ``savefig(metadata=...)`` for SVG: no creation date, no tool version.
SVG_METADATA: dict[str, str | None] = {"Date": None, "Creator": None, "Format": None}
#: ``savefig(metadata=...)`` for PNG: no ``Software`` entry naming the matplotlib version.
PNG_METADATA: dict[str, str | None] = {"Software": None}

_HASH_SALT = "survey"


def bundled_font_files() -> list[Path]:
    """Return the CJK font files shipped with ``mplfonts`` (best first), without importing it.

    Returns
    -------
    list of Path
        Existing font files; empty when ``mplfonts`` is not installed.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return []
    font_dir = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return [font_dir / name for name in _BUNDLED_FILES if (font_dir / name).is_file()]


def cjk_font_file() -> Path | None:
    """Return the font file :func:`setup_cjk_font` uses (also used to embed a web font)."""
    family = setup_cjk_font()
    from matplotlib import font_manager

    # the bundled file first: a system package (fonts-noto-cjk) may register the same family
    # name from a .ttc collection
    for path in bundled_font_files():
        if font_manager.FontProperties(fname=str(path)).get_name() == family:
            return path
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family:
            return Path(entry.fname)
    return None


def collection_index(path: Path, family: str | None = None) -> int:
    """Return the face of a font collection (``.ttc`` / ``.otc``) to use; 0 for a single font.

    Parameters
    ----------
    path
        The font file.
    family
        Preferred family name (e.g. ``"Noto Sans CJK SC"``); default: a face whose name ends
        in ``SC`` (Simplified Chinese), else the first face.
    """
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    names = [str(face["name"].getDebugName(1) or "") for face in TTCollection(str(path), lazy=True)]
    for i, name in enumerate(names):
        if (family and name == family) or (not family and name.endswith(" SC")):
            return i
    return next((i for i, name in enumerate(names) if name.endswith(" SC")), 0)


@lru_cache(maxsize=1)
def _register_cjk_font() -> str:
    # Cached: registering parses a 16 MB font file, and callers (every plot helper) call this
    # on each figure.
    from matplotlib import font_manager

    for path in bundled_font_files():
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):  # unreadable file: try the next one
            continue
        return font_manager.FontProperties(fname=str(path)).get_name()
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in SYSTEM_CJK_FAMILIES:
        if family in installed:
            return family
    from survey.errors import SurveyError

    raise SurveyError(
        "找不到可显示简体中文的字体，图中的中文会显示为方框",
        expected="已安装 mplfonts 包（自带思源黑体/Noto Sans CJK SC），或系统中有中文字体",
        hint="在项目环境中执行 pip install mplfonts，或安装系统字体包（如 fonts-noto-cjk）",
    )


def setup_cjk_font() -> str:
    """Make matplotlib draw Simplified Chinese and write reproducible files.

    Safe to call many times (the font is registered once per process).

    Returns
    -------
    str
        The font family now first in ``font.sans-serif`` (e.g. ``"Noto Sans CJK SC"``).

    Raises
    ------
    SurveyError
        When neither the bundled font nor any system CJK font is available.

    Notes
    -----
    Sets ``font.family = "sans-serif"``, puts the CJK family first in ``font.sans-serif``
    (DejaVu Sans stays as fallback for symbols), ``axes.unicode_minus = False``,
    ``svg.fonttype = "path"``, ``svg.hashsalt`` fixed, ``pdf.fonttype = 42``.

    Examples
    --------
    >>> from survey.report.fonts import setup_cjk_font
    >>> setup_cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    import matplotlib as mpl

    family = _register_cjk_font()
    sans = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [family, *sans]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["svg.fonttype"] = "path"
    mpl.rcParams["svg.hashsalt"] = _HASH_SALT
    mpl.rcParams["pdf.fonttype"] = 42
    return family
