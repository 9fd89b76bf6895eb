"""The operators' web application (``/operator/``): accounts and sessions, the inspection
dashboard, CSV downloads. ``setup`` is the server's feature hook (``bot.server``)."""

from __future__ import annotations

from bot.http.operator.web import setup

__all__ = ["setup"]
