"""Fixtures for export and manifest tests: a processed-looking frame and its labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.config.codebook import Codebook


@pytest.fixture
def codebook() -> Codebook:
    return Codebook.model_validate(
        {
            "title": "测试问卷",
            "option_sets": {
                "agree5": {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
            },
            "items": [
                {
                    "id": "p1_1",
                    "text": "学习形式多样，效果明显",
                    "type": "likert",
                    "options": "agree5",
                },
                {
                    "id": "p1_2",
                    "text": "有智慧党建平台",
                    "type": "likert",
                    "options": "agree5",
                    "label": "智慧党建",
                },
                {
                    "id": "member_type",
                    "text": "您的党员类别",
                    "type": "single",
                    "options": {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"},
                },
                {
                    "id": "carrier",
                    "text": "学习载体",
                    "type": "multiple",
                    "options": {1: "学习强国", 2: "其他"},
                    "other_option": 2,
                },
                {"id": "years", "text": "党龄（年）", "type": "numeric"},
                {"id": "suggest", "text": "您的建议", "type": "text"},
            ],
            "identifiers": [
                {"id": "phone", "kind": "phone", "action": "pseudonymise", "respondent_key": True},
                {"id": "ip", "kind": "ip", "action": "coarsen"},
            ],
        }
    )


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(20260903)
    n = 6
    return pd.DataFrame(
        {
            "_file": ["raw/本院.xlsx"] * 3 + ["raw/对标A.csv"] * 3,
            "_row": np.arange(2, 2 + n, dtype="int64"),
            "submitted_at": pd.to_datetime(
                [
                    "2026-09-03 12:00:00",
                    "2026-09-03 12:05:30",
                    None,
                    "2026-09-04 08:00:00",
                    "2026-09-04 09:10:11",
                    "2026-09-05 20:00:00",
                ]
            ),  # fmt: skip
            "duration_s": [123.0, 0.1, np.nan, 1e-7, 95.5, 3600.0],
            "respondent_key": [
                "R0123456789abcdef",
                "R1111111111111111",
                None,
                "R2222222222222222",
                "R3333333333333333",
                "R4444444444444444",
            ],  # fmt: skip
            "ip_province": ["山东", "山东", None, "北京", None, "广西"],
            "p1_1": rng.integers(1, 6, n).astype(float),
            "p1_2": [5.0, 4.0, np.nan, 2.0, 1.0, 3.0],
            "member_type": [1.0, 2.0, 3.0, 1.0, np.nan, 2.0],
            "carrier_1": [1.0, 0.0, 1.0, 0.0, np.nan, 1.0],
            "carrier_2": [0.0, 1.0, 0.0, 0.0, np.nan, 1.0],
            "carrier_other": [None, "=SUM(A1:A9)", None, None, None, "＠校企联合支部"],
            "years": [12.0, -1.5, 3.0, 40.0, np.nan, 0.0],
            "suggest": [
                "加强“三会一课”，\n落实组织生活",
                "+86 已隐去",
                "-无-",
                "-5",
                "@所有人",
                None,
            ],
            "is_home": [True, True, True, False, False, False],
        }
    )
