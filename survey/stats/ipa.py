"""Importance–performance analysis (IPA) of the eight projects.

Each respondent rates how important each project is (items ``IMP_k``) and how well the
college performs on it today (items ``PERF_k``). The analysis places each project in one of
four quadrants (Martilla & James 1977) split at the grand means, and adds the paired gap
importance − performance and the home college's performance gap against the benchmarks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from survey.config.codebook import Codebook
from survey.errors import SurveyError
from survey.stats.common import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    POOLED,
    adjust_p,
    require_columns,
    t_interval,
)
from survey.stats.compare import gap_table

#: Quadrant names (importance high/low × performance high/low), as shown to the committee.
QUADRANTS = {
    (True, True): "继续保持",
    (True, False): "重点改进",
    (False, False): "低优先级",
    (False, True): "可能过度投入",
}

_IMP = re.compile(r"^IMP_?(\d+)$", re.IGNORECASE)
_PERF = re.compile(r"^PERF_?(\d+)$", re.IGNORECASE)
_PUNCT = re.compile(r"^[\s:：·、,，.。()（）\[\]【】\-—_|/]+|[\s:：·、,，.。()（）\[\]【】\-—_|/]+$")


def _common_name(a: str, b: str) -> str:
    """Longest common substring of two labels, trimmed of punctuation (the project name)."""
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return _PUNCT.sub("", best)


def project_items(codebook: Codebook) -> pd.DataFrame:
    """Find the importance and performance items of each project in the codebook.

    Returns
    -------
    pandas.DataFrame
        ``project`` (number k), ``name``, ``item_imp``, ``item_perf``; the name is the
        longest text the two items' labels share (e.g. ``政治领航`` from
        ``政治领航·重要性`` and ``政治领航·表现``), else the importance item's label.

    Examples
    --------
    >>> from survey.stats._examples import codebook
    >>> project_items(codebook()).to_dict("records")[0]
    {'project': 1, 'name': '政治领航', 'item_imp': 'IMP_1', 'item_perf': 'PERF_1'}
    """
    imp, perf = {}, {}
    for it in codebook.items:
        if m := _IMP.match(it.id):
            imp[int(m.group(1))] = it
        elif m := _PERF.match(it.id):
            perf[int(m.group(1))] = it
    ks = sorted(set(imp) & set(perf))
    if not ks:
        raise SurveyError(
            "编码手册中没有找到“重要性—表现”题目对",
            expected="成对的题目编号 IMP_1 … IMP_8 与 PERF_1 … PERF_8",
        )
    rows = []
    for k in ks:
        a = imp[k].label or imp[k].text
        b = perf[k].label or perf[k].text
        name = _common_name(a, b)
        rows.append({"project": k, "name": name if len(name) >= 2 else a,
                     "item_imp": imp[k].id, "item_perf": perf[k].id})
    return pd.DataFrame(rows)


def ipa(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    by: str = "college",
    reference: str = "本院",
    group: str | None = None,
    names: Mapping[int, str] | None = None,
    ci: float = 0.95,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Importance–performance analysis of the projects for one college.

    Parameters
    ----------
    data
        Cleaned response frame with the ``IMP_k`` / ``PERF_k`` items and ``by``.
    codebook
        Codebook holding the items (project names come from their labels).
    by, reference
        Grouping column and home college.
    group
        The college analysed; default the home college.
    names
        Override of project names, ``{k: name}``.
    ci, n_boot, seed
        Confidence level and bootstrap settings for the benchmark gap.

    Returns
    -------
    pandas.DataFrame
        One row per project: ``project``, ``name``, ``item_imp``, ``item_perf``, ``n``
        (answered both), ``imp_mean``, ``imp_ci_low``, ``imp_ci_high``, ``perf_mean``,
        ``perf_ci_low``, ``perf_ci_high``, ``diff`` (importance − performance, paired),
        ``ci_low``, ``ci_high``, ``statistic`` (paired t), ``df``, ``p``, ``p_adj`` (Holm
        across projects), ``imp_grand``, ``perf_grand``, ``quadrant``, and the performance
        gap against the pooled benchmarks (``bench_mean``, ``bench_diff`` = this college −
        benchmark, ``bench_ci_low``, ``bench_ci_high`` (bootstrap), ``bench_p_adj``
        (Benjamini–Hochberg across projects), ``bench_effect`` (Hedges' g)), sorted by
        quadrant priority and gap.

    Notes
    -----
    Means: t intervals ``x̄ ± t_{n-1} s/√n`` over the respondents who answered the item.
    Gap: paired t on respondents who answered both (:func:`scipy.stats.ttest_rel`; R
    ``t.test(imp, perf, paired = TRUE)``). Quadrants are split at the grand means — the
    means of the project means — (Martilla & James 1977): high importance and low
    performance = 重点改进 (concentrate here); high/high = 继续保持; low/low = 低优先级;
    low importance, high performance = 可能过度投入. A project exactly on a grand mean
    counts as high. The benchmark gap is :func:`survey.stats.compare.gap_table` on the
    ``PERF_k`` items (pooled benchmark row).

    Examples
    --------
    >>> from survey.stats._examples import codebook, responses
    >>> ipa(responses(), codebook(), n_boot=300)[["project", "name", "quadrant"]].to_dict("records")
    [{'project': 1, 'name': '政治领航', 'quadrant': '重点改进'}, {'project': 2, 'name': '铁军淬炼', 'quadrant': '低优先级'}, {'project': 3, 'name': '固本强基', 'quadrant': '可能过度投入'}]
    """
    proj = project_items(codebook)
    if names:
        proj["name"] = [names.get(k, n) for k, n in zip(proj["project"], proj["name"],
                                                        strict=True)]
    require_columns(data, [*proj["item_imp"], *proj["item_perf"], by], what="重要性—表现分析")
    who = group or reference
    sub = data[data[by].astype("string") == who]
    if sub.empty:
        raise SurveyError(f"数据中没有“{who}”的回答", column=by, expected=f"{by} 列中有“{who}”")
    rows = []
    for _, p in proj.iterrows():
        imp = pd.to_numeric(sub[p["item_imp"]], errors="coerce").to_numpy(dtype=float)
        perf = pd.to_numeric(sub[p["item_perf"]], errors="coerce").to_numpy(dtype=float)
        row = {**p.to_dict()}
        for key, v in (("imp", imp), ("perf", perf)):
            v = v[~np.isnan(v)]
            m = v.mean() if len(v) else np.nan
            lo, hi = t_interval(m, v.std(ddof=1) / np.sqrt(len(v)), len(v) - 1, ci) if len(
                v) > 1 else (np.nan, np.nan)
            row.update({f"{key}_mean": m, f"{key}_ci_low": float(lo), f"{key}_ci_high": float(hi)})
        both = ~np.isnan(imp) & ~np.isnan(perf)
        d = imp[both] - perf[both]
        row["n"] = int(both.sum())
        row["diff"] = d.mean() if len(d) else np.nan
        if len(d) > 1 and d.std() > 0:
            t = stats.ttest_rel(imp[both], perf[both])
            lo, hi = t_interval(d.mean(), d.std(ddof=1) / np.sqrt(len(d)), len(d) - 1, ci)
            row.update(statistic=float(t.statistic), df=len(d) - 1, p=float(t.pvalue),
                       ci_low=float(lo), ci_high=float(hi))
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ("statistic", "df", "p", "ci_low", "ci_high"):
        if c not in out.columns:
            out[c] = np.nan
    out["p_adj"] = adjust_p(out["p"], "holm")
    out["imp_grand"] = out["imp_mean"].mean()
    out["perf_grand"] = out["perf_mean"].mean()
    out["quadrant"] = [
        QUADRANTS[(bool(i >= out["imp_grand"].iloc[0]), bool(q >= out["perf_grand"].iloc[0]))]
        for i, q in zip(out["imp_mean"], out["perf_mean"], strict=True)
    ]
    out = out.merge(_bench_gap(data, proj, by, who, ci, n_boot, seed), on="item_perf",
                    how="left")
    order = {"重点改进": 0, "继续保持": 1, "低优先级": 2, "可能过度投入": 3}
    out = out.sort_values(["quadrant", "diff"], key=lambda s: s.map(order) if s.name ==
                          "quadrant" else -s).reset_index(drop=True)
    return out


def _bench_gap(data: pd.DataFrame, proj: pd.DataFrame, by: str, who: str, ci: float, n_boot: int,
               seed: int) -> pd.DataFrame:
    cols = list(proj["item_perf"])
    others = data[by].astype("string").dropna()
    if (others != who).sum() == 0:
        return pd.DataFrame({"item_perf": cols})
    gap = gap_table(data, columns=cols, by=by, reference=who, level="item", n_boot=n_boot,
                    seed=seed, ci=ci, p_adjust="fdr_bh")
    n_bench = others[others != who].nunique()
    pooled = gap[gap["group"] == (POOLED if n_bench > 1 else gap["group"].iloc[0])]
    return pooled.rename(columns={"item": "item_perf", "mean": "bench_mean", "diff": "bench_diff",
                                  "ci_low": "bench_ci_low", "ci_high": "bench_ci_high",
                                  "p_adj": "bench_p_adj", "effect": "bench_effect"})[
        ["item_perf", "bench_mean", "bench_diff", "bench_ci_low", "bench_ci_high",
         "bench_p_adj", "bench_effect"]]


def ipa_movement(ipa1: pd.DataFrame, ipa2: pd.DataFrame, *, wave1: str, wave2: str
                 ) -> pd.DataFrame:
    """Movement of each project's importance–performance position between two waves.

    Parameters
    ----------
    ipa1, ipa2
        The tables of :func:`ipa` for the first and the second wave (same college).
    wave1, wave2
        Names of the two waves (e.g. ``第一轮`` / ``第二轮``), carried into the result for
        captions and legends.

    Returns
    -------
    pandas.DataFrame
        One row per project, sorted by ``project``: ``project``, ``name`` (wave 2's),
        ``wave1``, ``wave2``, ``importance1``, ``importance2``, ``importance_change``
        (2 − 1), ``performance1``, ``performance2``, ``performance_change``, ``imp_grand1``,
        ``imp_grand2``, ``perf_grand1``, ``perf_grand2`` (each wave's quadrant split),
        ``quadrant1``, ``quadrant2``, ``moved`` (quadrant changed). When both tables carry
        the benchmark columns of :func:`ipa` (``bench_mean``, ``bench_diff``) also
        ``bench1``, ``bench2``, ``bench_change`` (change of the benchmarks' performance),
        ``gap1``, ``gap2`` (本院 − benchmark) and ``gap_change`` = ``gap2 − gap1`` (did the
        home college catch up with the benchmarks, beyond what everyone gained?).

    Raises
    ------
    SurveyError
        When a column is missing or the two waves do not hold the same projects.

    Notes
    -----
    Each wave keeps its own quadrant split (its grand means), as in the wave's own IPA
    chart; ``moved`` compares those quadrants. Changes are differences of means, without
    an interval (waves are independent samples: see :mod:`survey.stats.waves`).

    Examples
    --------
    >>> a = pd.DataFrame({"project": [1, 2], "name": ["甲", "乙"], "imp_mean": [4.0, 3.0],
    ...                   "perf_mean": [3.0, 4.0], "imp_grand": 3.5, "perf_grand": 3.5,
    ...                   "quadrant": ["重点改进", "可能过度投入"]})
    >>> b = a.assign(perf_mean=[4.5, 3.5], perf_grand=4.0, quadrant=["继续保持", "低优先级"])
    >>> ipa_movement(a, b, wave1="第一轮", wave2="第二轮")[["project", "performance_change", "moved"]].to_dict("records")
    [{'project': 1, 'performance_change': 1.5, 'moved': True}, {'project': 2, 'performance_change': -0.5, 'moved': True}]
    """
    need = ["project", "name", "imp_mean", "perf_mean", "imp_grand", "perf_grand", "quadrant"]
    for label, t in ((wave1, ipa1), (wave2, ipa2)):
        missing = [c for c in need if c not in t.columns]
        if missing:
            raise SurveyError(f"“{label}”的重要性—表现分析表缺少列：{'、'.join(missing)}",
                              expected=f"重要性—表现分析（ipa）的结果表，含列 {'、'.join(need)}")
        if t["project"].duplicated().any():
            raise SurveyError(f"“{label}”的重要性—表现分析表中项目重复", column="project",
                              expected="每个项目一行")
    p1, p2 = set(ipa1["project"]), set(ipa2["project"])
    if p1 != p2:
        only1 = "、".join(map(str, sorted(p1 - p2))) or "无"
        only2 = "、".join(map(str, sorted(p2 - p1))) or "无"
        raise SurveyError(
            f"两轮调查的项目不一致：仅“{wave1}”有项目 {only1}，仅“{wave2}”有项目 {only2}",
            column="project", expected="两轮的重要性—表现分析包含同一组项目",
            hint="检查两轮的编码手册是否使用相同的 IMP_k / PERF_k 题号")
    bench = all(c in t.columns for t in (ipa1, ipa2) for c in ("bench_mean", "bench_diff"))
    a = ipa1.set_index("project").sort_index()
    b = ipa2.set_index("project").sort_index()
    out = pd.DataFrame({"project": a.index.to_numpy(), "name": b["name"].to_numpy()})
    out["wave1"], out["wave2"] = wave1, wave2
    for key, col in (("importance", "imp_mean"), ("performance", "perf_mean")):
        v1 = pd.to_numeric(a[col], errors="coerce").to_numpy(dtype=float)
        v2 = pd.to_numeric(b[col], errors="coerce").to_numpy(dtype=float)
        out[f"{key}1"], out[f"{key}2"], out[f"{key}_change"] = v1, v2, v2 - v1
    for col in ("imp_grand", "perf_grand"):
        out[f"{col}1"] = a[col].to_numpy(dtype=float)
        out[f"{col}2"] = b[col].to_numpy(dtype=float)
    out["quadrant1"], out["quadrant2"] = a["quadrant"].to_numpy(), b["quadrant"].to_numpy()
    out["moved"] = out["quadrant1"] != out["quadrant2"]
    if bench:
        for key, col in (("bench", "bench_mean"), ("gap", "bench_diff")):
            v1 = pd.to_numeric(a[col], errors="coerce").to_numpy(dtype=float)
            v2 = pd.to_numeric(b[col], errors="coerce").to_numpy(dtype=float)
            out[f"{key}1"], out[f"{key}2"], out[f"{key}_change"] = v1, v2, v2 - v1
    return out
