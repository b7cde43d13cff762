"""What the search keeps: a copy of each post made for searching (``SearchDocument``), and beside
it an index of its text's tokens (``folding.tokens``), one per engine, made by migration 0005:

- SQLite: the FTS5 table ``search_fts`` (contentless, ``detail=none``: a token's posting list
  of post ids is all the search needs), its rowid the post's id;
- PostgreSQL: the GIN index ``ix_search_document_tokens`` on the expression
  ``search_tokens(title || ' ' || body)``, a SQL function of the same rule (no stored copy).

Neither can be declared to SQLAlchemy, so Alembic's autogenerate is told not to look at them
(``include_name``) and this module holds the SQL that reads and writes them.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.timeutil import UTCDateTime

FTS_TABLE = "search_fts"
TOKEN_INDEX = "ix_search_document_tokens"


class SearchDocument(Model):
    """One post, as the search reads it: its state and place (copied from the post in the
    transaction of every change, so ``states.condition`` decides what is public from here,
    without a look at the post) and its title and body folded (``folding.fold``; the body as
    plain text), which a candidate is checked against and ranked by. The small columns come
    first: SQLite reads them without reading a long body."""

    __tablename__ = "search_document"

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(16))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trashed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """For Alembic's autogenerate: the index objects of migration 0005 are not in the models."""
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)  # and its shadow tables (_data, _idx…)
    if type_ == "index":
        return name != TOKEN_INDEX
    return True


# --- SQLite: the FTS5 table ---------------------------------------------------------------------


# ASCII characters other than letters and digits: where FTS5's ``ascii`` tokenizer splits.
_ASCII_SEPARATOR = re.compile(r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]").search


def fts_token(token: str) -> str:
    """A token as written to FTS5. Its ``ascii`` tokenizer keeps every non-ASCII character and
    ASCII letters and digits, but splits at ASCII punctuation; a token with any is written as
    "x" and its UTF-8 in hex instead: three characters or more, so never a plain token (those
    have one or two)."""
    return "x" + token.encode().hex() if _ASCII_SEPARATOR(token) else token


def fts_text(tokens: set[str]) -> str:
    """The tokens as the text given to FTS5 (space-separated, in any order)."""
    written = set(filter(_ASCII_SEPARATOR, tokens))  # the few to write in hex; the rest as is
    return " ".join(itertools.chain(tokens - written, map(fts_token, written)))


def fts_match(tokens: set[str]) -> str:
    """An FTS5 query for "has every one of ``tokens``": each a quoted string, so nothing in it
    is ever FTS5 syntax (and an ``fts_token`` has no quote to escape)."""
    return " ".join(f'"{fts_token(token)}"' for token in sorted(tokens))


FTS_ADD = sa.text(f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (:post_id, :tokens)")
# A contentless table forgets a row when told the tokens it was given (from the stored text).
FTS_REMOVE = sa.text(
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) VALUES ('delete', :post_id, :tokens)"
)
FTS_CLEAR = sa.text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")
FTS_OPTIMIZE = sa.text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')")


def fts_candidates(tokens: set[str]) -> sa.Select:
    """The ids of the posts whose index has every token."""
    fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))
    match = sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam("fts_match", fts_match(tokens)))
    return sa.select(fts.c.rowid).where(match)


# --- PostgreSQL: the GIN expression index --------------------------------------------------------


def pg_has_tokens(tokens: set[str]) -> sa.ColumnElement[bool]:
    """``search_tokens(title || ' ' || body) @> ARRAY[…]``: exactly the indexed expression, so
    the GIN index answers it."""
    document = SearchDocument.__table__.c
    indexed = sa.func.search_tokens(
        document.title.concat(sa.literal_column("' '")).concat(document.body),
        type_=postgresql.ARRAY(sa.Text),
    )
    wanted = sa.bindparam("tokens", sorted(tokens), type_=postgresql.ARRAY(sa.Text))
    return indexed.contains(wanted)
