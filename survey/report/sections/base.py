"""What every section shares: the :class:`Context`, the :class:`Section`, loading, helpers.

A section function takes a :class:`Context` (the processed data of a study plus what the study
configuration says about it) and returns a :class:`Section`:

* ``data`` — tidy result tables in the column vocabulary of :mod:`survey.stats.common`
  (numbers, for tests and for auditors);
* ``tables`` — the same results as the committee reads them: Chinese headers, numbers already
  written as text by :mod:`survey.report.narrative`, breakdowns under 5 people shown as ``<5``;
* ``figures`` — matplotlib figures named by content;
* ``sentences`` — what the numbers mean, in plain Simplified Chinese, every number taken from
  the tables; ``notes`` — why something was skipped or how to read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook
from survey.config.study import Study
from survey.errors import SurveyError
from survey.io.processed import Processed
from survey.report import narrative as nz
from survey.stats.common import MIN_CELL, POOLED

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Default name of the member-type item (strata of the composition adjustment).
STRATA = "member_type"
ALPHA = 0.05


# ---------------------------------------------------------------------------------------------
# containers


@dataclass
class Context:
    """A study's processed data, prepared once for every section.

    Attributes
    ----------
    study, codebook, processed
        The configuration, the codebook and the processed tables.
    by, reference
        Grouping column and home group (``study.questionnaire.compare``).
    responses
        The cleaned responses with the grouping and member-type columns as text labels.
    strata
        The member-type column, or ``None`` when the study has none.
    groups
        Groups with raw answers, home group first, then in order of appearance.
    small_groups
        Groups with raw answers but fewer than 5 respondents (hidden in report tables, left out
        of figures and rank tests).
    summary_groups
        Benchmark groups present only as summary statistics.
    figures_dir
        Where :func:`~survey.report.sections.display.save_figures` writes.
    cache_dir
        Where section results are stored once computed, so that another notebook (another
        kernel) reads them instead of computing them again; ``None`` keeps them in memory only.
    """

    study: Study
    codebook: Codebook
    processed: Processed
    by: str
    reference: str
    responses: pd.DataFrame
    strata: str | None
    groups: list[str]
    small_groups: list[str]
    summary_groups: list[str]
    figures_dir: Path
    min_n: int = MIN_CELL
    #: Where section results are cached (``<reports>/.cache/sections``); ``None``: not on disk.
    cache_dir: Path | None = None
    #: Section results computed or read in this process, by cache key (see :mod:`.cache`).
    memo: dict[str, Section] = field(default_factory=dict, repr=False, compare=False)
    #: Digest of everything a section result depends on (filled in by :mod:`.cache`).
    digest: str | None = field(default=None, repr=False, compare=False)

    @property
    def scales(self) -> list[str]:
        return [s.id for s in self.codebook.scales]

    @property
    def scale_labels(self) -> dict[str, str]:
        return {s.id: s.label for s in self.codebook.scales}

    def item_label(self, item_id: str) -> str:
        it = self.codebook.item(item_id)
        return it.label or it.text


@dataclass
class Answer:
    """One of the committee's questions with its answer."""

    number: int
    question: str
    sentences: list[str]


@dataclass
class Section:
    """What a section function returns (see the module docstring)."""

    title: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    data: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: report table name -> its columns holding counts of people or statements
    counts: dict[str, list[str]] = field(default_factory=dict)
    skipped: bool = False
    #: findings only: the sections it was built from, and the answers to the six questions
    parts: dict[str, Section] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    #: figure name -> PNG written by :func:`save_figures` (shown instead of re-rendering)
    saved: dict[str, Path] = field(default_factory=dict)

    def text(self) -> str:
        """Sentences and notes as one Markdown string (their text escaped: :func:`markdown_text`)."""
        parts = ([markdown_text(s) for s in self.sentences]
                 + [f"*说明：{markdown_text(n)}*" for n in self.notes])
        return "\n\n".join(parts)


_MARKDOWN_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[",
                                   "]": "\\]", "`": "\\`"})


def markdown_text(text: str) -> str:
    """``text`` as Markdown that shows it literally: no HTML, link or image can come from it.

    Sentences quote what respondents and minutes wrote (theme names, 座谈对象, branch names);
    rendered as Markdown, a ``<script>``, ``<img onerror>`` or ``[x](javascript:…)`` in them would
    become markup. ``& < >`` become entities and ``[ ] ` `` are backslash-escaped.

    Examples
    --------
    >>> markdown_text("<b>[链接](javascript:x)</b>")
    '&lt;b&gt;\\\\[链接\\\\](javascript:x)&lt;/b&gt;'
    """
    return text.translate(_MARKDOWN_ESCAPES)


def _skip(title: str, note: str) -> Section:
    return Section(title=title, notes=[note], skipped=True)


# ---------------------------------------------------------------------------------------------
# loading


def load(
    study_path: str | Path | None = None,
    processed_dir: str | Path | None = None,
    figures_dir: str | Path | None = None,
    reports_dir: str | Path | None = None,
    *,
    strata: str = STRATA,
    cache: bool = True,
) -> Context:
    """Load a study's processed data for the notebooks.

    Parameters
    ----------
    study_path
        ``study.yaml``; ``None``: the default study (``$SURVEY_STUDY`` or the repository's).
    processed_dir
        The processed folder; ``None``: the study's ``output_dir``.
    figures_dir
        Where figures go; ``None``: the study's ``figures_dir`` (default ``figures/`` beside
        ``study.yaml``).
    reports_dir
        The reports folder, whose ``.cache/sections`` holds the section results computed by
        other notebooks; ``None``: the study's ``reports_dir`` (default ``reports/``).
    strata
        The member-type item used for composition adjustment (skipped when absent).
    cache
        ``False``: compute every section in this process, neither reading nor writing the
        cache folder.

    Returns
    -------
    Context

    Examples
    --------
    >>> from survey import analysis as A
    >>> ctx = A.load("study.yaml")  # doctest: +SKIP
    >>> A.benchmark_gaps(ctx).tables["scale"]  # doctest: +SKIP
    """
    from survey.config.study import load_study
    from survey.io.processed import load_processed

    study = load_study(study_path)
    data = load_processed(study, Path(processed_dir) if processed_dir else None)
    figures = Path(figures_dir) if figures_dir else study.resolve(study.figures_dir)
    reports = Path(reports_dir) if reports_dir else study.resolve(study.reports_dir)
    return context_from(data, figures_dir=figures, strata=strata,
                        cache_dir=reports / ".cache" / "sections" if cache else None)


def _as_labels(series: pd.Series, codebook: Codebook, item_id: str) -> pd.Series:
    """Codes of a single-choice item → option labels; text stays text; missing stays missing."""
    try:
        options = codebook.options(item_id)
    except KeyError:
        options = {}
    out = series.astype(object)
    if options and pd.api.types.is_numeric_dtype(series):
        out = series.map(lambda v: options.get(int(v)) if pd.notna(v) and float(v).is_integer()
                         else None)
    return out.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                   or pd.isna(v) else str(v).strip() or None).astype(object)


def context_from(
    data: Processed, *, figures_dir: str | Path = "figures", strata: str = STRATA,
    cache_dir: str | Path | None = None,
) -> Context:
    """Build a :class:`Context` from already loaded processed data (results cached in
    ``cache_dir`` when given, else in memory only)."""
    study, codebook = data.study, data.codebook
    by, reference = study.questionnaire.compare.by, study.questionnaire.compare.reference
    resp = data.responses.copy()
    if by not in resp.columns:
        raise SurveyError(
            f"处理后的数据中没有分组变量“{by}”",
            column=by,
            expected="study.yaml 中 questionnaire.compare.by 是一个题目编号或文件属性",
        )
    resp[by] = _as_labels(resp[by], codebook, by)
    resp = resp[resp[by].notna()].copy()
    has_strata = strata in resp.columns and resp[strata].notna().any()
    if has_strata:
        from survey.instruments.roster import normalise_member_type

        labels = _as_labels(resp[strata], codebook, strata)
        resp[strata] = labels.map(lambda v: (normalise_member_type(v) or v) if v else None)
    sizes = resp[by].value_counts()
    order = list(dict.fromkeys(resp[by]))
    if reference not in order:
        raise SurveyError(
            f"数据中没有参照组“{reference}”",
            column=by,
            expected=f"{by} 列中有取值为“{reference}”的回答",
            hint="检查 study.yaml 中 questionnaire.compare.reference 的写法",
        )
    groups = [reference, *[g for g in order if g != reference]]
    small = [g for g in groups if sizes[g] < MIN_CELL]
    summary_groups: list[str] = []
    if data.summaries is not None and len(data.summaries):
        col = "group" if "group" in data.summaries.columns else "college"
        summary_groups = [g for g in dict.fromkeys(data.summaries[col].astype(str))
                          if g not in groups]
    return Context(study=study, codebook=codebook, processed=data, by=by, reference=reference,
                   responses=resp, strata=strata if has_strata else None, groups=groups,
                   small_groups=small, summary_groups=summary_groups,
                   figures_dir=Path(figures_dir),
                   cache_dir=Path(cache_dir) if cache_dir is not None else None)

def _summaries(ctx: Context, level: str) -> pd.DataFrame | None:
    """Benchmark summaries in the format of :func:`survey.stats.compare.gap_table`.

    ``level="scale"``: whole-college rows of the codebook's scales; ``"item"``: item rows,
    reverse-keyed items turned round (mean ``lo + hi − m``, same SD) like the raw answers.
    """
    s = ctx.processed.summaries
    if s is None or not len(s):
        return None
    s = s.rename(columns={"college": "group", "source_file": "_file", "source_row": "_row"})
    if "member_type" in s.columns:
        s = s[s["member_type"].fillna("").astype(str).str.strip() == ""]
    key = "scale" if "scale" in s.columns else "item"
    s = s.rename(columns={key: level})
    s[level] = s[level].astype(str)
    s["group"] = s["group"].astype(str)
    if level == "scale":
        s = s[s["scale"].isin(ctx.scales)]
    else:
        items = {it for sc in ctx.codebook.scales for it in sc.items}
        items |= {i.id for i in ctx.codebook.items_of_type("likert")}
        s = s[s["item"].isin(items)].copy()
        for sc in ctx.codebook.scales:
            lo, hi = ctx.codebook.scale_range(sc.id)
            rev = s["item"].isin(sc.reverse)
            s.loc[rev, "mean"] = lo + hi - pd.to_numeric(s.loc[rev, "mean"])
    s = s[~s["group"].isin(ctx.groups)]
    return s.reset_index(drop=True) if len(s) else None


def _suppress_rows(table: pd.DataFrame, count_cols: Sequence[str], min_n: int = MIN_CELL,
                   dependent: Sequence[str] | None = None) -> pd.DataFrame:
    """Row-wise suppression (counts below ``min_n`` hide the row's statistics)."""
    from survey.stats.suppress import suppress_small

    cols = [c for c in count_cols if c in table.columns]
    if not cols or table.empty:
        return table
    deps = [c for c in table.columns if c not in cols] if dependent is None else list(dependent)
    out = suppress_small(table, cols, min_n, dependent_cols=deps)
    small = out.pop("suppressed").to_numpy()
    for c in deps:  # blanks shown as a dash, not "None"
        out.loc[small, c] = nz.MISSING
    return out


def _suppress_cells(table: pd.DataFrame, count_cols: Sequence[str],
                    min_n: int = MIN_CELL) -> pd.DataFrame:
    """Cell-wise suppression of counts (each cell hides only itself): crosstabs, flows."""
    from survey.stats.suppress import suppress_small

    cols = [c for c in count_cols if c in table.columns]
    if not cols or table.empty:
        return table
    return suppress_small(table, cols, min_n, dependent_cols={c: [] for c in cols}).drop(
        columns="suppressed")


def _by_word(ctx: Context) -> str:
    try:
        it = ctx.codebook.item(ctx.by)
        return it.label or it.text
    except KeyError:
        return {"college": "院校", "campus": "校区", "branch": "党支部"}.get(ctx.by, ctx.by)


def _main_group(table: pd.DataFrame) -> str:
    groups = list(dict.fromkeys(table["group"]))
    return POOLED if POOLED in groups else groups[0]


def _against(group: str, ctx: Context | None = None) -> str:
    """How a comparison group is named in a sentence."""
    if group != POOLED:
        return group
    if ctx is None or ctx.by == "college":
        return "对标院校（合并）"
    return f"其他{_by_word(ctx)}（合并）"


