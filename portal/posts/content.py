"""A post's editable content, declared once.

The editor form fills a ``PostContent`` from a post and returns one from what was typed; the
service writes it into the post and snapshots it in every revision; the preview shows it; the
demo import makes it. A field added here is a field of all of them (and of both tables: the
layering tests check the columns). What is not content, the state and the times, the service
decides from the action.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from portal.sanitize import CleanResult, clean
from portal.text import paragraphs

# Column sizes (characters), shared by the tables and the form's validation.
TITLE_MAX = 200
SOURCE_MAX = 100
AUTHOR_MAX = 100
KEYWORDS_MAX = 200
IMAGE_URL_MAX = 500
SUMMARY_MAX = 1000

# Only in the revision: what the editor typed and what cleaning it removed. The post keeps the
# clean body alone (readers never see the raw one).
REVISION_ONLY = ("body_raw", "removed")
# Not a column of either table: the files ``portal.attachments`` links to each revision.
LINKED = ("attachments",)


@dataclass(frozen=True)
class AttachedFile:
    """A stored file as a revision carries it (``portal.attachments``): which file, the name
    it is shown and downloaded under, and whether it is listed as a 附件 (False: an image or
    link of the body only)."""

    file_id: int
    name: str
    listed: bool = True


@dataclass(frozen=True)
class PostContent:
    title: str
    channel_id: int
    source: str = ""  # 来源
    author: str = ""
    keywords: str = ""  # 关键词, comma-separated: <meta name="Keywords">
    image_url: str = ""  # 标题图片: <meta name="Image">
    summary: str = ""  # the editor's own; empty: derived from the body where shown
    pinned: bool = False
    body_raw: str = ""  # exactly as submitted (NUL aside: PostgreSQL text cannot hold it)
    body_html: str = ""  # body_raw cleaned by the one sanitizer policy
    removed: tuple[str, ...] = ()  # what cleaning removed, told to the editor
    attachments: tuple[AttachedFile, ...] = ()  # 附件 and body images, in order

    @classmethod
    def from_raw_body(cls, body_raw: str, *, site_host: str | None = None, **fields: Any):
        """Content whose body is cleaned here, by today's policy (demo import, old revisions)."""
        cleaned = clean_body(body_raw, site_host=site_host)
        raw = body_raw.replace("\x00", "")
        return cls(body_raw=raw, body_html=cleaned.html, removed=cleaned.removed, **fields)

    @classmethod
    def of(cls, row: Any, *, body_raw: str | None = None) -> PostContent:
        """The content a post or revision holds; a post's raw body comes from its latest
        revision (``body_raw``), a revision has its own."""
        values = {name: getattr(row, name) for name in post_fields()}
        raw = body_raw if body_raw is not None else getattr(row, "body_raw", row.body_html)
        removed = tuple(item for item in getattr(row, "removed", "").split("\n") if item)
        # A revision's links (``Revision.attachments``, mapped by portal.attachments); a post
        # shows those of its current revision, which the form and the pages read from there.
        attachments = tuple(
            AttachedFile(link.file_id, link.name, link.listed)
            for link in getattr(row, "attachments", ())
        )
        return cls(**values, body_raw=raw, removed=removed, attachments=attachments)

    def post_values(self) -> dict[str, Any]:
        """The columns of ``Post`` this content sets."""
        return {name: getattr(self, name) for name in post_fields()}

    def revision_values(self) -> dict[str, Any]:
        """The columns of ``Revision`` this content sets."""
        return {**self.post_values(), "body_raw": self.body_raw, "removed": "\n".join(self.removed)}


def clean_body(body_raw: str, *, site_host: str | None = None) -> CleanResult:
    """A body as it is stored: text without markup made paragraphs, then sanitized."""
    return clean(paragraphs(body_raw), site_host=site_host)


def post_fields() -> tuple[str, ...]:
    return tuple(f.name for f in fields(PostContent) if f.name not in REVISION_ONLY + LINKED)
