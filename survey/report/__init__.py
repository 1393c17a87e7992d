"""Reporting: analysis sections, Chinese sentences, figures, fonts, the notebook runner and the HTML export."""
