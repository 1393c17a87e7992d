"""No planted identifier reaches any output; no report breakdown shows fewer than 5 people; two
runs with different hash seeds and working directories agree byte for byte (processed files)
and number for number (committee report).

What is stripped before comparing the two committee reports (``_report_text``): ``<style>``,
``<script>`` and image data (fonts, figures as data URIs), the run time stamp
(``YYYY-MM-DD HH:MM:SS +ZZZZ``), the two study folders' absolute paths, and the table of
notebook cache keys (a key hashes the injected absolute paths, so it differs by folder).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hardening_helpers import (
    DIGIT_KINDS,
    NAME_KINDS,
    PLANTED,
    ROOT,
    Run,
    normal_form,
    scan_every_spelling,
    scan_for,
    tree_hashes,
)

pytestmark = pytest.mark.slow


def test_planting_reached_the_raw_files(two_runs: tuple[Run, Run, list[str]]) -> None:
    a, _, tokens = two_runs
    raw_hits = {tok for _, tok in scan_for([a.root / "data" / "raw"], tokens)}
    assert raw_hits == set(tokens)  # every token is really in the input
    assert len(tokens) == len(set(tokens)) >= 20


def test_no_identifier_in_processed_outputs_logs_or_manifest(two_runs) -> None:
    a, _, tokens = two_runs
    assert (a.processed / "manifest.json").is_file()
    hits = scan_for([a.processed, a.root / "clean.log"], tokens)
    assert hits == []
    # The scrubbing did find the identifiers in free text (so the scan is not vacuous).
    import json

    manifest = json.loads((a.processed / "manifest.json").read_text(encoding="utf-8"))
    scrubbed = manifest["extra"]["scrubbed"]
    assert scrubbed.get("email", 0) >= 2 and scrubbed.get("id_card", 0) >= 2, scrubbed


def test_no_identifier_in_figures_reports_cache(two_runs, need_report) -> None:
    a, _, tokens = two_runs
    assert (a.reports / "committee.html").is_file()
    assert list(a.figures.glob("*.png")) and list(a.figures.glob("*.svg"))
    hits = scan_for([a.reports, a.figures, a.root / "report.log"], tokens)
    assert hits == []


#: Where the planted/found counts of the leak scan are recorded (git-ignored).
LEAK_COUNTS = ROOT / "tests" / "artifacts" / "leak_scan_counts.json"


def _outputs(a: Run) -> list[Path]:
    """Every output of the run: processed files (cell_changes.*, manifest.json included), the
    logs and, after ``survey report``, figures and reports (HTML, DOCX, PDF, notebooks)."""
    paths = [a.processed, a.root / "clean.log"]
    if a.reported:
        paths += [a.figures, a.reports, a.root / "report.log"]
    return paths


def test_every_spelling_reaches_no_output_and_counts_are_recorded(two_runs) -> None:
    import json

    a, _, _ = two_runs
    raw = scan_every_spelling([a.root / "data" / "raw"], PLANTED)
    assert {(k, v) for _, k, v in raw} == {(k, v) for k, vs in PLANTED.items() for v in vs}
    outputs = _outputs(a)
    files = sorted({str(f) for p in outputs for f in (p.rglob("*") if p.is_dir() else [p]) if f.is_file()})
    hits = scan_every_spelling(outputs, PLANTED)
    found: dict[str, list[str]] = {}
    for file, kind, _value in hits:
        found.setdefault(kind, []).append(str(Path(file).relative_to(a.root)))
    LEAK_COUNTS.parent.mkdir(parents=True, exist_ok=True)
    LEAK_COUNTS.write_text(json.dumps({
        "outputs_scanned": len(files),
        "report_scanned": a.reported,
        "planted": {k: len(v) for k, v in PLANTED.items()},
        "planted_total": sum(len(v) for v in PLANTED.values()),
        "found": {k: len(found.get(k, [])) for k in PLANTED},
        "found_total": len(hits),
        "found_in": found,
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert hits == [], "\n".join(f"{kind} 泄漏到 {file}" for file, kind, _ in hits)


def test_planted_spellings_went_down_the_paths_they_test(two_runs) -> None:
    """The scan is not vacuous: each planted route really carried its value into the run."""
    import json

    import pandas as pd

    a, _, _ = two_runs
    cells = pd.read_parquet(a.processed / "cell_changes.parquet")
    years = cells.loc[cells["item"].eq("years") & cells["row"].isin([60, 61, 62])]
    assert len(years) >= 2 and years["value"].str.startswith("[已隐去").all(), years
    manifest = json.loads((a.processed / "manifest.json").read_text(encoding="utf-8"))
    quoted = [n for n in manifest["extra"]["notes"] if "如“" in n and "[已隐去]" in n]
    assert len(quoted) >= 2, manifest["extra"]["notes"]
    scrubbed = manifest["extra"]["scrubbed"]
    for kind in ("phone", "id_card", "qq", "wechat", "email", "ip", "student_staff_no", "name",
                 "name_context"):
        assert scrubbed.get(kind, 0) >= 1, (kind, scrubbed)
    st = pd.read_parquet(a.processed / "symposium_statements.parquet")
    rows = st.loc[st["source_row"].isin([6, 7, 8])]
    assert len(rows) == 3 and rows["text"].str.count(r"\[已隐去\]").sum() >= 5, rows["text"].tolist()
    speakers = st.loc[st["source_row"].isin([8, 9]), "speaker"]
    assert len(speakers) == 2 and speakers.str.startswith("发言人").all(), speakers.tolist()


def test_scan_finds_a_reformatted_leak(tmp_path: Path) -> None:
    """The normalised scan catches a planted value written in another spelling."""
    leak = tmp_path / "out.csv"
    leak.write_text("a,139-1234-56 21,x\nb,皇甫　静怡,４４０３０５１９８８０８１５１２３９\nc,HUANGFU.JY@example.net\n",
                    encoding="utf-8")
    kinds = {k for _, k, _ in scan_every_spelling([leak], PLANTED)}
    assert kinds == {"phone_344", "roster_spaced", "id_card_spaced", "email_text"}
    clean = tmp_path / "clean.csv"
    clean.write_text("a,139-1234-5620,x\nb,皇甫静,440305198808151238\n", encoding="utf-8")
    assert scan_every_spelling([clean], PLANTED) == []
    assert normal_form("phone_plus86", "+86 139 1234 5624") == "13912345624"
    assert DIGIT_KINDS.isdisjoint(NAME_KINDS) and set(PLANTED) >= DIGIT_KINDS | NAME_KINDS


_COUNT_HEADER = re.compile(r"样本量|答卷人数|作答人数|^n$|^N$|（n=")


def _small_cells(html: str) -> list[str]:
    """Respondent counts from 1 to 4 shown in the committee report's tables."""
    import bs4

    soup = bs4.BeautifulSoup(html, "html.parser")
    bad = []
    for table in soup.find_all("table"):
        header = [th.get_text(strip=True) for th in table.find("tr").find_all(["th", "td"])] \
            if table.find("tr") else []
        crosstab = bool(header) and header[0] == "分组" and "合计" in header
        cols = [i for i, h in enumerate(header) if _COUNT_HEADER.search(h) or (crosstab and i)]
        for tr in table.find_all("tr")[1:]:
            cells = [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for i in cols:
                if i < len(cells) and re.fullmatch(r"[1-4](\.0+)?", cells[i]):
                    bad.append(f"{header[i]}：{cells}")
        for h in header:  # "本院（n=3）" in a column header
            m = re.search(r"n\s*=\s*(\d+)", h)
            if m and 1 <= int(m.group(1)) <= 4:
                bad.append(h)
    return bad


def test_committee_shows_no_breakdown_below_five(two_runs, need_report) -> None:
    a, _, _ = two_runs
    html = (a.reports / "committee.html").read_text(encoding="utf-8")
    assert "<table" in html
    assert _small_cells(html) == []


def test_small_cell_check_catches_a_small_count() -> None:
    html = ("<table><tr><th>维度</th><th>本院样本量</th></tr><tr><td>P1</td><td>3</td></tr>"
            "<tr><td>P2</td><td>&lt;5</td></tr><tr><td>P3</td><td>12</td></tr></table>")
    assert len(_small_cells(html)) == 1


def test_processed_files_byte_identical_across_seed_and_cwd(two_runs) -> None:
    a, b, _ = two_runs
    ha, hb = tree_hashes(a.processed), tree_hashes(b.processed)
    assert len(ha) >= 15 and "responses.sav" in ha
    assert ha == hb


def _report_text(path: Path, roots: list[Path]) -> str:
    import bs4

    soup = bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup.find_all(["style", "script"]):
        tag.decompose()
    for table in soup.find_all("table"):
        first = table.find("tr")
        if first and "执行缓存键" in first.get_text():
            table.decompose()
    text = soup.get_text("\n", strip=True)
    for root in roots:
        text = text.replace(str(root.resolve()), "<ROOT>").replace(str(root), "<ROOT>")
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}", "<TIME>", text)


def test_committee_numbers_identical_across_seed_and_cwd(two_runs, need_report) -> None:
    a, b, _ = two_runs
    ta = _report_text(a.reports / "committee.html", [a.root])
    tb = _report_text(b.reports / "committee.html", [b.root])
    numbers = re.findall(r"-?\d+(?:\.\d+)?", ta)
    assert len(numbers) > 200
    assert numbers == re.findall(r"-?\d+(?:\.\d+)?", tb)
    assert ta == tb
    assert sorted(p.name for p in a.figures.iterdir()) == sorted(p.name for p in b.figures.iterdir())
