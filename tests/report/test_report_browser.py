"""committee.html in headless Chromium with the network off: loads fully, renders, no request.

Needs Debian's ``chromium`` (``.ci/run`` installs it); skipped when it is missing. Uses only the
command line (``--dump-dom``, ``--screenshot``): a small script appended to a copy of the page
reports, after the load event, every resource the browser fetched (Resource Timing) and every
image that failed to decode. The screenshot is kept in ``tests/artifacts/`` (gitignored).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import CHINESE_MARKER

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium 未安装（.ci/run 会安装）")

_PROBE = """
<script>
window.addEventListener("load", async () => {
  void document.body.offsetHeight;  // lay the page out: fonts in use start loading
  await document.fonts.ready;
  const imgs = Array.from(document.images);
  const out = {
    images: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 60)),
    resources: performance.getEntriesByType("resource").map(r => r.name),
    fonts: Array.from(document.fonts).map(f => f.family + ":" + f.status),
    text: document.body.innerText.length,
  };
  const pre = document.createElement("pre");
  pre.id = "survey-probe";
  pre.textContent = "PROBE" + JSON.stringify(out) + "END";
  document.body.appendChild(pre);
});
</script>
"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--no-default-browser-check", "--mute-audio",
        f"--user-data-dir={profile}",
        # network off: every host resolves to nothing and every proxied request fails
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
        "--virtual-time-budget=10000", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_committee_html_loads_offline_in_chromium(cold_report, tmp_path: Path) -> None:
    page = cold_report.committee.read_text(encoding="utf-8")
    probe_copy = tmp_path / "probe.html"
    probe_copy.write_text(page.replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "committee_screenshot.png"
    shot.unlink(missing_ok=True)
    dom = _chromium(["--dump-dom", "--screenshot=" + str(shot), "--window-size=1280,2000",
                     "--hide-scrollbars", probe_copy.as_uri()], tmp_path / "profile")
    found = re.search(r"PROBE(\{.*?\})END", dom.stdout, re.S)
    assert found, f"no probe output; stderr: {dom.stderr[-2000:]}"
    probe = json.loads(found.group(1))
    assert probe["images"] >= 1 and probe["broken"] == []
    assert probe["resources"] == []  # data URIs only: nothing requested, nothing failed
    # the embedded CJK font was needed (no system CJK font here) and loaded from its data URI
    assert any(f.startswith("SurveyCJK:loaded") for f in probe["fonts"]), probe["fonts"]
    assert probe["text"] > 200
    assert CHINESE_MARKER in dom.stdout

    assert shot.is_file(), "no screenshot written"
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1280)
    ink = (pixels.mean(axis=2) < 0.6).mean()
    assert 0.005 < ink < 0.6  # text and figures, not a blank (or all-dark) page
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 50  # colour: notice, figure
