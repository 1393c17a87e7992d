"""Shared vocabulary and helpers of the statistics layer.

Every statistics function in ``survey`` returns a tidy :class:`pandas.DataFrame` whose columns
come from :data:`COLUMNS`: the same name always means the same thing, in every table, so that
notebooks only select, label (:data:`LABELS_ZH`) and plot.

Conventions
-----------
* ``diff`` is always *home minus comparison* (``本院 − 对标``): a negative ``diff`` means the home
  college scores lower than the benchmark. Effects (``effect``, ``delta``) have the same sign.
* ``ci_low`` / ``ci_high`` bound ``diff`` (or ``mean`` in descriptive tables);
  ``effect_ci_low`` / ``effect_ci_high`` bound ``effect``; all intervals are two-sided 95 %
  unless the function's ``ci`` argument says otherwise.
* ``p`` is the unadjusted p-value of ``statistic``; ``p_adj`` the p-value adjusted for the
  family named in ``p_adj_method`` (Holm across scales, Benjamini–Hochberg across items).
* Random numbers come only from :func:`numpy.random.default_rng` with an explicit ``seed``;
  a bootstrap of one group's answers to one variable draws from :func:`rng_for`, whose stream
  depends only on the seed, the variable id and the group label — never on call order — so the
  same comparison computed in two places gives the same interval.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from survey.errors import SurveyError

#: Default seed of every resampling function (results are reproducible run to run).
DEFAULT_SEED = 20240601
#: Default number of bootstrap resamples.
DEFAULT_N_BOOT = 5000
#: Breakdowns with fewer respondents than this are suppressed in report tables.
MIN_CELL = 5

#: The column vocabulary: name -> meaning. Defined once; used by every statistics module.
COLUMNS: dict[str, str] = {
    # what a row is about
    "scale": "scale (dimension) id from the codebook, e.g. P1",
    "item": "item id from the codebook",
    "project": "one of the eight projects (importance-performance analysis)",
    "group": "the group a row describes or is compared with (a college, 'benchmark' pooled, ...)",
    "reference": "the home (reference) group the comparison is made from, e.g. 本院",
    "stratum": "a member-type stratum (在职教职工党员 / 学生党员 / 离退休党员)",
    "estimator": "how a gap was estimated: 'naive' or 'poststratified'",
    # descriptives
    "n": "number of non-missing observations",
    "mean": "arithmetic mean",
    "sd": "sample standard deviation (ddof = 1)",
    "se": "standard error of the estimate in the row (mean or diff)",
    "n_ref": "n of the reference (home) group",
    "mean_ref": "mean of the reference (home) group",
    "sd_ref": "SD of the reference (home) group",
    # the gap
    "diff": "difference of means, reference (home) minus group; paired: importance - performance",
    "ci_low": "lower bound of the CI of diff (or of mean in descriptive tables)",
    "ci_high": "upper bound of the CI of diff (or of mean in descriptive tables)",
    "ci_method": "how ci_low/ci_high were obtained: 'bootstrap', 'welch', 't', 'normal'",
    # tests
    "statistic": "test statistic (Welch t, paired t, Kruskal-Wallis H, Dunn z: see 'test')",
    "df": "degrees of freedom of statistic",
    "test": "name of the test behind statistic/p",
    "p": "unadjusted two-sided p-value of statistic",
    "p_adj": "p adjusted for multiple testing (family and method in p_adj_method)",
    "p_adj_method": "'holm' or 'fdr_bh' and the family, e.g. 'holm/scales'",
    "u": "Mann-Whitney U of the reference group",
    "p_u": "two-sided p-value of the Mann-Whitney U test",
    "p_u_adj": "p_u adjusted like p_adj",
    # effects
    "effect": "standardised effect size (Hedges' g unless effect_name says otherwise)",
    "effect_name": "name of effect: 'hedges_g', 'cohen_d', ...",
    "effect_ci_low": "lower bound of the CI of effect (Hedges' g: Bonett 2008, unequal variances)",
    "effect_ci_high": "upper bound of the CI of effect",
    "delta": "Cliff's delta, P(ref > group) - P(ref < group)",
    "delta_ci_low": "lower bound of the CI of delta (Cliff 1996 consistent variance)",
    "delta_ci_high": "upper bound of the CI of delta",
    "ps": "probability of superiority P(ref > group) + P(ref = group)/2 = U/(n_ref n) = (delta+1)/2",
    "ps_ci_low": "lower bound of the CI of ps",
    "ps_ci_high": "upper bound of the CI of ps",
    "ps_method": "'rank': U/(n_ref n) from raw answers (CI from delta's); 'normal': Phi(g/sqrt 2)"
                 " from summary statistics (McGraw & Wong 1992, normal equal-variance theory)",
    # reliability
    "alpha": "Cronbach's alpha",
    "alpha_ci_low": "lower Feldt 95% bound of alpha",
    "alpha_ci_high": "upper Feldt 95% bound of alpha",
    "omega": "McDonald's omega total from a one-factor model",
    "r_drop": "corrected item-total correlation (item vs sum of the other items)",
    "alpha_if_deleted": "alpha of the scale without this item",
    "flag": "True when the row needs attention (see the function's Notes)",
    # composition adjustment
    "deff": "Kish design effect of the weights, n * sum(w^2) / sum(w)^2",
    "n_eff": "effective sample size n / deff",
    "share": "population or target share of a stratum",
    "deff_ref": "Kish design effect of the reference group's weights",
    "n_eff_ref": "effective sample size of the reference group",
    # pairwise post-hoc
    "group2": "the second group of a pairwise comparison (Dunn)",
    "mean_rank_diff": "mean rank of group minus mean rank of group2 (Dunn)",
    "k": "number of groups",
    # importance-performance analysis
    "name": "project name (from the codebook labels)",
    "item_imp": "importance item of a project",
    "item_perf": "performance item of a project",
    "imp_mean": "mean importance (imp_ci_low / imp_ci_high: its t interval)",
    "perf_mean": "mean performance (perf_ci_low / perf_ci_high: its t interval)",
    "imp_grand": "grand mean of importance (mean of the project means)",
    "perf_grand": "grand mean of performance",
    "quadrant": "IPA quadrant: 继续保持 / 重点改进 / 低优先级 / 可能过度投入",
    "bench_mean": "benchmark (pooled) mean of the performance item",
    "bench_diff": "performance of the college minus the benchmark (bench_ci_low/high: CI)",
    "bench_p_adj": "BH-adjusted p of bench_diff",
    "bench_effect": "Hedges' g of bench_diff",
    # scales and items
    "label": "scale label from the codebook",
    "n_items": "number of items of a scale",
    "reversed": "True when the item is reverse keyed",
    # bookkeeping
    "note": "remark for the reader, in Simplified Chinese",
}

#: Chinese labels for the columns, for tables shown to the committee.
LABELS_ZH: dict[str, str] = {
    "scale": "维度",
    "item": "题目",
    "project": "项目",
    "group": "比较对象",
    "reference": "参照组",
    "stratum": "党员类别",
    "estimator": "估计方法",
    "n": "样本量",
    "mean": "均值",
    "sd": "标准差",
    "se": "标准误",
    "n_ref": "本院样本量",
    "mean_ref": "本院均值",
    "sd_ref": "本院标准差",
    "diff": "差值",
    "ci_low": "95%置信区间下限",
    "ci_high": "95%置信区间上限",
    "ci_method": "区间方法",
    "statistic": "检验统计量",
    "df": "自由度",
    "test": "检验",
    "p": "p 值",
    "p_adj": "校正后 p 值",
    "p_adj_method": "校正方法",
    "u": "Mann–Whitney U",
    "p_u": "U 检验 p 值",
    "p_u_adj": "U 检验校正后 p 值",
    "effect": "效应量",
    "effect_name": "效应量类型",
    "effect_ci_low": "效应量区间下限",
    "effect_ci_high": "效应量区间上限",
    "delta": "Cliff's δ",
    "delta_ci_low": "δ 区间下限",
    "delta_ci_high": "δ 区间上限",
    "ps": "概率优势",
    "ps_ci_low": "概率优势区间下限",
    "ps_ci_high": "概率优势区间上限",
    "ps_method": "概率优势算法",
    "alpha": "Cronbach's α",
    "alpha_ci_low": "α 区间下限",
    "alpha_ci_high": "α 区间上限",
    "omega": "McDonald's ω",
    "r_drop": "校正题总相关",
    "alpha_if_deleted": "删除该题后的 α",
    "flag": "需关注",
    "deff": "设计效应",
    "n_eff": "有效样本量",
    "share": "构成比例",
    "deff_ref": "本院设计效应",
    "n_eff_ref": "本院有效样本量",
    "group2": "比较对象二",
    "mean_rank_diff": "平均秩差",
    "k": "组数",
    "name": "项目名称",
    "item_imp": "重要性题目",
    "item_perf": "表现题目",
    "imp_mean": "重要性均值",
    "perf_mean": "表现均值",
    "imp_grand": "重要性总均值",
    "perf_grand": "表现总均值",
    "quadrant": "象限",
    "bench_mean": "对标院校表现均值",
    "bench_diff": "与对标院校的表现差值",
    "bench_p_adj": "与对标差值的校正 p 值",
    "bench_effect": "与对标差值的效应量",
    "label": "维度名称",
    "n_items": "题目数",
    "reversed": "反向题",
    "note": "说明",
}

#: Label of the pooled benchmark in the ``group`` column.
POOLED = "对标院校（合并）"

#: p-value adjustment methods accepted by :func:`adjust_p` (statsmodels names).
P_ADJUST_METHODS = ("holm", "fdr_bh", "bonferroni", "none")


def adjust_p(p: Sequence[float] | pd.Series | np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing, leaving missing p-values missing.

    Parameters
    ----------
    p
        Unadjusted p-values; NaN entries are ignored (not counted in the family).
    method
        ``"holm"`` (Holm 1979), ``"fdr_bh"`` (Benjamini & Hochberg 1995), ``"bonferroni"``
        or ``"none"``.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Notes
    -----
    Wraps :func:`statsmodels.stats.multitest.multipletests` (Holm is computed here, see the
    comment in the code). R equivalent:
    ``p.adjust(p, method = "holm")`` / ``p.adjust(p, method = "BH")``.

    Examples
    --------
    >>> adjust_p([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    if method not in P_ADJUST_METHODS:
        raise ValueError(f"unknown p-value adjustment {method!r}; use one of {P_ADJUST_METHODS}")
    arr = np.asarray(p, dtype=float)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if method == "none" or not ok.any():
        out[ok] = arr[ok]
        return out
    if method == "holm":
        # Hand-written: statsmodels' Holm branch calls gc.collect() on every call, which
        # costs 0.1-0.5 s in a notebook-sized process and dominates a table of gaps.
        # Holm (1979): p_(i) -> max_{j <= i} min(1, (m - j + 1) p_(j)).
        v = arr[ok]
        order = np.argsort(v, kind="stable")
        m = len(v)
        adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * v[order]))
        res = np.empty(m)
        res[order] = adj
        out[ok] = res
        return out
    out[ok] = multipletests(arr[ok], method=method)[1]
    return out


def t_interval(
    mean: float | np.ndarray, se: float | np.ndarray, df: float | np.ndarray, ci: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the two-sided t interval ``mean ± t_{(1+ci)/2, df} * se`` (vectorised).

    Examples
    --------
    >>> lo, hi = t_interval(3.0, 0.1, 29)
    >>> round(float(lo), 4), round(float(hi), 4)
    (2.7955, 3.2045)
    """
    q = stats.t.ppf(0.5 + ci / 2, df)
    mean = np.asarray(mean, dtype=float)
    half = q * np.asarray(se, dtype=float)
    return mean - half, mean + half


def welch_df(
    v1: np.ndarray | float, n1: np.ndarray | float, v2: np.ndarray | float, n2: np.ndarray | float
) -> np.ndarray:
    """Welch–Satterthwaite degrees of freedom from two variances and sample sizes.

    Examples
    --------
    >>> round(float(welch_df(1.0, 20, 4.0, 30)), 2)
    45.14
    """
    a = np.asarray(v1, dtype=float) / np.asarray(n1, dtype=float)
    b = np.asarray(v2, dtype=float) / np.asarray(n2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a + b) ** 2 / (a**2 / (np.asarray(n1) - 1) + b**2 / (np.asarray(n2) - 1))


def bootstrap_means(
    values: np.ndarray, *, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap means of several columns at once, resampling rows (respondents).

    Parameters
    ----------
    values
        Array ``(n, k)``: n respondents, k variables (scales or items); NaN = missing.
    n_boot
        Number of resamples B.
    rng
        A seeded :class:`numpy.random.Generator`.

    Returns
    -------
    numpy.ndarray
        ``(B, k)`` resampled means (NaN-aware: mean of the answered values in a resample).

    Notes
    -----
    Vectorised: a ``(B, n)`` index matrix is drawn (in blocks of at most
    :data:`_BLOCK_CELLS` indices, so memory stays bounded for large n), turned into a count
    matrix ``C`` (how often each respondent appears in each resample) with one
    :func:`numpy.bincount`, and the means are ``(C @ X0) / (C @ M)`` where ``X0`` is the data
    with missing values set to 0 and ``M`` the answered mask. For a column without missing
    values this is exactly the ordinary nonparametric bootstrap of the mean (Efron &
    Tibshirani 1993, ch. 6); with missing values it is the respondent-level bootstrap, which
    keeps the correlation between variables answered by the same person.
    Hand-written because scipy.stats.bootstrap resamples one statistic at a time and its
    vectorised path cannot share resamples across columns with different missing patterns.
    The gap tables use :func:`bootstrap_mean` instead (one variable and group at a time, on
    a stream of its own), so that an interval does not depend on the other variables of a
    call or on the order of the rows.

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]])
    >>> bootstrap_means(x, n_boot=3, rng=np.random.default_rng(0)).round(2).tolist()
    [[3.67, 6.0], [1.0, 2.0], [1.0, 2.0]]
    """
    x = np.asarray(values, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n = x.shape[0]
    if n == 0:
        return np.full((n_boot, x.shape[1]), np.nan)
    mask = ~np.isnan(x)
    k = x.shape[1]
    data = np.hstack([np.where(mask, x, 0.0), mask])
    out = np.empty((n_boot, k))
    # resamples in blocks of about _BLOCK_CELLS indices, so that memory stays bounded for
    # large n (one block, hence the same draws as a single call, up to that size)
    step = max(1, _BLOCK_CELLS // n)
    for start in range(0, n_boot, step):
        b = min(step, n_boot - start)
        idx = rng.integers(0, n, size=(b, n), dtype=np.int64)
        idx += (np.arange(b, dtype=np.int64) * n)[:, None]
        counts = np.bincount(idx.ravel(), minlength=b * n).reshape(b, n)
        # one matrix product gives the resampled sums and answered counts of every column
        both = counts.astype(np.float64) @ data
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start:start + b] = both[:, :k] / both[:, k:]
    return out


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """A generator whose stream depends only on ``seed`` and ``keys`` (e.g. item id, group).

    Parameters
    ----------
    seed
        The user's seed (:data:`DEFAULT_SEED` by default in every function).
    keys
        What the random numbers are for, e.g. ``("P1", "本院")``; turned into text.

    Returns
    -------
    numpy.random.Generator
        ``default_rng(SeedSequence([seed, *words]))`` where ``words`` are the first 16 bytes
        of the SHA-256 of the keys as UTF-8 text: the same keys give the same stream in every
        process and in every call order (Python's ``hash`` is salted per process, so it is
        not used).

    Examples
    --------
    >>> a = rng_for(1, "P1", "本院").integers(0, 100, 3)
    >>> b = rng_for(1, "P1", "本院").integers(0, 100, 3)
    >>> bool((a == b).all()), bool((a == rng_for(1, "P1", "对标A").integers(0, 100, 3)).all())
    (True, False)
    """
    text = "\x1f".join(str(k) for k in keys).encode("utf-8")
    words = np.frombuffer(hashlib.sha256(text).digest()[:16], dtype="<u4").tolist()
    return np.random.default_rng(np.random.SeedSequence([int(seed), *words]))


#: Resampled indices per block in :func:`bootstrap_means` (bounds its memory).
_BLOCK_CELLS = 4_000_000

#: Distinct values up to which :func:`bootstrap_mean` draws multinomial counts.
_MULTINOMIAL_MAX = 64


def bootstrap_mean(values: np.ndarray, *, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap means of one variable (missing values dropped), independent of row order.

    Parameters
    ----------
    values
        The answers of one group to one variable; NaN = not answered (dropped).
    n_boot
        Number of resamples B.
    rng
        A seeded generator, normally :func:`rng_for` of the variable and the group.

    Returns
    -------
    numpy.ndarray
        ``(B,)`` means of resamples of size n drawn with replacement from the n answers
        (the ordinary nonparametric bootstrap, Efron & Tibshirani 1993, ch. 6); all NaN
        when there is no answer.

    Notes
    -----
    The answers are reduced to their sorted distinct values and counts first, so the result
    depends only on the multiset of answers, not on the order of the rows. With few distinct
    values (Likert items, scale scores) a resample is drawn as multinomial counts of the
    distinct values, ``counts ~ Multinomial(n, freq / n)``, which is exactly the
    distribution of the counts in n draws with replacement and costs O(B · distinct) instead
    of O(B · n); otherwise indices are drawn into the sorted answers.

    Examples
    --------
    >>> from survey.stats.common import rng_for
    >>> m = bootstrap_mean(np.array([1, 2, 2, 5, np.nan]), n_boot=4000, rng=rng_for(0, "x"))
    >>> m.shape, round(float(m.mean()), 1)
    ((4000,), 2.5)
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return np.full(n_boot, np.nan)
    u, c = np.unique(x, return_counts=True)
    if len(u) <= _MULTINOMIAL_MAX:
        return rng.multinomial(n, c / n, size=n_boot) @ u / n
    xs = np.sort(x)
    out = np.empty(n_boot)
    step = max(1, 2_000_000 // n)  # bounded memory: at most ~2 million indices at a time
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        out[start:stop] = xs[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return out


def percentile_ci(boot: np.ndarray, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap replicates along axis 0 (NaN replicates ignored).

    Examples
    --------
    >>> [round(float(v), 6) for v in percentile_ci(np.arange(101.0))]
    [2.5, 97.5]
    """
    lo, hi = np.nanquantile(boot, [0.5 - ci / 2, 0.5 + ci / 2], axis=0)
    return lo, hi


def check_summary(
    n: float, mean: float, sd: float, *, where: str, file: str | None = None, row: int | None = None
) -> None:
    """Validate one line of summary statistics (n, mean, SD), raising :class:`SurveyError`.

    Parameters
    ----------
    n, mean, sd
        The summary statistics of one group.
    where
        What the line describes, shown to the user (e.g. ``"对标院校B · P1"``).
    file, row
        Where the line came from, when known (row as Excel shows it).

    Examples
    --------
    >>> check_summary(30, 3.4, 0.8, where="对标院校B · P1")  # valid: returns None
    >>> check_summary(1, 3.4, 0.8, where="对标院校B · P1")
    Traceback (most recent call last):
    ...
    survey.errors.SurveyError: 错误：汇总统计中的样本量无效：对标院校B · P1 的 n = 1...
    """
    if n is None or not np.isfinite(n) or n < 2 or float(n) != int(n):
        raise SurveyError(
            f"汇总统计中的样本量无效：{where} 的 n = {n}",
            file=file,
            row=row,
            column="n",
            expected="不小于 2 的整数（计算标准差至少需要 2 个回答）",
        )
    if sd is None or not np.isfinite(sd) or sd < 0:
        raise SurveyError(
            f"汇总统计中的标准差无效：{where} 的 SD = {sd}",
            file=file,
            row=row,
            column="sd",
            expected="非负数（标准差不能为负）",
        )
    if mean is None or not np.isfinite(mean):
        raise SurveyError(
            f"汇总统计中的均值缺失或无效：{where}", file=file, row=row, column="mean",
            expected="一个数值",
        )


def require_columns(data: pd.DataFrame, columns: Iterable[str], *, what: str) -> None:
    """Raise :class:`SurveyError` naming every column of ``columns`` missing from ``data``.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"P1": [1]}), ["P1"], what="比较数据")
    >>> require_columns(pd.DataFrame({"P1": [1]}), ["P1", "P2"], what="比较数据")
    Traceback (most recent call last):
    ...
    survey.errors.SurveyError: 错误：比较数据缺少以下列：P2...
    """
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise SurveyError(
            f"{what}缺少以下列：{'、'.join(map(str, missing))}",
            column="、".join(map(str, missing)),
            expected="清洗后的数据中应包含这些列（按编码手册中的编号命名）",
            hint="检查编码手册与数据是否为同一版本，或是否已运行 survey clean",
        )


def shares(values: Mapping[str, float] | pd.Series) -> pd.Series:
    """Normalise non-negative weights or counts to shares that sum to 1.

    Examples
    --------
    >>> shares({"在职": 30, "学生": 10}).to_dict()
    {'在职': 0.75, '学生': 0.25}
    """
    s = pd.Series(values, dtype=float)
    if (s < 0).any() or not np.isfinite(s).all() or s.sum() <= 0:
        raise SurveyError(
            "构成比例（或人数）无效",
            expected="非负数，且合计大于 0",
            hint=f"收到的值：{dict(s)}",
        )
    return s / s.sum()
