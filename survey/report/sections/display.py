"""Showing a section in a notebook: sentences as Markdown, tables without index, saved figures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from survey.report.sections.base import Context, Section

if TYPE_CHECKING:
    from IPython.display import Image
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler


def save_figures(section: Section, ctx: Context | str | Path) -> dict[str, Path]:
    """Write every figure of a section as PNG and SVG (named by content) into the figures folder.

    Returns ``{name: png path}``.
    """
    from survey.report.plots import save_figure

    folder = ctx.figures_dir if isinstance(ctx, Context) else Path(ctx)
    for name, fig in section.figures.items():
        section.saved[name] = save_figure(fig, name, folder)["png"]
    return dict(section.saved)


def figure(section: Section, name: str) -> Image | Figure | None:
    """A figure of a section for display: the saved PNG if any (no second rendering).

    Returns ``None`` when the section has no such figure (e.g. a skipped section), so that a
    notebook cell shows nothing.
    """
    fig = section.figures.get(name)
    if fig is None:
        return None
    png = section.saved.get(name)
    if png is None or not Path(png).is_file():
        return fig
    from IPython.display import Image

    return Image(filename=str(png), width=int(fig.get_figwidth() * 96))


def say(section: Section) -> None:
    """Display a section's sentences and notes as Markdown (plain text outside Jupyter)."""
    text = section.text()
    try:
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        print(text)
        return None
    display(Markdown(text))
    return None


def show_figures(section: Section, prefix: str = "") -> None:
    """Display every figure of a section whose name starts with ``prefix``."""
    from IPython.display import display

    for name in section.figures:
        if name.startswith(prefix):
            display(figure(section, name))


def show(table: pd.DataFrame | None) -> Styler | pd.DataFrame | None:
    """A report table for display: without the row index, every cell and header HTML-escaped.

    (pandas' Styler does not escape by default; a statement or branch name holding markup
    would otherwise reach the audit HTML as markup.)
    """
    if table is None:
        return None
    try:
        return (table.style.format(escape="html").format_index(escape="html", axis=0)
                .format_index(escape="html", axis=1).hide(axis="index"))
    except (ImportError, AttributeError):  # Styler needs jinja2
        return table


def say_answer(section: Section, number: int) -> None:
    """Display one answer of :func:`findings` as Markdown."""
    from IPython.display import Markdown, display

    from survey.report.sections.findings import answer_markdown

    display(Markdown(answer_markdown(section, number)))
