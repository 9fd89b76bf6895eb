"""Optional upstream mode: read dossiers from the one-stop system's HTTP API instead of the
local table.

Enabled by ``MOTCUA_UPSTREAM_URL_TEMPLATE`` (e.g. ``https://motcua.example.gov.vn/api/hoso/{code}``;
``{code}`` is the canonical code, URL-encoded), with an optional bearer token. The upstream
answers 200 with one dossier in the import format (docs/dossiers.md), or 404. Anything else —
another status, a timeout, a refused connection, a body that does not validate — is "down": the
chat says so plainly instead of claiming the dossier does not exist.

Answers (found and not found) are cached in memory for ``upstream_cache_seconds`` so a citizen
pressing buttons on one card does not hit the upstream each time; failures are not cached. One
``aiohttp.ClientSession`` per request keeps this free of lifecycle hooks; at chat rates the
connection set-up is negligible next to the upstream's own latency.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

import aiohttp

from bot.config import Settings
from bot.dossier_io import DossierError, DossierRecord

log = logging.getLogger(__name__)

CACHE_MAX = 5000
_cache: dict[tuple[str, str], tuple[float, DossierRecord | None]] = {}


class UpstreamDown(Exception):
    """The upstream system did not give a usable answer."""


def clear_cache() -> None:
    _cache.clear()


async def fetch_dossier(settings: Settings, code: str) -> DossierRecord | None:
    """The dossier with canonical ``code`` from upstream, or None when it answers 404."""
    template = settings.upstream_url_template
    key = (template, code)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    url = template.format(code=quote(code, safe=""))
    headers = {"Accept": "application/json"}
    token = settings.upstream_token.get_secret_value()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    timeout = aiohttp.ClientTimeout(total=settings.upstream_timeout_seconds)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as client,
            client.get(url, headers=headers) as resp,
        ):
            if resp.status == 404:
                rec = None
            elif resp.status == 200:
                rec = DossierRecord.from_dict(await resp.json(content_type=None))
                if rec.code != code:
                    raise DossierError("answered with another dossier")
            else:
                raise UpstreamDown(f"HTTP {resp.status}")
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        # DossierError and JSON errors are ValueErrors: a body we cannot trust is "down" too.
        log.warning("upstream lookup failed", extra={"error": type(exc).__name__})
        raise UpstreamDown(str(exc)) from exc
    if len(_cache) >= CACHE_MAX:
        for k in [k for k, (exp, _) in _cache.items() if exp <= now] or list(_cache)[:100]:
            _cache.pop(k, None)
    _cache[key] = (now + settings.upstream_cache_seconds, rec)
    return rec
