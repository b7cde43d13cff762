"""Benchmark: site search (issue 13) at scale, beside a ``LIKE '%q%'`` scan of the same data.

1. a fresh database — SQLite in a temporary directory, or a new schema in PostgreSQL
   (127.0.0.1:5432, database ``test``; dropped at the end) — made by the migrations and filled
   by ``flask --app portal bench-data N --seed S`` (bench/pages.py's ``fill``: the bulk import
   indexes each batch as it commits);
2. ``reindex`` as the command does it (every document rebuilt in one transaction, then the
   index compacted), timed: the build time; then the index's size (SQLite: ``dbstat``;
   PostgreSQL: ``pg_relation_size``);
3. for each query (by default a two- and a four-character one that each match about 1 % of
   the posts, and two that match nearly all of them), in interleaved rounds: the first results
   page of ``/search`` (the whole response, in-process, by relevance and by newest), and the
   same first page by a scan — ``count(*)`` and the newest 20 public posts whose title or body
   is ``LIKE '%q%'`` — on the same data in the same run;
4. a Markdown table of medians (and p90) in milliseconds.

    .venv/bin/python bench/search.py [--engine sqlite|postgresql] [--posts 50000] [--seed 1]
        [--rounds 21] [--query 网购 --query 电信诈骗 …] [--database-url URL]

``--database-url`` measures an already filled database instead (nothing is made or dropped).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from pages import POSTGRES_URL, SECRET_KEY, database, fill  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.posts import queries  # noqa: E402
from portal.posts.models import Post  # noqa: E402
from portal.search import folding, index  # noqa: E402
from portal.search.models import FTS_TABLE, TOKEN_INDEX  # noqa: E402

# Found in the bench data (portal/demo/benchdata.py) with the share they match there: 网购 and
# 电信诈骗 about 1.4 % of the posts each, 普法 and 法 nearly all of them.
QUERIES = ["网购", "电信诈骗", "普法", "法"]
PER_PAGE = 20


def timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def like_page(term: str) -> tuple[int, list[int]]:
    """The scan a search without an index does: count and newest page of the public posts
    whose title or body contains ``term``."""
    pattern = f"%{term}%"  # the bench queries have no % or _ of their own
    where = [
        queries.public_condition(),
        sa.or_(Post.title.like(pattern), Post.body_html.like(pattern)),
    ]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(*where))
    ids = db.session.scalars(
        sa.select(Post.id)
        .where(*where)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(PER_PAGE)
    ).all()
    return total or 0, list(ids)


def index_size(url: str) -> dict[str, float]:
    """Megabytes of the token index and of the documents (folded text and state)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            sizes = dict(
                connection.execute(
                    sa.text(
                        "SELECT name LIKE :fts, sum(pgsize) FROM dbstat"
                        " WHERE name LIKE :fts OR name = 'search_document'"
                        " OR name LIKE 'sqlite_autoindex_search_document%' GROUP BY 1"
                    ),
                    {"fts": f"{FTS_TABLE}%"},
                ).all()
            )
            token_bytes, document_bytes = sizes.get(1, 0), sizes.get(0, 0)
        else:
            token_bytes = connection.scalar(sa.text(f"SELECT pg_relation_size('{TOKEN_INDEX}')"))
            document_bytes = (
                connection.scalar(sa.text("SELECT pg_total_relation_size('search_document')"))
                - token_bytes
            )
        post_bytes = connection.scalar(
            sa.text(
                "SELECT sum(pgsize) FROM dbstat WHERE name = 'post'"
                if url.startswith("sqlite")
                else "SELECT pg_total_relation_size('post')"
            )
        )
    engine.dispose()
    return {
        "tokens": token_bytes / 1e6,
        "documents": document_bytes / 1e6,
        "post": post_bytes / 1e6,
    }


def analyze(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(
            sa.text("VACUUM ANALYZE search_document" if "postgresql" in url else "ANALYZE")
        )
    engine.dispose()


def measure(url: str, args) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    data: dict = {}
    with app.app_context():
        started = time.perf_counter()
        data["indexed"] = index.reindex()
        data["build_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        index.compact()
        data["compact_seconds"] = time.perf_counter() - started
        data["public"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(Post).where(queries.public_condition())
        )
        db.session.remove()
    analyze(url)
    data["size"] = index_size(url)
    client = app.test_client()
    times: dict[tuple[str, str], list[float]] = {}
    counts: dict[str, tuple[int, int]] = {}
    with app.app_context():
        for query in args.query:  # warm up, and the two counts (they must agree)
            page = client.get("/search", query_string={"q": query})
            assert page.status_code == 200, (query, page.status_code)
            found = page.get_data(as_text=True).split("找到 <strong>", 1)[1].split("<", 1)[0]
            counts[query] = (int(found), like_page(folding.fold(query))[0])
        for _ in range(args.rounds):
            for query in args.query:
                for sort in ("relevance", "newest"):
                    search = {"q": query, "sort": sort}
                    spent = timed(client.get, "/search", query_string=search)
                    times.setdefault((query, sort), []).append(spent)
                times.setdefault((query, "like"), []).append(timed(like_page, query))
                db.session.remove()
    data["counts"], data["times"] = counts, times
    return data


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def report(data: dict, args) -> None:
    size = data["size"]
    print(
        f"{args.engine}, {args.posts:,} posts ({data['public']:,} public), {args.rounds} rounds."
        f" Index: rebuilt in {data['build_seconds']:.1f} s ({data['indexed']:,} posts),"
        f" then compacted in {data['compact_seconds']:.1f} s;"
        f" tokens {size['tokens']:.1f} MB, documents {size['documents']:.1f} MB"
        f" (the post table: {size['post']:.1f} MB)."
    )
    print()
    print(
        "| query | matches | share | search, relevance: median (p90) ms | search, newest | LIKE scan | LIKE ÷ search |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for query in args.query:
        found, scanned = data["counts"][query]
        cells = []
        for kind in ("relevance", "newest", "like"):
            values = data["times"][(query, kind)]
            cells.append(f"{statistics.median(values):.1f} ({p90(values):.1f})")
        ratio = statistics.median(data["times"][(query, "like")]) / statistics.median(
            data["times"][(query, "relevance")]
        )
        agree = "" if found == scanned else f" (LIKE: {scanned:,})"
        share = found / data["public"] * 100
        print(
            f"| {query} | {found:,}{agree} | {share:.1f} % | {' | '.join(cells)} | {ratio:.0f}× |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--query", action="append", help=f"default: {' '.join(QUERIES)}")
    parser.add_argument("--database-url", help="an already filled database to measure")
    args = parser.parse_args()
    args.query = args.query or QUERIES
    with contextlib.ExitStack() as stack:
        url = args.database_url
        if url is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-search-")))
            url = stack.enter_context(database(args.engine, workdir, POSTGRES_URL))
            seconds = fill(url, args.posts, args.seed, {})
            print(
                f"bench-data {args.posts} took {seconds:.1f} s (indexing included)", file=sys.stderr
            )
        report(measure(url, args), args)


if __name__ == "__main__":
    main()
