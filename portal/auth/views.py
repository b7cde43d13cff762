"""Login and logout for editors: Flask-Login wiring and the failed-login lockout."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import (
    current_user,
    login_user,
    logout_user,
    session_protected,
    user_logged_in,
    user_logged_out,
)
from werkzeug.security import check_password_hash, generate_password_hash

from portal import messages
from portal.auth import loginlimit
from portal.auth.forms import LoginForm
from portal.extensions import db, login
from portal.posts.models import User
from portal.redirects import local_path
from portal.timeutil import now_utc
from portal.web.security import carries_session

bp = Blueprint("auth", __name__, url_prefix="/editor")

login.login_view = "auth.login"
login.login_message = messages.LOGIN_REQUIRED
login.login_message_category = "info"

# Checked when the account does not exist, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@bp.record_once
def _setup(state) -> None:
    loginlimit.init_app(state.app)
    # Flask-Login's after-request hook looks into the session on every response, which makes
    # Flask send ``Vary: Cookie`` even for a reader who has no session. Ours calls it only
    # when it has something to do (see _remember_cookie).
    hooks = state.app.after_request_funcs.setdefault(None, [])
    hooks[:] = [
        _remember_cookie if hook == login._update_remember_cookie else hook for hook in hooks
    ]


# --- anonymous readers never open the session ------------------------------------------------


@bp.before_app_request
def _anonymous_without_session() -> None:
    """A request without a session (or remember-me) cookie is an anonymous reader: Flask-Login
    would still open the session to look for a user (``Vary: Cookie`` on every public page
    that asks for ``current_user``); tell it the answer instead. ``g._login_user`` is where
    Flask-Login keeps the request's user (``login_user`` replaces it)."""
    if not carries_session():
        g._login_user = login.anonymous_user()


def _login_changed(_sender, **_extra) -> None:
    g.login_changed = True


# Logging in or out (or session protection) is what gives Flask-Login's hook work to do.
for _signal in (user_logged_in, user_logged_out, session_protected):
    _signal.connect(_login_changed)


def _remember_cookie(response):
    """Flask-Login's remember-me cookie hook, run when it may have work: a login or logout in
    this request, a remember-me cookie sent, or a refresh on every request configured."""
    config = current_app.config
    if (
        g.get("login_changed")
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        or (config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST") and carries_session())
    ):
        return login._update_remember_cookie(response)
    return response


@login.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None  # deactivation ends sessions


def _login_page(form: LoginForm, status: int = 200, error: str | None = None):
    return render_template("editor/login.html", form=form, error=error), status


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
def login_page():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = local_path(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("editor.dashboard"))
        return _login_page(form)
    if not form.validate_on_submit():
        return _login_page(form, 400)

    # Both are required: a validated form has them (None only for a field never submitted).
    username, password = form.username.data or "", form.password.data or ""
    counter = loginlimit.counter()
    attempt = counter.begin(
        loginlimit.normalize_username(username),
        (request.remote_addr or "unknown")[: loginlimit.FIELD_MAX],
    )
    if attempt.locked:
        counter.withdraw(attempt)  # not a new failure: a locked attempt never extends the lock
        current_app.logger.warning(
            "login locked: account %r from %s", attempt.username, attempt.remote_addr
        )
        minutes = max(1, current_app.config["LOGIN_FAILURE_WINDOW"] // 60)
        response = _login_page(form, 429, messages.LOGIN_LOCKED.format(minutes=minutes))
        return (*response, {"Retry-After": str(current_app.config["LOGIN_FAILURE_WINDOW"])})

    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return _login_page(form, 400, messages.LOGIN_FAILED)
    if not user.check_password(password):
        return _login_page(form, 400, messages.LOGIN_FAILED)
    if not user.active:
        return _login_page(form, 400, messages.LOGIN_INACTIVE)

    counter.succeeded(attempt)
    user.last_login_at = now_utc()
    db.session.commit()
    login_user(user)
    flash(messages.LOGGED_IN.format(name=user.shown_name), "success")
    return redirect(local_path(form.next.data) or url_for("editor.dashboard"))


@bp.post("/logout")
def logout():
    # A POST, so CSRFProtect has checked its token: no other site can log an editor out.
    logout_user()
    flash(messages.LOGGED_OUT, "info")
    return redirect(url_for("auth.login"))
