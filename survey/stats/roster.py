"""Roster analysis: population shares of member types and response rates.

Works on the validated roster summary of :func:`survey.instruments.roster.read_roster`
(``college, branch, member_type, members``); a college-level row (empty branch) is the
total of its branches and is counted once.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import pandas as pd

from survey.errors import SurveyWarning
from survey.instruments.roster import normalise_member_type
from survey.instruments.tables import norm_text

__all__ = ["college_totals", "population_shares", "response_rates"]


def college_totals(roster: pd.DataFrame) -> pd.DataFrame:
    """Members per college × member type, counting each member once.

    A college-level row (empty branch) wins over its branch rows (already checked to agree).

    Examples
    --------
    >>> roster = pd.DataFrame({"college": ["本院", "本院", "本院", "甲校"],
    ...                        "branch": ["", "一支部", "二支部", ""],
    ...                        "member_type": ["学生党员"] * 4, "members": [30, 10, 20, 40]})
    >>> college_totals(roster).to_numpy().tolist()
    [['本院', '学生党员', 30], ['甲校', '学生党员', 40]]
    """
    has_total = roster.assign(_t=roster["branch"] == "").groupby(["college", "member_type"])["_t"].transform("any")
    keep = (roster["branch"] == "") | ~has_total
    return roster.loc[keep].groupby(["college", "member_type"])["members"].sum().reset_index()


def population_shares(roster: pd.DataFrame, *, by: Sequence[str] = ("college", "member_type"),
                      within: str | None = "college") -> pd.DataFrame:
    """Population counts and shares.

    Parameters
    ----------
    roster
        From :func:`read_roster`.
    by
        Breakdown columns; ``("college", "member_type")`` or, for branch-level rows of the
        home college, ``("college", "branch", "member_type")``.
    within
        Shares are computed within this column's levels (default: within each college);
        ``None`` for shares of the grand total.

    Returns
    -------
    pandas.DataFrame
        ``*by, members, population_share``.

    Examples
    --------
    >>> roster = pd.DataFrame({"college": ["本院", "本院"], "branch": ["", ""],
    ...                        "member_type": ["学生党员", "离退休党员"], "members": [30, 10]})
    >>> population_shares(roster)["population_share"].tolist()
    [0.75, 0.25]
    """
    by = list(by)
    base = college_totals(roster) if "branch" not in by else roster.loc[roster["branch"] != ""]
    out = base.groupby(by)["members"].sum().reset_index()
    denom = out.groupby(within)["members"].transform("sum") if within else out["members"].sum()
    out["population_share"] = out["members"] / denom
    return out


def response_rates(roster: pd.DataFrame, respondents: pd.DataFrame, *,
                   by: Sequence[str] = ("college", "member_type"), count_col: str | None = None,
                   within: str | None = "college") -> pd.DataFrame:
    """Response rates and sample versus population shares.

    Parameters
    ----------
    roster
        From :func:`read_roster`.
    respondents
        Either one row per respondent (with the ``by`` columns; rows are counted) or a table
        of counts with ``count_col``.
    by
        Breakdown columns.
    count_col
        Column holding respondent counts; ``None`` to count rows.
    within
        Shares within this column's levels (default per college).

    Returns
    -------
    pandas.DataFrame
        ``*by, members, n, response_rate, population_share, sample_share``. Breakdowns with
        respondents but no roster entry get ``members`` NaN. A response rate above 1 (more
        respondents than members) raises a :class:`SurveyWarning`; it usually means the roster
        or the member-type answers are wrong.

    Examples
    --------
    R: ``dplyr::count(resp, college, member_type) |> left_join(roster)``.

    >>> roster = pd.DataFrame({"college": ["本院", "本院"], "branch": ["", ""],
    ...                        "member_type": ["学生党员", "离退休党员"], "members": [30, 10]})
    >>> resp = pd.DataFrame({"college": ["本院"] * 4, "member_type": ["学生", "学生", "学生", "退休"]})
    >>> response_rates(roster, resp)[["member_type", "n", "response_rate"]].to_numpy().tolist()
    [['学生党员', 3, 0.1], ['离退休党员', 1, 0.1]]
    """
    by = list(by)
    pop = population_shares(roster, by=by, within=within)
    resp = respondents.copy()
    if "member_type" in by and "member_type" in resp:
        resp["member_type"] = resp["member_type"].map(lambda v: normalise_member_type(v) or norm_text(v))
    if count_col is None:
        counts = resp.groupby(by).size().reset_index(name="n")
    else:
        counts = resp.groupby(by)[count_col].sum().reset_index(name="n")
    out = pop.merge(counts, on=by, how="outer")
    out["n"] = out["n"].fillna(0).astype(int)
    out["response_rate"] = out["n"] / out["members"].where(out["members"] > 0)
    denom = out.groupby(within)["n"].transform("sum") if within else out["n"].sum()
    out["sample_share"] = out["n"] / denom
    over = out.loc[out["response_rate"] > 1]
    if len(over):
        cells = "；".join(" / ".join(str(r[c]) for c in by) for _, r in over.iterrows())
        warnings.warn(f"以下分组的答卷人数多于名册人数（应答率 > 100%）：{cells}", SurveyWarning, stacklevel=2)
    return out[[*by, "members", "n", "response_rate", "population_share", "sample_share"]]
