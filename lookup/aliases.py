"""Everyday phrasings of common procedures (``data/aliases.tsv``), merged into search documents.

Official names say "đăng ký biến động quyền sử dụng đất"; citizens say "sang tên sổ đỏ". The
reviewed alias file maps national codes to such phrasings. Both the bot (``bot.catalogue``) and
the benchmark (``lookup.portal.search_docs``) pass their documents through :func:`with_aliases`,
so the chat and the figures see the same index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path

from lookup.search import SearchDoc

ALIASES_PATH = Path(__file__).with_name("data") / "aliases.tsv"
BASE_CODE_LEN = 8  # "1.001193": province copies ("1.001193.000.00.00.H01") share the base


def load_aliases(path: Path = ALIASES_PATH) -> dict[str, tuple[str, ...]]:
    """code → phrasings; a malformed line fails loudly (a silent skip hides a whole procedure)."""
    out: dict[str, list[str]] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        codes, sep, text = raw.partition("\t")
        phrases = [p.strip() for p in text.split("|") if p.strip()]
        code_list = [c.strip() for c in codes.split(",") if c.strip()]
        if not sep or not phrases or not code_list:
            raise ValueError(f"{path.name}:{n}: expected codes<TAB>phrase | phrase: {raw!r}")
        for code in code_list:
            out.setdefault(code, []).extend(phrases)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


@cache
def default_aliases() -> Mapping[str, tuple[str, ...]]:
    """The shipped alias file, read once per process."""
    return load_aliases()


def with_aliases(
    docs: Iterable[SearchDoc], aliases: Mapping[str, tuple[str, ...]] | None = None
) -> list[SearchDoc]:
    """The documents with the alias file's phrasings appended to their own aliases.

    A code matches exactly, or by its national base code (provincial copies of a procedure).
    """
    table = default_aliases() if aliases is None else aliases
    out: list[SearchDoc] = []
    for doc in docs:
        extra = table.get(doc.code) or table.get(doc.code[:BASE_CODE_LEN]) or ()
        if extra:
            merged = tuple(dict.fromkeys((*doc.aliases, *extra)))
            doc = replace(doc, aliases=merged)
        out.append(doc)
    return out
