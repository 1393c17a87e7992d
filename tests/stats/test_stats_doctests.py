"""Run the ``Examples`` of every ``survey.stats`` module's docstrings (issue #12).

Modules are found with :mod:`pkgutil`, so new statistics modules are included automatically.
A module whose examples fail, or a public function of the package without runnable examples
in the modules listed in ``MUST_HAVE_EXAMPLES``, fails the test.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import survey.stats

MODULES = sorted(m.name for m in pkgutil.iter_modules(survey.stats.__path__, "survey.stats."))
#: Modules whose public functions must each carry at least one runnable example.
MUST_HAVE_EXAMPLES = ["survey.stats.common", "survey.stats.compare", "survey.stats.reliability",
                      "survey.stats.suppress", "survey.stats.scoring", "survey.stats.adjust",
                      "survey.stats.ipa"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


@pytest.mark.parametrize("name", MUST_HAVE_EXAMPLES)
def test_public_functions_have_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    missing = []
    for fname, f in inspect.getmembers(module, inspect.isfunction):
        if fname.startswith("_") or f.__module__ != name:
            continue
        tests = finder.find(f, fname, module=module)
        if not any(t.examples for t in tests):
            missing.append(fname)
    assert not missing, f"{name}: public functions without Examples: {missing}"
