"""The current wave compared with the previous one: "与上一轮调查相比" (issue #13).

A study that names earlier waves (``study.waves``) is compared with the **last** of them (the
previous wave; list earlier waves oldest first). The earlier wave's answers are matched to the
current items (:func:`survey.waves.comparable_items`), every scale is cut to the items both
waves asked (:func:`survey.waves.scale_items_in_both`, the dropped items named in a note), and

* each dimension's change per college (:func:`survey.stats.waves.wave_change`, Holm across the
  dimensions), home college and every benchmark college;
* whether the gap home − benchmark closed (:func:`survey.stats.waves.gap_change`, the
  difference-in-differences, against the pooled benchmarks and against each benchmark
  college; composition-adjusted when both waves have the member-type item);
* respondents matched by pseudonym (paired design), reliability per wave
  (:func:`survey.waves.reliability_by_wave`);
* the movement of the projects' importance–performance positions
  (:func:`survey.stats.ipa.ipa_movement`, figure ``ipa_movement``) when both waves have the
  ``IMP_k`` / ``PERF_k`` items, and the change of theme shares
  (:func:`survey.stats.themes.theme_change`) when both waves have symposium statements.

A single-wave study gets a skipped section with :data:`NO_WAVES`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from survey.report import narrative as nz
from survey.report.sections.base import (
    Context,
    Section,
    _against,
    _as_labels,
    _skip,
    _suppress_rows,
)
from survey.report.sections.cache import cached
from survey.stats.common import MIN_CELL

__all__ = ["TITLE", "NO_WAVES", "VERDICT_WORDS", "waves", "waves_summary"]

TITLE = "与上一轮调查相比"
NO_WAVES = "本研究只有一轮调查，无法与上一轮比较。"
#: The verdicts of :func:`survey.stats.waves.gap_verdict` as the committee reads them.
VERDICT_WORDS = {"已缩小": "缩小", "已消除": "基本消除", "未见变化": "没有明显变化", "扩大": "扩大"}
WAVE = "_wave"
KEY = "respondent_key"


def waves(ctx: Context) -> Section:
    """The section "与上一轮调查相比" (see the module docstring).

    Returns
    -------
    Section
        Skipped with :data:`NO_WAVES` for a single-wave study. Otherwise data ``change``
        (:func:`~survey.stats.waves.wave_change`, every college), ``gap`` (pooled benchmark,
        naive and — with member types — post-stratified rows), ``gap_by_group`` (each
        benchmark college alone), ``items`` (item matching), ``reliability``, and when present
        ``ipa_movement`` and ``themes``; tables of the same names in Chinese; figure
        ``ipa_movement``; sentences: a ``结论：`` line, one sentence per dimension on the gap
        (:func:`~survey.stats.waves.gap_change_sentence`), the home college's own changes.
    """
    if not ctx.study.waves:
        return _skip(TITLE, NO_WAVES)
    from survey.waves import load_waves

    earlier = load_waves(ctx.study)[-1]
    # The earlier wave's outputs are not part of the context digest: key the cache on them.
    digest = hashlib.sha256(json.dumps(
        [earlier.label, earlier.manifest.get("outputs"), earlier.manifest.get("config_hash"),
         earlier.codebook.model_dump(mode="json")],
        sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
    return _waves_section(ctx, earlier=digest)


def _earlier_frame(ctx: Context, wave: Any, match: Any) -> pd.DataFrame:
    """The earlier wave's responses under the current ids, group and member type as labels."""
    from survey.waves import aligned_responses

    frame = aligned_responses(wave, match).copy()
    by_old = match.pairs.get(ctx.by, ctx.by)
    if ctx.by in frame.columns:
        frame[ctx.by] = _as_labels(frame[ctx.by], wave.codebook, by_old)
    if ctx.strata and ctx.strata in frame.columns:
        from survey.instruments.roster import normalise_member_type

        labels = _as_labels(frame[ctx.strata], wave.codebook,
                            match.pairs.get(ctx.strata, ctx.strata))
        frame[ctx.strata] = labels.map(lambda v: (normalise_member_type(v) or v) if v else None)
    return frame


def _long(ctx: Context, frames: dict[str, pd.DataFrame], common: Any,
          strata: str | None) -> pd.DataFrame:
    """Both waves' scale scores stacked: scales, group, wave, pseudonym, member type."""
    from survey.stats.scoring import score_scales

    parts = []
    for label, frame in frames.items():
        s = score_scales(frame, common, min_answered=ctx.study.scoring.min_answered)
        s[ctx.by] = frame[ctx.by].to_numpy()
        s[WAVE] = label
        s[KEY] = frame[KEY].to_numpy() if KEY in frame.columns else None
        if strata:
            s[strata] = frame[strata].to_numpy()
        parts.append(s)
    out = pd.concat(parts, ignore_index=True)
    return out[out[ctx.by].notna()].reset_index(drop=True)


def _rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed loosely: their fields are the columns)."""
    return list(frame.itertuples())


def _ci(lo: pd.Series, hi: pd.Series) -> list[str]:
    return [nz.ci(a, b) for a, b in zip(lo, hi, strict=True)]


@cached("waves")
def _waves_section(ctx: Context, *, earlier: str = "") -> Section:
    from survey.stats.waves import gap_change, gap_change_sentence, wave_change
    from survey.waves import (
        common_codebook,
        comparable_items,
        load_waves,
        matched_respondents,
        reliability_by_wave,
        scale_items_in_both,
    )

    wave = load_waves(ctx.study)[-1]
    w1, w2 = wave.label, ctx.study.current_wave_label
    sec = Section(title=TITLE)
    match = comparable_items(ctx.codebook, wave)
    scales = scale_items_in_both(ctx.codebook, wave, match)
    common = common_codebook(ctx.codebook, scales)
    sec.data["items"] = match.table()
    sec.notes += [m.note_zh() + "。" for m in scales.values() if m.note_zh()]
    if match.mapped_despite_change:
        sec.notes.append("以下题目的措辞或选项两轮不同，但编码手册的 wave_map 声明可比，仍作比较："
                         + "；".join(f"{k}（{v}）" for k, v in match.mapped_despite_change.items())
                         + "。")
    if not common.scales:
        sec.skipped = True
        sec.notes.insert(0, f"{w1}与{w2}的问卷没有共同的量表题目（每个维度至少 2 题），无法比较。")
        return sec
    dims = [s.id for s in common.scales]
    labels = ctx.scale_labels

    old = _earlier_frame(ctx, wave, match)
    if ctx.by not in old.columns or old[ctx.by].isna().all():
        return _skip(TITLE, f"上一轮（{w1}）的数据中没有分组变量“{ctx.by}”，无法与本轮比较。")
    strata = ctx.strata if ctx.strata and ctx.strata in old.columns \
        and old[ctx.strata].notna().any() else None
    cur = ctx.responses
    long = _long(ctx, {w1: old, w2: cur}, common, strata)

    matched = matched_respondents(cur, old)
    paired = KEY if matched.n else None
    if matched.note:
        sec.notes.append(matched.note + "。")
    sec.data["matched"] = pd.DataFrame({"n_matched": [matched.n]})

    # groups with at least MIN_CELL respondents in both waves
    size = long.groupby([ctx.by, WAVE]).size().unstack(fill_value=0)
    both = [g for g in size.index if all(size.loc[g].get(w, 0) >= MIN_CELL for w in (w1, w2))]
    if ctx.reference not in both:
        return _skip(TITLE, f"{ctx.reference}在{w1}或{w2}的有效答卷不足 {MIN_CELL} 份，"
                            "不作两轮比较。")
    benchmarks = [g for g in ctx.groups if g in both and g != ctx.reference]
    others = sorted(g for g in both if g not in ctx.groups and g != ctx.reference)
    benchmarks += others
    left_out = [g for g in dict.fromkeys(list(ctx.groups) + list(size.index))
                if g not in both and g != ctx.reference]
    if left_out:
        sec.notes.append(f"{nz.join_zh(list(left_out))}在某一轮的有效答卷不足 {MIN_CELL} 份"
                         "或没有参加，不作两轮比较。")
    if ctx.summary_groups:
        sec.notes.append(f"{nz.join_zh(ctx.summary_groups)}只提供了汇总统计，无法计算两轮变化，"
                         "未纳入本节。")
    data = long[long[ctx.by].isin([ctx.reference, *benchmarks])].reset_index(drop=True)

    # per college: change between waves (Holm across the dimensions within each college)
    change = wave_change(data, dv=dims, wave=WAVE, by=ctx.by, waves=(w1, w2),
                         paired_key=paired)
    order = {g: i for i, g in enumerate([ctx.reference, *benchmarks])}
    change = change.sort_values(["group", "scale"], key=lambda s: s.map(order) if s.name == "group"
                                else s.map({d: i for i, d in enumerate(dims)}),
                                kind="stable").reset_index(drop=True)
    sec.data["change"] = change
    sec.tables["change"] = _suppress_rows(pd.DataFrame({
        "维度": change["scale"].map(labels), "院校": change["group"],
        f"{w1}样本量": change["n1"], f"{w1}均值": change["mean1"].map(nz.num),
        f"{w2}样本量": change["n2"], f"{w2}均值": change["mean2"].map(nz.num),
        "变化": change["diff"].map(nz.signed), "变化 95% CI": _ci(change["ci_low"], change["ci_high"]),
        "Hedges g": change["effect"].map(nz.num), "Holm 校正 p": change["p_adj"].map(nz.pval),
    }), [f"{w1}样本量", f"{w2}样本量"],
        dependent=[f"{w1}均值", f"{w2}均值", "变化", "变化 95% CI", "Hedges g", "Holm 校正 p"])
    sec.counts["change"] = [f"{w1}样本量", f"{w2}样本量"]

    if not benchmarks:
        sec.notes.append("两轮都没有足够的对标院校答卷，只比较本院自身的变化。")
        gap = pd.DataFrame()
    else:
        target = _roster_targets(ctx, wave, w1, w2) if strata else None
        gap = gap_change(data, dv=dims, wave=WAVE, group=ctx.by, reference=ctx.reference,
                         waves=(w1, w2), benchmark=benchmarks, paired_key=paired,
                         strata=strata, target=target)
        if strata:
            used = [w for w in (w1, w2) if target and w in target]
            sec.notes.append(
                "按构成调整：每一轮的差距都按" + (
                    f"{ctx.reference}该轮党员名册的构成（{'、'.join(used)}）" if used
                    else f"{ctx.reference}该轮样本的党员构成") + "重新加权后再比较"
                + ("；" + "、".join(w for w in (w1, w2) if w not in used)
                   + "没有名册，按样本构成" if used and len(used) < 2 else "") + "。")
        by_group = pd.concat([gap_change(data, dv=dims, wave=WAVE, group=ctx.by,
                                         reference=ctx.reference, waves=(w1, w2), benchmark=[b],
                                         paired_key=paired) for b in benchmarks],
                             ignore_index=True) if len(benchmarks) > 1 else gap[
                                 gap["estimator"] == "naive"].reset_index(drop=True)
        sec.data["gap"], sec.data["gap_by_group"] = gap, by_group
        for name, t in (("gap", gap), ("gap_by_group", by_group)):
            tab = pd.DataFrame({
                "维度": t["scale"].map(labels),
                "比较对象": t["group"].map(lambda g: _against(g, ctx)),
                f"{w1}差距": t["gap1"].map(nz.num), f"{w1}差距 95% CI": _ci(t["gap1_ci_low"], t["gap1_ci_high"]),
                f"{w2}差距": t["gap2"].map(nz.num), f"{w2}差距 95% CI": _ci(t["gap2_ci_low"], t["gap2_ci_high"]),
                "差距变化": t["diff"].map(nz.signed), "变化 95% CI": _ci(t["ci_low"], t["ci_high"]),
                "Holm 校正 p": t["p_adj"].map(nz.pval),
                "判断": t["verdict"].map(lambda v: VERDICT_WORDS.get(str(v), nz.MISSING)),
            })
            if name == "gap" and strata:
                tab.insert(2, "估计", t["estimator"].map({"naive": "未调整",
                                                          "poststratified": "按构成调整"}))
            sec.tables[name] = tab

    # sentences
    naive = gap[gap["estimator"] == "naive"] if len(gap) else gap
    if len(naive):
        against = _against(str(naive["group"].iloc[0]), ctx)
        sec.sentences.append("结论：" + _conclusion(naive, ctx, w1, against))
        for r in _rows(naive):
            s = gap_change_sentence(r._asdict(), label=labels[r.scale], reference=ctx.reference,
                                    group=against, wave_names=(w1, w2))
            if s:
                sec.sentences.append(s)
        if strata:
            ps = gap[gap["estimator"] == "poststratified"]
            differ = [labels[a.scale] for a, b in zip(_rows(ps), _rows(naive),
                                                     strict=True)
                      if str(a.verdict) != str(b.verdict) and str(a.verdict) not in ("", "nan")]
            sec.sentences.append(
                ("按两轮各自的本院党员名册构成调整后，" if target and len(target) == 2
                 else "按两轮各自的本院党员类别构成调整后，") + (
                    "各维度的判断不变。" if not differ else
                    f"{nz.join_zh([nz.quoted(x) for x in differ])}的判断有所不同（见表）。"))
    home = change[change["group"] == ctx.reference]
    moved = [f"{nz.quoted(labels[r.scale])}（{nz.signed(r.diff)}，95% CI {nz.ci(r.ci_low, r.ci_high)}，"
             f"Holm 校正 p {nz.p_eq(r.p_adj)}）" for r in _rows(home)
             if np.isfinite(r.p_adj) and r.p_adj < 0.05]
    sec.sentences.append(
        f"{ctx.reference}自身与{w1}相比，" + (
            f"{nz.join_zh(moved)}有可分辨的变化" if moved else "各维度都没有校正后可分辨的变化")
        + f"（{w1} {int(home['n1'].max())} 份、{w2} {int(home['n2'].max())} 份有效答卷）。")
    if matched.n:
        sec.sentences.append(f"两轮都作答的受访者有 {matched.n} 人（仅凭假名化编号匹配），"
                             "在两轮变化的检验中按配对计入。")
        sec.notes.append("两轮作答者的匹配只用假名化编号（同一密钥文件生成），不涉及任何其他身份信息。")

    # reliability per wave, over the common items
    rel = reliability_by_wave(ctx.processed.responses, ctx.codebook, wave, current_label=w2)
    sec.data["reliability"] = rel
    if len(rel):
        sec.tables["reliability"] = pd.DataFrame({
            "轮次": rel["wave"], "维度": rel["scale"].map(labels), "题数": rel["n_items"],
            "样本量": rel["n"], "α": rel["alpha"].map(nz.num),
            "α 的 95% CI": _ci(rel["alpha_ci_low"], rel["alpha_ci_high"]),
            "ω": rel["omega"].map(nz.num),
            "未纳入的题目": rel["dropped"].replace("", nz.MISSING)})

    _ipa_part(ctx, sec, wave, match, old, w1, w2)
    _themes_part(ctx, sec, wave, w1, w2)
    sec.notes.append(f"差距 = {ctx.reference} − 对标；差距变化 = {w2}的差距 − {w1}的差距"
                     "（双重差分），正值表示向有利于本院的方向变化。“缩小”“基本消除”“扩大”"
                     "都指 95% 置信区间不含 0 的变化；“基本消除”指本轮差距的置信区间已包含 0。")
    return sec


def _roster_targets(ctx: Context, wave: Any, w1: str, w2: str) -> dict[str, pd.Series] | None:
    """Member-type shares of the home college's roster in each wave (``{wave: shares}``), for
    the composition-adjusted change of the gap; a wave without a roster is left out (its own
    sample composition is used)."""
    from survey.io import processed
    from survey.stats.adjust import roster_shares
    from survey.stats.roster import college_totals

    if ctx.by != "college":
        return None
    out: dict[str, pd.Series] = {}
    for label, roster in ((w1, wave.tables.get(processed.ROSTER)), (w2, ctx.processed.roster)):
        if roster is None or not len(roster):
            continue
        tot = college_totals(roster).rename(columns={"members": "count"})
        if (tot["college"] == ctx.reference).any():
            out[label] = roster_shares(tot, group=ctx.reference, by="college",
                                       strata="member_type", count="count")
    return out or None


def _conclusion(naive: pd.DataFrame, ctx: Context, w1: str, against: str) -> str:
    labels = ctx.scale_labels
    groups: dict[str, list[str]] = {}
    for r in _rows(naive):
        word = VERDICT_WORDS.get(str(r.verdict))
        if word:
            groups.setdefault(word, []).append(nz.quoted(labels[r.scale]))
    if not groups:
        return f"与{w1}相比，无法判断{ctx.reference}与{against}的差距是否变化。"
    same = groups.pop("没有明显变化", None)
    if not groups:
        return f"与{w1}相比，{ctx.reference}与{against}在各维度上的差距都没有明显变化。"
    parts = [f"{nz.join_zh(v)}上的差距{k}" for k, v in groups.items()]
    rest = f"；其余{len(same)}个维度的差距没有明显变化" if same else ""
    return f"与{w1}相比，{ctx.reference}与{against}在" + "；".join(parts) + rest + "。"


def _ipa_part(ctx: Context, sec: Section, wave: Any, match: Any, old: pd.DataFrame,
              w1: str, w2: str) -> None:
    """Movement of the projects between the waves, when both waves have the project items."""
    from survey.errors import SurveyError
    from survey.stats.ipa import ipa, ipa_movement, project_items

    try:
        proj = project_items(ctx.codebook)
        project_items(wave.codebook)
    except SurveyError:
        return
    need = list(proj["item_imp"]) + list(proj["item_perf"])
    missing = [i for i in need if i not in match.pairs]
    if missing:
        sec.notes.append(f"重要性—表现题目 {'、'.join(missing)} 两轮不可比，不比较项目位置的变化。")
        return
    from survey.report.plots import ipa_movement_plot

    def one(frame: pd.DataFrame) -> pd.DataFrame:
        groups = frame[ctx.by].value_counts()
        keep = frame[frame[ctx.by].isin(groups[groups >= MIN_CELL].index)]
        return ipa(keep, ctx.codebook, by=ctx.by, reference=ctx.reference)

    try:
        mv = ipa_movement(one(old), one(ctx.responses), wave1=w1, wave2=w2)
    except SurveyError as err:
        sec.notes.append(f"项目位置的变化无法计算：{err.problem}")
        return
    sec.data["ipa_movement"] = mv
    tab = pd.DataFrame({
        "项目": mv["name"], f"{w1}象限": mv["quadrant1"], f"{w2}象限": mv["quadrant2"],
        "重要性变化": mv["importance_change"].map(nz.signed),
        "表现变化": mv["performance_change"].map(nz.signed)})
    if "gap_change" in mv.columns:
        tab["与对标表现差值的变化"] = mv["gap_change"].map(nz.signed)
    sec.tables["ipa_movement"] = tab
    ctx.figures_dir.mkdir(parents=True, exist_ok=True)
    png = ctx.figures_dir / "ipa_movement.png"
    sec.figures["ipa_movement"] = ipa_movement_plot(
        mv, png, title=f"{ctx.reference}各项目重要性—表现位置变化（{w1} → {w2}）")
    sec.saved["ipa_movement"] = png
    moved = mv[mv["moved"]]
    sec.sentences.append(
        f"{len(mv)} 个项目中，{len(moved)} 个的象限与{w1}不同" + (
            "：" + "；".join(f"{nz.quoted(str(r.name))}由「{r.quadrant1}」到「{r.quadrant2}」"
                            for r in _rows(moved)) if len(moved) else "") + "。")


def _themes_part(ctx: Context, sec: Section, wave: Any, w1: str, w2: str) -> None:
    """Change of the theme shares, when both waves have symposium statements."""
    from survey.io import processed
    from survey.report.sections.symposium import _themes
    from survey.stats.themes import theme_change

    st2, th = ctx.processed.statements, ctx.processed.themes
    st1 = wave.tables.get(processed.STATEMENTS)
    if st1 is None or st2 is None or th is None or not len(st1) or not len(st2):
        return
    change = theme_change(st1, st2, _themes(th))
    sec.data["themes"] = change
    sec.tables["themes"] = pd.DataFrame({
        "主题": change["label"], f"{w1}提及比例": change["share1"].map(nz.pct),
        f"{w2}提及比例": change["share2"].map(nz.pct),
        "变化（百分点）": (change["change"] * 100).map(lambda v: nz.signed(v, 1)),
        "Holm 校正 p": change["p_adj"].map(nz.pval)})
    sig = change[change["p_adj"] < 0.05]
    sec.sentences.append(
        f"座谈会发言中，{w1}共 {int(change['n_statements1'].iloc[0])} 条、{w2}共 "
        f"{int(change['n_statements2'].iloc[0])} 条；" + (
            "提及比例有可分辨变化的主题：" + "；".join(
                f"{nz.quoted(str(r.label))}（{nz.pct(r.share1)} → {nz.pct(r.share2)}）"
                for r in _rows(sig)) if len(sig) else "各主题的提及比例没有校正后可分辨的变化")
        + "。")


def waves_summary(sec: Section | None) -> str:
    """The one line of the 摘要 on the wave comparison ('' for a skipped or absent section)."""
    if sec is None or sec.skipped:
        return ""
    lead = next((s for s in sec.sentences if s.startswith("结论：")), "")
    return lead.removeprefix("结论：")

