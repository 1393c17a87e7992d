"""Statistics: one module per family, pingouin style (``f(data, *, columns, by, ...)`` -> tidy DataFrame)."""
