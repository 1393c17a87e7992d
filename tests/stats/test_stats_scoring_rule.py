"""The documented minimum-answered rule (``scoring.min_answered``) and its Chinese wording."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from survey.config.codebook import Codebook
from survey.stats.scoring import describe_rule, min_items_needed, score_scales


def _codebook(k: int) -> Codebook:
    return Codebook.model_validate({
        "title": "t",
        "option_sets": {"a5": {i: str(i) for i in range(1, 6)}},
        "items": [{"id": f"x{i}", "text": f"x{i}", "type": "likert", "options": "a5"}
                  for i in range(k)],
        "scales": [{"id": "S", "label": "量表", "items": [f"x{i}" for i in range(k)]}],
    })


def _fewest_scored(k: int, share: float) -> int:
    """Smallest number of answered items for which score_scales gives a score (by trial)."""
    rows = [[3.0] * m + [np.nan] * (k - m) for m in range(k + 1)]
    df = pd.DataFrame(rows, columns=[f"x{i}" for i in range(k)])
    scored = score_scales(df, _codebook(k), min_answered=share)["S"].notna().to_numpy()
    return int(np.flatnonzero(scored)[0])


@pytest.mark.parametrize("k", range(2, 11))
def test_default_is_ceil_half_exactly(k: int) -> None:
    """The default 0.5 keeps today's behaviour: at least ceil(k/2) items (demo numbers unchanged)."""
    assert _fewest_scored(k, 0.5) == math.ceil(k / 2) == min_items_needed(k)


@pytest.mark.parametrize("share", [0.2, 0.5, 0.6, 0.75, 1.0])
def test_description_states_the_rule_score_scales_applies(share: float) -> None:
    sizes = [3, 4, 5, 6, 7]
    text = describe_rule(share, n_items=sizes)
    assert text.startswith("量表得分为按比例折算的均值")
    found = {int(k): int(m) for k, m in re.findall(r"(\d+) 题的量表(?:至少答|须答满) (\d+) 题", text)}
    assert found == {k: _fewest_scored(k, share) for k in sizes}
    assert text.count("。") == 1  # one sentence


def test_description_of_the_default() -> None:
    assert "不足该量表题数的一半" in describe_rule()
    assert "不足该量表题数的 75%" in describe_rule(0.75)
    assert "须全部作答" in describe_rule(1.0)
