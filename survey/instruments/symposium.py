"""Symposium records (座谈会记录): reading, code normalisation and theme analysis.

Three files make up the symposium instrument (``study.yaml`` → ``symposium``). Each may be
``.xlsx``/``.xls`` (first sheet) or ``.csv`` (UTF-8 with or without BOM, or GBK/GB18030).
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
    text          发言内容, 发言, 内容, 文本, text, statement              yes
    codes_a       编码员A, 编码A, 主题编码A, 编码员甲, coder_a, codes_a      yes
    codes_b       编码员B, 编码B, 主题编码B, 编码员乙, coder_b, codes_b      no
    ============  =====================================================  =========

    A codes cell may hold several codes separated by ``;`` ``；`` ``,`` ``，`` ``、`` ``/``
    or a line break; an empty cell means "no theme".

Problems found while cleaning (unknown theme codes, statements whose session is not in the
sessions file, duplicate ids) are collected **all at once** into an issues table
(``file, row, column, value, problem, expected``; row as Excel shows it). By default they
raise one :class:`~survey.errors.SurveyError` naming the first problem and listing up to
20 more, because an unknown code silently dropped would change every frequency. Pass
``on_issue="warn"`` to get the table back instead (a :class:`~survey.errors.SurveyWarning`
is emitted and the offending codes are left out).

Which coder counts: frequencies use **coder A** by default (coder A codes everything, coder B
is the reliability check, as in most content-analysis protocols); ``coder="union"`` counts a
theme when either coder assigned it and ``coder="consensus"`` only when both did.

Notes
-----
The table reading and header matching helpers (:func:`read_table`, :func:`pick_columns`) live
here, shared with ``survey.instruments.indicators`` and ``survey.instruments.roster``, because ``survey/readers/tabular.py``
was being written at the same time; they can move there without changing the public functions.
Text normalisation uses :func:`survey.io.normalise.normalise_text`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from survey.errors import SurveyError, SurveyWarning, excel_column_letter
from survey.io.normalise import normalise_text

# --------------------------------------------------------------------------------------
# Low-level reading shared by survey.instruments.indicators and survey.instruments.roster
# --------------------------------------------------------------------------------------

#: Separators between several codes in one cell (after NFKC: ；→; ，→,).
CODE_SEPARATORS = re.compile(r"[;,、/|\n\r]+")
AREAS = ("P1", "P2", "P3", "P4", "P5")
Coder = Literal["a", "b", "union", "consensus"]
Scrubber = Callable[[pd.Series, Sequence[str]], tuple[pd.Series, Any]]


def norm_text(value: Any) -> str:
    """Return ``value`` as text via :func:`survey.io.normalise.normalise_text` (NFKC, spaces).

    Integral floats (Excel's ``12.0``) become ``"12"``; missing values become ``""``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if value is pd.NaT or (not isinstance(value, str) and pd.isna(value) is True):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalise_text(str(value))


def norm_key(value: Any) -> str:
    """A matching key: :func:`norm_text`, all whitespace removed, upper case."""
    return re.sub(r"\s+", "", norm_text(value)).upper()


def read_table(path: str | Path, *, display: str | None = None) -> pd.DataFrame:
    """Read the first sheet of an xlsx/xls or a csv into a frame of raw cell values.

    Parameters
    ----------
    path
        The file to read.
    display
        How the file is named in messages (default: ``path`` as given).

    Returns
    -------
    pandas.DataFrame
        Raw cells (object dtype), headers normalised with :func:`norm_text`, plus ``_file``
        and ``_row`` (the row as Excel shows it; header row = 1). Entirely empty rows dropped.
    """
    path = Path(path)
    shown = display or str(path)
    if not path.exists():
        raise SurveyError("找不到文件", file=shown, hint="检查 study.yaml 中的路径")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            engine = "calamine"
            raw = pd.read_excel(path, sheet_name=0, dtype=object, header=0, engine=engine)
        elif suffix in (".csv", ".txt"):
            raw = None
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    raw = pd.read_csv(
                        path, dtype=str, encoding=enc, keep_default_na=False,
                        skip_blank_lines=False,
                    )
                    break
                except UnicodeDecodeError:
                    continue
            if raw is None:
                raise SurveyError("无法识别文件编码", file=shown, expected="UTF-8 或 GBK 编码的 CSV")
        else:
            raise SurveyError("不支持的文件类型", file=shown, expected=".xlsx、.xls 或 .csv 文件")
    except SurveyError:
        raise
    except Exception as exc:
        raise SurveyError(f"无法读取文件：{exc}", file=shown, expected="可用 Excel 打开的表格") from exc
    raw = raw.astype(object)
    raw.columns = [norm_text(c) for c in raw.columns]
    raw["_row"] = np.arange(len(raw), dtype=int) + 2
    empty = raw.drop(columns="_row").map(norm_text).eq("").all(axis=1)
    raw = raw.loc[~empty].reset_index(drop=True)
    raw.insert(0, "_file", shown)
    return raw


def pick_columns(
    raw: pd.DataFrame, spec: Mapping[str, tuple[Sequence[str], bool]], *, what: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Map a raw frame's headers to canonical names.

    Parameters
    ----------
    raw
        A frame from :func:`read_table`.
    spec
        ``{canonical: (accepted headers, required)}``.
    what
        What the file is, in Chinese (for messages).

    Returns
    -------
    (frame, shown)
        ``frame`` has the canonical columns that were found plus ``_file``/``_row``;
        ``shown`` maps each canonical name to the header as the user sees it, with its Excel
        letter, e.g. ``"编码员A（D 列）"``.
    """
    headers = [c for c in raw.columns if c not in ("_file", "_row")]
    keys = {norm_key(h): h for h in headers}
    out = raw[["_file", "_row"]].copy()
    shown: dict[str, str] = {}
    missing: list[str] = []
    for canon, (accepted, required) in spec.items():
        hit = next((keys[norm_key(a)] for a in accepted if norm_key(a) in keys), None)
        if hit is None:
            if required:
                missing.append(f"{accepted[0]}（或 {'、'.join(accepted[1:4])}）")
            continue
        out[canon] = raw[hit].to_numpy()
        shown[canon] = f"{hit}（{excel_column_letter(headers.index(hit))} 列）"
    if missing:
        raise SurveyError(
            f"{what}缺少必需的列：{'；'.join(missing)}",
            file=str(raw["_file"].iloc[0]) if len(raw) else None,
            row=1,
            column="表头",
            expected=f"表头包含 {'、'.join(s[0][0] for s in spec.values() if s[1])}",
            hint=f"现有表头：{'、'.join(headers)}",
        )
    return out, shown


def split_codes(cell: Any) -> list[str]:
    """Split a codes cell into raw tokens (normalised text, empties removed)."""
    return [t.strip() for t in CODE_SEPARATORS.split(norm_text(cell)) if t.strip()]


_THEME_HINT = "改正原始记录后重新运行；如确属新主题，请先在主题编码表中增加该编码"


def raise_issues(issues: pd.DataFrame, *, what: str, on_issue: str = "error",
                 hint: str = "改正原始记录中列出的单元格后重新运行") -> None:
    """Raise one :class:`SurveyError` for a non-empty issues table, or warn.

    The error names the first problem (file, row, column, expected) and lists up to 20 more.
    """
    if issues.empty:
        return
    lines = [
        f"第 {r.row} 行 {r.column}：{r.problem}（{r.value}）" for r in issues.head(21).itertuples()
    ]
    more = f"\n    ……另有 {len(issues) - 21} 处" if len(issues) > 21 else ""
    if on_issue == "warn":
        warnings.warn(
            f"{what}有 {len(issues)} 处问题，已跳过相关取值：\n    " + "\n    ".join(lines) + more,
            SurveyWarning,
            stacklevel=3,
        )
        return
    first = issues.iloc[0]
    raise SurveyError(
        f"{what}有 {len(issues)} 处问题：\n    " + "\n    ".join(lines) + more,
        file=first["file"],
        row=int(first["row"]),
        column=str(first["column"]),
        expected=str(first["expected"]),
        hint=hint,
    )


def _issue(df: pd.DataFrame, i: int, column: str, value: Any, problem: str, expected: str) -> dict:
    return {
        "file": df["_file"].iat[i],
        "row": int(df["_row"].iat[i]),
        "column": column,
        "value": value,
        "problem": problem,
        "expected": expected,
    }


ISSUE_COLUMNS = ["file", "row", "column", "value", "problem", "expected"]

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
    "text": (("发言内容", "发言", "内容", "文本", "text", "statement"), True),
    "codes_a": (("编码员A", "编码A", "主题编码A", "编码员甲", "coder_a", "codes_a"), True),
    "codes_b": (("编码员B", "编码B", "主题编码B", "编码员乙", "coder_b", "codes_b"), False),
}


def _parse_date(value: Any) -> pd.Timestamp:
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "year"):
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
    df, shown = pick_columns(read_table(path, display=display), SESSION_COLUMNS, what="座谈会场次表")
    out = df[["_file", "_row"]].copy()
    out["session"] = df["session"].map(norm_text).astype(object)
    out["group"] = df["group"].map(norm_text).astype(object)
    out["date"] = (
        pd.to_datetime(df["date"].map(_parse_date)) if "date" in df else pd.Series(pd.NaT, index=df.index)
    )
    parts = pd.to_numeric(df["participants"].map(norm_text), errors="coerce") if "participants" in df \
        else pd.Series(np.nan, index=df.index)
    out["participants"] = parts.astype(float)
    issues = []
    dup = out["session"].duplicated(keep="first")
    for i in range(len(out)):
        if not out["session"].iat[i]:
            issues.append(_issue(df, i, shown["session"], "", "场次编号为空", "非空且不重复的场次编号"))
        elif dup.iat[i]:
            issues.append(_issue(df, i, shown["session"], out["session"].iat[i], "场次编号重复", "不重复的场次编号"))
        if not out["group"].iat[i]:
            issues.append(_issue(df, i, shown["group"], "", "座谈对象为空", "如 党支部书记、组织员、学生党员"))
        if "date" in df and norm_text(df["date"].iat[i]) and pd.isna(out["date"].iat[i]):
            issues.append(_issue(df, i, shown["date"], norm_text(df["date"].iat[i]), "日期无法识别", "日期，如 2026-09-03"))
        if "participants" in df:
            raw = norm_text(df["participants"].iat[i])
            v = out["participants"].iat[i]
            if raw and (np.isnan(v) or v <= 0 or not float(v).is_integer()):
                issues.append(_issue(df, i, shown["participants"], raw, "参会人数无效", "正整数"))
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


def _as_tuple(value: Any, as_key: bool) -> tuple[str, ...]:
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
    raw = read_table(path, display=display)
    df, shown = pick_columns(raw, THEME_COLUMNS, what="主题编码表")
    issues = []
    seen: dict[str, str] = {}
    first_row: dict[str, int] = {}
    codes = df["code"].map(norm_key)
    for i in range(len(df)):
        code = codes.iat[i]
        if not code:
            issues.append(_issue(df, i, shown["code"], "", "主题编码为空", "非空编码，如 T01"))
            continue
        if code in first_row:
            issues.append(_issue(df, i, shown["code"], code,
                                 f"主题编码重复（第 {first_row[code]} 行已有该编码）", "每个主题编码只出现一次"))
            continue
        first_row[code] = int(df["_row"].iat[i])
        if "area" in df:
            for a in split_codes(df["area"].iat[i]):
                if norm_key(a) not in AREAS:
                    issues.append(_issue(df, i, shown["area"], a, "问题领域无效", "P1、P2、P3、P4、P5（可多个）"))
        tokens = [code, norm_text(df["label"].iat[i])]
        if "synonyms" in df:
            tokens += split_codes(df["synonyms"].iat[i])
        for tok in tokens:
            k = norm_key(tok)
            if k in seen and seen[k] != code:
                col = shown["code"] if tok == code else shown.get("synonyms", shown["label"])
                issues.append(_issue(df, i, col, tok, f"与编码 {seen[k]} 的编码/名称/同义词重复", "每个编码、名称、同义词只对应一个主题"))
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
        ``session``, ``speaker``, ``text``, ``codes_a``, ``codes_b`` (raw cell text),
        ``_file``, ``_row``; ``.attrs["columns"]`` maps each to the header the user sees.
    """
    df, shown = pick_columns(read_table(path, display=display), STATEMENT_COLUMNS, what="座谈发言记录表")
    for col in ("speaker", "codes_b"):
        if col not in df:
            df[col] = ""
    out = df[["session", "speaker", "text", "codes_a", "codes_b", "_file", "_row"]].copy()
    for col in ("session", "speaker", "codes_a", "codes_b"):
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
        Person names to remove from the text (passed to the scrubber).
    on_issue
        ``"error"`` (default): any unknown code or session raises one SurveyError listing
        all of them; ``"warn"``: warn, drop the unknown codes, keep going.

    Returns
    -------
    (statements, issues)
        ``statements`` adds ``statement_id`` (``S0001``… in file order), ``group``,
        ``codes_a``/``codes_b`` as tuples of known codes (sorted, unique),
        ``text_scrubbed`` (bool); ``issues`` is the issues table (empty when clean).
    """
    df = statements.reset_index(drop=True).copy()
    shown = df.attrs.get("columns", {})
    allowed = "、".join(themes.codes)
    issues: list[dict] = []
    for col in ("codes_a", "codes_b"):
        parsed = []
        for i, cell in enumerate(df[col]):
            known = set()
            for tok in split_codes(cell):
                code = themes.resolve(tok)
                if code is None:
                    issues.append(_issue(df, i, shown.get(col, col), tok, "未知的主题编码", f"主题编码表中的编码之一：{allowed}"))
                else:
                    known.add(code)
            parsed.append(tuple(sorted(known)))
        df[col] = pd.Series(parsed, index=df.index, dtype=object)
    if sessions is not None:
        group_of = dict(zip(sessions["session"], sessions["group"], strict=True))
        for i, s in enumerate(df["session"]):
            if s not in group_of:
                problem = "场次编号为空" if not s else "场次编号不在场次表中"
                issues.append(_issue(df, i, shown.get("session", "场次编号"), s, problem, f"场次表中的编号之一：{'、'.join(group_of)}"))
        df["group"] = df["session"].map(group_of).astype(object)
    elif "group" not in df:
        df["group"] = pd.Series([None] * len(df), dtype=object)
    empty_text = df["text"].map(norm_text).eq("")
    for i in np.flatnonzero(empty_text.to_numpy()):
        issues.append(_issue(df, int(i), shown.get("text", "发言内容"), "", "发言内容为空", "非空的发言文本"))
    issue_table = pd.DataFrame(issues, columns=ISSUE_COLUMNS).sort_values(["row", "column"], kind="stable")
    raise_issues(issue_table, what="座谈发言记录表", on_issue=on_issue, hint=_THEME_HINT)
    if on_issue == "warn" and sessions is not None:
        df = df.loc[df["group"].notna()].reset_index(drop=True)
    fn = _default_scrubber() if scrubber == "auto" else scrubber
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


@dataclass(frozen=True)
class SymposiumData:
    """Everything the symposium analysis needs."""

    sessions: pd.DataFrame
    statements: pd.DataFrame
    themes: ThemeCodebook
    issues: pd.DataFrame


def load_symposium(study: Any, *, scrubber: Scrubber | None | Literal["auto"] = "auto",
                   names: Sequence[str] = (), on_issue: Literal["error", "warn"] = "error") -> SymposiumData:
    """Read and clean the three symposium files named in ``study.symposium``."""
    cfg = study.symposium
    if cfg is None:
        raise SurveyError("study.yaml 中没有 symposium（座谈会）配置", file=getattr(study, "source", None), key="symposium")
    sessions = read_sessions(study.resolve(cfg.sessions), display=study.display(cfg.sessions))
    themes = read_themes(study.resolve(cfg.themes), display=study.display(cfg.themes))
    raw = read_statements(study.resolve(cfg.statements), display=study.display(cfg.statements))
    statements, issues = clean_statements(raw, themes, sessions, scrubber=scrubber, names=names, on_issue=on_issue)
    return SymposiumData(sessions, statements, themes, issues)


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
    >>> freq = theme_frequencies(data.statements, data.themes)  # doctest: +SKIP

    R: ``prop.table(table(group, theme), 1)`` on the long coding table.
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
# Contingency tests
# --------------------------------------------------------------------------------------


def _chi2_stat(tables: np.ndarray) -> np.ndarray:
    """Pearson X² for a stack of tables (..., r, c), vectorised for the bootstrap."""
    n = tables.sum(axis=(-2, -1), keepdims=True)
    expected = tables.sum(axis=-1, keepdims=True) * tables.sum(axis=-2, keepdims=True) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (tables - expected) ** 2 / expected, 0.0)
    return terms.sum(axis=(-2, -1))


def monte_carlo_p(table: np.ndarray, *, n_resamples: int = 9999, seed: int = 20260903) -> float:
    """Monte-Carlo p-value of Pearson's X² with both margins fixed.

    Tables are drawn with :func:`scipy.stats.random_table` (Patefield's algorithm, the one
    behind R's ``r2dtable``) and X² is computed for all of them at once; p = (1 + #{X²* ≥
    X²}) / (B + 1), exactly as R's ``chisq.test(simulate.p.value = TRUE, B)``. Written here
    because :func:`scipy.stats.chi2_contingency` with a ``PermutationMethod`` permutes single
    observations and is about 100× slower.
    """
    obs = np.asarray(table, dtype=float)
    observed = _chi2_stat(obs)
    sampler = stats.random_table(obs.sum(axis=1).astype(int), obs.sum(axis=0).astype(int), seed=seed)
    sims = _chi2_stat(sampler.rvs(size=n_resamples).astype(float))
    # R compares against STATISTIC * (1 - 64 * eps) to absorb rounding
    hits = np.sum(sims >= observed * (1 - 64 * np.finfo(float).eps))
    return float((1 + hits) / (n_resamples + 1))


def contingency_test(
    table: pd.DataFrame | np.ndarray,
    *,
    seed: int = 20260903,
    n_resamples: int = 9999,
    n_boot: int = 2000,
    confidence: float = 0.95,
    small_share: float = 0.2,
) -> pd.DataFrame:
    """Chi-square test of independence with Cramér's V and a bootstrap CI.

    Parameters
    ----------
    table
        An r × c table of counts (rows and columns with zero total are dropped).
    seed
        Seed for the Monte-Carlo p-value and the bootstrap.
    n_resamples
        Monte-Carlo resamples (tables with the observed margins).
    n_boot
        Bootstrap resamples for the Cramér's V interval.
    confidence
        Confidence level of the interval.
    small_share
        When more than this share of expected counts is below 5 (Cochran's rule), the
        p-value is the Monte-Carlo permutation p instead of the asymptotic one.

    Returns
    -------
    pandas.DataFrame
        One row: ``n, df, statistic, p, method`` (``chi2`` or ``monte_carlo``),
        ``min_expected, share_expected_lt5, effect`` (Cramér's V), ``ci_low, ci_high``.

    Notes
    -----
    X² = Σ (O − E)² / E with E = row total × column total / n (no continuity correction).
    Cramér's V = sqrt(X² / (n · (min(r, c) − 1))). The Monte-Carlo p is
    :func:`monte_carlo_p` (tables with both margins fixed, as R's
    ``chisq.test(simulate.p.value = TRUE)``).
    The V interval is a percentile bootstrap: tables are redrawn from the multinomial with the
    observed cell proportions (vectorised; written here because no listed library offers a CI
    for V).

    References
    ----------
    Agresti, A. (2007). *An Introduction to Categorical Data Analysis*, 2nd ed., §2.4.

    Examples
    --------
    R: ``chisq.test(M, correct = FALSE)``; ``chisq.test(M, simulate.p.value = TRUE, B = 9999)``;
    ``rcompanion::cramerV(M, ci = TRUE)``.
    """
    obs = np.asarray(table, dtype=float)
    obs = obs[obs.sum(axis=1) > 0][:, obs.sum(axis=0) > 0]
    n = obs.sum()
    r, c = obs.shape if obs.ndim == 2 else (0, 0)
    nan_row = {"n": int(n), "df": np.nan, "statistic": np.nan, "p": np.nan, "method": "不适用",
               "min_expected": np.nan, "share_expected_lt5": np.nan, "effect": np.nan,
               "ci_low": np.nan, "ci_high": np.nan}
    if r < 2 or c < 2:
        return pd.DataFrame([nan_row])
    res = stats.chi2_contingency(obs, correction=False)
    expected = res.expected_freq
    share_small = float((expected < 5).mean())
    method, p = "chi2", float(res.pvalue)
    if share_small > small_share:
        method, p = "monte_carlo", monte_carlo_p(obs, n_resamples=n_resamples, seed=seed)
    k = min(r, c) - 1
    v = float(np.sqrt(res.statistic / (n * k)))
    rng = np.random.default_rng(seed + 1)
    boot = rng.multinomial(int(n), (obs / n).ravel(), size=n_boot).reshape(n_boot, r, c).astype(float)
    # drop resamples where a row or column vanished (V undefined there)
    ok = (boot.sum(axis=2) > 0).all(axis=1) & (boot.sum(axis=1) > 0).all(axis=1)
    vb = np.sqrt(_chi2_stat(boot[ok]) / (n * k))
    alpha = 1 - confidence
    lo, hi = np.quantile(vb, [alpha / 2, 1 - alpha / 2]) if ok.any() else (np.nan, np.nan)
    return pd.DataFrame([{
        "n": int(n), "df": int(res.dof), "statistic": float(res.statistic), "p": p, "method": method,
        "min_expected": float(expected.min()), "share_expected_lt5": share_small,
        "effect": v, "ci_low": float(lo), "ci_high": float(hi),
    }])


def adjusted_residuals(table: pd.DataFrame) -> pd.DataFrame:
    """Adjusted standardised residuals of a two-way table, in long form.

    Returns
    -------
    pandas.DataFrame
        ``row, column, observed, expected, residual`` where
        residual = (O − E) / sqrt(E (1 − row share)(1 − column share)); |residual| > 2 marks
        a cell that departs from independence.

    Notes
    -----
    Wraps :attr:`statsmodels.stats.contingency_tables.Table.standardized_resids`.
    R: ``chisq.test(M)$stdres``.
    """
    from statsmodels.stats.contingency_tables import Table

    t = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    tab = Table(t.to_numpy(dtype=float, copy=True), shift_zeros=False)
    res = pd.DataFrame(tab.standardized_resids, index=t.index, columns=t.columns)
    exp = pd.DataFrame(tab.fittedvalues, index=t.index, columns=t.columns)
    long = t.stack().rename("observed").to_frame()
    long["expected"] = exp.stack()
    long["residual"] = res.stack()
    long.index.names = ["row", "column"]
    return long.reset_index()


def theme_group_table(statements: pd.DataFrame, themes: ThemeCodebook, *, coder: Coder = "a",
                      by: str = "group") -> pd.DataFrame:
    """Group × theme table of statement counts (a statement counts once per theme it raises)."""
    p = presence(statements, themes.codes, coder=coder).astype(int)
    p.index = statements.index
    return p.groupby(statements[by].to_numpy()).sum().rename_axis(by)


def theme_group_tests(statements: pd.DataFrame, themes: ThemeCodebook, *, coder: Coder = "a",
                      by: str = "group", seed: int = 20260903, n_resamples: int = 9999,
                      n_boot: int = 2000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Does the mix of themes differ by stakeholder group?

    Returns
    -------
    (tests, residuals)
        ``tests``: one row per theme (``scope = 主题``; 2 × groups table of statements
        raising / not raising the theme, Holm-adjusted ``p_adj`` across themes) and one
        overall row (``scope = 总体``, code ``全部``; the groups × themes table of mentions).
        ``residuals``: adjusted standardised residuals of the overall table
        (``group, code, observed, expected, residual``).

    Notes
    -----
    The overall table counts mentions, and one statement may mention several themes, so its
    cells are not independent observations; its p-value is indicative. The per-theme tests
    use each statement once and are the ones to report. Themes never coded get NaN.
    """
    from statsmodels.stats.multitest import multipletests

    p = presence(statements, themes.codes, coder=coder)
    p.index = statements.index
    groups = statements[by].to_numpy()
    rows = []
    for i, code in enumerate(themes.codes):
        yes = p[code].groupby(groups).sum()
        tot = p[code].groupby(groups).size()
        tab = np.vstack([yes.to_numpy(), (tot - yes).to_numpy()])
        t = contingency_test(tab, seed=seed + i, n_resamples=n_resamples, n_boot=n_boot)
        rows.append(t.assign(scope="主题", code=code))
    tests = pd.concat(rows, ignore_index=True)
    ok = tests["p"].notna()
    tests["p_adj"] = np.nan
    if ok.any():
        tests.loc[ok, "p_adj"] = multipletests(tests.loc[ok, "p"], method="holm")[1]
    overall_tab = theme_group_table(statements, themes, coder=coder, by=by)
    overall = contingency_test(overall_tab.to_numpy(), seed=seed, n_resamples=n_resamples, n_boot=n_boot)
    overall = overall.assign(scope="总体", code=ALL_GROUPS, p_adj=overall["p"])
    tests = pd.concat([overall, tests], ignore_index=True)
    labels = dict(zip(themes.table["code"], themes.table["label"], strict=True))
    tests["label"] = tests["code"].map(labels).fillna("全部主题")
    cols = ["scope", "code", "label", "n", "df", "statistic", "p", "p_adj", "method",
            "min_expected", "share_expected_lt5", "effect", "ci_low", "ci_high"]
    resid = adjusted_residuals(overall_tab).rename(columns={"row": by, "column": "code"})
    return tests[cols], resid


# --------------------------------------------------------------------------------------
# Inter-coder agreement
# --------------------------------------------------------------------------------------


def cohen_kappa_2x2(a: np.ndarray, b: np.ndarray, *, confidence: float = 0.95) -> dict[str, float]:
    """Cohen's kappa of two boolean vectors, with its asymptotic CI.

    Wraps :func:`statsmodels.stats.inter_rater.cohens_kappa` (Fleiss, Cohen & Everitt 1969
    standard error). R: ``irr::kappa2(cbind(a, b))`` (kappa), ``psych::cohen.kappa`` (CI).
    """
    from statsmodels.stats.inter_rater import cohens_kappa

    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    n = len(a)
    tab = np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]], dtype=float)
    out = {"n": n, "n_a": int(a.sum()), "n_b": int(b.sum()), "agreement": float((a == b).mean()) if n else np.nan,
           "effect": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    pe = (tab.sum(1) / n) @ (tab.sum(0) / n) if n else 1.0
    if n == 0 or np.isclose(pe, 1.0):  # both coders constant and equal: kappa is 0/0
        return out
    res = cohens_kappa(tab)
    z = stats.norm.ppf(0.5 + confidence / 2)
    kappa, se = float(res.kappa), float(res.std_kappa)
    out.update(effect=kappa, se=se, ci_low=kappa - z * se, ci_high=kappa + z * se)
    return out


def theme_agreement(statements: pd.DataFrame, themes: ThemeCodebook, *,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Inter-coder agreement per theme: Cohen's kappa on presence/absence per statement.

    Returns
    -------
    pandas.DataFrame
        ``code, label, n, n_a, n_b, agreement, effect`` (kappa), ``se, ci_low, ci_high``.
        ``effect`` is NaN when neither coder ever used the theme.

    Notes
    -----
    κ = (p_o − p_e) / (1 − p_e) on the 2 × 2 table of coder A × coder B presence.
    Landis & Koch (1977): ≥ 0.61 substantial, ≥ 0.81 almost perfect.
    """
    pa = presence(statements, themes.codes, coder="a")
    pb = presence(statements, themes.codes, coder="b")
    rows = [{"code": c, **cohen_kappa_2x2(pa[c].to_numpy(), pb[c].to_numpy(), confidence=confidence)}
            for c in themes.codes]
    out = pd.DataFrame(rows)
    out.insert(1, "label", out["code"].map(dict(zip(themes.table["code"], themes.table["label"], strict=True))))
    return out


def krippendorff_alpha(reliability_data: np.ndarray | Sequence[Sequence[float]], *,
                       level: str = "nominal") -> float:
    """Krippendorff's alpha of a coders × units matrix (NaN = not coded).

    Wraps :func:`krippendorff.alpha`. R: ``irr::kripp.alpha(m, method = "nominal")``.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
    Pennsylvania, ScholarlyCommons, asc_papers/43.
    """
    import krippendorff

    data = np.asarray(reliability_data, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    if values.size < 2:  # one value only: expected disagreement is 0, alpha is 0/0
        return float("nan")
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def krippendorff_alpha_presence(statements: pd.DataFrame, themes: ThemeCodebook, *,
                                n_boot: int = 1000, seed: int = 20260903,
                                confidence: float = 0.95) -> pd.DataFrame:
    """Overall Krippendorff's alpha (nominal) over every statement × theme presence decision.

    Units are (statement, theme) pairs, values 0/1, two coders; a statement coder B did not
    code at all (empty ``codes_b`` on every row means no second coding) is still a unit.
    The CI is a percentile bootstrap over statements (whole statements are resampled, so the
    themes of one statement stay together).

    Returns
    -------
    pandas.DataFrame
        One row: ``n`` (statements), ``n_units``, ``effect`` (alpha), ``ci_low, ci_high``.

    Notes
    -----
    Wraps :func:`krippendorff.alpha` (``level_of_measurement="nominal"``).
    R: ``irr::kripp.alpha(t(ratings), method = "nominal")``.
    """
    pa = presence(statements, themes.codes, coder="a").to_numpy(dtype=float)
    pb = presence(statements, themes.codes, coder="b").to_numpy(dtype=float)
    n, k = pa.shape

    def alpha(idx: np.ndarray) -> float:
        return krippendorff_alpha(np.vstack([pa[idx].ravel(), pb[idx].ravel()]))

    est = alpha(np.arange(n))
    rng = np.random.default_rng(seed)
    boots = np.array([alpha(rng.integers(0, n, n)) for _ in range(n_boot)]) if n_boot else np.array([])
    boots = boots[~np.isnan(boots)]
    a = 1 - confidence
    lo, hi = np.quantile(boots, [a / 2, 1 - a / 2]) if boots.size else (np.nan, np.nan)
    return pd.DataFrame([{"n": n, "n_units": n * k, "effect": est, "ci_low": float(lo), "ci_high": float(hi)}])


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
