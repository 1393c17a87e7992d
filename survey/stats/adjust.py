"""Composition-adjusted gaps: within member types, and post-stratified to a common mix.

The home and benchmark samples may hold different shares of in-service staff, students and
retirees (``member_type``). If member types differ in their answers, the naive gap mixes the
college difference with the composition difference. :func:`gap_within_strata` shows the gap
inside each member type; :func:`poststratified_gap` reweights both samples to one common
composition and sets the naive and the adjusted gap side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypedDict

import numpy as np
import pandas as pd
from scipy import stats

from survey.errors import SurveyError
from survey.stats.common import DEFAULT_N_BOOT, DEFAULT_SEED, POOLED, require_columns, shares
from survey.stats.compare import bootstrap_gap_ci, hedges_g, pool_summaries, welch_from_summary


def roster_shares(
    roster: pd.DataFrame,
    *,
    group: str = "本院",
    by: str = "college",
    strata: str = "member_type",
    count: str = "count",
) -> pd.Series:
    """Population shares of the member types of one college from a roster summary.

    Parameters
    ----------
    roster
        One row per college × member type (extra breakdowns such as branch are summed) with
        a member count.
    group
        The college whose composition is the target (normally the home college).
    by, strata, count
        Column names of college, member type and count.

    Returns
    -------
    pandas.Series
        Shares indexed by member type, summing to 1.

    Examples
    --------
    >>> r = pd.DataFrame({"college": ["本院"] * 3, "member_type": ["在职", "学生", "离退休"],
    ...                   "count": [60, 30, 10]})
    >>> roster_shares(r).to_dict()
    {'在职': 0.6, '学生': 0.3, '离退休': 0.1}
    """
    require_columns(roster, [by, strata, count], what="党员名册汇总")
    sub = roster[roster[by].astype(str) == group]
    if sub.empty:
        raise SurveyError(f"党员名册汇总中没有“{group}”的行", column=by,
                          expected=f"{by} 列中有“{group}”")
    counts = pd.to_numeric(sub[count], errors="coerce").groupby(sub[strata].astype(str)).sum()
    return shares(counts)


def _stratum_stats(y: np.ndarray, h: np.ndarray) -> dict[str, tuple[float, float, float]]:
    """{stratum: (n, mean, variance ddof 1)} of ``y`` (numpy: called once per replication)."""
    keys, inv = np.unique(h.astype(str), return_inverse=True)
    n = np.bincount(inv, minlength=len(keys)).astype(float)
    mean = np.bincount(inv, weights=y, minlength=len(keys)) / n
    ss = np.bincount(inv, weights=(y - mean[inv]) ** 2, minlength=len(keys))
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, ss / (n - 1), np.nan)
    return {str(k): (n[i], mean[i], var[i]) for i, k in enumerate(keys)}


def _poststratify(
    st: dict[str, tuple[float, float, float]], w: np.ndarray, strata: list[str],
    overall_var: float,
) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """Post-stratified mean, its variance, Kish deff, and per-stratum variance parts."""
    n_h = np.array([st[s][0] for s in strata])
    m_h = np.array([st[s][1] for s in strata])
    var_h = np.array([st[s][2] for s in strata])
    # a stratum with one respondent has no variance estimate: borrow the group's variance
    var_h = np.where((n_h < 2) | ~np.isfinite(var_h), overall_var, var_h)
    parts = w**2 * var_h / n_h
    deff = float((w**2 * n_h.sum() / n_h).sum())
    return float((w * m_h).sum()), float(parts.sum()), deff, parts, n_h


Stats = tuple[float, float, float]  # (n, mean, variance with ddof 1)


def _pool(parts: Sequence[Stats]) -> Stats:
    """(n, mean, variance) of the union of groups given as (n, mean, variance), by
    :func:`survey.stats.compare.pool_summaries` (exactly what the raw answers give). A single answer
    adds no within-group variance; a larger group with an unknown variance makes it unknown.
    """
    parts = [p for p in parts if p[0] > 0]
    n = [float(p[0]) for p in parts]
    if sum(n) < 2:
        return float(sum(n)), (parts[0][1] if parts else np.nan), np.nan
    sd = [float(np.sqrt(p[2])) if p[0] > 1 else 0.0 for p in parts]
    total, mean, pooled_sd = pool_summaries(n, [p[1] for p in parts], sd)
    return total, mean, pooled_sd**2


def _row_stats(rows: pd.DataFrame) -> list[Stats]:
    """(n, mean, variance) of each row of summary statistics (columns n, mean, sd)."""
    cols = (rows[c].to_numpy(dtype=float) for c in ("n", "mean", "sd"))
    return [(float(n), float(m), float(sd) ** 2) for n, m, sd in zip(*cols, strict=True)]


class _Extra:
    """Summary statistics of colleges without raw answers, for one variable.

    ``overall`` holds each college's whole-sample (n, mean, variance); ``strata`` the
    per-member-type ones. Only colleges with per-member-type rows take part.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        self.groups: list[str] = []
        self.overall: list[Stats] = []
        self.strata: dict[str, list[Stats]] = {}
        for g, sub in rows.groupby("group", sort=False):
            strat = sub[sub["stratum"] != ""]
            whole = sub[sub["stratum"] == ""]
            if strat.empty:
                continue
            self.groups.append(str(g))
            for s, st in zip(strat["stratum"].astype(str), _row_stats(strat), strict=True):
                self.strata.setdefault(s, []).append(st)
            if len(whole):
                self.overall.append(_row_stats(whole)[0])
            else:  # no whole-college row: the member types together
                self.overall.append(_pool(_row_stats(strat)))

    def __bool__(self) -> bool:
        return bool(self.groups)


def _summary_rows(summaries: pd.DataFrame | None, level: str) -> pd.DataFrame:
    """Summaries as columns group, <level>, stratum ("" = whole college), n, mean, sd."""
    cols = ["group", level, "stratum", "n", "mean", "sd"]
    if summaries is None or not len(summaries):
        return pd.DataFrame(columns=cols)
    require_columns(summaries, cols[:2] + cols[3:], what="对标院校汇总统计")
    out = summaries.copy()
    if "stratum" not in out.columns:
        out["stratum"] = ""
    out["stratum"] = out["stratum"].fillna("").astype(str).str.strip()
    out["group"] = out["group"].astype(str)
    out[level] = out[level].astype(str)
    for c in ("n", "mean", "sd"):
        out[c] = pd.to_numeric(out[c], errors="coerce")
    return out[cols].dropna(subset=["n", "mean"])


def poststratified_gap(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    by: str = "college",
    reference: str = "本院",
    strata: str = "member_type",
    target: Mapping[str, float] | pd.Series | None = None,
    each: bool = False,
    level: str = "scale",
    ci: float = 0.95,
    summaries: pd.DataFrame | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Naive and post-stratified gap (home − benchmark) side by side.

    Parameters
    ----------
    data
        One row per respondent with ``columns``, ``by`` and ``strata``.
    columns
        Variables (scale scores or items).
    by, reference
        Grouping column and home group.
    strata
        The member-type column.
    target
        Target composition: shares (or counts) per member type, e.g. from
        :func:`roster_shares`. Default: the home sample's own shares among the respondents
        who answered the variable, so the home college's adjusted mean equals its raw mean
        and only the benchmark is reweighted.
    each
        Also compare with each benchmark college, not only the pooled benchmark.
    level
        Name of the variable column (``"scale"`` or ``"item"``).
    ci
        Confidence level.
    summaries
        Benchmark colleges that sent only summary statistics: columns ``group``, ``level``,
        ``stratum`` (member type; empty for the whole college), ``n``, ``mean``, ``sd``.
        Colleges with per-member-type rows join the pooled benchmark (and, with ``each``,
        get a comparison of their own); their per-type n, mean and SD enter exactly as their
        raw answers would. Colleges with whole-college rows only cannot be reweighted and
        are left out of both rows (``note`` says so).
    n_boot, seed
        Bootstrap of the naive row's CI (as in :func:`survey.stats.compare.gap_table`).

    Returns
    -------
    pandas.DataFrame
        Two rows per variable and comparison, ``estimator`` = ``"naive"`` and
        ``"poststratified"``, with ``level``, ``group``, ``reference``, ``n_ref``, ``n``,
        ``mean_ref``, ``mean``, ``diff``, ``se``, ``df``, ``ci_low``, ``ci_high``,
        ``ci_method``, ``statistic``, ``p``, ``deff_ref``, ``deff``, ``n_eff_ref``,
        ``n_eff``, ``note``.

    Notes
    -----
    For a sample G with stratum means ȳ_Gh, SDs s_Gh and sizes n_Gh, and target shares W_h,
    the post-stratified mean is ``ȳ_G,PS = Σ_h W_h ȳ_Gh`` with variance
    ``V_G = Σ_h W_h² s_Gh² / n_Gh`` (shares treated as known; Cochran 1977, §5A.9;
    Lohr 2019, §4.4). The adjusted gap is ``ȳ_ref,PS − ȳ_G,PS`` with
    ``SE = sqrt(V_ref + V_G)``; the t interval uses Satterthwaite's df over all stratum
    parts ``a_k = W_h² s² / n``: ``df = (Σ a_k)² / Σ a_k² / (n_k − 1)``. It estimates the gap
    the two colleges would show if both had the target composition — a weighted average of
    the within-type gaps — so a gap produced only by a different mix vanishes.

    Equivalent weights: a respondent in stratum h of sample G gets ``w = W_h n_G / n_Gh``;
    Kish's design effect ``deff = n Σ w² / (Σ w)² = Σ_h W_h² n_G / n_Gh`` says how much the
    reweighting inflates the variance; ``n_eff = n / deff``.

    Member types absent from either sample cannot be reweighted: they are dropped, the
    target is renormalised over the rest, and ``note`` says so. A stratum with a single
    respondent borrows its sample's overall variance. The naive row is Welch's t on the
    unweighted means (R: ``t.test``) with the bootstrap CI of
    :func:`survey.stats.compare.bootstrap_gap_ci` (``ci_method = "bootstrap"``), so the
    unadjusted gap shows exactly the interval of the gap table for the same comparison (same
    colleges, same seed); the adjusted one (``ci_method = "t"``) matches
    ``survey::svyby(~y, ~college, postStratify(design, ~member_type, pop), svymean)``
    with the variance of a stratified design (the survey package's linearisation differs
    by the finite n/(n−1) factors only).

    Examples
    --------
    >>> from survey.stats._examples import scores
    >>> t = poststratified_gap(scores(), columns=["S1"], n_boot=500)
    >>> t[["estimator", "diff", "ci_low", "ci_high", "ci_method"]].round(3).to_dict("records")
    [{'estimator': 'naive', 'diff': -0.569, 'ci_low': -0.836, 'ci_high': -0.311, 'ci_method': 'bootstrap'}, {'estimator': 'poststratified', 'diff': -0.573, 'ci_low': -0.837, 'ci_high': -0.309, 'ci_method': 't'}]
    """
    require_columns(data, [*columns, by, strata], what="构成调整数据")
    groups = data[by].astype("string")
    if reference not in set(groups.dropna()):
        raise SurveyError(f"数据中没有参照组“{reference}”", column=by,
                          expected=f"{by} 列中有“{reference}”")
    h_all = data[strata].to_numpy(dtype=object)
    labels = groups.fillna("").astype(str).to_numpy(dtype=object)
    boot: _Boot = {"labels": labels, "n_boot": n_boot, "seed": seed}
    home_mask = (groups == reference).fillna(False).to_numpy()
    bench_mask = (groups != reference).fillna(False).to_numpy()
    raw_groups = [g for g in sorted(groups.dropna().unique()) if g != reference]
    summ = _summary_rows(summaries, level)
    summ = summ[~summ["group"].isin([reference, *raw_groups])]
    comps: list[tuple[str, np.ndarray, list[str] | None]] = [(POOLED, bench_mask, None)]
    if each:
        comps += [(g, (groups == g).fillna(False).to_numpy(), []) for g in raw_groups]
        comps += [(g, np.zeros(len(data), dtype=bool), [g]) for g in dict.fromkeys(summ["group"])]
    rows = []
    for c in columns:
        y = pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float)
        rows_c = summ[summ[level] == str(c)]
        for gname, gmask, only in comps:
            sub = rows_c if only is None else rows_c[rows_c["group"].isin(only)]
            extra = _Extra(sub)
            if only and not extra:
                continue  # a summary-only college without per-member-type rows
            left_out = sorted(set(sub["group"]) - set(extra.groups))
            rows.extend(_one_comparison(c, level, y, h_all, home_mask, gmask, gname, reference,
                                        target, ci, extra, left_out, boot))
    return pd.DataFrame(rows)


class _Boot(TypedDict):
    """What :func:`_one_comparison` needs for the bootstrap CI of the naive gap."""

    labels: np.ndarray
    n_boot: int
    seed: int


def _one_comparison(c: str, level: str, y: np.ndarray, h: np.ndarray, home_mask: np.ndarray,
                    gmask: np.ndarray, gname: str, reference: str,
                    target: Mapping[str, float] | pd.Series | None, ci: float,
                    extra: _Extra | None = None, left_out: Sequence[str] = (),
                    boot: _Boot | None = None) -> list[dict[str, object]]:
    ok = ~np.isnan(y) & pd.notna(h)
    st_ref = _stratum_stats(y[home_mask & ok], h[home_mask & ok])
    st_g = _stratum_stats(y[gmask & ok], h[gmask & ok])
    x_all, z_all = y[home_mask & ~np.isnan(y)], y[gmask & ~np.isnan(y)]
    if extra:
        for s, summary_parts in extra.strata.items():
            st_g[s] = _pool([*([st_g[s]] if s in st_g else []), *summary_parts])
        raw = [(float(len(z_all)), z_all.mean(), z_all.var(ddof=1))] if len(z_all) > 1 else []
        raw += [(1.0, float(z_all[0]), np.nan)] if len(z_all) == 1 else []
        n_z, m_z, v_z = _pool([*raw, *extra.overall])
    else:
        n_z = float(len(z_all))
        m_z = z_all.mean() if len(z_all) else np.nan
        v_z = z_all.var(ddof=1) if len(z_all) > 1 else np.nan
    base = {level: c, "group": gname, "reference": reference}
    summary_note = ""
    if extra:
        summary_note = f"含只提供汇总统计的{'、'.join(extra.groups)}"
    if left_out:
        summary_note += ("；" if summary_note else "") + (
            f"{'、'.join(left_out)}只有全校汇总、没有分党员类别的汇总，未纳入")
    out = []
    if len(x_all) >= 2 and n_z >= 2 and np.isfinite(v_z):
        welch = welch_from_summary(x_all.mean(), x_all.std(ddof=1), len(x_all),
                                   m_z, np.sqrt(v_z), n_z, ci=ci)
        lo, hi, how = welch["ci_low"], welch["ci_high"], "welch"
        if boot is not None:
            lab = boot["labels"]
            answers = {g: y[gmask & (lab == g)] for g in sorted(set(lab[gmask]))}
            summ = [(g, o[0], o[1], float(np.sqrt(o[2])))
                    for g, o in zip(extra.groups, extra.overall, strict=True)] if extra else []
            lo, hi = bootstrap_gap_ci(x_all, answers, key=c, reference=reference, summaries=summ,
                                      n_boot=boot["n_boot"], seed=boot["seed"], ci=ci)
            how = "bootstrap"
        out.append({**base, "estimator": "naive", "n_ref": len(x_all), "n": int(n_z),
                    "mean_ref": x_all.mean(), "mean": m_z, "diff": welch["diff"],
                    "se": welch["se"], "df": welch["df"], "ci_low": lo, "ci_high": hi,
                    "ci_method": how, "statistic": welch["statistic"], "p": welch["p"],
                    "deff_ref": 1.0, "deff": 1.0, "n_eff_ref": float(len(x_all)),
                    "n_eff": float(n_z), "note": summary_note})
    if target is None:
        tgt = {k: v[0] for k, v in st_ref.items()}
    else:
        tgt = {str(k): float(v) for k, v in shares(target).items()}
    common = [s for s, v in tgt.items() if v > 0 and s in st_ref and s in st_g]
    dropped = [s for s, v in tgt.items() if v > 0 and s not in common]
    note = ""
    if dropped:
        note = f"以下党员类别在一方样本中没有回答，已从调整中剔除：{'、'.join(dropped)}"
    if not common:
        return out
    wt = np.array([tgt[s] for s in common], dtype=float)
    wt = wt / wt.sum()
    m_r, v_r, deff_r, parts_r, n_r = _poststratify(st_ref, wt, common, np.var(x_all, ddof=1))
    m_g, v_g, deff_g, parts_g, n_g = _poststratify(st_g, wt, common, v_z)
    se = float(np.sqrt(v_r + v_g))
    var_parts = np.concatenate([parts_r, parts_g])
    dof = np.concatenate([n_r, n_g]) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        df = float(var_parts.sum() ** 2 / np.sum(np.where(dof > 0, var_parts**2 / dof, 0.0)))
    diff = m_r - m_g
    q = stats.t.ppf(0.5 + ci / 2, df)
    t = diff / se if se > 0 else np.nan
    out.append({**base, "estimator": "poststratified", "n_ref": int(n_r.sum()),
                "n": int(n_g.sum()), "mean_ref": m_r, "mean": m_g, "diff": diff, "se": se,
                "df": df, "ci_low": diff - q * se, "ci_high": diff + q * se, "ci_method": "t",
                "statistic": t,
                "p": float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) else np.nan,
                "deff_ref": deff_r, "deff": deff_g, "n_eff_ref": n_r.sum() / deff_r,
                "n_eff": n_g.sum() / deff_g,
                "note": "；".join(t for t in (note, summary_note) if t)})
    return out


def gap_within_strata(
    data: pd.DataFrame,
    *,
    columns: Sequence[str],
    by: str = "college",
    reference: str = "本院",
    strata: str = "member_type",
    level: str = "scale",
    ci: float = 0.95,
    summaries: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The gap home − pooled benchmark inside each member type.

    ``summaries`` (as for :func:`poststratified_gap`): the per-member-type n, mean and SD of
    colleges without raw answers join the pooled benchmark of their member type exactly as
    their answers would (``note`` names them).

    Returns
    -------
    pandas.DataFrame
        One row per variable × stratum: ``level``, ``stratum``, ``group``, ``reference``,
        ``n_ref``, ``mean_ref``, ``sd_ref``, ``n``, ``mean``, ``sd``, ``diff``, ``se``,
        ``ci_low``, ``ci_high`` (Welch), ``statistic``, ``df``, ``p``, ``effect`` (Hedges'
        g), ``effect_name``, ``effect_ci_low``, ``effect_ci_high``, ``note``.

    Notes
    -----
    Welch's t and Hedges' g as in :func:`survey.stats.compare.welch_from_summary` and
    :func:`survey.stats.compare.hedges_g`, computed separately per member type (R:
    ``by(d, d$member_type, function(s) t.test(y ~ college, s))``). Strata with fewer than 2
    answers on either side give a row with missing statistics and a note; report tables
    should in any case suppress cells under 5 (:func:`survey.stats.suppress.suppress_small`).

    Examples
    --------
    >>> from survey.stats._examples import scores
    >>> t = gap_within_strata(scores(), columns=["S1"])
    >>> t[["stratum", "n_ref", "n", "diff"]].round(3).to_dict("records")[0]
    {'stratum': '在职教职工党员', 'n_ref': 21, 'n': 36, 'diff': -0.823}
    """
    require_columns(data, [*columns, by, strata], what="分层比较数据")
    groups = data[by].astype("string")
    home = (groups == reference).fillna(False).to_numpy()
    bench = (groups != reference).fillna(False).to_numpy()
    h = data[strata].astype("string")
    raw_groups = set(groups.dropna()) | {reference}
    summ = _summary_rows(summaries, level)
    summ = summ[~summ["group"].isin(raw_groups) & (summ["stratum"] != "")]
    rows = []
    for c in columns:
        y = pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float)
        rows_c = summ[summ[level] == str(c)]
        for s in sorted(set(h.dropna().unique()) | set(rows_c["stratum"])):
            hm = (h == s).fillna(False).to_numpy() & ~np.isnan(y)
            x, z = y[home & hm], y[bench & hm]
            row = {level: c, "stratum": s, "group": POOLED, "reference": reference,
                   "n_ref": len(x), "mean_ref": x.mean() if len(x) else np.nan,
                   "sd_ref": x.std(ddof=1) if len(x) > 1 else np.nan, "n": len(z),
                   "mean": z.mean() if len(z) else np.nan,
                   "sd": z.std(ddof=1) if len(z) > 1 else np.nan, "effect_name": "hedges_g",
                   "note": ""}
            extra = rows_c[rows_c["stratum"] == s]
            if len(extra):
                raw = [(float(len(z)), row["mean"], row["sd"] ** 2)] if len(z) > 1 else []
                raw += [(1.0, float(z[0]), np.nan)] if len(z) == 1 else []
                n_z, m_z, v_z = _pool([*raw, *((r.n, r.mean, r.sd**2) for r in extra.itertuples())])
                row.update(n=int(n_z), mean=m_z, sd=float(np.sqrt(v_z)) if n_z > 1 else np.nan,
                           note=f"含只提供汇总统计的{'、'.join(dict.fromkeys(extra['group']))}")
            if len(x) < 2 or row["n"] < 2 or not np.isfinite(row["sd"]):
                row["note"] = "该类别一方回答少于 2 人，无法比较"
                rows.append(row)
                continue
            w = welch_from_summary(row["mean_ref"], row["sd_ref"], len(x), row["mean"],
                                   row["sd"], row["n"], ci=ci)
            g = hedges_g(row["mean_ref"], row["sd_ref"], len(x), row["mean"], row["sd"],
                         row["n"], ci=ci)
            row.update(diff=w["diff"], se=w["se"], ci_low=w["ci_low"], ci_high=w["ci_high"],
                       statistic=w["statistic"], df=w["df"], p=w["p"], effect=g[0],
                       effect_ci_low=g[1], effect_ci_high=g[2])
            rows.append(row)
    return pd.DataFrame(rows)
