"""The one identifier detector: finds personal details in any text the project writes.

Used for free-text answers and symposium statements (:func:`survey.clean.privacy.scrub_text`),
the original values logged in ``cell_changes.*`` (:func:`redact_value`), warning and error
texts (:func:`scrub_message`, applied by :class:`survey.errors.SurveyWarning` and
:class:`survey.errors.SurveyError` and to the notes of ``manifest.json``), and report text.

What it finds (``kind``: what)

``email``
    ``local@domain.tld``.
``id_card``
    Resident ID numbers (GB 11643-1999): 18 digits whose last character is the ISO 7064
    MOD 11-2 check digit (``0-9`` or ``X``) and whose digits 7–14 are a real date
    1900-01-01…2099-12-31; old 15-digit numbers whose digits 7–12 are a real date (19yymmdd).
    Spaces or dashes between the 6-digit region, the year, month-day and the last 4 digits are
    allowed (``370103 1900 0610 1186``). Right after 身份证/证件(号/号码) any 15- or 18-digit
    number is taken, check digit and date unchecked.
``phone``
    Mainland mobiles ``1[3-9]`` + 9 digits, optionally after ``+86``/``0086``/``86``/``(+86)``,
    written together or grouped 3-4-4, 4-3-4, 3-8 or 7-4 with a space, dash or dot.
``landline``
    ``0531-88888888``, ``(010)12345678``, ``0531 8888888-123``.
``ip``
    IPv4 addresses (four numbers 0–255) and IPv6 addresses (validated by :mod:`ipaddress`, at
    least three groups).
``qq`` / ``wechat``
    A QQ number (5–12 digits) right after QQ/扣扣 (+ 号/号码, ``:``, 是/为), a WeChat id (a letter
    then 5–19 letters, digits, ``_`` or ``-``) right after 微信/微信号/vx/wx/WeChat; only the
    number or id is replaced, the keyword stays.
``student_staff_no``
    A number right after 学号/工号/职工号/教工号/学籍号/员工号; every value of the codebook's
    ``staff_no``/``student_no`` columns wherever it occurs as a whole token; and any codebook
    pattern (regular expression) given as ``number_patterns``.
``name``
    The given names (identifier columns, the member list, symposium speakers), also with one or
    two spaces (half- or full-width) or a middle dot between the Chinese characters.
``name_context``
    A guessed name of someone not listed: a surname plus one or two characters after
    联系人/负责人/联络人/经办人/姓名 (optionally ``:`` and 是/为), after 找/给/联系/问 or a
    role word (书记/组织员/委员/主任/校长/院长/我是/我叫) and before punctuation, or
    right before 老师/同学/书记/主任.

Known limits (read the open answers before release anyway)

* Names are found only when listed, or in the contexts above. A name that follows none of
  them (``张三说……``), a name whose given-name characters are everyday words (the detector
  skips 的了是和… and 打说讲问… so that ``给李四打电话`` keeps ``打电话``), a surname outside
  the ~100 common ones, or a nickname not in an identifier column, is missed; a context name
  spelled with spaces between its characters (``联系人王 秀 英``) is missed unless listed
  (``benchmarks/bench_context_names.py`` measures these recalls).
* An 18-digit ID with a typing error (wrong check digit) or a date outside 1900–2099 is not
  an ID number for the detector unless it follows 身份证/证件号; phone numbers with country codes other than +86, numbers
  split into other groupings (``13 800 138 000``) or written in Chinese numerals
  (一三八……) are missed.
* QQ numbers and WeChat ids are found only after their keyword; student and staff numbers only
  after their keyword, as a value the codebook's columns hold, or by a codebook pattern.
* Over-scrubbing happens: a listed name that is also a word (``高明``), a context word before
  an ordinary word (``找王府井``) or an eleven-digit number starting ``1[3-9]`` is replaced.
* Years (``2026年``), dates (``2026-09-03``, ``20260903``), scores (``4.5``), percentages,
  counts and version numbers (``3.1.2``) are left alone.

All matching runs on a half-width copy of the text (full-width digits, letters, ``＋－＠．＿（）``
and the ideographic space map one to one), so positions in the copy are positions in the
original.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

#: What replaces a piece of text holding an identifier.
PLACEHOLDER = "[已隐去]"
#: Chinese label of every kind the detector reports, in the order the rules run.
KIND_LABELS_ZH: dict[str, str] = {
    "email": "电子邮箱",
    "id_card": "身份证号",
    "phone": "手机号",
    "landline": "固定电话",
    "ip": "IP 地址",
    "qq": "QQ 号",
    "wechat": "微信号",
    "student_staff_no": "学号/工号",
    "name": "姓名/昵称",
    "name_context": "疑似姓名（按称谓推断）",
}
#: Longest original value :func:`redact_value` shows as is (a plausible answer is short).
MAX_PLAIN_CHARS = 6

# -- half-width copy ---------------------------------------------------------------------------
_FW_TABLE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_FW_TABLE.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})
_FW_TABLE.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})
_FW_TABLE.update({ord(c): ord(h) for c, h in zip("＋－＠．＿（）：", "+-@._():", strict=True)})
_FW_TABLE.update({0x3000: 0x20, 0x00A0: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2013: 0x2D})
#: Same-length filler written over a found identifier in the matching copy, so later rules
#: neither see it nor treat its neighbours as adjacent to digits, letters or Chinese text.
_MASK = "\x00"


def half_width(text: str) -> str:
    """The matching copy of ``text``: same length, full-width characters made half-width."""
    return text.translate(_FW_TABLE)


# -- validators --------------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _real_date(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def id_card_valid(digits: str) -> bool:
    """True for a GB 11643 ID number (18 characters, check digit right, real birth date) or an
    old 15-digit one (real birth date 19yymmdd).

    Examples
    --------
    >>> id_card_valid("11010519491231002X"), id_card_valid("110105194912310021")
    (True, False)
    """
    s = digits.upper()
    if len(s) == 18 and s[:17].isdigit():
        total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != s[17]:
            return False
        y = int(s[6:10])
        return 1900 <= y <= 2099 and _real_date(y, int(s[10:12]), int(s[12:14]))
    if len(s) == 15 and s.isdigit():
        return _real_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    return False


def _ipv6_valid(text: str) -> bool:
    if sum(1 for g in text.split(":") if g) < 3:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


# -- the patterns ------------------------------------------------------------------------------
_D = "[0-9]"
_S = r"(?: ?[\-.] ?| )"  # one separator: a space, or a dash or dot with optional spaces
_PHONE_BODY = (
    rf"1[3-9]{_D}(?:{_D}{{8}}|{_S}{_D}{{4}}{_S}{_D}{{4}}|{_D}{_S}{_D}{{3}}{_S}{_D}{{4}}"
    rf"|{_S}{_D}{{8}}|{_D}{{4}}{_S}{_D}{{4}})"
)
_HAN = "[\u4e00-\u9fff]"
_PUNCT = r"[，。；、！？,.;!?（()）\s:：\"“”'‘’《》【】\[\]\x00]"
#: Common surnames that are seldom everyday words (the weak contexts accept only these).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾韦邹孟熊秦邱尹薛闫段雷侯陶黎贺顾毛郝龚邵覃戴孔汤"
)
#: Surnames that are also everyday words: accepted only after a strong context word and
#: before a boundary (负责人高度重视 is no name).
_SURNAMES_AMBIGUOUS = "高方向于任白金石江万龙武严付钱莫史夏常康易乔赖文牛关"
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|尉迟|公孙|夏侯|司徒|端木|长孙"
#: Characters that do not end a name but often follow one (function words, verbs of talking,
#: the first character of titles): never taken as given-name characters.
_STOP = (
    "的了是和与在们个位些种名对给把被从向为等及都也就还要会末围边年日期打说讲问来去做帮找"
    "叫让请看跟或老同书主电手微邮联反汇提沟商负组支委党"
)
_GIVEN = f"(?:某|(?![{_STOP}]){_HAN})"
_NAME = f"(?:(?:{_COMPOUND})|[{_SURNAMES}]){_GIVEN}{{1,2}}"
_NAME_AMBIGUOUS = f"[{_SURNAMES_AMBIGUOUS}]{_GIVEN}{{1,2}}(?={_PUNCT}|$|电话|手机|联系|老师|同志)"
_AFTER_KEYWORD = r"\s*[:]?\s*(?:是|为)?\s*"

Validator = Callable[[str], bool]


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    #: Receives the matched text (the ``v`` group when the pattern has one).
    valid: Validator | None = None


def _digits_only(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text)


_FIXED_RULES: tuple[_Rule, ...] = (
    _Rule("email", re.compile(
        r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
    )),
    _Rule("id_card", re.compile(
        rf"(?<![0-9A-Za-z])[1-9]{_D}{{5}}[ \-]?{_D}{{4}}[ \-]?{_D}{{4}}[ \-]?{_D}{{3}}[0-9Xx]"
        r"(?![0-9A-Za-z])"
    ), lambda t: id_card_valid(_digits_only(t))),
    _Rule("id_card", re.compile(
        rf"(?<![0-9A-Za-z])[1-9]{_D}{{5}}[ \-]?{_D}{{6}}[ \-]?{_D}{{3}}(?![0-9A-Za-z])"
    ), lambda t: id_card_valid(_digits_only(t))),
    # After 身份证/证件号 a 15- or 18-digit number is taken even with a wrong check digit or
    # date: a mistyped ID number still nearly identifies its holder.
    _Rule("id_card", re.compile(
        r"(?:身份证|证件)(?:号码|号)?" + _AFTER_KEYWORD
        + r"(?P<v>[0-9]{6}[ \-]?[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{3}[0-9Xx]"
        + r"|[0-9]{6}[ \-]?[0-9]{6}[ \-]?[0-9]{3})(?![0-9A-Za-z])"
    )),
    # Keyword rules before the bare numbers: 学号A13000000000 is one student number.
    _Rule("qq", re.compile(
        rf"(?:QQ|qq|Qq|扣扣)(?:号码|号)?{_AFTER_KEYWORD}(?P<v>[1-9]{_D}{{4,11}})(?![0-9])"
    )),
    _Rule("wechat", re.compile(
        r"(?:微信号?|[Vv]信|[Ww]e[Cc]hat|[Ww]eixin|[Vv][Xx]|[Ww][Xx])(?:号|ID|id)?"
        rf"{_AFTER_KEYWORD}(?P<v>[A-Za-z][A-Za-z0-9_\-]{{5,19}})(?![A-Za-z0-9_\-])"
    )),
    _Rule("student_staff_no", re.compile(
        r"(?:学号|工号|职工号|教工号|学籍号|员工号)" + _AFTER_KEYWORD
        + rf"(?P<v>[A-Za-z]{{0,4}}{_D}{{4,20}}[A-Za-z]?)(?![0-9A-Za-z])"
    )),
    _Rule("phone", re.compile(
        rf"(?<![0-9+.])(?:(?:\(\+?86\)|(?:\+|00)?86) ?[\-.]? ?)?{_PHONE_BODY}(?![0-9])"
    )),
    _Rule("landline", re.compile(
        rf"(?<![0-9A-Za-z.])(?:\(0{_D}{{2,3}}\) ?|0{_D}{{2,3}}[ \-]?)[1-9]{_D}{{6,7}}"
        rf"(?:-{_D}{{1,5}})?(?![0-9A-Za-z])"
    )),
    _Rule("ip", re.compile(
        r"(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])"
    ), _ipv6_valid),
    _Rule("ip", re.compile(
        r"(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
        r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9]|\.[0-9])"
    )),
)  # fmt: skip

_CONTEXT_RULES: tuple[_Rule, ...] = (
    # 联系人张三 / 负责人：李四 / 姓名 王五 / 联系人是欧阳某某
    _Rule("name_context", re.compile(
        f"(?:联系人|负责人|联络人|经办人|姓名){_AFTER_KEYWORD}(?P<v>{_NAME}|{_NAME_AMBIGUOUS})"
    )),
    # 找张三 / 给李四打电话 / 联系王五 / 问赵六
    _Rule("name_context", re.compile(f"(?:找|给|联系|问)(?P<v>{_NAME})")),
    # 组织员陈某丙， / 支部书记王五（ / 我是张三，
    _Rule("name_context", re.compile(
        f"(?:书记|组织员|委员|主任|校长|院长|我是|我叫)(?P<v>{_NAME}|{_NAME_AMBIGUOUS})(?={_PUNCT}|$)"
    )),
    # 李四老师 / 赵某同学
    _Rule("name_context", re.compile(f"(?:{_COMPOUND}|[{_SURNAMES}]){_GIVEN}{{1,2}}?(?=老师|同学|书记|主任)")),
)  # fmt: skip


# -- names ---------------------------------------------------------------------------------
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])[\s·・•]+(?=[\u3400-\u9fff])")
_SPACES = re.compile(r"\s+")
_NAME_SEP = "[ ·・•]{0,2}"


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def normalise_name(name: str) -> str:
    """Half-width, inner whitespace collapsed, no space or dot between Chinese characters."""
    text = _SPACES.sub(" ", half_width(name)).strip()
    return _CJK_SPACE.sub("", text)


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex matching any of ``words``, longest first, spaces allowed between Han chars."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict, prev: str) -> str:
        alts = []
        for ch in sorted(k for k in node if k):
            sep = _NAME_SEP if _is_han(prev) and _is_han(ch) else ""
            alts.append(sep + re.escape(ch) + emit(node[ch], ch))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:  # a name ends here, a longer one may go on: greedy optional
            return f"(?:{body})?"
        return body

    return emit(trie, "")


def _names_rule(names: Iterable[str], kind: str = "name") -> _Rule | None:
    clean = set()
    for name in names:
        if not isinstance(name, str) or PLACEHOLDER in name:
            continue
        n = normalise_name(name)
        if len(n) >= 2:
            clean.add(n)
    if not clean:
        return None
    parts = []
    ascii_names = sorted((n for n in clean if n.isascii()), key=lambda s: (-len(s), s))
    if ascii_names:  # ASCII nicknames and numbers must not match inside longer words
        alt = "|".join(re.escape(n) for n in ascii_names)
        parts.append(rf"(?<![A-Za-z0-9])(?:{alt})(?![A-Za-z0-9])")
    other = [n for n in clean if not n.isascii()]
    if other:
        parts.append(_trie_pattern(other))
    return _Rule(kind, re.compile("|".join(parts)))


# -- the detector ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Match:
    """One identifier found in a text: its kind and its span in the original text."""

    kind: str
    start: int
    end: int


class IdentifierDetector:
    """Find and replace personal details in text; patterns are compiled once.

    Parameters
    ----------
    names
        Names and nicknames to find wherever they occur (identifier columns, member list,
        symposium speakers); fewer than 2 characters are ignored, all-ASCII ones match only
        as whole words, and one or two spaces or a middle dot between Chinese characters are
        allowed (``张 三``, ``张　三``).
    numbers
        Student/staff numbers (the values of the codebook's ``staff_no``/``student_no``
        columns), found as whole tokens wherever they occur.
    number_patterns
        Regular expressions of student/staff numbers (the codebook's patterns), matched as
        whole tokens.
    context_names
        Also guess names from context words (``name_context``).

    Examples
    --------
    >>> d = IdentifierDetector(["张三"])
    >>> d.scrub("张 三的电话 138.0013.8000，QQ 123456789")
    ('[已隐去]的电话 [已隐去]，QQ [已隐去]', {'name': 1, 'phone': 1, 'qq': 1})
    >>> [(m.kind, m.start, m.end) for m in d.find("联系人李四")]
    [('name_context', 3, 5)]
    """

    def __init__(
        self,
        names: Iterable[str] = (),
        *,
        numbers: Iterable[str] = (),
        number_patterns: Iterable[str] = (),
        context_names: bool = True,
    ) -> None:
        rules = list(_FIXED_RULES)
        numbers_rule = _names_rule(numbers, "student_staff_no")
        if numbers_rule is not None:
            rules.append(numbers_rule)
        for pat in number_patterns:
            rules.append(_Rule("student_staff_no", re.compile(
                rf"(?<![0-9A-Za-z])(?:{pat})(?![0-9A-Za-z])"
            )))  # fmt: skip
        names_rule = _names_rule(names)
        if names_rule is not None:
            rules.append(names_rule)
        if context_names:
            rules.extend(_CONTEXT_RULES)
        self._rules = tuple(rules)

    @property
    def kinds(self) -> list[str]:
        """Every kind :meth:`scrub` counts (the keys of its counts)."""
        return list(KIND_LABELS_ZH)

    def find(self, text: str) -> list[Match]:
        """Every identifier in ``text``, by position; spans never overlap.

        Rules run in a fixed order: e-mails, ID numbers, numbers after a keyword (QQ, WeChat,
        学号…), phones, landlines, IP addresses, listed numbers and names, context names (so an
        e-mail ``13800138000@qq.com`` is one e-mail, not a phone); each found span is masked
        before the next rule runs.
        """
        if not isinstance(text, str) or not text:
            return []
        copy = half_width(text)
        found: list[Match] = []
        for rule in self._rules:
            spans = []
            use_v = "v" in rule.pattern.groupindex
            for m in rule.pattern.finditer(copy):
                start, end = m.span("v") if use_v else m.span()
                if start == end:
                    continue
                if rule.valid is not None and not rule.valid(copy[start:end]):
                    continue
                spans.append((start, end))
            if spans:
                pieces, last = [], 0
                for start, end in spans:
                    pieces += [copy[last:start], _MASK * (end - start)]
                    last = end
                    found.append(Match(rule.kind, start, end))
                copy = "".join([*pieces, copy[last:]])
        return sorted(found, key=lambda m: m.start)

    def contains(self, text: str) -> bool:
        """True if ``text`` holds any identifier."""
        return bool(self.find(text))

    def scrub(self, text: str) -> tuple[str, dict[str, int]]:
        """Replace every identifier by :data:`PLACEHOLDER`; return the text and counts by kind
        (only kinds found)."""
        matches = self.find(text)
        if not matches:
            return text, {}
        pieces: list[str] = []
        counts: dict[str, int] = {}
        last = 0
        for m in matches:
            pieces += [text[last:m.start], PLACEHOLDER]
            last = m.end
            counts[m.kind] = counts.get(m.kind, 0) + 1
        return "".join([*pieces, text[last:]]), counts

    def scrub_series(self, series: pd.Series) -> tuple[pd.Series, dict[str, int]]:
        """Apply :meth:`scrub` to each distinct text of a Series once.

        Returns
        -------
        series : pandas.Series
            Same index, name and dtype; missing values and non-strings stay exactly as they were.
        counts : dict
            Replacements per kind (every kind of :data:`KIND_LABELS_ZH`, zeros included), each
            distinct text's count multiplied by the rows holding it.
        """
        counts = dict.fromkeys(KIND_LABELS_ZH, 0)
        values = series.to_numpy(dtype=object, copy=True)
        codes, uniques = pd.factorize(values)
        occurs = np.bincount(codes[codes >= 0], minlength=len(uniques))
        scrubbed = np.empty(len(uniques), dtype=object)
        is_text = np.zeros(len(uniques), dtype=bool)
        for k, u in enumerate(uniques):
            if isinstance(u, str):
                scrubbed[k], one = self.scrub(u)
                is_text[k] = True
                for kind, n in one.items():
                    counts[kind] += n * int(occurs[k])
        rows = codes >= 0
        rows[rows] = is_text[codes[rows]]
        values[rows] = scrubbed.take(codes[rows])
        return pd.Series(values, index=series.index, name=series.name, dtype=series.dtype), counts


@lru_cache(maxsize=8)
def detector(names: tuple[str, ...] = ()) -> IdentifierDetector:
    """A cached :class:`IdentifierDetector` for these names (none: patterned kinds and context
    names only)."""
    return IdentifierDetector(names)


# -- values and messages ----------------------------------------------------------------------
_SURNAME_LED = re.compile(f"(?:{_COMPOUND}|[{_SURNAMES}{_SURNAMES_AMBIGUOUS}]){_HAN}{{1,2}}")
_LONG_DIGITS = re.compile(r"[0-9]{7,}")


def looks_like_name(text: str) -> bool:
    """True if ``text`` is shaped like a Chinese name: a surname (common, ambiguous or compound)
    and one or two more Chinese characters, spaces between them ignored.

    Examples
    --------
    >>> looks_like_name("张 三"), looks_like_name("欧阳某某"), looks_like_name("发言人A3")
    (True, True, False)
    """
    return bool(_SURNAME_LED.fullmatch(normalise_name(text)))


def redacted(text: str) -> str:
    """``[已隐去，N个字符]``: what stands in for a value not shown."""
    return f"[已隐去，{len(text)}个字符]"


def is_plausible_answer(value: str, det: IdentifierDetector | None = None) -> bool:
    """True if a logged original value may be shown as is: at most :data:`MAX_PLAIN_CHARS`
    characters, no identifier, no run of 7+ digits and not shaped like a Chinese name."""
    text = value.strip()
    if len(text) > MAX_PLAIN_CHARS or _LONG_DIGITS.search(half_width(text)):
        return False
    if looks_like_name(text):
        return False
    return not (det or detector()).contains(text)


def redact_value(value: object, det: IdentifierDetector | None = None) -> str:
    """The text to log for an original cell value.

    Parameters
    ----------
    value
        The original value (missing → ``""``; numbers as :class:`str` gives them).
    det
        The detector (default: patterned kinds and context names, no name list).

    Returns
    -------
    str
        The value itself when :func:`is_plausible_answer`, else ``[已隐去，N个字符]``.

    Examples
    --------
    >>> redact_value("9"), redact_value("13800138000"), redact_value("张三")
    ('9', '[已隐去，11个字符]', '[已隐去，2个字符]')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]  # stubs: isna(object) is valid
        return ""
    text = str(value)
    return text if is_plausible_answer(text, det) else redacted(text)


def redact_values(values: Iterable[object], det: IdentifierDetector | None = None) -> np.ndarray:
    """:func:`redact_value` of each value (each distinct value checked once); object array."""
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    codes, uniques = pd.factorize(arr)
    done = np.array([redact_value(u, det) for u in uniques] + [""], dtype=object)
    return done.take(np.where(codes >= 0, codes, len(uniques)))


#: A raw value quoted in a message: ``如“…”`` / ``「…」`` (the project's messages quote values so).
_QUOTED = re.compile(r"“([^“”\n]{1,300})”|「([^「」\n]{1,300})」")


def scrub_message(text: str, det: IdentifierDetector | None = None) -> str:
    """A warning or error text with every identifier replaced by ``[已隐去]``.

    The whole text loses the patterned kinds (and the names ``det`` lists). Context names are
    not looked for in the message's own words (messages quote column headers such as
    ``1、您的姓名``), but they are inside a quoted raw value (``如“联系人张三”``), and a quoted
    value that is shaped like a Chinese name as a whole (``如“张三”``, :func:`looks_like_name`)
    is replaced entirely.

    Examples
    --------
    >>> scrub_message("党龄有非纯数字的填写（如“8年，电话13800138000”）")
    '党龄有非纯数字的填写（如“8年，电话[已隐去]”）'
    >>> scrub_message("无法识别的用时（如“联系人王秀英”）；列：1、您的姓名")
    '无法识别的用时（如“联系人[已隐去]”）；列：1、您的姓名'
    """
    if not isinstance(text, str) or not text:
        return text
    text = (det or _message_detector()).scrub(text)[0]
    return _QUOTED.sub(_scrub_quoted, text)


def _scrub_quoted(m: re.Match[str]) -> str:
    group = 1 if m.group(1) is not None else 2
    inner = m.group(group)
    new = PLACEHOLDER if looks_like_name(inner) else _quoted_detector().scrub(inner)[0]
    start, end = m.span(group)
    return m.group(0)[: start - m.start()] + new + m.group(0)[end - m.start():]


@lru_cache(maxsize=1)
def _message_detector() -> IdentifierDetector:
    return IdentifierDetector(context_names=False)


@lru_cache(maxsize=1)
def _quoted_detector() -> IdentifierDetector:
    return IdentifierDetector(context_names=True)
