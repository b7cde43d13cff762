"""The post form's 附件 and 正文图片: what it carries, what it uploads, what it saves.

The form carries each of its files as a hidden ``attachment`` field ("<file id>:<1 listed as
附件 | 0 an image of the body>:<name>"), with a ``attachment_remove`` box to drop it, and takes
new ones in ``attachment_files`` (附件) and ``image_files`` (images for the body: without
script the editor copies the shown address into the body; static/js/attachments.js uploads
and inserts them). A submitted form's new files are stored first (``receive``: streamed,
checked, kept once) and become hidden fields: a form sent back for any reason (a refused file,
a missing title, a conflict) shows them with everything else as typed, and a file refused is
said why. ``complete`` then adds the files to the form's ``PostContent`` and gives the body's
images of this site their width and height, and every image ``loading="lazy"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from flask import current_app, g, request
from flask_login import current_user

from portal import messages
from portal.attachments import detect, files, links
from portal.attachments.links import Shown
from portal.posts.content import AttachedFile, PostContent
from portal.posts.models import Post
from portal.web.params import parse_int

CARRIED = "attachment"
REMOVE = "attachment_remove"
NEW_FILES = "attachment_files"
NEW_IMAGES = "image_files"


def token(item: Shown) -> str:
    """The hidden field's value that carries ``item``."""
    return f"{item.file_id}:{int(item.listed)}:{item.name}"


@dataclass
class FormFiles:
    """The files the post form shows and will save, with what went wrong."""

    items: list[Shown] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)  # tokens ticked for removal
    errors: list[str] = field(default_factory=list)
    # A form sent back to someone no longer logged in (its session ended while the editor
    # typed): its files are carried on as sent, (token, name), and shown by name only.
    unresolved: list[tuple[str, str]] = field(default_factory=list)

    @property
    def documents(self) -> list[Shown]:
        return [item for item in self.items if item.listed]

    @property
    def images(self) -> list[Shown]:
        return [item for item in self.items if not item.listed]

    @property
    def kinds(self) -> str:
        return messages.ATTACHMENT_KINDS

    @property
    def max_file(self) -> str:
        return files.limit_text(current_app.config["ATTACHMENT_MAX_BYTES"])

    @property
    def max_post(self) -> str:
        return files.limit_text(current_app.config["ATTACHMENT_POST_MAX_BYTES"])

    @property
    def kept(self) -> list[Shown]:
        return [item for item in self.items if token(item) not in self.removed]

    def complete(self, content: PostContent) -> PostContent | None:
        """``content`` with its files and sized images; None (the reason in ``errors``) if
        a file was refused or the post's files together are over ``ATTACHMENT_POST_MAX_BYTES``."""
        if self.errors:
            return None
        attached = tuple(item.attached for item in self.kept)
        referenced = links.body_references(content.body_html)
        sizes = {item.file_id: item.size for item in self.kept}
        sizes.update({f.id: f.size for f in files.by_ids({r.file_id for r in referenced}).values()})
        limit = current_app.config["ATTACHMENT_POST_MAX_BYTES"]
        if sum(sizes.values()) > limit:
            total, limit_text = files.size_text(sum(sizes.values())), files.limit_text(limit)
            name = self.kept[-1].name if self.kept else "正文图片"
            self.errors.append(
                messages.ATTACHMENT_POST_TOO_LARGE.format(name=name, size=total, limit=limit_text)
            )
            return None
        return replace(content, attachments=attached, body_html=sized_images(content.body_html))

    def token(self, item: Shown) -> str:
        return token(item)


def form_files(post: Post | None) -> FormFiles:
    """What the form shows: a post's current files (GET), or what was submitted (with this
    request's uploads, if ``receive`` stored them)."""
    if "attachment_form" in g:
        return g.attachment_form
    if request.method == "GET":
        return FormFiles(links.current(post) if post is not None else [])
    if not current_user.is_authenticated:
        sent = request.form.getlist(CARRIED)
        return FormFiles(unresolved=[(value, value.split(":", 2)[-1]) for value in sent])
    return _submitted()


def receive() -> FormFiles:
    """The submitted form's files, with its new uploads stored (once per request); call only
    for a logged-in editor's form that passed its CSRF check."""
    if "attachment_form" in g:
        return g.attachment_form
    form = _submitted()
    limit = current_app.config["ATTACHMENT_POST_MAX_BYTES"]
    used = sum({item.file_id: item.size for item in form.kept}.values())
    for name, images_only in ((NEW_FILES, False), (NEW_IMAGES, True)):
        for upload in request.files.getlist(name):
            if not upload.filename and not upload.content_length:
                continue  # the empty part a browser sends for an input left empty
            try:
                stored = files.store(upload, budget=limit - used, images_only=images_only)
            except detect.Refused as refused:
                form.errors.append(refused.message)
                continue
            item = links.shown(stored.file, stored.name, listed=not images_only)
            if item is not None:
                form.items.append(item)
                used += item.size
    g.attachment_form = form  # what form_files() shows for the rest of this request
    return form


def _submitted() -> FormFiles:
    """The files the submitted form carried back (those still stored), and which to drop."""
    carried: list[AttachedFile] = []
    for value in request.form.getlist(CARRIED):
        file_id, listed, name = (value.split(":", 2) + ["", ""])[:3]
        number = parse_int(file_id)
        if number is not None and listed in ("0", "1") and name:
            carried.append(AttachedFile(number, files.clean_name(name), listed == "1"))
    items = links.describe(carried)
    form = FormFiles(items, set(request.form.getlist(REMOVE)))
    found = {(item.file_id, item.name) for item in items}
    for lost in carried:
        if (lost.file_id, lost.name) not in found:
            form.errors.append(messages.ATTACHMENT_GONE.format(name=lost.name))
    return form


# --- images of the body: width, height, loading="lazy" ------------------------------------------

# clean() writes every attribute as name="value", in the order given: these patterns are exact.
_IMAGE = re.compile(r"<img\b([^<>]*)>")  # never past the next tag: linear
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
_ORDER = ("src", "alt", "width", "height", "loading")


def sized_images(body_html: str) -> str:
    """Every image lazy; an image stored here gets its width and height (an editor's own
    width alone keeps its proportion), so the page does not jump as images arrive."""
    if "<img" not in body_html:
        return body_html
    stored = {
        (item.sha256, item.name): item for item in links.describe(links.body_references(body_html))
    }

    def rewrite(match: re.Match[str]) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        item = stored.get(links.reference_of(attributes.get("src", "")) or ("", ""))
        if item is not None and item.width and item.height:
            width = parse_int(attributes.get("width", "")) or None
            if width is None:
                attributes["width"], attributes["height"] = str(item.width), str(item.height)
            elif "height" not in attributes:
                attributes["height"] = str(max(1, round(width * item.height / item.width)))
        attributes["loading"] = "lazy"
        names = [
            *(n for n in _ORDER if n in attributes),
            *(n for n in attributes if n not in _ORDER),
        ]
        return "<img" + "".join(f' {n}="{attributes[n]}"' for n in names) + ">"

    return _IMAGE.sub(rewrite, body_html)
