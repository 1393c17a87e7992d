"""Figures for the report: forest plot, diverging Likert bars, gap bars, IPA quadrant (and its
movement between two waves, :func:`ipa_movement_plot`), heat map.

Every chart comes at two levels, as in seaborn. The figure-level function (``forest_plot``,
``diverging_likert``, ``gap_bars``, ``ipa_quadrant``, ``heatmap``) sizes a new
:class:`matplotlib.figure.Figure` to the data (not pyplot, so nothing is shown twice in a
notebook and no global figure state leaks) and returns it. Under each, an axes-level function
(``forest``, ``likert``, ``bars``, ``quadrant``, ``heat``) draws the same chart on the
:class:`~matplotlib.axes.Axes` given as ``ax`` and returns it, so that two charts can sit side
by side::

    fig = Figure(figsize=(15, 5), layout="constrained")
    left, right = fig.subplots(1, 2)
    forest(gaps, label="label", est="effect", lo="effect_ci_low", hi="effect_ci_high", ax=left)
    quadrant(ipa, x="perf_mean", y="imp_mean", label="name", ax=right)

Each takes a tidy table first and keyword-only options after it. Labels are passed in by the
caller in Simplified Chinese; the helpers only add a few default Chinese captions (such as
:data:`LEVEL_LABEL` on a zero line).

The figures are made to be printed, in greyscale too, on an A4 page: page wide
(:data:`PAGE_WIDTH`, 16 cm), colour-blind-safe colours (seaborn's :data:`COLORBLIND`,
ColorBrewer's :data:`DIVERGING`) backed by marker shapes, hatching or position, and saved as
150-dpi palette PNGs of a few dozen kB.
Helpers never write files: :func:`save_figure` does, as PNG and SVG named by content, with
byte-identical output for identical input.
"""

from __future__ import annotations

import io
import re
from collections.abc import Hashable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import ColorType

from survey.errors import SurveyError
from survey.io.atomic import write_atomic
from survey.report.fonts import PNG_METADATA, SVG_METADATA, setup_cjk_font

#: Width of a figure on an A4 page (text width about 16 cm), in inches.
PAGE_WIDTH = 6.3
#: seaborn's colour-blind-safe qualitative palette (``seaborn.color_palette("colorblind")``),
#: written out so that figures without a heat map do not import seaborn (about a second).
COLORBLIND = ("#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4",
              "#949494", "#ece133", "#56b4e9")
#: ColorBrewer's diverging red-blue map (colour-blind safe): red = bad, blue = good.
DIVERGING = "RdBu"
#: Bars or points that are behind / ahead of the reference (vermillion / blue of
#: :data:`COLORBLIND`, apart in lightness too, so that they differ in greyscale print).
BEHIND_COLOR, AHEAD_COLOR = COLORBLIND[3], COLORBLIND[0]
#: Marker shapes of the groups of a forest plot, so that groups differ in greyscale print.
MARKERS = ("o", "s", "^", "v", "P", "X", "*")
#: Default label of the "no difference" reference line.
LEVEL_LABEL = "持平"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_NUMBERED_RE = re.compile(r"^(fig|figure|plot|chart|img|image)?[_-]?\d+$")


def _require_columns(table: pd.DataFrame, columns: Sequence[str | None], what: str) -> None:
    missing = [c for c in columns if c is not None and c not in table.columns]
    if missing:
        raise SurveyError(
            f"绘制{what}所需的列不存在：{'、'.join(map(str, missing))}",
            expected=f"表中应有列：{'、'.join(str(c) for c in columns if c is not None)}",
            hint=f"现有列：{'、'.join(map(str, table.columns))}",
        )


@lru_cache(maxsize=1)
def _register_notebook_display() -> None:
    """Show returned figures in Jupyter as PNG, even when pyplot was never used.

    The helpers build :class:`Figure` objects without pyplot, so matplotlib's inline backend
    (activated lazily by pyplot) may not have registered its formatter yet; the figure would
    show as ``<Figure size ...>``. The PNG is the same reproducible rendering that
    :func:`save_figure` writes, displayed at its nominal size.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def to_png(fig: Figure) -> tuple[bytes, dict[str, int]]:
        return figure_bytes(fig, "png"), {"width": int(fig.get_figwidth() * 96)}

    shell.display_formatter.formatters["image/png"].for_type(Figure, to_png)


def _palette(name: str, n: int) -> list[tuple[float, float, float, float]]:
    """``n`` colours from a matplotlib colour map (qualitative maps: the first ``n``);
    ``"colorblind"`` is :data:`COLORBLIND`.

    matplotlib instead of seaborn here keeps importing seaborn (about a second) out of the
    figures that do not need it.
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_rgba

    if name == "colorblind":
        return [to_rgba(COLORBLIND[i % len(COLORBLIND)]) for i in range(n)]
    cmap = colormaps[name]
    if getattr(cmap, "N", 256) <= 20:  # qualitative (ListedColormap with few colours)
        return [cmap(i % cmap.N) for i in range(n)]
    return [cmap(x) for x in np.linspace(0.08, 0.92, n)] if n > 1 else [cmap(0.5)]


def _diverging_colors(name: str, k: int) -> list[tuple[float, float, float, float]]:
    """``k`` colours of a diverging map, the two halves kept clear of its near-white middle
    (a 6-point scale's "slightly" categories would otherwise vanish on white paper); with an
    odd ``k`` the middle one is the map's centre (the caller greys it)."""
    from matplotlib import colormaps

    cmap = colormaps[name]
    half = k // 2
    left = np.linspace(0.04, 0.3, half) if half > 1 else np.array([0.2])
    mid = [0.5] if k % 2 else []
    return [cmap(float(x)) for x in [*left, *mid, *(1 - left[::-1])]]


def _new_figure(figsize: tuple[float, float]) -> Figure:
    """A new pyplot-free figure with the CJK font set up."""
    setup_cjk_font()
    _register_notebook_display()
    return Figure(figsize=figsize, layout="constrained")


def _root_figure(ax: Axes) -> Figure:
    """The figure that ``ax`` is drawn in (the top figure when ``ax`` is in a subfigure)."""
    fig = ax.get_figure(root=True)
    if fig is None:
        raise ValueError("坐标轴不在任何图形中")
    return fig


def _level_line(ax: Axes, ref: float, ref_label: str | None, rows: int, **line: Any) -> None:
    """The vertical "no difference" line at ``ref`` over ``rows`` rows (first at the top),
    labelled ``ref_label`` in half a row of room above the first row."""
    ax.axvline(ref, color="0.25", **line)
    ax.set_ylim(rows - 0.5, -1.0 if ref_label else -0.5)
    if ref_label:
        ax.text(ref, -0.78, ref_label, ha="center", va="center", fontsize=8, color="0.2",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1}, zorder=4)


def _forest_size(table: pd.DataFrame, label: str, group: str | None) -> tuple[float, float]:
    n_labels = table[label].astype(str).nunique()
    n_groups = table[group].astype(str).nunique() if group else 1
    return PAGE_WIDTH, 1.5 + 0.4 * max(n_labels, 1) * (1 + 0.3 * (n_groups - 1))


def forest_plot(table: pd.DataFrame, **options: Any) -> Figure:
    """Draw a forest plot (:func:`forest`) on a new figure sized to its rows.

    Parameters
    ----------
    table
        The data (first argument of :func:`forest`).
    **options
        The options of :func:`forest` (not ``ax``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = forest_plot(gaps, label="dimension", est="effect",
    ...                   lo="effect_ci_low", hi="effect_ci_high")  # doctest: +SKIP
    """
    _require_columns(table, [options.get("label"), options.get("group")], "森林图")
    fig = _new_figure(figsize=_forest_size(table, options["label"], options.get("group")))
    ax = forest(table, **options, legend=False, ax=fig.subplots())
    handles, labels_ = ax.get_legend_handles_labels()
    if handles:  # below the axes, outside them (constrained layout makes room)
        fig.legend(handles, labels_, ncols=min(len(handles), 3), loc="outside lower center",
                   frameon=False, fontsize=8)
    return fig


def forest(
    data: pd.DataFrame,
    *,
    label: str,
    est: str,
    lo: str,
    hi: str,
    ref: float = 0,
    ref_label: str | None = LEVEL_LABEL,
    group: str | None = None,
    highlight: str | None = None,
    xlabel: str = "效应量（95% 置信区间）",
    title: str | None = None,
    palette: str = "colorblind",
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw a forest plot on ``ax``: one row per label, a point estimate and its interval.

    Parameters
    ----------
    data
        Tidy frame with one row per estimate (e.g. the output of a comparison function).
    label
        Column with the row label (e.g. the dimension name in Chinese).
    est, lo, hi
        Columns with the estimate and the interval bounds (e.g. ``effect``,
        ``effect_ci_low``, ``effect_ci_high``).
    ref
        Position of the vertical reference line (no effect).
    ref_label
        Text written at the top of the reference line (default ``持平``); ``None``: none.
    group
        Optional column whose values are drawn side by side within a row (e.g. naive vs
        adjusted, or member type), with a legend. Each group has its own marker shape, so that
        groups differ in greyscale print too.
    highlight
        A value of ``group`` drawn apart from the others: black filled diamonds with thick
        bars, listed first in the legend (e.g. the pooled benchmark group among the single
        colleges). The other groups get hollow markers.
    xlabel, title
        Axis label and title (Simplified Chinese).
    palette
        A matplotlib colour map name for the groups, or ``"colorblind"`` (:data:`COLORBLIND`).
    legend
        Put a legend of the groups in the axes (:func:`forest_plot` puts one under the whole
        figure instead).
    ax
        The axes to draw on; ``None``: a new figure sized as :func:`forest_plot` sizes it.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Rows keep the order of first appearance in ``data``, top to bottom. Rows with a missing
    estimate are labelled but drawn empty; missing bounds draw the point without a bar.

    Examples
    --------
    >>> fig = Figure(figsize=(15, 4), layout="constrained")  # doctest: +SKIP
    >>> left, right = fig.subplots(1, 2)  # doctest: +SKIP
    >>> forest(naive, label="label", est="diff", lo="ci_low", hi="ci_high", ax=left)  # doctest: +SKIP
    """
    table = data
    _require_columns(table, [label, est, lo, hi, group], "森林图")
    labels = list(dict.fromkeys(table[label].astype(str)))
    groups: list[str | None] = list(dict.fromkeys(table[group].astype(str))) if group else [None]
    if highlight is not None and highlight in groups:
        groups = [highlight, *[g for g in groups if g != highlight]]
    others = [g for g in groups if g is None or g != highlight]
    colors = dict(zip(others, _palette(palette, max(len(others), 1)), strict=False))
    if ax is None:
        ax = _new_figure(figsize=_forest_size(table, label, group)).subplots()
    step = 0.6 / len(groups) if len(groups) > 1 else 0.0
    pos = {name: i for i, name in enumerate(labels)}
    for gi, g in enumerate(groups):
        sub = table if g is None else table[table[group].astype(str) == g]
        y = np.array([pos[str(v)] for v in sub[label]], dtype=float)
        y = y + (gi - (len(groups) - 1) / 2) * step
        e = pd.to_numeric(sub[est], errors="coerce").to_numpy(dtype=float)
        lo_v = pd.to_numeric(sub[lo], errors="coerce").to_numpy(dtype=float)
        hi_v = pd.to_numeric(sub[hi], errors="coerce").to_numpy(dtype=float)
        err = np.vstack([np.where(np.isnan(lo_v), 0, e - lo_v), np.where(np.isnan(hi_v), 0, hi_v - e)])
        style: _ErrorbarStyle
        if g is not None and g == highlight:
            style = {"fmt": "D", "color": "black", "ecolor": "black", "elinewidth": 2.2,
                     "markersize": 7, "zorder": 4}
        else:
            k = others.index(g)
            style = {"fmt": MARKERS[k % len(MARKERS)] if group else "o", "color": colors[g],
                     "ecolor": colors[g], "elinewidth": 1.2, "markersize": 6, "zorder": 3,
                     "markerfacecolor": "white" if highlight in groups else colors[g],
                     "markeredgewidth": 1.4}
        ax.errorbar(e, y, xerr=np.nan_to_num(err), capsize=3, label=None if g is None else g,
                    **style)
    _level_line(ax, ref, ref_label, len(labels), linestyle="--", linewidth=1.2, zorder=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="0.9")
    if title:
        ax.set_title(title)
    if group and legend:
        ax.legend(title=None, frameon=True, framealpha=0.9, loc="best", fontsize=8)
    return ax


class _ErrorbarStyle(TypedDict, total=False):
    """Keyword arguments of :meth:`~matplotlib.axes.Axes.errorbar` that style one group."""

    fmt: str
    color: ColorType
    ecolor: ColorType
    elinewidth: float
    markersize: float
    zorder: float
    markerfacecolor: ColorType
    markeredgewidth: float


def _bars_size(table: pd.DataFrame) -> tuple[float, float]:
    return PAGE_WIDTH, 1.3 + 0.36 * max(len(table), 1)


def gap_bars(table: pd.DataFrame, **options: Any) -> Figure:
    """Draw sorted horizontal gap bars (:func:`bars`) on a new page-wide figure.

    Parameters
    ----------
    table
        The data (first argument of :func:`bars`).
    **options
        The options of :func:`bars` (not ``ax``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = _new_figure(figsize=_bars_size(table))
    bars(table, **options, ax=fig.subplots())
    return fig


def bars(
    data: pd.DataFrame,
    *,
    label: str,
    value: str,
    text: str | None = None,
    sort: bool = True,
    ref: float = 0,
    ref_label: str | None = LEVEL_LABEL,
    xlabel: str = "差距",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw one horizontal bar per row from ``ref``, with its value written beside it.

    Bars below ``ref`` (behind) are vermillion and hatched, bars above it blue
    (:data:`BEHIND_COLOR`, :data:`AHEAD_COLOR`), so they differ in greyscale print too.

    Parameters
    ----------
    data
        One row per bar (e.g. an indicator).
    label
        Column with the row label.
    value
        Column with the bar length (e.g. the gap in %); a missing value draws no bar, only
        the text (e.g. a yes/no indicator, written 有/无).
    text
        Column with the text written beside each bar; default the value, rounded.
    sort
        Sort the bars by value, most negative at the top; rows without a value go last.
    ref, ref_label
        Where the bars start, and the label of that line (default ``持平``; ``None``: none).
    xlabel, title
        Axis label and title.
    ax
        The axes to draw on; ``None``: a new figure sized as :func:`gap_bars` sizes it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require_columns(data, [label, value, text], "差距条形图")
    table = data.assign(_v=pd.to_numeric(data[value], errors="coerce"))
    if sort:
        table = table.sort_values("_v", kind="stable", na_position="last")
    v = table["_v"].to_numpy(dtype=float)
    words = (table[text].astype(str).tolist() if text is not None
             else [("" if np.isnan(x) else f"{x:+.0f}") for x in v])
    if ax is None:
        ax = _new_figure(figsize=_bars_size(table)).subplots()
    y = np.arange(len(table))
    d = np.nan_to_num(v - ref)
    behind = d < 0
    ax.barh(y[behind], d[behind], left=ref, height=0.6, color=BEHIND_COLOR, hatch="///",
            edgecolor="white", linewidth=0, zorder=2)
    ax.barh(y[~behind], d[~behind], left=ref, height=0.6, color=AHEAD_COLOR, zorder=2)
    finite = np.abs(d[np.isfinite(v)])
    span = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    pad = 0.02 * span
    for yi, x, word in zip(y, v, words, strict=True):
        # beside the bar on the side of the line it does not cover: never over a bar
        at = ref + pad if np.isnan(x) or x < ref else x + pad
        ax.text(at, float(yi), word, va="center", ha="left", fontsize=8, color="0.1", zorder=3,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    lo = min(0.0, float(np.nanmin(d)) if np.isfinite(v).any() else 0.0)
    hi = max(0.0, float(np.nanmax(d)) if np.isfinite(v).any() else 0.0)
    x0 = ref + lo - 3 * pad
    width = (hi - lo if hi > lo else span) + 3 * pad
    ax.set_xlim(x0, x0 + width)
    # Widen the axis to the right so that the longest text fits: lay the figure out once and
    # measure the share f of the axes width that text takes.
    _root_figure(ax).draw_without_rendering()
    axes_px = max(ax.get_window_extent().width, 1.0)
    text_px = max((t.get_window_extent().width for t in ax.texts), default=0.0)
    f = min((text_px + 24) / axes_px, 0.7)
    ax.set_xlim(x0, x0 + width / (1 - f))
    _level_line(ax, ref, ref_label, len(table), linewidth=1, zorder=3)
    ax.set_yticks(y, table[label].astype(str).tolist())
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", zorder=0)
    ax.set_axisbelow(True)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return ax


def _likert_shares(
    counts_table: pd.DataFrame,
    *,
    item: str,
    group: str,
    category: str,
    count: str,
    categories: Sequence[Hashable],
    items: Sequence[Hashable] | None,
    groups: Sequence[Hashable] | None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Return (shares with one column per category, n per row) over the full item x group grid.

    Categories nobody chose get share 0; an item-group pair with no rows gets n = 0 and all
    shares 0, so a row still appears (and is labelled "无数据").
    """
    items = list(items) if items is not None else list(dict.fromkeys(counts_table[item]))
    groups = list(groups) if groups is not None else list(dict.fromkeys(counts_table[group]))
    unknown = set(counts_table[category].dropna()) - set(categories)
    if unknown:
        raise SurveyError(
            f"计数表中有不在 categories 中的选项：{'、'.join(map(str, sorted(unknown, key=str)))}",
            column=category,
            expected=f"选项代码之一：{'、'.join(map(str, categories))}",
        )
    n_cat = pd.to_numeric(counts_table[count], errors="coerce").fillna(0)
    wide = (
        counts_table.assign(_n=n_cat)
        .pivot_table(index=[item, group], columns=category, values="_n", aggfunc="sum",
                     fill_value=0, observed=False)
        .reindex(columns=list(categories), fill_value=0)
    )
    grid = pd.MultiIndex.from_product([items, groups], names=[item, group])
    wide = wide.reindex(grid, fill_value=0).astype(float)
    n = wide.sum(axis=1)
    shares = wide.div(n.where(n > 0), axis=0).fillna(0.0)
    return shares, n


def _text_width(text: str) -> float:
    """Width of a text in CJK characters (a Latin letter or digit counts as about half)."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


_NO_LINE_START = frozenset("，。、；：！？）》」』”’,.;:!?)")


def wrap_text(text: str, width: float) -> list[str]:
    """Split a (Chinese) text into lines of at most ``width`` CJK characters.

    Chinese has no spaces to break at, so :mod:`textwrap` cannot wrap it: lines are cut by
    display width, a Latin letter counting as half a character.

    Examples
    --------
    >>> wrap_text("党组织的学习教育对我的思想和工作有实际帮助", 10)
    ['党组织的学习教育对我', '的思想和工作有实际帮', '助']
    """
    lines, line, used = [], "", 0.0
    for ch in str(text):
        w = _text_width(ch)
        # a line does not start with closing punctuation (kinsoku): it stays one over
        if line and used + w > width and ch not in _NO_LINE_START:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    return [*lines, line] if line or not lines else lines


#: Layout of a Likert chart, in bar rows: the height of an item's heading (plus per line),
#: and the gap after an item's bars.
_HEAD, _HEAD_LINE, _GAP = 0.3, 0.62, 0.35
#: Inches per bar row, and around the bars (title, axis, legend).
_ROW_INCH, _FRAME_INCH = 0.2, 1.15
#: CJK characters per line of an item's heading on a page-wide chart.
_WRAP = 44


def _likert_layout(items: Sequence[Hashable], groups: Sequence[Hashable], item_labels: Mapping[Hashable, str],
                   wrap: float) -> tuple[np.ndarray, list[tuple[float, list[str]]], float]:
    """(y of each bar in item-major order, [(y of heading, lines)], total height in rows)."""
    ys: list[float] = []
    heads: list[tuple[float, list[str]]] = []
    y = -0.5
    for it in items:
        lines = wrap_text(item_labels.get(it, str(it)), wrap)
        h = _HEAD + _HEAD_LINE * len(lines)
        heads.append((y + h / 2, lines))
        y += h
        for _ in groups:
            ys.append(y + 0.5)
            y += 1.0
        y += _GAP
    return np.array(ys), heads, y + 0.5


def _likert_size(counts_table: pd.DataFrame, item: str, group: str, items: Sequence[Hashable] | None,
                 groups: Sequence[Hashable] | None, item_labels: Mapping[Hashable, str] | None = None,
                 wrap: float = _WRAP) -> tuple[float, float]:
    items = list(items) if items is not None else list(dict.fromkeys(counts_table[item]))
    groups = list(groups) if groups is not None else list(dict.fromkeys(counts_table[group]))
    _, _, total = _likert_layout(items, groups, dict(item_labels or {}), wrap)
    return PAGE_WIDTH, _FRAME_INCH + _ROW_INCH * max(total, 2.0)


def diverging_likert(counts_table: pd.DataFrame, **options: Any) -> Figure:
    """Draw a diverging stacked Likert chart (:func:`likert`) on a new figure, legend below it.

    The figure is page wide and as tall as its items and bars need; the legend sits under the
    whole figure.

    Parameters
    ----------
    counts_table
        The data (first argument of :func:`likert`).
    **options
        The options of :func:`likert` (not ``ax``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require_columns(counts_table, [options.get("item"), options.get("group")], "李克特分布图")
    fig = _new_figure(figsize=_likert_size(counts_table, options["item"], options["group"],
                                           options.get("items"), options.get("groups"),
                                           options.get("item_labels"),
                                           options.get("wrap", _WRAP)))
    ax = likert(counts_table, **options, legend=False, ax=fig.subplots())
    handles, labels_ = ax.get_legend_handles_labels()
    # Below the axes, outside them: constrained layout makes room, whatever the number of rows.
    fig.legend(handles, labels_, ncols=min(len(handles), 6), loc="outside lower center",
               frameon=False, fontsize=8)
    return fig


def likert(
    data: pd.DataFrame,
    *,
    item: str,
    group: str,
    categories: Sequence[Hashable],
    labels: Sequence[str] | Mapping[Hashable, str],
    category: str = "category",
    count: str = "n",
    items: Sequence[Hashable] | None = None,
    groups: Sequence[Hashable] | None = None,
    item_labels: Mapping[Hashable, str] | None = None,
    highlight: Hashable | None = None,
    good: str = "high",
    wrap: float = _WRAP,
    title: str | None = None,
    xlabel: str = "占比（%）",
    palette: str = DIVERGING,
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw a diverging stacked bar chart of Likert answers on ``ax`` (axes level).

    Each item gets a heading (its full text, wrapped) with one bar per group under it.

    Parameters
    ----------
    data
        Long table of counts: one row per item, group and category, with the count in
        ``count``. Missing combinations count as 0.
    item, group
        Columns holding the item id and the group (e.g. ``college``).
    categories
        Category codes from most negative to most positive (e.g. ``[1, 2, 3, 4, 5]``; a
        6-point scale has no neutral middle).
    labels
        Chinese label per category, in the order of ``categories`` or as ``{code: label}``.
    category, count
        Columns holding the category code and the count.
    items, groups
        Order (and inclusion) of items and groups; default: order of first appearance. A group
        listed here with no rows is drawn as an empty bar marked "无数据". Pass the same
        ``groups`` to every chart so that the groups stand in the same order everywhere.
    item_labels
        Heading per item id (default: the id), e.g. ``"P1_1 我所在党组织的……"``; wrapped at
        ``wrap`` CJK characters.
    highlight
        A group whose bars are set on a grey band with its name boxed (e.g. the home
        college).
    good
        ``"high"``: the last category is the good end (blue); ``"low"``: the first one is
        (a scale where lower is better), so that good is always the same colour.
    title, xlabel, palette
        Title, x-axis label and a matplotlib diverging colour map name (default ColorBrewer's
        colour-blind-safe ``RdBu``: red = bad, blue = good).
    legend
        Put the category legend under the axes (:func:`diverging_likert` puts one under the
        whole figure instead).
    ax
        The axes to draw on; ``None``: a new figure sized as :func:`diverging_likert` sizes it.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Shares are row percentages. Categories below the middle extend left of zero, those above
    extend right; with an odd number of categories the middle (neutral) one is split evenly
    across zero, the usual layout of Heiberger & Robbins (2014). Each bar is labelled with its
    ``n``. The R equivalent is ``HH::likert()`` or ``likert::likert()``. The two ends of a
    diverging map are equally dark, so in greyscale print the side of the zero line tells
    good from bad; the neutral middle is a light grey.

    References
    ----------
    Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts for Likert
    scales and other applications. *Journal of Statistical Software*, 57(5).
    """
    counts_table = data
    _require_columns(counts_table, [item, group, category, count], "李克特分布图")
    if good not in ("high", "low"):
        raise SurveyError(f"good 只能是 high 或 low，而不是 {good!r}", expected="high 或 low")
    categories = list(categories)
    if isinstance(labels, Mapping):
        label_list = [str(labels.get(c, c)) for c in categories]
    else:
        label_list = [str(x) for x in labels]
    if len(label_list) != len(categories):
        raise SurveyError(
            "选项标签的个数与选项个数不一致",
            expected=f"{len(categories)} 个标签（与 categories 一一对应）",
        )
    shares, n = _likert_shares(
        counts_table, item=item, group=group, category=category, count=count,
        categories=categories, items=items, groups=groups,
    )
    k = len(categories)
    colors = _diverging_colors(palette, k)
    if good == "low":
        colors = colors[::-1]
    if k % 2:
        colors[k // 2] = (0.86, 0.86, 0.86, 1.0)  # lighter than the inner colours in grey
    pct = shares.to_numpy() * 100
    mid = k // 2
    # Left edge of each bar: minus the negative categories and half of a neutral one.
    left_start = -pct[:, :mid].sum(axis=1) - (pct[:, mid] / 2 if k % 2 else 0)
    item_order = list(dict.fromkeys(shares.index.get_level_values(0)))
    group_order = list(dict.fromkeys(shares.index.get_level_values(1)))
    item_labels = dict(item_labels or {})
    y, heads, total = _likert_layout(item_order, group_order, item_labels, wrap)
    if ax is None:
        ax = _new_figure(figsize=_likert_size(counts_table, item, group, item_order,
                                              group_order, item_labels, wrap)).subplots()
    home = [yi for yi, (_, g) in zip(y, shares.index, strict=True) if g == highlight]
    for yi in home:
        ax.axhspan(yi - 0.5, yi + 0.5, color="0.9", zorder=0, linewidth=0)
    left = left_start.copy()
    for j in range(k):
        ax.barh(y, pct[:, j], left=left, color=colors[j], edgecolor="white", linewidth=0.5,
                label=label_list[j], height=0.75, zorder=2)
        left = left + pct[:, j]
    ax.set_yticks(y, [str(g) for _, g in shares.index], fontsize=8)
    for tick, (_, g) in zip(ax.get_yticklabels(), shares.index, strict=True):
        if g == highlight:  # the bundled CJK font has no bold: a grey box as the band's
            tick.set_bbox({"facecolor": "0.9", "edgecolor": "0.5", "linewidth": 0.6, "pad": 1.2})
    for hy, lines in heads:
        ax.text(0.005, hy, "\n".join(lines), transform=ax.get_yaxis_transform(), ha="left",
                va="center", fontsize=8.5, color="0.1", linespacing=1.15, zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8})
    ax.set_ylim(total - 0.5, -0.5)
    span = max(100.0, float(np.nanmax(np.abs(np.r_[left_start, left]))) if len(y) else 100.0)
    ax.set_xlim(-span - 4, span + 16)
    for yi, nn, end in zip(y, n.to_numpy(), left, strict=True):
        text = f"n={int(nn)}" if nn > 0 else "无数据"
        ax.text(max(end, 0) + 1.5, yi, text, va="center", fontsize=7.5, color="0.3")
    ax.axvline(0, color="0.2", linewidth=0.9, zorder=3)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(FuncFormatter(_abs_percent))
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(ncols=min(k, 6), loc="upper center", bbox_to_anchor=(0.5, -0.12),
                  frameon=False, fontsize=8)
    return ax


def _abs_percent(value: float, _pos: int | None = None) -> str:
    """Tick label of the diverging chart: shares left of zero are positive percentages too.

    A module-level function (not a lambda), so that a figure can be pickled (section cache).
    """
    return f"{abs(value):.0f}"


_IPA_SIZE = (PAGE_WIDTH, 5.2)
_DEFAULT_QUADRANTS = {
    "upper_left": "重点改进区（重要但表现弱）",
    "upper_right": "继续保持区",
    "lower_left": "次要改进区",
    "lower_right": "可能过度投入区",
}


def _reference(values: pd.Series, ref: float | str) -> float:
    if isinstance(ref, str):
        if ref not in ("mean", "median"):
            raise SurveyError("参考线只能是数值、'mean' 或 'median'", expected="数值、mean 或 median")
        return float(getattr(values, ref)())
    return float(ref)


def ipa_quadrant(table: pd.DataFrame, **options: Any) -> Figure:
    """Draw an importance-performance quadrant chart (:func:`quadrant`) on a new figure.

    Parameters
    ----------
    table
        The data (first argument of :func:`quadrant`).
    **options
        The options of :func:`quadrant` (not ``ax``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    setup_cjk_font()
    fig = _new_figure(figsize=_IPA_SIZE)
    quadrant(table, **options, ax=fig.subplots())
    return fig


def quadrant(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    x_ref: float | str = "mean",
    y_ref: float | str = "mean",
    xlabel: str = "表现（均值）",
    ylabel: str = "重要性（均值）",
    quadrant_labels: Mapping[str, str] | None = None,
    size: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw an importance-performance quadrant chart on ``ax`` (axes level of :func:`ipa_quadrant`).

    Parameters
    ----------
    data
        One row per project / attribute.
    x, y
        Columns for the horizontal axis (by convention performance) and the vertical axis
        (importance).
    label
        Column with each point's text label (e.g. 政治领航).
    x_ref, y_ref
        Where the quadrant lines cross: a number (e.g. the scale midpoint) or ``"mean"`` /
        ``"median"`` of the plotted values (the "data-centred" IPA).
    xlabel, ylabel, title
        Axis labels and title.
    quadrant_labels
        Text for ``upper_left``, ``upper_right``, ``lower_left``, ``lower_right``; default the
        Martilla & James names for x = performance, y = importance.
    size
        Optional column scaled to marker area (e.g. the gap against the benchmarks).
    ax
        The axes to draw on; ``None``: a new page-wide figure (6.3 × 5.2 inches).

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
    Marketing*, 41(1), 77-79.
    """
    table = data
    setup_cjk_font()
    _require_columns(table, [x, y, label, size], "重要性—表现象限图")
    xv = pd.to_numeric(table[x], errors="coerce")
    yv = pd.to_numeric(table[y], errors="coerce")
    xr, yr = _reference(xv, x_ref), _reference(yv, y_ref)
    quads = {**_DEFAULT_QUADRANTS, **dict(quadrant_labels or {})}
    if ax is None:
        ax = _new_figure(figsize=_IPA_SIZE).subplots()
    sizes: float | np.ndarray = 60.0
    if size is not None:
        s = pd.to_numeric(table[size], errors="coerce").abs()
        share = s / s.max() if s.max() > 0 else s * 0.0  # all zero or missing: all small
        sizes = (40 + 260 * share).fillna(40).to_numpy()
    ax.scatter(xv, yv, s=sizes, color="#b2182b", alpha=0.8, zorder=3)
    points = [(xi, yi, text) for xi, yi, text in zip(xv, yv, table[label].astype(str), strict=True)
              if np.isfinite(xi) and np.isfinite(yi)]
    ax.axvline(xr, color="0.4", linestyle="--", linewidth=1)
    ax.axhline(yr, color="0.4", linestyle="--", linewidth=1)
    # Pad the limits so that the reference lines and all points are inside.
    lo_x, hi_x = np.nanmin(np.r_[xv, xr]), np.nanmax(np.r_[xv, xr])
    lo_y, hi_y = np.nanmin(np.r_[yv, yr]), np.nanmax(np.r_[yv, yr])
    pad_x, pad_y = max((hi_x - lo_x) * 0.15, 0.1), max((hi_y - lo_y) * 0.15, 0.1)
    ax.set_xlim(lo_x - pad_x, hi_x + pad_x)
    ax.set_ylim(lo_y - pad_y, hi_y + pad_y)
    corners = {
        "upper_left": (0.02, 0.98, "left", "top"),
        "upper_right": (0.98, 0.98, "right", "top"),
        "lower_left": (0.02, 0.02, "left", "bottom"),
        "lower_right": (0.98, 0.02, "right", "bottom"),
    }
    for key, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, quads[key], transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                color="0.35")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    _place_labels(ax, points)
    return ax


#: Where a point's label may go, tried in this order: (dx, dy) in points, ha, va.
_LABEL_SPOTS = ((5, 4, "left", "bottom"), (5, -4, "left", "top"), (-5, 4, "right", "bottom"),
                (-5, -4, "right", "top"))


def _place_labels(ax: Axes, points: Sequence[tuple[float, float, str]]) -> None:
    """Label each point at the first spot beside it that stays inside the axes and overlaps
    no label placed before and no other point (else the first spot inside), a greedy version of what
    ``adjustText`` does."""
    _root_figure(ax).draw_without_rendering()  # final limits and layout, so that extents are right
    from matplotlib.transforms import Bbox

    inside = ax.get_window_extent()
    r = 4 * ax.figure.dpi / 72  # about a marker's radius, in pixels
    centres = [ax.transData.transform((xi, yi)) for xi, yi, _ in points]
    marks = [Bbox.from_extents(cx - r, cy - r, cx + r, cy + r) for cx, cy in centres]
    taken: list[Bbox] = []
    for k, (xi, yi, text) in enumerate(points):
        others = [*taken, *marks[:k], *marks[k + 1:]]
        chosen = fallback = None
        for dx, dy, ha, va in _LABEL_SPOTS:
            ann = ax.annotate(text, (xi, yi), xytext=(dx, dy), textcoords="offset points",
                              fontsize=9, ha=ha, va=va)
            box = ann.get_window_extent()
            fits = (box.x0 >= inside.x0 and box.x1 <= inside.x1 and box.y0 >= inside.y0
                    and box.y1 <= inside.y1)
            if fits and not any(box.overlaps(b) for b in others):
                chosen = ann
                break
            if fits and fallback is None:
                fallback = ann
            else:
                ann.remove()
        if chosen is not None and fallback is not None:
            fallback.remove()
        chosen = chosen or fallback
        if chosen is None:  # nowhere inside: the first spot
            dx, dy, ha, va = _LABEL_SPOTS[0]
            chosen = ax.annotate(text, (xi, yi), xytext=(dx, dy), textcoords="offset points",
                                 fontsize=9, ha=ha, va=va)
        taken.append(chosen.get_window_extent())


def ipa_movement_plot(
    movement: pd.DataFrame,
    path: str | Path,
    *,
    title: str | None = None,
    xlabel: str = "表现（均值）",
    ylabel: str = "重要性（均值）",
    dpi: int = 150,
) -> Figure:
    """Draw how each project's importance–performance position moved between two waves,
    and write it to ``path`` (PNG or SVG, by the suffix).

    Parameters
    ----------
    movement
        The table of :func:`survey.stats.ipa.ipa_movement` (one row per project).
    path
        File to write; ``.png`` or ``.svg``. Left untouched when its bytes would not change.
    title, xlabel, ylabel
        Title (default ``各项目重要性—表现位置变化（<wave1> → <wave2>）``) and axis labels.
    dpi
        PNG resolution.

    Returns
    -------
    matplotlib.figure.Figure
        The figure written (one arrow, a :class:`~matplotlib.patches.FancyArrowPatch`, per
        project).

    Notes
    -----
    A hollow circle marks each project's wave-1 position, a filled one its wave-2 position,
    joined by an arrow; arrows of projects whose quadrant changed (``moved``) are drawn
    thick and vermillion, the others thin and grey, so that they differ in greyscale print.
    The quadrant lines are each wave's grand means (dashed: wave 2, dotted: wave 1), as in
    :func:`quadrant`. When the table has ``gap_change`` (change of 本院 − benchmarks), each
    label carries it in brackets and a note under the chart says so.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    cols = ["name", "wave1", "wave2", "importance1", "importance2", "performance1",
            "performance2", "imp_grand1", "imp_grand2", "perf_grand1", "perf_grand2", "moved"]
    _require_columns(movement, cols, "重要性—表现位置变化图")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise SurveyError(f"图片文件 {Path(path).name} 的格式不支持", expected="以 .png 或 .svg 结尾的文件名")
    if movement.empty:
        raise SurveyError("重要性—表现位置变化表为空，无法作图", expected="每个项目一行")
    w1, w2 = str(movement["wave1"].iloc[0]), str(movement["wave2"].iloc[0])
    num = {c: pd.to_numeric(movement[c], errors="coerce").to_numpy(dtype=float) for c in cols[3:11]}
    x1, x2, y1, y2 = num["performance1"], num["performance2"], num["importance1"], num["importance2"]
    moved = movement["moved"].fillna(False).astype(bool).to_numpy()
    fig = _new_figure(figsize=_IPA_SIZE)
    ax = fig.subplots()
    ax.scatter(x1, y1, s=45, facecolor="white", edgecolor="0.3", linewidth=1.2, zorder=3)
    ax.scatter(x2, y2, s=55, color="#b2182b", zorder=4)
    for a, b, c, d, m in zip(x1, y1, x2, y2, moved, strict=True):
        if not np.all(np.isfinite([a, b, c, d])):
            continue
        ax.add_patch(FancyArrowPatch(
            (a, b), (c, d), arrowstyle="-|>", mutation_scale=11, shrinkA=4, shrinkB=4,
            color=BEHIND_COLOR if m else "0.45", linewidth=1.8 if m else 1.0, zorder=2))
    gx1, gx2 = float(num["perf_grand1"][0]), float(num["perf_grand2"][0])
    gy1, gy2 = float(num["imp_grand1"][0]), float(num["imp_grand2"][0])
    ax.axvline(gx1, color="0.6", linestyle=":", linewidth=1)
    ax.axhline(gy1, color="0.6", linestyle=":", linewidth=1)
    ax.axvline(gx2, color="0.4", linestyle="--", linewidth=1)
    ax.axhline(gy2, color="0.4", linestyle="--", linewidth=1)
    xs, ys = np.r_[x1, x2, gx1, gx2], np.r_[y1, y2, gy1, gy2]
    lo_x, hi_x, lo_y, hi_y = np.nanmin(xs), np.nanmax(xs), np.nanmin(ys), np.nanmax(ys)
    pad_x, pad_y = max((hi_x - lo_x) * 0.15, 0.1), max((hi_y - lo_y) * 0.15, 0.1)
    ax.set_xlim(lo_x - pad_x, hi_x + pad_x)
    ax.set_ylim(lo_y - pad_y, hi_y + pad_y)
    corners = {"upper_left": (0.02, 0.98, "left", "top"), "upper_right": (0.98, 0.98, "right", "top"),
               "lower_left": (0.02, 0.02, "left", "bottom"),
               "lower_right": (0.98, 0.02, "right", "bottom")}
    for key, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, _DEFAULT_QUADRANTS[key], transform=ax.transAxes, ha=ha, va=va,
                fontsize=9, color="0.35")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"各项目重要性—表现位置变化（{w1} → {w2}）")
    handles = [
        Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
               markeredgecolor="0.3", label=f"{w1}位置"),
        Line2D([], [], marker="o", linestyle="none", color="#b2182b", label=f"{w2}位置"),
        Line2D([], [], color=BEHIND_COLOR, linewidth=1.8, label="象限改变"),
        Line2D([], [], color="0.45", linewidth=1.0, label="象限未变"),
        Line2D([], [], color="0.6", linestyle=":", label=f"{w1}均值线"),
        Line2D([], [], color="0.4", linestyle="--", label=f"{w2}均值线"),
    ]
    names = movement["name"].astype(str).tolist()
    note = None
    if "gap_change" in movement.columns:
        gc = pd.to_numeric(movement["gap_change"], errors="coerce").to_numpy(dtype=float)
        names = [f"{n}（{g:+.2f}）" if np.isfinite(g) else n for n, g in zip(names, gc, strict=True)]
        note = "括号内：本院与对标院校表现差距（本院 − 对标）的变化，正值表示追近或扩大领先"
    fig.legend(handles=handles, ncols=3, loc="outside lower center", frameon=False, fontsize=8,
               title=note, title_fontsize=7.5)
    _place_labels(ax, [(a, b, n) for a, b, n in zip(x2, y2, names, strict=True)
                       if np.isfinite(a) and np.isfinite(b)])
    write_atomic(path, figure_bytes(fig, suffix, dpi=dpi), only_if_changed=True)
    return fig


def _heat_size(table: pd.DataFrame) -> tuple[float, float]:
    rows, cols = table.shape
    return min(PAGE_WIDTH, max(4.5, 2.6 + 0.7 * cols)), max(2.6, 1.2 + 0.36 * rows)


def heatmap(table: pd.DataFrame, **options: Any) -> Figure:
    """Draw a heat map of a wide table (:func:`heat`) on a new figure sized to its cells.

    Parameters
    ----------
    table
        The data (first argument of :func:`heat`).
    **options
        The options of :func:`heat` (not ``ax``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    setup_cjk_font()
    fig = _new_figure(figsize=_heat_size(table))
    heat(table, **options, ax=fig.subplots())
    return fig


def heat(
    data: pd.DataFrame,
    *,
    annot: bool = True,
    fmt: str = ".0f",
    cmap: str = "Blues",
    center: float | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    cbar_label: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw a heat map of a wide table on ``ax`` (axes level of :func:`heatmap`).

    Parameters
    ----------
    data
        Wide frame: the index gives the rows, the columns the columns; values numeric (NaN
        cells are left blank).
    annot, fmt
        Write each value in its cell with this format.
    cmap, center
        Colour map and, for a diverging map, the value at its centre.
    xlabel, ylabel, cbar_label, title
        Labels (default: the index / column names).
    ax
        The axes to draw on (the colour bar takes room from it); ``None``: a new figure
        sized as :func:`heatmap` sizes it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    table = data
    setup_cjk_font()
    values = table.apply(pd.to_numeric, errors="coerce").astype(float)
    if ax is None:
        ax = _new_figure(figsize=_heat_size(table)).subplots()
    if values.size == 0 or values.isna().all().all():
        ax.text(0.5, 0.5, "无数据", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        sns.heatmap(values, ax=ax, annot=annot, fmt=fmt, cmap=cmap, center=center,
                    linewidths=0.5, linecolor="white",
                    cbar_kws={"label": cbar_label} if cbar_label else None)
        ax.set_xlabel(xlabel if xlabel is not None else str(table.columns.name or ""))
        ax.set_ylabel(ylabel if ylabel is not None else str(table.index.name or ""))
        ax.tick_params(axis="y", labelrotation=0)
        # Long Chinese column names (stakeholder groups) would overlap side by side: slant them.
        longest = max((len(str(c)) for c in values.columns), default=0)
        if longest > 4:
            for label in ax.get_xticklabels():
                label.set_rotation(35)
                label.set_horizontalalignment("right")
                label.set_rotation_mode("anchor")
        else:
            ax.tick_params(axis="x", labelrotation=0)
    if title:
        ax.set_title(title)
    return ax


#: Colours of a saved PNG's palette (see :func:`figure_bytes`).
PNG_COLORS = 128


def figure_bytes(fig: Figure, fmt: str, *, dpi: int = 150, quantize: int | None = PNG_COLORS) -> bytes:
    """Render a figure to PNG or SVG bytes, reproducibly (no date or version stamped in).

    Parameters
    ----------
    fig
        The figure.
    fmt
        ``"png"`` or ``"svg"``.
    dpi
        Resolution of the PNG (150: crisp on an A4 page; figures are 6.3 inches wide).
    quantize
        Number of colours of the PNG's palette (:data:`PNG_COLORS`), which makes the file
        about three times smaller; ``None``: full colour.

    Returns
    -------
    bytes
    """
    setup_cjk_font()
    metadata = {"png": PNG_METADATA, "svg": SVG_METADATA}.get(fmt)
    if metadata is None:
        raise SurveyError(f"不支持的图片格式：{fmt}", expected="png 或 svg")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=dict(metadata), facecolor="white",
                bbox_inches="tight", pad_inches=0.15)  # nothing cut off, no empty margins
    if fmt == "png" and quantize:
        return _quantized_png(buf.getvalue(), quantize)
    return buf.getvalue()


def _quantized_png(data: bytes, colors: int) -> bytes:
    """Re-encode a PNG with a palette of ``colors`` colours (no dithering), about a third of
    the size of the full-colour file and as crisp: a chart has few colours besides the
    anti-aliased edges. Pillow writes no text chunks, so no version or date is stamped in."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        pal = im.convert("RGB").quantize(colors, method=Image.Quantize.MEDIANCUT,
                                         dither=Image.Dither.NONE)
    out = io.BytesIO()
    pal.save(out, format="PNG", optimize=True)
    return out.getvalue()


def save_figure(
    fig: Figure,
    name: str,
    figures_dir: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg"),
    dpi: int = 150,
) -> dict[str, Path]:
    """Write a figure as ``<name>.png`` and ``<name>.svg`` in ``figures_dir``.

    Parameters
    ----------
    fig
        The figure (e.g. from :func:`forest_plot`).
    name
        A name describing the content, lower-case ASCII, digits, ``_`` or ``-``, such as
        ``gap_by_dimension``; numbered names like ``fig1`` are refused.
    figures_dir
        Folder to write to (created if needed); in notebooks the ``figures_dir`` parameter.
    formats
        File types to write.
    dpi
        PNG resolution.

    Returns
    -------
    dict
        ``{format: path}`` of the files written.

    Notes
    -----
    Identical figures give identical bytes (fixed SVG hash salt, no date or version metadata).
    Each file is written to a temporary name and moved into place, and left untouched when its
    bytes have not changed, so file times only change with content.
    """
    if not _NAME_RE.match(name) or _NUMBERED_RE.match(name):
        raise SurveyError(
            f"图片文件名 {name!r} 不合适",
            expected="按内容命名的英文小写名称，如 gap_by_dimension（不要用 fig1 之类的编号）",
        )
    folder = Path(figures_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in formats:
        data = figure_bytes(fig, fmt, dpi=dpi)
        target = folder / f"{name}.{fmt}"
        write_atomic(target, data, only_if_changed=True)
        written[fmt] = target
    return written
