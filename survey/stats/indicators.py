"""Benchmark indicators: the home college against the benchmark colleges, indicator by indicator.

Works on the validated indicators table of
:func:`survey.instruments.indicators.read_indicators` (``college, indicator, value, unit,
direction, area``). A shortfall is *material* only when it is at least the threshold of the
indicator's kind (:func:`indicator_kind`; thresholds from ``study.yaml`` →
``indicators.materiality``, :class:`survey.config.study.Materiality`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from survey.config.study import Materiality
from survey.errors import SurveyError

__all__ = ["INDICATOR_KINDS", "indicator_gaps", "indicator_kind", "materiality_rule"]

#: Indicator kinds and their Chinese names.
INDICATOR_KINDS: dict[str, str] = {"percent": "百分比", "ratio": "比率", "count": "数量", "yes_no": "是否"}
_YES_NO_UNIT = re.compile(r"是/?否|有/?无|是否")
_RATIO_WORDS = re.compile(r"每[百千万]|人均|平均|生均|比率")


def indicator_kind(unit: str, name: str = "", values: pd.Series | None = None) -> str:
    """Classify an indicator as ``percent``, ``ratio``, ``count`` or ``yes_no``.

    Parameters
    ----------
    unit
        The indicator's unit as written in the indicators table (``%``, ``个``, ``是/否``, …).
    name
        The indicator's name (``每百名党员…``, ``党员人均…`` mark a ratio).
    values
        The indicator's values over all colleges: without a unit, 0/1 values mean yes/no.

    Returns
    -------
    str
        ``yes_no`` when the unit says 是/否 or 有/无 (or there is no unit and every value is 0 or
        1); ``percent`` when the unit is ``%`` (or 百分比/百分点); ``ratio`` when the unit holds a
        ``/`` or 每, or the name says 每百/每千/人均/平均/生均/比率; ``count`` otherwise.

    Examples
    --------
    >>> [indicator_kind(u, n) for u, n in [("%", "覆盖率"), ("是/否（1=是，0=否）", "建有平台"),
    ...                                    ("人", "每百名党员专职党务工作人员数"), ("个", "品牌数量")]]
    ['percent', 'yes_no', 'ratio', 'count']
    """
    unit = "" if unit is None or (isinstance(unit, float) and np.isnan(unit)) else str(unit).strip()
    name = str(name or "")
    if _YES_NO_UNIT.search(unit) or name.startswith("是否"):
        return "yes_no"
    if not unit and values is not None:
        v = pd.to_numeric(values, errors="coerce").dropna()
        if len(v) and v.isin([0.0, 1.0]).all():
            return "yes_no"
    if "%" in unit or "％" in unit or "百分" in unit:
        return "percent"
    if "/" in unit or "每" in unit or _RATIO_WORDS.search(name):
        return "ratio"
    return "count"


def _thresholds(materiality: Materiality | Mapping[str, float] | None) -> Materiality:
    if materiality is None:
        return Materiality()
    if isinstance(materiality, Materiality):
        return materiality
    return Materiality(**dict(materiality))


def materiality_rule(kind: str, materiality: Materiality | Mapping[str, float] | None = None) -> str:
    """The materiality rule of an indicator kind in plain Chinese, from the thresholds in force.

    Examples
    --------
    >>> materiality_rule("percent"), materiality_rule("ratio", {"ratio": 0.2})
    ('落后对标中位数至少 5 个百分点', '落后对标中位数至少 20%（占中位数的比例）')
    """
    m = _thresholds(materiality)
    if kind == "yes_no":
        return "本院落后于至少半数对标院校即算（如本院没有而半数以上有）"
    if kind == "percent":
        return f"落后对标中位数至少 {_num(m.percent)} 个百分点"
    return f"落后对标中位数至少 {_num(100 * getattr(m, kind))}%（占中位数的比例）"


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _is_material(kind: str, gap: float, share: float, median: float, m: Materiality) -> object:
    """Whether a gap (negative = behind) is a material shortfall for its kind (NA: no gap)."""
    if np.isnan(gap):
        return pd.NA
    if gap >= 0:
        return False
    eps = 1e-9  # 70 − 75 is −5.000000000000004 in floating point: still "at least 5"
    if kind == "yes_no":
        return True
    if kind == "percent":
        return bool(-gap >= m.percent - eps)
    if median == 0:  # behind a median of 0: no relative size, any shortfall is material
        return True
    return bool(-share >= getattr(m, kind) - eps)


def indicator_gaps(indicators: pd.DataFrame, *, home: str = "本院",
                   materiality: Materiality | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Home college versus benchmark colleges on each indicator, respecting its direction.

    Parameters
    ----------
    indicators
        From :func:`read_indicators` (``college, indicator, value, unit, direction``,
        optional ``area``).
    home
        The home college's name as written in the ``college`` column.
    materiality
        Thresholds of a material shortfall per kind (``{"percent": 5, "ratio": 0.10,
        "count": 0.10}``, the defaults; usually ``study.indicators.materiality``).

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator, unit, direction, area, kind, home, n_benchmark,
        benchmark_median, benchmark_best, best_college, diff_median, gap_median,
        gap_median_share, gap_best, gap_best_share, behind_median, behind_best,
        material_threshold, material_rule, material``.

    Notes
    -----
    ``diff_median = home − median`` in the indicator's unit (raw sign). ``gap_*`` are signed
    so that **negative means the home college is behind**: gap = (home − reference) for
    "higher is better" and (reference − home) for "lower is better". The best benchmark is the
    maximum (or minimum for "lower is better"). ``gap_*_share = gap / |reference|`` (NaN when
    the reference is 0). Benchmarks that did not report (NaN) are left out of ``n_benchmark``.

    ``kind`` is the indicator's own ``kind`` column when the table has one, else
    :func:`indicator_kind`. ``material`` is True when the home college is behind the median by
    at least ``material_threshold``: percentage points for ``percent`` (``−gap_median``), a
    share of the median for ``ratio`` and ``count`` (``−gap_median_share``; behind a median of
    0 always counts), any shortfall for ``yes_no`` (threshold 0). ``material_rule`` says the
    same in Chinese. It is NA when there is nothing to compare. 70 % against a median of
    71.5 % is behind (``behind_median``) but not material.

    Examples
    --------
    R: ``dplyr::summarise(median = median(value[college != "本院"]))`` per indicator.

    >>> ind = pd.DataFrame({"college": ["本院", "甲校", "乙校", "本院", "甲校", "乙校"],
    ...                     "indicator": ["覆盖率"] * 3 + ["缺岗数"] * 3,
    ...                     "value": [80.0, 90.0, 70.0, 4.0, 1.0, 5.0], "unit": ["%"] * 3 + ["个"] * 3,
    ...                     "direction": ["higher"] * 3 + ["lower"] * 3})
    >>> g = indicator_gaps(ind)
    >>> g[["indicator", "benchmark_median", "gap_median", "gap_best", "best_college"]].to_numpy().tolist()
    [['覆盖率', 80.0, 0.0, -10.0, '甲校'], ['缺岗数', 3.0, -1.0, -3.0, '甲校']]
    >>> g[["kind", "material_threshold", "material"]].to_numpy().tolist()
    [['percent', 5.0, False], ['count', 0.1, True]]
    """
    m = _thresholds(materiality)
    rows = []
    colleges = set(indicators["college"])
    if home not in colleges:
        raise SurveyError(f"对标指标表中没有本院（{home}）的数据", column="院校",
                          expected=f"院校列中含“{home}”", hint=f"现有院校：{'、'.join(sorted(colleges))}")
    for ind, sub in indicators.groupby("indicator", sort=False):
        direction = sub["direction"].iloc[0]
        sign = 1.0 if direction == "higher" else -1.0
        h = sub.loc[sub["college"] == home, "value"]
        hv = float(h.iloc[0]) if len(h) else np.nan
        bench = sub.loc[(sub["college"] != home) & sub["value"].notna()]
        med = float(bench["value"].median()) if len(bench) else np.nan
        if len(bench):
            values = bench["value"].to_numpy(dtype=float)
            best_pos = int(np.argmax(values) if sign > 0 else np.argmin(values))
            best, best_college = float(values[best_pos]), bench["college"].iloc[best_pos]
        else:
            best, best_college = np.nan, ""
        gm, gb = sign * (hv - med), sign * (hv - best)
        unit = sub["unit"].iloc[0] if "unit" in sub else ""
        kind = _kind_of(sub, unit, str(ind))  # indicator names are text
        share = gm / abs(med) if med else np.nan
        rows.append({
            "indicator": ind, "unit": unit,
            "direction": direction, "area": sub["area"].iloc[0] if "area" in sub else "",
            "kind": kind, "home": hv, "n_benchmark": len(bench), "benchmark_median": med, "benchmark_best": best,
            "best_college": best_college, "diff_median": hv - med,
            "gap_median": gm, "gap_median_share": share,
            "gap_best": gb, "gap_best_share": gb / abs(best) if best else np.nan,
            "behind_median": bool(gm < 0) if not np.isnan(gm) else pd.NA,
            "behind_best": bool(gb < 0) if not np.isnan(gb) else pd.NA,
            "material_threshold": 0.0 if kind == "yes_no" else float(getattr(m, kind)),
            "material_rule": materiality_rule(kind, m),
            "material": _is_material(kind, gm, share, med, m),
        })
    return pd.DataFrame(rows)


def _kind_of(sub: pd.DataFrame, unit: str, name: str) -> str:
    given = str(sub["kind"].iloc[0]) if "kind" in sub and pd.notna(sub["kind"].iloc[0]) else ""
    if not given:
        return indicator_kind(unit, name, sub["value"])
    if given not in INDICATOR_KINDS:
        raise SurveyError(f"指标“{name}”的类型 {given!r} 无法识别", column="kind",
                          expected="percent、ratio、count 或 yes_no")
    return given
