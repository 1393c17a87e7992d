"""Theme statistics of the symposium statements: presence matrices, frequencies, quotes.

Works on the cleaned statements of :func:`survey.instruments.symposium.clean_statements`
(``statement_id, session, group, speaker, text, codes_a, codes_b, text_scrubbed``; the codes
columns hold tuples of known codes) and the :class:`~survey.instruments.symposium.ThemeCodebook`.

Which coder counts: frequencies use **coder A** by default (coder A codes everything, coder B
is the reliability check, as in most content-analysis protocols); ``coder="union"`` counts a
theme when either coder assigned it and ``coder="consensus"`` only when both did.

Examples
--------
>>> import pandas as pd
>>> from survey.instruments.symposium import themes_from_frame
>>> themes = themes_from_frame(pd.DataFrame({"code": ["T01", "T02"], "label": ["学习", "组织"],
...                                          "area": ["P1", "P1;P2"]}))
>>> st = pd.DataFrame({"statement_id": ["S0001", "S0002", "S0003"], "session": ["A", "A", "B"],
...                    "group": ["书记", "书记", "学生"],
...                    "codes_a": [("T01",), ("T01", "T02"), ()], "codes_b": [("T01",), ("T02",), ()]})
>>> presence(st, themes.codes, coder="consensus").astype(int).to_numpy().tolist()
[[1, 0], [0, 1], [0, 0]]
>>> area_presence(st, themes)[["P1", "P2"]].sum().to_dict()
{'P1': 2, 'P2': 1}
>>> f = theme_frequencies(st, themes)
>>> f.loc[f["group"] == "书记", ["code", "n", "share", "session_share"]].to_numpy().tolist()
[['T01', 2, 1.0, 1.0], ['T02', 1, 0.5, 1.0]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from survey.errors import SurveyError
from survey.instruments.symposium import ThemeCodebook
from survey.instruments.tables import AREAS

__all__ = [
    "ALL_GROUPS",
    "Coder",
    "all_codes",
    "area_presence",
    "presence",
    "representative_quotes",
    "sessions_overview",
    "theme_change",
    "theme_frequencies",
]

#: Whose codes count: coder A, coder B, either (``union``) or both (``consensus``).
Coder = Literal["a", "b", "union", "consensus"]

# --------------------------------------------------------------------------------------
# Presence matrices
# --------------------------------------------------------------------------------------


def presence(statements: pd.DataFrame, codes: Sequence[str], *, coder: Coder = "a") -> pd.DataFrame:
    """Statement × code boolean matrix for one coder (or the union / consensus of both).

    Returns
    -------
    pandas.DataFrame
        Index ``statement_id``, one bool column per code, in ``codes`` order.
    """
    def mat(col: str) -> np.ndarray:
        sets = [set(v) for v in statements[col]]
        return np.array([[c in s for c in codes] for s in sets], dtype=bool).reshape(len(sets), len(codes))

    if coder == "a":
        m = mat("codes_a")
    elif coder == "b":
        m = mat("codes_b")
    elif coder == "union":
        m = mat("codes_a") | mat("codes_b")
    elif coder == "consensus":
        m = mat("codes_a") & mat("codes_b")
    else:
        raise ValueError(f"unknown coder {coder!r}")
    return pd.DataFrame(m, index=pd.Index(statements["statement_id"], name="statement_id"), columns=list(codes))


def area_presence(statements: pd.DataFrame, themes: ThemeCodebook, *, coder: Coder = "a",
                  areas: Sequence[str] = AREAS) -> pd.DataFrame:
    """Statement × problem area: True when any theme of the area was coded."""
    p = presence(statements, themes.codes, coder=coder)
    amap = themes.areas()
    out = {a: p[list(amap.loc[amap["area"] == a, "code"])].any(axis=1) for a in areas}
    return pd.DataFrame(out, index=p.index)


# --------------------------------------------------------------------------------------
# Frequencies
# --------------------------------------------------------------------------------------

ALL_GROUPS = "全部"


def theme_frequencies(statements: pd.DataFrame, themes: ThemeCodebook, *, coder: Coder = "a",
                      by: str = "group") -> pd.DataFrame:
    """Theme frequencies by stakeholder group: statements and sessions mentioning each theme.

    Parameters
    ----------
    statements
        Cleaned statements (:func:`clean_statements`).
    themes
        The theme codebook.
    coder
        Whose codes count: ``"a"`` (default), ``"b"``, ``"union"``, ``"consensus"``.
    by
        Grouping column (default ``group``); a ``全部`` row set covers all statements.

    Returns
    -------
    pandas.DataFrame
        ``group, code, label, area, n_statements, n, share, n_sessions, sessions_mentioning,
        session_share``. ``n`` = statements mentioning the theme; ``share = n / n_statements``;
        ``session_share`` = sessions with at least one such statement / sessions of the group.
        ``area`` is the areas joined with ``、``.

    Examples
    --------
    R: ``prop.table(table(group, theme), 1)`` on the long coding table.

    >>> from survey.instruments.symposium import themes_from_frame
    >>> themes = themes_from_frame(pd.DataFrame({"code": ["T01"], "label": ["学习"]}))
    >>> st = pd.DataFrame({"statement_id": ["S1", "S2", "S3"], "session": ["A", "A", "B"],
    ...                    "group": ["书记", "书记", "学生"], "codes_a": [("T01",), (), ()]})
    >>> theme_frequencies(st, themes)[["group", "n", "share"]].to_numpy().tolist()
    [['书记', 1, 0.5], ['学生', 0, 0.0], ['全部', 1, 0.3333333333333333]]
    """
    p = presence(statements, themes.codes, coder=coder)
    p.index = statements.index
    frames = []
    grouped = [(g, idx) for g, idx in statements.groupby(by, sort=True).groups.items()]
    grouped.append((ALL_GROUPS, statements.index))
    for g, idx in grouped:
        sub = p.loc[idx]
        sess = statements.loc[idx, "session"]
        mentioned_sessions = sub.groupby(sess.to_numpy()).any().sum(axis=0)
        n_sess = sess.nunique()
        frames.append(pd.DataFrame({
            "group": g, "code": themes.codes,
            "n_statements": len(idx), "n": sub.sum(axis=0).to_numpy(),
            "n_sessions": n_sess, "sessions_mentioning": mentioned_sessions.to_numpy(),
        }))
    out = pd.concat(frames, ignore_index=True)
    meta = themes.table.assign(area=themes.table["area"].map("、".join))[["code", "label", "area"]]
    out = out.merge(meta, on="code", how="left")
    out["share"] = out["n"] / out["n_statements"].where(out["n_statements"] > 0)
    out["session_share"] = out["sessions_mentioning"] / out["n_sessions"].where(out["n_sessions"] > 0)
    cols = ["group", "code", "label", "area", "n_statements", "n", "share",
            "n_sessions", "sessions_mentioning", "session_share"]
    return out[cols]


# --------------------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------------------


def representative_quotes(statements: pd.DataFrame, themes: ThemeCodebook, *, k: int = 2,
                          max_chars: int = 120, allow_unscrubbed: bool = False) -> pd.DataFrame:
    """Pick up to ``k`` representative, scrubbed quotes per theme, deterministically.

    Candidates are statements coder A gave the theme. Order of preference: both coders gave
    it; then round-robin over stakeholder groups (largest group first) so that different
    groups speak; within a group, length closest to the median length of the candidates
    (neither a fragment nor a speech), then file order. Texts longer than ``max_chars`` are
    cut with ``…``.

    Returns
    -------
    pandas.DataFrame
        ``code, label, rank, statement_id, session, group, speaker, text, both_coders``.

    Raises
    ------
    SurveyError
        When a chosen statement's text was not scrubbed (see :func:`clean_statements`),
        unless ``allow_unscrubbed``.

    Examples
    --------
    >>> from survey.instruments.symposium import themes_from_frame
    >>> themes = themes_from_frame(pd.DataFrame({"code": ["T01"], "label": ["学习"]}))
    >>> st = pd.DataFrame({"statement_id": ["S1", "S2", "S3"], "session": ["A", "A", "B"],
    ...                    "group": ["书记", "书记", "学生"], "speaker": ["甲", "乙", "丙"],
    ...                    "text": ["学习制度要落实。", "学习形式单一，缺少实践环节。", "学习太少"],
    ...                    "codes_a": [("T01",)] * 3, "codes_b": [("T01",), (), ("T01",)],
    ...                    "text_scrubbed": True})
    >>> representative_quotes(st, themes, k=2)[["rank", "statement_id", "group"]].to_numpy().tolist()
    [[1, 'S1', '书记'], [2, 'S3', '学生']]
    """
    labels = dict(zip(themes.table["code"], themes.table["label"], strict=True))
    rows = []
    for code in themes.codes:
        cand = statements.loc[statements["codes_a"].map(lambda s, c=code: c in s)].copy()
        if cand.empty:
            continue
        cand["both"] = cand["codes_b"].map(lambda s, c=code: c in s)
        cand["len"] = cand["text"].str.len()
        cand["dist"] = (cand["len"] - cand["len"].median()).abs()
        cand["order"] = np.arange(len(cand))
        pool = cand.loc[cand["both"]] if cand["both"].any() else cand
        if len(pool) < k:
            pool = pd.concat([pool, cand.loc[~cand.index.isin(pool.index)]])
        pool = pool.sort_values(["dist", "order"], kind="stable")
        sizes = pool["group"].fillna("").value_counts()
        group_rank = {g: i for i, g in enumerate(sorted(sizes.index, key=lambda g: (-sizes[g], g)))}
        pool["within"] = pool.groupby(pool["group"].fillna("")).cumcount()
        pool["grank"] = pool["group"].fillna("").map(group_rank)
        chosen = pool.sort_values(["within", "both", "grank", "dist", "order"],
                                  ascending=[True, False, True, True, True], kind="stable").head(k)
        for rank, r in enumerate(chosen.to_dict("records"), start=1):
            if not allow_unscrubbed and not bool(r["text_scrubbed"]):
                raise SurveyError("发言内容尚未脱敏，不能作为引文输出", file=r.get("_file"),
                                  row=int(r["_row"]) if "_row" in r else None, column="发言内容",
                                  expected="经 survey.clean.privacy.scrub_text 脱敏的文本")
            text = r["text"] if len(r["text"]) <= max_chars else r["text"][: max_chars - 1] + "…"
            rows.append({"code": code, "label": labels[code], "rank": rank,
                         "statement_id": r["statement_id"], "session": r["session"],
                         "group": r["group"], "speaker": r["speaker"], "text": text,
                         "both_coders": bool(r["both"])})
    return pd.DataFrame(rows, columns=["code", "label", "rank", "statement_id", "session", "group",
                                       "speaker", "text", "both_coders"])


def sessions_overview(sessions: pd.DataFrame, statements: pd.DataFrame) -> pd.DataFrame:
    """Sessions and statements per stakeholder group: ``group, n_sessions, participants, n``."""
    s = sessions.groupby("group").agg(n_sessions=("session", "nunique"),
                                      participants=("participants", lambda x: x.sum(min_count=1)))
    n = statements.groupby("group").size().rename("n")
    return s.join(n, how="left").fillna({"n": 0}).astype({"n": int}).reset_index()


def all_codes(values: Iterable[tuple[str, ...]]) -> list[str]:
    """Sorted unique codes in a column of code tuples (helper for reports)."""
    return sorted({c for v in values for c in v})


# --------------------------------------------------------------------------------------
# Change across survey waves
# --------------------------------------------------------------------------------------


def theme_change(statements1: pd.DataFrame, statements2: pd.DataFrame, themes: ThemeCodebook, *,
                 coder: Coder = "a", p_adjust: str = "holm") -> pd.DataFrame:
    """Share of statements per theme in two waves, with a test of change per theme.

    Per theme a 2×2 table (wave × theme mentioned / not) is tested: Pearson chi-square
    without continuity correction when every expected count is at least 5, otherwise
    Fisher's exact test (two-sided). p-values are adjusted over the themes (Holm by default).

    Parameters
    ----------
    statements1, statements2
        Cleaned statements of the earlier and the later wave; both must have records.
    themes
        The theme codebook (shared by both waves).
    coder
        Whose codes count, as in :func:`presence`.
    p_adjust
        Method for :func:`survey.stats.common.adjust_p`.

    Returns
    -------
    pandas.DataFrame
        ``code, label, n_statements1, n1, share1, n_statements2, n2, share2, change, test,
        statistic, p, p_adj, p_adj_method``; ``change = share2 - share1``; ``test`` is
        ``"chi2"``, ``"fisher"`` (statistic = chi-square or the odds ratio) or ``"none"`` (theme
        never coded in either wave; p missing, outside the Holm family).

    Examples
    --------
    R: ``chisq.test(table(wave, mentioned), correct = FALSE)`` / ``fisher.test(...)``.
    """
    from scipy import stats as sps

    from survey.stats.common import adjust_p

    if len(statements1) == 0 or len(statements2) == 0:
        raise SurveyError("比较两轮座谈记录需要两轮都有发言记录，其中一轮为空。")
    p1 = presence(statements1, themes.codes, coder=coder)
    p2 = presence(statements2, themes.codes, coder=coder)
    n_a, n_b = len(p1), len(p2)
    rows = []
    for code in themes.codes:
        k1, k2 = int(p1[code].sum()), int(p2[code].sum())
        table = np.array([[k1, n_a - k1], [k2, n_b - k2]])
        expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
        if (table.sum(axis=0) == 0).any():
            test, stat, p = "none", float("nan"), float("nan")
        elif (expected >= 5).all():
            res = sps.chi2_contingency(table, correction=False)
            test, stat, p = "chi2", float(res[0]), float(res[1])
        else:
            odds, p = sps.fisher_exact(table)
            test, stat, p = "fisher", float(odds), float(p)
        rows.append({"code": code, "n_statements1": n_a, "n1": k1, "share1": k1 / n_a,
                     "n_statements2": n_b, "n2": k2, "share2": k2 / n_b, "change": k2 / n_b - k1 / n_a,
                     "test": test, "statistic": stat, "p": p})
    out = pd.DataFrame(rows)
    out["p_adj"] = adjust_p(out["p"].to_numpy(), p_adjust)
    out["p_adj_method"] = f"{p_adjust}/themes"
    labels = themes.table.set_index("code")["label"]
    out.insert(1, "label", out["code"].map(labels))
    return out
