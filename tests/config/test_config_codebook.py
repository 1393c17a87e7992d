"""``load_codebook``: the examples load, column names, ranges, fingerprint, every error message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from survey.config.codebook import Codebook, load_codebook
from survey.errors import SurveyError

ROOT = Path(__file__).resolve().parents[2]
BIGFIVE_CODEBOOK = ROOT / "examples" / "bigfive" / "codebook.yaml"


def _error(path: Path) -> SurveyError:
    with pytest.raises(SurveyError) as info:
        load_codebook(path)
    return info.value


@pytest.fixture
def demo_cb(tmp_path: Path, demo_codebook_text: str) -> Codebook:
    path = tmp_path / "codebook.yaml"
    path.write_text(demo_codebook_text, encoding="utf-8")
    return load_codebook(path)


# -- valid codebooks --------------------------------------------------------------------------
def test_demo_like_codebook_from_docs_loads(demo_cb: Codebook) -> None:
    assert [s.id for s in demo_cb.scales] == ["P1", "P2", "P3", "P4", "P5"]
    assert [s.label for s in demo_cb.scales] == [
        "学习型党组织建设", "过硬党支部建设", "二级院系党组织统领专业建设", "服务型党组织建设", "品牌示范与争先创优"
    ]
    assert all(len(s.reverse) == 1 for s in demo_cb.scales)
    assert len(demo_cb.items_of_type("likert")) == 20 + 1 + 16  # P1–P5, attention row, 8 × 2
    assert demo_cb.item("p1_1").source.question == 6
    assert demo_cb.item("p1_1").source.row == "党组织理论学习形式多样"
    assert demo_cb.options("member_type")[2] == "学生党员"
    assert demo_cb.item("member_type").option_aliases[1] == ["教职工党员", "在职党员"]
    assert demo_cb.attention_checks[0].item == "attn"
    assert demo_cb.options("attn")[demo_cb.attention_checks[0].correct] == "比较同意"
    kinds = {i.id: (i.kind, i.action, i.respondent_key) for i in demo_cb.identifiers}
    assert kinds == {"ip": ("ip", "coarsen", False), "name": ("name", "drop", False),
                     "phone": ("phone", "pseudonymise", True)}
    assert demo_cb.item("suggestion").required is False
    assert "总分" in demo_cb.ignore_columns
    assert demo_cb.meta.submitted_at.header == "提交答卷时间"


def test_bigfive_codebook_loads_and_matches_psych_keys() -> None:
    cb = load_codebook(BIGFIVE_CODEBOOK)
    labels = {s.id: s.label for s in cb.scales}
    assert labels == {"agree": "宜人性", "conscientious": "尽责性", "extraversion": "外向性",
                      "neuroticism": "神经质", "openness": "开放性"}
    reverse = sorted(r for s in cb.scales for r in s.reverse)
    assert reverse == ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]  # psych::bfi.keys
    for s in cb.scales:
        assert len(s.items) == 5
        assert cb.scale_range(s.id) == (1, 6)
    assert cb.options("A1") == {1: "非常不准确", 2: "比较不准确", 3: "有点不准确",
                                4: "有点准确", 5: "比较准确", 6: "非常准确"}
    assert cb.options("gender") == {1: "男", 2: "女"}
    assert sorted(cb.options("education")) == [1, 2, 3, 4, 5]
    assert cb.item("age").type == "numeric" and cb.item("age").range == (14, 90)
    assert cb.missing_codes_for("A1") == []
    assert cb.identifiers == [] and cb.attention_checks == []


# -- Codebook.columns / item_columns ----------------------------------------------------------
def test_columns_per_item_type(demo_cb: Codebook) -> None:
    assert demo_cb.columns("p1_1") == ["p1_1"]                      # likert
    assert demo_cb.columns("member_type") == ["member_type"]        # single
    assert demo_cb.columns("study_hours") == ["study_hours"]        # numeric
    assert demo_cb.columns("suggestion") == ["suggestion"]          # text
    assert demo_cb.columns("learn_format") == [                     # multiple + other
        *(f"learn_format_{c}" for c in range(1, 7)), "learn_format_other"
    ]
    assert demo_cb.columns("priority") == [f"priority_{c}" for c in range(1, 6)]  # ranking


def test_columns_follow_code_order_not_yaml_order(tmp_path: Path, small_codebook, write_codebook) -> None:
    small_codebook["items"][6]["options"] = {10: "乙", 2: "甲", 3: "其他"}
    cb = load_codebook(write_codebook(small_codebook))
    assert cb.columns("fmt") == ["fmt_2", "fmt_3", "fmt_10", "fmt_other"]


def test_columns_of_unknown_item_is_keyerror(demo_cb: Codebook) -> None:
    with pytest.raises(KeyError):
        demo_cb.columns("p9_9")


def test_item_columns_in_codebook_order_without_duplicates(demo_cb: Codebook) -> None:
    cols = demo_cb.item_columns()
    assert cols[:6] == ["member_type", "role", "branch", "party_years", "age_band", "p1_1"]
    assert len(cols) == len(set(cols))
    expected = sum(len(demo_cb.columns(i.id)) for i in demo_cb.items)
    assert len(cols) == expected == 56
    assert cols[-2:] == ["study_hours", "suggestion"]
    assert not {i.id for i in demo_cb.identifiers} & set(cols)


def test_bigfive_item_columns_are_the_csv_headers() -> None:
    cb = load_codebook(BIGFIVE_CODEBOOK)
    header = (ROOT / "examples" / "bigfive" / "bfi_synthetic.csv").read_text("utf-8").split("\n")[0]
    assert cb.item_columns() == header.split(",")


# -- scale_range / missing codes --------------------------------------------------------------
def test_scale_range_default_and_explicit(tmp_path: Path, small_codebook, write_codebook) -> None:
    assert load_codebook(write_codebook(small_codebook)).scale_range("P1") == (1, 5)
    small_codebook["scales"][0]["range"] = [0, 6]
    assert load_codebook(write_codebook(small_codebook)).scale_range("P1") == (0, 6)
    small_codebook["option_sets"]["agree5"] = {5: "非常同意", 2: "比较不同意", 4: "比较同意", 1: "非常不同意", 3: "一般"}
    small_codebook["scales"][0].pop("range")
    assert load_codebook(write_codebook(small_codebook)).scale_range("P1") == (1, 5)


def test_scale_lookup(demo_cb: Codebook) -> None:
    assert demo_cb.scale("P4").reverse == ["p4_2"]
    with pytest.raises(KeyError):
        demo_cb.scale("P9")


def test_missing_codes_default_and_per_item(demo_cb: Codebook) -> None:
    assert demo_cb.missing_codes_for("p1_1") == [-2.0, -3.0]
    assert demo_cb.missing_codes_for("study_hours") == [-2.0, -3.0, 999.0]


# -- fingerprint ------------------------------------------------------------------------------
def test_fingerprint_equal_for_equal_codebooks(tmp_path: Path, demo_codebook_text: str,
                                               demo_codebook_data: dict) -> None:
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(demo_codebook_text, encoding="utf-8")
    # same content, other formatting (block style, no comments) and other bookkeeping
    data = dict(demo_codebook_data, version="2026-10", ignore_columns=[])
    b.write_text(yaml.safe_dump(data, allow_unicode=True, default_flow_style=False), encoding="utf-8")
    fa, fb = load_codebook(a).fingerprint(), load_codebook(b).fingerprint()
    assert fa == fb
    assert len(fa) == 16 and int(fa, 16) >= 0


def test_fingerprint_same_whether_options_inline_or_in_a_set(tmp_path: Path, small_codebook,
                                                             write_codebook) -> None:
    before = load_codebook(write_codebook(small_codebook)).fingerprint()
    for item in small_codebook["items"][:5]:
        item["options"] = dict(small_codebook["option_sets"]["agree5"])
    assert load_codebook(write_codebook(small_codebook)).fingerprint() == before


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["option_sets"]["agree5"].__setitem__(3, "说不清"),         # option label
        lambda d: d["items"][5]["options"].__setitem__(4, "预备党员"),          # option added
        lambda d: d["items"][0].__setitem__("text", "党组织学习形式多样"),       # wording
        lambda d: d["items"][7].__setitem__("type", "text") or d["items"][7].pop("range"),  # type
        lambda d: d["items"][0].__setitem__("id", "q0") or d["scales"][0]["items"].__setitem__(0, "q0"),
    ],
    ids=["option-label", "option-added", "text", "type", "id"],
)
def test_fingerprint_changes_with_content(tmp_path: Path, small_codebook, write_codebook, change) -> None:
    before = load_codebook(write_codebook(small_codebook)).fingerprint()
    change(small_codebook)
    assert load_codebook(write_codebook(small_codebook)).fingerprint() != before


def test_fingerprint_ignores_scales_and_sources(tmp_path: Path, small_codebook, write_codebook) -> None:
    before = load_codebook(write_codebook(small_codebook)).fingerprint()
    small_codebook["scales"][0]["reverse"] = []
    small_codebook["items"][0]["source"] = {"header": "第6题(学习形式多样)"}
    assert load_codebook(write_codebook(small_codebook)).fingerprint() == before


# -- schema errors (key path from pydantic) ----------------------------------------------------
@pytest.mark.parametrize(
    ("mutate", "key", "reason"),
    [
        (lambda d: d["items"][0].__setitem__("optoins", "agree5"), "items[0].optoins", "未知的配置项"),
        (lambda d: d.__setitem__("scale", []), "scale", "未知的配置项"),
        (lambda d: d["items"][8].__setitem__("required", "也许"), "items[8].required", "应为 true 或 false"),
        (lambda d: d["items"][0].__setitem__("type", "matrix"), "items[0].type", "取值不在允许范围内"),
        (lambda d: d["items"][0].pop("text"), "items[0].text", "缺少必填项"),
        (lambda d: d.pop("title"), "title", "缺少必填项"),
        (lambda d: d.pop("items"), "items", "缺少必填项"),
        (lambda d: d["scales"][0].__setitem__("items", ["q1"]), "scales[0].items", "列表太短"),
        (lambda d: d["identifiers"][0].__setitem__("kind", "qq"), "identifiers[0].kind", "取值不在允许范围内"),
        (lambda d: d["items"][1].pop("options"), "items[1]", "必须给出 options"),
        (lambda d: d["items"][0].__setitem__("id", "1题"), "items[0]", "应以英文字母开头"),
        (lambda d: d["items"][5].__setitem__("range", [1, 3]), "items[5]", "range 只用于 numeric"),
        (lambda d: d["items"][7].__setitem__("range", [100, 0]), "items[7]", "下限大于上限"),
        (lambda d: d["identifiers"][1].__setitem__("action", "drop"), "identifiers[1]", "respondent_key 需要"),
        (lambda d: d["identifiers"][1].__setitem__("action", "coarsen"), "identifiers[1]", "coarsen（粗化）只适用于 ip"),
    ],
    ids=["typo", "top-typo", "bool", "type", "missing-text", "missing-title", "missing-items",
         "short-scale", "kind", "no-options", "bad-id", "range-not-numeric",
         "range-order", "key-needs-pseudonymise", "coarsen-not-ip"],
)
def test_schema_errors_name_key_path(small_codebook, write_codebook, mutate, key: str, reason: str) -> None:
    mutate(small_codebook)
    err = _error(write_codebook(small_codebook))
    msg = err.message_zh()
    assert err.key == key
    assert f"\n    {key}：" in msg  # the problem line starts with the key path
    assert reason in msg.split(f"{key}：", 1)[1].split("\n")[0]
    assert "编码手册" in msg


def test_wrong_option_code_names_item_options(small_codebook, write_codebook) -> None:
    small_codebook["items"][5]["options"] = {"一": "在职教职工党员"}
    err = _error(write_codebook(small_codebook))
    assert "items[5].options" in err.message_zh()
    assert "应为整数（现为 '一'）" in err.message_zh()


def test_key_path_has_no_pydantic_union_tags(small_codebook, write_codebook) -> None:
    small_codebook["items"][5]["options"] = {"一": "在职教职工党员"}
    err = _error(write_codebook(small_codebook))
    assert "items[5].options.一：应为整数" in err.message_zh()
    assert "dict[int,str]" not in err.message_zh() and "[key]" not in err.message_zh()


# -- cross-checks (whole-codebook consistency) -------------------------------------------------
def _dup_id(d: dict) -> None:
    d["items"].append({"id": "q2", "text": "重复", "type": "numeric"})


def _collision(d: dict) -> None:
    d["items"].append({"id": "fmt_other", "text": "其他学习形式", "type": "text"})


def _identifier_collision(d: dict) -> None:
    d["identifiers"].append({"id": "hours", "kind": "other"})


CROSS_CHECKS = [
    # (mutate, Chinese message, key path the message should name)
    (lambda d: d["scales"][0]["items"].append("q9"), "量表 P1 列出的题目 q9 不在 items 中", "scales[0].items[4]"),
    (lambda d: d["scales"][0]["reverse"].append("attn"), "量表 P1 的反向题 attn 不在该量表的 items 中",
     "scales[0].reverse[1]"),
    (lambda d: d["scales"][0]["items"].append("member_type"), "量表 P1 的题目 member_type 不是 likert 类型",
     "scales[0].items[4]"),
    (lambda d: d["scales"][0]["items"].append("hours"), "量表 P1 的题目 hours 不是 likert 类型",
     "scales[0].items[4]"),
    (lambda d: d["attention_checks"][0].__setitem__("correct", 6), "注意力检测题 attn 的正确答案 6 不在选项中",
     "attention_checks[0].correct"),
    (lambda d: d["attention_checks"].append({"item": "attention", "correct": 4}),
     "注意力检测题 attention 不在 items 中", "attention_checks[1].item"),
    (_dup_id, "题目编号重复：q2", "items[9].id"),
    (_collision, "输出列名冲突：fmt_other", "items[9].id"),
    (_identifier_collision, "输出列名冲突：hours", "identifiers[2].id"),
    (lambda d: d["items"][0].__setitem__("options", "agree7"), "题目 q1 引用了不存在的选项集 'agree7'",
     "items[0].options"),
    (lambda d: d["items"][6].__setitem__("other_option", 9), "题目 fmt：other_option 9 不在选项中",
     "items[6].other_option"),
]
CROSS_IDS = ["scale-missing-item", "reverse-not-in-scale", "scale-single-item", "scale-numeric-item",
             "attention-answer", "attention-item", "duplicate-id", "column-collision",
             "identifier-collision", "option-set", "other-option"]


@pytest.mark.parametrize(("mutate", "message", "key"), CROSS_CHECKS, ids=CROSS_IDS)
def test_cross_check_errors(small_codebook, write_codebook, mutate, message: str, key: str) -> None:
    mutate(small_codebook)
    err = _error(write_codebook(small_codebook))
    assert message in err.message_zh()
    assert "编码手册（codebook）文件有 1 处问题" in err.message_zh()
    assert "codebook.yaml" in err.message_zh()


@pytest.mark.parametrize(("mutate", "message", "key"), CROSS_CHECKS, ids=CROSS_IDS)
def test_cross_check_errors_name_key_path(small_codebook, write_codebook, mutate, message: str,
                                          key: str) -> None:
    mutate(small_codebook)
    err = _error(write_codebook(small_codebook))
    assert err.key == key
    assert f"{key}：{message}" in err.message_zh()


def test_valid_option_column_names_are_not_collisions(small_codebook, write_codebook) -> None:
    # fmt has options 1–3, so fmt_4 is not one of its columns and is a legal id.
    small_codebook["items"].append({"id": "fmt_4", "text": "另一题", "type": "numeric"})
    cb = load_codebook(write_codebook(small_codebook))
    assert cb.columns("fmt_4") == ["fmt_4"]


# -- gaps in survey/codebook.py (proposed fixes in the report) ---------------------------------
@pytest.mark.parametrize("item_type", ["multiple", "ranking"])
def test_option_column_collision_detected(small_codebook, write_codebook, item_type: str) -> None:
    small_codebook["items"][6]["type"] = item_type
    if item_type == "ranking":
        small_codebook["items"][6].pop("other_option")
    small_codebook["items"].append({"id": "fmt_2", "text": "线上平台的使用频率", "type": "numeric"})
    err = _error(write_codebook(small_codebook))
    assert "输出列名冲突：fmt_2" in err.message_zh()


def test_duplicate_scale_ids(small_codebook, write_codebook) -> None:
    small_codebook["scales"].append({"id": "P1", "label": "重复", "items": ["q1", "q2"]})
    err = _error(write_codebook(small_codebook))
    assert "量表编号重复：P1" in err.message_zh()


def test_scale_items_share_option_codes(small_codebook, write_codebook) -> None:
    small_codebook["items"][3]["options"] = {i: str(i) for i in range(1, 8)}
    err = _error(write_codebook(small_codebook))
    assert "量表 P1" in err.message_zh() and "q4" in err.message_zh()


@pytest.mark.parametrize("reserved", ["submitted_at", "duration_s", "respondent_key"])
def test_reserved_column_names_rejected(small_codebook, write_codebook, reserved: str) -> None:
    small_codebook["items"].append({"id": reserved, "text": "保留列名", "type": "numeric"})
    err = _error(write_codebook(small_codebook))
    assert reserved in err.message_zh()


# -- file-level errors ------------------------------------------------------------------------
def test_malformed_yaml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("title: 测试\nitems:\n  - id: q1\n    text: 题干\n    type likert\n    options: {1: 是}\n",
                    encoding="utf-8")
    err = _error(path)
    assert "编码手册（codebook）文件的 YAML 格式有误" in err.message_zh()
    assert err.row == 6
    assert "第 6 行" in err.message_zh()


def test_tab_indentation_names_line(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("title: 测试\nitems:\n\t- id: q1\n", encoding="utf-8")
    err = _error(path)
    assert err.row == 3
    assert "YAML 格式有误" in err.message_zh()


def test_empty_codebook(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("# 还没写\n", encoding="utf-8")
    assert "编码手册（codebook）文件是空的" in _error(path).message_zh()


def test_non_utf8_codebook(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_bytes("title: 党建调研问卷\nitems: []\n".encode("gb18030"))
    assert "编码手册（codebook）文件不是 UTF-8 编码" in _error(path).message_zh()


def test_utf8_bom_is_accepted(tmp_path: Path, demo_codebook_text: str) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text(demo_codebook_text, encoding="utf-8-sig")
    assert load_codebook(path).title == "技师学院党建工作调研问卷（党员、干部卷）"


def test_codebook_not_found(tmp_path: Path) -> None:
    err = _error(tmp_path / "codbook.yaml")
    assert "找不到编码手册（codebook）文件" in err.message_zh()


def test_top_level_list_names_top_level(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("- id: q1\n", encoding="utf-8")
    err = _error(path)
    assert "（顶层）：应为映射" in err.message_zh()
