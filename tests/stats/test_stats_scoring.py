"""Scale scoring: reverse keying and the minimum-answered rule, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.errors import SurveyError
from survey.stats.scoring import reverse_key, score_scales


def test_reverse_key_maps_codes_and_is_an_involution():
    x = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])
    r = reverse_key(x, 1, 5)
    assert r.tolist()[:5] == [5.0, 4.0, 3.0, 2.0, 1.0]
    assert np.isnan(r.iloc[5])
    pd.testing.assert_series_equal(reverse_key(r, 1, 5), x)


def test_scores_are_means_of_keyed_answered_items(codebook):
    # P1 has items P1_1..P1_4, P1_4 reverse keyed on 1..5.
    df = pd.DataFrame({
        "P1_1": [5, 4, np.nan, np.nan],
        "P1_2": [3, 4, 2, np.nan],
        "P1_3": [4, np.nan, np.nan, np.nan],
        "P1_4": [1, 2, np.nan, 3],   # keyed: 5, 4, -, 3
    }, dtype=float)
    s = score_scales(df, codebook, scales=["P1"], min_answered=0.5)["P1"]
    assert s.iloc[0] == pytest.approx((5 + 3 + 4 + 5) / 4)
    assert s.iloc[1] == pytest.approx((4 + 4 + 4) / 3)
    assert np.isnan(s.iloc[2])  # 1 of 4 answered < 50 %
    assert np.isnan(s.iloc[3])
    s2 = score_scales(df, codebook, scales=["P1"], min_answered=0.25)["P1"]
    assert s2.iloc[2] == pytest.approx(2.0)
    assert s2.iloc[3] == pytest.approx(3.0)


def test_scoring_does_not_mutate_input(study, codebook):
    before = study.copy()
    score_scales(study, codebook)
    pd.testing.assert_frame_equal(study, before)


def test_out_of_range_code_is_a_chinese_error_with_row(codebook):
    df = pd.DataFrame({"_file": ["a.xlsx"] * 2, "_row": [2, 3], "P1_1": [1.0, 7.0],
                       "P1_2": [1.0, 2.0], "P1_3": [1.0, 2.0], "P1_4": [1.0, 2.0]})
    with pytest.raises(SurveyError) as e:
        score_scales(df, codebook, scales=["P1"])
    msg = str(e.value)
    assert "超出取值范围" in msg and "第 3 行" in msg and "P1_1" in msg and "a.xlsx" in msg


def test_missing_item_column_is_named(codebook):
    df = pd.DataFrame({"P1_1": [1.0], "P1_2": [1.0], "P1_3": [1.0]})
    with pytest.raises(SurveyError, match="P1_4"):
        score_scales(df, codebook, scales=["P1"])


def test_bad_min_answered_rejected(study, codebook):
    with pytest.raises(SurveyError, match="min_answered"):
        score_scales(study, codebook, min_answered=0)
