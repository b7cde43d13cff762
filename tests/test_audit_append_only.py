"""The 操作日志 is append-only: nothing in the application updates or deletes an entry.

Two proofs, as tests/test_posts_write_path.py gives for posts: reading the code, no module
builds an UPDATE or DELETE of ``audit_entry``, deletes rows or assigns a column while it knows
``AuditEntry``; and every statement a whole session of editor and administrator actions sends
to ``audit_entry`` is an INSERT (or a read).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import csrf_token, edit_url, form_fields, post_id_of, press, submit, write_post

from portal.audit.models import AuditEntry
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "portal"
COLUMNS = set(AuditEntry.__table__.columns.keys())
STATEMENT = re.compile(
    r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|SELECT\b.*?\bFROM)\s+"?audit_entry"?\b', re.I | re.S
)
CHANGE = re.compile(r'\b(?:UPDATE|DELETE\s+FROM|TRUNCATE)\s+"?audit_entry"?\b', re.I)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def changes_of_the_log(source: str) -> list[str]:
    """What in ``source`` would change or remove an entry once written."""
    tree = ast.parse(source)
    knows = any(
        isinstance(node, ast.ImportFrom) and "AuditEntry" in {alias.name for alias in node.names}
        for node in ast.walk(tree)
    )
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            first = _name(node.args[0]) if node.args else ""
            if called in {"update", "delete"} and first == "AuditEntry":
                found.append(f"line {node.lineno}: {called}(AuditEntry)")
            if (
                knows
                and called in {"delete", "merge", "bulk_update_mappings"}
                and _name(getattr(node.func, "value", None) or node.func) == "session"
            ):
                found.append(f"line {node.lineno}: session.{called}")
            if knows and called in {"setattr", "set_committed_value"}:
                found.append(f"line {node.lineno}: {called}")
        elif knows and isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [
                f"line {node.lineno}: {ast.unparse(target)} = …"
                for target in targets
                if isinstance(target, ast.Attribute)
                and target.attr in COLUMNS
                and _name(target.value) not in {"self", "cls"}
            ]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CHANGE.search(node.value)
        ):
            found.append(f"line {node.lineno}: SQL {node.value[:40]!r}")
    return found


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_changes_or_deletes_an_entry(path):
    assert changes_of_the_log(path.read_text(encoding="utf-8")) == []


def test_the_reading_finds_a_change_where_there_is_one():
    """The rule above is not vacuous."""
    for source in (
        "db.session.execute(sa.update(AuditEntry).values(detail=''))",
        "db.session.execute(sa.delete(AuditEntry))",
        "db.session.execute(sa.text('DELETE FROM audit_entry'))",
        "from portal.audit.models import AuditEntry\ndef f(entry):\n    entry.detail = 'x'",
        "from portal.audit.models import AuditEntry\ndef f(entry):\n    db.session.delete(entry)",
    ):
        assert changes_of_the_log(source), source


@pytest.fixture
def statements(app):
    """Every statement sent for ``audit_entry`` while the test runs, by its kind."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        match = STATEMENT.match(statement)
        if match:
            seen.append(match.group(1).split()[0].upper())
        elif CHANGE.search(statement):
            seen.append("CHANGE")

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


def test_a_whole_session_only_appends(app, admin_client, make_channel, statements):
    notices = make_channel("notices")
    url = edit_url(write_post(admin_client, notices, "draft"))
    post_id = post_id_of(url)
    submit(admin_client, url, "publish")
    for step in ("withdraw", "trash", "delete"):
        press(admin_client, f"/editor/posts/{post_id}/{step}")
    channel_url = f"/editor/admin/channels/{notices.id}/edit"
    admin_client.post(
        channel_url, data=form_fields(admin_client.get(channel_url)) | {"name": "公告"}
    )
    new = admin_client.get("/editor/admin/accounts/new")
    admin_client.post(
        "/editor/admin/accounts/new",
        data={"csrf_token": csrf_token(new), "username": "li", "role": "author"},
    )
    admin_client.get("/editor/admin/audit")
    admin_client.get("/editor/admin/audit.csv").get_data()
    press(admin_client, "/editor/logout")
    assert "INSERT" in statements
    assert set(statements) <= {"INSERT", "SELECT"}, statements
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) >= 8
