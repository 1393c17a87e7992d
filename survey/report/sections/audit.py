"""Notebook 01: where the data came from — files, cleaning flow, exclusions, sample, response rates, missingness."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from survey.errors import SurveyWarning
from survey.report import narrative as nz
from survey.report.sections.base import Context, Section, _by_word, _suppress_rows
from survey.report.sections.cache import cached


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
    # rows of a file are not a breakdown of people: shown as they are
    t["原始行数"] = t["原始行数"].map(lambda v: "" if pd.isna(v) else int(v)).astype(object)
    return t


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
    # counts of rows (excluded, flagged, kept) are not personal data: shown in full, never "<5"
    parts = [f"{rule} {int(n)} 条" for rule, n in zip(steps["rule"].tolist(), steps["n_excluded"].tolist(),
                                                     strict=True)]
    sentences = [
        f"各问卷文件共读入原始答卷 {raw} 条；按清洗规则依次排除 {excluded} 条"
        + (f"（{'，'.join(parts)}）" if parts else "")
        + f"，保留 {kept} 条（{nz.pct(kept / raw if raw else np.nan)}）。"
        "被排除的每一条都在排除清单中写明了原因，原始文件未作任何改动。"
    ]
    return t, log, sentences


def _exclusions_by_rule(ctx: Context) -> pd.DataFrame:
    ex = ctx.processed.exclusions
    if ex is None or ex.empty:
        return pd.DataFrame({"文件": [], "合计": []})
    long = ex.assign(rule=ex["rules"].astype(str).str.split("；")).explode("rule")
    tab = pd.crosstab(long["file"].astype(str), long["rule"].astype(str))
    tab["排除条数（去重）"] = ex.groupby(ex["file"].astype(str)).size()
    tab = tab.reset_index().rename(columns={"file": "文件"})
    tab.columns.name = None
    return tab  # counts of excluded rows: shown in full


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


def sample_table(sample: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """The respondents by group (× member type) with the row totals, for the report.

    A breakdown of people: a cell of 1–4 is shown as ``<5`` and, where it could be recomputed
    from its row total, a second cell of the row is hidden as ``*``
    (:func:`survey.stats.suppress.suppress_crosstab`, row totals shown). A group with fewer
    than ``ctx.min_n`` respondents in all is hidden as a whole (its total too).

    Parameters
    ----------
    sample
        Counts, one row per group (index) and one column per member type, with ``合计``.
    ctx
        The study.

    Returns
    -------
    pandas.DataFrame
        ``分组``, the count columns and ``合计``, as objects.
    """
    from survey.stats.suppress import suppress_crosstab

    counts = sample.drop(columns="合计").fillna(0).astype(int)
    totals = counts.sum(axis=1)
    small = (totals > 0) & (totals < ctx.min_n)
    if len(counts.columns) == 1:  # one column: the total repeats it
        shown = counts.astype(object)
        shown["合计"] = totals.astype(object)
    else:
        shown = suppress_crosstab(counts[~small], ctx.min_n, totals="rows") \
            .reindex(counts.index).astype(object)
    shown.loc[small, :] = f"<{ctx.min_n}"
    zero = totals == 0
    shown.loc[zero, :] = 0
    out = shown.reset_index().rename(columns={shown.index.name or "index": "分组"})
    out.columns.name = None
    return out


@cached("audit")
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
    sec.counts["files"] = []  # rows of files, excluded rows: not people
    flow, log, sentences = _flow(ctx)
    sec.tables["flow"], sec.data["cleaning_log"] = flow, log
    sec.counts["flow"] = []
    sec.sentences += sentences
    sec.tables["exclusions"] = _exclusions_by_rule(ctx)
    sec.counts["exclusions"] = []
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
    sec.tables["sample"] = sample_table(sample, ctx)
    sec.counts["sample"] = [c for c in t.columns if c != "分组"]
    parts = [f"{g} {nz.count(sample.loc[g, '合计'])} 份" for g in ctx.groups]
    s = f"有效答卷按{_by_word(ctx)}分：{('，'.join(parts))}"
    if ctx.summary_groups:
        s += f"；另有{nz.join_zh(ctx.summary_groups)}只提供汇总统计"
    sec.sentences.append(s + "。")
    if ctx.small_groups:
        sec.notes.append(f"{nz.join_zh(ctx.small_groups)}的有效答卷不足 5 份，报告中不单独列出其结果"
                         "（只计入合并后的比较组）。")
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
        sec.sentences.append(f"另有 {len(cc)} 个取值超出选项范围的单元格被设为缺失"
                             "（记录不排除，逐格列在 cell_changes 清单中）。")
    sec.notes.append(nz.EXPLAIN_SMALL)
    return sec


