"""Issue 14: the editor's ProseMirror bundle (static/vendor/prosemirror/, committed so that
serving the site needs no Node) is exactly what editor/package-lock.json builds, is MIT-licensed
with every bundled package's license beside it, and fetches nothing at run time."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import require

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
EDITOR = ROOT / "editor"
VENDOR = ROOT / "static" / "vendor" / "prosemirror"
FILES = ("prosemirror.min.js", "prosemirror.css", "LICENSE")


def test_the_committed_bundle_is_what_the_lockfile_builds(tmp_path):
    require(shutil.which("node") is not None, "Node.js", "apt-get install nodejs npm")
    require(
        (EDITOR / "node_modules" / ".installed").is_file(),
        "the editor's build tools (editor/node_modules)",
        "run `make test-tools` (npm ci in editor/)",
    )
    subprocess.run(
        ["node", str(EDITOR / "build.mjs"), str(tmp_path)], check=True, capture_output=True
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (VENDOR / name).read_bytes(), (
            f"static/vendor/prosemirror/{name} is not what editor/ builds: run `make editor`"
        )


def test_every_bundled_package_is_locked_and_mit_or_bsd_licensed():
    lock = json.loads((EDITOR / "package-lock.json").read_text(encoding="utf-8"))
    licenses = {
        path.removeprefix("node_modules/"): entry.get("license")
        for path, entry in lock["packages"].items()
        if path
    }
    bundled = re.findall(
        r"^(\S+) (\d+\.\d+\.\d+) \((.+)\)$", (VENDOR / "LICENSE").read_text(), re.M
    )
    assert len(bundled) >= 10
    for name, version, license_name in bundled:
        assert licenses[name] == license_name, name
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
        assert license_name in ("MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC"), name


def test_the_bundle_fetches_nothing_and_injects_no_style_element():
    """Nothing at run time comes from elsewhere, and no <style> is made (the CSP would refuse
    it; ProseMirror sets styles through the CSSOM, which the CSP allows)."""
    source = (VENDOR / "prosemirror.min.js").read_text(encoding="utf-8")
    for api in ("fetch(", "XMLHttpRequest", "import(", "importScripts", "WebSocket", "insertRule"):
        assert api not in source, api
    assert not re.search(r"""createElement\(\s*["']style""", source)
    assert not re.search(r"""setAttribute\(\s*["']style""", source)
