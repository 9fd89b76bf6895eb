"""``motcua search``: the catalogue search from the command line, for people and for tooling.

With ``--json`` and queries on stdin it prints exactly one JSON object per input line:
``{"query": ..., "results": [{"code", "name", "score"}, ...], "verdict": ..., "aspect": ...}`` in
rank order; ``verdict`` is what the chat would do with these results: "card", "did-you-mean" or
"not-found"; ``aspect`` is what the chat answers first ("fee", "time", "documents", "where",
"online", "result", "eligibility", "steps") or null for the procedure as a whole.
Tools outside the project depend on this shape: keep it stable (add keys, never rename).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands import add_db_option, settings_for

if TYPE_CHECKING:
    from lookup.search import Hit

# The chat's three answers (handlers/procedures.py) by Verdict value, named for people reading
# the JSON.
CHAT_VERDICT = {"confident": "card", "ambiguous": "did-you-mean", "none": "not-found"}


def chat_verdict(hits: list[Hit]) -> str:
    """What the chat answers for these hits: a procedure card, "did you mean", or not found."""
    from lookup.search import decide  # the index module loads its lexicon: only when searching

    return CHAT_VERDICT[decide(hits).value]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("search", help="search the procedure catalogue")
    p.add_argument("query", nargs="?", help="the query; without it, one query per stdin line")
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--catalogue",
        type=Path,
        metavar="FILE",
        help="index this JSONL file (project or national format) without a database",
    )
    add_db_option(src)
    p.add_argument("--limit", type=int, default=5, help="results per query (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per query")
    p.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    from bot.catalogue import Catalogue
    from lookup.aspect import detect_aspect
    from lookup.search import SearchIndex

    if args.catalogue:
        from bot.catalogue_io import read_records
        from lookup.aliases import with_aliases

        if not args.catalogue.exists():
            print(f"no such file: {args.catalogue}", file=sys.stderr)
            return 2
        records = read_records(args.catalogue)
        # The same aliases as the bot's own index, so the command answers as the chat does.
        docs = with_aliases(r.search_doc() for _, r in records if not isinstance(r, Exception))
        catalogue = Catalogue()  # no database: no stored vectors, the lexical ranking alone
        catalogue.index = SearchIndex.build(docs)
    else:
        from bot.db.engine import Database

        settings = settings_for(args)
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            if settings.load_demo_data:
                from bot.demo import load_demo_if_empty

                await load_demo_if_empty(db)
            catalogue = Catalogue(semantic=settings.semantic_search)
            await catalogue.reload(db)  # the re-ranker, when on, needs no database after this
        finally:
            await db.dispose()

    queries = [args.query] if args.query is not None else (line.rstrip("\n") for line in sys.stdin)
    limit = max(1, args.limit)
    for query in queries:
        hits = await catalogue.find(query, limit=limit)
        if args.json:
            results = [{"code": h.code, "name": h.name, "score": round(h.score, 4)} for h in hits]
            aspect = detect_aspect(query)
            line = {
                "query": query,
                "results": results,
                "verdict": chat_verdict(hits),
                "aspect": aspect.value if aspect else None,
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            print(f"> {query}")
            for n, h in enumerate(hits, 1):
                print(f"  {n}. {h.code}  {h.score:.2f}  {h.name}")
            if not hits:
                print("  (no match)")
    return 0
