"""theme_change: shares per wave and per-theme tests, checked against scipy and hand counts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from survey.errors import SurveyError
from survey.instruments.symposium import themes_from_frame
from survey.stats.themes import theme_change

THEMES = themes_from_frame(pd.DataFrame({"code": ["T01", "T02", "T03"], "label": ["学习", "组织", "作风"]}))


def _statements(n: int, counts: dict[str, int], prefix: str) -> pd.DataFrame:
    codes: list[tuple[str, ...]] = [() for _ in range(n)]
    for code, k in counts.items():
        for i in range(k):
            codes[i] = (*codes[i], code)
    return pd.DataFrame({"statement_id": [f"{prefix}{i}" for i in range(n)],
                         "session": "A", "group": "书记", "codes_a": codes})


def test_theme_change_against_scipy() -> None:
    s1 = _statements(60, {"T01": 30, "T02": 3}, "a")
    s2 = _statements(50, {"T01": 10, "T02": 4}, "b")
    out = theme_change(s1, s2, THEMES).set_index("code")
    assert out.loc["T01", "n1"] == 30 and out.loc["T01", "n2"] == 10
    assert out.loc["T01", "share1"] == pytest.approx(0.5)
    assert out.loc["T01", "share2"] == pytest.approx(0.2)
    assert out.loc["T01", "change"] == pytest.approx(-0.3)
    chi = sps.chi2_contingency(np.array([[30, 30], [10, 40]]), correction=False)
    assert out.loc["T01", "test"] == "chi2"
    assert out.loc["T01", "statistic"] == pytest.approx(chi[0])
    assert out.loc["T01", "p"] == pytest.approx(chi[1])
    fish = sps.fisher_exact(np.array([[3, 57], [4, 46]]))
    assert out.loc["T02", "test"] == "fisher"
    assert out.loc["T02", "p"] == pytest.approx(fish[1])
    assert out.loc["T03", "test"] == "none" and np.isnan(out.loc["T03", "p"])
    holm = multipletests([chi[1], fish[1]], method="holm")[1]
    assert out.loc[["T01", "T02"], "p_adj"].to_numpy() == pytest.approx(holm)
    assert out.loc["T01", "label"] == "学习"


def test_theme_change_needs_both_waves() -> None:
    with pytest.raises(SurveyError, match="两轮"):
        theme_change(_statements(5, {}, "a"), _statements(0, {}, "b"), THEMES)
