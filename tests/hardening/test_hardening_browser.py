"""The real demo committee report, opened offline in headless Chromium (issue 4 §4).

Chromium sees no system font (``browser_probe.py``): the Chinese text must be drawn by the font
embedded in the report."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import pytest
from browser_probe import ARTIFACTS, CHROMIUM, assert_cjk_rendered_by_embedded_font, probe_page

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium 未安装（.ci/run 会安装）")


def test_demo_committee_report_renders_offline(two_runs, need_report, tmp_path: Path) -> None:
    run = two_runs[0]
    committee = run.reports / "committee.html"
    shot = ARTIFACTS / "demo_committee_screenshot.png"
    probe, dom = probe_page(committee, tmp_path, shot, height=2400)
    # The brief embeds the figures that carry its answers (not every figure the notebooks
    # drew); each of them must load.
    embedded = committee.read_text(encoding="utf-8").count("<img ")
    assert probe["images"] == embedded >= 5
    assert probe["broken"] == []
    assert probe["resources"] == []  # no request to any host, nothing failed
    assert not probe["cjk_system_same_as_embedded"], probe  # no system Chinese font to use
    assert_cjk_rendered_by_embedded_font(probe)
    for text in ("合成数据", "本院", "过硬党支部建设", "六个问题"):
        assert text in dom, text
    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1280)
    assert 0.005 < (pixels.mean(axis=2) < 0.6).mean() < 0.6  # text, not a blank page
