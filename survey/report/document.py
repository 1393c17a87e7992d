"""A small document model shared by the committee brief's renderers (HTML, DOCX).

The committee brief, the draft sections of the research report and any other document the
package writes are built once as a :class:`Document` — a title and a flat list of blocks —
from section results computed from data. Each renderer (``survey.report.html`` for the
self-contained HTML page, ``survey.report.docx`` for Word) turns the same blocks into its
format, so the numbers in the HTML and the DOCX cannot disagree.

Texts are plain Unicode strings (no markup); renderers escape them for their format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

ParagraphStyle = Literal["body", "lead", "note", "quote"]


@dataclass(frozen=True)
class Heading:
    """A heading; ``level`` 1 is a chapter (一、…), 2 a section, 3 a subsection."""

    text: str
    level: int = 1
    anchor: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text.

    ``style``: ``body`` (normal text), ``lead`` (a one-sentence conclusion, set in bold),
    ``note`` (a smaller explanatory note, e.g. how a statistic is read), ``quote`` (a scrubbed
    quotation from a symposium statement).
    """

    text: str
    style: ParagraphStyle = "body"


@dataclass(frozen=True)
class Table:
    """A table: a DataFrame already labelled and formatted for reading (cells as strings).

    ``numeric`` names the columns to right-align in tabular figures; every other column is
    left-aligned text. ``note`` is printed below the table (source, how to read it).
    """

    frame: pd.DataFrame
    caption: str
    numeric: tuple[str, ...] = ()
    note: str | None = None
    anchor: str | None = None


@dataclass(frozen=True)
class Figure:
    """A figure saved by the report (PNG for DOCX and print; an SVG beside it may be used)."""

    path: Path
    caption: str
    width_cm: float = 15.0
    anchor: str | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page (print and Word)."""


Block = Heading | Paragraph | Table | Figure | PageBreak


@dataclass
class Document:
    """A titled sequence of blocks, rendered by the HTML and DOCX writers."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    subtitle: str | None = None
    notice: str | None = None  # e.g. the synthetic-data notice, shown prominently
    footer: str | None = None  # provenance: data files, manifest, code version

    def add(self, *blocks: Block) -> Document:
        """Append blocks and return the document (for chaining)."""
        self.blocks.extend(blocks)
        return self

    def figures(self) -> Iterator[Figure]:
        """Yield the figure blocks in document order."""
        return (b for b in self.blocks if isinstance(b, Figure))

    def tables(self) -> Iterator[Table]:
        """Yield the table blocks in document order."""
        return (b for b in self.blocks if isinstance(b, Table))
