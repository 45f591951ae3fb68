"""The kernel knows no domain: ``dangjian.core`` (outside its tests) imports no app of ours, so
every app can build on it and it can be read on its own (docs/architecture.md: dependencies
point down)."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]
APPS = {path.name for path in CORE.parent.iterdir() if (path / "apps.py").exists()} - {"core"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_core_imports_no_app():
    assert {"orgs", "members", "accounts"} <= APPS  # the scan sees the apps
    upward = {
        f"{path.relative_to(CORE)}: {module}"
        for path in CORE.rglob("*.py")
        if "tests" not in path.parts
        for module in imported(path)
        if module.split(".")[:2] in (["dangjian", app] for app in APPS)
    }
    assert upward == set()
