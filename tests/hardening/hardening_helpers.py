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
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from demo_copy import copy_demo, edit_yaml, tree_hashes  # noqa: F401 - re-exported

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().with_name("survey_cli_redirected.py")

DEMO = "data/raw/demo/"
HOME_TEXT_XLSX = DEMO + "301234567_按文本_合成演示_技师学院党建工作规范化水平调研问卷_166_166.xlsx"
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
}


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
    return planted_tokens()


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
