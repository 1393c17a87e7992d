"""Helpers for the demo-study tests: raw files parsed with plain pandas (deliberately not the
``survey.io.readers`` package, so the generator is checked independently of the readers)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]


def norm(value: Any) -> str:
    """NFKC (full-width -> half-width), drop non-breaking/ideographic spaces, strip."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_strings(path: Path, encoding: str | None = None) -> pd.DataFrame:
    """A raw file as a frame of strings (empty cells -> ""), with ``_row`` as Excel shows it."""
    if path.suffix == ".csv":
        df = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
    else:
        df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    df = df.astype(object).where(df.notna(), "")
    df.insert(0, "_row", np.arange(2, len(df) + 2))
    return df


def _header_map(cb: dict, form: str, columns: list[str]) -> dict[str, str]:
    """Codebook id -> header text of one raw file."""
    out: dict[str, str] = {}
    for item in cb["items"] + cb["identifiers"]:
        src = item.get("source", {})
        if form == "generic":
            if item["id"] in columns:
                out[item["id"]] = item["id"]
            continue
        if "row" in src:
            out[item["id"]] = f"第{src['question']}题({src['row']})"
        elif "question" in src:
            hit = [c for c in columns if re.match(rf"^{src['question']}、", c)]
            if hit:
                out[item["id"]] = hit[0]
        elif "header" in src:
            out[item["id"]] = src["header"]
    return out


def to_codes(df: pd.DataFrame, cb: dict, form: str) -> pd.DataFrame:
    """Likert/single answers as float codes (labels mapped in 按文本 files), plus meta."""
    hmap = _header_map(cb, form, list(df.columns))
    sets = cb["option_sets"]
    out = pd.DataFrame({"_row": df["_row"].to_numpy()})
    for item in cb["items"]:
        if item["type"] not in ("likert", "single") or item["id"] not in hmap:
            continue
        col = df[hmap[item["id"]]].map(norm)
        if form == "wjx_text":
            opts = sets[item["options"]] if isinstance(item["options"], str) else item["options"]
            lookup = {norm(lab): float(code) for code, lab in opts.items()}
            for code, labels in item.get("option_aliases", {}).items():
                lookup.update({norm(lab): float(code) for lab in labels})
            out[item["id"]] = col.map(lambda v, lk=lookup: lk.get(v, np.nan))
        else:
            out[item["id"]] = pd.to_numeric(col, errors="coerce")
    for key in ("years", "branch", "phone", "suggest"):
        if key in hmap:
            out[key] = df[hmap[key]].map(norm).to_numpy()
    if "所用时间" in df.columns:
        out["duration"] = df["所用时间"].str.replace("秒", "", regex=False).astype(float).to_numpy()
    if "提交答卷时间" in df.columns:
        raw = df["提交答卷时间"]
        if form == "generic":
            serial = pd.to_numeric(raw).to_numpy()
            out["submitted"] = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial, unit="D")
        else:
            out["submitted"] = pd.to_datetime(raw, format="%Y/%m/%d %H:%M:%S").to_numpy()
    return out


def scale_scores(codes: pd.DataFrame, cb: dict) -> pd.DataFrame:
    """Scale score = mean of items after reverse keying; codes outside 1..5 are missing."""
    out = pd.DataFrame(index=codes.index)
    for sc in cb["scales"]:
        x = codes[sc["items"]].astype(float)
        x = x.where((x >= 1) & (x <= 5))
        for r in sc["reverse"]:
            x[r] = 6 - x[r]
        out[sc["id"]] = x.mean(axis=1)
    return out
