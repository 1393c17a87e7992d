"""No module of ``survey.io`` imports another module's private (underscore) names, and no
module outside a package imports that package's private modules (``readers._frame``)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _private_imports(path: Path, root: Path = ROOT) -> list[str]:
    parts = path.relative_to(root).with_suffix("").parts
    package = ".".join(parts if path.name == "__init__.py" else parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("survey")):
            continue
        names = node.module.split(".")
        private = [i for i, n in enumerate(names) if n.startswith("_") and not n.startswith("__")]
        owner = ".".join(names[: private[0]]) if private else None
        if owner is not None and package != owner and not package.startswith(owner + "."):
            found.append(node.module)
        found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return found


def test_io_imports_only_public_names() -> None:
    users = sorted((ROOT / "survey").rglob("*.py"))
    bad = {}
    for path in users:
        got = [
            name for name in _private_imports(path)
            if name.startswith("survey.io") or path.is_relative_to(ROOT / "survey" / "io")
        ]
        if got:
            bad[str(path.relative_to(ROOT))] = got
    assert bad == {}


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    probe = tmp_path / "survey" / "io" / "draft.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "from survey.io.readers._frame import ReadResult\n"
        "from survey.io.readers.wjx_headers import _OTHER\n",
        encoding="utf-8",
    )
    assert _private_imports(probe, tmp_path) == [
        "survey.io.readers._frame",
        "survey.io.readers.wjx_headers._OTHER",
    ]
    inside = tmp_path / "survey" / "io" / "readers" / "generic.py"
    inside.parent.mkdir()
    inside.write_text("from survey.io.readers._frame import ReadResult\n", encoding="utf-8")
    assert _private_imports(inside, tmp_path) == []  # the package's own private module
