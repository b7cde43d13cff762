"""Login and logout for editors (filled in by the editor issue)."""

from flask import Blueprint

from portal.extensions import db, login
from portal.models import User

bp = Blueprint("auth", __name__, url_prefix="/editor")


@login.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None
