"""IPA movement arrow plot: one arrow per project, wave names in the texts, reproducible file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from survey.errors import SurveyError
from survey.report.plots import BEHIND_COLOR, ipa_movement_plot
from survey.stats.ipa import QUADRANTS, ipa_movement

NAMES = ["政治领航", "铁军淬炼", "固本强基", "示范引领", "文化浸润", "师生共建", "廉洁护航",
         "舆论阵地建设"]


def _wave(imp: np.ndarray, perf: np.ndarray, bench: np.ndarray) -> pd.DataFrame:
    gi, gp = float(imp.mean()), float(perf.mean())
    return pd.DataFrame({
        "project": range(1, 9), "name": NAMES, "imp_mean": imp, "perf_mean": perf,
        "imp_grand": gi, "perf_grand": gp,
        "quadrant": [QUADRANTS[(bool(i >= gi), bool(p >= gp))] for i, p in zip(imp, perf, strict=True)],
        "bench_mean": bench, "bench_diff": perf - bench})


@pytest.fixture
def movement() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    i1, p1 = rng.uniform(3.5, 4.7, 8), rng.uniform(3.0, 4.3, 8)
    a = _wave(i1, p1, p1 + rng.normal(0, 0.2, 8))
    b = _wave(i1 + rng.normal(0, 0.15, 8), p1 + rng.normal(0.2, 0.25, 8),
              p1 + rng.normal(0.1, 0.2, 8))
    return ipa_movement(a, b, wave1="2025年", wave2="2026年")


def test_one_arrow_per_project_from_wave1_to_wave2(movement: pd.DataFrame, tmp_path: Path) -> None:
    fig = ipa_movement_plot(movement, tmp_path / "ipa_movement.png")
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 8
    for arrow, (_, row) in zip(arrows, movement.iterrows(), strict=True):
        # posA/posB are the data-coordinate ends given to the patch
        (xa, ya), (xb, yb) = arrow._posA_posB  # type: ignore[attr-defined]
        assert (xa, ya) == pytest.approx((row["performance1"], row["importance1"]))
        assert (xb, yb) == pytest.approx((row["performance2"], row["importance2"]))
        moved_colour = to_hex(arrow.get_edgecolor()) == to_hex(BEHIND_COLOR)
        assert moved_colour == bool(row["moved"])
    assert movement["moved"].any() and not movement["moved"].all()  # both styles exercised
    assert "2025年" in ax.get_title() and "2026年" in ax.get_title()
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {"2025年位置", "2026年位置", "2025年均值线", "2026年均值线", "象限改变"} <= legend
    texts = {t.get_text() for t in ax.texts}
    for name, g in zip(movement["name"], movement["gap_change"], strict=True):
        assert f"{name}（{g:+.2f}）" in texts
    # quadrant lines at each wave's grand means
    vx = sorted(ln.get_xdata()[0] for ln in ax.lines if ln.get_xdata()[0] == ln.get_xdata()[1])
    assert vx == pytest.approx(sorted([movement["perf_grand1"].iloc[0],
                                       movement["perf_grand2"].iloc[0]]))


def test_file_written_deterministically(movement: pd.DataFrame, tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    ipa_movement_plot(movement, a)
    ipa_movement_plot(movement, b)
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.read_bytes() == b.read_bytes()
    s1, s2 = tmp_path / "a.svg", tmp_path / "b.svg"
    ipa_movement_plot(movement, s1)
    ipa_movement_plot(movement, s2)
    assert s1.read_bytes() == s2.read_bytes()


def test_refuses_bad_suffix_and_missing_columns(movement: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match="格式不支持"):
        ipa_movement_plot(movement, tmp_path / "x.jpg")
    with pytest.raises(SurveyError, match="所需的列不存在"):
        ipa_movement_plot(movement.drop(columns="moved"), tmp_path / "x.png")
    assert not list(tmp_path.iterdir())
