"""The bad-input corpus: every case gives one clear Chinese message (exit 2, outputs untouched),
or a warning and a normal run (exit 0). Cases and their expectations: ``badinput_cases.py``."""

from __future__ import annotations

import os
import re

import pytest
from badinput_cases import CASES, Case
from badinput_helpers import (
    Outcome,
    StudyDir,
    notes_of,
    run_clean_inprocess,
    run_clean_subprocess,
    tree_hashes,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _run(case: Case, s: StudyDir) -> Outcome:
    if case.cli:
        return run_clean_subprocess(s.study, cwd=s.root)
    return run_clean_inprocess(s.study)


def _staging_left(s: StudyDir) -> list[str]:
    parent = s.processed.parent
    return sorted(p.name for p in parent.iterdir() if ".staging-" in p.name or ".backup-" in p.name)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_case(case: Case, case_dir, cleaned_base, record_outcome) -> None:
    if case.needs_non_root and IS_ROOT:
        pytest.skip("以 root 身份运行时 chmod 000 不能使文件不可读（见 directory_instead_of_file）")
    s, before = case_dir
    case.make(s)
    out = _run(case, s)
    assert "Traceback" not in out.stderr, out.stderr
    assert "程序内部错误" not in out.stderr, out.stderr
    new_notes = [n for n in notes_of(out.stderr) if n not in cleaned_base.notes]
    if case.expect == "error":
        message = out.stderr.strip()
        assert out.code == 2, out.stderr
        assert message.startswith("错误："), message
        assert message.count("错误：") == 1, message  # ONE message
        assert CJK.search(message.splitlines()[0]), message
        for frag in case.fragments:
            assert frag in message, f"{frag!r} not in:\n{message}"
        assert tree_hashes(s.processed) == before, "previous outputs changed"
        assert _staging_left(s) == []
    else:
        assert out.code == 0, out.stderr
        assert "错误：" not in out.stderr.replace("注意：", ""), out.stderr
        assert (s.processed / "manifest.json").is_file()
        message = "\n".join(new_notes)
        if case.expect == "warn":
            assert new_notes, f"no new warning:\n{out.stderr}"
            for frag in case.fragments:
                assert frag in message, f"{frag!r} not in:\n{message}"
        else:
            assert not new_notes, f"unexpected warnings:\n{message}"
        if case.check is not None:
            case.check(s)
    record_outcome({
        "id": case.id, "title": case.title, "expect": case.expect, "cli": case.cli,
        "why": case.why, "code": out.code,
        "message": message.replace(str(s.root), "<研究目录>"),
    })


def test_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    kinds = {c.expect for c in CASES}
    assert kinds == {"error", "warn", "ok"}
    assert sum(c.cli for c in CASES) >= 4
