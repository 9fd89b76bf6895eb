"""``motcua`` command line. Each sub-command lives in ``bot/commands/<name>.py`` and registers
itself with ``register(subparsers)``; its handler is an ``async def run(args) -> int``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "chat",
    "demo",
    "db",
    "serve",
    "catalogue",
    "province",
    "search",
    "dossiers",
    "postal",
    "operator",
    "telegram",
    "zalo_bot",
    "qr",
    "config",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua", description="Citizen chatbot for Vietnam's one-stop administrative service."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"bot.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bot.commands.{name}":
                continue  # feature not installed in this build
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.logs import setup_logging  # noqa: PLC0415 - after parsing: `--help` stays instant

    setup_logging(getattr(args, "log_level", None))
    try:
        return int(asyncio.run(args.func(args)) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
