"""Plot helpers: what is drawn (bar extents, reference lines, labels) and reproducible files."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from survey.errors import SurveyError
from survey.report.plots import (
    AHEAD_COLOR,
    BEHIND_COLOR,
    COLORBLIND,
    LEVEL_LABEL,
    PAGE_WIDTH,
    diverging_likert,
    figure_bytes,
    forest_plot,
    gap_bars,
    heatmap,
    ipa_quadrant,
    save_figure,
    wrap_text,
)

LIKERT_LABELS = ["非常不同意", "不同意", "一般", "同意", "非常同意"]


@pytest.fixture
def likert_counts() -> pd.DataFrame:
    # Item P1a: 本院 chose 1,2,4,5 (nobody chose 3); 对标院校 only 4 and 5.
    return pd.DataFrame(
        {
            "item": ["P1a"] * 6,
            "college": ["本院"] * 4 + ["对标院校"] * 2,
            "category": [1, 2, 4, 5, 4, 5],
            "n": [10, 10, 20, 0, 30, 10],
        }
    )


def _bars(fig: Figure) -> list[Rectangle]:
    ax = fig.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_forest_plot_rows_and_reference_line() -> None:
    table = pd.DataFrame(
        {
            "dimension": ["学习型党组织建设", "过硬党支部建设", "服务型党组织建设"],
            "effect": [-0.45, -0.1, 0.2],
            "effect_ci_low": [-0.7, -0.3, np.nan],
            "effect_ci_high": [-0.2, 0.1, np.nan],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = forest_plot(table, label="dimension", est="effect", lo="effect_ci_low",
                          hi="effect_ci_high", ref=0)
        fig.canvas.draw()  # renders the Chinese labels: no missing glyph
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table["dimension"])
    # first row at the top
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    points = ax.containers[0].lines[0]  # the errorbar's data line
    assert list(np.round(points.get_xdata(), 2)) == [-0.45, -0.1, 0.2]
    assert list(points.get_ydata()) == [0, 1, 2]
    vlines = [line for line in ax.lines if list(line.get_xdata()) == [0, 0]]
    assert len(vlines) == 1


def test_forest_plot_groups_and_missing_column() -> None:
    table = pd.DataFrame(
        {"d": ["P1", "P1", "P2", "P2"], "g": ["未调整", "调整后"] * 2,
         "e": [-0.5, -0.3, 0.1, 0.0], "lo": [-0.8, -0.6, -0.1, -0.2], "hi": [-0.2, 0.0, 0.3, 0.2]}
    )
    fig = forest_plot(table, label="d", est="e", lo="lo", hi="hi", group="g")
    legend = fig.legends[0]  # under the whole figure
    assert [t.get_text() for t in legend.get_texts()] == ["未调整", "调整后"]
    with pytest.raises(SurveyError, match="effect"):
        forest_plot(table, label="d", est="effect", lo="lo", hi="hi")


def test_diverging_likert_empty_category_and_empty_group(likert_counts: pd.DataFrame) -> None:
    fig = diverging_likert(
        likert_counts, item="item", group="college", categories=[1, 2, 3, 4, 5],
        labels=LIKERT_LABELS, groups=["本院", "对标院校", "先进院校"],
    )
    ax = fig.axes[0]
    bars = _bars(fig)
    assert len(bars) == 5 * 3  # every category for every row, even when empty
    rows: dict[float, list[Rectangle]] = {}
    for b in bars:
        rows.setdefault(round(b.get_y() + b.get_height() / 2, 6), []).append(b)
    home, bench, empty = (rows[y] for y in sorted(rows))  # top to bottom
    assert sum(b.get_width() for b in home) == pytest.approx(100)  # 本院: 40 answers
    assert sum(b.get_width() for b in bench) == pytest.approx(100)  # 对标院校
    assert sum(b.get_width() for b in empty) == pytest.approx(0)  # 先进院校: no rows at all
    # 本院: 10 + 10 of 40 disagree -> bar starts at -50; neutral empty
    assert min(b.get_x() for b in home) == pytest.approx(-50)
    # 对标院校: nobody disagrees -> starts at 0 and 75 % 同意
    assert min(b.get_x() for b in bench) == pytest.approx(0)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["P1a", "n=40", "n=40", "无数据"]  # the item's heading, then each bar's n
    assert [t.get_text() for t in fig.legends[0].get_texts()] == LIKERT_LABELS
    assert [t.get_text() for t in ax.get_yticklabels()] == ["本院", "对标院校", "先进院校"]


def test_diverging_likert_six_points_and_bad_input(likert_counts: pd.DataFrame) -> None:
    six = pd.DataFrame({"item": "Q", "college": "本院", "category": [1, 6], "n": [1, 3]})
    fig = diverging_likert(six, item="item", group="college", categories=range(1, 7),
                           labels={i: f"{i}分" for i in range(1, 7)})
    bars = _bars(fig)
    assert min(b.get_x() for b in bars) == pytest.approx(-25)  # no neutral: 1 of 4 left
    with pytest.raises(SurveyError, match="不在 categories"):
        diverging_likert(likert_counts, item="item", group="college", categories=[1, 2, 3, 4],
                         labels=["a", "b", "c", "d"])
    with pytest.raises(SurveyError, match="标签的个数"):
        diverging_likert(likert_counts, item="item", group="college", categories=[1, 2, 3, 4, 5],
                         labels=["a"])


def test_ipa_quadrant_reference_lines() -> None:
    table = pd.DataFrame({"project": ["政治领航", "铁军淬炼", "固本强基", "示范引领"],
                          "perf": [3.0, 4.0, 3.5, 4.5], "imp": [4.5, 4.0, 3.0, 3.5]})
    fig = ipa_quadrant(table, x="perf", y="imp", label="project", x_ref="mean", y_ref=3.5)
    ax = fig.axes[0]
    vline = [ln for ln in ax.lines if ln.get_xdata()[0] == ln.get_xdata()[1]][0]
    hline = [ln for ln in ax.lines if ln.get_ydata()[0] == ln.get_ydata()[1]][0]
    assert vline.get_xdata()[0] == pytest.approx(3.75)
    assert hline.get_ydata()[0] == pytest.approx(3.5)
    texts = {t.get_text() for t in ax.texts}
    assert {"政治领航", "示范引领"} <= texts
    assert "重点改进区（重要但表现弱）" in texts
    with pytest.raises(SurveyError):
        ipa_quadrant(table, x="perf", y="imp", label="project", x_ref="mode", y_ref=3)


def test_heatmap_values_and_empty() -> None:
    table = pd.DataFrame([[3, 0], [1, 5]], index=pd.Index(["学习", "服务"], name="主题"),
                         columns=pd.Index(["支部书记", "企业"], name="群体"))
    fig = heatmap(table)
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "3", "5"]
    assert ax.get_xlabel() == "群体" and ax.get_ylabel() == "主题"
    empty = heatmap(pd.DataFrame(index=["a"], columns=["b"], dtype=float))
    assert [t.get_text() for t in empty.axes[0].texts] == ["无数据"]


def test_save_figure_names_by_content_and_is_deterministic(tmp_path, likert_counts) -> None:
    def make() -> Figure:
        return diverging_likert(likert_counts, item="item", group="college",
                                categories=[1, 2, 3, 4, 5], labels=LIKERT_LABELS)

    first = save_figure(make(), "likert_by_college", tmp_path / "a")
    second = save_figure(make(), "likert_by_college", tmp_path / "b")
    assert sorted(p.name for p in first.values()) == ["likert_by_college.png",
                                                      "likert_by_college.svg"]
    for fmt in ("png", "svg"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes()
    assert first["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list((tmp_path / "a").glob(".*tmp"))  # no temporary files left
    for bad in ("fig1", "Figure 2", "图1", "3"):
        with pytest.raises(SurveyError, match="文件名"):
            save_figure(make(), bad, tmp_path)


def test_axes_level_functions_draw_side_by_side(likert_counts: pd.DataFrame) -> None:
    from survey.report.plots import figure_bytes, forest, heat, likert, quadrant

    gaps = pd.DataFrame({"d": ["P1", "P2"], "e": [-0.4, 0.1], "lo": [-0.6, -0.1],
                         "hi": [-0.2, 0.3]})
    ipa = pd.DataFrame({"p": ["甲", "乙", "丙"], "x": [3.0, 4.0, 3.5], "y": [4.5, 3.0, 4.0]})
    grid = pd.DataFrame([[3, 0], [1, 5]], index=["学习", "服务"], columns=["书记", "党员"])
    fig = Figure(figsize=(16, 8), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    drawn = [
        forest(gaps, label="d", est="e", lo="lo", hi="hi", ax=axes[0]),
        likert(likert_counts, item="item", group="college", categories=[1, 2, 3, 4, 5],
               labels=LIKERT_LABELS, ax=axes[1]),
        quadrant(ipa, x="x", y="y", label="p", ax=axes[2]),
        heat(grid, ax=axes[3]),
    ]
    assert drawn == list(axes)  # each drew on the axes it was given, none made a figure
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["P1", "P2"]
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == LIKERT_LABELS
    assert "甲" in {t.get_text() for t in axes[2].texts}
    assert sorted(t.get_text() for t in axes[3].texts) == ["0", "1", "3", "5"]
    fig.canvas.draw()
    # without ax: a figure of its own, drawn exactly as the figure-level function draws it
    alone = forest(gaps, label="d", est="e", lo="lo", hi="hi")
    assert figure_bytes(alone.figure, "png") == figure_bytes(
        forest_plot(gaps, label="d", est="e", lo="lo", hi="hi"), "png")
    assert alone.figure.get_size_inches().tolist() == [PAGE_WIDTH, 1.5 + 0.4 * 2]


# --------------------------------------------------------------------------------------------
# figures the committee can read (issue #9 §4)


def _text_at(ax, text: str):
    return [t for t in ax.texts if t.get_text() == text]


def test_palette_is_seaborns_colour_blind_palette() -> None:
    import seaborn as sns

    assert list(COLORBLIND) == sns.color_palette("colorblind").as_hex()
    from matplotlib.colors import to_rgb

    def grey(c: str) -> float:  # luma of a greyscale print (ITU-R BT.601)
        r, g, b = to_rgb(c)
        return 0.299 * r + 0.587 * g + 0.114 * b

    assert {BEHIND_COLOR, AHEAD_COLOR} <= set(COLORBLIND)
    assert abs(grey(BEHIND_COLOR) - grey(AHEAD_COLOR)) > 0.1  # and hatched: see gap bars


def test_forest_zero_line_labelled_and_pooled_group_drawn_apart() -> None:
    from matplotlib.colors import to_hex

    table = pd.DataFrame({"d": ["P1", "P2"] * 3,
                          "g": ["甲校"] * 2 + ["对标院校（合并）"] * 2 + ["乙校"] * 2,
                          "e": [-0.5, 0.1, -0.4, 0.0, -0.3, 0.2], "lo": [-0.8, -0.1] * 3,
                          "hi": [-0.2, 0.3] * 3})
    fig = forest_plot(table, label="d", est="e", lo="lo", hi="hi", group="g",
                      highlight="对标院校（合并）", ref=0)
    ax = fig.axes[0]
    (level,) = _text_at(ax, LEVEL_LABEL)
    assert level.get_position()[0] == 0  # on the zero line
    assert [ln for ln in ax.lines if list(ln.get_xdata()) == [0, 0]]
    # the pooled group first in the legend, black filled diamonds; single colleges hollow
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["对标院校（合并）", "甲校", "乙校"]
    pooled, first, second = (c.lines[0] for c in ax.containers)
    assert (pooled.get_marker(), to_hex(pooled.get_color())) == ("D", "#000000")
    assert first.get_markerfacecolor() == "white" and first.get_marker() != second.get_marker()
    assert [to_hex(c.lines[0].get_color()) for c in ax.containers[1:]] == list(COLORBLIND[:2])
    # no label asked for: none drawn
    plain = forest_plot(table, label="d", est="e", lo="lo", hi="hi", group="g", ref_label=None)
    assert not _text_at(plain.axes[0], LEVEL_LABEL)


def test_gap_bars_sorted_labelled_and_yes_no_without_bar() -> None:
    table = pd.DataFrame({"ind": ["甲", "乙", "丙", "丁"], "pct": [-10.0, np.nan, -60.0, 25.0],
                          "text": ["-10%", "本院无，对标中位数有", "-60%", "+25%"]})
    fig = gap_bars(table, label="ind", value="pct", text="text")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["丙", "甲", "丁", "乙"]
    drawn = {round(b.get_y() + b.get_height() / 2): b for b in _bars(fig) if b.get_width()}
    assert sorted(drawn) == [0, 1, 2]  # the yes/no row (3) has no bar
    assert [drawn[i].get_width() for i in range(3)] == [-60.0, -10.0, 25.0]
    assert drawn[0].get_hatch() and not drawn[2].get_hatch()  # behind hatched: greyscale
    written = {round(t.get_position()[1]): t.get_text() for t in ax.texts if t.get_text() != "持平"}
    assert written == {0: "-60%", 1: "-10%", 2: "+25%", 3: "本院无，对标中位数有"}
    assert _text_at(ax, LEVEL_LABEL)[0].get_position()[0] == 0
    # every value label inside the axes
    fig.draw_without_rendering()
    box = ax.get_window_extent()
    for t in ax.texts:
        ext = t.get_window_extent()
        assert box.x0 - 1 <= ext.x0 and ext.x1 <= box.x1 + 1, t.get_text()


def test_likert_headings_highlight_and_good_end(likert_counts: pd.DataFrame) -> None:
    from matplotlib.colors import to_hex

    long_text = "党组织的学习往往只是完成任务、走过场，很少结合本单位实际开展深入研讨和交流"
    kw = {"item": "item", "group": "college", "categories": [1, 2, 3, 4, 5],
          "labels": LIKERT_LABELS, "item_labels": {"P1a": f"P1a {long_text}"},
          "highlight": "本院", "wrap": 20}
    fig = diverging_likert(likert_counts, **kw)
    ax = fig.axes[0]
    heading = ax.texts[0].get_text()
    assert heading.replace("\n", "") == f"P1a {long_text}" and heading.count("\n") == 1
    boxed = [t.get_text() for t in ax.get_yticklabels() if t.get_bbox_patch() is not None]
    assert boxed == ["本院"]
    bands = [p for p in ax.patches if to_hex(p.get_facecolor()) == to_hex("0.9")]
    assert len(bands) == 1  # the grey band behind 本院's bar
    assert bands[0].get_y() < ax.get_yticks()[0] < bands[0].get_y() + bands[0].get_height()
    high = [to_hex(h.get_facecolor()) for h in fig.legends[0].legend_handles]
    low = diverging_likert(likert_counts, **kw, good="low")
    low_colors = [to_hex(h.get_facecolor()) for h in low.legends[0].legend_handles]
    assert low_colors == high[::-1]  # lower is better: the good (first) end is the blue one
    from matplotlib import colormaps

    assert high[-1] == to_hex(colormaps["RdBu"](0.96))  # the dark blue end
    with pytest.raises(SurveyError, match="good"):
        diverging_likert(likert_counts, **{**kw, "good": "up"})


def test_wrap_text_by_display_width() -> None:
    assert wrap_text("一二三四五六七", 3) == ["一二三", "四五六", "七"]
    assert wrap_text("P1_1 我所在", 4) == ["P1_1 我", "所在"]  # Latin letters count half
    assert wrap_text("", 5) == [""]
    assert wrap_text("一二三，四五", 3) == ["一二三，", "四五"]  # no line starts with ，


def test_ipa_labels_stay_inside_and_apart() -> None:
    table = pd.DataFrame({"p": ["政治领航工程", "固本强基工程", "服务保障工程", "舆论阵地建设工程"],
                          "x": [4.3, 3.43, 3.32, 3.6], "y": [4.54, 4.43, 4.38, 3.5]})
    fig = ipa_quadrant(table, x="x", y="y", label="p")
    ax = fig.axes[0]
    fig.draw_without_rendering()
    box = ax.get_window_extent()
    labels = [t for t in ax.texts if t.get_text() in set(table["p"])]
    assert len(labels) == 4
    extents = [t.get_window_extent() for t in labels]
    for e in extents:
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1
    assert not any(a.overlaps(b) for i, a in enumerate(extents) for b in extents[i + 1:])


def test_png_is_a_palette_image_smaller_than_full_colour(likert_counts: pd.DataFrame) -> None:
    import io

    from PIL import Image

    fig = diverging_likert(likert_counts, item="item", group="college",
                           categories=[1, 2, 3, 4, 5], labels=LIKERT_LABELS)
    small, full = figure_bytes(fig, "png"), figure_bytes(fig, "png", quantize=None)
    assert small == figure_bytes(fig, "png")
    with Image.open(io.BytesIO(small)) as im:
        assert im.mode == "P" and not im.text  # no software or date chunk
        assert im.width == pytest.approx(PAGE_WIDTH * 150, rel=0.1)  # page wide at 150 dpi
    assert len(small) < 0.6 * len(full)
