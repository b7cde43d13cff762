"""Site search: a copy of each post made for searching, and an index of its tokens

``search_document`` holds, for every post, its state, channel and times (copied by the write
path in each change's transaction) and its title and body folded (portal.search.folding). The
index of their tokens (every character and every pair of adjacent characters without a space)
is engine-specific:

- SQLite: the FTS5 table ``search_fts`` (contentless, detail=none, the ``ascii`` tokenizer: the
  application writes the tokens, space-separated);
- PostgreSQL: ``search_tokens(text)``, the token rule as an immutable SQL function, and a GIN
  index on ``search_tokens(title || ' ' || body)`` (nothing stored twice), without GIN's
  pending list (``fastupdate = off``): every search would read the whole list until a VACUUM
  merges it, and the planner, costing that, would rather scan the table; posts change rarely.

The index starts empty: ``flask --app portal reindex`` fills it for the posts already there.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from portal.timeutil import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The rule of portal.search.folding.tokens in SQL: every character but the space, and every
# pair of adjacent characters (the pairs at even offsets, then at odd ones: a regular expression
# puts a separator after each pair; the folded text never holds U+0001). Pairs with a space and
# an empty string come too; no query asks for them, as a term has no space. Duplicates are left
# to GIN, which keeps each key once. (Whole-string functions: a set-returning query per
# character costs a hundred times more, at every insert.) Its COST says what it is (about a
# millisecond for a post, thousands of plain operators): the planner must never think of
# computing it for every row, not even for a word that most posts contain.
SEARCH_TOKENS = r"""
CREATE FUNCTION search_tokens(folded text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 5000 AS $$
    SELECT string_to_array(replace(folded, ' ', ''), NULL)
        || string_to_array(regexp_replace(folded, '(..)', '\1' || chr(1), 'g'), chr(1))
        || string_to_array(regexp_replace(substr(folded, 2), '(..)', '\1' || chr(1), 'g'), chr(1))
$$
"""


def upgrade():
    op.create_table(
        "search_document",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("trashed_at", UTCDateTime(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("fk_search_document_post_id_post"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_search_document")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEARCH_TOKENS)
        op.execute(
            "CREATE INDEX ix_search_document_tokens ON search_document"
            " USING gin (search_tokens(title || ' ' || body)) WITH (fastupdate = off)"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='', tokenize='ascii',"
            " detail='none', columnsize=0)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("search_document")
        op.execute("DROP FUNCTION search_tokens(text)")
    else:
        op.execute("DROP TABLE search_fts")
        op.drop_table("search_document")
