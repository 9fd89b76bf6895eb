"""Localised strings from Fluent files in ``locales/<lang>/*.ftl`` (vi default, en).

Fluent lets translators keep one file per feature and handles plurals and variables; every
user-visible string lives there, none in code.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.errors import FluentFormatError

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

log = logging.getLogger(__name__)

#: When True (tests/conftest.py turns it on), a missing message or a formatting error raises
#: ``TranslationError`` instead of being logged; production keeps answering with the best text.
STRICT = False
#: Every error raised under ``STRICT``, oldest first. Kept because the dialogue and the outbox
#: turn a handler's exception into an apology or a retry, which would hide it from a test.
failures: list[TranslationError] = []


class TranslationError(LookupError):
    """A message is missing, or Fluent reported errors while formatting it."""

    def __init__(self, lang: str, key: str, errors: Sequence[object]) -> None:
        self.lang, self.key, self.errors = lang, key, tuple(errors)
        super().__init__(f"{key} ({lang}): " + "; ".join(str(e) for e in self.errors))


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
    """Translate ``key``; unsupported languages get Vietnamese.

    A message missing in ``lang`` falls back to Vietnamese, then to the key itself; on a
    formatting error (missing variable, unknown reference) Fluent's text is kept, with the
    variable's name in place of its value. Both are bugs: see ``STRICT``.
    """
    code = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    for candidate in dict.fromkeys((code, DEFAULT_LANGUAGE)):
        b = bundle(candidate)
        value = b.get_message(key).value if b.has_message(key) else None
        if value is None:
            continue
        if candidate != code:
            _report(code, key, ["no such message; used " + candidate])
        text, errors = b.format_pattern(value, args)
        if errors:
            _report(candidate, key, errors)
        return unicodedata.normalize("NFC", str(text))
    _report(code, key, ["no such message"])
    return key


def _report(lang: str, key: str, errors: Sequence[object]) -> None:
    if STRICT:
        error = TranslationError(lang, key, errors)
        failures.append(error)
        raise error
    # Fluent's own errors name only message ids and variables; others (a function's TypeError,
    # say) may quote an argument, which can be a name or a phone number: log their type only.
    safe = [e if isinstance(e, str | FluentFormatError) else type(e).__name__ for e in errors]
    log.warning("translation %s (%s): %s", key, lang, "; ".join(map(str, safe)))
