"""What changed between the live (or last approved) text and the one submitted: the fields
that differ, and the body paragraph by paragraph, changed paragraphs marked character by
character (Chinese has no spaces to split words on). difflib does the matching; templates
only present the parts (no markup is made here)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from portal.sanitize import plain_text
from portal.timeutil import format_site

# The end of a block of clean HTML: each block's text is one line of the diff.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|tr|th|td|blockquote|pre|caption|dt|dd)>|<br\s*/?>", re.I)
# The fields compared besides the body, with their labels (the editor form's).
FIELDS = (
    ("title", "标题"),
    ("channel", "栏目"),
    ("source", "来源"),
    ("author", "作者"),
    ("keywords", "关键词"),
    ("image_url", "标题图片地址"),
    ("summary", "摘要"),
    ("published_at", "发布时间"),
    ("pinned", "置顶"),
)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Part:
    text: str
    changed: bool


@dataclass(frozen=True)
class Line:
    """One row of the body's diff: ``kind`` is same, added, removed or changed; ``old`` and
    ``new`` are the two sides' parts (empty for the side a line is missing from)."""

    kind: str
    old: tuple[Part, ...]
    new: tuple[Part, ...]


def shown_fields(row: Any, channel_names: dict[int, str]) -> dict[str, str]:
    """A post's, a revision's or a pending edit's fields as the diff shows them."""
    values = {
        name: str(getattr(row, name, "") or "") for name, _label in FIELDS if name != "channel"
    }
    values["channel"] = channel_names.get(row.channel_id, "—")
    values["published_at"] = format_site(row.published_at) if row.published_at else "发布时"
    values["pinned"] = "是" if row.pinned else "否"
    return values


def field_changes(old: dict[str, str] | None, new: dict[str, str]) -> list[FieldChange]:
    """The fields that differ (every field that is set, for a text with nothing before it)."""
    return [
        FieldChange(label, (old or {}).get(name, ""), new[name])
        for name, label in FIELDS
        if (old is None and new[name]) or (old is not None and old[name] != new[name])
    ]


def blocks(clean_html: str) -> list[str]:
    """The text of each block of a clean body, in order, without empty ones."""
    return [text for text in (plain_text(part) for part in _BLOCK_END.split(clean_html)) if text]


def body_diff(old_html: str, new_html: str) -> list[Line]:
    old, new = blocks(old_html), blocks(new_html)
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [
                Line("same", (Part(text, False),), (Part(text, False),)) for text in old[i1:i2]
            ]
            continue
        before, after = old[i1:i2], new[j1:j2]
        for index in range(max(len(before), len(after))):
            if index >= len(after):
                lines.append(Line("removed", (Part(before[index], True),), ()))
            elif index >= len(before):
                lines.append(Line("added", (), (Part(after[index], True),)))
            else:
                lines.append(Line("changed", *_marked(before[index], after[index])))
    return lines


def _marked(old: str, new: str) -> tuple[tuple[Part, ...], tuple[Part, ...]]:
    """Both sides of a changed paragraph, the differing characters marked."""
    old_parts: list[Part] = []
    new_parts: list[Part] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if old[i1:i2]:
            old_parts.append(Part(old[i1:i2], tag != "equal"))
        if new[j1:j2]:
            new_parts.append(Part(new[j1:j2], tag != "equal"))
    return tuple(old_parts), tuple(new_parts)
