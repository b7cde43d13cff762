"""The module map of DESIGN.md, kept by reading the imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "portal"
PURE_MODULES = ("sanitize", "text", "timeutil")


def portal_modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__"): path
        for path in PACKAGE.rglob("*.py")
    }


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def blueprint_modules() -> set[str]:
    return {
        name
        for name, path in portal_modules().items()
        if re.search(r"\bBlueprint\(", path.read_text(encoding="utf-8"))
    }


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_nothing_from_the_app(module):
    imported = imports_of(PACKAGE / f"{module}.py")
    assert not [name for name in imported if name == "portal" or name.startswith("portal.")]


def test_only_sanitize_imports_bleach():
    importers = {
        name
        for name, path in portal_modules().items()
        if any(i == "bleach" or i.startswith("bleach.") for i in imports_of(path))
    }
    assert importers == {"sanitize"}


def test_blueprints_never_import_each_other():
    blueprints = blueprint_modules()
    assert {"public", "feeds", "auth", "editor"} <= blueprints
    for name in blueprints:
        imported = imports_of(portal_modules()[name])
        others = {f"portal.{other}" for other in blueprints - {name}}
        assert not imported & others, f"{name} imports {imported & others}"


def test_models_and_queries_do_not_import_views():
    views = {f"portal.{name}" for name in blueprint_modules()}
    for name in ("models", "queries", "extensions"):
        assert not imports_of(portal_modules()[name]) & views, name


def test_extensions_hold_no_app():
    assert "portal" not in {i.split(".")[0] for i in imports_of(PACKAGE / "extensions.py")}


def test_templates_never_mark_anything_safe_or_query():
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            source = template.read_text(encoding="utf-8")
            assert "|safe" not in source.replace(" ", ""), template
            assert ".query" not in source and "db." not in source, template
