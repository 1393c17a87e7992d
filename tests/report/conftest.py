"""Fixtures for the report runner and plot tests: a tiny study and throwaway notebooks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

CHINESE_MARKER = "本院在学习型党组织建设上落后于对标院校"


def _notebook(cells: list[tuple[str, str, list[str]]], survey_meta: dict | None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source, tags in cells:
        cell = (nbformat.v4.new_markdown_cell(source) if kind == "md"
                else nbformat.v4.new_code_cell(source))
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if survey_meta is not None:
        nb.metadata["survey"] = survey_meta
    return nb


PARAMS = (
    "code",
    "study_path = None\nprocessed_dir = None\nfigures_dir = None\nreports_dir = None",
    ["parameters"],
)


def write_study(root: Path, *, synthetic: bool = True) -> Path:
    """A minimal valid study.yaml (the questionnaire files only need to exist)."""
    (root / "raw").mkdir(parents=True, exist_ok=True)
    (root / "raw" / "codebook.yaml").write_text("items: []\n", encoding="utf-8")
    (root / "raw" / "home.csv").write_text("id\n1\n", encoding="utf-8")
    processed = root / "processed"
    processed.mkdir(exist_ok=True)
    (processed / "responses.csv").write_text("dimension,score\n学习,3.1\n支部,3.6\n", encoding="utf-8")
    (processed / "indicators.csv").write_text("name,value\n平台,1\n", encoding="utf-8")
    study = root / "study.yaml"
    study.write_text(
        "title: 测试研究：党建工作调研\n"
        f"synthetic: {'true' if synthetic else 'false'}\n"
        "questionnaire:\n  codebook: raw/codebook.yaml\n  files:\n    - path: raw/home.csv\n"
        "fieldwork:\n  start: 2026-09-01\n"
        "output_dir: processed\n",
        encoding="utf-8",
    )
    return study


def write_notebooks(folder: Path) -> dict[str, Path]:
    """Three notebooks: a figure + Chinese text, one reading indicators, one depending on the first."""
    folder.mkdir(parents=True, exist_ok=True)
    nbs = {
        "01_gaps": _notebook(
            [
                ("md", "# 一、对标差距\n\n本节比较本院与对标院校。", []),
                PARAMS,
                ("code", "import pandas as pd\nfrom pathlib import Path\n"
                         "df = pd.read_csv(Path(processed_dir) / 'responses.csv')", ["remove_cell"]),
                ("code", f"print('{CHINESE_MARKER}')", ["hide_input"]),
                ("code", "import sys\nprint('SECRET-STDERR', file=sys.stderr)\nSECRET_CODE_MARKER = 1", []),
                ("code", "from survey.report.plots import forest_plot, save_figure\n"
                         "t = pd.DataFrame({'d': ['学习型党组织', '过硬党支部'], 'e': [-0.4, -0.1],"
                         " 'lo': [-0.7, -0.3], 'hi': [-0.1, 0.1]})\n"
                         "fig = forest_plot(t, label='d', est='e', lo='lo', hi='hi')\n"
                         "save_figure(fig, 'gap_by_dimension', figures_dir)\nfig", []),
                ("md", "## 1.1 小结\n\n差距集中在学习型党组织建设。", []),
            ],
            {"inputs": ["responses.csv"]},
        ),
        "02_indicators": _notebook(
            [
                ("md", "# 二、对标指标", []),
                PARAMS,
                ("code", "import csv, pathlib\n"
                         "with open(pathlib.Path(processed_dir) / 'indicators.csv', encoding='utf-8') as f:\n"
                         "    rows = list(csv.DictReader(f))\n"
                         "print('指标数：', len(rows))", []),
            ],
            {"inputs": ["indicators.csv"]},
        ),
        "03_findings": _notebook(
            [
                ("md", "# 三、综合结论", []),
                PARAMS,
                ("code", "import pathlib\n"
                         "print('图已生成：', (pathlib.Path(figures_dir) / 'gap_by_dimension.png').exists())",
                 []),
            ],
            {"inputs": ["responses.csv"], "depends_on": ["01_gaps"]},
        ),
    }
    paths = {}
    for name, nb in nbs.items():
        paths[name] = folder / f"{name}.ipynb"
        nbformat.write(nb, paths[name])
    return paths


@pytest.fixture(scope="session")
def stable_code_digest():
    """Freeze the package-source hash: other files of survey/ may be edited during a run."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("survey.report.runner.code_digest", lambda: "0" * 64)
        yield


@pytest.fixture(scope="session")
def report_project(tmp_path_factory: pytest.TempPathFactory, stable_code_digest) -> dict[str, Path]:
    """A study, three notebooks and output folders, shared by the runner and browser tests."""
    root = tmp_path_factory.mktemp("report_project")
    study = write_study(root)
    notebooks = write_notebooks(root / "notebooks")
    return {
        "root": root,
        "study": study,
        "notebooks_dir": root / "notebooks",
        "reports_dir": root / "reports",
        "figures_dir": root / "figures",
        "processed": root / "processed",
        **{f"nb_{k}": v for k, v in notebooks.items()},
    }


def run_quiet(project: dict[str, Path], **kwargs: object):
    """run_report on a project, collecting the progress lines in ``result.progress_lines``."""
    from survey.report.runner import run_report

    lines: list[str] = []
    result = run_report(
        project["study"],
        notebooks_dir=project["notebooks_dir"],
        reports_dir=project["reports_dir"],
        figures_dir=project["figures_dir"],
        progress=lines.append,
        **kwargs,
    )
    result.progress_lines = lines  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="session")
def cold_report(report_project: dict[str, Path]):
    """The first (cold) run on the shared project."""
    return run_quiet(report_project, jobs=2)


@pytest.fixture
def mini_project(tmp_path: Path, stable_code_digest) -> Callable[[dict[str, str]], dict[str, Path]]:
    """Factory: a study plus trivial notebooks ``{name: code}`` (fast kernels, no pandas)."""

    def make(cells: dict[str, str], meta: dict[str, dict] | None = None) -> dict[str, Path]:
        study = write_study(tmp_path)
        folder = tmp_path / "notebooks"
        folder.mkdir(exist_ok=True)
        for name, code in cells.items():
            nb = _notebook([("md", f"# {name}", []), PARAMS, ("code", code, [])],
                           (meta or {}).get(name, {"inputs": []}))
            nbformat.write(nb, folder / f"{name}.ipynb")
        return {"root": tmp_path, "study": study, "notebooks_dir": folder,
                "reports_dir": tmp_path / "reports", "figures_dir": tmp_path / "figures",
                "processed": tmp_path / "processed"}

    return make
