"""Small deterministic data for the runnable ``Examples`` of the statistics docstrings.

Not used by the analysis itself. ``codebook()`` defines two scales of three 1-5 Likert items
(``S1`` with ``A3`` reverse keyed, ``S2``) and three importance/performance project pairs;
``responses()`` draws 40 seeded respondents per college for 本院, 对标A and 对标B, with
member types and a few missing answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.config.codebook import Codebook

COLLEGES = ("本院", "对标A", "对标B")
TYPES = ("在职教职工党员", "学生党员", "离退休党员")
PROJECTS = ("政治领航", "铁军淬炼", "固本强基")


def codebook() -> Codebook:
    """The example codebook (scales S1, S2; projects IMP_k / PERF_k, k = 1..3)."""
    ids = ["A1", "A2", "A3", "B1", "B2", "B3"]
    items = [{"id": i, "text": f"题目{i}", "type": "likert", "options": "agree"} for i in ids]
    for k, name in enumerate(PROJECTS, start=1):
        items += [{"id": f"IMP_{k}", "text": f"{name}·重要性", "type": "likert", "options": "agree"},
                  {"id": f"PERF_{k}", "text": f"{name}·表现", "type": "likert", "options": "agree"}]
    return Codebook.model_validate({
        "title": "示例编码手册",
        "option_sets": {"agree": {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}},
        "items": items,
        "scales": [{"id": "S1", "label": "学习型党组织建设", "items": ids[:3], "reverse": ["A3"]},
                   {"id": "S2", "label": "服务型党组织建设", "items": ids[3:], "reverse": []}],
    })


def responses(n: int = 40, seed: int = 7) -> pd.DataFrame:
    """Seeded answers: the home college is lower on S1 and equal on S2."""
    rng = np.random.default_rng(seed)
    parts = []
    for c in COLLEGES:
        rec: dict[str, object] = {"college": [c] * n,
                                  "member_type": rng.choice(TYPES, size=n, p=[0.5, 0.4, 0.1])}
        for scale, shift in (("A", -0.5 if c == "本院" else 0.0), ("B", 0.0)):
            latent = 3.5 + shift + rng.normal(0, 0.7, n)
            for i in (1, 2, 3):
                x = np.clip(np.rint(latent + rng.normal(0, 0.6, n)), 1, 5)
                rec[f"{scale}{i}"] = 6 - x if (scale, i) == ("A", 3) else x
        for k in (1, 2, 3):
            rec[f"IMP_{k}"] = np.clip(np.rint(4.3 - 0.3 * k + rng.normal(0, 0.7, n)), 1, 5)
            rec[f"PERF_{k}"] = np.clip(np.rint(3.0 + 0.3 * k + rng.normal(0, 0.8, n)), 1, 5)
        parts.append(pd.DataFrame(rec))
    df = pd.concat(parts, ignore_index=True)
    df.loc[[3, 50, 97], "A2"] = np.nan
    return df


def scores() -> pd.DataFrame:
    """Scale scores of :func:`responses` with the ``college`` and ``member_type`` columns."""
    from survey.stats.scoring import score_scales

    df = responses()
    return score_scales(df, codebook()).join(df[["college", "member_type"]])
