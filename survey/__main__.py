"""``python -m survey`` is the same as the ``survey`` command."""

from survey.cli import main

raise SystemExit(main())
