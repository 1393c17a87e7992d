"""Fixtures for the symposium, indicator, roster, suppression and triangulation tests.

``simulate_statements`` plants known theme rates per stakeholder group and known coder error
rates; ``planted_kappa`` gives the kappa those rates imply, so the tests can check that the
analysis recovers what was planted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey.instruments.symposium import ThemeCodebook, themes_from_frame

THEME_ROWS = [
    # code, label, area, project, synonyms
    ("T01", "学习形式单一", "P1", "政治领航", "学习单一；形式单一"),
    ("T02", "智慧党建载体不足", "P1", "舆论阵地建设", "智慧党建"),
    ("T03", "强支部计划落实不力", "P2", "固本强基", "过硬支部"),
    ("T04", "未统领专业建设", "P3", "示范引领", "一院一品"),
    ("T05", "党务队伍不足", "P4", "服务保障", "专职党务人员少"),
    ("T06", "品牌提炼不足", "P5", "品牌铸造", ""),
]


@pytest.fixture
def themes() -> ThemeCodebook:
    df = pd.DataFrame(THEME_ROWS, columns=["code", "label", "area", "project", "synonyms"])
    return themes_from_frame(df)


def planted_kappa(prevalence: float, miss: float, false_add: float) -> float:
    """Kappa implied by two independent coders with the same error rates.

    Each coder keeps a true theme with probability ``1 - miss`` and adds an absent theme with
    probability ``false_add``, independently of the other coder.
    """
    p, m, f = prevalence, miss, false_add
    q = p * (1 - m) + (1 - p) * f
    both_yes = p * (1 - m) ** 2 + (1 - p) * f**2
    both_no = p * m**2 + (1 - p) * (1 - f) ** 2
    po, pe = both_yes + both_no, q**2 + (1 - q) ** 2
    return (po - pe) / (1 - pe)


def simulate_statements(
    rates: Mapping[str, Mapping[str, float]],
    n_per_group: int | Mapping[str, int],
    *,
    miss: float = 0.1,
    false_add: float = 0.03,
    sessions_per_group: int = 2,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statements (cleaned format) with planted theme rates and coder errors.

    Returns
    -------
    (statements, truth)
        ``truth`` is the statement × code boolean matrix of true themes.
    """
    rng = np.random.default_rng(seed)
    codes = [r[0] for r in THEME_ROWS]
    rows, truth = [], []
    k = 0
    for g, theme_rates in rates.items():
        n = n_per_group if isinstance(n_per_group, int) else n_per_group[g]
        p = np.array([theme_rates.get(c, 0.0) for c in codes])
        true = rng.random((n, len(codes))) < p
        a = np.where(true, rng.random(true.shape) >= miss, rng.random(true.shape) < false_add)
        b = np.where(true, rng.random(true.shape) >= miss, rng.random(true.shape) < false_add)
        for i in range(n):
            k += 1
            rows.append({
                "statement_id": f"S{k:04d}",
                "session": f"{g}-{i % sessions_per_group + 1}",
                "group": g,
                "speaker": f"发言人{i % 7 + 1}",
                "text": f"第{k}条发言。" + "内容" * int(rng.integers(1, 30)),
                "codes_a": tuple(c for c, x in zip(codes, a[i], strict=True) if x),
                "codes_b": tuple(c for c, x in zip(codes, b[i], strict=True) if x),
                "text_scrubbed": True,
                "_file": "statements.xlsx",
                "_row": k + 1,
            })
        truth.append(pd.DataFrame(true, columns=codes))
    return pd.DataFrame(rows), pd.concat(truth, ignore_index=True)


@pytest.fixture
def kappa_truth():
    return planted_kappa


@pytest.fixture
def simulate():
    return simulate_statements


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """Write rows (first = header) to an xlsx with openpyxl, as a user's file would be."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def xlsx():
    """The :func:`write_xlsx` helper as a fixture (test modules do not import conftest)."""
    return write_xlsx


@pytest.fixture
def symposium_files(tmp_path: Path) -> dict[str, Path]:
    """Three small symposium files with the mess real ones have."""
    sessions = write_xlsx(tmp_path / "sessions.xlsx", [
        ["场次编号", "日期", "座谈对象", "参会人数"],
        ["Z1", "2026/09/03", "党支部书记", 8],
        ["Z2", "2026年9月4日", "学生党员", 10],
        ["Z3", 46270, "用人企业", 5],
    ])
    themes = write_xlsx(tmp_path / "themes.xlsx", [
        ["主题编码", "主题名称", "问题领域", "对应项目", "同义词"],
        *[[c, lab, a, p, s] for c, lab, a, p, s in THEME_ROWS],
    ])
    statements = write_xlsx(tmp_path / "statements.xlsx", [
        ["场次编号", "发言人代号", "发言内容", "编码员A", "编码员B"],
        ["Z1", "书记1", "学习还是老一套，请联系张三 13800138000。", "Ｔ０１；t02", "T01"],
        ["Z1", "书记2", "强支部计划没有时间表。", "T03、 T01", "T03"],
        ["Z2", "学生1", "希望有智慧党建平台。", "智慧党建", "T02,T01"],
        ["Z3", "企业1", "学院党组织对专业建设引领不够。", "一院一品", ""],
        ["Z3", "企业2", "品牌没有提炼出来。", "T06", "t06"],
    ])
    return {"sessions": sessions, "themes": themes, "statements": statements}
