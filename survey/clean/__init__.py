"""Cleaning: rules that flag (:mod:`.rules`), the exclusion ledger (:mod:`.ledger`), personal-data protection (:mod:`.privacy`)."""
