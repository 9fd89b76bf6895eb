"""``motcua qr CODE``: a QR code for the receipt slip that opens the bot, on Telegram or Zalo.

Telegram: the citizen scans it, Telegram opens the bot and sends ``/start d_…``; the dossier
handler decodes the payload (``lookup.deeplink``) and shows the dossier after its usual checks.
Zalo (``--target zalo``): the link opens the Official Account's chat, but Zalo carries no start
payload, so the dossier code is printed under the QR for the citizen to send (the chat reads a
code anywhere in a message).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import get_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("qr", help="print or save a QR code for the slip (Telegram or Zalo)")
    p.add_argument("code", metavar="CODE", help="dossier code, e.g. 000.00.00.H31-250714-0001")
    p.add_argument("--out", metavar="FILE", help="save as FILE.png or FILE.svg instead of printing")
    p.add_argument("--scale", type=int, default=8, help="pixels per module for PNG/SVG")
    p.add_argument("--bot", help="bot username (default: MOTCUA_TELEGRAM_BOT_USERNAME)")
    p.add_argument("--target", choices=("telegram", "zalo"), default="telegram")
    p.add_argument("--oa", help="Zalo OA id or name for zalo.me (default: MOTCUA_ZALO_OA_NAME)")
    p.add_argument("--log-level", default="WARNING", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


async def run(args: argparse.Namespace) -> int:
    import segno

    from lookup.deeplink import DOSSIER_PREFIX, encode_start_payload, start_link

    settings = get_settings()
    try:
        payload = encode_start_payload(args.code)
    except ValueError as exc:
        print(f"invalid dossier code: {exc}", file=sys.stderr)
        return 2
    code = payload[len(DOSSIER_PREFIX) :].replace("_", ".")
    caption = ""
    if args.target == "zalo":
        oa = (args.oa or settings.zalo_oa_name).strip().lstrip("@")
        if not oa:
            print("set MOTCUA_ZALO_OA_NAME (or --oa) to the OA's id or name", file=sys.stderr)
            return 2
        link = f"https://zalo.me/{oa}"
        caption = code  # Zalo opens the chat only: the citizen sends this code
    else:
        username = (args.bot or settings.telegram_bot_username).lstrip("@")
        if not username:
            print(
                "set MOTCUA_TELEGRAM_BOT_USERNAME (or --bot) to the bot's username", file=sys.stderr
            )
            return 2
        link = start_link(username, payload)
    qr = segno.make(link, error="m", micro=False)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in (".png", ".svg"):
            print("--out must end in .png or .svg", file=sys.stderr)
            return 2
        qr.save(str(out), scale=args.scale, border=4)
        print(f"{out}  {link}" + (f"  {caption}" if caption else ""))
        return 0
    qr.terminal(out=sys.stdout, compact=True)
    if caption:
        print(caption)
    print(link)
    return 0
