"""The notebooks: committed clean, and executed top to bottom on the demo and the minimal study."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from survey.report.sections.base import markdown_text

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
EXPECTED = ["01_data_audit", "02_measurement", "03_benchmark_gaps", "04_priorities",
            "05_symposium", "06_indicators", "07_findings"]


def _outputs_text(nb) -> str:
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream":
                parts.append(o.get("text", ""))
            for key in ("text/markdown", "text/plain", "text/html"):
                if key in o.get("data", {}):
                    parts.append(o["data"][key])
    return "\n".join(parts)


def test_notebook_set_in_reading_order() -> None:
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_committed_without_outputs_and_well_formed(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(nb)
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    # a markdown title with a Chinese introduction first
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert re.search(r"[\u4e00-\u9fff]{10}", first.source)
    # the parameters cell, with the four parameters defaulting to None
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("study_path", "processed_dir", "figures_dir", "reports_dir"):
        assert re.search(rf"^{name} = None$", tagged[0].source, re.M)
    # pure plumbing is hidden from the committee; every other code cell hides its input
    code = [c for c in nb.cells if c.cell_type == "code" and c is not tagged[0]]
    assert all({"remove_cell", "hide_input"} & set(c.metadata.get("tags", [])) for c in code)
    # thin: no cell longer than a few lines
    assert max(len(c.source.splitlines()) for c in code) <= 5
    meta = nb.metadata
    assert meta["kernelspec"] == {"name": "survey", "display_name": "调研分析 (survey)", "language": "python"}
    survey = meta["survey"]
    assert survey["committee"] is True
    assert "responses.parquet" in survey["inputs"]
    processed = {"responses", "exclusions", "cell_changes", "cleaning_log", "symposium_sessions",
                 "symposium_statements", "symposium_themes", "indicators",
                 "benchmark_summaries", "roster"}
    for name in survey["inputs"]:
        assert name == "manifest.json" or (name.endswith(".parquet")
                                          and name.removesuffix(".parquet") in processed)
    # headings make the table of contents: at least one second-level heading
    assert any(c.cell_type == "markdown" and c.source.startswith("## ") for c in nb.cells)


def test_dependencies_declared_are_the_sections_read() -> None:
    """A notebook depends on the notebooks computing the sections it reads (07 reads 02–06)."""
    from survey import analysis as A

    calls = {p.stem: set(re.findall(r"\bA\.(\w+)\(ctx", "".join(
        c.source for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code")))
        for p in NOTEBOOKS}
    owner: dict[str, str] = {}
    for stem, names in calls.items():
        for name in names:
            owner.setdefault(name, stem)
    assert owner["benchmark_gaps"] == owner["composition"] == "03_benchmark_gaps"
    for stem, names in calls.items():
        reads = {f.__name__ for n in names if n == "findings" for f in A.UPSTREAM.values()}
        declared = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(
            encoding="utf-8"))["metadata"]["survey"]["depends_on"]
        assert declared == sorted({owner[r] for r in reads} - {stem}), stem
    assert calls["07_findings"] == {"findings"}


@pytest.mark.parametrize("study", ["demo", "minimal"])
def test_every_notebook_executes(analysis_base, study: str) -> None:
    results = analysis_base["results"]
    for name in EXPECTED:
        r = results[f"{study}/{name}"]
        assert r["ok"], f"{study}/{name}:\n{r['error']}"


@pytest.mark.parametrize("study", ["demo", "minimal"])
def test_executed_notebooks_show_chinese_results_and_no_errors(analysis_base, study: str) -> None:
    base = analysis_base["base"]
    for name in EXPECTED:
        nb = nbformat.read(base / "executed" / study / f"{name}.ipynb", as_version=4)
        text = _outputs_text(nb)
        assert "Traceback" not in text
        for c in nb.cells:  # every figure output carries its image, not just "<Figure size …>"
            for o in c.get("outputs", []):
                plain = o.get("data", {}).get("text/plain", "")
                if "Figure" in plain or "Image" in plain:
                    assert "image/png" in o["data"], (name, plain)
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 10, name
        errs = [o for c in nb.cells for o in c.get("outputs", [])
                if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        assert not [e for e in errs if "Glyph" in e.get("text", "")], "missing CJK glyphs"


def test_demo_figures_written_by_content(analysis_base) -> None:
    figs = analysis_base["base"] / "figures" / "demo"
    for name in ("gap_by_dimension", "gap_adjusted", "likert_p1", "likert_p2", "likert_p5",
                 "ipa_quadrant", "symposium_heatmap", "indicator_gaps"):
        assert (figs / f"{name}.png").stat().st_size > 5000, name
        assert (figs / f"{name}.svg").is_file(), name


def test_minimal_study_skips_missing_instruments_with_notes(analysis_base) -> None:
    base = analysis_base["base"]
    figs = {p.stem for p in (base / "figures" / "minimal").glob("*.png")}
    assert figs == {"gap_by_dimension", "likert_org", "likert_svc"}
    texts = {n: _outputs_text(nbformat.read(base / "executed" / "minimal" / f"{n}.ipynb",
                                            as_version=4)) for n in EXPECTED}
    assert "没有座谈会记录" in texts["05_symposium"]
    assert "没有对标指标数据" in texts["06_indicators"]
    assert "重要性—表现" in texts["04_priorities"]
    assert "没有党员类别" in texts["03_benchmark_gaps"]
    # the grouping variable and the reference come from the study file
    assert "主校区在「服务意识」上比其他校区（合并）平均低" in texts["07_findings"]


def test_notebook_sentences_equal_in_process_results(analysis_base, demo_sections) -> None:
    """The notebook and a fresh Python process compute the same numbers (fixed seeds)."""
    nb = nbformat.read(analysis_base["base"] / "executed" / "demo" / "03_benchmark_gaps.ipynb",
                       as_version=4)
    text = _outputs_text(nb)
    # shown as Markdown, with brackets and markup escaped (markdown_text)
    for sentence in demo_sections["gaps"].sentences:
        assert markdown_text(sentence) in text
    fin = nbformat.read(analysis_base["base"] / "executed" / "demo" / "07_findings.ipynb",
                        as_version=4)
    ftext = _outputs_text(fin)
    for sentence in demo_sections["findings"].sentences:
        assert markdown_text(sentence) in ftext


@pytest.mark.parametrize("study", ["demo", "minimal"])
def test_report_run_computes_each_section_once(analysis_base, study: str) -> None:
    """Notebooks 02–06 compute their sections; 07 reads them from the cache instead."""
    from survey import analysis as A

    log = A.computations(analysis_base["base"] / "reports" / study / ".cache" / "sections")
    counts = log.groupby("section").size().to_dict()
    assert counts == {name: 1 for name in ("audit", "measurement", "gaps", "composition",
                                           "priorities", "symposium", "indicators",
                                           "triangulation")}
    # the findings kernel computed triangulation only: every other section came from elsewhere
    pids = log.set_index("section")["pid"]
    assert (pids.drop("triangulation") != pids["triangulation"]).all()
