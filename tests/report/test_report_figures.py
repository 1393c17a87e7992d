"""The figures the report sections draw, on the demo study and the minimal study (issue #9 §4).

Structural facts a committee member relies on when reading the printed page: one Likert panel
per dimension with every item's full text, the home group highlighted and the groups in the
same order everywhere; the pooled benchmark drawn apart in the forest plot, whose zero line is
labelled 持平; the indicator bars sorted by gap, labelled, yes/no indicators written 有/无; the
colour-blind-safe palette; palette PNGs of bounded size, identical from run to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.colors import to_hex

from survey import analysis as A
from survey.report.plots import COLORBLIND, LEVEL_LABEL, figure_bytes
from survey.report.sections.base import _against
from survey.stats.common import POOLED

MINIMAL = Path(__file__).resolve().parents[1] / "analysis" / "minimal_study"
#: PNG bounds: the committee page (≤ 1.5 MB with text and tables) embeds about ten figures.
MAX_PNG, MAX_TOTAL = 90_000, 650_000


@pytest.fixture(scope="module")
def demo(cleaned_demo: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("figures_demo")
    ctx = A.load(cleaned_demo, figures_dir=root / "figures", cache=False)
    secs = {"gaps": A.benchmark_gaps(ctx, items=False), "composition": A.composition(ctx),
            "indicators": A.indicators(ctx), "priorities": A.priorities(ctx)}
    return ctx, secs


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("figures_minimal")
    shutil.copytree(MINIMAL, root / "study", ignore=shutil.ignore_patterns("processed", "__pycache__"))
    study = root / "study" / "study.yaml"
    env = {k: v for k, v in os.environ.items() if k != "SURVEY_PSEUDONYM_KEY"}
    proc = subprocess.run([sys.executable, "-m", "survey", "clean", "--study", str(study), "-q"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ctx = A.load(study, figures_dir=root / "figures", cache=False)
    return ctx, {"gaps": A.benchmark_gaps(ctx, items=False)}


def _likert_names(ctx) -> list[str]:
    return [f"likert_{s.id.lower()}" for s in ctx.codebook.scales]


@pytest.mark.parametrize("which", ["demo", "minimal"])
def test_likert_one_panel_per_dimension_full_text_home_highlighted(which, request) -> None:
    ctx, secs = request.getfixturevalue(which)
    figs = secs["gaps"].figures
    groups = [g for g in ctx.groups if g not in ctx.small_groups]
    for sc, name in zip(ctx.codebook.scales, _likert_names(ctx), strict=True):
        fig = figs[name]
        (ax,) = fig.axes  # one panel: this dimension
        headings = [t.get_text().replace("\n", "") for t in ax.texts if not t.get_text().startswith("n=")]
        assert len(headings) == len(sc.items)
        for it, head in zip(sc.items, headings, strict=True):
            assert head.startswith(it) and ctx.item_label(it) in head  # id and the full text
            assert ("反向" in head) == (it in sc.reverse)
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks == groups * len(sc.items)  # the groups in the same (fixed) order
        boxed = {t.get_text() for t in ax.get_yticklabels() if t.get_bbox_patch() is not None}
        assert boxed == {ctx.reference}
        n_options = len(ctx.codebook.options(sc.items[0]))
        assert len(fig.legends[0].get_texts()) == n_options


def test_likert_reverse_keyed_items_turned_round(demo) -> None:
    """A reverse-worded item is drawn as scored: its "agree" share is the raw "disagree" one."""
    ctx, secs = demo
    sc = next(s for s in ctx.codebook.scales if s.reverse)
    fig = secs["gaps"].figures[f"likert_{sc.id.lower()}"]
    ax = fig.axes[0]
    item = sc.reverse[0]
    k = sc.items.index(item)
    n_groups = len([g for g in ctx.groups if g not in ctx.small_groups])
    row = k * n_groups  # the home group's bar of the item
    y = ax.get_yticks()[row]
    bars = sorted((p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - y) < 1e-9
                   and p.get_height() < 1), key=lambda p: p.get_x())
    raw = ctx.responses.loc[ctx.responses[ctx.by] == ctx.reference, item].dropna()
    lowest = min(ctx.codebook.options(item))
    assert bars[-1].get_width() == pytest.approx(100 * (raw == lowest).mean())


def test_likert_lower_is_better_scale_keeps_good_blue(minimal) -> None:
    from survey.report.sections.gaps import _likert_figures

    ctx, _ = minimal
    sc = ctx.codebook.scales[0]
    before = _likert_figures(ctx)[f"likert_{sc.id.lower()}"]
    object.__setattr__(sc, "direction", "lower_is_better")  # the codebook field may not exist yet
    try:
        after = _likert_figures(ctx)[f"likert_{sc.id.lower()}"]
    finally:
        del sc.__dict__["direction"]
    colours = [[to_hex(h.get_facecolor()) for h in f.legends[0].legend_handles]
               for f in (before, after)]
    assert colours[1] == colours[0][::-1]


@pytest.mark.parametrize("which", ["demo", "minimal"])
def test_forest_pooled_apart_zero_line_labelled(which, request) -> None:
    ctx, secs = request.getfixturevalue(which)
    fig = secs["gaps"].figures["gap_by_dimension"]
    ax = fig.axes[0]
    level = [t for t in ax.texts if t.get_text() == LEVEL_LABEL]
    assert len(level) == 1 and level[0].get_position()[0] == 0
    assert any(list(ln.get_xdata()) == [0, 0] for ln in ax.lines)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == _against(POOLED, ctx)  # labels from the Context, never typed in
    pooled = ax.containers[0].lines[0]
    assert pooled.get_marker() == "D" and to_hex(pooled.get_color()) == "#000000"
    colours = {to_hex(c.lines[0].get_color()) for c in ax.containers[1:]}
    assert colours <= set(COLORBLIND)


def test_indicator_bars_sorted_labelled_yes_no_as_words(demo) -> None:
    ctx, secs = demo
    gaps = secs["indicators"].data["gaps"]
    ax = secs["indicators"].figures["indicator_gaps"].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    yes_no = set(gaps.loc[gaps["unit"].astype(str).str.startswith("是/否"), "indicator"])
    assert yes_no and set(labels[-len(yes_no):]) == yes_no  # after the sorted numeric ones
    share = gaps.set_index("indicator")["gap_median_share"] * 100
    numeric = labels[: len(labels) - len(yes_no)]
    assert list(share[numeric]) == sorted(share[numeric])  # most behind at the top
    widths = {round(p.get_y() + p.get_height() / 2): p.get_width() for p in ax.patches}
    assert [widths[i] for i in range(len(numeric))] == pytest.approx(list(share[numeric]))
    assert all(widths.get(i, 0) == 0 for i in range(len(numeric), len(labels)))  # no −100 % bar
    texts = {round(t.get_position()[1]): t.get_text() for t in ax.texts if t.get_text() != LEVEL_LABEL}
    for i in range(len(numeric), len(labels)):
        assert "有" in texts[i] and "无" in texts[i] and "%" not in texts[i]
    for i in range(len(numeric)):
        assert texts[i].startswith(f"{share[numeric[i]]:+.0f}%")


def test_pngs_page_sized_small_and_identical_across_runs(demo, minimal, tmp_path) -> None:
    from PIL import Image

    from survey.report.sections.gaps import _likert_figures

    total = 0
    for ctx, secs in (demo, minimal):
        for sec in secs.values():
            for name, path in A.save_figures(sec, ctx).items():
                size = path.stat().st_size
                total += size
                assert size < MAX_PNG, (name, size)
                with Image.open(path) as im:
                    assert im.width <= 1050, name  # 6.3 in page width at 150 dpi, plus margins
    assert total < MAX_TOTAL
    ctx, secs = demo
    again = _likert_figures(ctx)  # drawn a second time from the data
    for name, fig in again.items():
        assert figure_bytes(fig, "png") == (ctx.figures_dir / f"{name}.png").read_bytes()
        assert figure_bytes(fig, "svg") == figure_bytes(secs["gaps"].figures[name], "svg")
