"""What the notebooks call: ``from survey import analysis as A``.

A thin re-export of :mod:`survey.report.analysis`, kept so that notebooks and users' own
scripts keep working whichever module a section lives in.
"""

from survey.report.analysis import *  # noqa: F403
from survey.report.analysis import __all__  # noqa: F401
