"""Research toolkit for a survey study of Party-building work at a technician college.

One obvious entry point per step::

    import survey
    study = survey.load_study("study.yaml")
    codebook = survey.load_codebook(study.resolve(study.questionnaire.codebook))
    responses = survey.read_responses(study, codebook)
    result = survey.clean(responses.frame, codebook, study)
    run = survey.run_clean(study)          # the whole ``survey clean`` step

Attributes are imported lazily so that ``survey --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "SurveyError": "survey.errors",
    "load_study": "survey.config.study",
    "Study": "survey.config.study",
    "load_codebook": "survey.config.codebook",
    "Codebook": "survey.config.codebook",
    "read_responses": "survey.io.readers",
    "clean": "survey.clean.ledger",
    "run_clean": "survey.pipeline",
    "verify": "survey.pipeline",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'survey' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
