"""``motcua config``: list every setting with its environment variable and default."""

from __future__ import annotations

import argparse

from pydantic import SecretStr

from bot.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("config", help="list settings, environment variables and defaults")
    p.add_argument("--markdown", action="store_true", help="as a Markdown table (for the README)")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    rows = []
    for name, info in Settings.model_fields.items():
        default = info.default
        if isinstance(default, SecretStr):
            default = "" if not default.get_secret_value() else "***"
        rows.append(
            (
                f"MOTCUA_{name.upper()}",
                repr(default) if default != "" else "(empty)",
                info.description or "",
            )
        )
    if args.markdown:
        print("| variable | default | meaning |\n|---|---|---|")
        for var, default, desc in rows:
            print(f"| `{var}` | `{default}` | {desc} |")
    else:
        for var, default, desc in rows:
            print(f"{var}={default}  # {desc}")
    return 0
