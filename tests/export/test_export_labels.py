"""Column types of the processed responses (labels for single choice, integers for codes) and
the forms the writers give them: the ``.sav`` read back, ``responses_labels.csv`` cell by cell."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from survey.config.codebook import Codebook
from survey.errors import SurveyError, SurveyWarning
from survey.io import processed, schemas
from survey.io.export import (
    FORMULA_TRIGGERS,
    labelled_frame,
    sav_file_label,
    sav_labels_from_codebook,
    write_csv,
    write_parquet,
    write_sav,
)

AGREE = {1: "非常不同意", 2: "不同意", 3: "一般", 4: "同意", 5: "非常同意"}
STATUS = {1: "在职", 2: "离退休", 9: "-不适用-"}  # a gap in the codes; a label Excel would run
GENDER = {1: "男", 2: "女"}
CARRIER = {1: "学习强国", 2: "其他"}
RANKED = {1: "甲", 2: "乙", 3: "丙"}
N = 40


@pytest.fixture
def codebook() -> Codebook:
    return Codebook.model_validate({
        "title": "标签测试问卷",
        "option_sets": {"agree5": AGREE},
        "items": [
            {"id": "gender", "text": "性别", "type": "single", "options": GENDER},
            {"id": "status", "text": "身份", "type": "single", "options": STATUS},
            {"id": "q1", "text": "学习形式多样", "type": "likert", "options": "agree5"},
            {"id": "q2", "text": "支部活动规范", "type": "likert", "options": "agree5"},
            {"id": "carrier", "text": "学习载体", "type": "multiple", "options": CARRIER,
             "other_option": 2},
            {"id": "rank", "text": "重要性排序", "type": "ranking", "options": RANKED},
            {"id": "years", "text": "党龄", "type": "numeric"},
            {"id": "note", "text": "建议", "type": "text"},
        ],
    })  # fmt: skip


@pytest.fixture
def planted() -> pd.DataFrame:
    """Float codes as the cleaning gives them, every code of every item at least once."""
    rng = np.random.default_rng(20261202)

    def codes(options: dict[int, str], p_missing: float = 0.15) -> np.ndarray:
        x = rng.choice(sorted(options), size=N).astype(float)
        x[rng.random(N) < p_missing] = np.nan
        x[: len(options)] = sorted(options)
        x[len(options)] = np.nan
        return x

    ranks = np.array([rng.permutation(3) + 1 for _ in range(N)], dtype=float)
    ranks[rng.random(N) < 0.2] = np.nan
    return pd.DataFrame({
        "response_id": [f"R{i + 1:05d}" for i in range(N)],
        "source_file": ["raw/本院.xlsx"] * 20 + ["raw/对标A.csv"] * 20,
        "source_row": np.arange(2, 2 + N, dtype="int64"),
        "college": ["本院"] * 20 + ["对标A"] * 19 + ["对标B"],  # 对标B: not listed in study.yaml
        "gender": codes(GENDER),
        "status": codes(STATUS),
        "q1": codes(AGREE),
        "q2": codes(AGREE, 0.0),
        "carrier_1": codes({0: "", 1: ""}),
        "carrier_2": codes({0: "", 1: ""}),
        "carrier_other": [None, "=SUM(A1)", *[None] * (N - 2)],
        "rank_1": ranks[:, 0], "rank_2": ranks[:, 1], "rank_3": ranks[:, 2],
        "years": np.round(rng.uniform(0, 40, N), 1),
        "note": ["@所有人", "加强学习", *[None] * (N - 2)],
    })  # fmt: skip


@pytest.fixture
def typed(planted: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    return processed.typed_responses(planted, codebook, {"college": ["本院", "对标A"]})


# -- the processed types --------------------------------------------------------------------------
def test_single_choice_items_hold_their_labels_in_code_order(planted, typed) -> None:
    for col, options in (("gender", GENDER), ("status", STATUS)):
        s = typed[col]
        assert isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered
        assert list(s.cat.categories) == [options[c] for c in sorted(options)]
        for code, label in zip(planted[col], s, strict=True):
            assert (pd.isna(label) and np.isnan(code)) or label == options[int(code)]
    # What a user types works on the processed frame.
    assert (typed["status"] == "-不适用-").sum() == (planted["status"] == 9).sum() > 0
    assert (typed["status"] > "在职").sum() == (planted["status"] > 1).sum()


def test_codes_are_nullable_integers_and_other_columns_unchanged(planted, typed) -> None:
    for col in ("q1", "q2", "carrier_1", "carrier_2", "rank_1", "rank_2", "rank_3"):
        assert typed[col].dtype == "Int8", col
        np.testing.assert_array_equal(typed[col].to_numpy(dtype=float, na_value=np.nan),
                                      planted[col].to_numpy())
    for col in ("response_id", "source_file", "source_row", "years", "note", "carrier_other"):
        pd.testing.assert_series_equal(typed[col], planted[col])
    college = typed["college"]
    assert list(college.cat.categories) == ["本院", "对标A", "对标B"]  # files' order, then the rest
    assert not college.cat.ordered and college.astype(str).tolist() == planted["college"].tolist()


def test_coded_responses_give_back_the_codes(planted, typed, codebook) -> None:
    coded = processed.coded_responses(typed, codebook)
    for col in ("gender", "status"):
        assert coded[col].dtype == "Int8"
        np.testing.assert_array_equal(coded[col].to_numpy(dtype=float, na_value=np.nan),
                                      planted[col].to_numpy())
    # The CSV of the typed codes is the CSV of the float codes, byte for byte ("1", not "1.0").
    a, b = io.StringIO(), io.StringIO()
    from survey.io.export import csv_frame

    csv_frame(coded).to_csv(a, index=False)
    csv_frame(planted).to_csv(b, index=False)
    assert a.getvalue() == b.getvalue() and ",1.0," not in a.getvalue()


def test_unlabelled_code_keeps_the_item_numeric_and_warns(planted, codebook) -> None:
    odd = planted.assign(status=planted["status"].where(planted.index != 5, 7.0),
                         q1=planted["q1"].where(planted.index != 6, 2.5))
    with pytest.warns(SurveyWarning, match="题目 status 中有编码手册选项之外的编码"):
        typed = processed.typed_responses(odd, codebook)
    assert typed["status"].dtype == "Int8" and typed["status"].iloc[5] == 7
    assert typed["q1"].dtype == np.float64 and typed["q1"].iloc[6] == 2.5  # not a whole number
    assert isinstance(typed["gender"].dtype, pd.CategoricalDtype)


def test_integer_dtype_is_wide_enough_for_codebook_and_data() -> None:
    assert processed.integer_dtype(1, 5) == "Int8"
    assert processed.integer_dtype(-2, 127) == "Int8"
    assert processed.integer_dtype(0, 128) == "Int16"
    assert processed.integer_dtype(1, 40_000) == "Int32"
    s = processed.as_integers(pd.Series([1.0, 300.0, np.nan]), 1, 5)
    assert s.dtype == "Int16" and s.tolist() == [1, 300, pd.NA]


def test_parquet_round_trip_and_schema(typed, codebook, tmp_path) -> None:
    path = tmp_path / "responses.parquet"
    write_parquet(typed, path)
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, typed)  # categories, order and Int8 survive
    broken = back.assign(status=back["status"].cat.reorder_categories(
        ["离退休", "在职", "-不适用-"]))
    schema = schemas.schema_for(processed.RESPONSES, codebook)
    schema.columns["status"].validate(back)  # the right categories pass
    with pytest.raises(Exception, match="labels_dtype"):
        schema.columns["status"].validate(broken)


def test_broken_labels_are_reported_in_chinese(typed, codebook) -> None:
    df = typed.assign(respondent_key="k", submitted_at=pd.NaT, duration_s=1.0)
    schemas.validate_table(processed.RESPONSES, df, file="responses.parquet", codebook=codebook)
    df["gender"] = df["gender"].cat.rename_categories(["M", "F"])
    with pytest.raises(SurveyError) as info:
        schemas.validate_table(processed.RESPONSES, df, file="responses.parquet", codebook=codebook)
    assert "列 gender：应为编码手册中该题的选项文字" in info.value.message_zh()


# -- SPSS -------------------------------------------------------------------------------------------
TITLE = "合成演示：技师学院党建工作规范化水平调研（合成数据，仅供演示）"  # 31 characters, 93 bytes


def test_sav_integer_formats_value_labels_and_file_label(planted, typed, codebook, tmp_path) -> None:
    var_labels, val_labels, measure = sav_labels_from_codebook(codebook)
    frame = typed.assign(source_file=pd.Categorical(typed["source_file"],
                                                    categories=["raw/本院.xlsx", "raw/对标A.csv"]))
    path = tmp_path / "responses.sav"
    write_sav(frame, path, var_labels, val_labels, file_label=TITLE, variable_measure=measure)
    back, meta = pyreadstat.read_sav(str(path))
    formats = meta.original_variable_types
    for col in ("gender", "status", "q1", "q2", "carrier_1", "rank_3", "college", "source_file"):
        assert formats[col] == "F1.0", col
    assert formats["source_row"] == "F2.0" and formats["years"] == "F8.2"
    assert meta.readstat_variable_types["response_id"] == "string"
    # Single choice: the codebook's codes (9, not 3) with their labels.
    assert meta.variable_value_labels["status"] == {1.0: "在职", 2.0: "离退休", 9.0: "-不适用-"}
    np.testing.assert_array_equal(back["status"].to_numpy(), planted["status"].to_numpy())
    np.testing.assert_array_equal(back["gender"].to_numpy(), planted["gender"].to_numpy())
    # Coded attributes: 1, 2, ... in category order, the text as value labels.
    assert meta.variable_value_labels["college"] == {1.0: "本院", 2.0: "对标A", 3.0: "对标B"}
    assert meta.variable_value_labels["source_file"] == {1.0: "raw/本院.xlsx", 2.0: "raw/对标A.csv"}
    assert back["college"].tolist() == [1.0] * 20 + [2.0] * 19 + [3.0]
    assert back["source_file"].tolist() == [1.0] * 20 + [2.0] * 20
    assert meta.variable_measure["college"] == "nominal" and meta.variable_measure["q1"] == "ordinal"
    assert meta.column_names_to_labels["source_file"] == "原始导出文件"
    # Labels applied by pyreadstat give back what the user saw.
    shown, _ = pyreadstat.read_sav(str(path), apply_value_formats=True)
    assert [None if pd.isna(v) else v for v in shown["status"]] == [
        None if pd.isna(v) else v for v in typed["status"]]
    # The file label: cut on a character boundary, no dangling bracket, marked as cut.
    label = meta.file_label
    assert label == "合成演示：技师学院党建工作规范化水平调研…"
    assert len(label.encode("utf-8")) <= 64 and TITLE.startswith(label.removesuffix("…"))


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("短标题", "短标题"),
        ("甲" * 21 + "x", "甲" * 21 + "x"),  # 64 bytes exactly: kept whole
        ("甲" * 22, "甲" * 20 + "…"),  # 66 bytes: 61 bytes of text (20 characters) + …
        ("ab" * 40, "ab" * 30 + "a…"),
        ("甲" * 19 + "（乙" + "丙" * 5, "甲" * 19 + "…"),  # no dangling bracket
        ("标题\n第二行", "标题 第二行"),
    ],
)
def test_sav_file_label(title: str, expected: str) -> None:
    got = sav_file_label(title)
    assert got == expected and len(got.encode("utf-8")) <= 64


# -- responses_labels.csv -----------------------------------------------------------------------
def _expected_label_cell(col: str, code: object) -> str:
    """A cell of responses_labels.csv worked out from the codebook above, independently."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return ""
    options = {"gender": GENDER, "status": STATUS, "q1": AGREE, "q2": AGREE,
               "carrier_1": {0: "未选", 1: "选中"}, "carrier_2": {0: "未选", 1: "选中"}}.get(col)
    if options is not None:
        text = options[int(code)]  # type: ignore[call-overload]
    elif isinstance(code, float):
        text = str(float(code)).removesuffix(".0")
    else:
        text = str(code)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) and not text.lstrip("+-").replace(".", "").isdigit() else text


def test_labels_csv_every_cell(planted, typed, codebook, tmp_path) -> None:
    _, val_labels, _ = sav_labels_from_codebook(codebook)
    path = tmp_path / "responses_labels.csv"
    write_csv(labelled_frame(typed, val_labels), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(planted.columns)
    assert len(rows) == N + 1
    checked = 0
    for i, row in enumerate(rows[1:]):
        for col, cell in zip(planted.columns, row, strict=True):
            assert cell == _expected_label_cell(col, planted[col].iloc[i]), (i, col, cell)
            checked += 1
    assert checked == N * planted.shape[1]
    text = raw.decode("utf-8-sig")
    assert "'-不适用-" in text and "'=SUM(A1)" in text and "'@所有人" in text
    assert "非常同意" in text and "选中" in text


def test_labelled_frame_keeps_unlabelled_codes_as_numbers() -> None:
    df = pd.DataFrame({"q": pd.array([1, None, 7], dtype="Int8"), "x": [1.5, 2.0, np.nan]})
    out = labelled_frame(df, {"q": {1: "是", 2: "否"}, "missing_column": {1: "?"}})
    assert out["q"].tolist()[0] == "是" and pd.isna(out["q"].iloc[1]) and out["q"].iloc[2] == "7"
    pd.testing.assert_series_equal(out["x"], df["x"])
