"""Where the pseudonymisation key comes from, in which order, and the refusals."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from survey.clean.privacy import MIN_KEY_CHARS, load_key
from survey.errors import SurveyError, SurveyWarning

FILE_KEY = "f" * 64
ENV_KEY = "e" * 64


def _key_file(folder: Path, text: str = FILE_KEY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pseudonym.key"
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def test_env_var_wins_over_file_and_demo(make_study, key_env, tmp_path, monkeypatch):
    path = _key_file(tmp_path / "home")
    monkeypatch.setenv(key_env, f"  {ENV_KEY}\n")
    study = make_study(synthetic=True, key_file=str(path), demo_key="demo")
    assert load_key(study) == ENV_KEY.encode()


def test_key_file_used_when_env_unset_and_whitespace_stripped(make_study, tmp_path):
    path = _key_file(tmp_path / "home")
    study = make_study(synthetic=True, key_file=str(path), demo_key="demo")
    assert load_key(study) == FILE_KEY.encode()


def test_blank_env_var_falls_through_to_file(make_study, key_env, tmp_path, monkeypatch):
    monkeypatch.setenv(key_env, "   ")
    path = _key_file(tmp_path / "home")
    assert load_key(make_study(key_file=str(path))) == FILE_KEY.encode()


def test_relative_key_file_resolves_against_study_folder(make_study, tmp_path):
    _key_file(tmp_path / "secrets")
    assert load_key(make_study(key_file="secrets/pseudonym.key")) == FILE_KEY.encode()


def test_tilde_is_expanded(make_study, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "fakehome"))
    _key_file(tmp_path / "fakehome" / ".config" / "survey")
    study = make_study(key_file="~/.config/survey/pseudonym.key")
    assert load_key(study) == FILE_KEY.encode()


def test_key_file_inside_git_work_tree_is_refused(make_study, tmp_path, key_env):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = _key_file(repo / "config")
    with pytest.raises(SurveyError) as info:
        load_key(make_study(key_file=str(path)))
    msg = info.value.message_zh()
    assert "git 仓库内" in msg
    assert "privacy.key_file" in msg
    assert str(repo) in msg


def test_git_refusal_applies_even_for_synthetic_with_demo_key(make_study, tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = _key_file(repo)
    with pytest.raises(SurveyError, match="git"):
        load_key(make_study(synthetic=True, key_file=str(path), demo_key="demo"))


def test_demo_key_only_for_synthetic(make_study, tmp_path):
    missing = tmp_path / "nowhere" / "pseudonym.key"
    assert load_key(make_study(synthetic=True, key_file=str(missing), demo_key="demo")) == b"demo"
    with pytest.raises(SurveyError) as info:
        load_key(make_study(synthetic=False, key_file=str(missing), demo_key="demo"))
    msg = info.value.message_zh()
    assert "synthetic: true" in msg
    assert "找不到假名化密钥" in msg


def test_no_key_explains_how_to_create_one(make_study, key_env, tmp_path):
    missing = tmp_path / "nowhere" / "pseudonym.key"
    with pytest.raises(SurveyError) as info:
        load_key(make_study(key_file=str(missing)))
    msg = info.value.message_zh()
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in msg
    assert "~/.config/survey/pseudonym.key" in msg
    assert key_env in msg
    assert str(missing) in msg


def test_no_key_without_key_file(make_study, key_env):
    with pytest.raises(SurveyError, match=key_env):
        load_key(make_study(key_file=None))


@pytest.mark.parametrize("source", ["env", "file"])
def test_short_key_refused(make_study, key_env, tmp_path, monkeypatch, source):
    short = "x" * (MIN_KEY_CHARS - 1)
    if source == "env":
        monkeypatch.setenv(key_env, short)
        study = make_study(key_file=None)
    else:
        study = make_study(key_file=str(_key_file(tmp_path / "k", short)))
    with pytest.raises(SurveyError, match=f"太短（{MIN_KEY_CHARS - 1} 个字符）"):
        load_key(study)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_world_readable_key_file_warns(make_study, tmp_path):
    path = _key_file(tmp_path / "home")
    path.chmod(0o644)
    with pytest.warns(SurveyWarning, match="chmod 600"):
        assert load_key(make_study(key_file=str(path))) == FILE_KEY.encode()
    path.chmod(0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_key(make_study(key_file=str(path)))
