"""Honest cleaning log (issue #10 §4): rules that could not run, out-of-range durations, an
empty reference group, and a generic study that needs no fieldwork dates and no key.

The end-to-end tests run ``python -m survey clean`` on small studies written to ``tmp_path``
with planted truth (which rows are copies, which durations are impossible, which group loses
every row).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cleaning_support import build_frame, build_study

from survey.clean.ledger import check_reference_group, clean
from survey.clean.rules import (
    COULD_NOT_RUN,
    RAN,
    SKIPPED,
    attention_check,
    max_duration_s,
    out_of_range,
    repeated_respondent,
    speeders,
    straight_lining,
    test_submissions,
)
from survey.config.codebook import Codebook
from survey.config.study import Study
from survey.errors import SurveyError

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------
# A generic study: plain CSV, six items of one scale (no reverse item), no times, no key, no
# identifiers, no attention item.
# ---------------------------------------------------------------------------------------------
GENERIC_CODEBOOK = """\
title: 通用问卷（测试）
missing_codes: []
option_sets:
  agree5: {1: 非常不同意, 2: 不同意, 3: 一般, 4: 同意, 5: 非常同意}
items:
  - {id: q1, text: 题目一, type: likert, options: agree5}
  - {id: q2, text: 题目二, type: likert, options: agree5}
  - {id: q3, text: 题目三, type: likert, options: agree5}
  - {id: q4, text: 题目四, type: likert, options: agree5}
  - {id: q5, text: 题目五, type: likert, options: agree5}
  - {id: q6, text: 题目六, type: likert, options: agree5}
scales:
  - {id: S, label: 满意度, items: [q1, q2, q3, q4, q5, q6]}
"""

GOOD = ["4", "5", "3", "4", "2", "4"]


def _csv(rows: list[list[str]], header: list[str]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


def _survey_clean(study: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """``python -m survey clean --study STUDY`` with no key anywhere (HOME is empty)."""
    env = dict(os.environ, HOME=str(home), PYTHONIOENCODING="utf-8")
    env.pop("SURVEY_PSEUDONYM_KEY", None)
    env.pop("SURVEY_STUDY", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "survey", "clean", "--study", str(study)],
        cwd=study.parent, env=env, capture_output=True, text=True, encoding="utf-8",
        timeout=300, check=False,
    )  # fmt: skip


def _write_study(root: Path, files: dict[str, str], extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "codebook.yaml").write_text(GENERIC_CODEBOOK, encoding="utf-8")
    entries = "".join(
        f"    - path: {name}\n      format: generic\n      encoding: utf-8\n" + attrs
        for name, attrs in ((n, _attrs(n)) for n in files)
    )
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    study = root / "study.yaml"
    study.write_text(
        "title: 通用研究（测试）\nquestionnaire:\n  codebook: codebook.yaml\n  files:\n"
        + entries
        + "output_dir: processed\n"
        + extra,
        encoding="utf-8",
    )
    return study


def _attrs(name: str) -> str:
    if name.startswith("本院") or name.startswith("甲院"):
        return f"      attributes: {{college: {name.split('.')[0]}}}\n"
    return ""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def test_generic_study_cleans_without_dates_or_key_and_logs_rules_that_could_not_run(
    tmp_path: Path, home: Path
) -> None:
    # Planted: row 3 copies row 2 exactly; row 5 answers 1 of 6 items (作答过少, < 50%).
    rows = [GOOD, GOOD, ["5", "5", "4", "4", "3", "3"], ["3", "", "", "", "", ""],
            ["2", "3", "2", "3", "2", "3"], ["1", "2", "3", "4", "5", "1"]]  # fmt: skip
    header = [f"q{i}" for i in range(1, 7)]
    study = _write_study(tmp_path / "generic", {"data.csv": _csv(rows, header)})

    proc = _survey_clean(study, home)

    assert proc.returncode == 0, proc.stderr
    log = pd.read_csv(study.parent / "processed" / "cleaning_log.csv", dtype={"note": str})
    by_id = log.set_index("rule_id")
    cannot = {
        "test_submissions": "缺少调查日期",
        "repeated_respondent": "缺少作答者标识",
        "speeders": "缺少作答用时",
        "straight_lining": "缺少可检查的量表",
        "attention_check": "缺少注意力检测题",
    }
    for rule_id, reason in cannot.items():
        row = by_id.loc[rule_id]
        assert row["status"] == COULD_NOT_RUN
        assert not row["enabled"]  # never "启用 / 0"
        assert row["status_zh"].startswith("未能运行：" + reason)
        assert row["note"].startswith(reason)
        # Said once on the command line, in Chinese.
        assert proc.stderr.count(f"清洗规则「{row['rule']}」未能运行：{reason}") == 1
    for rule_id in ("exact_duplicates", "min_answered", "out_of_range"):
        assert by_id.loc[rule_id, "status"] == RAN
        assert by_id.loc[rule_id, "status_zh"] == "已运行"
    assert by_id.loc["exact_duplicates", "n_excluded"] == 1
    assert by_id.loc["min_answered", "n_excluded"] == 1
    assert by_id.loc["kept", "n_remaining"] == len(rows) - 2
    assert "未能运行的规则：" in proc.stdout
    ex = pd.read_csv(study.parent / "processed" / "exclusions.csv")
    assert sorted(ex["row"]) == [3, 5]  # Excel rows (header = row 1)


DURATION_ROWS = [
    ("300", False), ("-5", True), ("0", True), ("310", False), ("2592001", True),
    ("2592000", False), ("290", False), ("-120秒", True), ("305秒", False),
]  # fmt: skip


def test_impossible_durations_end_in_cell_changes(tmp_path: Path, home: Path) -> None:
    """``-5``, ``0`` and a duration longer than the 30-day fieldwork window are set missing."""
    header = [*(f"q{i}" for i in range(1, 7)), "duration_s"]
    rows = [  # no two rows alike (no exact duplicates)
        [*GOOD[:4], str(i // 5 + 1), str(i % 5 + 1), d] for i, (d, _bad) in enumerate(DURATION_ROWS)
    ]
    fieldwork = "fieldwork: {start: 2026-09-01, end: 2026-09-30}\n"
    study = _write_study(tmp_path / "dur", {"data.csv": _csv(rows, header)}, fieldwork)

    proc = _survey_clean(study, home)

    assert proc.returncode == 0, proc.stderr
    out = study.parent / "processed"
    changes = pd.read_csv(out / "cell_changes.csv", dtype=str)
    logged = changes.loc[changes["column"] == "duration_s", ["row", "value"]]
    expected = {(i + 2, d) for i, (d, bad) in enumerate(DURATION_ROWS) if bad and "秒" not in d}
    assert expected <= set(zip(logged["row"].astype(int), logged["value"], strict=True))
    assert not {i + 2 for i, (_d, bad) in enumerate(DURATION_ROWS) if not bad} & set(
        logged["row"].astype(int)
    )
    assert (changes.loc[changes["column"] == "duration_s", "allowed"].str.contains("2592000 秒")).all()
    kept = pd.read_csv(out / "responses.csv")
    assert (kept["duration_s"].dropna() > 0).all()
    assert kept["duration_s"].max() == 2_592_000


def test_negative_duration_with_unit_ends_in_cell_changes(tmp_path: Path, home: Path) -> None:
    header = [*(f"q{i}" for i in range(1, 7)), "duration_s"]
    rows = [[*GOOD, "300秒"], [*GOOD[:5], "1", "-120秒"], [*GOOD[:5], "2", "280秒"]]
    study = _write_study(tmp_path / "dur2", {"data.csv": _csv(rows, header)})

    proc = _survey_clean(study, home)

    assert proc.returncode == 0, proc.stderr
    changes = pd.read_csv(study.parent / "processed" / "cell_changes.csv", dtype=str)
    logged = changes[changes["column"] == "duration_s"]
    assert logged[["row", "value"]].values.tolist() == [["3", "-120"]]


def test_empty_reference_group_stops_clean_with_exit_2(tmp_path: Path, home: Path) -> None:
    # Planted: all 3 rows of 本院 answer a single item (作答过少); 甲院 is fine.
    header = [f"q{i}" for i in range(1, 7)]
    home_rows = [["4", "", "", "", "", ""], ["", "3", "", "", "", ""], ["", "", "", "", "", "5"]]
    other_rows = [GOOD, ["5", "4", "4", "3", "3", "2"], ["2", "3", "2", "3", "2", "3"]]
    study = _write_study(
        tmp_path / "ref", {"本院.csv": _csv(home_rows, header), "甲院.csv": _csv(other_rows, header)}
    )

    proc = _survey_clean(study, home)

    assert proc.returncode == 2, proc.stderr
    assert "对照组" in proc.stderr and "「本院」" in proc.stderr
    assert "原始 3 条" in proc.stderr and "作答过少 3 条" in proc.stderr
    assert "questionnaire.compare.reference" in proc.stderr
    assert not (study.parent / "processed").exists()


# ---------------------------------------------------------------------------------------------
# Unit tests of the statuses and the duration check
# ---------------------------------------------------------------------------------------------
def test_rules_report_could_not_run_with_reason(codebook: Codebook, make_ctx) -> None:
    df = build_frame([{}, {}, {}])
    ctx = make_ctx()
    for rule in (test_submissions, repeated_respondent, speeders, attention_check, straight_lining):
        assert rule(df, ctx).status == RAN, rule.__name__
    no_key = df.drop(columns=["respondent_key"])
    assert repeated_respondent(no_key, ctx).status == COULD_NOT_RUN
    assert repeated_respondent(df.assign(respondent_key=np.nan), ctx).status == COULD_NOT_RUN
    res = speeders(df.assign(duration_s=np.nan), ctx)
    assert (res.status, res.status_zh) == (COULD_NOT_RUN, "未能运行：" + res.reason)
    assert res.reason.startswith("缺少作答用时") and not res.flag.any()
    assert test_submissions(df.assign(submitted_at=pd.NaT), ctx).status == COULD_NOT_RUN
    assert test_submissions(df, replace(ctx, fieldwork=None)).reason.startswith("缺少调查日期")
    assert attention_check(df.drop(columns=["att"]), ctx).status == COULD_NOT_RUN
    # P1 is the only scale with a reverse item; without a4 it has 3 < 4 items in the data.
    assert straight_lining(df.drop(columns=["a4"]), ctx).status == COULD_NOT_RUN
    off = make_ctx({"speeders": {"enabled": False}})
    assert speeders(df.assign(duration_s=np.nan), off).status == SKIPPED
    assert speeders(df.assign(duration_s=np.nan), off).status_zh == "未启用"


def test_log_never_shows_a_rule_that_could_not_run_as_enabled(codebook: Codebook) -> None:
    df = build_frame([{}, {"a1": 1.0}, {}]).drop(columns=["respondent_key"])
    res = clean(df, codebook, build_study())
    row = res.log.set_index("rule_id").loc["repeated_respondent"]
    assert (row["status"], bool(row["enabled"]), row["n_flagged"]) == (COULD_NOT_RUN, False, 0)
    assert row["status_zh"].startswith("未能运行：缺少作答者标识")
    assert "未能运行的规则：重复作答，缺少作答者标识" in res.summary_zh()
    assert set(res.log["status"]) <= {RAN, SKIPPED, COULD_NOT_RUN}
    assert res.log.loc[res.log["rule_id"].isin(["raw", "kept"]), "status_zh"].eq("").all()


def test_durations_out_of_range_are_missing_and_speeder_median_ignores_them(
    codebook: Codebook, make_ctx
) -> None:
    # Planted: with -5, 0, 0, 0 counted the median would be 0 and nobody a speeder; once they
    # are missing the median of (300, 300, 90) is 300 and 90 < 100 is a speeder.
    durations = [-5.0, 0.0, 0.0, 0.0, 300.0, 300.0, 90.0]
    df = build_frame([{"duration_s": d} for d in durations])
    res = clean(df, codebook, build_study({"speeders": {"per_file": False}}))
    dur = res.cell_changes[res.cell_changes["column"] == "duration_s"]
    assert dur["row"].tolist() == [2, 3, 4, 5]
    assert dur["value"].tolist() == ["-5", "0", "0", "0"]
    assert res.flags["speeders"].tolist() == [False] * 6 + [True]
    assert res.log.set_index("rule_id").loc["out_of_range", "n_flagged"] == 4


def test_fieldwork_window_bounds_durations(make_ctx) -> None:
    ctx = make_ctx()  # fieldwork 2026-09-01 .. 2026-09-30: 30 days
    assert max_duration_s(ctx.fieldwork) == 30 * 86_400
    df = build_frame([{"duration_s": 30 * 86_400.0}, {"duration_s": 30 * 86_400.0 + 1}])
    changes = out_of_range(df, ctx).changes
    assert changes["row"].tolist() == [3]
    assert max_duration_s(make_ctx(end=None).fieldwork) is None
    df = build_frame([{"duration_s": 1e9}])
    assert out_of_range(df, make_ctx(end=None)).changes.empty


def test_reference_group_given_as_item_codes(codebook: Codebook) -> None:
    """``compare.by`` may be a single-choice item: its codes are compared by label."""
    data = build_study().model_dump(mode="json")
    data["questionnaire"]["compare"] = {"by": "member", "reference": "学生党员"}
    study = Study.model_validate(data)
    df = build_frame([{"member": 2.0}, {"member": 1.0}, {"member": 2.0, "att": 1.0}])
    check_reference_group(df, clean(df, codebook, study), codebook, study)  # one 学生党员 kept
    df = build_frame([{"member": 2.0, "att": 1.0}, {"member": 1.0}, {"member": 2.0, "att": 2.0}])
    with pytest.raises(SurveyError) as err:
        check_reference_group(df, clean(df, codebook, study), codebook, study)
    text = err.value.message_zh()
    assert "「学生党员」" in text and "原始 2 条" in text and "注意力检测未通过 2 条" in text
    df = build_frame([{"member": 1.0}])
    with pytest.raises(SurveyError, match="没有任何答卷"):
        check_reference_group(df, clean(df, codebook, study), codebook, study)


def test_cleaning_log_schema_checks_the_status(codebook: Codebook) -> None:
    from survey.io.processed import CLEANING_LOG, to_storable, validate_table

    log = to_storable(CLEANING_LOG, clean(build_frame([{}]), codebook, build_study()).log)
    validate_table(CLEANING_LOG, log, file="cleaning_log.parquet")
    validate_table(CLEANING_LOG, log.drop(columns=["status", "status_zh"]), file="old.parquet")
    with pytest.raises(SurveyError, match="status"):
        validate_table(CLEANING_LOG, log.assign(status="启用"), file="cleaning_log.parquet")
