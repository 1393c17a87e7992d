"""The synthetic demo study (``survey demo``).

:mod:`survey.demo.world` (population and planted effects), :mod:`survey.demo.mess` (planted
export mess), :mod:`survey.demo.writers` (platform file formats and the driver),
:mod:`survey.demo.truth` (``truth.json``).
"""

from survey.demo.writers import generate_demo

__all__ = ["generate_demo"]
