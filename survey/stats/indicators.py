"""Benchmark indicators: the home college against the benchmark colleges, indicator by indicator.

Works on the validated indicators table of
:func:`survey.instruments.indicators.read_indicators` (``college, indicator, value, unit,
direction, area``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.errors import SurveyError

__all__ = ["indicator_gaps"]


def indicator_gaps(indicators: pd.DataFrame, *, home: str = "本院") -> pd.DataFrame:
    """Home college versus benchmark colleges on each indicator, respecting its direction.

    Parameters
    ----------
    indicators
        From :func:`read_indicators` (``college, indicator, value, unit, direction``,
        optional ``area``).
    home
        The home college's name as written in the ``college`` column.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator, unit, direction, area, home, n_benchmark,
        benchmark_median, benchmark_best, best_college, diff_median, gap_median,
        gap_median_share, gap_best, gap_best_share, behind_median, behind_best``.

    Notes
    -----
    ``diff_median = home − median`` in the indicator's unit (raw sign). ``gap_*`` are signed
    so that **negative means the home college is behind**: gap = (home − reference) for
    "higher is better" and (reference − home) for "lower is better". The best benchmark is the
    maximum (or minimum for "lower is better"). ``gap_*_share = gap / |reference|`` (NaN when
    the reference is 0). Benchmarks that did not report (NaN) are left out of ``n_benchmark``.

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
    """
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
        rows.append({
            "indicator": ind, "unit": sub["unit"].iloc[0] if "unit" in sub else "",
            "direction": direction, "area": sub["area"].iloc[0] if "area" in sub else "",
            "home": hv, "n_benchmark": len(bench), "benchmark_median": med, "benchmark_best": best,
            "best_college": best_college, "diff_median": hv - med,
            "gap_median": gm, "gap_median_share": gm / abs(med) if med else np.nan,
            "gap_best": gb, "gap_best_share": gb / abs(best) if best else np.nan,
            "behind_median": bool(gm < 0) if not np.isnan(gm) else pd.NA,
            "behind_best": bool(gb < 0) if not np.isnan(gb) else pd.NA,
        })
    return pd.DataFrame(rows)
