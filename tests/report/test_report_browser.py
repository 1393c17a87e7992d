"""committee.html in headless Chromium with the network off: loads fully, renders, no request.

Needs Debian's ``chromium`` (``.ci/run`` installs it); skipped when it is missing. Uses only the
command line (``--dump-dom``, ``--screenshot``): a small script appended to a copy of the page
reports, after the load event, every resource the browser fetched (Resource Timing) and every
image that failed to decode. The screenshot is kept in ``tests/artifacts/`` (gitignored).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_probe import ARTIFACTS, CHROMIUM, probe_page
from conftest import CHINESE_MARKER

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium 未安装（.ci/run 会安装）")


def test_committee_html_loads_offline_in_chromium(cold_report, tmp_path: Path) -> None:
    shot = ARTIFACTS / "committee_screenshot.png"
    probe, dom = probe_page(cold_report.committee, tmp_path, shot)
    assert probe["images"] >= 1 and probe["broken"] == []
    assert probe["resources"] == []  # data URIs only: nothing requested, nothing failed
    # the embedded CJK font was needed (no system CJK font here) and loaded from its data URI
    assert any(f.startswith("SurveyCJK:loaded") for f in probe["fonts"]), probe["fonts"]
    assert probe["text"] > 200
    assert CHINESE_MARKER in dom

    assert shot.is_file(), "no screenshot written"
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1280)
    ink = (pixels.mean(axis=2) < 0.6).mean()
    assert 0.005 < ink < 0.6  # text and figures, not a blank (or all-dark) page
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 50  # colour: notice, figure
