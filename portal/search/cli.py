"""``flask --app portal reindex``: the search index rebuilt from the posts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.search import index


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from every post (one transaction: searches meanwhile see the
    old index)."""
    with click.progressbar(length=index.post_count(), label="Indexing posts") as bar:
        total = index.reindex(progress=bar.update)
    click.echo(f"{total} post(s) indexed; compacting the index…")
    index.compact()
    click.echo("Done.")
