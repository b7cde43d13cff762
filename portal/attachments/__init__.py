"""附件 and images: files that posts carry, stored once, served safely.

``types`` (what kinds of file a post may carry) and ``detect`` (telling a file's kind from its
content); ``storage`` (where the bytes live: the filesystem under instance/uploads/, behind an
interface with room for object storage); ``files`` (storing an upload); ``models`` (a row per
stored file, and its links to revisions); ``links`` (which revision's files a post shows,
which are public, and the write path's receiver that links them); ``editing`` (the post
form's 附件 and 正文图片); ``views`` (the download route and the editor's image upload);
``cli`` (``flask --app portal gc-uploads``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request

from portal.attachments import links, storage
from portal.attachments.editing import form_files, receive
from portal.attachments.links import current, describe, listed, listed_for
from portal.attachments.views import bp
from portal.posts.signals import post_changing

__all__ = [
    "bp",
    "current",
    "describe",
    "form_files",
    "init_app",
    "listed",
    "listed_for",
    "receive",
]

# The requests that may carry files: the post form and the editor's image upload. They may be
# as large as a post's files together (plus the rest of the form); every other request keeps
# MAX_CONTENT_LENGTH.
UPLOAD_ENDPOINTS = frozenset({"editor.new_post", "editor.edit_post", "attachments.upload_image"})


def upload_request_limit(config) -> int:
    return config["ATTACHMENT_POST_MAX_BYTES"] + config["MAX_CONTENT_LENGTH"]


def _allow_uploads(endpoint: str | None, _values: dict | None) -> None:
    # A URL value preprocessor runs before every before_request function, so before the CSRF
    # check reads the form: the limit must be set before the body is parsed.
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = upload_request_limit(current_app.config)


def init_app(app: Flask) -> None:
    folder = app.config["ATTACHMENT_FOLDER"] or Path(app.instance_path) / "uploads"
    app.extensions["attachment_storage"] = storage.make(folder)
    # Every app of the process shares the signal; the receiver acts for its own app only.
    post_changing.connect(links.follow_changes, sender=app, weak=False)
    app.url_value_preprocessor(_allow_uploads)
