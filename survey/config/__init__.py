"""Configuration: ``study.yaml`` (:mod:`.study`), the codebook (:mod:`.codebook`) and safe YAML reading (:mod:`.yamlio`)."""
