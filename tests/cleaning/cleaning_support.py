"""Shared test data for tests/cleaning: a small codebook, a study factory and a frame builder."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from survey.config.study import Study

AGREE5 = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}

CODEBOOK = {
    "title": "党建工作调查（测试）",
    "option_sets": {"agree5": AGREE5},
    "items": [
        *(
            {"id": f"a{i}", "text": f"学习{i}", "type": "likert", "options": "agree5"}
            for i in range(1, 5)
        ),
        *(
            {"id": f"b{i}", "text": f"支部{i}", "type": "likert", "options": "agree5"}
            for i in range(1, 5)
        ),
        {"id": "att", "text": "本题请选择“同意”", "type": "likert", "options": "agree5"},
        {
            "id": "member",
            "text": "党员类型",
            "type": "single",
            "options": {1: "在职教职工党员", 2: "学生党员", 3: "离退休党员"},
        },
        {"id": "years", "text": "党龄", "type": "numeric", "range": [0, 70]},
        {
            "id": "channels",
            "text": "学习渠道",
            "type": "multiple",
            "options": {1: "线下", 2: "线上", 3: "其他"},
            "other_option": 3,
        },
        {
            "id": "prio",
            "text": "优先项目",
            "type": "ranking",
            "options": {1: "政治领航", 2: "铁军淬炼", 3: "固本强基"},
        },
        {"id": "remark", "text": "意见建议", "type": "text"},
    ],
    "scales": [
        {
            "id": "P1",
            "label": "学习型党组织建设",
            "items": ["a1", "a2", "a3", "a4"],
            "reverse": ["a4"],
        },
        {"id": "P2", "label": "过硬党支部建设", "items": ["b1", "b2", "b3", "b4"]},
    ],
    "attention_checks": [{"item": "att", "correct": 4}],
    "identifiers": [
        {"id": "phone", "kind": "phone", "action": "pseudonymise", "respondent_key": True}
    ],
}

#: Number of substantive questions in CODEBOOK (a1-a4, b1-b4, att, member, years, channels, prio).
N_QUESTIONS = 13

#: A complete, valid, careful answer (no straight lines, attention item correct).
GOOD_ANSWERS: dict[str, Any] = {
    "a1": 4.0,
    "a2": 5.0,
    "a3": 4.0,
    "a4": 2.0,
    "b1": 3.0,
    "b2": 4.0,
    "b3": 2.0,
    "b4": 4.0,
    "att": 4.0,
    "member": 1.0,
    "years": 12.0,
    "channels_1": 1.0,
    "channels_2": 0.0,
    "channels_3": 0.0,
    "channels_other": np.nan,
    "prio_1": 1.0,
    "prio_2": 2.0,
    "prio_3": 3.0,
    "remark": np.nan,
}

FILES = ("本院.xlsx", "对标.xlsx")


def build_study(cleaning: dict[str, Any] | None = None, end: str | None = "2026-09-30") -> Study:
    """A study with two files (本院, 甲院) and fieldwork in September 2026."""
    fieldwork: dict[str, Any] = {"start": "2026-09-01"}
    if end is not None:
        fieldwork["end"] = end
    return Study.model_validate(
        {
            "title": "测试研究",
            "synthetic": True,
            "questionnaire": {
                "codebook": "codebook.yaml",
                "files": [
                    {"path": FILES[0], "attributes": {"college": "本院"}},
                    {"path": FILES[1], "attributes": {"college": "甲院"}},
                ],
            },
            "fieldwork": fieldwork,
            "cleaning": cleaning or {},
        }
    )


def build_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical frame: every row starts as a good answer and is then overridden.

    ``_row`` counts per file from 2 (Excel), ``submitted_at`` defaults to 2026-09-10 09:00 plus
    one minute per row, ``duration_s`` to 300, ``respondent_key`` to a unique ``k<i>``.
    """
    out = []
    per_file: dict[str, int] = {}
    for i, r in enumerate(rows):
        file = r.get("_file", FILES[0])
        per_file[file] = per_file.get(file, 1) + 1
        base: dict[str, Any] = {
            "_file": file,
            "_row": per_file[file],
            "_format": "wjx_code",
            "submitted_at": pd.Timestamp("2026-09-10 09:00") + pd.Timedelta(minutes=i),
            "duration_s": 300.0,
            "college": "本院" if file == FILES[0] else "甲院",
            **GOOD_ANSWERS,
            "respondent_key": f"k{i}",
        }
        base.update(r)
        out.append(base)
    df = pd.DataFrame(out)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], format="mixed").astype("datetime64[ns]")
    return df
