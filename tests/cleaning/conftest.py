"""Fixtures for the cleaning tests (data and builders live in ``cleaning_support.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from cleaning_support import CODEBOOK, build_study

from survey.clean.rules import RuleContext
from survey.config.codebook import Codebook


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return Codebook.model_validate(CODEBOOK)


@pytest.fixture
def make_ctx(codebook: Codebook) -> Callable[..., RuleContext]:
    """``make_ctx(cleaning={...}, prior={rule_id: flags}, end="2026-09-30")``."""

    def make(
        cleaning: dict[str, Any] | None = None,
        prior: dict[str, Any] | None = None,
        end: str | None = "2026-09-30",
    ) -> RuleContext:
        ctx = RuleContext.from_study(codebook, build_study(cleaning, end=end))
        if prior:
            ctx = RuleContext(
                codebook=ctx.codebook,
                cleaning=ctx.cleaning,
                fieldwork=ctx.fieldwork,
                attributes=ctx.attributes,
                prior_flags={k: pd.Series(v, dtype=bool) for k, v in prior.items()},
            )
        return ctx

    return make
