"""Roster summary (党员名册汇总) and member-name list: reading and validation.

Roster file (``study.yaml`` → ``roster.path``), xlsx/xls/csv, one row per college × member
type, or per college × branch × member type (usually only for the home college):

    ============  ==============================================  =========
    column        accepted headers                                required
    ============  ==============================================  =========
    college       院校, 学院, college                               yes
    branch        党支部, 支部, branch                               no
    member_type   党员类型, 类别, 人员类别, member_type                yes
    members       人数, 党员人数, 党员数, members, count               yes
    ============  ==============================================  =========

Member types are normalised to the study's three: ``在职教职工党员`` (在职, 教职工, 教工,
在职党员 …), ``学生党员`` (学生), ``离退休党员`` (离退休, 退休 …); another value is an error.
``members`` must be a non-negative integer. When a college × member type has both branch
rows and a row with an empty branch, the empty-branch row is its total and must equal the
branch sum (otherwise SurveyError); the total is then used once, never added twice.

Population shares and response rates computed from the roster are in
:mod:`survey.stats.roster`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.instruments.tables import (
    ISSUE_COLUMNS,
    Issue,
    issue,
    norm_key,
    norm_text,
    pick_columns,
    raise_issues,
    read_frame,
)
from survey.io.normalise import normalise_text, parse_number
from survey.io.readers.tabular import read_table

ROSTER_COLUMNS = {
    "college": (("院校", "学院", "college"), True),
    "branch": (("党支部", "支部", "branch"), False),
    "member_type": (("党员类型", "类别", "人员类别", "member_type"), True),
    "members": (("人数", "党员人数", "党员数", "members", "count"), True),
}
MEMBER_TYPES = ("在职教职工党员", "学生党员", "离退休党员")
MEMBER_TYPE_ALIASES = {
    **dict.fromkeys(["在职教职工党员", "在职", "教职工", "教工", "在职党员", "教职工党员", "在职教工党员",
                     "STAFF"], "在职教职工党员"),
    **dict.fromkeys(["学生党员", "学生", "STUDENT"], "学生党员"),
    **dict.fromkeys(["离退休党员", "离退休", "退休", "离休", "退休党员", "RETIRED"], "离退休党员"),
}


def normalise_member_type(value: object) -> str | None:
    """Map a member-type spelling to one of :data:`MEMBER_TYPES` (``None`` if unknown)."""
    return MEMBER_TYPE_ALIASES.get(norm_key(value))


def read_roster(path: str | Path, *, display: str | None = None) -> pd.DataFrame:
    """Read and validate the roster summary.

    Returns
    -------
    pandas.DataFrame
        ``college, branch`` (``""`` for a college-level row), ``member_type, members``
        (int), ``_file, _row``.

    Raises
    ------
    SurveyError
        Unknown member type, a count that is not a non-negative integer, duplicated rows,
        a total row that disagrees with its branches (all listed at once).
    """
    df, shown = pick_columns(read_frame(path, display=display), ROSTER_COLUMNS, what="党员名册汇总表")
    out = df[["_file", "_row"]].copy()
    out["college"] = df["college"].map(norm_text).astype(object)
    out["branch"] = df["branch"].map(norm_text).astype(object) if "branch" in df else ""
    issues: list[Issue] = []
    types, counts = [], []
    for i in range(len(df)):
        t = normalise_member_type(df["member_type"].iat[i])
        if t is None:
            issues.append(issue(df, i, shown["member_type"], norm_text(df["member_type"].iat[i]),
                                 "党员类型无法识别", "、".join(MEMBER_TYPES)))
        types.append(t)
        v = parse_number(df["members"].iat[i])
        if np.isnan(v) or v < 0 or not float(v).is_integer():
            issues.append(issue(df, i, shown["members"], norm_text(df["members"].iat[i]),
                                 "人数不是非负整数", "0 或正整数"))
            v = np.nan
        counts.append(v)
        if not out["college"].iat[i]:
            issues.append(issue(df, i, shown["college"], "", "院校为空", "院校名称，如 本院"))
    out["member_type"] = pd.Series(types, index=out.index, dtype=object)
    out["members"] = np.asarray(counts, dtype=float)
    dup = out.duplicated(["college", "branch", "member_type"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()).tolist():
        issues.append(issue(df, int(i), shown["member_type"], out["member_type"].iat[i],
                             "院校 × 支部 × 党员类型重复", "每个组合只占一行"))
    ok = out["member_type"].notna() & out["members"].notna()
    for (college, mtype), sub in out.loc[ok].groupby(["college", "member_type"]):
        total = sub.loc[sub["branch"] == ""]
        branches = sub.loc[sub["branch"] != ""]
        if len(total) == 1 and len(branches):
            s = int(branches["members"].sum())
            if int(total["members"].iloc[0]) != s:
                i = int(np.flatnonzero(out.index == total.index[0])[0])
                issues.append(issue(df, i, shown["members"], int(total["members"].iloc[0]),
                                     f"{college}{mtype}的合计行与各支部之和（{s}）不一致",
                                     f"等于各支部人数之和 {s}，或删除合计行"))
    raise_issues(pd.DataFrame(issues, columns=ISSUE_COLUMNS).sort_values("row", kind="stable"),
                 what="党员名册汇总表")
    out["members"] = out["members"].astype(int)
    return out[["college", "branch", "member_type", "members", "_file", "_row"]].reset_index(drop=True)


def read_member_names(path: str | Path, *, display: str | None = None) -> list[str]:
    """Read a list of member names (column 姓名 / name), used only to scrub free text.

    Returns
    -------
    list of str
        Distinct non-empty names of two or more characters, sorted.

    Raises
    ------
    SurveyError
        When the file has no 姓名 column.
    """
    table = read_table(path, display=display)
    wanted = [h for h in table.header if normalise_text(h).lower() in ("姓名", "name", "名字", "党员姓名")]
    if not wanted:
        raise SurveyError(
            "党员名单中没有“姓名”列",
            file=display or path,
            row=table.header_row,
            expected="一列表头为“姓名”的名单（每行一人）",
        )
    names = {normalise_text(v) for v in table.data[wanted[0]].tolist()}
    return sorted(n for n in names if len(n) >= 2)
