"""Fixtures for the privacy tests: a small codebook with every identifier action and a raw frame."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from survey.config.codebook import Codebook
from survey.config.study import Study

#: A 64-character key, as ``secrets.token_hex(32)`` would give.
TEST_KEY = b"3f1c0d9e8b7a6f5e4d3c2b1a09182736" + b"45546372819a0b1c2d3e4f5a6b7c8d9e"
#: An environment variable name no real setup uses, so tests never pick up a real key.
KEY_ENV = "SURVEY_TEST_PSEUDONYM_KEY_7F3A"


@pytest.fixture
def key() -> bytes:
    return TEST_KEY


@pytest.fixture
def key_env() -> str:
    return KEY_ENV


@pytest.fixture
def codebook() -> Codebook:
    return Codebook.model_validate(
        {
            "title": "测试问卷",
            "option_sets": {
                "agree5": {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
            },
            "items": [
                {"id": "p1_1", "text": "学习形式多样", "type": "likert", "options": "agree5"},
                {
                    "id": "carrier",
                    "text": "您参加过哪些学习载体",
                    "type": "multiple",
                    "options": {1: "学习强国", 2: "智慧党建平台", 3: "其他"},
                    "other_option": 3,
                },
                {"id": "suggest", "text": "您对党建工作的建议", "type": "text"},
            ],
            "identifiers": [
                {"id": "name", "kind": "name", "action": "drop"},
                {"id": "phone", "kind": "phone", "action": "pseudonymise", "respondent_key": True},
                {"id": "staff_no", "kind": "staff_no", "action": "pseudonymise"},
                {"id": "ip", "kind": "ip", "action": "coarsen"},
                {"id": "wechat", "kind": "wechat", "action": "drop"},
                {"id": "id_card", "kind": "id_card", "action": "drop"},
            ],
        }
    )


@pytest.fixture
def raw_frame() -> pd.DataFrame:
    """Five respondents; rows 0 and 3 are the same phone written two ways."""
    return pd.DataFrame(
        {
            "_row": [2, 3, 4, 5, 6],
            "name": ["张三", "李四", "王五", "张 三", None],
            "phone": ["13800138000", "139-0013-9000", None, "+86 138 0013 8000", "1.38E+10"],
            "staff_no": ["js2020001", "JS2020002", "JS2020003", "ｊｓ２０２０００１", None],
            "ip": [
                "120.1.2.3(山东-济南)",
                "36.2.3.4(内蒙古-呼和浩特)",
                "10.0.0.1(局域网)",
                "8.8.8.8(美国)",
                None,
            ],
            "wechat": ["阳光小张", "Tom", None, "阳光小张", "x"],
            "id_card": ["11010519491231002x", None, None, None, None],
            "p1_1": [4.0, 5.0, np.nan, 3.0, 2.0],
            "carrier_1": [1.0, 0.0, 1.0, np.nan, 0.0],
            "carrier_2": [0.0, 1.0, 1.0, np.nan, 0.0],
            "carrier_3": [1.0, 0.0, 0.0, np.nan, 1.0],
            "carrier_other": ["张三组织的读书会", None, None, None, "找王五 13912345678"],
            "suggest": [
                "希望多开展主题党日，2026年第3次活动很好",
                "请联系李四，电话0531-88888888，邮箱lisi@example.com",
                None,
                "阳光小张说要加强智慧党建",
                '=HYPERLINK("http://x")',
            ],
        }
    )


@pytest.fixture
def make_study(tmp_path: Path) -> Callable[..., Study]:
    """Build a Study (without file checks) whose privacy section is given by keyword."""

    def _make(*, synthetic: bool = False, root: Path | None = None, **privacy: Any) -> Study:
        privacy.setdefault("key_env", KEY_ENV)
        data = {
            "title": "测试研究",
            "synthetic": synthetic,
            "questionnaire": {"codebook": "codebook.yaml", "files": [{"path": "a.xlsx"}]},
            "fieldwork": {"start": "2026-09-01"},
            "privacy": privacy,
        }
        # The config rejects a demo_key in a real study; build it as synthetic and flip the
        # flag afterwards so that load_key's own refusal (defence in depth) can be tested.
        data["synthetic"] = True
        study = Study.model_validate(data)
        return study.model_copy(
            update={"root": root or tmp_path, "source": Path("study.yaml"), "synthetic": synthetic}
        )

    return _make


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)


#: Recall of the planted context-name corpus, filled by the test that measures it and printed
#: in the closing note of the run.
_CONTEXT_RECALL: dict[str, tuple[int, int]] = {}


@pytest.fixture
def context_recall() -> dict[str, tuple[int, int]]:
    return _CONTEXT_RECALL


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for label, (found, total) in _CONTEXT_RECALL.items():
        terminalreporter.write_line(
            f"identifier detector: recall of planted {label}: {found}/{total} = {found / total:.1%}"
        )
