"""Conversation logic, one router per feature, written once for every channel."""

from __future__ import annotations

import importlib

from bot.router import Router

# Order matters only for free-text matchers of equal priority.
FEATURES = ("start", "dossiers", "postal", "procedures")


def build_router() -> Router:
    root = Router("root")
    for name in FEATURES:
        module = importlib.import_module(f"handlers.{name}")
        root.include(module.router)
    return root
