"""Helpers for the hardening tests: planting identifiers, running the pipeline, scanning outputs.

``plant_identifiers`` writes DISTINCT fake identifiers of every kind into a copy of the demo
raw files and returns them; ``run_pipeline`` runs ``survey clean`` and ``survey report`` (the
real CLI, with ``reports/`` and ``figures/`` redirected into the study folder) as subprocesses;
``output_texts`` turns every output file into searchable text (Parquet and SAV decoded, PNG
text chunks and raw bytes, HTML, notebooks, logs).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from demo_copy import copy_demo, edit_yaml, tree_hashes  # noqa: F401 - re-exported

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().with_name("survey_cli_redirected.py")

DEMO = "data/raw/demo/"
HOME_TEXT_XLSX = DEMO + "301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
HOME_CODE_XLSX = DEMO + "301234567_按序号_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
GENERIC_XLSX = DEMO + "合成演示_乙市高级技工学校_问卷录入.xlsx"
STATEMENTS = DEMO + "合成演示_座谈会_发言记录.xlsx"
NAMES = DEMO + "合成演示_党员名单.xlsx"


def notebooks_present() -> bool:
    nb = ROOT / "notebooks"
    return any(p for p in nb.glob("*.ipynb") if not p.name.startswith((".", "_")))


# --------------------------------------------------------------------------------------------
# Planting
# --------------------------------------------------------------------------------------------

#: Distinct fake identifiers (none occurs in the demo data or in any code/label text).
PLANTED = {
    "name": ["欧阳锦程", "司马青岚", "上官明哲"],
    "phone": ["13912345601", "13912345602", "13912345603"],
    "staff_no": ["GH770011", "GH770012"],
    "student_no": ["XS20269931", "XS20269932"],
    "wechat": ["星河漫步_7731", "MoonWalker_8812"],
    "ip": ["198.51.100.77", "198.51.100.78"],
    "text_ip": ["203.0.113.199"],
    "email": ["ouyang.jc@example.edu.cn", "zhuge.yf@example.org"],
    "id_card": ["370102199003071234", "11010519851212002X"],
    "member_name": ["诸葛云帆"],
    "text_phone": ["13912345699", "13912345688"],
    "generic_name": ["慕容秋实"],
    "generic_phone": ["13912345611"],
    "generic_wechat": ["绿野仙踪_5566"],
    # -- every further spelling of issue #11 (planted by ``_plant_spellings``) --
    "id_card_spaced": ["440305 1988 0815 1239", "320106 19920229 0042"],
    "id_card_dashed": ["510107-1975-0423-0013", "210203-19810101-5523"],
    "phone_344": ["139 1234 5621"],
    "phone_434": ["1391-234-5622", "1391 234 5627"],
    "phone_dots": ["139.1234.5623"],
    "phone_plus86": ["+86 139 1234 5624", "+8613912345628"],
    "phone_0086": ["0086-13912345625"],
    "phone_fullwidth": ["１３９１２３４５６２６", "１３９－１２３４－５６２９"],
    "qq": ["2718281828", "3141592653"],
    "wechat_text": ["Galaxy_Rider77", "moonriver_2026"],
    "email_text": ["huangfu.jy@example.net"],
    "ipv4_text": ["192.0.2.57"],
    "ipv6_text": ["2001:db8:3c4d:15::1a2f"],
    "staff_student_text": ["XS20269933", "GH770019"],
    "roster_spaced": ["皇 甫 静 怡", "尉迟\u3000安然"],
    "context_name_text": ["蒋晓筠", "韦语瑶", "邹梓萱", "熊沐宸"],
    "context_name_statement": ["谭雨桐", "龚思远", "贺嘉懿", "覃若溪"],
    "numeric_column_phone": ["13912345631"],
    "numeric_column_id": ["130503196707122216"],
    "warning_quoted_phone": ["13912345641", "13912345642"],
    "warning_quoted_name": ["钱嘉禾"],
    "branch_phone": ["13912345643", "13912345644"],
    "speaker_name": ["端木子衿", "公孙明远"],
}
#: Kinds compared as digits only (separators, ``+86``/``0086`` and full width removed), so a
#: leak written in another format is still found.
DIGIT_KINDS = frozenset({
    "phone", "text_phone", "generic_phone", "id_card", "id_card_spaced", "id_card_dashed",
    "phone_344", "phone_434", "phone_dots", "phone_plus86", "phone_0086", "phone_fullwidth",
    "qq", "numeric_column_phone", "numeric_column_id", "warning_quoted_phone", "branch_phone",
})
#: Kinds compared as Chinese names: spaces (half- or full-width) and middle dots removed.
NAME_KINDS = frozenset({
    "name", "member_name", "generic_name", "roster_spaced", "context_name_text",
    "context_name_statement", "speaker_name", "warning_quoted_name",
})


def planted_tokens() -> list[str]:
    return [t for values in PLANTED.values() for t in values]


def _header_index(ws: object) -> dict[str, int]:
    return {str(c.value): i + 1 for i, c in enumerate(ws[1]) if c.value is not None}


def plant_identifiers(root: Path) -> list[str]:
    """Plant :data:`PLANTED` into the raw files of the study copy at ``root``; return tokens.

    Rows 60–64 of the home 按文本 export (late submissions that the demo keeps) get names,
    phones, staff/student numbers, WeChat names, IPs in their identifier columns and, in the
    open answer 21, a text naming another planted respondent with a phone, an e-mail, an ID
    number and a student number; one row of the generic file gets a name, phone and WeChat name;
    the member-name list gets one more name, which a symposium statement then mentions together
    with a phone number and an e-mail address.
    """
    import openpyxl

    p = root / HOME_TEXT_XLSX
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    col = _header_index(ws)
    c_name, c_phone, c_sid = col["1、您的姓名"], col["2、您的手机号码"], col["3、您的学号/工号"]
    c_wechat, c_ip = col["4、您的微信昵称"], col["来自IP"]
    c_text = next(i for h, i in col.items() if h.startswith("21、"))
    P = PLANTED
    sids = P["staff_no"] + P["student_no"]
    for k, r in enumerate(range(60, 64)):
        ws.cell(row=r, column=c_name).value = P["name"][k % 3]
        ws.cell(row=r, column=c_phone).value = P["phone"][k % 3]
        ws.cell(row=r, column=c_sid).value = sids[k]
        ws.cell(row=r, column=c_wechat).value = P["wechat"][k % 2]
        ws.cell(row=r, column=c_ip).value = f"{P['ip'][k % 2]}(山东-济南)"
    ws.cell(row=64, column=c_text).value = (
        f"建议向{P['name'][1]}学习，有事可打电话{P['text_phone'][0]}，或发邮件到{P['email'][0]}；"
        f"我的身份证号{P['id_card'][0]}，学号：{P['student_no'][1]}，工号{P['staff_no'][1]}。"
    )
    ws.cell(row=65, column=c_text).value = (
        f"{P['name'][2]}同志的证件号{P['id_card'][1]}登记错了，请联系{P['email'][1]}。"
        f"学习平台在内网 {P['text_ip'][0]} 上，外网打不开。"
    )
    wb.save(p)

    p = root / GENERIC_XLSX
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    col = _header_index(ws)
    ws.cell(row=40, column=col["name"]).value = P["generic_name"][0]
    ws.cell(row=40, column=col["phone"]).value = P["generic_phone"][0]
    ws.cell(row=40, column=col["wechat"]).value = P["generic_wechat"][0]
    wb.save(p)

    p = root / NAMES
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    ws.cell(row=ws.max_row + 1, column=1).value = P["member_name"][0]
    wb.save(p)

    p = root / STATEMENTS
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    col = _header_index(ws)
    ws.cell(row=5, column=col["发言内容"]).value = (
        f"{P['member_name'][0]}反映支部活动时间安排不合理，他的手机{P['text_phone'][1]}，"
        f"邮箱{P['email'][1]}，{P['name'][0]}也有同样意见。"
    )
    wb.save(p)
    _plant_spellings(root)
    return planted_tokens()


def _plant_spellings(root: Path) -> None:
    """Plant the further spellings of :data:`PLANTED` (issue #11) into the same raw files.

    Home 按文本 export, rows 60–63 (kept): open answer 21 holds ID numbers with spaces and
    dashes, phones in every grouping and prefix, full-width digits, QQ and WeChat ids after
    their keywords, an e-mail, an IPv4 and an IPv6 address, staff/student numbers, roster names
    written with spaces and context names (联系人/负责人/找/给); 党龄 (a numeric column) holds a
    phone and an ID number; an unrecognised 党员类别 label and a branch name each carry a phone
    (the warnings about them quote raw text). Member list: the two roster names. Symposium
    statements, rows 6–9: context names in 发言内容, two names in 发言人 (one also mentioned,
    spaced, in a statement).
    """
    import openpyxl

    P = PLANTED
    p = root / HOME_TEXT_XLSX
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    col = _header_index(ws)
    c_text = next(i for h, i in col.items() if h.startswith("21、"))
    c_years = col["8、您的党龄（年）"]
    c_branch = next(i for h, i in col.items() if h.startswith("5、"))
    ctx = P["context_name_text"]
    texts = {
        60: f"身份证 {P['id_card_spaced'][0]} 和 {P['id_card_dashed'][0]} 都登记过；"
            f"电话 {P['phone_344'][0]}、{P['phone_434'][0]}、{P['phone_dots'][0]}。"
            f"联系人{ctx[0]}，负责人{ctx[1]}。",
        61: f"有事打 {P['phone_plus86'][0]} 或 {P['phone_0086'][0]}，手机{P['phone_fullwidth'][0]}；"
            f"QQ：{P['qq'][0]}，qq号{P['qq'][1]}；微信 {P['wechat_text'][0]}，微信号：{P['wechat_text'][1]}。"
            f"有问题找{ctx[2]}。",
        62: f"请发邮件 {P['email_text'][0]}，平台地址 {P['ipv4_text'][0]}，新地址 {P['ipv6_text'][0]} 。"
            f"学号 {P['staff_student_text'][0]}，"
            f"工号：{P['staff_student_text'][1]}。建议给{ctx[3]}打电话。",
        63: f"{P['roster_spaced'][0]}和{P['roster_spaced'][1]}同志的证件号 {P['id_card_spaced'][1]}、"
            f"{P['id_card_dashed'][1]}；另一个号码 {P['phone_434'][1]}、{P['phone_plus86'][1]}、"
            f"{P['phone_fullwidth'][1]}。",
    }
    for r, text in texts.items():
        ws.cell(row=r, column=c_text).value = text
    numeric = {61: P["numeric_column_phone"][0], 62: P["numeric_column_id"][0]}
    for r, value in numeric.items():
        ws.cell(row=r, column=c_years).value = value
    # Raw values the reader quotes in its notes (→ manifest.json): an odd 党龄 and an odd 用时.
    numeric[60] = f"8年（电话{P['warning_quoted_phone'][0]}）"
    ws.cell(row=60, column=c_years).value = numeric[60]
    ws.cell(row=63, column=col["所用时间"]).value = (
        f"联系人{P['warning_quoted_name'][0]} {P['warning_quoted_phone'][1]}"
    )
    ws.cell(row=60, column=c_branch).value = f"学生党支部（电话{P['branch_phone'][0]}）"
    ws.cell(row=62, column=c_branch).value = f"机电学院党支部{P['branch_phone'][1]}"
    wb.save(p)
    # The 按序号 twin of the export is cross-checked cell by cell: the same 党龄 values there.
    p = root / HOME_CODE_XLSX
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    for r, value in numeric.items():
        ws.cell(row=r, column=_header_index(ws)["8、您的党龄（年）"]).value = value
    wb.save(p)

    p = root / NAMES
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    for spaced in P["roster_spaced"]:
        ws.cell(row=ws.max_row + 1, column=1).value = re.sub(r"\s", "", spaced)
    wb.save(p)

    p = root / STATEMENTS
    wb = openpyxl.load_workbook(p)
    ws = wb.worksheets[0]
    col = _header_index(ws)
    sctx = P["context_name_statement"]
    statements = {
        6: f"联系人{sctx[0]}说，支部活动要提前通知。",
        7: f"负责人{sctx[1]}对这项工作很重视，有困难可以找{sctx[2]}。",
        8: f"上次我们给{sctx[3]}打电话，{' '.join(P['speaker_name'][0])}也在场。",
    }
    for r, text in statements.items():
        ws.cell(row=r, column=col["发言内容"]).value = text
    ws.cell(row=8, column=col["发言人"]).value = P["speaker_name"][0]
    ws.cell(row=9, column=col["发言人"]).value = P["speaker_name"][1]
    wb.save(p)


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One pipeline run: its folder and the logs (stdout + stderr) of each command."""

    root: Path
    logs: dict[str, str]
    reported: bool

    @property
    def study(self) -> Path:
        return self.root / "study.yaml"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def figures(self) -> Path:
        return self.root / "figures"


def cli_env(root: Path, hashseed: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONHASHSEED=hashseed)
    for var in ("SURVEY_PSEUDONYM_KEY", "SURVEY_STUDY"):
        env.pop(var, None)
    env["SURVEY_TEST_REPORTS_DIR"] = str(root / "reports")
    env["SURVEY_TEST_FIGURES_DIR"] = str(root / "figures")
    return env


def survey_popen(args: list[str], *, root: Path, cwd: Path, hashseed: str = "0",
                 extra_env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen:
    """Start the redirected CLI (``survey ARGS``) for the study at ``root``."""
    env = {**cli_env(root, hashseed), **(extra_env or {})}
    return subprocess.Popen([sys.executable, str(RUNNER), *args], cwd=cwd, env=env, **kw)


def run_pipelines(specs: list[tuple[Path, Path, str]], *, report: bool) -> list[Run]:
    """Run ``survey clean`` then (if ``report``) ``survey report`` for each study, in parallel.

    ``specs`` holds ``(study folder, working directory, PYTHONHASHSEED)``; the study is passed
    as an absolute path so the working directory really differs. Each command's output is kept.
    """
    steps = [["clean"]] + ([["report", "--jobs", "1"]] if report else [])
    logs: list[dict[str, str]] = [{} for _ in specs]
    for step in steps:
        procs = []
        for root, cwd, seed in specs:
            cwd.mkdir(parents=True, exist_ok=True)
            procs.append(survey_popen([*step, "--study", str(root / "study.yaml")], root=root,
                                      cwd=cwd, hashseed=seed, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE))
        for i, proc in enumerate(procs):
            out, err = proc.communicate(timeout=1200)
            text = out.decode("utf-8", "replace") + "\n" + err.decode("utf-8", "replace")
            logs[i][step[0]] = text
            (specs[i][0] / f"{step[0]}.log").write_text(text, encoding="utf-8")
            assert proc.returncode == 0, f"survey {step[0]} failed:\n{text}"
    return [Run(root, log, report) for (root, _, _), log in zip(specs, logs, strict=True)]


# --------------------------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------------------------


def _png_text(data: bytes) -> str:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        info = {**im.info, **getattr(im, "text", {})}
    return "\n".join(f"{k}={v}" for k, v in info.items())


def file_texts(path: Path) -> list[str]:
    """Every readable rendering of a file: bytes as UTF-8, plus decoded tables / metadata."""
    data = path.read_bytes()
    texts = [data.decode("utf-8", "replace"), data.decode("utf-16-le", "replace"),
             data.decode("gb18030", "replace")]
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pandas as pd

        texts.append(pd.read_parquet(path).to_csv())
    elif suffix == ".sav":
        import pyreadstat

        df, meta = pyreadstat.read_sav(str(path))
        texts.append(df.to_csv())
        texts.append(repr(meta.column_names_to_labels) + repr(meta.variable_value_labels))
    elif suffix == ".png":
        texts.append(_png_text(data))
    elif suffix in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        texts.append("\n".join(str(v) for ws in wb.worksheets
                               for row in ws.iter_rows(values_only=True) for v in row if v is not None))
        wb.close()
    return texts


def _docx_text(data: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
    return re.sub(r"<[^>]+>", "", "\n".join(parts))


def _pdf_text(data: bytes) -> str:
    """Best effort without a PDF library: every Flate stream inflated, plus text strings.

    Text drawn with an embedded CID font is glyph ids, not characters; such text is not
    readable here (the committee PDF's content is the committee HTML's, which is scanned).
    """
    import zlib

    out = []
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[m.end():m.end() + 5_000_000]))
        except zlib.error:
            continue
    return b"\n".join(out).decode("latin-1")


def _files(folder_or_files: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in folder_or_files:
        if p.is_dir():
            files += [f for f in sorted(p.rglob("*")) if f.is_file()]
        elif p.is_file():
            files.append(p)
    return files


_FW_DIGITS = str.maketrans({**{0xFF10 + i: 0x30 + i for i in range(10)}, 0xFF38: 0x58, 0xFF58: 0x78})
_NOT_DIGIT = re.compile(r"[^0-9Xx]")
_SPACE_DOT = re.compile(r"[\s\u3000·・•]")


def normal_form(kind: str, value: str) -> str:
    """What the scan looks for: digits only for phones/IDs/QQ (a phone without its country
    code), a name without spaces or dots, anything else lower-cased."""
    if kind in DIGIT_KINDS:
        digits = _NOT_DIGIT.sub("", value.translate(_FW_DIGITS)).upper()
        return digits[-11:] if "phone" in kind and len(digits) > 11 else digits
    if kind in NAME_KINDS:
        return _SPACE_DOT.sub("", value)
    return value.lower()


def normalised_renderings(texts: list[str]) -> dict[str, str]:
    """The renderings of one file in the three forms :func:`normal_form` compares against."""
    joined = "\n".join(texts)
    half = joined.translate(_FW_DIGITS)
    return {
        # Digit runs with separators between them joined up (``139 1234-5621`` → 13912345621).
        "digits": re.sub(r"(?<=[0-9Xx])[\s\-.()（）+－．\u3000]+(?=[0-9Xx])", "", half).upper(),
        "name": _SPACE_DOT.sub("", joined),
        "other": joined.lower(),
    }


def scan_every_spelling(folder_or_files: list[Path], planted: dict[str, list[str]]
                        ) -> list[tuple[str, str, str]]:
    """``(file, kind, planted value)`` for every planted value found, in its normal form, in
    any rendering of any file (HTML, SVG, notebooks and logs as text; Parquet/SAV decoded;
    PNG text chunks; DOCX XML; PDF streams)."""
    needles = [(k, v, normal_form(k, v)) for k, values in planted.items() for v in values]
    hits = []
    for f in _files(folder_or_files):
        texts = file_texts(f)
        data = f.read_bytes()
        if f.suffix.lower() == ".docx":
            texts.append(_docx_text(data))
        elif f.suffix.lower() == ".pdf":
            texts.append(_pdf_text(data))
        forms = normalised_renderings(texts)
        for kind, value, needle in needles:
            form = "digits" if kind in DIGIT_KINDS else "name" if kind in NAME_KINDS else "other"
            if needle and needle in forms[form]:
                hits.append((str(f), kind, value))
    return hits


def scan_for(folder_or_files: list[Path], tokens: list[str]) -> list[tuple[str, str]]:
    """Return ``(file, token)`` for every planted token found in any rendering of any file."""
    files: list[Path] = []
    for p in folder_or_files:
        if p.is_dir():
            files += [f for f in sorted(p.rglob("*")) if f.is_file()]
        elif p.is_file():
            files.append(p)
    hits = []
    for f in files:
        texts = file_texts(f)
        for tok in tokens:
            if any(tok in t for t in texts):
                hits.append((str(f), tok))
    return hits
