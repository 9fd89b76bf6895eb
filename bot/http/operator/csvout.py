"""CSV downloads: UTF-8 with a byte-order mark, so that Excel (which otherwise guesses the
Windows code page) shows Vietnamese intact; always an attachment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiohttp import web

from bot.spreadsheet import csv_rows


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> web.Response:
    return web.Response(
        body=csv_rows(header, rows, bom=True).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
