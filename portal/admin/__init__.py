"""Administration (管理员 only): 栏目管理, accounts and roles, the 操作日志 — pages under
/editor/admin (``views``, ``account_views``, ``audit_views``), their writes (``channels``,
``accounts``) and the channel commands (``cli``)."""

from __future__ import annotations

from portal.admin import account_views, audit_views  # noqa: F401  (their routes)
from portal.admin.cli import COMMANDS
from portal.admin.views import bp

__all__ = ["COMMANDS", "bp"]
