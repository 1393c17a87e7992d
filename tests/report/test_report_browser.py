"""committee.html in headless Chromium with the network off: loads fully, renders, no request.

Needs Debian's ``chromium`` (``.ci/run`` installs it); skipped when it is missing. Uses only the
command line (``--dump-dom``, ``--screenshot``): a small script appended to a copy of the page
reports, after the load event, every resource the browser fetched (Resource Timing), every
image that failed to decode and how the Chinese text renders (``browser_probe.py``). The
screenshot is kept in ``tests/artifacts/`` (gitignored).

The machine's fonts are hidden from Chromium: the page is opened once with no system Chinese
font (the embedded font must draw every Chinese character) and once with a system "Noto Sans
CJK SC" on offer (the font file the report embeds, offered as a system font): the report still
uses its embedded font, so the committee sees the same glyphs on every machine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_probe import ARTIFACTS, CHROMIUM, assert_cjk_rendered_by_embedded_font, probe_page
from conftest import CHINESE_MARKER

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium 未安装（.ci/run 会安装）")


def _system_cjk_font() -> list[Path]:
    from survey.report.fonts import cjk_font_file

    font = cjk_font_file()
    assert font is not None
    return [Path(font)]


def test_committee_html_loads_offline_in_chromium(cold_report, tmp_path: Path) -> None:
    shot = ARTIFACTS / "committee_screenshot.png"
    probe, dom = probe_page(cold_report.committee, tmp_path, shot)
    assert probe["images"] >= 1 and probe["broken"] == []
    assert probe["resources"] == []  # data URIs only: nothing requested, nothing failed
    # no system Chinese font: only the embedded font, loaded from its data URI, draws the text
    assert not probe["cjk_system_same_as_embedded"], probe
    assert_cjk_rendered_by_embedded_font(probe)
    assert probe["text"] > 200
    assert CHINESE_MARKER in dom

    assert shot.is_file(), "no screenshot written"
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1280)
    ink = (pixels.mean(axis=2) < 0.6).mean()
    assert 0.005 < ink < 0.6  # text and figures, not a blank (or all-dark) page
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 50  # colour: notice, figure


def test_committee_html_prefers_embedded_font_over_system_cjk_font(cold_report, tmp_path: Path) -> None:
    shot = tmp_path / "with_system_font.png"
    probe, _ = probe_page(cold_report.committee, tmp_path, shot, height=600,
                          system_fonts=_system_cjk_font())
    assert probe["cjk_system_same_as_embedded"], probe  # the system font is really there
    assert_cjk_rendered_by_embedded_font(probe)
