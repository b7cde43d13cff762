"""The module map of DESIGN.md, kept by reading the code (imports, writes, sizes)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "portal"
# Policy modules: usable alone, they import nothing from the app but each other.
PURE_MODULES = {"sanitize", "text", "timeutil", "redirects"}  # sanitize is a package
# Blueprints (views and their forms), each a package of its own.
BLUEPRINTS = {"public", "feeds", "editor", "auth", "search", "admin", "review"}
# Layers below the blueprints, in import order: what a layer may import from the app.
BELOW = {
    "extensions": set(),
    "config": set(),
    "messages": set(),
    "posts": {"extensions"},
    "web": {"posts", "extensions", "messages"},
    "demo": {"posts", "extensions"},
    "cache": {"posts", "extensions", "web"},
    "search": {"posts", "extensions", "web", "messages"},  # a feature with its own blueprint
    "audit": {"posts", "extensions"},  # the 操作日志: written by blueprints and the write path
    # 附件: used by the editor, the article page and the feeds; its download route is its own.
    "attachments": {"posts", "extensions", "web", "messages"},
}
# Blueprints of a layer below the blueprints (the blueprint's name: the package it lives in).
LOWER_BLUEPRINTS = {"prefs": "web", "attachments": "attachments"}
# The composition roots: the app factory and the command registry wire every package together.
ROOTS = {"", "cli"}
MODULE_LINES_MAX = 420


def portal_modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        .removesuffix("__init__")
        .strip("."): path
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


def app_packages_imported(path: Path) -> set[str]:
    """The top-level parts of the app a module imports ("posts", "web", "sanitize" …)."""
    return {
        name.split(".")[1]
        for name in imports_of(path)
        if name.startswith("portal.") and name.split(".")[1] in top_level_parts()
    }


def top_level_parts() -> set[str]:
    return {name.split(".")[0] for name in portal_modules() if name}


def feature_of(module: str) -> str:
    return module.split(".")[0]


def test_the_layout_has_the_packages_of_the_map():
    assert {"posts", "web", "public", "feeds", "editor", "auth", "demo"} <= top_level_parts()
    for name in ("posts.models", "posts.states", "posts.content", "posts.queries"):
        assert name in portal_modules()
    assert {"posts.service", "posts.signals"} <= set(portal_modules())


@pytest.mark.parametrize("module", sorted(PURE_MODULES))
def test_pure_modules_import_nothing_from_the_app_but_each_other(module):
    paths = [path for name, path in portal_modules().items() if feature_of(name) == module]
    assert paths, module
    for path in paths:
        assert app_packages_imported(path) - {module} <= PURE_MODULES - {module}, path


def test_only_sanitize_imports_bleach():
    importers = {
        name
        for name, path in portal_modules().items()
        if any(i == "bleach" or i.startswith("bleach.") for i in imports_of(path))
    }
    assert {feature_of(name) for name in importers} == {"sanitize"}


@pytest.mark.parametrize("layer", sorted(BELOW))
def test_lower_layers_import_only_what_is_below_them(layer):
    for name, path in portal_modules().items():
        if feature_of(name) == layer:
            imported = app_packages_imported(path) - PURE_MODULES - {layer}
            assert imported <= BELOW[layer], f"{name} imports {imported - BELOW[layer]}"


def test_blueprints_never_import_each_other():
    for name, path in portal_modules().items():
        if feature_of(name) in BLUEPRINTS:
            others = app_packages_imported(path) & (BLUEPRINTS - {feature_of(name)})
            assert not others, f"{name} imports {others}"


def test_only_the_composition_roots_import_the_blueprints():
    for name, path in portal_modules().items():
        if name in ROOTS or feature_of(name) in BLUEPRINTS:
            continue
        assert not app_packages_imported(path) & BLUEPRINTS, name


def test_each_blueprint_is_found_where_its_name_says():
    for name, path in portal_modules().items():
        blueprint = re.search(r'\bBlueprint\(\s*"(\w+)"', path.read_text(encoding="utf-8"))
        if blueprint:
            assert blueprint.group(1) in BLUEPRINTS | set(LOWER_BLUEPRINTS), name
            expected = LOWER_BLUEPRINTS.get(blueprint.group(1), blueprint.group(1))
            assert feature_of(name) == expected, name


def test_extensions_hold_no_app():
    assert "portal" not in {i.split(".")[0] for i in imports_of(PACKAGE / "extensions.py")}


@pytest.mark.parametrize("name", sorted(portal_modules()))
def test_no_module_is_much_over_400_lines(name):
    lines = portal_modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MODULE_LINES_MAX, f"{name}: {lines} lines"


def test_templates_never_mark_anything_safe_or_query():
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            source = template.read_text(encoding="utf-8")
            assert "|safe" not in source.replace(" ", ""), template
            assert ".query" not in source, template
            assert "db." not in source, template
