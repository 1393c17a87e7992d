"""Keyed pseudonymisation, the identifier policy and free-text scrubbing.

Four jobs, applied by the pipeline after reading and before anything is written:

1. :func:`load_key` finds the secret key (environment variable, key file outside git, or the
   published demo key for synthetic studies only).
2. :func:`apply_identifier_policy` handles every column the codebook lists under ``identifiers``:
   ``drop`` removes it, ``pseudonymise`` replaces it with a keyed HMAC-SHA256 pseudonym
   (``<id>_pseudo``, or ``respondent_key`` for the identifier marked ``respondent_key: true``),
   ``coarsen`` keeps only the province of an IP address (``<id>_province``). Raw identifier
   columns never survive.
3. :func:`scrub_free_text` replaces phone numbers, landlines, ID-card numbers, e-mail and IP
   addresses, QQ/WeChat ids, student/staff numbers and names inside open answers with
   ``[已隐去]`` and counts what it replaced, using the one identifier detector
   (:mod:`survey.clean.identifiers`, which documents its known limits).
4. :func:`pseudonymise_speakers` replaces the speakers of symposium statements by keyed
   pseudonyms, so their statements can be grouped without their names.

Why HMAC and not a plain hash: phone numbers and student numbers have so few possible values
that anyone could hash them all and reverse a plain SHA-256 in minutes. With a secret key the
pseudonyms cannot be recomputed without the key, yet the same person gets the same pseudonym in
every run and every wave as long as the same key is used (so keep the key, and back it up).

Everything here is written by hand on top of the standard library (``hmac``, ``re``,
``unicodedata``): no maintained library covers mainland-Chinese identifier formats and the
问卷星 IP column.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
import unicodedata
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from survey.clean.identifiers import KIND_LABELS_ZH, IdentifierDetector
from survey.clean.identifiers import PLACEHOLDER as PLACEHOLDER  # re-exported
from survey.errors import SurveyError, SurveyWarning

if TYPE_CHECKING:
    from pandas._typing import DtypeObj

    from survey.config.codebook import Codebook, Identifier
    from survey.config.study import Study

#: Prefix of every pseudonym ("R" for respondent), followed by 16 lowercase hex digits.
PSEUDONYM_PREFIX = "R"
#: Hex digits kept from the HMAC-SHA256 digest (64 bits: collisions are negligible below
#: millions of respondents, and a shorter code is easier to read in Excel and SPSS).
PSEUDONYM_HEX_CHARS = 16
#: Minimum length of a key read from the environment or a key file (a 128-bit hex string).
MIN_KEY_CHARS = 32
#: Name of the output column holding the respondent key.
RESPONDENT_KEY = "respondent_key"
#: Chinese labels of the kinds counted by :func:`scrub_text` (for the cleaning log).
SCRUB_KIND_LABELS_ZH = KIND_LABELS_ZH
#: Prefix of a symposium speaker's pseudonym, followed by 8 lowercase hex digits.
SPEAKER_PREFIX = "发言人-"
#: Hex digits kept for a speaker pseudonym (32 bits: a meeting has dozens of speakers).
SPEAKER_HEX_CHARS = 8

_KEY_HOWTO = (
    "生成一个随机密钥并保存到 git 仓库之外，例如：\n"
    "    mkdir -p ~/.config/survey\n"
    '    python -c "import secrets; print(secrets.token_hex(32))" > ~/.config/survey/pseudonym.key\n'
    "  或者把密钥放入环境变量 {env}。请另行备份该密钥：换了密钥，同一个人的假名就会改变，"
    "不同批次的数据无法再对应。切勿把密钥提交到 git 或发给他人。"
)


# -- the key ---------------------------------------------------------------------------------
def _git_work_tree(path: Path) -> Path | None:
    """Return the git work tree holding ``path`` (a folder with ``.git``), or None."""
    for folder in [path, *path.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def _check_key_text(text: str, *, source: str, file: Path | None = None) -> bytes:
    key = text.strip()
    if len(key) < MIN_KEY_CHARS:
        raise SurveyError(
            f"假名化密钥太短（{len(key)} 个字符），容易被猜出",
            file=file,
            expected=f"至少 {MIN_KEY_CHARS} 个字符的随机字符串（来源：{source}）",
            hint=_KEY_HOWTO.format(env="SURVEY_PSEUDONYM_KEY"),
        )
    return key.encode("utf-8")


def load_key(study: Study) -> bytes:
    """Return the secret pseudonymisation key of a study.

    Parameters
    ----------
    study
        The study; ``study.privacy`` says where the key lives.

    Returns
    -------
    bytes
        The key: the UTF-8 bytes of the text found, surrounding whitespace removed.

    Raises
    ------
    SurveyError
        If no key is found, if the key file lies inside a git work tree (it would end up in
        version control), or if the key is shorter than :data:`MIN_KEY_CHARS` characters.

    Notes
    -----
    The places are tried in this order:

    1. the environment variable ``study.privacy.key_env`` (default ``SURVEY_PSEUDONYM_KEY``);
    2. the key file ``study.privacy.key_file`` (``~`` expanded, relative paths against the study
       folder); refused if it is inside a git work tree;
    3. ``study.privacy.demo_key``, only when ``study.synthetic`` is true: a published key is
       no secret, so it is never accepted for real data.

    A key file readable by other users triggers a :class:`~survey.errors.SurveyWarning`.
    """
    privacy = study.privacy
    env_value = os.environ.get(privacy.key_env, "")
    if env_value.strip():
        return _check_key_text(env_value, source=f"环境变量 {privacy.key_env}")

    if privacy.key_file is not None:
        key_file = study.resolve(privacy.key_file).resolve()
        tree = _git_work_tree(key_file.parent)
        if tree is not None:
            raise SurveyError(
                "假名化密钥文件位于 git 仓库内，可能被提交而泄露，拒绝使用",
                file=key_file,
                key="privacy.key_file",
                expected=f"git 仓库（{tree}）之外的文件，例如 ~/.config/survey/pseudonym.key",
                hint="把密钥文件移到仓库之外，并相应修改 study.yaml 中的 privacy.key_file",
            )
        if key_file.is_file():
            if os.name == "posix" and key_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                warnings.warn(
                    f"假名化密钥文件 {key_file} 可被其他用户读取；建议执行 chmod 600 {key_file}",
                    SurveyWarning,
                    stacklevel=2,
                )
            text = key_file.read_text(encoding="utf-8-sig")
            return _check_key_text(text, source="密钥文件", file=key_file)

    if privacy.demo_key is not None and study.synthetic:
        return privacy.demo_key.encode("utf-8")

    problem = "找不到假名化密钥"
    if privacy.demo_key is not None and not study.synthetic:
        problem += "（privacy.demo_key 是公开的演示密钥，只能用于 synthetic: true 的合成数据）"
    where = f"环境变量 {privacy.key_env}"
    if privacy.key_file is not None:
        where += f" 或密钥文件 {privacy.key_file}"
    raise SurveyError(
        problem,
        file=study.source,
        key="privacy",
        expected=f"在{where}中提供密钥",
        hint=_KEY_HOWTO.format(env=privacy.key_env),
    )


# -- normalising and hashing ----------------------------------------------------------------
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s\-‐‑–—()（）.·]+")
_SCI_NOTATION = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_FLOAT_INTEGER = re.compile(r"^(\d+)\.0+$")
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])")


def is_mangled_number(value: object) -> bool:
    """True if a value is a long number Excel turned into scientific notation (``1.38E+10``).

    The lost digits cannot be recovered: ask for the file to be exported again with the
    column formatted as text.
    """
    return isinstance(value, str) and bool(_SCI_NOTATION.match(value.strip()))


def normalise_identifier(value: str, kind: str | None = None) -> str:
    """Return the canonical form of an identifying value, so spelling noise hashes alike.

    Parameters
    ----------
    value
        The raw text.
    kind
        The codebook's identifier kind (``phone``, ``id_card``, ``email``, ``staff_no``,
        ``student_no``, ``name``, ...); ``None`` for generic text.

    Returns
    -------
    str
        NFKC form (full-width digits, letters and punctuation become half-width), stripped,
        inner whitespace collapsed to one space; then by kind: ``phone`` keeps digits only and
        drops a ``+86``/``0086`` prefix; ``id_card``, ``staff_no``, ``student_no`` drop spaces
        and dashes and upper-case letters (``x`` → ``X``); ``email`` is lower-cased;
        ``name``/``wechat`` drop spaces next to Chinese characters. A value in scientific
        notation is returned as is (see :func:`is_mangled_number`); ``13800138000.0`` (a number
        read as float) loses its ``.0``.

    Examples
    --------
    >>> normalise_identifier(" １３８-0013 8000 ", "phone")
    '13800138000'
    >>> normalise_identifier("11010519491231002x", "id_card")
    '11010519491231002X'
    """
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    if is_mangled_number(text):
        return text.upper()
    if kind in ("phone", "id_card", "staff_no", "student_no"):
        m = _FLOAT_INTEGER.match(text)
        if m:
            text = m.group(1)
    if kind == "phone":
        text = _SEPARATORS.sub("", text)
        if text.startswith("+86"):
            text = text[3:]
        elif text.startswith("0086"):
            text = text[4:]
        elif text.startswith("86") and len(text) == 13:
            text = text[2:]
    elif kind in ("id_card", "staff_no", "student_no"):
        text = _SEPARATORS.sub("", text).upper()
    elif kind == "email":
        text = text.lower()
    elif kind in ("name", "wechat"):
        text = _CJK_SPACE.sub("", text)
    return text


def keyed_digest(value: str, key: bytes) -> str:
    """Return the full HMAC-SHA256 of ``value`` (UTF-8) under ``key`` as 64 hex digits.

    Examples
    --------
    RFC 4231, test case 2:

    >>> keyed_digest("what do ya want for nothing?", b"Jefe")[:16]
    '5bdcc146bf60754e'
    """
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise(values: pd.Series, key: bytes, *, kind: str | None = None) -> pd.Series:
    """Replace identifying values by keyed pseudonyms.

    Parameters
    ----------
    values
        Raw identifying values (strings; numbers are converted with ``str``).
    key
        The secret key from :func:`load_key`.
    kind
        The identifier kind, which selects the normalisation (:func:`normalise_identifier`).

    Returns
    -------
    pandas.Series
        Same index and name. Each value becomes ``"R"`` + the first 16 hex digits of
        HMAC-SHA256(key, normalised value). Missing or blank values stay missing. The same
        value and key always give the same pseudonym; another key gives another.

    Notes
    -----
    Values in scientific notation (``1.38E+10``: Excel has already destroyed the digits) are
    still pseudonymised, but different people can share such a value, so their pseudonyms may
    coincide; a :class:`~survey.errors.SurveyWarning` says how many there are.

    References
    ----------
    Krawczyk, Bellare & Canetti (1997), RFC 2104 (HMAC); Nystrom (2005), RFC 4231 (test
    vectors).

    Examples
    --------
    >>> pseudonymise(pd.Series(["what do ya want for nothing?"]), b"Jefe").iloc[0]
    'R5bdcc146bf60754e'
    """
    cache: dict[str, str] = {}
    out: list[object] = []
    mangled = 0
    for raw in values.tolist():
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
            out.append(float("nan"))
            continue
        norm = normalise_identifier(str(raw), kind)
        if not norm:
            out.append(float("nan"))
            continue
        mangled += is_mangled_number(norm)
        if norm not in cache:
            cache[norm] = PSEUDONYM_PREFIX + keyed_digest(norm, key)[:PSEUDONYM_HEX_CHARS]
        out.append(cache[norm])
    if mangled:
        warnings.warn(
            f"{'列 ' + str(values.name) if values.name is not None else '该列'}中有 {mangled} 个值已被 Excel 变成科学计数法（如 1.38E+10），"
            "原数字无法恢复；这些值仍被假名化，但不同的人可能得到相同的假名。"
            "请让导出者把该列设为文本格式后重新导出。",
            SurveyWarning,
            stacklevel=2,
        )
    return pd.Series(out, index=values.index, name=values.name, dtype=object).astype(
        _string_dtype()
    )


def _string_dtype() -> DtypeObj:
    """pandas' default string dtype (``str`` in pandas 3, ``object`` before)."""
    return pd.Series(["x"]).dtype


# -- IP coarsening ----------------------------------------------------------------------------
#: Province-level divisions by their short names (as 问卷星 writes them in ``(山东-济南)``).
PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港",
    "澳门",
)  # fmt: skip
_PROVINCES_LONGEST_FIRST = sorted(PROVINCES, key=len, reverse=True)
_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]\s*$")


def ip_province(value: object) -> str | float:
    """Return the province of a 问卷星 ``来自IP`` cell, or NaN when unknown.

    ``120.1.2.3(山东-济南)`` → ``山东``; ``(内蒙古自治区-呼和浩特)`` → ``内蒙古``;
    ``1.2.3.4(未知)``, a bare address or a place abroad → NaN. No geo-IP lookup is made.
    """
    if not isinstance(value, str):
        return float("nan")
    text = unicodedata.normalize("NFKC", value).strip()
    m = _BRACKETED.search(text)
    place = m.group(1) if m else text
    for part in re.split(r"[-—–\s]+", place.strip()):
        for prov in _PROVINCES_LONGEST_FIRST:
            if part.startswith(prov):
                return prov
    return float("nan")


# -- the identifier policy --------------------------------------------------------------------
def _respondent_identifier(codebook: Codebook) -> Identifier | None:
    marked = [i for i in codebook.identifiers if i.respondent_key]
    return marked[0] if marked else None


def _respondent_key_values(values: pd.Series, ident: Identifier, key: bytes) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyWarning)
        pseudo = pseudonymise(values, key, kind=ident.kind)
    mangled = values.map(is_mangled_number).astype(bool)
    if mangled.any():
        warnings.warn(
            f"受访者标识列 {ident.id} 中有 {int(mangled.sum())} 个值已被 Excel 变成科学计数法，"
            "无法区分不同的人；这些行的 respondent_key 设为缺失，不参与重复作答检查。",
            SurveyWarning,
            stacklevel=3,
        )
        pseudo = pseudo.mask(mangled)
    return pseudo.rename(RESPONDENT_KEY)


def respondent_key_from(df: pd.DataFrame, codebook: Codebook, key: bytes) -> pd.Series:
    """Return the ``respondent_key`` column for a frame that still holds raw identifiers.

    For the cleaning stage (the repeated-respondent rule), before the identifier policy runs.

    Parameters
    ----------
    df
        The canonical response frame (raw identifier columns present); not modified.
    codebook
        The codebook; its identifier with ``respondent_key: true`` is used.
    key
        The secret key.

    Returns
    -------
    pandas.Series
        Named ``respondent_key``, aligned to ``df.index``: the pseudonym, or NaN where the value
        is missing, is in scientific notation (digits lost, so not comparable), or where the
        codebook marks no respondent-key identifier or the export lacks its column.
    """
    ident = _respondent_identifier(codebook)
    if ident is None or ident.id not in df.columns:
        return pd.Series(float("nan"), index=df.index, name=RESPONDENT_KEY, dtype=object).astype(
            _string_dtype()
        )
    return _respondent_key_values(df[ident.id], ident, key)


def apply_identifier_policy(
    df: pd.DataFrame, codebook: Codebook, key: bytes
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop, pseudonymise or coarsen every identifying column the codebook lists.

    Parameters
    ----------
    df
        The response frame with raw identifier columns (named by identifier id); not modified.
    codebook
        The codebook; ``codebook.identifiers`` says what to do with each column.
    key
        The secret key from :func:`load_key`.

    Returns
    -------
    df : pandas.DataFrame
        A copy where each raw identifier column is replaced, in place in the column order, by:
        nothing (``drop``); ``<id>_pseudo`` (``pseudonymise``), or ``respondent_key`` for the
        identifier marked ``respondent_key: true`` (an existing ``respondent_key`` column is
        recomputed); ``<id>_province`` (``coarsen``, IP addresses only).
    report : pandas.DataFrame
        One row per identifier: ``identifier``, ``kind``, ``action``, ``output_column`` (empty
        for drop), ``n_nonmissing`` (raw values present), ``n_mangled`` (values in scientific
        notation), ``present`` (False when the export has no such column), ``note`` (Chinese).

    Notes
    -----
    The invariant "no raw identifier column survives" is checked before returning.
    """
    out = df.copy()
    rows = []
    for ident in codebook.identifiers:
        row = {
            "identifier": ident.id,
            "kind": ident.kind,
            "action": ident.action,
            "output_column": "",
            "n_nonmissing": 0,
            "n_mangled": 0,
            "present": ident.id in out.columns,
            "note": "",
        }
        if ident.id not in out.columns:
            row["note"] = "导出文件中没有该列，无需处理"
            rows.append(row)
            continue
        raw = out[ident.id]
        row["n_nonmissing"] = int(raw.notna().sum())
        n_mangled = int(raw.map(is_mangled_number).sum())
        row["n_mangled"] = n_mangled
        position = list(out.columns).index(ident.id)
        new_name: str | None
        new_values: pd.Series | None
        if ident.action == "drop":
            new_name, new_values = None, None
            row["note"] = "已删除"
        elif ident.action == "pseudonymise" and ident.respondent_key:
            new_name = RESPONDENT_KEY
            # The warning about values in scientific notation was given (for every raw row)
            # by respondent_key_from before cleaning; a second one counting only the kept
            # rows would contradict it. ``row["note"]`` still records the count.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SurveyWarning)
                new_values = _respondent_key_values(raw, ident, key)
            row["note"] = "已替换为受访者代码（HMAC-SHA256 假名）" + (
                f"；{n_mangled} 个值为科学计数法，代码设为缺失" if n_mangled else "")
        elif ident.action == "pseudonymise":
            new_name = f"{ident.id}_pseudo"
            new_values = pseudonymise(raw, key, kind=ident.kind)
            row["note"] = "已替换为 HMAC-SHA256 假名" + (
                f"；{n_mangled} 个值为科学计数法，不同的人可能同一假名" if n_mangled else "")
        else:  # coarsen: only IP addresses (the codebook validates this)
            new_name = f"{ident.id}_province"
            new_values = raw.map(ip_province).astype(_string_dtype())
            row["note"] = f"只保留省份；{int(new_values.isna().sum())} 个值无法识别省份，设为缺失"
        out = out.drop(columns=[ident.id])
        if new_name is not None and new_values is not None:
            if new_name in out.columns:  # e.g. respondent_key added by the cleaning stage
                if list(out.columns).index(new_name) < position:
                    position -= 1
                out = out.drop(columns=[new_name])
            out.insert(position, new_name, new_values.array)
            row["output_column"] = new_name
        rows.append(row)
    leaked = [i.id for i in codebook.identifiers if i.id in out.columns]
    if leaked:  # pragma: no cover - guarded by construction
        raise AssertionError(f"raw identifier columns survived: {leaked}")
    columns = ["identifier", "kind", "action", "output_column", "n_nonmissing", "n_mangled",
               "present", "note"]  # fmt: skip
    return out, pd.DataFrame(rows, columns=columns)


# -- free-text scrubbing ----------------------------------------------------------------------
#: Shortest student/staff number taken from an identifier column as a token to find in text
#: (shorter ones such as ``2026`` would remove years).
MIN_NUMBER_TOKEN_CHARS = 6


def scrub_text(
    series: pd.Series,
    names: Iterable[str] = (),
    *,
    numbers: Iterable[str] = (),
    number_patterns: Iterable[str] = (),
) -> tuple[pd.Series, dict[str, int]]:
    """Replace personal details inside free text by ``[已隐去]``.

    A thin wrapper around :class:`survey.clean.identifiers.IdentifierDetector` (the project's
    one identifier detector; its module docstring lists what is found and the known limits).

    Parameters
    ----------
    series
        Free-text answers; missing values and non-strings are left alone. Not modified.
    names
        Names to remove wherever they occur: names and WeChat nicknames from the identifier
        columns (:func:`names_from_identifiers`), the member list and symposium speakers.
        Names shorter than 2 characters are ignored; all-ASCII names match only as whole words;
        spaces (half- or full-width) between Chinese characters are allowed.
    numbers
        Student/staff numbers to remove wherever they occur as whole tokens
        (:func:`numbers_from_identifiers`).
    number_patterns
        Regular expressions of student/staff numbers (the codebook's patterns).

    Returns
    -------
    series : pandas.Series
        The scrubbed text, same index and name.
    counts : dict
        Replacements per kind (keys of :data:`SCRUB_KIND_LABELS_ZH`, zeros included).

    Notes
    -----
    Each distinct text is scrubbed once and its replacements counted once per row holding it.

    Examples
    --------
    >>> s, n = scrub_text(pd.Series(["请联系张 三 138-0013-8000"]), ["张三"])
    >>> s.iloc[0], n["phone"], n["name"]
    ('请联系[已隐去] [已隐去]', 1, 1)
    """
    det = _detector(tuple(sorted(set(_texts(names)))), tuple(sorted(set(_texts(numbers)))),
                    tuple(number_patterns))  # fmt: skip
    return det.scrub_series(series)


def _texts(values: Iterable[object]) -> Iterable[str]:
    return (v for v in values if isinstance(v, str))


@lru_cache(maxsize=4)
def _detector(
    names: tuple[str, ...], numbers: tuple[str, ...], patterns: tuple[str, ...]
) -> IdentifierDetector:
    return IdentifierDetector(names, numbers=numbers, number_patterns=patterns)


def names_from_identifiers(
    df: pd.DataFrame, codebook: Codebook, kinds: Iterable[str] = ("name", "wechat")
) -> list[str]:
    """Collect the distinct names (and nicknames) held in the raw identifier columns.

    Call it before :func:`apply_identifier_policy` removes those columns; add the roster's names
    and pass the result to :func:`scrub_free_text`. Each value is returned as written and, when
    different, also in its normalised form (:func:`normalise_identifier`: half-width, no spaces
    next to Chinese characters).
    """
    kinds = set(kinds)
    found: set[str] = set()
    for ident in codebook.identifiers:
        if ident.kind in kinds and ident.id in df.columns:
            for v in df[ident.id].dropna().tolist():
                text = _SPACES.sub(" ", str(v)).strip()
                if text:
                    found.add(text)
                    # "张 三" is also written "张三" in answers: add the form without spaces.
                    found.add(normalise_identifier(text, "name"))
    return sorted(found)


def free_text_columns(df: pd.DataFrame, codebook: Codebook) -> list[str]:
    """The columns of ``df`` holding free text: text items and every ``<id>_other``."""
    cols = []
    for item in codebook.items:
        if item.type == "text":
            cols.append(item.id)
        if item.other_option is not None:
            cols.append(f"{item.id}_other")
    return [c for c in cols if c in df.columns]


def numbers_from_identifiers(
    df: pd.DataFrame, codebook: Codebook, kinds: Iterable[str] = ("staff_no", "student_no")
) -> list[str]:
    """Collect the distinct student/staff numbers held in the raw identifier columns.

    Returned as written and normalised (:func:`normalise_identifier`), only those of at least
    :data:`MIN_NUMBER_TOKEN_CHARS` characters and not in scientific notation; pass them as
    ``numbers`` to :func:`scrub_free_text` so a respondent's number is removed wherever it is
    quoted.
    """
    kinds = set(kinds)
    found: set[str] = set()
    for ident in codebook.identifiers:
        if ident.kind in kinds and ident.id in df.columns:
            for v in df[ident.id].dropna().unique().tolist():
                text = _SPACES.sub(" ", str(v)).strip()
                for form in (text, normalise_identifier(text, ident.kind)):
                    if len(form) >= MIN_NUMBER_TOKEN_CHARS and not is_mangled_number(form):
                        found.add(form)
    return sorted(found)


def number_patterns(codebook: Codebook) -> list[str]:
    """The regular expressions of student/staff numbers the codebook declares (an identifier's
    ``pattern``, when the codebook schema has one)."""
    return [p for i in codebook.identifiers if isinstance(p := getattr(i, "pattern", None), str) and p]


def scrub_free_text(
    df: pd.DataFrame,
    codebook: Codebook,
    names: Iterable[str] = (),
    *,
    numbers: Iterable[str] = (),
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Apply :func:`scrub_text` to every text item and ``<id>_other`` column.

    Parameters
    ----------
    df
        The response frame; not modified.
    codebook
        The codebook (which items are free text; its number patterns).
    names
        Names to remove (see :func:`scrub_text`).
    numbers
        Student/staff numbers to remove (:func:`numbers_from_identifiers`).

    Returns
    -------
    df : pandas.DataFrame
        A copy with scrubbed free-text columns.
    counts : dict
        Replacements per kind, summed over all free-text columns.
    """
    names, numbers = list(names), list(numbers)
    patterns = number_patterns(codebook)
    out = df.copy()
    total = dict.fromkeys(SCRUB_KIND_LABELS_ZH, 0)
    for col in free_text_columns(df, codebook):
        out[col], counts = scrub_text(df[col], names, numbers=numbers, number_patterns=patterns)
        for kind, n in counts.items():
            total[kind] += n
    return out, total


def pseudonymise_speakers(speakers: pd.Series, key: bytes | None) -> pd.Series:
    """Replace the speakers of symposium statements so that no name is written out.

    Parameters
    ----------
    speakers
        The raw 发言人 cells (names, initials or aliases); not modified.
    key
        The secret key (:func:`load_key`). ``None``: speakers are numbered instead.

    Returns
    -------
    pandas.Series
        Same index and name. With a key: :data:`SPEAKER_PREFIX` + the first
        :data:`SPEAKER_HEX_CHARS` hex digits of HMAC-SHA256(key, ``"speaker:"`` + normalised
        name), so the same speaker has the same code in every session, run and wave (another
        context string than the respondent key, so the two cannot be linked). Without a key:
        ``发言人01``, ``发言人02``… in order of first appearance. Blank cells become ``""``.

    Examples
    --------
    >>> pseudonymise_speakers(pd.Series(["张三", "张 三", "", "李四"]), None).tolist()
    ['发言人01', '发言人01', '', '发言人02']
    """
    norm = [
        "" if v is None or (not isinstance(v, str) and pd.isna(v))
        else normalise_identifier(str(v), "name")
        for v in speakers.tolist()
    ]  # fmt: skip
    codes: dict[str, str] = {}
    for n in norm:
        if n and n not in codes:
            codes[n] = (
                f"发言人{len(codes) + 1:02d}" if key is None
                else SPEAKER_PREFIX + keyed_digest("speaker:" + n, key)[:SPEAKER_HEX_CHARS]
            )  # fmt: skip
    return pd.Series([codes.get(n, "") for n in norm], index=speakers.index, name=speakers.name,
                     dtype=object)  # fmt: skip
