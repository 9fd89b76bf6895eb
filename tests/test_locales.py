"""Every user-visible string exists in vi and en, is NFC, and every key used in code exists."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from bot.i18n import LANGUAGES, bundle, message_ids

ROOT = Path(__file__).resolve().parents[1]
KEY_USE = re.compile(r"""(?:\bsay|\bt|\bbutton)\(\s*f?["']([a-z][a-z0-9_-]+)["']""")


def test_vi_and_en_have_the_same_messages() -> None:
    vi, en = message_ids("vi"), message_ids("en")
    assert vi - en == set(), f"missing in en: {sorted(vi - en)}"
    assert en - vi == set(), f"missing in vi: {sorted(en - vi)}"


def test_locale_files_are_nfc_and_parse() -> None:
    for lang in LANGUAGES:
        for path in (ROOT / "locales" / lang).glob("*.ftl"):
            text = path.read_text(encoding="utf-8")
            assert unicodedata.is_normalized("NFC", text), path
        assert bundle(lang)._messages  # parsed


def test_every_key_used_in_code_exists() -> None:
    known = message_ids("vi")
    missing = []
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
                if key not in known and not key.endswith("-"):
                    missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, missing
