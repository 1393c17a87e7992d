"""Open an HTML page in headless Chromium with the network off and report what happened.

Shared by the report tests (tiny notebooks) and the hardening tests (the real demo report).
Needs Debian's ``chromium`` (``.ci/run`` installs it). Uses only the command line
(``--dump-dom``, ``--screenshot``): a small script appended to a copy of the page reports, after
the load event, every resource the browser fetched (Resource Timing), every image that failed to
decode, and the fonts in use.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

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


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with every host unresolvable and every proxied request failing."""
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--no-default-browser-check", "--mute-audio",
        f"--user-data-dir={profile}",
        # network off: every host resolves to nothing and every proxied request fails
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
        "--virtual-time-budget=10000", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def probe_page(page: Path, work: Path, screenshot: Path, *, height: int = 2000) -> tuple[dict[str, Any], str]:
    """Load ``page`` offline; return the probe's findings and the dumped DOM.

    A screenshot of the first ``height`` pixels (1280 wide) is written to ``screenshot``.
    """
    html = page.read_text(encoding="utf-8")
    copy = work / "probe.html"
    copy.write_text(html.replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    dom = run_chromium(
        ["--dump-dom", "--screenshot=" + str(screenshot), f"--window-size=1280,{height}",
         "--hide-scrollbars", copy.as_uri()],
        work / "profile",
    )
    found = re.search(r"PROBE(\{.*?\})END", dom.stdout, re.S)
    assert found, f"no probe output; stderr: {dom.stderr[-2000:]}"
    return json.loads(found.group(1)), dom.stdout
