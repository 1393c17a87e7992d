"""The other instruments: symposium records, benchmark indicators, the membership roster (reading and validation)."""
