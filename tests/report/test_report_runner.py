"""The report runner: committee/audit HTML content, incremental reruns, force, failures."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from conftest import CHINESE_MARKER, run_quiet

from survey.errors import SurveyError
from survey.report.runner import (
    _add_toc,
    _cells_digest,
    _compute_keys,
    _Notebook,
    strip_external_references,
)

NAMES = ["01_gaps", "02_indicators", "03_findings"]


def _html(path) -> str:
    return path.read_text(encoding="utf-8")


def test_cold_run_executes_all_in_dependency_order(cold_report, report_project) -> None:
    assert sorted(cold_report.executed) == NAMES
    assert cold_report.skipped == []
    lines = cold_report.progress_lines
    started = [ln for ln in lines if ln.startswith("▶ 执行")]
    finished = [ln for ln in lines if ln.startswith("✓")]
    assert len(started) == 3 and len(finished) == 3
    assert all("用时" in ln and "秒" in ln for ln in finished)
    # 03 depends on 01: it starts only after 01 finished
    assert lines.index("▶ 执行 03_findings.ipynb（首次运行）") > next(
        i for i, ln in enumerate(lines) if ln.startswith("✓ 01_gaps"))
    assert {f"execute:{n}" for n in NAMES} <= set(cold_report.timings)
    figures = report_project["figures_dir"]
    assert (figures / "gap_by_dimension.png").stat().st_size > 1000
    assert (figures / "gap_by_dimension.svg").is_file()
    # the notebook saw the figure written by its upstream notebook
    assert "图已生成： True" in _html(cold_report.committee)


def test_committee_html_is_offline_codeless_and_complete(cold_report, report_project) -> None:
    page = _html(cold_report.committee)
    assert '<html lang="zh-CN"' in page
    # offline: nothing fetched from another host
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", page, re.I)
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", page, re.I)
    hrefs = re.findall(r'\bhref="([^"]*)"', page)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    # no code, no prompts, no stderr
    for code in ("SECRET_CODE_MARKER", "import pandas", "forest_plot(", "study_path = ",
                 "SECRET-STDERR"):
        assert code not in page
    body = page[page.index("<body"):]
    assert "jp-InputPrompt" not in body and "jp-InputArea-editor" not in body
    # content: Chinese text (from a hide_input cell), TOC, embedded figure
    assert CHINESE_MARKER in page
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    assert "一、对标差距" in toc and "1.1 小结" in toc and "三、综合结论" in toc
    imgs = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', page)
    assert len(imgs) == 1
    assert base64.b64decode(imgs[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "@font-face" in page and "data:font/woff;base64," in page
    # print, notice, provenance
    assert "@media print" in page and "break-inside: avoid" in page
    assert page.count("合成数据，仅供演示") >= 2  # top banner and footer
    digest = hashlib.sha256((report_project["processed"] / "responses.csv").read_bytes())
    assert digest.hexdigest() in page
    assert "软件版本：python" in page and "pandas" in page and "生成时间" in page


def test_audit_html_keeps_code(cold_report) -> None:
    audit = {p.name: p for p in cold_report.audit}
    assert set(audit) == {f"{n}.html" for n in NAMES} | {"index.html"}
    page = _html(audit["01_gaps.html"])
    assert "SECRET_CODE_MARKER" in page and "forest_plot" in page
    assert "injected-parameters" in page  # auditors see the injected parameters
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", page, re.I)
    index = _html(audit["index.html"])
    assert all(f'href="{n}.html"' in index for n in NAMES)


def test_rerun_skips_unchanged_and_reruns_changed_input(cold_report, report_project) -> None:
    committee = cold_report.committee
    before = committee.stat().st_mtime_ns
    again = run_quiet(report_project)
    assert again.executed == [] and sorted(again.skipped) == NAMES
    assert committee.stat().st_mtime_ns == before  # nothing re-exported
    assert "委员会报告无需更新" in again.progress_lines

    indicators = report_project["processed"] / "indicators.csv"
    indicators.write_text("name,value\n平台,1\n品牌,3\n", encoding="utf-8")
    changed = run_quiet(report_project)
    assert changed.executed == ["02_indicators"]
    assert sorted(changed.skipped) == ["01_gaps", "03_findings"]
    assert "▶ 执行 02_indicators.ipynb（数据文件有变化）" in changed.progress_lines
    assert "指标数： 2" in _html(committee)


def test_force_reruns_all_in_dependency_order(mini_project) -> None:
    project = mini_project(
        {"a_first": "open(figures_dir + '/a.txt', 'w').write('来自上游')",
         "b_second": "print(open(figures_dir + '/a.txt').read())"},
        meta={"a_first": {"inputs": []}, "b_second": {"inputs": [], "depends_on": ["a_first"]}},
    )
    first = run_quiet(project)
    assert sorted(first.executed) == ["a_first", "b_second"]
    assert "来自上游" in _html(first.committee)
    forced = run_quiet(project, force=True)
    assert sorted(forced.executed) == ["a_first", "b_second"]
    assert "▶ 执行 a_first.ipynb（强制重新执行）" in forced.progress_lines
    assert forced.progress_lines.index("▶ 执行 b_second.ipynb（强制重新执行）") > next(
        i for i, ln in enumerate(forced.progress_lines) if ln.startswith("✓ a_first"))


def test_keys_follow_sources_inputs_and_upstream(tmp_path) -> None:
    """Without executing anything: which edits change which notebook's cache key."""
    nb = {"cells": [{"cell_type": "code", "source": ["x = 1\n", "print(x)"],
                     "metadata": {}, "outputs": [{"output_type": "stream"}]}],
          "metadata": {"survey": {"inputs": ["a.csv"]}}}
    same_source_other_outputs = json.loads(json.dumps(nb))
    same_source_other_outputs["cells"][0]["outputs"] = []
    same_source_other_outputs["cells"][0]["source"] = "x = 1\nprint(x)"
    assert _cells_digest(nb) == _cells_digest(same_source_other_outputs)

    (tmp_path / "a.csv").write_text("1", encoding="utf-8")
    up = _Notebook("up", tmp_path / "up.ipynb", ["a.csv"], [], True, "digest-up")
    down = _Notebook("down", tmp_path / "down.ipynb", [], ["up"], True, "digest-down")
    other = _Notebook("other", tmp_path / "other.ipynb", None, [], True, "digest-other")

    def keys(**kw) -> dict[str, str]:
        args = {"processed_dir": tmp_path, "parameters": {"p": 1}, "study_digest": "s"} | kw
        _compute_keys([up, down, other], **args)
        return {nb.name: nb.key for nb in (up, down, other)}

    base = keys()
    up.cells_digest = "digest-up-edited"
    edited = keys()
    assert edited["up"] != base["up"] and edited["down"] != base["down"]
    assert edited["other"] == base["other"]
    (tmp_path / "a.csv").write_text("2", encoding="utf-8")
    changed = keys()
    assert changed["up"] != edited["up"] and changed["down"] != edited["down"]
    assert changed["other"] != edited["other"]  # undeclared inputs: the whole folder counts
    assert keys(parameters={"p": 2})["other"] != changed["other"]
    assert keys(study_digest="t")["other"] != changed["other"]


def test_failing_notebook_leaves_previous_reports(mini_project) -> None:
    project = mini_project({"only": "print('第一版')"})
    ok = run_quiet(project)
    before = ok.committee.read_bytes()
    nb_path = project["notebooks_dir"] / "only.ipynb"
    nb_path.write_text(nb_path.read_text(encoding="utf-8").replace(
        "print('第一版')", "raise ValueError('数据不对')"), encoding="utf-8")
    with pytest.raises(SurveyError) as err:
        run_quiet(project)
    message = err.value.message_zh()
    assert "only.ipynb" in message and "ValueError: 数据不对" in message
    assert ok.committee.read_bytes() == before
    assert (project["reports_dir"] / ".cache" / "only.failed.ipynb").is_file()
    assert not list(project["reports_dir"].rglob("*.tmp"))


def test_bad_dependencies_are_reported(mini_project) -> None:
    project = mini_project({"x": "1", "y": "2"},
                           meta={"x": {"depends_on": ["y"]}, "y": {"depends_on": ["x.ipynb"]}})
    with pytest.raises(SurveyError, match="成环"):
        run_quiet(project)
    project = mini_project({"x": "1"}, meta={"x": {"depends_on": ["missing"]}})
    with pytest.raises(SurveyError, match="依赖 missing 不存在"):
        run_quiet(project)


def test_strip_external_references() -> None:
    page = (
        '<script src="https://cdn.example.org/require.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/a.css">'
        '<img src="http://example.org/x.png" alt="x"><img src="data:image/png;base64,AAAA">'
        '<style>@import url("https://x.org/y.css"); .a{background:url(http://x.org/b.png)}</style>'
        '<a href="https://example.org/doc">链接</a>'
    )
    out = strip_external_references(page)
    assert "cdn.example.org" not in out and "fonts.example.org" not in out
    assert "x.org" not in out and "example.org/x.png" not in out
    assert "（外部图片已移除）" in out and 'src="data:image/png;base64,AAAA"' in out
    assert '<a href="https://example.org/doc">链接</a>' in out  # a link is not a request


def test_toc_gets_unique_ids() -> None:
    page = ('<!--SURVEY-TOC--><main><h1 id="a">第一章<a class="anchor-link" href="#a">¶</a></h1>'
            '<h2 id="a">第一章</h2><h4>不收录</h4></main>')
    out = _add_toc(page)
    assert '<h1 id="sec-1">第一章</h1>' in out and '<h2 id="sec-2">第一章</h2>' in out
    assert out.count('<li class="toc-') == 2 and "anchor-link" not in out
