"""``motcua qr CODE``: a QR code of the Telegram deep link that opens a dossier, for the slip.

The citizen scans it, Telegram opens the bot and sends ``/start d_…``; the dossier handler
decodes the payload (``lookup.deeplink``) and shows the dossier after its usual checks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import get_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("qr", help="print or save a QR code that opens a dossier in Telegram")
    p.add_argument("code", metavar="CODE", help="dossier code, e.g. 000.00.00.H31-250714-0001")
    p.add_argument("--out", metavar="FILE", help="save as FILE.png or FILE.svg instead of printing")
    p.add_argument("--scale", type=int, default=8, help="pixels per module for PNG/SVG")
    p.add_argument("--bot", help="bot username (default: MOTCUA_TELEGRAM_BOT_USERNAME)")
    p.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    import segno

    from lookup.deeplink import encode_start_payload, start_link

    username = (args.bot or get_settings().telegram_bot_username).lstrip("@")
    if not username:
        print("set MOTCUA_TELEGRAM_BOT_USERNAME (or --bot) to the bot's username", file=sys.stderr)
        return 2
    try:
        payload = encode_start_payload(args.code)
    except ValueError as exc:
        print(f"invalid dossier code: {exc}", file=sys.stderr)
        return 2
    link = start_link(username, payload)
    qr = segno.make(link, error="m", micro=False)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in (".png", ".svg"):
            print("--out must end in .png or .svg", file=sys.stderr)
            return 2
        qr.save(str(out), scale=args.scale, border=4)
        print(f"{out}  {link}")
        return 0
    qr.terminal(out=sys.stdout, compact=True)
    print(link)
    return 0
