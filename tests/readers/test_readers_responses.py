"""read_responses: stacking files, attributes, aliases, fingerprints, configured cross-check."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from readers_builders import (
    RESPONDENTS,
    STEM1_OTHER_VERSION,
    wjx_code_rows,
    wjx_text_rows,
    write_csv,
    write_study,
    write_xlsx,
)

from survey.config.codebook import Codebook
from survey.config.study import Study, load_study
from survey.errors import SurveyError, SurveyWarning
from survey.io.readers import mismatch_list_path, read_responses
from survey.io.readers.wjx import MISMATCH_COLUMNS


@pytest.fixture
def study_dir(
    tmp_path: Path,
    codebook_path: Path,
    wjx_text_xlsx: Path,
    wjx_code_csv_gbk: Path,
    generic_xlsx: Path,
) -> Path:
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    for p in (wjx_text_xlsx, wjx_code_csv_gbk, generic_xlsx):
        shutil.move(p, raw / p.name)
    return tmp_path


def test_read_responses_stacks_files(study_dir: Path) -> None:
    # the 按序号 file as another download of the same questionnaire (other answer sheets):
    # the same 序号 and times would be one download listed twice (see the overlap test)
    header, rows = wjx_code_rows()
    for r in rows:
        r[0] += 100
    write_csv(study_dir / "data/raw/386540716_按序号_党建调查_4_4.csv", header, rows, "gbk")
    study = load_study(
        write_study(
            study_dir,
            [
                {
                    "path": "data/raw/386540716_按文本_党建调查_4_4.xlsx",
                    "attributes": {"college": "本院", "branch": "机电党支部"},
                },
                {
                    "path": "data/raw/386540716_按序号_党建调查_4_4.csv",
                    "attributes": {"college": "本院", "branch": "机电系党支部 "},
                },
                {
                    "path": "data/raw/benchmark_college.xlsx",
                    "format": "generic",
                    "attributes": {"college": "对标院校A"},
                },
            ],
            aliases={"branch": {"机电学院党支部": ["机电党支部", "机电系党支部"]}},
        )
    )
    messages: list[str] = []
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = read_responses(study, progress=messages.append)
    f = res.frame
    assert len(f) == 12 and [r.n_rows for r in res.results] == [4, 4, 4]
    assert f["_file"].unique().tolist() == [
        "data/raw/386540716_按文本_党建调查_4_4.xlsx",
        "data/raw/386540716_按序号_党建调查_4_4.csv",
        "data/raw/benchmark_college.xlsx",
    ]
    assert f["_format"].tolist() == ["wjx_text"] * 4 + ["wjx_code"] * 4 + ["generic"] * 4
    assert f.groupby("college").size().to_dict() == {"本院": 8, "对标院校A": 4}
    assert f["branch"].iloc[:8].unique().tolist() == ["机电学院党支部"]
    assert f["branch"].iloc[8:].isna().all()
    # column order: prefix, identifiers, attributes, items
    cols = f.columns.tolist()
    assert cols.index("ip") < cols.index("college") < cols.index("Q1")
    # same items answered identically in the three files
    assert (f.loc[0:3, "Q3_4"].to_numpy() == f.loc[4:7, "Q3_4"].to_numpy()).all()
    assert len(messages) == 3 and "（1/3）" in messages[0]
    # the generic file shows option columns, not 问卷星 stems: its print differs, but prints
    # are only compared within a format family, so nothing is flagged
    assert (
        res.fingerprints["data/raw/benchmark_college.xlsx"]
        != res.fingerprints["data/raw/386540716_按文本_党建调查_4_4.xlsx"]
    )
    assert res.fingerprint_mismatches == []
    assert (
        res.fingerprints["data/raw/386540716_按文本_党建调查_4_4.xlsx"]
        == res.fingerprints["data/raw/386540716_按序号_党建调查_4_4.csv"]
    )


def test_fingerprint_mismatch_names_other_version(study_dir: Path) -> None:
    header, rows = wjx_text_rows(stem1=STEM1_OTHER_VERSION)
    write_xlsx(study_dir / "data/raw/v2.xlsx", header, rows)
    study = load_study(
        write_study(
            study_dir,
            [
                {"path": "data/raw/386540716_按文本_党建调查_4_4.xlsx"},
                {"path": "data/raw/386540716_按序号_党建调查_4_4.csv"},
                {"path": "data/raw/v2.xlsx"},
            ],
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_responses(study)
    assert res.fingerprint_mismatches == ["data/raw/v2.xlsx"]


def test_configured_crosscheck(study_dir: Path) -> None:
    study = load_study(
        write_study(
            study_dir,
            [
                {
                    "path": "data/raw/386540716_按文本_党建调查_4_4.xlsx",
                    "crosscheck": "data/raw/386540716_按序号_党建调查_4_4.csv",
                },
            ],
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_responses(study)
    assert res.crosschecks["data/raw/386540716_按文本_党建调查_4_4.xlsx"].empty
    # a code file whose matrix row is reversed: the run stops and says where
    header, rows = wjx_code_rows()
    j = header.index("第3题(学习形式多样)")
    for r in rows:
        r[j] = 6 - r[j]
    write_csv(study_dir / "data/raw/rev.csv", header, rows, "gbk")
    files = [{"path": "data/raw/386540716_按文本_党建调查_4_4.xlsx", "crosscheck": "data/raw/rev.csv"}]
    study = load_study(write_study(study_dir, files))
    listed = mismatch_list_path(study)
    assert listed == study.output_path.parent / "crosscheck_mismatches.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SurveyError) as exc:
            read_responses(study)
    msg = exc.value.message_zh()
    assert "共 3 处（允许 0 处）" in msg and str(listed) in msg
    # the first mismatches: Excel row, column, label shown, codebook code, 按序号 code
    assert "第 2 行 Q3_1：按文本为“同意”（编码手册代码 4），按序号为 2" in msg
    assert "第 5 行 Q3_1：按文本为“不同意”（编码手册代码 2），按序号为 4" in msg
    full = pd.read_csv(listed, encoding="utf-8-sig", dtype=str)
    assert full.columns.tolist() == MISMATCH_COLUMNS
    assert full["行"].tolist() == ["2", "4", "5"] and full["列"].unique().tolist() == ["Q3_1"]
    assert full["编码手册代码"].tolist() == ["4", "5", "2"] and full["按序号代码"].tolist() == ["2", "1", "4"]
    # no answer text and no identifier of the file reaches the list
    text = listed.read_text(encoding="utf-8-sig")
    for r in RESPONDENTS:
        assert r["name"] not in text and r["phone"] not in text
    # the knob for a platform that is itself inconsistent
    p = write_study(study_dir, files)
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    data["questionnaire"]["crosscheck"] = {"allow_mismatches": 3}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.warns(SurveyWarning, match="不一致"):
        res = read_responses(load_study(p))
    mism = res.crosschecks["data/raw/386540716_按文本_党建调查_4_4.xlsx"]
    assert mism["column"].unique().tolist() == ["Q3_1"] and mism["seq"].tolist() == [1.0, 3.0, 4.0]
    assert mism["text_code"].tolist() == [4.0, 5.0, 2.0] and mism["code"].tolist() == [2.0, 1.0, 4.0]
    data["questionnaire"]["crosscheck"] = {"allow_mismatches": 2}
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SurveyError, match="共 3 处（允许 2 处）"):
            read_responses(load_study(p))


def test_alias_for_unknown_column(study_dir: Path) -> None:
    study = load_study(
        write_study(
            study_dir,
            [{"path": "data/raw/386540716_按文本_党建调查_4_4.xlsx"}],
            aliases={"branch": {"机电学院党支部": ["机电党支部"]}},
        )
    )
    with pytest.raises(SurveyError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read_responses(study)
    assert info.value.key == "questionnaire.aliases.branch"


def test_read_responses_names_files_as_written_in_study_yaml(study_dir: Path) -> None:
    study = load_study(
        write_study(
            study_dir,
            [
                {
                    "path": "data/raw/386540716_按序号_党建调查_4_4.csv",
                    "format": "wjx_code",
                    "encoding": "gbk",
                }
            ],
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = read_responses(study, load_codebook_for(study)).results[0]
    assert res.file == "data/raw/386540716_按序号_党建调查_4_4.csv" and res.encoding == "gbk"
    assert res.frame["_file"].unique().tolist() == [res.file]


def load_codebook_for(study: Study) -> Codebook:
    from survey.config.codebook import load_codebook

    return load_codebook(study.resolve(study.questionnaire.codebook))
