"""manifest.json: hashes, no time stamp, byte-identical rewrites, verification."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pandas as pd
import pytest

from survey.errors import SurveyError
from survey.io.export import write_csv, write_parquet
from survey.io.manifest import build_manifest, sha256_file, verify_manifest, write_manifest


def test_sha256_known_answers(tmp_path):
    # FIPS 180-2 example "abc" and the empty message.
    (tmp_path / "abc").write_bytes(b"abc")
    (tmp_path / "empty").write_bytes(b"")
    assert (
        sha256_file(tmp_path / "abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert (
        sha256_file(tmp_path / "empty")
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.fixture
def run(tmp_path, frame):
    """A study folder with two raw files and an output folder with two outputs."""
    root = tmp_path / "study"
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "本院.csv").write_bytes("序号,姓名\r\n1,张三\r\n".encode("utf-8-sig"))
    (root / "raw" / "对标A.csv").write_bytes(b"id,q1\r\n1,5\r\n")
    out = root / "processed"
    out.mkdir()
    write_csv(frame, out / "responses.csv")
    write_parquet(frame, out / "responses.parquet")

    def make():
        return build_manifest(
            raw_files=[
                ("raw/本院.csv", root / "raw" / "本院.csv"),
                ("raw/对标A.csv", root / "raw" / "对标A.csv"),
            ],
            outputs={
                "responses.csv": out / "responses.csv",
                "responses.parquet": out / "responses.parquet",
            },
            row_counts={"raw": np.int64(8), "excluded": 2, "kept": 6},
            fingerprints={"codebook": "0123456789abcdef"},
            config_hash="f" * 64,
            extra={
                "synthetic": True,
                "note": "合成数据",
                "alpha": np.float64(0.05),
                "bad": float("nan"),
            },
        )

    return root, out, make


def test_manifest_content_and_no_timestamp(run):
    root, out, make = run
    m = make()
    assert m["raw_files"][0] == {
        "name": "raw/本院.csv",
        "sha256": sha256_file(root / "raw" / "本院.csv"),
        "bytes": (root / "raw" / "本院.csv").stat().st_size,
    }
    assert m["outputs"]["responses.csv"]["sha256"] == sha256_file(out / "responses.csv")
    assert m["row_counts"] == {"raw": 8, "excluded": 2, "kept": 6}
    assert m["extra"]["alpha"] == 0.05 and m["extra"]["bad"] is None
    v = m["versions"]
    assert v["pandas"] == pd.__version__ and v["numpy"] == np.__version__
    assert v["python"] == ".".join(map(str, sys.version_info[:3]))
    for name in ("survey", "scipy", "pyarrow", "pyreadstat", "openpyxl", "python-calamine"):
        assert v[name], name
    text = json.dumps(m, ensure_ascii=False)
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)
    assert not {"created", "created_at", "timestamp", "date"} & set(m)


def test_write_manifest_format_and_byte_identical(run):
    root, out, make = run
    write_manifest(make(), out / "manifest.json")
    first = (out / "manifest.json").read_bytes()
    write_manifest(make(), out / "manifest.json")
    assert (out / "manifest.json").read_bytes() == first
    assert first.endswith(b"}\n") and not first.endswith(b"\n\n") and b"\r" not in first
    assert "合成数据".encode() in first  # ensure_ascii=False
    data = json.loads(first)
    assert list(data) == sorted(data)
    assert list(data["versions"]) == sorted(data["versions"])


def test_verify_clean_run_has_no_problems(run):
    root, out, make = run
    write_manifest(make(), out / "manifest.json")
    assert verify_manifest(out / "manifest.json", root) == []


def test_verify_detects_one_byte_change_and_missing_files(run):
    root, out, make = run
    write_manifest(make(), out / "manifest.json")
    data = bytearray((out / "responses.parquet").read_bytes())
    data[len(data) // 2] ^= 0x01
    (out / "responses.parquet").write_bytes(bytes(data))
    raw = root / "raw" / "对标A.csv"
    raw.write_bytes(raw.read_bytes().replace(b"5", b"4"))
    (root / "raw" / "本院.csv").unlink()

    problems = verify_manifest(out / "manifest.json", root)
    got = {(p.section, p.name, p.issue) for p in problems}
    assert got == {
        ("outputs", "responses.parquet", "changed"),
        ("raw_files", "raw/对标A.csv", "changed"),
        ("raw_files", "raw/本院.csv", "missing"),
    }
    messages = "\n".join(map(str, problems))
    assert "输出文件 responses.parquet 的内容与清单记录不一致" in messages
    assert "原始数据文件 raw/本院.csv 不存在" in messages


def test_verify_rejects_missing_or_malformed_manifest(tmp_path):
    with pytest.raises(SurveyError, match="找不到清单文件"):
        verify_manifest(tmp_path / "manifest.json", tmp_path)
    (tmp_path / "manifest.json").write_text('{"outputs": []}', encoding="utf-8")
    with pytest.raises(SurveyError, match="格式不对"):
        verify_manifest(tmp_path / "manifest.json", tmp_path)
