"""The processed tables are checked against their pandera models when written and when read back."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey import pipeline
from survey.config.study import load_study
from survey.errors import SurveyError
from survey.io import processed, schemas
from survey.io.export import write_parquet


@pytest.fixture
def processed_copy(cleaned_demo: Path, tmp_path: Path) -> tuple[object, Path]:
    """The demo study and a private copy of its processed folder (safe to break)."""
    study = load_study(cleaned_demo)
    folder = tmp_path / "processed"
    shutil.copytree(study.output_path, folder)
    return study, folder


def test_demo_tables_pass_their_models(processed_copy) -> None:
    study, folder = processed_copy
    got = processed.load_processed(study, folder)
    for name in schemas.MODELS:
        assert (folder / f"{name}.parquet").is_file(), name  # the demo has every table
    assert len(got.responses) == 600 and got.roster is not None


def test_broken_responses_file_lists_every_failure_in_chinese(processed_copy) -> None:
    study, folder = processed_copy
    path = folder / "responses.parquet"
    df = pd.read_parquet(path)
    df.loc[3, "source_row"] = 0
    df.loc[[5, 6], "duration_s"] = -1.0
    df.loc[7, "response_id"] = df.loc[8, "response_id"]
    df["P1_1"] = df["P1_1"].astype(str)  # a likert item as text ...
    df.loc[9, "P1_1"] = "张三 13812345678"  # ... holding personal data
    df = df.drop(columns=["source_file"])
    write_parquet(df, path)

    with pytest.raises(SurveyError) as info:
        processed.load_processed(study, folder)
    msg = info.value.message_zh()
    assert "处理后的数据表 responses 有 5 处问题" in msg
    assert str(path) in msg
    assert "列 source_file：缺少该列" in msg
    assert "列 source_row：应大于或等于 1：第 5 行（0）" in msg  # CSV row = index + 2
    assert "列 duration_s：应大于或等于 0：第 7 行（-1.0）、第 8 行（-1.0）" in msg
    assert "列 response_id：不应有重复值" in msg and "'R00009'" in msg  # ids may be quoted
    assert "列 P1_1：应为数值" in msg
    assert "张三" not in msg and "13812345678" not in msg


def test_text_values_are_never_quoted(processed_copy) -> None:
    study, folder = processed_copy
    path = folder / "symposium_statements.parquet"
    df = pd.read_parquet(path)
    df.loc[0, "statement_id"] = df.loc[1, "statement_id"]
    df.loc[2, "session"] = None
    write_parquet(df, path)
    with pytest.raises(SurveyError) as info:
        processed.load_processed(study, folder)
    msg = info.value.message_zh()
    assert "列 statement_id：不应有重复值：第 2 行（文本不显示）" in msg
    assert "列 session：不应有缺失值：第 4 行（缺失）" in msg
    assert str(df.loc[1, "statement_id"]) not in msg


def test_broken_ledger_types(processed_copy) -> None:
    study, folder = processed_copy
    log = pd.read_parquet(folder / "cleaning_log.parquet")
    log["enabled"] = log["enabled"].map({True: "是", False: "否"})
    write_parquet(log, folder / "cleaning_log.parquet")
    exc = pd.read_parquet(folder / "exclusions.parquet").drop(columns=["detail"])
    write_parquet(exc, folder / "exclusions.parquet")
    with pytest.raises(SurveyError) as info:
        processed.load_processed(study, folder)
    # The first table read that fails is reported (exclusions before cleaning_log).
    assert "exclusions 有 1 处问题" in str(info.value) and "列 detail：缺少该列" in str(info.value)
    exc["detail"] = "x"
    write_parquet(exc, folder / "exclusions.parquet")
    with pytest.raises(SurveyError, match="列 enabled：类型应为真/假"):
        processed.load_processed(study, folder)


def test_empty_tables_pass() -> None:
    empty = pd.DataFrame({c: np.zeros(0, dtype=object) for c in ["file", "row", "column", "item", "value", "allowed"]})
    schemas.validate_table(processed.CELL_CHANGES, empty, file="cell_changes.parquet")
    with pytest.raises(SurveyError, match="列 allowed：缺少该列"):
        schemas.validate_table(processed.CELL_CHANGES, empty.drop(columns="allowed"), file="x")


def test_run_clean_refuses_to_write_a_broken_table(cleaned_demo: Path, tmp_path: Path, monkeypatch) -> None:
    study = load_study(cleaned_demo)
    real = pipeline._tidy

    def broken(kept, codebook, study):
        tidy = real(kept, codebook, study)
        tidy.loc[0, "duration_s"] = -5.0
        return tidy

    monkeypatch.setattr(pipeline, "_tidy", broken)
    dest = tmp_path / "out"
    with pytest.raises(SurveyError, match="responses 有 1 处问题") as info:
        pipeline.run_clean(study, output_dir=dest)
    assert "responses.parquet" in str(info.value)
    assert not dest.exists() and list(tmp_path.iterdir()) == []  # nothing written, nothing left
