"""Only ``portal.posts.service`` writes a post or a revision (the view counter aside).

Two proofs: every INSERT/UPDATE/DELETE that reaches the database for ``post`` or ``revision``
during a whole editor session, a demo import and a reader's visit is traced back to the
service's file (or to ``queries.record_view``); and, reading the code, no other module builds
such a statement, a ``Post``/``Revision`` row, or adds and deletes rows while it knows them.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import edit_url, post_id_of, press, submit, write_post

from portal.extensions import db
from portal.posts.models import Post, Revision

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "portal"
SERVICE = PACKAGE / "posts" / "service.py"
QUERIES = PACKAGE / "posts" / "queries.py"
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(post|revision)"?\s', re.I)
POST_TABLES = {"Post", "Revision"}
# Assigning one of these on a loaded row would be flushed by the next query or commit.
COLUMNS = set(Post.__table__.columns.keys()) | set(Revision.__table__.columns.keys())


def _writer() -> str:
    """The portal function that issued the statement being executed (innermost first; the
    driver helper of ``portal/extensions.py`` runs statements for its caller)."""
    frame = sys._getframe(1)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(PACKAGE) and path != PACKAGE / "extensions.py":
            return f"{path.relative_to(ROOT)}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "(outside portal)"


@pytest.fixture
def writes(app):
    """(table, writer) of every write to post/revision while the test runs."""
    seen: list[tuple[str, str]] = []

    def record(_conn, _cursor, statement, *_args):
        match = WRITE.match(statement)
        if match:
            seen.append((match.group(1).lower(), _writer()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


def test_every_write_of_a_whole_editor_session_comes_from_the_service(
    admin_client, make_channel, writes, runner
):
    edit = edit_url(write_post(admin_client, make_channel("notices"), "draft"))
    post_id = post_id_of(edit)
    assert submit(admin_client, edit, "publish", body="<p>二</p>").status_code == 302
    assert submit(admin_client, edit, "preview").status_code == 200
    assert admin_client.get(f"/notices/{post_id}.html").status_code == 200  # the view counter
    for step in ("withdraw", "trash", "restore", "revisions/1/restore", "trash", "delete"):
        assert press(admin_client, f"/editor/posts/{post_id}/{step}").status_code == 302
    assert runner.invoke(args=["seed-demo"]).exit_code == 0

    tables = {table for table, _writer in writes}
    assert tables == {"post", "revision"}, writes  # the session really wrote both
    service = str(SERVICE.relative_to(ROOT))
    counter = f"{QUERIES.relative_to(ROOT)}:record_view"
    strays = [
        (table, writer)
        for table, writer in writes
        if not writer.startswith(f"{service}:") and writer != counter
    ]
    assert strays == []
    assert ("post", counter) in writes


# --- reading the code ---------------------------------------------------------------------------


def _modules() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if path != SERVICE]


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _call_writes(node: ast.Call) -> list[str]:
    called = _name(node.func)
    first = _name(node.args[0]) if node.args else ""
    if called in {"update", "insert", "delete"} and first in POST_TABLES:
        return [f"line {node.lineno}: {called}({first})"]
    if called in POST_TABLES:
        return [f"line {node.lineno}: {called}(...) makes a row"]
    if called in {"setattr", "set_committed_value"}:
        return [f"line {node.lineno}: {called}(...) sets an attribute"]
    return []


def _assignment_writes(node: ast.Assign | ast.AugAssign | ast.AnnAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [
        f"line {node.lineno}: {ast.unparse(target)} = (a post column)"
        for target in targets
        if isinstance(target, ast.Attribute) and target.attr in COLUMNS
    ]


def _node_writes(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Call):
        return _call_writes(node)
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
        return _assignment_writes(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and WRITE.match(node.value):
        return [f"line {node.lineno}: SQL {node.value[:40]!r}"]
    return []


def _post_writes(tree: ast.AST, path: Path) -> list[str]:
    """Statements that write post/revision rows, other than the named view counter (the
    statement ``COUNT_VIEW`` and the function ``record_view`` that runs it)."""
    allowed: set[int] = set()
    if path == QUERIES:
        for function in _functions(tree):
            if function.name == "record_view":
                allowed.update(id(node) for node in ast.walk(function))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [
                "COUNT_VIEW"
            ]:
                allowed.update(id(part) for part in ast.walk(node))
    return [
        found for node in ast.walk(tree) if id(node) not in allowed for found in _node_writes(node)
    ]


def _knows_post_tables(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and {alias.name for alias in node.names} & POST_TABLES
        for node in ast.walk(tree)
    )


def _session_writes(tree: ast.AST) -> list[str]:
    return [
        f"line {node.lineno}: session.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"add", "add_all", "delete", "merge", "bulk_save_objects"}
        and _name(node.func.value) == "session"
    ]


@pytest.mark.parametrize(
    "path", _modules(), ids=lambda path: str(path.relative_to(PACKAGE)).removesuffix(".py")
)
def test_no_other_module_writes_posts_or_revisions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _post_writes(tree, path) == []
    if _knows_post_tables(tree):
        assert _session_writes(tree) == [], "adds or deletes rows while it imports Post/Revision"


def test_the_reading_finds_a_write_where_there_is_one():
    """The rules above are not vacuous: the service itself breaks every one of them."""
    tree = ast.parse(SERVICE.read_text(encoding="utf-8"))
    found = " ".join(_post_writes(tree, SERVICE))
    for expected in ("update(Post)", "Revision(...) makes a row", "shown.id = (a post column)"):
        assert expected in found
    assert _knows_post_tables(tree)
    assert _session_writes(tree)
    raw_sql = ast.parse('db.session.execute(sa.text("UPDATE post SET title = 1"))')
    assert _post_writes(raw_sql, PACKAGE / "x.py")
