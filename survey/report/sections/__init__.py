"""The analysis behind the notebooks: one module per notebook, one function per section.

========================  =================================================  ==============
notebook                  section functions                                  module
========================  =================================================  ==============
01_data_audit             :func:`data_audit`                                 :mod:`.audit`
02_measurement            :func:`measurement`                                :mod:`.measurement`
03_benchmark_gaps         :func:`benchmark_gaps`, :func:`composition`        :mod:`.gaps`
04_priorities             :func:`priorities`                                 :mod:`.priorities`
05_symposium              :func:`symposium`                                  :mod:`.symposium`
06_indicators             :func:`indicators`                                 :mod:`.indicators`
07_findings               :func:`triangulation`, :func:`findings`            :mod:`.findings`
(committee appendix)      :func:`next_wave`                                  :mod:`.plan`
(brief, part 三)           :func:`waves`                                      :mod:`.waves`
========================  =================================================  ==============

Each section function takes a :class:`Context` (:func:`load`) and returns a :class:`Section`
(tables, tidy data, figures, Chinese sentences; see :mod:`.base`). Its result is computed once
and cached (:mod:`.cache`): notebook 07 reads what notebooks 02–06 computed. Notebooks stay
thin: ``sec = A.benchmark_gaps(ctx)``, then ``A.say(sec)``, ``A.show(sec.tables["scale"])``,
``A.figure(sec, "gap_by_dimension")`` (:mod:`.display`).

Everything is generic over the study configuration: the grouping variable and the home group
come from ``study.questionnaire.compare``; a study without a member-type item, symposium,
indicators, roster or importance–performance items skips those parts with a Chinese note;
benchmark colleges that sent only summary statistics (``benchmark_summaries``) are folded into
the comparisons. Seeds are the statistics modules' fixed defaults, so every run gives the same
numbers.
"""

from __future__ import annotations

from pathlib import Path

from survey.report.sections.audit import data_audit
from survey.report.sections.base import Answer, Context, Section, context_from, load
from survey.report.sections.cache import computations
from survey.report.sections.display import (
    figure,
    save_figures,
    say,
    say_answer,
    show,
    show_figures,
)
from survey.report.sections.findings import (
    QUESTIONS,
    UPSTREAM,
    answer_markdown,
    findings,
    iter_report_tables,
    triangulation,
)
from survey.report.sections.gaps import benchmark_gaps, composition, gap_sentence
from survey.report.sections.indicators import indicators
from survey.report.sections.measurement import measurement
from survey.report.sections.plan import next_wave
from survey.report.sections.priorities import priorities
from survey.report.sections.symposium import symposium
from survey.report.sections.waves import waves

__all__ = [
    "Context", "Section", "Answer", "load", "context_from", "results", "computations",
    "save_figures", "say", "show", "show_figures", "say_answer", "figure", "answer_markdown",
    "data_audit", "measurement", "benchmark_gaps", "composition", "priorities",
    "symposium", "indicators", "triangulation", "findings", "gap_sentence",
    "iter_report_tables", "QUESTIONS", "UPSTREAM", "next_wave", "waves",
]


def results(ctx: Context | str | Path | None = None, **load_options: object) -> dict[str, Section]:
    """Every section of a study, from the section cache (computed where missing).

    Parameters
    ----------
    ctx
        A :class:`Context`, or a study file (``None``: the default study) to :func:`load`.
    **load_options
        Passed to :func:`load` (``processed_dir``, ``figures_dir``, ``reports_dir``, ...).

    Returns
    -------
    dict
        ``{"audit", "measurement", "gaps", "composition", "priorities", "symposium",
        "indicators", "triangulation", "plan", "findings", "waves"}`` → :class:`Section`, in
        reading order (``plan``: :func:`next_wave`, the committee report's appendix; ``waves``:
        the comparison with the previous wave, skipped for a single wave).

    Examples
    --------
    >>> from survey import analysis as A
    >>> res = A.results("study.yaml")  # doctest: +SKIP
    >>> res["findings"].answers[0].sentences[0]  # doctest: +SKIP
    '结论：本院在「过硬党支部建设」……上明显落后于对标院校（合并）。'
    """
    if not isinstance(ctx, Context):
        ctx = load(ctx, **load_options)  # type: ignore[arg-type]
    fin = findings(ctx)
    return {"audit": data_audit(ctx), **fin.parts, "plan": next_wave(ctx), "findings": fin,
            "waves": waves(ctx)}
