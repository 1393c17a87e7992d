"""Symposium records (座谈会记录): reading, validation, code normalisation, scrubbing.

Three files make up the symposium instrument (``study.yaml`` → ``symposium``). Each may be
``.xlsx``/``.xls`` (first sheet) or ``.csv`` (encoding detected by the project's table reader).
Headers are matched after Unicode NFKC normalisation (full-width → half-width), trimming and
lower-casing; the first header listed is the one to use, the others are accepted aliases.

Sessions (``sessions``) — one row per meeting
    ============  ===============================================  =========
    column        accepted headers                                 required
    ============  ===============================================  =========
    session       场次编号, 场次, 座谈会编号, 编号, session, session_id   yes
    date          日期, 座谈日期, 时间, date                           no
    group         座谈对象, 参会群体, 群体, 对象, group, stakeholder      yes
    participants  参会人数, 人数, participants, n_participants        no
    ============  ===============================================  =========

Theme codebook (``themes``) — one row per theme code
    ============  ===============================================  =========
    code          主题编码, 编码, 代码, code                           yes
    label         主题, 主题名称, 名称, 标签, label                     yes
    area          问题领域, 领域, 问题, area                           no (P1–P5)
    project       项目, 对应项目, 工程, project                        no
    synonyms      同义词, 别名, synonyms, aliases                     no
    ============  ===============================================  =========

    ``area`` holds ``P1``…``P5`` (several allowed, separated like codes); ``synonyms`` holds
    other spellings coders used (separated like codes). A code, its label and every synonym
    all map to the code.

Statements (``statements``) — one row per statement (typed from the minutes)
    ============  =====================================================  =========
    session       场次编号, 场次, 座谈会编号, session, session_id           yes
    speaker       发言人, 发言人代号, 发言者, speaker                        no
    role          发言人身份, 身份, 角色, 职务, role                          no
    text          发言内容, 发言, 内容, 文本, text, statement              yes
    codes_a       编码员A, 编码A, 主题编码A, 编码员甲, coder_a, codes_a      yes
    codes_b       编码员B, 编码B, 主题编码B, 编码员乙, coder_b, codes_b      no
    ============  =====================================================  =========

    A codes cell may hold several codes separated by ``;`` ``；`` ``,`` ``，`` ``、`` ``/``
    or a line break; an empty cell means "no theme".

    The speaker is never written out as typed: :func:`clean_statements` replaces it by the
    speaker's role when the row has one, else by a keyed pseudonym
    (:func:`survey.clean.privacy.pseudonymise_speakers`), and removes speakers' names from the
    statement texts.

Problems found while cleaning (unknown theme codes, statements whose session is not in the
sessions file, duplicate ids) are collected **all at once** into an issues table
(``file, row, column, value, problem, expected``; row as Excel shows it). By default they
raise one :class:`~survey.errors.SurveyError` naming the first problem and listing up to
20 more, because an unknown code silently dropped would change every frequency. Pass
``on_issue="warn"`` to get the table back instead (a :class:`~survey.errors.SurveyWarning`
is emitted and the offending codes are left out).

Notes
-----
Files are read with :func:`survey.instruments.tables.read_frame` (the project's one table
reader, :func:`survey.io.readers.tabular.read_table`). The statistics of the cleaned
statements live in :mod:`survey.stats.themes` (presence, frequencies, quotes),
:mod:`survey.stats.contingency` (theme × group tests) and :mod:`survey.stats.agreement`
(inter-coder agreement).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.typing import NaTType

from survey.clean.identifiers import looks_like_name
from survey.errors import SurveyWarning
from survey.instruments.tables import (
    AREAS,
    ISSUE_COLUMNS,
    Issue,
    issue,
    norm_key,
    norm_text,
    pick_columns,
    raise_issues,
    read_frame,
    split_codes,
)

#: ``f(texts, names) -> (scrubbed texts, counts)``, e.g. :func:`survey.clean.privacy.scrub_text`.
Scrubber = Callable[[pd.Series, Sequence[str]], tuple[pd.Series, Mapping[str, int]]]

_THEME_HINT = "改正原始记录后重新运行；如确属新主题，请先在主题编码表中增加该编码"

# --------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------

SESSION_COLUMNS = {
    "session": (("场次编号", "场次", "座谈会编号", "编号", "session", "session_id"), True),
    "date": (("日期", "座谈日期", "时间", "date"), False),
    "group": (("座谈对象", "参会群体", "群体", "对象", "group", "stakeholder"), True),
    "participants": (("参会人数", "人数", "participants", "n_participants"), False),
}
THEME_COLUMNS = {
    "code": (("主题编码", "编码", "代码", "code"), True),
    "label": (("主题", "主题名称", "名称", "标签", "label"), True),
    "area": (("问题领域", "领域", "问题", "area"), False),
    "project": (("项目", "对应项目", "工程", "project"), False),
    "synonyms": (("同义词", "别名", "synonyms", "aliases"), False),
}
STATEMENT_COLUMNS = {
    "session": (("场次编号", "场次", "座谈会编号", "session", "session_id"), True),
    "speaker": (("发言人", "发言人代号", "发言者", "speaker"), False),
    "role": (("发言人身份", "身份", "角色", "职务", "role"), False),
    "text": (("发言内容", "发言", "内容", "文本", "text", "statement"), True),
    "codes_a": (("编码员A", "编码A", "主题编码A", "编码员甲", "coder_a", "codes_a"), True),
    "codes_b": (("编码员B", "编码B", "主题编码B", "编码员乙", "coder_b", "codes_b"), False),
}


def _parse_date(value: object) -> pd.Timestamp | NaTType:
    if isinstance(value, (pd.Timestamp, np.datetime64, dt.date)):
        return pd.Timestamp(value)
    text = norm_text(value)
    if not text:
        return pd.NaT
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # Excel serial date typed into a csv
        return pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(float(text)))
    text = text.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    return pd.to_datetime(text, errors="coerce")


def read_sessions(path: str | Path, *, display: str | None = None) -> pd.DataFrame:
    """Read the symposium sessions file.

    Returns
    -------
    pandas.DataFrame
        ``session`` (str), ``date`` (datetime64, NaT if absent), ``group`` (str),
        ``participants`` (float, NaN if absent), ``_file``, ``_row``.

    Raises
    ------
    SurveyError
        Missing columns, empty or duplicate session ids, empty group, unreadable date or
        participant count (all problems listed at once).
    """
    df, shown = pick_columns(read_frame(path, display=display), SESSION_COLUMNS, what="座谈会场次表")
    out = df[["_file", "_row"]].copy()
    out["session"] = df["session"].map(norm_text).astype(object)
    out["group"] = df["group"].map(norm_text).astype(object)
    out["date"] = (
        pd.to_datetime(df["date"].map(_parse_date)) if "date" in df else pd.Series(pd.NaT, index=df.index)
    )
    parts = pd.to_numeric(df["participants"].map(norm_text), errors="coerce") if "participants" in df \
        else pd.Series(np.nan, index=df.index)
    out["participants"] = parts.astype(float)
    issues: list[Issue] = []
    dup = out["session"].duplicated(keep="first")
    no_date = out["date"].isna().to_numpy()
    participants = out["participants"].to_numpy(dtype=float)
    for i in range(len(out)):
        if not out["session"].iat[i]:
            issues.append(issue(df, i, shown["session"], "", "场次编号为空", "非空且不重复的场次编号"))
        elif dup.iat[i]:
            issues.append(issue(df, i, shown["session"], out["session"].iat[i], "场次编号重复", "不重复的场次编号"))
        if not out["group"].iat[i]:
            issues.append(issue(df, i, shown["group"], "", "座谈对象为空", "如 党支部书记、组织员、学生党员"))
        if "date" in df and norm_text(df["date"].iat[i]) and no_date[i]:
            issues.append(issue(df, i, shown["date"], norm_text(df["date"].iat[i]), "日期无法识别", "日期，如 2026-09-03"))
        if "participants" in df:
            raw = norm_text(df["participants"].iat[i])
            v = participants[i]
            if raw and (np.isnan(v) or v <= 0 or not float(v).is_integer()):
                issues.append(issue(df, i, shown["participants"], raw, "参会人数无效", "正整数"))
    raise_issues(pd.DataFrame(issues, columns=ISSUE_COLUMNS), what="座谈会场次表")
    return out[["session", "date", "group", "participants", "_file", "_row"]]


@dataclass(frozen=True)
class ThemeCodebook:
    """The symposium theme codebook.

    Attributes
    ----------
    table
        One row per code: ``code``, ``label``, ``area`` (tuple of ``P1``…``P5``),
        ``project`` (str), ``synonyms`` (tuple of str).
    lookup
        :func:`norm_key` of a code, label or synonym → code.
    """

    table: pd.DataFrame
    lookup: dict[str, str]

    @property
    def codes(self) -> list[str]:
        return list(self.table["code"])

    def resolve(self, token: str) -> str | None:
        """Return the code a raw token stands for, or ``None`` if unknown."""
        return self.lookup.get(norm_key(token))

    def areas(self) -> pd.DataFrame:
        """Long table ``code, area`` (a code may belong to several areas)."""
        rows = [(c, a) for c, areas in zip(self.table["code"], self.table["area"], strict=True) for a in areas]
        return pd.DataFrame(rows, columns=["code", "area"])


def _as_tuple(value: object, as_key: bool) -> tuple[str, ...]:
    items = list(value) if isinstance(value, (list, tuple)) else split_codes(value)
    return tuple(norm_key(x) if as_key else norm_text(x) for x in items)


def themes_from_frame(table: pd.DataFrame) -> ThemeCodebook:
    """Build a :class:`ThemeCodebook` from a frame with ``code``, ``label`` and optional
    ``area`` / ``project`` / ``synonyms`` (strings or sequences). Used by tests and demos."""
    t = pd.DataFrame({"code": table["code"].map(norm_key), "label": table["label"].map(norm_text)})
    for col, as_key in (("area", True), ("synonyms", False)):
        vals = table[col] if col in table else pd.Series([()] * len(table), index=table.index)
        t[col] = [_as_tuple(v, as_key) for v in vals]
    t["project"] = table["project"].map(norm_text) if "project" in table else ""
    lookup: dict[str, str] = {}
    for code, label, syn in zip(t["code"], t["label"], t["synonyms"], strict=True):
        for token in (code, label, *syn):
            lookup.setdefault(norm_key(token), code)
    return ThemeCodebook(table=t[["code", "label", "area", "project", "synonyms"]], lookup=lookup)


def read_themes(path: str | Path, *, display: str | None = None) -> ThemeCodebook:
    """Read the theme codebook.

    Raises
    ------
    SurveyError
        Empty or duplicate codes, an area outside ``P1``…``P5``, or a synonym claimed by two
        codes (all listed at once).
    """
    raw = read_frame(path, display=display)
    df, shown = pick_columns(raw, THEME_COLUMNS, what="主题编码表")
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    first_row: dict[str, int] = {}
    codes = df["code"].map(norm_key)
    excel_rows = df["_row"].to_numpy(dtype=int)
    for i, code in enumerate(codes.tolist()):
        if not code:
            issues.append(issue(df, i, shown["code"], "", "主题编码为空", "非空编码，如 T01"))
            continue
        if code in first_row:
            issues.append(issue(df, i, shown["code"], code,
                                 f"主题编码重复（第 {first_row[code]} 行已有该编码）", "每个主题编码只出现一次"))
            continue
        first_row[code] = int(excel_rows[i])
        if "area" in df:
            for a in split_codes(df["area"].iat[i]):
                if norm_key(a) not in AREAS:
                    issues.append(issue(df, i, shown["area"], a, "问题领域无效", "P1、P2、P3、P4、P5（可多个）"))
        tokens = [code, norm_text(df["label"].iat[i])]
        if "synonyms" in df:
            tokens += split_codes(df["synonyms"].iat[i])
        for tok in tokens:
            k = norm_key(tok)
            if k in seen and seen[k] != code:
                col = shown["code"] if tok == code else shown.get("synonyms", shown["label"])
                issues.append(issue(df, i, col, tok, f"与编码 {seen[k]} 的编码/名称/同义词重复", "每个编码、名称、同义词只对应一个主题"))
            seen.setdefault(k, code)
    raise_issues(pd.DataFrame(issues, columns=ISSUE_COLUMNS), what="主题编码表")
    frame = pd.DataFrame({
        "code": codes,
        "label": df["label"],
        "area": df.get("area", ""),
        "project": df.get("project", ""),
        "synonyms": df.get("synonyms", ""),
    })
    return themes_from_frame(frame)


def read_statements(path: str | Path, *, display: str | None = None) -> pd.DataFrame:
    """Read the statements file as raw text columns (codes not yet checked).

    Returns
    -------
    pandas.DataFrame
        ``session``, ``speaker``, ``role``, ``text``, ``codes_a``, ``codes_b`` (raw cell text),
        ``_file``, ``_row``; ``.attrs["columns"]`` maps each to the header the user sees.
    """
    df, shown = pick_columns(read_frame(path, display=display), STATEMENT_COLUMNS, what="座谈发言记录表")
    for col in ("speaker", "role", "codes_b"):
        if col not in df:
            df[col] = ""
    out = df[["session", "speaker", "role", "text", "codes_a", "codes_b", "_file", "_row"]].copy()
    for col in ("session", "speaker", "role", "codes_a", "codes_b"):
        out[col] = out[col].map(norm_text).astype(object)
    out["text"] = df["text"].map(lambda v: "" if pd.isna(v) else str(v).strip()).astype(object)
    out.attrs["columns"] = {**shown, "codes_b": shown.get("codes_b", "编码员B")}
    return out


def _default_scrubber() -> Scrubber | None:
    try:
        from survey.clean.privacy import scrub_text  # written in parallel; optional until it exists
    except ImportError:
        return None
    return scrub_text


def clean_statements(
    statements: pd.DataFrame,
    themes: ThemeCodebook,
    sessions: pd.DataFrame | None = None,
    *,
    scrubber: Scrubber | None | Literal["auto"] = "auto",
    names: Sequence[str] = (),
    key: bytes | None = None,
    on_issue: Literal["error", "warn"] = "error",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise theme codes, check sessions, scrub text.

    Parameters
    ----------
    statements
        From :func:`read_statements`.
    themes
        From :func:`read_themes`.
    sessions
        From :func:`read_sessions`; when given, each statement's session must exist and its
        stakeholder ``group`` is attached.
    scrubber
        ``f(series, names) -> (series, counts)`` replacing names, phone numbers etc. in the
        text. ``"auto"`` uses :func:`survey.clean.privacy.scrub_text` when importable; ``None`` (or
        "auto" without it) keeps the text as is, emits a :class:`SurveyWarning`, and marks
        ``text_scrubbed`` False so quotes are refused later.
    names
        Person names to remove from the text (passed to the scrubber, together with every
        speaker cell shaped like a Chinese name).
    key
        The pseudonymisation key (:func:`survey.clean.privacy.load_key`): speakers become
        ``发言人-`` + 8 hex digits of a keyed HMAC, the same for the same speaker everywhere;
        without a key they are numbered ``发言人01``… in order of appearance. A row with a
        role (发言人身份) gets the role instead. The typed speaker is never kept.
    on_issue
        ``"error"`` (default): any unknown code or session raises one SurveyError listing
        all of them; ``"warn"``: warn, drop the unknown codes, keep going.

    Returns
    -------
    (statements, issues)
        ``statements`` adds ``statement_id`` (``S0001``… in file order), ``group``,
        ``codes_a``/``codes_b`` as tuples of known codes (sorted, unique),
        ``text_scrubbed`` (bool), ``speaker`` replaced as described under ``key``;
        ``issues`` is the issues table (empty when clean).
    """
    df = statements.reset_index(drop=True).copy()
    shown = df.attrs.get("columns", {})
    allowed = "、".join(themes.codes)
    issues: list[Issue] = []
    for col in ("codes_a", "codes_b"):
        parsed = []
        for i, cell in enumerate(df[col]):
            known = set()
            for tok in split_codes(cell):
                code = themes.resolve(tok)
                if code is None:
                    issues.append(issue(df, i, shown.get(col, col), tok, "未知的主题编码", f"主题编码表中的编码之一：{allowed}"))
                else:
                    known.add(code)
            parsed.append(tuple(sorted(known)))
        df[col] = pd.Series(parsed, index=df.index, dtype=object)
    if sessions is not None:
        group_of = dict(zip(sessions["session"], sessions["group"], strict=True))
        for i, s in enumerate(df["session"]):
            if s not in group_of:
                problem = "场次编号为空" if not s else "场次编号不在场次表中"
                issues.append(issue(df, i, shown.get("session", "场次编号"), s, problem, f"场次表中的编号之一：{'、'.join(group_of)}"))
        df["group"] = df["session"].map(group_of).astype(object)
    elif "group" not in df:
        df["group"] = pd.Series([None] * len(df), dtype=object)
    empty_text = df["text"].map(norm_text).eq("")
    for i in np.flatnonzero(empty_text.to_numpy()).tolist():
        issues.append(issue(df, int(i), shown.get("text", "发言内容"), "", "发言内容为空", "非空的发言文本"))
    issue_table = pd.DataFrame(issues, columns=ISSUE_COLUMNS).sort_values(["row", "column"], kind="stable")
    raise_issues(issue_table, what="座谈发言记录表", on_issue=on_issue, hint=_THEME_HINT)
    if on_issue == "warn" and sessions is not None:
        df = df.loc[df["group"].notna()].reset_index(drop=True)
    fn = _default_scrubber() if scrubber == "auto" else scrubber
    speakers = df["speaker"].astype(object)
    names = [*names, *sorted({s for s in speakers if isinstance(s, str) and looks_like_name(s)})]
    df["speaker"] = _speaker_codes(speakers, df.get("role"), key, fn)
    if fn is None:
        warnings.warn("未使用发言文本脱敏函数（survey.clean.privacy.scrub_text 不可用或 scrubber=None），"
                      "发言内容未脱敏，不能用于报告引文",
                      SurveyWarning, stacklevel=2)
        df["text_scrubbed"] = False
    else:
        text, _counts = fn(df["text"].astype(object), list(names))
        df["text"] = pd.Series(text, index=df.index).astype(object)
        df["text_scrubbed"] = True
    df.insert(0, "statement_id", [f"S{i + 1:04d}" for i in range(len(df))])
    cols = ["statement_id", "session", "group", "speaker", "text", "codes_a", "codes_b", "text_scrubbed", "_file", "_row"]
    return df[cols], issue_table.reset_index(drop=True)


def _speaker_codes(
    speakers: pd.Series, roles: pd.Series | None, key: bytes | None, scrubber: Scrubber | None
) -> pd.Series:
    """The speaker column as written out: the (scrubbed) role where a row has one, else the
    speaker's pseudonym; never the typed speaker."""
    from survey.clean.privacy import pseudonymise_speakers

    codes = pseudonymise_speakers(speakers, key)
    if roles is None:
        return codes
    role = roles.map(norm_text).astype(object)
    if scrubber is not None:
        role = pd.Series(scrubber(role, [])[0], index=role.index).astype(object)
    return role.where(role.ne(""), codes).astype(object)


@dataclass(frozen=True)
class SymposiumData:
    """Everything the symposium analysis needs."""

    sessions: pd.DataFrame
    statements: pd.DataFrame
    themes: ThemeCodebook
    issues: pd.DataFrame


def load_symposium(
    sessions: str | Path,
    themes: str | Path,
    statements: str | Path,
    *,
    display: Mapping[str, str] | None = None,
    scrubber: Scrubber | None | Literal["auto"] = "auto",
    names: Sequence[str] = (),
    key: bytes | None = None,
    on_issue: Literal["error", "warn"] = "error",
) -> SymposiumData:
    """Read and clean the three symposium files.

    Parameters
    ----------
    sessions, themes, statements
        The sessions file, the theme codebook and the statements file.
    display
        How each file is named in messages, keyed ``"sessions"``, ``"themes"``,
        ``"statements"`` (default: the path as given).
    scrubber, names, key, on_issue
        Passed to :func:`clean_statements`.

    Returns
    -------
    SymposiumData

    Examples
    --------
    >>> data = load_symposium("场次.xlsx", "主题编码.xlsx", "发言记录.xlsx")  # doctest: +SKIP
    """
    shown = dict(display or {})
    sess = read_sessions(sessions, display=shown.get("sessions"))
    codebook = read_themes(themes, display=shown.get("themes"))
    raw = read_statements(statements, display=shown.get("statements"))
    cleaned, issues = clean_statements(raw, codebook, sess, scrubber=scrubber, names=names, key=key,
                                      on_issue=on_issue)
    return SymposiumData(sess, cleaned, codebook, issues)
