"""Composition adjustment with a college that sent only summary statistics.

Reference: the same college's raw answers. A college given as per-member-type n, mean and SD
must give exactly the numbers its raw answers give (pooled benchmark and its own comparison,
naive and post-stratified, and the gaps within member types), because both estimators depend
on the answers only through those summaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.stats.adjust import gap_within_strata, poststratified_gap
from survey.stats.common import POOLED

TYPES = ["在职教职工党员", "学生党员", "离退休党员"]
NUMERIC = ["n_ref", "n", "mean_ref", "mean", "diff", "se", "df", "ci_low", "ci_high",
           "statistic", "p", "deff_ref", "deff", "n_eff_ref", "n_eff"]


def _data(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for college, n, mix, shift in [("本院", 140, [0.6, 0.3, 0.1], -0.3), ("甲院", 110, [0.3, 0.5, 0.2], 0.0),
                                   ("乙院", 95, [0.2, 0.6, 0.2], 0.1)]:
        h = rng.choice(TYPES, size=n, p=mix)
        base = pd.Series(h).map({TYPES[0]: 3.2, TYPES[1]: 3.9, TYPES[2]: 3.5}).to_numpy()
        parts.append(pd.DataFrame({
            "college": college, "member_type": h,
            "P1": base + shift + rng.normal(0, 0.7, n),
            "P2": np.where(rng.random(n) < 0.05, np.nan, base + rng.normal(0, 0.6, n)),
        }))
    return pd.concat(parts, ignore_index=True)


def _summaries(df: pd.DataFrame, college: str, whole: bool = True, strata: bool = True) -> pd.DataFrame:
    rows = []
    sub = df[df["college"] == college]
    for c in ("P1", "P2"):
        y = sub[["member_type", c]].dropna()
        if whole:
            rows.append({"group": college, "scale": c, "stratum": None, "n": len(y),
                         "mean": y[c].mean(), "sd": y[c].std(ddof=1)})
        if strata:
            for t, g in y.groupby("member_type"):
                rows.append({"group": college, "scale": c, "stratum": t, "n": len(g),
                             "mean": g[c].mean(), "sd": g[c].std(ddof=1)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("target", [None, {TYPES[0]: 500, TYPES[1]: 300, TYPES[2]: 200}])
def test_summary_college_adjusts_like_its_raw_answers(target) -> None:
    df = _data()
    full = poststratified_gap(df, columns=["P1", "P2"], target=target, each=True)
    raw_less = df[df["college"] != "乙院"]
    got = poststratified_gap(raw_less, columns=["P1", "P2"], target=target, each=True,
                             summaries=_summaries(df, "乙院"))
    key = ["scale", "group", "estimator"]
    a, b = full.set_index(key).sort_index(), got.set_index(key).sort_index()
    assert list(a.index) == list(b.index)  # 乙院 gets its own comparison too
    exact = [c for c in NUMERIC if c not in ("ci_low", "ci_high")]
    np.testing.assert_allclose(b[exact].to_numpy(float), a[exact].to_numpy(float), rtol=1e-10)
    # the adjusted (t) interval is exact; the naive bootstrap interval draws the summary-only
    # college parametrically instead of resampling its answers: equal to Monte-Carlo error
    adj = a.index.get_level_values("estimator") == "poststratified"
    for c in ("ci_low", "ci_high"):
        np.testing.assert_allclose(b.loc[adj, c], a.loc[adj, c], rtol=1e-10)
        np.testing.assert_allclose(b.loc[~adj, c], a.loc[~adj, c], atol=0.03)
    pooled = got[(got["group"].isin([POOLED, "乙院"]))]
    assert pooled["note"].str.contains("只提供汇总统计的乙院").all()
    assert (got.loc[got["group"] == "甲院", "note"] == "").all()


def test_whole_college_summaries_are_left_out_and_said() -> None:
    df = _data()
    raw_less = df[df["college"] != "乙院"]
    alone = poststratified_gap(raw_less, columns=["P1"], each=True)
    got = poststratified_gap(raw_less, columns=["P1"], each=True,
                             summaries=_summaries(df, "乙院", strata=False))
    assert "乙院" not in set(got["group"])
    np.testing.assert_allclose(got[NUMERIC].to_numpy(float), alone[NUMERIC].to_numpy(float))
    assert got.loc[got["group"] == POOLED, "note"].str.contains("乙院只有全校汇总").all()


def test_within_strata_with_summaries_equals_raw() -> None:
    df = _data(5)
    full = gap_within_strata(df, columns=["P1", "P2"])
    got = gap_within_strata(df[df["college"] != "乙院"], columns=["P1", "P2"],
                            summaries=_summaries(df, "乙院"))
    cols = ["n_ref", "mean_ref", "sd_ref", "n", "mean", "sd", "diff", "se", "ci_low", "ci_high",
            "statistic", "df", "p", "effect", "effect_ci_low", "effect_ci_high"]
    np.testing.assert_allclose(got[cols].to_numpy(float), full[cols].to_numpy(float), rtol=1e-10)
    assert got["note"].str.contains("乙院").all()


def test_without_summaries_nothing_changes() -> None:
    df = _data(3)
    a = poststratified_gap(df, columns=["P1", "P2"], each=True)
    b = poststratified_gap(df, columns=["P1", "P2"], each=True, summaries=pd.DataFrame())
    pd.testing.assert_frame_equal(a, b)
