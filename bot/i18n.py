"""Localised strings from Fluent files in ``locales/<lang>/*.ftl`` (vi default, en).

Fluent lets translators keep one file per feature and handles plurals and variables; every
user-visible string lives there, none in code.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def normalize_language(code: str | None) -> str | None:
    """Map a platform language hint ("vi-VN", "en_US") to a supported language or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


@lru_cache(maxsize=len(LANGUAGES))
def bundle(lang: str) -> FluentBundle:
    """Load every .ftl file of a language once."""
    b = FluentBundle([lang], use_isolating=False)
    folder = resources.files("locales") / lang
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".ftl"):
            b.add_resource(FluentResource(entry.read_text(encoding="utf-8")))
    return b


def message_ids(lang: str) -> set[str]:
    """Every message id of a language (used by tests to keep vi and en complete)."""
    return set(bundle(lang)._messages)


def t(lang: str, key: str, **args: Any) -> str:
    """Translate ``key``; falls back to Vietnamese, then to the key itself (never crashes)."""
    for code in (lang if lang in LANGUAGES else DEFAULT_LANGUAGE, DEFAULT_LANGUAGE):
        b = bundle(code)
        if b.has_message(key):
            msg = b.get_message(key)
            if msg.value is None:
                break
            text, _errors = b.format_pattern(msg.value, args)
            return unicodedata.normalize("NFC", text)
    return key
