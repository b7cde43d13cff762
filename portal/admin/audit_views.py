"""The 操作日志 for administrators: browse and filter it (user, action, dates), export it as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, current_app, render_template, request, stream_with_context

from portal import messages
from portal.admin.forms import AuditFilterForm, parse_date
from portal.admin.views import bp
from portal.audit import queries
from portal.timeutil import format_site
from portal.web.params import page_number

CSV_COLUMNS = ("时间", "用户", "地址", "操作", "对象", "详情")
# A cell a spreadsheet would run as a formula (CSV injection): shown as text instead.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters() -> tuple[AuditFilterForm, queries.Filters | None]:
    """The filter form as typed (from the query string) and, when it is valid, its filters."""
    form = AuditFilterForm(formdata=request.args, accounts=queries.accounts())
    if not form.validate():
        return form, None
    user = form.user.data or ""
    return form, queries.Filters(
        user_id=int(user) if user else None,
        action=form.action.data or None,
        start=parse_date(form.start.data or ""),
        end=parse_date(form.end.data or ""),
    )


@bp.get("/audit")
def audit_log():
    form, filters = _filters()
    if filters is None:
        return render_template("admin/audit.html", form=form, page=None, query={}), 400
    page = queries.page(filters, page_number(), current_app.config["POSTS_PER_PAGE"])
    if page is None:
        return render_template("admin/audit.html", form=form, page=None, query={}), 404
    query = {name: value for name, value in request.args.items() if name != "page" and value}
    return render_template("admin/audit.html", form=form, page=page, query=query)


@bp.get("/audit.csv")
def audit_csv():
    """Every entry that matches the filters, newest first (UTF-8 with a BOM, which Excel and
    WPS need to read Chinese)."""
    form, filters = _filters()
    if filters is None:
        return render_template("admin/audit.html", form=form, page=None, query={}), 400
    response = Response(stream_with_context(_csv_lines(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=audit-log.csv"
    return response


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_lines(filters: queries.Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for entry in queries.entries(filters):
        buffer.seek(0)
        buffer.truncate()
        row = (
            format_site(entry.at, "%Y-%m-%d %H:%M:%S"),
            entry.username or messages.AUDIT_SYSTEM,
            entry.remote_addr,
            messages.AUDIT_ACTIONS.get(entry.action, entry.action),
            entry.target,
            entry.detail,
        )
        writer.writerow([_cell(value) for value in row])
        yield buffer.getvalue()
