"""Open an HTML page in headless Chromium with the network off and report what happened.

Shared by the report tests (tiny notebooks) and the hardening tests (the real demo report).
Needs Debian's ``chromium`` (``.ci/run`` installs it). Uses only the command line
(``--dump-dom``, ``--screenshot``): a small script appended to a copy of the page reports, after
the load event, every resource the browser fetched (Resource Timing), every image that failed to
decode, the web fonts and their status, and how a sample of the page's Chinese text renders.

The machine's fonts never take part: Chromium gets ``FONTCONFIG_FILE`` pointing at a generated
``fonts.conf`` that offers no Chinese font, only matplotlib's own DejaVu Sans (Latin, Greek,
Cyrillic; no CJK glyph), plus the font files a test names (to act out a machine with a Chinese
font installed). One Latin font is needed: with no font at all Chromium cannot lay text out and
even refuses web fonts. Without a system Chinese font, Chinese text that the embedded
``SurveyCJK`` font does not draw comes out as empty boxes, so the probe can tell whether the
Chinese text really renders with the embedded font:

``cjk_sample``
    up to 12 CJK characters taken from the page's body text;
``cjk_width_page`` / ``cjk_width_embedded`` / ``cjk_width_system``
    the sample's width drawn on a canvas with the body's own ``font`` (the report's font list),
    with ``SurveyCJK`` alone, and with the body's font list minus ``SurveyCJK``;
``cjk_same_as_embedded`` / ``cjk_system_same_as_embedded``
    whether the body's font list (the list minus ``SurveyCJK``) and ``SurveyCJK`` alone paint
    the sample pixel for pixel alike.

``fonts`` is recorded before the canvas is drawn on, so ``SurveyCJK:loaded`` means the page
itself needed the embedded font.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
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
    fonts: Array.from(document.fonts).map(f => f.family.replace(/["']/g, "") + ":" + f.status),
    text: document.body.innerText.length,
  };
  const sample = (document.body.innerText.match(/[\u4e00-\u9fff]/g) || []).slice(0, 12).join("");
  const style = getComputedStyle(document.body);
  const size = style.fontSize;
  const families = style.fontFamily;
  const others = families.split(",").map(s => s.trim())
    .filter(s => s.replace(/["']/g, "") !== "SurveyCJK").join(", ");
  const paint = (family) => {
    const c = document.createElement("canvas");
    c.width = 800; c.height = 60;
    const g = c.getContext("2d");
    g.font = size + " " + family;
    g.fillStyle = "#000";
    g.textBaseline = "top";
    g.fillText(sample, 2, 10);
    return {width: g.measureText(sample).width, pixels: Array.from(g.getImageData(0, 0, 800, 60).data).join()};
  };
  const page = paint(families), embedded = paint('"SurveyCJK"'), system = paint(others || "serif");
  Object.assign(out, {
    cjk_sample: sample,
    cjk_width_page: page.width,
    cjk_width_embedded: embedded.width,
    cjk_width_system: system.width,
    cjk_same_as_embedded: page.pixels === embedded.pixels,
    cjk_system_same_as_embedded: system.pixels === embedded.pixels,
  });
  const pre = document.createElement("pre");
  pre.id = "survey-probe";
  pre.textContent = "PROBE" + JSON.stringify(out) + "END";
  document.body.appendChild(pre);
});
</script>
"""


def latin_font() -> Path:
    """matplotlib's DejaVu Sans: a font every test machine has, with no CJK glyph."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def fonts_conf(folder: Path, system_fonts: Sequence[Path] = ()) -> Path:
    """Write a fontconfig file offering :func:`latin_font` and ``system_fonts``; return it.

    The fonts are linked into ``folder / "fonts"``, the only font directory the file names; the
    fontconfig cache also lives under ``folder``, so the machine's fonts and caches are not used.
    """
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    for font in (latin_font(), *system_fonts):
        link = fonts / font.name
        if not link.exists():
            link.symlink_to(font)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


def run_chromium(args: list[str], profile: Path, *, system_fonts: Sequence[Path] = ()
                 ) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline, seeing no Chinese font but ``system_fonts`` (none by default).

    Every host is unresolvable and every proxied request fails; ``FONTCONFIG_FILE`` hides the
    machine's fonts (see :func:`fonts_conf`).
    """
    assert CHROMIUM is not None
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_conf(profile.parent / "fontconfig",
                                                          system_fonts)))
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--no-default-browser-check", "--mute-audio",
        f"--user-data-dir={profile}",
        # network off: every host resolves to nothing and every proxied request fails
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
        "--virtual-time-budget=10000", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False, env=env)


def probe_page(page: Path, work: Path, screenshot: Path, *, height: int = 2000,
               system_fonts: Sequence[Path] = ()) -> tuple[dict[str, Any], str]:
    """Load ``page`` offline; return the probe's findings and the dumped DOM.

    A screenshot of the first ``height`` pixels (1280 wide) is written to ``screenshot``.
    Chromium sees no Chinese font but ``system_fonts`` (none by default).
    """
    html = page.read_text(encoding="utf-8")
    # The report's Content-Security-Policy forbids every script, the probe's too: the copy the
    # probe loads goes without it (the report itself keeps it; tests of the CSP use the original).
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html, count=1)
    copy = work / "probe.html"
    copy.write_text(html.replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    dom = run_chromium(
        ["--dump-dom", "--screenshot=" + str(screenshot), f"--window-size=1280,{height}",
         "--hide-scrollbars", copy.as_uri()],
        work / "profile", system_fonts=system_fonts,
    )
    found = re.search(r"PROBE(\{.*?\})END", dom.stdout, re.S)
    assert found, f"no probe output; stderr: {dom.stderr[-2000:]}"
    return json.loads(found.group(1)), dom.stdout


def assert_cjk_rendered_by_embedded_font(probe: dict[str, Any]) -> None:
    """The page's Chinese text is drawn, and drawn by the embedded ``SurveyCJK`` font."""
    assert any(f.startswith("SurveyCJK:loaded") for f in probe["fonts"]), probe["fonts"]
    assert len(probe["cjk_sample"]) >= 4, probe["cjk_sample"]
    assert probe["cjk_width_embedded"] > 0, probe
    assert probe["cjk_width_page"] == probe["cjk_width_embedded"], probe
    assert probe["cjk_same_as_embedded"], probe
