"""What the notebooks call: ``from survey import analysis as A``.

A thin re-export of :mod:`survey.report.sections` (one module per notebook), kept so that
notebooks and users' own scripts keep working whichever module a section lives in.
"""

from survey.report.sections import *  # noqa: F403
from survey.report.sections import __all__  # noqa: F401
