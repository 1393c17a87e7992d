"""``load_study``: the examples load, defaults are as documented, every error names its key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from survey.config.study import Study, load_study
from survey.errors import SurveyError

ROOT = Path(__file__).resolve().parents[2]
BIGFIVE_STUDY = ROOT / "examples" / "bigfive" / "study.yaml"


def _error(path: Path) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        load_study(path)
    return info.value


# -- valid studies ----------------------------------------------------------------------------
def test_demo_like_study_from_docs_loads(demo_study: Path) -> None:
    study = load_study(demo_study)
    q = study.questionnaire
    assert [f.attributes["college"] for f in q.files] == ["本院", "对标院校A", "对标院校B", "对标院校C"]
    assert [f.format for f in q.files] == ["wjx_text", "wjx_code", "generic", "auto"]
    assert q.files[1].encoding == "gb18030"
    assert q.files[2].sheet == "问卷数据"
    assert q.compare.by == "college" and q.compare.reference == "本院"
    assert q.aliases["branch"]["机电学院党支部"] == ["机电党支部", "机电系党支部", "机电学院支部"]
    assert study.fieldwork.start == dt.date(2026, 9, 1)
    assert study.fieldwork.end == dt.date(2026, 9, 30)
    assert study.cleaning.speeders.fraction_of_median == pytest.approx(0.333)
    assert study.cleaning.repeated_respondent.keep == "last"
    assert study.symposium is not None and study.roster is not None
    assert study.indicators is not None and study.indicators.summaries is not None
    assert study.root == demo_study.parent.resolve()
    assert study.display(q.files[0].crosscheck) == "data/raw/本院_按序号.xlsx"


def test_bigfive_study_loads() -> None:
    study = load_study(BIGFIVE_STUDY)
    assert study.synthetic is True
    assert study.privacy.demo_key
    assert study.questionnaire.compare.by == "gender"
    assert study.questionnaire.compare.reference == "女"
    assert study.questionnaire.files[0].format == "generic"
    assert study.resolve(study.questionnaire.files[0].path).is_file()
    assert study.cleaning.speeders.enabled is False
    assert study.fieldwork.end - study.fieldwork.start == dt.timedelta(days=30)


def test_minimal_study_gets_documented_defaults(make_study) -> None:
    def minimal(d: dict) -> None:
        d.pop("synthetic")
        d["fieldwork"].pop("end")
        d["questionnaire"]["files"][0] = {"path": "data/raw/本院.csv"}

    study = load_study(make_study(minimal))
    f = study.questionnaire.files[0]
    assert (f.format, f.encoding, f.sheet, f.attributes, f.crosscheck) == ("auto", "auto", None, {}, None)
    assert study.synthetic is False
    assert study.fieldwork.end is None
    assert study.questionnaire.compare.by == "college"
    assert study.questionnaire.compare.reference == "本院"
    assert study.questionnaire.aliases == {}
    c = study.cleaning
    switches = [c.test_submissions, c.exact_duplicates, c.repeated_respondent, c.speeders,
                c.straight_lining, c.attention_check, c.min_answered, c.out_of_range]
    assert all(s.enabled for s in switches)
    assert c.repeated_respondent.keep == "last"
    assert c.speeders.fraction_of_median == pytest.approx(1 / 3)
    assert c.speeders.per_file is True
    assert c.straight_lining.batteries is None and c.straight_lining.min_items == 4
    assert c.min_answered.min_fraction == 0.5
    assert study.privacy.key_env == "SURVEY_PSEUDONYM_KEY"
    assert study.privacy.key_file == Path("~/.config/survey/pseudonym.key")
    assert study.privacy.demo_key is None
    assert study.output_dir == Path("data/processed")
    assert (study.symposium, study.indicators, study.roster) == (None, None, None)


# -- Study.resolve / display / output_path ----------------------------------------------------
def test_resolve_relative_absolute_and_home(make_study, tmp_path: Path) -> None:
    study = load_study(make_study())
    root = tmp_path.resolve()
    assert study.resolve(Path("data/raw/本院.csv")) == root / "data" / "raw" / "本院.csv"
    assert study.resolve(Path("../x.csv")) == root / ".." / "x.csv"
    absolute = tmp_path / "elsewhere" / "y.csv"
    assert study.resolve(absolute) == absolute
    assert study.resolve(Path("~/k.key")) == Path.home() / "k.key"
    assert study.output_path == root / "data" / "processed"
    assert study.display(Path("data/raw/本院.csv")) == "data/raw/本院.csv"


def test_paths_resolve_against_study_folder_not_cwd(make_study, tmp_path: Path, monkeypatch) -> None:
    path = make_study()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    study = load_study(path)  # the data file exists only relative to the study folder
    assert study.resolve(study.questionnaire.codebook) == tmp_path.resolve() / "codebook.yaml"


# -- config_hash ------------------------------------------------------------------------------
_FORMATTED_A = """\
title: 测试研究
synthetic: true
questionnaire:
  codebook: codebook.yaml
  files:
    - path: data/raw/本院.csv
      format: generic
      attributes: {college: 本院}
fieldwork:
  start: 2026-09-01
  end: 2026-09-30
"""

_FORMATTED_B = """\
# the same study, written differently: comments, key order, quoting, flow style, a BOM
fieldwork: {end: "2026-09-30", start: '2026-09-01'}   # dates quoted
questionnaire:
    files:
        -   attributes:
                college: "本院"
            format: "generic"
            path: "data/raw/本院.csv"
    codebook: 'codebook.yaml'
synthetic: yes
title: "测试研究"
"""


def test_config_hash_stable_across_formatting_only_edits(make_study, tmp_path: Path) -> None:
    make_study()
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(_FORMATTED_A, encoding="utf-8")
    b.write_text(_FORMATTED_B, encoding="utf-8-sig")
    sa, sb = load_study(a), load_study(b)
    assert sa.config_sha256 != sb.config_sha256  # the bytes differ ...
    assert sa.config_hash() == sb.config_hash()  # ... the configuration does not
    assert len(sa.config_hash()) == 64


def test_config_hash_changes_with_content_and_ignores_location(make_study, tmp_path: Path) -> None:
    base = load_study(make_study()).config_hash()
    changed = load_study(
        make_study(lambda d: d["fieldwork"].__setitem__("start", "2026-09-02"))
    ).config_hash()
    assert changed != base
    # the same file copied to another folder hashes the same (root is not part of the hash)
    other = tmp_path / "copy"
    other.mkdir()
    (other / "data" / "raw").mkdir(parents=True)
    (other / "data" / "raw" / "本院.csv").write_text("q1\n1\n", encoding="utf-8")
    (other / "codebook.yaml").write_text((tmp_path / "codebook.yaml").read_text("utf-8"), "utf-8")
    (other / "study.yaml").write_text(
        (tmp_path / "study.yaml").read_text("utf-8").replace("2026-09-02", "2026-09-01"), "utf-8"
    )
    assert load_study(other / "study.yaml").config_hash() == base


def test_config_sha256_is_hash_of_file_bytes(make_study) -> None:
    import hashlib

    path = make_study()
    assert load_study(path).config_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_default_path_from_environment(make_study, monkeypatch) -> None:
    path = make_study()
    monkeypatch.setenv("SURVEY_STUDY", str(path))
    assert load_study().title == "测试研究"


# -- errors -----------------------------------------------------------------------------------
def test_unknown_key_typo_names_key(make_study) -> None:
    def typo(d: dict) -> None:
        d["questionaire"] = d.pop("questionnaire")

    err = _error(make_study(typo))
    msg = err.message_zh()
    assert "questionaire：未知的配置项（可能是拼写错误）" in msg
    assert "questionnaire：缺少必填项" in msg  # every problem at once
    assert "2 处问题" in msg
    assert "study.yaml" in msg
    assert "Traceback" not in msg


def test_nested_unknown_key_names_full_path(make_study) -> None:
    err = _error(make_study(lambda d: d["questionnaire"]["files"][0].__setitem__("fromat", "generic")))
    assert err.key == "questionnaire.files[0].fromat"
    assert "questionnaire.files[0].fromat：未知的配置项" in err.message_zh()


@pytest.mark.parametrize(
    ("mutate", "key", "reason"),
    [
        (lambda d: d.__setitem__("synthetic", "也许"), "synthetic", "应为 true 或 false"),
        (lambda d: d.__setitem__("cleaning", {"speeders": {"fraction_of_median": "三分之一"}}),
         "cleaning.speeders.fraction_of_median", "应为数字"),
        (lambda d: d.__setitem__("cleaning", {"speeders": {"fraction_of_median": 3}}),
         "cleaning.speeders.fraction_of_median", "取值过大"),
        (lambda d: d.__setitem__("cleaning", {"straight_lining": {"min_items": 1}}),
         "cleaning.straight_lining.min_items", "取值过小"),
        (lambda d: d.__setitem__("cleaning", {"repeated_respondent": {"keep": "latest"}}),
         "cleaning.repeated_respondent.keep", "取值不在允许范围内"),
        (lambda d: d["questionnaire"]["files"][0].__setitem__("format", "wjx"),
         "questionnaire.files[0].format", "取值不在允许范围内"),
        (lambda d: d["questionnaire"].__setitem__("files", {"path": "data/raw/本院.csv"}),
         "questionnaire.files", "应为列表"),
        (lambda d: d["questionnaire"].__setitem__("files", []), "questionnaire.files", "列表太短"),
        (lambda d: d["questionnaire"]["files"][0].__setitem__("attributes", {"college": ["本院"]}),
         "questionnaire.files[0].attributes.college", "应为文本"),
        (lambda d: d["fieldwork"].__setitem__("start", "九月一日"), "fieldwork.start", "应为日期"),
        (lambda d: d.__setitem__("title", "   "), "title", "标题不能为空"),
    ],
    ids=["bool", "float", "too-large", "too-small", "literal-keep", "literal-format",
         "list", "empty-list", "attribute-text", "date", "blank-title"],
)
def test_wrong_type_or_value_names_key(make_study, mutate, key: str, reason: str) -> None:
    err = _error(make_study(mutate))
    assert err.key == key
    assert f"{key}：{reason}" in err.message_zh()


@pytest.mark.parametrize("missing", ["title", "questionnaire"])
def test_missing_required_key(make_study, missing: str) -> None:
    err = _error(make_study(lambda d: d.pop(missing)))
    assert err.key == missing
    assert f"{missing}：缺少必填项" in err.message_zh()


def test_missing_nested_required_key(make_study) -> None:
    err = _error(make_study(lambda d: d["questionnaire"]["files"][0].pop("path")))
    assert err.key == "questionnaire.files[0].path"
    assert "questionnaire.files[0].path：缺少必填项" in err.message_zh()


def test_missing_questionnaire_file_names_key_path(make_study, tmp_path: Path) -> None:
    err = _error(make_study(lambda d: d["questionnaire"]["files"][0].__setitem__("path", "data/raw/本院.xlsx")))
    msg = err.message_zh()
    assert err.key == "questionnaire.files[0].path"
    assert "配置项：questionnaire.files[0].path" in msg
    assert "study.yaml 中列出的文件不存在" in msg
    assert str(tmp_path.resolve() / "data" / "raw" / "本院.xlsx") in msg  # the full path looked for


@pytest.mark.parametrize(
    ("mutate", "key"),
    [
        (lambda d: d["questionnaire"].__setitem__("codebook", "codebok.yaml"), "questionnaire.codebook"),
        (lambda d: d["questionnaire"]["files"].append({"path": "data/a.csv"}), "questionnaire.files[1].path"),
        (lambda d: d["questionnaire"]["files"][0].__setitem__("crosscheck", "data/按序号.csv"),
         "questionnaire.files[0].crosscheck"),
        (lambda d: d.__setitem__("roster", {"path": "名册.xlsx"}), "roster.path"),
        (lambda d: d.__setitem__("indicators", {"path": "data/raw/本院.csv", "summaries": "汇总.xlsx"}),
         "indicators.summaries"),
        (lambda d: d.__setitem__("symposium", {"sessions": "data/raw/本院.csv", "statements": "s.xlsx",
                                               "themes": "data/raw/本院.csv"}), "symposium.statements"),
    ],
    ids=["codebook", "second-file", "crosscheck", "roster", "indicators", "symposium"],
)
def test_every_missing_file_names_its_key(make_study, mutate, key: str) -> None:
    err = _error(make_study(mutate))
    assert err.key == key
    assert f"配置项：{key}" in err.message_zh()


def test_optional_section_missing_required_key(make_study) -> None:
    err = _error(make_study(lambda d: d.__setitem__("symposium", {"sessions": "data/raw/本院.csv"})))
    assert "symposium.statements：缺少必填项" in err.message_zh()
    assert "symposium.themes：缺少必填项" in err.message_zh()


def test_end_before_start(make_study) -> None:
    err = _error(make_study(lambda d: d["fieldwork"].__setitem__("end", "2026-08-31")))
    assert err.key is not None and err.key.startswith("fieldwork")
    assert "调查结束日期早于开始日期" in err.message_zh()


def test_malformed_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("title: 测试\nquestionnaire:\n  codebook: [a.yaml\nfieldwork:\n  start: 2026-09-01\n",
                    encoding="utf-8")
    err = _error(path)
    assert "YAML 格式有误" in err.message_zh()
    assert err.row is not None and 3 <= err.row <= 4  # the unclosed bracket, or where it shows
    assert f"第 {err.row} 行" in err.message_zh()


def test_bad_indentation_names_line(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("title: 测试\nfieldwork:\n  start: 2026-09-01\n   end: 2026-09-30\n", encoding="utf-8")
    err = _error(path)
    assert err.row == 4
    assert "第 4 行" in err.message_zh()


@pytest.mark.parametrize("content", ["", "\n\n", "# 只有注释\n"], ids=["empty", "blank", "comment"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "study.yaml"
    path.write_text(content, encoding="utf-8")
    assert "文件是空的" in _error(path).message_zh()


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("- title: 测试\n", encoding="utf-8")
    assert "顶层应为映射" in _error(path).message_zh()


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_bytes("title: 技师学院党建调研\n".encode("gbk"))
    err = _error(path)
    assert "不是 UTF-8 编码" in err.message_zh()
    assert str(path) in err.message_zh()


def test_study_file_not_found(tmp_path: Path) -> None:
    err = _error(tmp_path / "stduy.yaml")
    assert "找不到" in err.message_zh()
    assert "stduy.yaml" in err.message_zh()


def test_study_is_frozen(make_study) -> None:
    study = load_study(make_study())
    with pytest.raises(ValueError):
        study.title = "改名"  # type: ignore[misc]
    assert isinstance(study, Study)


# -- gaps in survey/config.py (proposed fixes in the report) -----------------------------------
def test_demo_key_only_for_synthetic_studies(make_study) -> None:
    def real_with_demo_key(d: dict) -> None:
        d["synthetic"] = False
        d["privacy"] = {"demo_key": "published-key"}

    err = _error(make_study(real_with_demo_key))
    assert err.key == "privacy.demo_key"


def test_end_before_start_names_end_key(make_study) -> None:
    err = _error(make_study(lambda d: d["fieldwork"].__setitem__("end", "2026-08-31")))
    assert err.key == "fieldwork.end"


def test_study_path_is_a_folder(tmp_path: Path) -> None:
    err = _error(tmp_path)
    assert "不是文件" in err.message_zh()


def test_repository_default_study_loads_if_present() -> None:
    """The committed default study (the synthetic demo) passes the same validation."""
    path = ROOT / "study.yaml"
    if not path.exists():
        pytest.skip("no study.yaml at the repository root yet")
    study = load_study(path)
    assert study.synthetic is True
    from survey.config.codebook import load_codebook

    cb = load_codebook(study.resolve(study.questionnaire.codebook))
    assert len(cb.scales) >= 5 and cb.item_columns()


def test_duplicate_yaml_key_is_refused(tmp_path) -> None:
    from survey.config.study import load_study
    from survey.errors import SurveyError

    path = tmp_path / "study.yaml"
    path.write_text("title: 甲\ntitle: 乙\n", encoding="utf-8")
    with pytest.raises(SurveyError) as info:
        load_study(path)
    msg = info.value.message_zh()
    assert "出现了两次" in msg and "第 2 行" in msg and "Excel" not in msg


# -- optional fieldwork and the scoring option (issue #10 §4) ---------------------------------
def test_fieldwork_is_optional(make_study) -> None:
    study = load_study(make_study(lambda d: d.pop("fieldwork")))
    assert study.fieldwork is None


def test_scoring_min_answered_default_and_bounds(make_study) -> None:
    assert load_study(make_study()).scoring.min_answered == 0.5
    study = load_study(make_study(lambda d: d.__setitem__("scoring", {"min_answered": 0.75})))
    assert study.scoring.min_answered == 0.75
    for bad in (0, 1.5):
        err = _error(make_study(lambda d, v=bad: d.__setitem__("scoring", {"min_answered": v})))
        assert err.key == "scoring.min_answered"


def test_scoring_default_leaves_config_hash_unchanged(make_study) -> None:
    """A study cleaned before ``scoring`` existed keeps its hash (survey verify still passes)."""
    base = load_study(make_study()).config_hash()
    explicit = make_study(lambda d: d.__setitem__("scoring", {"min_answered": 0.5}))
    assert load_study(explicit).config_hash() == base
    other = make_study(lambda d: d.__setitem__("scoring", {"min_answered": 0.6}))
    assert load_study(other).config_hash() != base
