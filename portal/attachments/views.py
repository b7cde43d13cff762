"""``/attachments/<sha256>/<name>``: a file, to whoever may have it; and the editor's image
upload (``/editor/attachments/images``, for static/js/attachments.js).

A reader gets a file only while a public post shows it under that name (``links``); anyone
else gets the 404 page. A logged-in editor gets any stored file (the editor and the preview
show a draft's images), never kept by a shared cache. The answer is a download: ``Content-
Disposition: attachment`` with the name in RFC 5987 ``filename*`` (UTF-8, so Chinese names
survive in every browser) and an ASCII ``filename`` for the oldest, the type its content was
found to be, ``nosniff`` (web.security), the content hash as a strong ETag, and Range.
Behind nginx (``ATTACHMENT_ACCEL_REDIRECT``) the app only decides and nginx sends the bytes.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, abort, current_app, request, send_file
from flask_login import current_user

from portal import messages
from portal.attachments import detect, files, links
from portal.attachments.models import StoredFile
from portal.attachments.types import FileType, extension_of, type_of
from portal.sanitize.policy import UPLOADS_PATH
from portal.web.security import EDITOR_PREFIX, carries_session

bp = Blueprint("attachments", __name__)

SHA256 = re.compile(r"[0-9a-f]{64}")
# RFC 5987 attr-char beyond letters and digits: left as they are in filename*.
_ATTR_CHARS = "!#$&+-.^_`|~"
# A name sent as it is in the plain filename= (for browsers without filename*).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9 !#$&'()+,\-.;=@\[\]^_`{}~]+")


@bp.get(f"{UPLOADS_PATH}<sha256>/<name>")
def download(sha256: str, name: str):
    if not SHA256.fullmatch(sha256):
        abort(404)
    file = links.public_file(sha256, name)
    private = False
    if file is None and _is_editor():
        file, private = files.by_hash(sha256), True
    file_type = type_of(file.kind, name) if file is not None else None
    if file is None or file_type is None:
        abort(404)
    return _send(file, name, file_type, private=private)


def _is_editor() -> bool:
    # Only a request that carries a session may open it (web.security.carries_session).
    return carries_session() and current_user.is_authenticated


def _send(file: StoredFile, name: str, file_type: FileType, *, private: bool):
    accel = current_app.config["ATTACHMENT_ACCEL_REDIRECT"]
    if accel:
        response = current_app.response_class(mimetype=file_type.media_type)
        location = files.store_of().relative_path(file.sha256)
        response.headers["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{location}"
    else:
        path = files.local_file(file.sha256)
        if path is None:  # its row without its bytes: lost storage
            current_app.logger.error("attachment %s is missing from the storage", file.sha256)
            abort(404)
        response = send_file(
            path, mimetype=file_type.media_type, etag=file.sha256, conditional=True
        )
    response.headers["Content-Type"] = file_type.media_type  # with its charset, for text
    response.headers["Content-Disposition"] = content_disposition(name, file.sha256)
    # Whether a reader may have it can change (a withdrawal): every use asks again, and the
    # ETag makes that cheap. An editor's copy of a file that is not public is theirs alone.
    response.headers["Cache-Control"] = "private, no-store" if private else "public, no-cache"
    return response


def content_disposition(name: str, sha256: str) -> str:
    """``attachment`` with the name as UTF-8 (RFC 5987/6266 ``filename*``) and, for browsers
    that only read ``filename``, the name itself when it is plain ASCII, else
    "attachment-<8 hex of its hash>.<extension>"."""
    extension = extension_of(name)
    plain = name if _PLAIN_NAME.fullmatch(name) else f"attachment-{sha256[:8]}.{extension}"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"


@bp.post(f"{EDITOR_PREFIX}/attachments/images")
def upload_image():
    """One image for the body (static/js/attachments.js): stored as any upload is, answered
    with what the script inserts. The body links it; a save links it to the revision."""
    if not current_user.is_authenticated:
        return {"error": messages.UPLOAD_NEEDS_LOGIN}, 403
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return {"error": messages.UPLOAD_NO_FILE}, 400
    try:
        stored = files.store(upload, images_only=True)
    except detect.Refused as refused:
        return {"error": refused.message}, 400
    item = links.shown(stored.file, stored.name, listed=False)
    assert item is not None  # store() refuses a name that does not fit the type
    return {
        "url": item.url,
        "name": item.name,
        "width": item.width,
        "height": item.height,
        "size": item.size_text,
    }
