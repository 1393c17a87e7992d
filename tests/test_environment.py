"""pyproject.toml and environment.yml declare the same dependencies with the same lower bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:>=\s*([0-9][0-9.]*))?")


def _parse(spec: str) -> tuple[str, str | None]:
    m = _REQ.match(spec)
    assert m, spec
    return m.group(1).lower().replace("_", "-"), m.group(2)


def _pyproject() -> dict[str, str | None]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = list(data["project"]["dependencies"])
    for extra in data["project"].get("optional-dependencies", {}).values():
        specs.extend(extra)
    return dict(_parse(s) for s in specs)


def _environment() -> dict[str, str | None]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str | None] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for spec in dep.get("pip", []):
                if not spec.startswith("-e"):
                    name, ver = _parse(spec)
                    out[name] = ver
            continue
        name, ver = _parse(dep)
        if name not in ("python", "pip"):
            out[name] = ver
    return out


def test_same_packages_and_lower_bounds() -> None:
    py, env = _pyproject(), _environment()
    assert set(py) == set(env), (
        f"only in pyproject: {sorted(set(py) - set(env))}; only in environment.yml: "
        f"{sorted(set(env) - set(py))}"
    )
    differing = {k: (py[k], env[k]) for k in py if py[k] != env[k]}
    assert not differing, f"lower bounds differ (pyproject, environment.yml): {differing}"


def test_every_dependency_has_a_lower_bound() -> None:
    missing = [k for k, v in _pyproject().items() if v is None]
    assert not missing, f"dependencies without a tested lower bound: {missing}"


def test_python_version_floor_agrees() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert data["project"]["requires-python"] == ">=3.11"
    assert "python>=3.11" in env
