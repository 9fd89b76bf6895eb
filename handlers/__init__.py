"""Conversation logic, one router per feature, written once for every channel."""

from __future__ import annotations

from bot.router import Router
from handlers import dossiers, gates, handoff, postal, procedures, smalltalk, start

# Order matters only for free-text matchers of equal priority.
FEATURES = (start, gates, dossiers, postal, handoff, smalltalk, procedures)


def build_router() -> Router:
    root = Router("root")
    for module in FEATURES:
        root.include(module.router)
    return root
