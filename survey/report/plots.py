"""Figures for the report: forest plot, diverging Likert bars, IPA quadrant, heat map.

Every chart comes at two levels, as in seaborn. The figure-level function (``forest_plot``,
``diverging_likert``, ``ipa_quadrant``, ``heatmap``) sizes a new
:class:`matplotlib.figure.Figure` to the data (not pyplot, so nothing is shown twice in a
notebook and no global figure state leaks) and returns it. Under each, an axes-level function
(``forest``, ``likert``, ``quadrant``, ``heat``) draws the same chart on the
:class:`~matplotlib.axes.Axes` given as ``ax`` and returns it, so that two charts can sit side
by side::

    fig = Figure(figsize=(15, 5), layout="constrained")
    left, right = fig.subplots(1, 2)
    forest(gaps, label="label", est="effect", lo="effect_ci_low", hi="effect_ci_high", ax=left)
    quadrant(ipa, x="perf_mean", y="imp_mean", label="name", ax=right)

Each takes a tidy table first and keyword-only options after it. Labels are passed in by the
caller in Simplified Chinese; the helpers only add a few default Chinese captions.
Helpers never write files: :func:`save_figure` does, as PNG and SVG named by content, with
byte-identical output for identical input.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from survey.errors import SurveyError
from survey.io.atomic import write_atomic
from survey.report.fonts import PNG_METADATA, SVG_METADATA, setup_cjk_font

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
    """``n`` colours from a matplotlib colour map (qualitative maps: the first ``n``).

    matplotlib instead of seaborn here keeps importing seaborn (about a second) out of the
    figures that do not need it.
    """
    from matplotlib import colormaps

    cmap = colormaps[name]
    if getattr(cmap, "N", 256) <= 20:  # qualitative (ListedColormap with few colours)
        return [cmap(i % cmap.N) for i in range(n)]
    return [cmap(x) for x in np.linspace(0.08, 0.92, n)] if n > 1 else [cmap(0.5)]


def _new_figure(figsize: tuple[float, float]) -> Figure:
    """A new pyplot-free figure with the CJK font set up."""
    setup_cjk_font()
    _register_notebook_display()
    return Figure(figsize=figsize, layout="constrained")


def _forest_size(table: pd.DataFrame, label: str, group: str | None) -> tuple[float, float]:
    n_labels = table[label].astype(str).nunique()
    n_groups = table[group].astype(str).nunique() if group else 1
    return 7.5, 1.2 + 0.45 * max(n_labels, 1) * (1 + 0.35 * (n_groups - 1))


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
    forest(table, **options, ax=fig.subplots())
    return fig


def forest(
    data: pd.DataFrame,
    *,
    label: str,
    est: str,
    lo: str,
    hi: str,
    ref: float = 0,
    group: str | None = None,
    xlabel: str = "效应量（95% 置信区间）",
    title: str | None = None,
    palette: str = "tab10",
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
    group
        Optional column whose values are drawn side by side within a row (e.g. naive vs
        adjusted, or member type), with a legend.
    xlabel, title
        Axis label and title (Simplified Chinese).
    palette
        A matplotlib colour map name for the groups.
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
    groups = list(dict.fromkeys(table[group].astype(str))) if group else [None]
    colors = _palette(palette, max(len(groups), 1))
    if ax is None:
        ax = _new_figure(figsize=_forest_size(table, label, group)).subplots()
    step = 0.6 / len(groups) if len(groups) > 1 else 0.0
    for gi, g in enumerate(groups):
        sub = table if g is None else table[table[group].astype(str) == g]
        pos = {name: i for i, name in enumerate(labels)}
        y = np.array([pos[str(v)] for v in sub[label]], dtype=float)
        y = y + (gi - (len(groups) - 1) / 2) * step
        e = pd.to_numeric(sub[est], errors="coerce").to_numpy(dtype=float)
        lo_v = pd.to_numeric(sub[lo], errors="coerce").to_numpy(dtype=float)
        hi_v = pd.to_numeric(sub[hi], errors="coerce").to_numpy(dtype=float)
        err = np.vstack([np.where(np.isnan(lo_v), 0, e - lo_v), np.where(np.isnan(hi_v), 0, hi_v - e)])
        ax.errorbar(
            e, y, xerr=np.nan_to_num(err), fmt="o", color=colors[gi], ecolor=colors[gi],
            capsize=3, markersize=6, label=None if g is None else g,
        )
    ax.axvline(ref, color="0.4", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="0.9")
    if title:
        ax.set_title(title)
    if group:
        ax.legend(title=None, frameon=False, loc="best")
    return ax


def _likert_shares(
    counts_table: pd.DataFrame,
    *,
    item: str,
    group: str,
    category: str,
    count: str,
    categories: Sequence[Any],
    items: Sequence[Any] | None,
    groups: Sequence[Any] | None,
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


def _likert_size(counts_table: pd.DataFrame, item: str, group: str, items: Sequence[Any] | None,
                 groups: Sequence[Any] | None) -> tuple[float, float]:
    n_items = len(items) if items is not None else counts_table[item].nunique(dropna=False)
    n_groups = len(groups) if groups is not None else counts_table[group].nunique(dropna=False)
    return 8.5, 1.4 + 0.38 * max(n_items * n_groups, 1)


def diverging_likert(counts_table: pd.DataFrame, **options: Any) -> Figure:
    """Draw a diverging stacked Likert chart (:func:`likert`) on a new figure, legend below it.

    The figure is sized to the number of bars; the legend sits under the whole figure.

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
                                           options.get("items"), options.get("groups")))
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
    categories: Sequence[Any],
    labels: Sequence[str] | Mapping[Any, str],
    category: str = "category",
    count: str = "n",
    items: Sequence[Any] | None = None,
    groups: Sequence[Any] | None = None,
    item_labels: Mapping[Any, str] | None = None,
    title: str | None = None,
    xlabel: str = "占比（%）",
    palette: str = "RdBu",
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Draw a diverging stacked bar chart of Likert answers on ``ax`` (axes level).

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
        listed here with no rows is drawn as an empty bar marked "无数据".
    item_labels
        Display text per item id (default: the id).
    title, xlabel, palette
        Title, x-axis label and a matplotlib diverging colour map name.
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
    ``n``. The R equivalent is ``HH::likert()`` or ``likert::likert()``.

    References
    ----------
    Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts for Likert
    scales and other applications. *Journal of Statistical Software*, 57(5).
    """
    counts_table = data
    _require_columns(counts_table, [item, group, category, count], "李克特分布图")
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
    colors = _palette(palette, k)
    if k % 2:
        colors[k // 2] = (0.78, 0.78, 0.78)
    pct = shares.to_numpy() * 100
    mid = k // 2
    # Left edge of each bar: minus the negative categories and half of a neutral one.
    left_start = -pct[:, :mid].sum(axis=1) - (pct[:, mid] / 2 if k % 2 else 0)
    rows = len(shares)
    if ax is None:
        ax = _new_figure(figsize=_likert_size(counts_table, item, group, items, groups)).subplots()
    y = np.arange(rows)
    left = left_start.copy()
    for j in range(k):
        ax.barh(y, pct[:, j], left=left, color=colors[j], edgecolor="white", linewidth=0.5,
                label=label_list[j], height=0.75)
        left = left + pct[:, j]
    item_labels = dict(item_labels or {})
    ticks = [
        f"{item_labels.get(it, it)} · {g}" for it, g in shares.index
    ]
    ax.set_yticks(y, ticks)
    ax.set_ylim(rows - 0.5, -0.5)
    span = max(100.0, float(np.nanmax(np.abs(np.r_[left_start, left]))) if rows else 100.0)
    ax.set_xlim(-span - 12, span + 12)
    for yi, (nn, end) in enumerate(zip(n.to_numpy(), left, strict=True)):
        text = f"n={int(nn)}" if nn > 0 else "无数据"
        ax.text(max(end, 0) + 1.5, yi, text, va="center", fontsize=8, color="0.3")
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.xaxis.set_major_formatter(_abs_percent)
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


_IPA_SIZE = (7.5, 6.0)
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
        The axes to draw on; ``None``: a new 7.5 × 6 inch figure.

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
    sizes = 60.0
    if size is not None:
        s = pd.to_numeric(table[size], errors="coerce").abs()
        sizes = (40 + 260 * (s / s.max() if s.max() > 0 else 0)).fillna(40).to_numpy()
    ax.scatter(xv, yv, s=sizes, color="#b2182b", alpha=0.8, zorder=3)
    for xi, yi, text in zip(xv, yv, table[label].astype(str), strict=True):
        if np.isfinite(xi) and np.isfinite(yi):
            ax.annotate(text, (xi, yi), xytext=(5, 4), textcoords="offset points", fontsize=9)
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
    return ax


def _heat_size(table: pd.DataFrame) -> tuple[float, float]:
    rows, cols = table.shape
    return max(5.0, 1.3 + 0.75 * cols), max(3.0, 1.2 + 0.42 * rows)


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
        ax.set_xlabel(xlabel if xlabel is not None else (table.columns.name or ""))
        ax.set_ylabel(ylabel if ylabel is not None else (table.index.name or ""))
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


def figure_bytes(fig: Figure, fmt: str, *, dpi: int = 150) -> bytes:
    """Render a figure to PNG or SVG bytes, reproducibly (no date or version stamped in).

    Parameters
    ----------
    fig
        The figure.
    fmt
        ``"png"`` or ``"svg"``.
    dpi
        Resolution of the PNG.

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
    return buf.getvalue()


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
