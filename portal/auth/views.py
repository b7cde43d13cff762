"""Login, logout and one's own password for editors: Flask-Login wiring, the failed-login
lockout, and sessions that end when they must (``portal/auth/sessions.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
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
    session_protected,
    user_logged_in,
    user_logged_out,
)
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit, messages
from portal.auth import loginlimit, sessions
from portal.auth.forms import LoginForm, PasswordForm
from portal.extensions import db, login
from portal.posts.models import User
from portal.redirects import local_path
from portal.web.security import EDITOR_PREFIX, carries_session

bp = Blueprint("auth", __name__, url_prefix=EDITOR_PREFIX)

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


login.user_loader(sessions.user_for_session)


def _require_login():
    """Like every editor URL: a reader is sent to the login page (GET, HEAD) or refused."""
    if current_user.is_authenticated:
        return None
    if request.method in ("GET", "HEAD"):
        return login.unauthorized()
    abort(403)


def _locked_page(template: str, form, attempt: loginlimit.Attempt):
    counter = loginlimit.counter()
    counter.withdraw(attempt)  # not a new failure: a locked attempt never extends the lock
    current_app.logger.warning("login locked: account %r from %s", attempt.username, attempt.source)
    window = current_app.config["LOGIN_FAILURE_WINDOW"]
    error = messages.LOGIN_LOCKED.format(minutes=max(1, window // 60))
    # In the 操作日志 as every refused login is: an office sees who is being guessed at.
    audit.record("login_locked", target=f"user:{attempt.username}", detail=error)
    return render_template(template, form=form, error=error), 429, {"Retry-After": str(window)}


def _begin_attempt(username: str) -> loginlimit.Attempt:
    """Reserve a failure for a password check of ``username`` from this request."""
    account = loginlimit.normalize_username(username)
    return loginlimit.counter().begin(
        account, loginlimit.client_address(request), loginlimit.known_device(request, account)
    )


def _login_page(form: LoginForm, status: int = 200, error: str | None = None):
    return render_template("editor/login.html", form=form, error=error), status


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
def login_page():
    form = LoginForm()
    if request.method != "POST":  # GET and HEAD (the same answer, without the body)
        form.next.data = local_path(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("editor.dashboard"))
        return _login_page(form)
    if not form.validate_on_submit():
        return _login_page(form, 400)

    # Both are required: a validated form has them (None only for a field never submitted).
    username, password = form.username.data or "", form.password.data or ""
    attempt = _begin_attempt(username)
    if attempt.locked:
        return _locked_page("editor/login.html", form, attempt)

    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return _failed(form, username, messages.LOGIN_FAILED)
    if not user.check_password(password):
        return _failed(form, username, messages.LOGIN_FAILED)
    if not user.active:
        return _failed(form, username, messages.LOGIN_INACTIVE)

    loginlimit.counter().succeeded(attempt)
    sessions.start(user)
    audit.record("login", target=f"user:{user.username}", user=user)
    flash(messages.LOGGED_IN.format(name=user.shown_name), "success")
    response = redirect(local_path(form.next.data) or url_for("editor.dashboard"))
    loginlimit.remember_device(response, attempt)
    return response


def _failed(form: LoginForm, username: str, error: str):
    """A refused login, in the 操作日志 (the account named, whether it exists or not)."""
    audit.record("login_failed", target=f"user:{username.strip()}", detail=error)
    return _login_page(form, 400, error)


@bp.post("/logout")
def logout():
    # A POST, so CSRFProtect has checked its token: no other site can log an editor out.
    if current_user.is_authenticated:
        audit.add("logout", target=f"user:{current_user.username}")  # committed with the logout
        sessions.log_out(current_user._get_current_object())
    flash(messages.LOGGED_OUT, "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change one's own password: the current one, the new one twice. The editor's other
    sessions end; this one goes on."""
    refused = _require_login()
    if refused is not None:
        return refused
    form = PasswordForm()
    if request.method != "POST":
        return render_template("editor/password.html", form=form)
    if not form.validate_on_submit():
        return render_template("editor/password.html", form=form), 400
    user = current_user._get_current_object()
    attempt = _begin_attempt(user.username)  # a guess at the password, like a login's
    if attempt.locked:
        return _locked_page("editor/password.html", form, attempt)
    if not user.check_password(form.current_password.data or ""):
        form.current_password.errors = [messages.CURRENT_PASSWORD_WRONG]
        return render_template("editor/password.html", form=form), 400
    loginlimit.counter().succeeded(attempt)
    audit.add("password", target=f"user:{user.username}")  # committed with the change
    sessions.change_own_password(user, form.new_password.data or "")
    flash(messages.PASSWORD_CHANGED, "success")
    return redirect(url_for("editor.dashboard"))
