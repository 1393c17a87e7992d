"""Fixtures for the reader tests (files are built in ``tmp_path`` by ``readers_builders``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from readers_builders import (
    CODEBOOK,
    FORMS,
    PROJECTS,
    RESPONDENTS,
    sav_frame,
    truth_codes,
    wjx_code_rows,
    wjx_text_rows,
    write_csv,
    write_xls,
    write_xlsx,
)

from survey.config.codebook import Codebook, load_codebook


@pytest.fixture(scope="session")
def codebook_dict() -> dict[str, Any]:
    return CODEBOOK


@pytest.fixture
def codebook_path(tmp_path: Path) -> Path:
    p = tmp_path / "codebook.yaml"
    p.write_text(yaml.safe_dump(CODEBOOK, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


@pytest.fixture
def codebook(codebook_path: Path) -> Codebook:
    return load_codebook(codebook_path)


@pytest.fixture
def wjx_text_xlsx(tmp_path: Path) -> Path:
    header, rows = wjx_text_rows()
    return write_xlsx(tmp_path / "386540716_按文本_党建调查_4_4.xlsx", header, rows)


@pytest.fixture
def wjx_code_csv_gbk(tmp_path: Path) -> Path:
    header, rows = wjx_code_rows()
    return write_csv(tmp_path / "386540716_按序号_党建调查_4_4.csv", header, rows, "gbk")


@pytest.fixture
def wjx_code_csv_bom(tmp_path: Path) -> Path:
    header, rows = wjx_code_rows()
    return write_csv(tmp_path / "export_codes_utf8.csv", header, rows, "utf-8-sig")


@pytest.fixture
def wjx_text_xls(tmp_path: Path) -> Path:
    header, rows = wjx_text_rows(matrix_style=".")
    return write_xls(tmp_path / "386540716_1_0.xls", header, rows)


@pytest.fixture
def generic_xlsx(tmp_path: Path) -> Path:
    """Item ids as headers; codes, one label, full-width digits, per-option 0/1 and rank columns."""
    header = [
        "submitted_at",
        "duration_s",
        "name",
        "phone",
        "ip",
        "Q1",
        "Q2",
        "Q3_1",
        "Q3_2",
        "Q3_3",
        "Q3_4",
        "Q4_1",
        "Q4_2",
        "Q4_3",
        "Q4_4",
        "Q4_other",
        "Q5_1",
        "Q5_2",
        "Q5_3",
        "Q6",
    ]
    rows = []
    t = truth_codes()
    for i, r in enumerate(RESPONDENTS):
        q = t.iloc[i]
        cells: list[Any] = [
            dt.datetime(2026, 9, 3 + i // 2, 12, 0, 0),
            100 + i,
            r["name"],
            int(r["phone"]),
            r["ip"],
        ]
        cells.append("学生党员" if r["Q1"] == 2 else r["Q1"])  # a label among codes
        cells.append(r["Q2"])
        cells += [None if pd.isna(q[f"Q3_{k}"]) else int(q[f"Q3_{k}"]) for k in range(1, 5)]
        cells += [None if pd.isna(q[f"Q4_{c}"]) else int(q[f"Q4_{c}"]) for c in FORMS]
        cells.append(r["Q4o"])
        cells += [None if pd.isna(q[f"Q5_{c}"]) else int(q[f"Q5_{c}"]) for c in PROJECTS]
        cells.append(r["Q6"])
        rows.append(cells)
    return write_xlsx(tmp_path / "benchmark_college.xlsx", header, rows)


@pytest.fixture
def sav_file(tmp_path: Path) -> Path:
    import pyreadstat

    df, labels, value_labels = sav_frame()
    p = tmp_path / "386540716_SPSS.sav"
    pyreadstat.write_sav(df, str(p), column_labels=labels, variable_value_labels=value_labels)
    return p


@pytest.fixture
def gbk_sav_file(tmp_path: Path) -> Path:
    """A .sav whose strings are GBK bytes while the file claims UTF-8, as some Chinese files do.

    pyreadstat cannot write GBK, so a UTF-8 file is written with ASCII placeholders of exactly
    the GBK byte length and the placeholders are replaced by GBK bytes afterwards.
    """
    import pyreadstat

    gbk = {
        "在职教职工党员": "A" * 14,
        "学生党员": "B" * 8,
        "离退休党员": "C" * 10,
        "张三": "D" * 4,
    }
    df = pd.DataFrame(
        {"Q1": [1.0, 2.0, 3.0], "Q2": [5.0, 6.0, 7.0], "name": [gbk["张三"], "E" * 4, "F" * 4]}
        | {f"Q3_{k}": [4.0, 3.0, 2.0] for k in range(1, 5)}
        | {f"Q4_{c}": [1.0, 0.0, 1.0] for c in FORMS}
        | {f"Q5_{c}": [1.0, 2.0, 3.0] for c in PROJECTS}
    )
    p = tmp_path / "gbk.sav"
    pyreadstat.write_sav(
        df,
        str(p),
        variable_value_labels={
            "Q1": {1.0: gbk["在职教职工党员"], 2.0: gbk["学生党员"], 3.0: gbk["离退休党员"]}
        },
    )
    raw = p.read_bytes()
    for text, placeholder in gbk.items():
        enc = text.encode("gbk")
        assert len(enc) == len(placeholder) and raw.count(placeholder.encode()) == 1
        raw = raw.replace(placeholder.encode(), enc)
    p.write_bytes(raw)
    return p
