"""A missing browser skips the browser tests on a developer's machine but fails them when they
are required (PORTAL_REQUIRE_BROWSER=1 or CI=true): CI can never pass by skipping them.

Not marked ``browser``: it runs pytest in a subprocess with PORTAL_CHROMIUM pointing nowhere, so
it needs no browser (one test, SQLite only). Marked ``slow`` for the subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs pytest in a subprocess

ROOT = Path(__file__).resolve().parents[2]
ONE_BROWSER_TEST = (
    "tests/browser/test_reader_flow.py::test_desktop_shows_the_sidebar_beside_the_content"
)


def run_one_browser_test(**settings: str) -> tuple[int, str]:
    """Exit status and summary line of pytest running one browser test without Chromium."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in ("PORTAL_TEST_DATABASE_URL", "PORTAL_REQUIRE_BROWSER", "CI", "PYTEST_ADDOPTS")
    }
    env["PORTAL_CHROMIUM"] = "/nonexistent"
    env.update(settings)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ONE_BROWSER_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines, run.stderr
    return run.returncode, lines[-1]


def test_a_missing_browser_fails_the_run_when_required():
    status, summary = run_one_browser_test(PORTAL_REQUIRE_BROWSER="1")
    assert status != 0, summary
    assert "error" in summary or "failed" in summary, summary
    assert "skipped" not in summary, summary
    assert "passed" not in summary, summary


def test_a_missing_browser_skips_on_a_developers_machine():
    status, summary = run_one_browser_test()
    assert status == 0, summary
    assert "1 skipped" in summary, summary
    assert "error" not in summary, summary
    assert "failed" not in summary, summary
