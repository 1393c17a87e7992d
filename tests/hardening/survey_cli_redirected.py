"""Run the real ``survey`` CLI with ``reports/`` and ``figures/`` redirected (for tests).

``survey report`` writes to the repository's ``reports/`` and ``figures/`` (``survey.paths``)
whatever study it runs; tests must not touch those. This wrapper sets
``survey.paths.REPORTS_DIR`` / ``FIGURES_DIR`` from ``SURVEY_TEST_REPORTS_DIR`` /
``SURVEY_TEST_FIGURES_DIR`` (and ``NOTEBOOKS_DIR`` from ``SURVEY_TEST_NOTEBOOKS_DIR``) and then calls ``survey.cli.main`` exactly as ``python -m survey``
does. Usage: ``python survey_cli_redirected.py report --study S --jobs 1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    from survey import cli, paths

    if os.environ.get("SURVEY_TEST_REPORTS_DIR"):
        paths.REPORTS_DIR = Path(os.environ["SURVEY_TEST_REPORTS_DIR"])
    if os.environ.get("SURVEY_TEST_FIGURES_DIR"):
        paths.FIGURES_DIR = Path(os.environ["SURVEY_TEST_FIGURES_DIR"])
    if os.environ.get("SURVEY_TEST_NOTEBOOKS_DIR"):
        paths.NOTEBOOKS_DIR = Path(os.environ["SURVEY_TEST_NOTEBOOKS_DIR"])
    raise SystemExit(cli.main(sys.argv[1:]))
