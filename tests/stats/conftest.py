"""Shared, seeded fixtures of the statistics tests: a small codebook and a synthetic study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.config.codebook import Codebook

PROJECTS = ["政治领航", "铁军淬炼", "固本强基", "示范引领", "服务保障", "文化育人", "品牌铸造",
            "舆论阵地建设"]
SCALES = {"P1": "学习型党组织建设", "P2": "过硬党支部建设", "P3": "服务型党组织建设"}
COLLEGES = ["本院", "对标A", "对标B", "对标C"]
TYPES = ["在职教职工党员", "学生党员", "离退休党员"]


def build_codebook() -> Codebook:
    items = []
    scales = []
    for sid, label in SCALES.items():
        ids = [f"{sid}_{i}" for i in range(1, 5)]
        items += [{"id": i, "text": f"{label}题目{i[-1]}", "type": "likert", "options": "agree"}
                  for i in ids]
        scales.append({"id": sid, "label": label, "items": ids, "reverse": [ids[-1]]})
    for k, name in enumerate(PROJECTS, start=1):
        items.append({"id": f"IMP_{k}", "text": f"{name}·重要性", "type": "likert",
                      "options": "agree"})
        items.append({"id": f"PERF_{k}", "text": f"{name}·表现", "type": "likert",
                      "options": "agree"})
    return Codebook.model_validate({
        "title": "测试编码手册",
        "option_sets": {"agree": {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}},
        "items": items,
        "scales": scales,
    })


def make_study(seed: int = 1, n: int = 120) -> pd.DataFrame:
    """Synthetic responses: the home college is 0.5 lower on P1, equal on P2, higher on P3.

    Member-type mixes differ by college; items are a latent score plus noise, rounded to 1-5.
    """
    rng = np.random.default_rng(seed)
    gaps = {"P1": -0.5, "P2": 0.0, "P3": 0.3}
    mixes = {"本院": [0.6, 0.3, 0.1], "对标A": [0.4, 0.5, 0.1], "对标B": [0.5, 0.3, 0.2],
             "对标C": [0.3, 0.6, 0.1]}
    rows = []
    for c in COLLEGES:
        types = rng.choice(TYPES, size=n, p=mixes[c])
        rec = {"college": [c] * n, "member_type": types}
        for sid in SCALES:
            latent = 3.4 + (gaps[sid] if c == "本院" else 0.0) + rng.normal(0, 0.7, n)
            for i in range(1, 5):
                x = np.clip(np.rint(latent + rng.normal(0, 0.6, n)), 1, 5)
                rec[f"{sid}_{i}"] = 6 - x if i == 4 else x
        for k in range(1, 9):
            rec[f"IMP_{k}"] = np.clip(np.rint(4.2 - 0.1 * k + rng.normal(0, 0.7, n)), 1, 5)
            perf_mu = 3.0 + 0.15 * k - (0.4 if c == "本院" and k == 1 else 0.0)
            rec[f"PERF_{k}"] = np.clip(np.rint(perf_mu + rng.normal(0, 0.8, n)), 1, 5)
        rows.append(pd.DataFrame(rec))
    df = pd.concat(rows, ignore_index=True)
    # sprinkle missing answers
    item_cols = [c for c in df.columns if c not in ("college", "member_type")]
    miss = rng.random((len(df), len(item_cols))) < 0.03
    df[item_cols] = df[item_cols].mask(miss)
    df.insert(0, "_row", np.arange(2, len(df) + 2))
    df.insert(0, "_file", "demo.xlsx")
    return df


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return build_codebook()


@pytest.fixture(scope="session")
def study() -> pd.DataFrame:
    return make_study()


@pytest.fixture()
def study_copy(study) -> pd.DataFrame:
    return study.copy()
