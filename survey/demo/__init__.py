"""The synthetic demo study (``survey demo``)."""

from survey.demo.generate import generate_demo

__all__ = ["generate_demo"]
