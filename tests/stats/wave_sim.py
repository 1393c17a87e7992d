"""Planted-truth simulation of a two-wave study (issue #13), shared by the wave and plan tests.

Four colleges (本院 and three benchmarks), two waves (2025, 2026), five dimensions P1–P5 of
five 1–5 Likert items each. A respondent's item answer is ``clip(rint(μ + δ_type + u + e))``
with a person effect ``u ~ N(0, SD_U)`` and item noise ``e ~ N(0, SD_E)``; the scale score is
the mean of the five items. Between the waves the home college's gap to the benchmark closes
on P2 and P4 by a known amount and stays on P5 (and P1, P3); the benchmark itself moves up by
``TREND`` on every dimension (a trend the difference-in-differences must remove).

A share of each college's wave-2 respondents answered wave 1 too (same key and member type,
person effect correlated ``RHO``), so the paired part of the design is exercised.

The truth is exact, not simulated: the expected item answer of a normal latent cut at 1.5,
2.5, 3.5, 4.5 (:func:`expected_item`), mixed over the member types.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

SCALES = ("P1", "P2", "P3", "P4", "P5")
COLLEGES = ("本院", "对标A", "对标B", "对标C")
TYPES = ("在职教职工党员", "学生党员", "离退休党员")
WAVES = ("2025", "2026")
SD_U, SD_E, RHO, TREND = 0.55, 0.7, 0.6, 0.10
#: share of each college's wave-2 respondents who answered wave 1 too (they keep their type)
MATCHED = 0.3
ITEMS = 5
BENCH_MU = 3.5
#: latent gap home − benchmark per wave
GAP = {"2025": {"P1": -0.3, "P2": -0.5, "P3": 0.0, "P4": -0.6, "P5": -0.4},
       "2026": {"P1": -0.3, "P2": -0.2, "P3": 0.0, "P4": -0.25, "P5": -0.4}}
TYPE_SHIFT = np.array([0.0, 0.35, -0.35])
#: member-type mix per college kind and wave ("home", "bench"); the benchmark mix moves
MIX = {("home", "2025"): [0.4, 0.2, 0.4], ("home", "2026"): [0.4, 0.2, 0.4],
       ("bench", "2025"): [0.55, 0.30, 0.15], ("bench", "2026"): [0.30, 0.55, 0.15]}


def expected_item(mu: np.ndarray | float) -> np.ndarray:
    """E[clip(rint(mu + u + e), 1, 5)] for u + e ~ N(0, SD_U² + SD_E²), exactly."""
    sd = np.hypot(SD_U, SD_E)
    cuts = np.array([1.5, 2.5, 3.5, 4.5])
    mu = np.asarray(mu, dtype=float)[..., None]
    # E = 1 + Σ_k P(latent > cut_k)
    return 1 + stats.norm.sf((cuts - mu) / sd).sum(axis=-1)


def _mu(college: str, wave: str, scale: str) -> float:
    base = BENCH_MU + (TREND if wave == "2026" else 0.0)
    return base + (GAP[wave][scale] if college == "本院" else 0.0)


def expected_mean(college: str, wave: str, scale: str, shares=None) -> float:
    """Expected scale score of a college in a wave (its own member-type mix by default)."""
    kind = "home" if college == "本院" else "bench"
    if shares is None:
        # wave 2 = the re-respondents (wave-1 mix) and the new respondents (wave-2 mix)
        shares = MIX[(kind, wave)] if wave == WAVES[0] else (
            MATCHED * np.asarray(MIX[(kind, WAVES[0])]) + (1 - MATCHED) * np.asarray(MIX[(kind, wave)]))
    p = np.asarray(shares, dtype=float)
    return float((p * expected_item(_mu(college, wave, scale) + TYPE_SHIFT)).sum())


def true_did(scale: str, *, target=None) -> float:
    """Planted DiD of the expected scores: naive (each sample's own mix) or, with ``target``
    shares, post-stratified (both colleges given the target mix in both waves)."""
    gaps = []
    for w in WAVES:
        sh = target
        gaps.append(expected_mean("本院", w, scale, sh) - expected_mean("对标A", w, scale, sh))
    return gaps[1] - gaps[0]


def simulate_study(rng: np.random.Generator, *, n: int = 150) -> pd.DataFrame:
    """One simulated two-wave study: one row per respondent and wave (long format).

    The benchmark's member-type mix moves between the waves (:data:`MIX`), so the naive DiD
    mixes the college change with a composition change; :func:`true_did` gives both truths.
    """
    parts = []
    for c in COLLEGES:
        kind = "home" if c == "本院" else "bench"
        t1 = rng.choice(3, size=n, p=MIX[(kind, "2025")])
        u1 = rng.normal(0, SD_U, (n, len(SCALES)))
        n_m = int(round(MATCHED * n))
        # wave 2: the first n_m respondents of wave 1 answer again, the rest are new
        t2 = np.r_[t1[:n_m], rng.choice(3, size=n - n_m, p=MIX[(kind, "2026")])]
        u2 = np.r_[RHO * u1[:n_m] + np.sqrt(1 - RHO**2) * rng.normal(0, SD_U, (n_m, len(SCALES))),
                   rng.normal(0, SD_U, (n - n_m, len(SCALES)))]
        keys1 = [f"{c}-{i}" for i in range(n)]
        keys2 = keys1[:n_m] + [f"{c}-new{i}" for i in range(n - n_m)]
        for w, t, u, keys in (("2025", t1, u1, keys1), ("2026", t2, u2, keys2)):
            rec = {"wave": w, "college": c, "member_type": np.array(TYPES)[t],
                   "respondent_key": keys}
            for j, s in enumerate(SCALES):
                lat = _mu(c, w, s) + TYPE_SHIFT[t] + u[:, j]
                x = np.clip(np.rint(lat[:, None] + rng.normal(0, SD_E, (n, ITEMS))), 1, 5)
                rec[s] = x.mean(axis=1)
            parts.append(pd.DataFrame(rec))
    return pd.concat(parts, ignore_index=True)


def home_shares() -> dict[str, float]:
    """The home college's member-type mix (the roster target of both waves)."""
    return dict(zip(TYPES, MIX[("home", "2025")], strict=True))
