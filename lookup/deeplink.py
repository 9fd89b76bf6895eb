"""Telegram deep-link payloads for dossier codes (``https://t.me/<bot>?start=<payload>``).

Telegram accepts only ``A-Z a-z 0-9 _ -`` (at most 64 characters) after ``?start=``, and a dossier
code has dots (``000.00.00.H31-250714-0001``). Dossier codes never contain ``_``, so the dots are
written as ``_`` behind the prefix ``d_`` and decoding is exact.
"""

from __future__ import annotations

import re

DOSSIER_PREFIX = "d_"
MAX_PAYLOAD = 64
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CODE_CHARS = re.compile(r"[A-Za-z0-9.-]+")


def encode_start_payload(code: str) -> str:
    """``000.00.00.H31-250714-0001`` → ``d_000_00_00_H31-250714-0001``.

    The code is stripped and upper-cased (the canonical form); raises ValueError when it has
    characters a dossier code cannot have or the payload would exceed Telegram's 64 characters.
    """
    canonical = code.strip().upper()
    if not _CODE_CHARS.fullmatch(canonical):
        raise ValueError("a dossier code has only letters, digits, '.' and '-'")
    payload = DOSSIER_PREFIX + canonical.replace(".", "_")
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"deep-link payload longer than {MAX_PAYLOAD} characters")
    return payload


def decode_start_payload(payload: str) -> str | None:
    """The dossier code in a ``/start`` payload, or None when it is not a dossier link."""
    payload = payload.strip()
    if not _PAYLOAD.fullmatch(payload) or not payload.startswith(DOSSIER_PREFIX):
        return None
    code = payload[len(DOSSIER_PREFIX) :].replace("_", ".")
    return code or None


def start_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens the bot and sends ``/start <payload>``."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload}"
