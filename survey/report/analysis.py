"""The analysis layer behind the notebooks: one function per notebook section.

Each section function takes a :class:`Context` (the processed data of a study plus what the
study configuration says about it) and returns a :class:`Section`:

* ``data`` — tidy result tables in the column vocabulary of :mod:`survey.stats.common`
  (numbers, for tests and for auditors);
* ``tables`` — the same results as the committee reads them: Chinese headers, numbers already
  written as text by :mod:`survey.report.narrative`, breakdowns under 5 people shown as ``<5``;
* ``figures`` — matplotlib figures named by content (saved by :func:`save_figures`);
* ``sentences`` — what the numbers mean, in plain Simplified Chinese, every number taken from
  the tables; ``notes`` — why something was skipped or how to read it.

Notebooks stay thin: ``sec = analysis.benchmark_gaps(ctx)``, then ``say(sec)``,
``show(sec.tables["scale"])``, ``sec.figures["gap_by_dimension"]``.

Everything is generic over the study configuration: the grouping variable and the home group
come from ``study.questionnaire.compare``; a study without a member-type item, symposium,
indicators, roster or importance–performance items skips those parts with a Chinese note;
benchmark colleges that sent only summary statistics (``benchmark_summaries``) are folded into
the comparisons. Seeds are the statistics modules' fixed defaults, so every run gives the same
numbers.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook
from survey.config.study import Study
from survey.errors import SurveyError, SurveyWarning
from survey.io.processed import Processed
from survey.report import narrative as nz
from survey.stats.common import MIN_CELL, POOLED

#: Default name of the member-type item (strata of the composition adjustment).
STRATA = "member_type"
ALPHA = 0.05

__all__ = [
    "Context", "Section", "Answer", "load", "context_from", "save_figures", "say", "show",
    "show_figures", "say_answer", "figure",
    "data_audit", "measurement", "benchmark_gaps", "composition", "priorities",
    "symposium", "indicators", "triangulation", "findings",
]


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
        Where :func:`save_figures` writes.
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
    figures: dict[str, Any] = field(default_factory=dict)
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
        """Sentences and notes as one Markdown string."""
        parts = list(self.sentences) + [f"*说明：{n}*" for n in self.notes]
        return "\n\n".join(parts)


def _skip(title: str, note: str) -> Section:
    return Section(title=title, notes=[note], skipped=True)


# ---------------------------------------------------------------------------------------------
# loading


def load(
    study_path: str | Path | None = None,
    processed_dir: str | Path | None = None,
    figures_dir: str | Path | None = None,
    *,
    strata: str = STRATA,
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
    strata
        The member-type item used for composition adjustment (skipped when absent).

    Returns
    -------
    Context
    """
    from survey.config.study import load_study
    from survey.io.processed import load_processed

    study = load_study(study_path)
    data = load_processed(study, Path(processed_dir) if processed_dir else None)
    figures = Path(figures_dir) if figures_dir else study.resolve(study.figures_dir)
    return context_from(data, figures_dir=figures, strata=strata)


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
    data: Processed, *, figures_dir: str | Path = "figures", strata: str = STRATA
) -> Context:
    """Build a :class:`Context` from already loaded processed data."""
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
                   figures_dir=Path(figures_dir))


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


def _strata_summaries(ctx: Context) -> pd.DataFrame | None:
    """Per-member-type scale summaries of summary-only colleges, for the composition
    adjustment (columns group, scale, stratum, n, mean, sd; member types spelled as in the
    answers). ``None`` when there are none."""
    s = ctx.processed.summaries
    if s is None or not len(s) or "member_type" not in s.columns or ctx.by != "college":
        return None
    if "scale" not in s.columns:
        return None
    from survey.instruments.roster import normalise_member_type

    s = s.rename(columns={"college": "group", "member_type": "stratum"})
    s = s[s["scale"].astype(str).isin(ctx.scales) & ~s["group"].astype(str).isin(ctx.groups)]
    s = s.assign(
        scale=s["scale"].astype(str),
        stratum=s["stratum"].map(
            lambda v: "" if pd.isna(v) or not str(v).strip()
            else (normalise_member_type(str(v)) or str(v).strip())
        ),
    )
    if not (s["stratum"] != "").any():
        return None
    return s[["group", "scale", "stratum", "n", "mean", "sd"]].reset_index(drop=True)


def _scores(ctx: Context) -> pd.DataFrame:
    from survey.stats.scoring import score_scales

    scores = score_scales(ctx.responses, ctx.codebook)
    scores[ctx.by] = ctx.responses[ctx.by]
    if ctx.strata:
        scores[ctx.strata] = ctx.responses[ctx.strata]
    return scores


# ---------------------------------------------------------------------------------------------
# notebook helpers


def save_figures(section: Section, ctx: Context | str | Path) -> dict[str, Path]:
    """Write every figure of a section as PNG and SVG (named by content) into the figures folder.

    Returns ``{name: png path}``.
    """
    from survey.report.plots import save_figure

    folder = ctx.figures_dir if isinstance(ctx, Context) else Path(ctx)
    for name, fig in section.figures.items():
        section.saved[name] = save_figure(fig, name, folder)["png"]
    return dict(section.saved)


def figure(section: Section, name: str) -> Any:
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


def say(section: Section) -> Any:
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


def show(table: pd.DataFrame | None) -> Any:
    """A report table for display: without the row index."""
    if table is None:
        return None
    try:
        return table.style.hide(axis="index")
    except (ImportError, AttributeError):  # Styler needs jinja2
        return table


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


# ---------------------------------------------------------------------------------------------
# 01 data audit


def _file_kind(ctx: Context, name: str) -> str:
    st = ctx.study
    kinds: dict[str, str] = {st.display(st.questionnaire.codebook): "编码手册",
                             st.source.name: "研究配置"}
    for f in st.questionnaire.files:
        kinds[st.display(f.path)] = "问卷（" + "、".join(f.attributes.values()) + "）" \
            if f.attributes else "问卷"
        if f.crosscheck is not None:
            kinds[st.display(f.crosscheck)] = "问卷（核对用的另一种下载）"
    for section, label in (("symposium", "座谈会记录"), ("indicators", "对标指标"),
                           ("roster", "党员名册")):
        obj = getattr(st, section)
        if obj is not None:
            for key, value in obj:
                if isinstance(value, Path):
                    kinds[st.display(value)] = label + ("（汇总统计）" if key == "summaries" else
                                                        "（姓名，仅用于脱敏）" if key == "names"
                                                        else "")
    return kinds.get(name, "其他")


def _files_table(ctx: Context) -> pd.DataFrame:
    m = ctx.processed.manifest
    rows = []
    counts = m.get("row_counts", {})
    prints = m.get("fingerprints", {})
    for f in m.get("raw_files", []):
        name = f.get("name", "")
        rows.append({"文件": name, "类型": _file_kind(ctx, name),
                     "原始行数": counts.get(f"raw:{name}", np.nan),
                     "问卷指纹": prints.get(f"file:{name}", ""),
                     "大小（字节）": f.get("bytes"),
                     "SHA-256（前 16 位）": str(f.get("sha256", ""))[:16]})
    t = pd.DataFrame(rows, columns=["文件", "类型", "原始行数", "问卷指纹", "大小（字节）",
                                    "SHA-256（前 16 位）"])
    t["原始行数"] = t["原始行数"].map(lambda v: "" if pd.isna(v) else int(v)).astype(object)
    return _suppress_cells(t, ["原始行数"])


def _flow(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    log = ctx.processed.cleaning_log.copy()
    t = pd.DataFrame({
        "步骤": log["rule"].astype(str),
        "启用": log["enabled"].map({True: "是", False: "否"}).fillna(""),
        "标记条数": log["n_flagged"].astype(int),
        "排除条数": log["n_excluded"].astype(int),
        "剩余条数": log["n_remaining"].astype(int),
        "说明": log["note"].fillna("").astype(str),
    })
    raw = int(log.loc[log["rule_id"] == "raw", "n_remaining"].iloc[0]) if (
        log["rule_id"] == "raw").any() else int(log["n_remaining"].iloc[0])
    kept = int(log["n_remaining"].iloc[-1])
    excluded = raw - kept
    steps = log[(log["n_excluded"] > 0) & ~log["rule_id"].isin(["raw", "kept"])]
    parts = [f"{r.rule} {nz.count(r.n_excluded)} 条" for r in steps.itertuples()]
    sentences = [
        f"各问卷文件共读入原始答卷 {nz.count(raw)} 条；按清洗规则依次排除 {nz.count(excluded)} 条"
        + (f"（{'，'.join(parts)}）" if parts else "")
        + f"，保留 {nz.count(kept)} 条（{nz.pct(kept / raw if raw else np.nan)}）。"
        "被排除的每一条都在排除清单中写明了原因，原始文件未作任何改动。"
    ]
    return _suppress_cells(t, ["标记条数", "排除条数", "剩余条数"]), log, sentences


def _exclusions_by_rule(ctx: Context) -> pd.DataFrame:
    ex = ctx.processed.exclusions
    if ex is None or ex.empty:
        return pd.DataFrame({"文件": [], "合计": []})
    long = ex.assign(rule=ex["rules"].astype(str).str.split("；")).explode("rule")
    tab = pd.crosstab(long["file"].astype(str), long["rule"].astype(str))
    tab["排除条数（去重）"] = ex.groupby(ex["file"].astype(str)).size()
    tab = tab.reset_index().rename(columns={"file": "文件"})
    tab.columns.name = None
    return _suppress_cells(tab, [c for c in tab.columns if c != "文件"])


def _response_rates(ctx: Context) -> tuple[Section | None, pd.DataFrame | None, list[str]]:
    roster = ctx.processed.roster
    if roster is None or roster.empty:
        return None, None, ["本研究没有党员名册汇总（roster），不计算应答率。"]
    if "college" not in ctx.responses.columns:
        return None, None, ["问卷数据中没有院校（college）列，无法与名册对应，不计算应答率。"]
    from survey.stats.roster import response_rates

    by = ["college", "member_type"] if ctx.strata == "member_type" else ["college"]
    counts = ctx.responses[by].dropna().groupby(by).size().rename("n").reset_index()
    counts = pd.concat([counts, _summary_counts(ctx, by)], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        rr = response_rates(roster, counts, by=by, count_col="n")
    t = pd.DataFrame({
        "院校": rr["college"],
        **({"党员类别": rr["member_type"]} if "member_type" in rr else {}),
        "名册人数": rr["members"].map(lambda v: np.nan if pd.isna(v) else int(v)),
        "答卷人数": rr["n"].astype(int),
        "应答率": rr["response_rate"].map(nz.pct),
        "名册构成": rr["population_share"].map(nz.pct),
        "样本构成": rr["sample_share"].map(nz.pct),
    })
    t = _suppress_rows(t, ["名册人数", "答卷人数"], dependent=["应答率", "名册构成", "样本构成"])
    per_college = rr.groupby("college")[["members", "n"]].sum(min_count=1)
    per_college["rate"] = per_college["n"] / per_college["members"]
    ok = per_college["rate"].dropna()
    sentences = []
    if len(ok):
        home = ok.get(ctx.reference)
        s = f"按党员名册计算，各院校的总体应答率在 {nz.pct(ok.min())}–{nz.pct(ok.max())} 之间"
        if home is not None and not np.isnan(home):
            s += f"，{ctx.reference}为 {nz.pct(home)}"
        sentences.append(s + "。")
    if ctx.summary_groups:
        sentences.append(f"{nz.join_zh(ctx.summary_groups)}只提供了汇总统计，没有逐份答卷，"
                         "其答卷人数按对方提供的数字计入。")
    return None, t, sentences


def _summary_counts(ctx: Context, by: list[str]) -> pd.DataFrame:
    """Respondent counts of summary-only colleges, from the n of their first scale."""
    s = ctx.processed.summaries
    if s is None or not len(s) or not ctx.summary_groups:
        return pd.DataFrame(columns=[*by, "n"])
    key = "scale" if "scale" in s.columns else "item"
    first = ctx.scales[0] if ctx.scales and ctx.scales[0] in set(s[key]) else s[key].iloc[0]
    s = s[s[key] == first].copy()
    s["college"] = s["college"].astype(str)
    mt = (s["member_type"].fillna("").astype(str).str.strip() if "member_type" in s
          else pd.Series("", index=s.index))
    s = s[(mt != "") if "member_type" in by else (mt == "")]
    s = s[s["college"].isin(ctx.summary_groups)]
    return s[[*by, "n"]].assign(n=lambda d: pd.to_numeric(d["n"]).astype(int))


def _missingness(ctx: Context) -> pd.DataFrame:
    items = [it for sc in ctx.codebook.scales for it in sc.items]
    items += [i.id for i in ctx.codebook.items_of_type("likert") if i.id not in items]
    items = [i for i in items if i in ctx.responses.columns]
    resp = ctx.responses
    out = pd.DataFrame({"题目": items,
                        "题目内容": [ctx.item_label(i) for i in items]})
    for g in ctx.groups:
        sub = resp[resp[ctx.by] == g]
        head = f"{g}（n={nz.count(len(sub))}）"
        if g in ctx.small_groups:
            out[head] = "<5"
        else:
            out[head] = [nz.pct(sub[i].isna().mean()) for i in items]
    out["全部"] = [nz.pct(resp[i].isna().mean()) for i in items]
    return out


def data_audit(ctx: Context) -> Section:
    """Files and fingerprints, CONSORT-style flow, exclusions, response rates, missingness.

    Returns
    -------
    Section
        tables ``files``, ``flow``, ``exclusions``, ``sample``, ``response_rates`` (when the
        study has a roster), ``missingness``; data ``cleaning_log``, ``sample``.
    """
    sec = Section(title="数据来源与清洗")
    sec.tables["files"] = _files_table(ctx)
    sec.counts["files"] = ["原始行数"]
    flow, log, sentences = _flow(ctx)
    sec.tables["flow"], sec.data["cleaning_log"] = flow, log
    sec.counts["flow"] = ["标记条数", "排除条数", "剩余条数"]
    sec.sentences += sentences
    sec.tables["exclusions"] = _exclusions_by_rule(ctx)
    sec.counts["exclusions"] = [c for c in sec.tables["exclusions"].columns if c != "文件"]
    # sample composition: group x member type
    resp = ctx.responses
    if ctx.strata:
        sample = pd.crosstab(resp[ctx.by], resp[ctx.strata].fillna("未填写"))
    else:
        sample = resp.groupby(ctx.by).size().rename("答卷人数").to_frame()
    sample = sample.reindex(ctx.groups)
    sample["合计"] = sample.sum(axis=1)
    sec.data["sample"] = sample.reset_index().rename(columns={ctx.by: "group"})
    t = sample.reset_index().rename(columns={ctx.by: "分组"})
    t.columns.name = None
    sec.tables["sample"] = _suppress_cells(t, [c for c in t.columns if c != "分组"])
    sec.counts["sample"] = [c for c in t.columns if c != "分组"]
    parts = [f"{g} {nz.count(sample.loc[g, '合计'])} 份" for g in ctx.groups]
    s = f"有效答卷按{_by_word(ctx)}分：{('，'.join(parts))}"
    if ctx.summary_groups:
        s += f"；另有{nz.join_zh(ctx.summary_groups)}只提供汇总统计"
    sec.sentences.append(s + "。")
    if ctx.small_groups:
        sec.notes.append(f"{nz.join_zh(ctx.small_groups)}的有效答卷不足 5 份，报告中不单独列出其结果"
                         "（只计入合并后的对标组）。")
    _, rates, rate_sentences = _response_rates(ctx)
    if rates is not None:
        sec.tables["response_rates"] = rates
        sec.counts["response_rates"] = ["名册人数", "答卷人数"]
        sec.sentences += rate_sentences
    else:
        sec.notes += rate_sentences
    sec.tables["missingness"] = _missingness(ctx)
    sec.counts["missingness"] = []
    cc = ctx.processed.cell_changes
    if cc is not None and len(cc):
        sec.sentences.append(f"另有 {nz.count(len(cc))} 个取值超出选项范围的单元格被设为缺失"
                             "（记录不排除，逐格列在 cell_changes 清单中）。")
    sec.notes.append(nz.EXPLAIN_SMALL)
    return sec


def _by_word(ctx: Context) -> str:
    try:
        it = ctx.codebook.item(ctx.by)
        return it.label or it.text
    except KeyError:
        return {"college": "院校", "campus": "校区", "branch": "党支部"}.get(ctx.by, ctx.by)


# ---------------------------------------------------------------------------------------------
# 02 measurement


def measurement(ctx: Context) -> Section:
    """Reliability of each scale: alpha with its CI, omega, item-total correlations.

    Returns
    -------
    Section
        tables ``scales`` and ``items``; data ``scales`` and ``items`` from
        :func:`survey.stats.reliability.reliability`.
    """
    if not ctx.scales:
        return _skip("量表信度", "编码手册中没有定义量表（scales），不计算信度。")
    from survey.stats.reliability import THRESHOLD, reliability

    scale_t, item_t = reliability(ctx.responses, ctx.codebook)
    sec = Section(title="量表信度", data={"scales": scale_t, "items": item_t})
    sec.tables["scales"] = _suppress_rows(pd.DataFrame({
        "维度": scale_t["label"],
        "编号": scale_t["scale"],
        "题目数": scale_t["n_items"],
        "完整作答人数": scale_t["n"],
        "Cronbach's α": scale_t["alpha"].map(nz.num),
        "α 的 95% CI": [nz.ci(a, b) for a, b in zip(scale_t["alpha_ci_low"],
                                                     scale_t["alpha_ci_high"], strict=True)],
        "McDonald's ω": scale_t["omega"].map(nz.num),
        "是否低于 0.70": scale_t["flag"].map({True: "是", False: "否"}),
        "说明": scale_t["note"].fillna(""),
    }), ["完整作答人数"])
    sec.counts["scales"] = ["完整作答人数"]
    labels = ctx.scale_labels
    sec.tables["items"] = pd.DataFrame({
        "维度": item_t["scale"].map(labels),
        "题目": item_t["item"],
        "题目内容": item_t["item"].map(ctx.item_label),
        "反向题": item_t["reversed"].map({True: "是", False: ""}),
        "均值（反向计分后）": item_t["mean"].map(nz.num),
        "校正题总相关": item_t["r_drop"].map(nz.num),
        "删除该题后的 α": item_t["alpha_if_deleted"].map(nz.num),
    })
    sec.counts["items"] = []
    ok = scale_t.dropna(subset=["alpha"])
    if len(ok):
        s = (f"{len(ok)} 个维度的 Cronbach's α 在 {nz.num(ok['alpha'].min())}–"
             f"{nz.num(ok['alpha'].max())} 之间")
        om = ok["omega"].dropna()
        if len(om):
            s += f"，McDonald's ω 在 {nz.num(om.min())}–{nz.num(om.max())} 之间"
        flagged = scale_t[scale_t["flag"]]
        if flagged.empty:
            s += f"，都达到 {THRESHOLD:.2f} 的常用标准，量表可以信赖。"
        else:
            s += (f"；{nz.join_zh([nz.quoted(x) for x in flagged['label']])}低于 "
                  f"{THRESHOLD:.2f}，这些维度的结果要谨慎解读。")
        sec.sentences.append(s)
        for r in scale_t.itertuples():
            sec.sentences.append(
                f"{nz.quoted(r.label)}：α = {nz.num(r.alpha)}（95% CI {nz.ci(r.alpha_ci_low, r.alpha_ci_high)}），"
                f"ω = {nz.num(r.omega)}。")
    weak = item_t[item_t["r_drop"] < 0.3]
    if len(weak):
        sec.sentences.append(
            f"校正题总相关低于 0.30 的题目：{nz.join_zh(list(weak['item']))}，"
            "这些题与同维度其他题的一致性较弱，修订问卷时可重点检查。")
    sec.notes.append("α 和 ω 衡量同一维度的几道题是否在测同一件事，一般以 0.70 为可接受的下限；"
                     "计算前反向题已反向计分，只用所有题都作答的答卷。")
    return sec


# ---------------------------------------------------------------------------------------------
# 03 benchmark gaps


def _main_group(table: pd.DataFrame) -> str:
    groups = list(dict.fromkeys(table["group"]))
    return POOLED if POOLED in groups else groups[0]


def _gap_report(table: pd.DataFrame, ctx: Context, level: str) -> pd.DataFrame:
    ref = ctx.reference
    method = "Holm" if level == "scale" else "BH"
    if level == "scale":
        first = ("维度", table["label"] if "label" in table else table["scale"])
    else:
        first = ("题目", table["item"])
    cols: dict[str, Any] = {first[0]: first[1]}
    if level == "item":
        cols["题目内容"] = table["item"].map(ctx.item_label)
    cols.update({
        "比较对象": table["group"].map(lambda g: _against(g, ctx)),
        f"{ref}样本量": table["n_ref"],
        f"{ref}均值": table["mean_ref"].map(nz.num),
        "对标样本量": table["n"],
        "对标均值": table["mean"].map(nz.num),
        "差值": table["diff"].map(nz.num),
        "差值 95% CI": [nz.ci(a, b) for a, b in zip(table["ci_low"], table["ci_high"], strict=True)],
        "Hedges g": table["effect"].map(nz.num),
        "g 的 95% CI": [nz.ci(a, b) for a, b in zip(table["effect_ci_low"],
                                                    table["effect_ci_high"], strict=True)],
        "p 值": table["p"].map(nz.pval),
        f"{method} 校正 p": table["p_adj"].map(nz.pval),
        "Cliff's δ": table["delta"].map(nz.num),
    })
    t = pd.DataFrame(cols)
    return _suppress_rows(t, [f"{ref}样本量", "对标样本量"],
                          dependent=[c for c in t.columns if c not in
                                     (first[0], "题目内容", "比较对象", f"{ref}样本量", "对标样本量")])


def _verdict(row: Any) -> str:
    """behind / ahead / level from the bootstrap CI of the difference and the adjusted p."""
    if pd.isna(row.diff) or pd.isna(row.p_adj):
        return "unknown"
    if row.ci_high < 0 and row.p_adj < ALPHA:
        return "behind"
    if row.ci_low > 0 and row.p_adj < ALPHA:
        return "ahead"
    return "level"


def gap_sentence(row: Any, ctx: Context, *, against: str) -> str:
    """The committee's sentence for one scale gap (numbers as in the gap table)."""
    label = nz.quoted(row.label)
    stats = (f"Hedges g = {nz.num(row.effect)}，95% CI {nz.ci(row.effect_ci_low, row.effect_ci_high)}，"
             f"Holm 校正 p {nz.p_eq(row.p_adj)}")
    v = _verdict(row)
    if v == "behind":
        return (f"{ctx.reference}在{label}上比{against}平均低 {nz.num(abs(row.diff))} 分（{stats}），"
                f"差距为{nz.effect_size_word(row.effect)}效应，不只是抽样波动。")
    if v == "ahead":
        return (f"{ctx.reference}在{label}上比{against}平均高 {nz.num(abs(row.diff))} 分（{stats}），"
                "本院在这一维度上领先。")
    if v == "level":
        word = "低" if row.diff < 0 else "高"
        return (f"{ctx.reference}在{label}上与{against}基本持平：平均{word} {nz.num(abs(row.diff))} 分"
                f"（{stats}），差异可能只是抽样波动。")
    return f"{ctx.reference}在{label}上无法与{against}比较（样本不足）。"


def _against(group: str, ctx: Context | None = None) -> str:
    """How a comparison group is named in a sentence."""
    if group != POOLED:
        return group
    if ctx is None or ctx.by == "college":
        return "对标院校（合并）"
    return f"其他{_by_word(ctx)}（合并）"


def _likert_figures(ctx: Context) -> dict[str, Any]:
    from survey.report.plots import diverging_likert

    figs: dict[str, Any] = {}
    groups = [g for g in ctx.groups if g not in ctx.small_groups]
    resp = ctx.responses[ctx.responses[ctx.by].isin(groups)]
    used: set[str] = set()
    for k, sc in enumerate(ctx.codebook.scales, start=1):
        options = ctx.codebook.options(sc.items[0])
        cats = sorted(options)
        long = resp[[ctx.by, *sc.items]].melt(id_vars=ctx.by, var_name="item",
                                              value_name="category").dropna()
        counts = long.groupby(["item", ctx.by, "category"]).size().rename("n").reset_index()
        counts = counts[counts["category"].isin(cats)]
        labels = {it: _short(ctx.item_label(it), 14) + ("（反向题）" if it in sc.reverse else "")
                  for it in sc.items}
        fig = diverging_likert(counts, item="item", group=ctx.by, categories=cats,
                               labels=options, items=list(sc.items), groups=groups,
                               item_labels=labels, title=f"{sc.label}：各题作答分布")
        name = "likert_" + re.sub(r"[^a-z0-9_-]", "_", sc.id.lower())
        if not re.match(r"^[a-z][a-z0-9_-]*$", name) or name in used:
            name = f"likert_scale_{k}"
        used.add(name)
        figs[name] = fig
    return figs


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def benchmark_gaps(ctx: Context, *, items: bool = True, likert: bool = True) -> Section:
    """Gaps home − benchmark per scale (and item), rank tests, forest and Likert charts.

    Parameters
    ----------
    ctx
        The study.
    items
        Also compare every scale item (Benjamini–Hochberg across items).
    likert
        Draw the diverging stacked Likert chart of each scale.

    Returns
    -------
    Section
        data ``scale`` (:func:`survey.stats.compare.gap_by_scale`, summary-only colleges folded in),
        ``item``, ``kruskal``, ``dunn``; tables of the same names; figures
        ``gap_by_dimension`` and ``likert_<scale>``; one sentence per scale against the
        pooled benchmark (or the only benchmark).
    """
    if not ctx.scales:
        return _skip("对标差距", "编码手册中没有定义量表（scales），不做对标比较。")
    if len(ctx.groups) + len(ctx.summary_groups) < 2:
        return _skip("对标差距", f"数据中只有“{ctx.reference}”一个分组，没有可比较的对标组。")
    from survey.report.plots import forest_plot
    from survey.stats.compare import gap_by_item, gap_by_scale, kruskal_dunn

    sec = Section(title="对标差距")
    table = gap_by_scale(ctx.responses, ctx.codebook, by=ctx.by, reference=ctx.reference,
                         summaries=_summaries(ctx, "scale"))
    sec.data["scale"] = table
    order = {g: i for i, g in enumerate([POOLED, *ctx.groups, *ctx.summary_groups])}
    report = table.assign(_o=table["group"].map(order)).sort_values(["_o"], kind="stable")
    sec.tables["scale"] = _gap_report(report.drop(columns="_o"), ctx, "scale")
    sec.counts["scale"] = [f"{ctx.reference}样本量", "对标样本量"]
    main = _main_group(table)
    sec.data["main_group"] = pd.DataFrame({"group": [main]})
    against = _against(main, ctx)
    for row in table[table["group"] == main].itertuples():
        sec.sentences.append(gap_sentence(row, ctx, against=against))
    # forest plot: every comparison with enough respondents
    fig_t = report[~report["group"].isin(ctx.small_groups) & (report["n"] >= ctx.min_n)]
    fig_t = fig_t.assign(comparison=fig_t["group"].map(lambda g: _against(g, ctx)))
    sec.figures["gap_by_dimension"] = forest_plot(
        fig_t, label="label", est="effect", lo="effect_ci_low", hi="effect_ci_high",
        group="comparison", xlabel=f"Hedges g（{ctx.reference} − 对标，95% 置信区间；负数 = 落后）",
        title=f"{ctx.reference}与对标院校的差距（各维度）")
    # items
    if items:
        it = gap_by_item(ctx.responses, ctx.codebook, by=ctx.by, reference=ctx.reference,
                         summaries=_summaries(ctx, "item"))
        sec.data["item"] = it
        it_main = it[it["group"] == main].copy()
        it_main.insert(1, "label_scale", it_main["scale"].map(ctx.scale_labels))
        t = _gap_report(it_main, ctx, "item")
        t.insert(0, "维度", it_main["label_scale"].to_numpy())
        sec.tables["item"] = t
        sec.counts["item"] = [f"{ctx.reference}样本量", "对标样本量"]
        worst = it_main[(it_main["p_adj"] < ALPHA) & (it_main["ci_high"] < 0)].nsmallest(3, "diff")
        if len(worst):
            parts = [f"{r.item}“{_short(ctx.item_label(r.item), 20)}”（低 {nz.num(abs(r.diff))} 分，"
                     f"BH 校正 p {nz.p_eq(r.p_adj)}）" for r in worst.itertuples()]
            sec.sentences.append(f"逐题看，{ctx.reference}落后最多的是：" + "；".join(parts) + "。")
    # Kruskal-Wallis + Dunn over the groups with raw answers and enough respondents
    scores = _scores(ctx)
    big = scores[~scores[ctx.by].isin(ctx.small_groups)]
    if big[ctx.by].nunique() >= 2:
        kw, dunn = kruskal_dunn(big, columns=ctx.scales, by=ctx.by)
        sec.data["kruskal"], sec.data["dunn"] = kw, dunn
        sec.tables["kruskal"] = pd.DataFrame({
            "维度": kw["scale"].map(ctx.scale_labels), "样本量": kw["n"], "组数": kw["k"],
            "H": kw["statistic"].map(nz.num), "自由度": kw["df"],
            "p 值": kw["p"].map(nz.pval), "Holm 校正 p": kw["p_adj"].map(nz.pval)})
        sec.counts["kruskal"] = ["样本量"]
        if len(dunn):
            d = dunn[(dunn["group"] == ctx.reference) | (dunn["group2"] == ctx.reference)].copy()
            flip = d["group2"] == ctx.reference
            d.loc[flip, ["group", "group2"]] = d.loc[flip, ["group2", "group"]].to_numpy()
            d.loc[flip, ["mean_rank_diff", "statistic"]] *= -1
            sec.data["dunn_reference"] = d
            sec.tables["dunn"] = pd.DataFrame({
                "维度": d["scale"].map(ctx.scale_labels), "比较对象": d["group2"],
                "平均秩差": d["mean_rank_diff"].map(lambda v: nz.num(v, 1)),
                "z": d["statistic"].map(nz.num), "p 值": d["p"].map(nz.pval),
                "Holm 校正 p": d["p_adj"].map(nz.pval)})
            sec.counts["dunn"] = []
    if likert:
        sec.figures.update(_likert_figures(ctx))
    if ctx.summary_groups:
        sec.notes.append(f"{nz.join_zh(ctx.summary_groups)}只提供了汇总统计（均值、标准差、人数）：它们与"
                         f"{ctx.reference}的比较用 Welch t 检验和 Hedges g，并按人数精确并入合并对标组；"
                         "秩检验、Cliff's δ 和作答分布图只用有逐份答卷的院校。")
    if ctx.small_groups:
        sec.notes.append(f"{nz.join_zh(ctx.small_groups)}不足 5 人，只计入合并对标组，不单独比较、不画图。")
    sec.notes += ["差值 = " + ctx.reference + " − 对标（负数表示落后）；差值的置信区间由自助法（bootstrap，"
                  "5000 次，固定随机种子）得到。", nz.EXPLAIN_CI, nz.EXPLAIN_P_ADJ, nz.EXPLAIN_G]
    return sec


# ---------------------------------------------------------------------------------------------
# composition adjustment


def composition(ctx: Context) -> Section:
    """Naive vs composition-adjusted gaps, and the gap within each member type.

    Returns
    -------
    Section
        data ``adjusted`` (:func:`survey.stats.adjust.poststratified_gap`, pooled and each college)
        and ``within`` (:func:`survey.stats.adjust.gap_within_strata`); tables of the same names;
        figure ``gap_adjusted``; a sentence per scale.
    """
    title = "党员构成调整"
    if not ctx.scales:
        return _skip(title, "编码手册中没有定义量表，不做构成调整。")
    if ctx.strata is None:
        return _skip(title, "数据中没有党员类别（member_type）题，无法按党员构成调整，"
                            "只报告未调整的差距。")
    from survey.report.plots import forest_plot
    from survey.stats.adjust import gap_within_strata, poststratified_gap, roster_shares

    scores = _scores(ctx)
    scores = scores[~scores[ctx.by].isin(ctx.small_groups)]
    if scores[ctx.by].nunique() < 2:
        return _skip(title, "有逐份答卷的对标组不足，无法做构成调整。")
    sec = Section(title=title)
    target, target_word = None, f"{ctx.reference}样本的党员构成"
    roster = ctx.processed.roster
    if roster is not None and len(roster) and ctx.by == "college":
        from survey.stats.roster import college_totals

        tot = college_totals(roster).rename(columns={"members": "count"})
        if (tot["college"] == ctx.reference).any():
            target = roster_shares(tot, group=ctx.reference, by="college", strata="member_type",
                                   count="count")
            target_word = f"{ctx.reference}党员名册的构成（" + "，".join(
                f"{k} {nz.pct(v)}" for k, v in target.items()) + "）"
    strata_summaries = _strata_summaries(ctx)
    adj = poststratified_gap(scores, columns=ctx.scales, by=ctx.by, reference=ctx.reference,
                             strata=ctx.strata, target=target, each=True,
                             summaries=strata_summaries)
    within = gap_within_strata(scores, columns=ctx.scales, by=ctx.by, reference=ctx.reference,
                               strata=ctx.strata, summaries=strata_summaries)
    sec.data["adjusted"], sec.data["within"] = adj, within
    est = {"naive": "未调整", "poststratified": "按构成调整"}
    sec.tables["adjusted"] = _suppress_rows(pd.DataFrame({
        "维度": adj["scale"].map(ctx.scale_labels), "比较对象": adj["group"].map(lambda g: _against(g, ctx)),
        "估计方法": adj["estimator"].map(est),
        f"{ctx.reference}样本量": adj["n_ref"], "对标样本量": adj["n"],
        f"{ctx.reference}均值": adj["mean_ref"].map(nz.num), "对标均值": adj["mean"].map(nz.num),
        "差值": adj["diff"].map(nz.num),
        "95% CI": [nz.ci(a, b) for a, b in zip(adj["ci_low"], adj["ci_high"], strict=True)],
        "p 值": adj["p"].map(nz.pval),
        "设计效应（对标）": adj["deff"].map(nz.num),
        "有效样本量（对标）": adj["n_eff"].map(lambda v: nz.num(v, 0)),
        "说明": adj["note"].fillna("")}),
        [f"{ctx.reference}样本量", "对标样本量"])
    sec.counts["adjusted"] = [f"{ctx.reference}样本量", "对标样本量"]
    sec.tables["within"] = _suppress_rows(pd.DataFrame({
        "维度": within["scale"].map(ctx.scale_labels), "党员类别": within["stratum"],
        f"{ctx.reference}样本量": within["n_ref"], "对标样本量": within["n"],
        f"{ctx.reference}均值": within["mean_ref"].map(nz.num),
        "对标均值": within["mean"].map(nz.num), "差值": within["diff"].map(nz.num),
        "95% CI": [nz.ci(a, b) for a, b in zip(within["ci_low"], within["ci_high"], strict=True)],
        "Hedges g": within["effect"].map(nz.num), "p 值": within["p"].map(nz.pval)}),
        [f"{ctx.reference}样本量", "对标样本量"])
    sec.counts["within"] = [f"{ctx.reference}样本量", "对标样本量"]
    main = POOLED if (adj["group"] == POOLED).any() else adj["group"].iloc[0]
    pooled = adj[adj["group"] == main].assign(
        label=lambda d: d["scale"].map(ctx.scale_labels),
        estimator_zh=lambda d: d["estimator"].map(est))
    sec.figures["gap_adjusted"] = forest_plot(
        pooled, label="label", est="diff", lo="ci_low", hi="ci_high", group="estimator_zh",
        xlabel=f"差值（{ctx.reference} − {_against(main, ctx)}，分；95% 置信区间）",
        title="未调整与按党员构成调整后的差距")
    for sid in ctx.scales:
        sub = pooled[pooled["scale"] == sid].set_index("estimator")
        if not {"naive", "poststratified"} <= set(sub.index):
            continue
        n, a = sub.loc["naive"], sub.loc["poststratified"]
        w = within[(within["scale"] == sid) & within["diff"].notna()
                   & (within["n_ref"] >= ctx.min_n) & (within["n"] >= ctx.min_n)]
        n_neg = int((w["diff"] < 0).sum())
        s = (f"{nz.quoted(ctx.scale_labels[sid])}：未调整差距 {nz.num(n['diff'])} 分"
             f"（95% CI {nz.ci(n['ci_low'], n['ci_high'])}），按党员构成调整后 {nz.num(a['diff'])} 分"
             f"（95% CI {nz.ci(a['ci_low'], a['ci_high'])}）")
        if len(w):
            s += f"；在 {len(w)} 个党员类别内部，有 {n_neg} 个类别{ctx.reference}低于对标院校"
        sec.sentences.append(s + "。")
    sec.data["pooled"] = pooled
    sec.notes += [
        f"按构成调整：把{ctx.reference}和对标院校都按同一党员构成（{target_word}）重新加权后再比较"
        "（事后分层），这样差距不会因为双方在职、学生、离退休党员的比例不同而被放大或掩盖。",
        "设计效应表示加权使抽样误差放大了多少倍；有效样本量 = 样本量 ÷ 设计效应。"]
    if ctx.summary_groups:
        joined = [] if strata_summaries is None else list(dict.fromkeys(strata_summaries["group"]))
        joined = [g for g in ctx.summary_groups if g in joined]
        rest = [g for g in ctx.summary_groups if g not in joined]
        if joined:
            sec.notes.append(f"{nz.join_zh(joined)}没有逐份答卷，但提供了分党员类别的人数、均值和标准差："
                             "它们按各类别的汇总统计并入对标组参与调整，与用逐份答卷计算的结果相同。")
        if rest:
            sec.notes.append(f"{nz.join_zh(rest)}没有逐份答卷，也没有分党员类别的汇总统计，不参与构成调整；"
                             "因此这里的“未调整”差距与上一节合并对标组的差距可能略有不同。")
    return sec


# ---------------------------------------------------------------------------------------------
# 04 priorities (importance-performance analysis)


def priorities(ctx: Context) -> Section:
    """Importance–performance analysis of the projects, with the gap against the benchmarks.

    Returns
    -------
    Section
        data ``ipa`` (:func:`survey.stats.ipa.ipa` on the home college; the benchmark columns
        recomputed with summary-only colleges folded in); table ``ipa``; figure
        ``ipa_quadrant``; sentences naming the 重点改进 projects in priority order.
    """
    title = "重点项目排序"
    from survey.stats.ipa import QUADRANTS, ipa, project_items

    try:
        proj = project_items(ctx.codebook)
    except SurveyError:
        return _skip(title, "编码手册中没有成对的“重要性—表现”题目（IMP_k / PERF_k），"
                            "不做重要性—表现分析。")
    from survey.report.plots import ipa_quadrant
    from survey.stats.compare import gap_table

    home = ctx.responses[ctx.responses[ctx.by] == ctx.reference]
    res = ipa(home, ctx.codebook, by=ctx.by, reference=ctx.reference)
    # benchmark gap of the performance items, with summary-only colleges folded in
    perf = list(proj["item_perf"])
    if len(ctx.groups) + len(ctx.summary_groups) > 1:
        summ = _summaries(ctx, "item")
        if summ is not None:
            summ = summ[summ["item"].isin(perf)]
        gap = gap_table(ctx.responses, columns=perf, by=ctx.by, reference=ctx.reference,
                        level="item", summaries=summ if summ is not None and len(summ) else None,
                        p_adjust="fdr_bh")
        main = _main_group(gap)
        g = gap[gap["group"] == main].rename(columns={
            "item": "item_perf", "mean": "bench_mean", "diff": "bench_diff",
            "ci_low": "bench_ci_low", "ci_high": "bench_ci_high", "p_adj": "bench_p_adj",
            "effect": "bench_effect", "n": "bench_n"})
        res = res.merge(g[["item_perf", "bench_mean", "bench_diff", "bench_ci_low",
                           "bench_ci_high", "bench_p_adj", "bench_effect", "bench_n"]],
                        on="item_perf", how="left")
    else:
        for c in ("bench_mean", "bench_diff", "bench_ci_low", "bench_ci_high", "bench_p_adj",
                  "bench_effect", "bench_n"):
            res[c] = np.nan
    res["priority"] = np.where(res["quadrant"] == "重点改进", 0, 1)
    res = res.sort_values(["priority", "bench_diff", "diff"], ascending=[True, True, False],
                          kind="stable").reset_index(drop=True)
    res["rank"] = np.arange(1, len(res) + 1)
    sec = Section(title=title, data={"ipa": res})
    sec.tables["ipa"] = _suppress_rows(pd.DataFrame({
        "优先顺序": res["rank"], "项目": res["name"], "象限": res["quadrant"],
        "样本量": res["n"],
        "重要性均值": res["imp_mean"].map(nz.num), "表现均值": res["perf_mean"].map(nz.num),
        "重要性 − 表现": res["diff"].map(nz.num),
        "95% CI": [nz.ci(a, b) for a, b in zip(res["ci_low"], res["ci_high"], strict=True)],
        "对标表现均值": res["bench_mean"].map(nz.num),
        "与对标的表现差值": res["bench_diff"].map(nz.num),
        "差值 95% CI": [nz.ci(a, b) for a, b in zip(res["bench_ci_low"], res["bench_ci_high"],
                                                     strict=True)],
        "BH 校正 p": res["bench_p_adj"].map(nz.pval)}), ["样本量"],
        dependent=["重要性均值", "表现均值", "重要性 − 表现", "95% CI"])
    sec.counts["ipa"] = ["样本量"]
    quads = {"upper_left": QUADRANTS[(True, False)], "upper_right": QUADRANTS[(True, True)],
             "lower_left": QUADRANTS[(False, False)], "lower_right": QUADRANTS[(False, True)]}
    sec.figures["ipa_quadrant"] = ipa_quadrant(
        res, x="perf_mean", y="imp_mean", label="name", x_ref=float(res["perf_grand"].iloc[0]),
        y_ref=float(res["imp_grand"].iloc[0]), quadrant_labels=quads,
        xlabel=f"{ctx.reference}现状表现（均值）", ylabel="重要性（均值）",
        title=f"{ctx.reference}各项目的重要性—表现象限图（虚线为总均值）")
    focus = res[res["quadrant"] == "重点改进"]
    if len(focus):
        sec.sentences.append(
            f"落在「重点改进」象限（重要性高于各项目平均、表现低于平均）的项目有 {len(focus)} 个，"
            f"按与对标院校的表现差距从大到小依次为：{nz.join_zh([nz.quoted(x) for x in focus['name']])}。")
        for r in focus.itertuples():
            s = (f"{nz.quoted(r.name)}：重要性 {nz.num(r.imp_mean)}，表现 {nz.num(r.perf_mean)}"
                 f"（相差 {nz.num(r.diff)} 分）")
            if pd.notna(r.bench_diff):
                word = "低" if r.bench_diff < 0 else "高"
                s += (f"；表现比对标院校{word} {nz.num(abs(r.bench_diff))} 分"
                      f"（95% CI {nz.ci(r.bench_ci_low, r.bench_ci_high)}，BH 校正 p {nz.p_eq(r.bench_p_adj)}）")
            sec.sentences.append(s + "。")
    else:
        sec.sentences.append("没有项目落在「重点改进」象限。")
    keep = res[res["quadrant"] == "继续保持"]
    if len(keep):
        sec.sentences.append(f"{nz.join_zh([nz.quoted(x) for x in keep['name']])}重要且表现较好，宜继续保持。")
    sec.notes += ["象限以各项目重要性均值和表现均值的总平均为界（Martilla & James 1977）。",
                  "“与对标的表现差值”= " + ctx.reference + "表现 − 对标院校表现，"
                  "多个项目一起比较时用 Benjamini–Hochberg 方法校正 p 值。"]
    return sec


# ---------------------------------------------------------------------------------------------
# 05 symposium


def _themes(ctx: Context) -> Any:
    from survey.instruments.symposium import themes_from_frame

    return themes_from_frame(ctx.processed.themes)


def symposium(ctx: Context, *, quotes: bool = True, n_boot: int = 1000) -> Section:
    """Theme frequencies by stakeholder group, tests, coder agreement and quotes.

    Returns
    -------
    Section
        data ``frequencies``, ``tests``, ``residuals``, ``agreement``, ``alpha``, ``quotes``;
        tables ``overview``, ``frequencies``, ``tests``, ``agreement``, ``quotes``; figure
        ``symposium_heatmap`` (share of each group's statements raising each theme).
    """
    title = "座谈会"
    p = ctx.processed
    if p.statements is None or p.themes is None or p.statements.empty:
        return _skip(title, "本研究没有座谈会记录，跳过这一部分。")
    from survey.report.plots import heatmap
    from survey.stats import agreement, contingency
    from survey.stats import themes as sy

    st = p.statements.copy()
    # survey clean scrubs statement text before writing it (pipeline), so the processed
    # statements are safe to quote.
    st["text_scrubbed"] = True
    themes = _themes(ctx)
    freq = sy.theme_frequencies(st, themes)
    tests, resid = contingency.theme_group_tests(st, themes)
    agree = agreement.theme_agreement(st, themes)
    alpha = agreement.krippendorff_alpha_presence(st, themes, n_boot=n_boot)
    sec = Section(title=title, data={"frequencies": freq, "tests": tests, "residuals": resid,
                                     "agreement": agree, "alpha": alpha})
    if p.sessions is not None and len(p.sessions):
        ov = p.sessions.groupby("group", sort=False).agg(
            场次=("session", lambda s: "、".join(map(str, s))),
            参会人数=("participants", lambda x: x.sum(min_count=1)))
        ov["发言条数"] = st.groupby("group").size().reindex(ov.index).fillna(0).astype(int)
        ov = ov.reset_index().rename(columns={"group": "座谈对象"})
        ov["参会人数"] = ov["参会人数"].map(lambda v: np.nan if pd.isna(v) else int(v))
        sec.tables["overview"] = _suppress_cells(ov, ["参会人数", "发言条数"])
        sec.counts["overview"] = ["参会人数", "发言条数"]
    groups = [g for g in dict.fromkeys(st["group"])]
    labels = dict(zip(themes.table["code"], themes.table["label"], strict=True))
    wide = pd.DataFrame({"编码": themes.codes, "主题": [labels[c] for c in themes.codes],
                         "问题领域": themes.table["area"].map("、".join).to_numpy()})
    allrows = freq[freq["group"] == sy.ALL_GROUPS].set_index("code")
    wide["提及条数（全部）"] = allrows.loc[themes.codes, "n"].to_numpy()
    wide["占全部发言"] = [nz.pct(v) for v in allrows.loc[themes.codes, "share"]]
    for g in groups:
        sub = freq[freq["group"] == g].set_index("code").loc[themes.codes]
        wide[f"{g}（占该群体发言）"] = [nz.pct(s) if n >= ctx.min_n or n == 0 else "<5"
                                 for n, s in zip(sub["n"], sub["share"], strict=True)]
    wide = _suppress_rows(wide, ["提及条数（全部）"], dependent=["占全部发言"])
    sec.tables["frequencies"] = wide.sort_values("编码", kind="stable")
    sec.counts["frequencies"] = ["提及条数（全部）"]
    heat = (freq[freq["group"] != sy.ALL_GROUPS]
            .assign(label=lambda d: d["code"].map(labels), pct=lambda d: 100 * d["share"])
            .pivot_table(index="label", columns="group", values="pct", sort=False)
            .reindex(index=[labels[c] for c in themes.codes], columns=groups))
    # plots.heatmap keeps x labels horizontal: wrap long group names so they do not overlap
    heat.index.name, heat.columns.name = "主题", "座谈对象"
    sec.figures["symposium_heatmap"] = heatmap(
        heat, fmt=".0f", cmap="Blues", cbar_label="占该群体发言的百分比（%）",
        title="各座谈对象提到各主题的比例（%）")
    t = tests.copy()
    sec.tables["tests"] = pd.DataFrame({
        "范围": t["scope"], "主题": t["label"], "χ²": t["statistic"].map(nz.num),
        "自由度": t["df"].map(lambda v: nz.MISSING if pd.isna(v) else str(int(v))),
        "p 值": t["p"].map(nz.pval), "Holm 校正 p": t["p_adj"].map(nz.pval),
        "方法": t["method"].map({"chi2": "卡方检验", "monte_carlo": "蒙特卡洛精确检验"}).fillna("不适用"),
        "Cramér's V": t["effect"].map(nz.num),
        "V 的 95% CI": [nz.ci(a, b) for a, b in zip(t["ci_low"], t["ci_high"], strict=True)]})
    sec.counts["tests"] = []
    ag = agree.copy()
    sec.tables["agreement"] = _suppress_rows(pd.DataFrame({
        "编码": ag["code"], "主题": ag["label"], "编码员A次数": ag["n_a"], "编码员B次数": ag["n_b"],
        "一致比例": ag["agreement"].map(nz.pct), "Cohen's κ": ag["effect"].map(nz.num),
        "κ 的 95% CI": [nz.ci(a, b) for a, b in zip(ag["ci_low"], ag["ci_high"], strict=True)]}),
        ["编码员A次数", "编码员B次数"], dependent=["一致比例", "Cohen's κ", "κ 的 95% CI"])
    sec.counts["agreement"] = ["编码员A次数", "编码员B次数"]
    # sentences
    n_all = len(st)
    top = allrows.loc[themes.codes].sort_values(["n"], ascending=False, kind="stable").head(3)
    parts = [f"{nz.quoted(labels[c])}（{nz.count(r['n'])} 条，占 {nz.pct(r['share'])}）"
             for c, r in top.iterrows()]
    sec.sentences.append(f"{nz.count(len(st['session'].unique()))} 场座谈会共记录发言 {nz.count(n_all)} 条，"
                         f"提到最多的主题是：{'；'.join(parts)}。")
    ov_row = tests[tests["scope"] == "总体"].iloc[0]
    differs = pd.notna(ov_row["p"]) and ov_row["p"] < ALPHA
    sec.sentences.append(
        ("不同座谈对象关注的主题明显不同" if differs else "不同座谈对象关注的主题没有明显差别")
        + f"（χ² = {nz.num(ov_row['statistic'])}，p {nz.p_eq(ov_row['p'])}，"
        f"Cramér's V = {nz.num(ov_row['effect'])}）。")
    # the most over-represented theme per group (adjusted residual > 2)
    r2 = resid[resid["residual"] > 2].sort_values("residual", ascending=False)
    r2 = r2.drop_duplicates("group")
    if len(r2):
        sec.sentences.append("各群体相对更常提到的主题：" + "；".join(
            f"{r.group}—{nz.quoted(labels.get(r.code, r.code))}" for r in r2.itertuples()) + "。")
    a = alpha.iloc[0]
    kap = agree["effect"].dropna()
    s = (f"两位编码员独立编码的一致性：Krippendorff's α = {nz.num(a['effect'])}"
         f"（95% CI {nz.ci(a['ci_low'], a['ci_high'])}）")
    if len(kap):
        lo_row = agree.loc[kap.idxmin()]
        s += (f"，各主题 Cohen's κ 的中位数为 {nz.num(kap.median())}，最低的是"
              f"{nz.quoted(lo_row['label'])}（κ = {nz.num(lo_row['effect'])}）")
    sec.sentences.append(s + "；一般认为 0.60 以上为较高一致，0.80 以上为几乎完全一致。")
    if quotes:
        q = sy.representative_quotes(st, themes, k=2)
        sec.data["quotes"] = q
        sec.tables["quotes"] = pd.DataFrame({"主题": q["label"], "座谈对象": q["group"],
                                             "发言人（代号）": q["speaker"], "发言摘录": q["text"]})
        sec.counts["quotes"] = []
    sec.notes += ["频次按编码员 A 的编码计算（编码员 B 用于检验一致性）；一条发言可涉及多个主题。",
                  "按主题的检验比较各群体提到该主题的比例（期望频数过小时用蒙特卡洛精确检验），"
                  "多个主题一起检验时用 Holm 方法校正。", "发言摘录已去除姓名、电话等个人信息。"]
    return sec


# ---------------------------------------------------------------------------------------------
# 06 indicators


DIRECTION_ZH = {"higher": "越高越好", "lower": "越低越好"}


def indicators(ctx: Context) -> Section:
    """Home vs benchmark median and best on each indicator, respecting its direction.

    Returns
    -------
    Section
        data ``gaps`` (:func:`survey.stats.indicators.indicator_gaps`); table ``gaps``; figure
        ``indicator_gaps``.
    """
    title = "对标指标"
    ind = ctx.processed.indicators
    if ind is None or ind.empty:
        return _skip(title, "本研究没有对标指标数据，跳过这一部分。")
    from survey.report.plots import forest_plot
    from survey.stats.indicators import indicator_gaps

    gaps = indicator_gaps(ind, home=ctx.reference)
    sec = Section(title=title, data={"gaps": gaps})
    sec.tables["gaps"] = pd.DataFrame({
        "指标": gaps["indicator"], "单位": gaps["unit"].fillna(""),
        "方向": gaps["direction"].map(DIRECTION_ZH).fillna(gaps["direction"]),
        "问题领域": gaps["area"].fillna(""),
        ctx.reference: gaps["home"].map(_value),
        "对标中位数": gaps["benchmark_median"].map(_value),
        "对标最好": gaps["benchmark_best"].map(_value),
        "最好的院校": gaps["best_college"],
        "与中位数差距": gaps["gap_median"].map(_value),
        "与中位数差距（%）": gaps["gap_median_share"].map(nz.pct),
        "与最好差距（%）": gaps["gap_best_share"].map(nz.pct),
        "是否落后于中位数": gaps["behind_median"].map(lambda v: "是" if v is True else
                                               ("否" if v is False else nz.MISSING))})
    sec.counts["gaps"] = []
    fig_t = gaps.assign(pct=100 * gaps["gap_median_share"], lo=np.nan, hi=np.nan)
    sec.figures["indicator_gaps"] = forest_plot(
        fig_t, label="indicator", est="pct", lo="lo", hi="hi",
        xlabel="与对标院校中位数的差距（%，已按指标方向换算；负数 = 落后）",
        title=f"{ctx.reference}各项对标指标与对标院校中位数的差距")
    behind = gaps[gaps["behind_median"] == True]  # noqa: E712 - pd.NA aware
    n = int(gaps["gap_median"].notna().sum())
    sec.sentences.append(f"在可比较的 {n} 项对标指标中，{ctx.reference}有 {len(behind)} 项落后于对标院校中位数。")
    for r in behind.sort_values("gap_median_share").itertuples():
        sec.sentences.append(
            f"{nz.quoted(r.indicator)}：{ctx.reference} {_with_unit(r.home, r.unit)}，对标中位数 "
            f"{_with_unit(r.benchmark_median, r.unit)}，差距 {nz.pct(r.gap_median_share)}"
            f"（{DIRECTION_ZH.get(r.direction, r.direction)}）。")
    sec.notes.append("差距已按指标方向换算：对“越低越好”的指标（如整改用时），数值高于对标即为落后；"
                     "百分比 = 差距 ÷ 对标中位数。")
    return sec


def _with_unit(v: Any, unit: Any) -> str:
    unit = "" if unit is None or pd.isna(unit) else str(unit)
    if unit.startswith("是/否"):
        if pd.isna(v):
            return nz.MISSING
        return "是" if float(v) == 1 else "否" if float(v) == 0 else _value(v)
    return _value(v) + unit


def _value(v: Any) -> str:
    if v is None or pd.isna(v):
        return nz.MISSING
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# 07 triangulation and findings


def triangulation(ctx: Context, *, gaps: Section | None = None,
                  indicator_section: Section | None = None) -> Section:
    """Join questionnaire, symposium and indicators per problem area (P1–P5).

    Returns
    -------
    Section
        data ``triangulation`` (:func:`survey.stats.triangulate.triangulate`); table of the same
        name; one sentence per area.
    """
    title = "三角互证"
    from survey.instruments.tables import AREAS
    from survey.stats.triangulate import triangulate

    areas = [s for s in ctx.scales if s in AREAS]
    if not areas:
        return _skip(title, "本研究的量表编号与调研报告的五个问题（P1–P5）不对应，不做三角互证。")
    gaps = gaps or benchmark_gaps(ctx, items=False, likert=False)
    q = None
    if not gaps.skipped:
        t = gaps.data["scale"]
        q = t[t["group"] == _main_group(t)][["scale", "effect", "effect_ci_low",
                                               "effect_ci_high", "p_adj"]]
    ig = None
    if ctx.processed.indicators is not None and len(ctx.processed.indicators):
        ig = (indicator_section or indicators(ctx)).data["gaps"]
    st = ctx.processed.statements
    themes = _themes(ctx) if st is not None and ctx.processed.themes is not None else None
    tri = triangulate(q, ig, statements=st if themes is not None else None, themes=themes,
                      scale_areas={a: a for a in areas}, areas=areas)
    tri["area_label"] = tri["area"].map(ctx.scale_labels).fillna(tri["area_label"])
    sec = Section(title=title, data={"triangulation": tri})
    sec.tables["triangulation"] = pd.DataFrame({
        "问题": tri["area"], "维度": tri["area_label"],
        "问卷：Hedges g": tri["effect"].map(nz.num),
        "g 的 95% CI": [nz.ci(a, b) for a, b in zip(tri["effect_ci_low"], tri["effect_ci_high"],
                                                    strict=True)],
        "Holm 校正 p": tri["p_adj"].map(nz.pval), "问卷信号": tri["q_signal"],
        "座谈：涉及该问题的发言": tri["share"].map(nz.pct),
        "编码一致性 κ": tri["kappa"].map(nz.num), "座谈信号": tri["s_signal"],
        "指标：落后项 / 全部": [f"{b} / {n}" if n else nz.MISSING
                           for b, n in zip(tri["n_behind"], tri["n_indicators"], strict=True)],
        "指标信号": tri["i_signal"], "证据强度": tri["rating"]})
    sec.counts["triangulation"] = []
    for r in tri.itertuples():
        sec.sentences.append(
            f"{r.area} {nz.quoted(r.area_label)}：证据强度「{r.rating}」——问卷{r.q_signal}，"
            f"座谈{r.s_signal}，指标{r.i_signal}。")
    sec.notes.append("判定规则见 docs/triangulation.md：“强”需要问卷和至少另一种来源都支持，且没有相反的证据。")
    return sec


QUESTIONS = {
    1: "本院在哪些维度上落后于对标院校？差距有多大？校正多重比较后是否仍不只是抽样波动？",
    2: "差距是否在各类党员内部都存在，还是只因为双方样本中在职、学生、离退休党员的比例不同？",
    3: "各维度的测量是否可靠（α / ω）？",
    4: "座谈会上大家提得最多的是什么？不同座谈对象是否不同？两位编码员是否一致？",
    5: "八项工程中哪些应优先推进（重要性高、表现低、与对标差距大）？",
    6: "综合问卷、座谈会和对标指标，五个问题中哪些有证据支持，证据有多强？",
}


def findings(ctx: Context) -> Section:
    """The committee's six questions answered in plain Chinese, conclusions first.

    Returns
    -------
    Section
        ``data["answers"]`` (question number, question, sentence); tables
        ``triangulation`` and ``scale`` (the gap against the pooled benchmark);
        figure ``gap_by_dimension``; ``sentences`` = every answer sentence in order.
        The sections it used are in ``findings.parts`` (attribute on the returned object).
    """
    sec = Section(title="主要结论")
    gaps = benchmark_gaps(ctx, items=False, likert=False)
    comp = composition(ctx)
    meas = measurement(ctx)
    sym = symposium(ctx, quotes=False)
    prio = priorities(ctx)
    ind = indicators(ctx)
    tri = triangulation(ctx, gaps=gaps, indicator_section=ind if not ind.skipped else None)
    answers: list[Answer] = []

    q1 = list(gaps.sentences) if not gaps.skipped else list(gaps.notes)
    if not gaps.skipped:
        t = gaps.data["scale"]
        main = t[t["group"] == _main_group(t)]
        behind = [r.label for r in main.itertuples() if _verdict(r) == "behind"]
        lead = (f"结论：{ctx.reference}在{nz.join_zh([nz.quoted(b) for b in behind])}上明显落后于"
                f"{_against(_main_group(t), ctx)}。" if behind else
                f"结论：没有哪个维度{ctx.reference}明显落后于{_against(_main_group(t), ctx)}。")
        q1 = [lead, *q1]
    answers.append(Answer(1, QUESTIONS[1], q1))
    q2 = list(comp.sentences) if not comp.skipped else list(comp.notes)
    if not comp.skipped:
        pooled = comp.data["pooled"].pivot_table(index="scale", columns="estimator", values="diff")
        if {"naive", "poststratified"} <= set(pooled.columns):
            larger = [sid for sid, r in pooled.iterrows()
                      if r["poststratified"] < 0 and abs(r["poststratified"]) > abs(r["naive"])]
            if larger:
                w = comp.data["within"]
                w = w[w["scale"].isin(larger) & (w["n_ref"] >= ctx.min_n) & (w["n"] >= ctx.min_n)]
                everywhere = bool(len(w)) and bool((w["diff"] < 0).all())
                names = nz.join_zh([nz.quoted(ctx.scale_labels[x]) for x in larger])
                lead = (f"结论：按党员构成调整后，{names}的差距比未调整时更大，"
                        "说明双方党员构成不同掩盖了一部分差距")
                lead += ("；这些维度在每一类党员内部都是本院较低，差距不是样本构成造成的。"
                         if everywhere else "。")
                q2 = [lead.replace("本院", ctx.reference), *q2]
    answers.append(Answer(2, QUESTIONS[2], q2))
    answers.append(Answer(3, QUESTIONS[3], (meas.sentences[:1] + meas.sentences[1:])
                          if not meas.skipped else list(meas.notes)))
    answers.append(Answer(4, QUESTIONS[4], list(sym.sentences) if not sym.skipped
                          else list(sym.notes)))
    answers.append(Answer(5, QUESTIONS[5], list(prio.sentences) if not prio.skipped
                          else list(prio.notes)))
    q6 = list(tri.sentences) if not tri.skipped else list(tri.notes)
    if not tri.skipped:
        d = tri.data["triangulation"]
        strong = [f"{r.area_label}" for r in d.itertuples() if r.rating == "强"]
        if strong:
            q6 = [f"结论：{nz.join_zh([nz.quoted(x) for x in strong])}三方面证据一致，证据强度为“强”。",
                  *q6]
        sec.tables["triangulation"] = tri.tables["triangulation"]
        sec.counts["triangulation"] = []
    answers.append(Answer(6, QUESTIONS[6], q6))
    sec.data["answers"] = pd.DataFrame(
        [{"number": a.number, "question": a.question, "sentence": s}
         for a in answers for s in a.sentences])
    sec.sentences = [s for a in answers for s in a.sentences]
    if not gaps.skipped:
        sec.tables["scale"] = gaps.tables["scale"][
            gaps.tables["scale"]["比较对象"] == _against(_main_group(gaps.data["scale"]), ctx)]
        sec.counts["scale"] = gaps.counts["scale"]
        sec.figures["gap_by_dimension"] = gaps.figures["gap_by_dimension"]
        sec.data["scale"] = gaps.data["scale"]
    sec.notes += [nz.EXPLAIN_CI, nz.EXPLAIN_P_ADJ, nz.EXPLAIN_G]
    sec.parts = {"gaps": gaps, "composition": comp, "measurement": meas, "symposium": sym,
                 "priorities": prio, "indicators": ind, "triangulation": tri}
    sec.answers = answers
    return sec


def answer_markdown(section: Section, number: int) -> str:
    """The answer to question ``number`` of a :func:`findings` section as Markdown."""
    for a in section.answers:
        if a.number == number:
            return f"**问：{a.question}**\n\n" + "\n\n".join(a.sentences)
    return ""


def say_answer(section: Section, number: int) -> None:
    """Display one answer of :func:`findings` as Markdown."""
    from IPython.display import Markdown, display

    display(Markdown(answer_markdown(section, number)))


def iter_report_tables(sections: Iterable[Section]) -> Iterable[tuple[str, str, pd.DataFrame,
                                                                        list[str]]]:
    """(section title, table name, table, count columns) of every report table (for tests)."""
    for s in sections:
        for name, t in s.tables.items():
            yield s.title, name, t, s.counts.get(name, [])
