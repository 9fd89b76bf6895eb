"""Dossiers and procedures for the postal tests, and a helper that opens the postal flow."""

from __future__ import annotations

from datetime import timedelta

from bot.db.engine import Database
from bot.db.models import Dossier, Procedure, ProcedureMethod
from tests.conftest import FIXED_NOW, Chat

OPEN = "000.00.01.H31-250715-0042"  # in progress, procedure with a fee, unit in Hải Phòng
FREE = "000.00.01.H31-250715-0043"  # result ready, procedure without a fee
RETURNED = "000.00.01.H31-250715-0044"
REJECTED = "000.00.01.H31-250715-0045"
WITHDRAWN = "000.00.01.H31-250715-0046"
STOPPED = "000.00.01.H31-250715-0047"
PHONE = "0912345678"
AGENCY = "UBND phường Lê Chân, thành phố Hải Phòng"


async def add_postal_data(db: Database) -> None:
    """Two test procedures and one dossier per interesting status."""
    async with db.transaction() as session:
        for code, fee in (("9.900001", 50000), ("9.900002", None)):
            if await session.get(Procedure, code) is None:
                session.add(
                    Procedure(
                        code=code,
                        name=f"Thủ tục thử nghiệm {code}",
                        methods=[
                            ProcedureMethod(channel="truc_tiep", position=0, fee_amount=fee),
                            ProcedureMethod(channel="truc_tuyen", position=1, fee_amount=fee),
                        ],
                    )
                )
        for code, status, proc in (
            (OPEN, 4, "9.900001"),
            (FREE, 9, "9.900002"),
            (RETURNED, 10, "9.900001"),
            (REJECTED, 3, "9.900001"),
            (WITHDRAWN, 7, "9.900001"),
            (STOPPED, 8, "9.900001"),
        ):
            if await session.get(Dossier, code) is None:
                session.add(
                    Dossier(
                        code=code,
                        procedure_code=proc,
                        procedure_name=f"Thủ tục thử nghiệm {proc}",
                        agency_code="000.00.01.H31",
                        agency_name=AGENCY,
                        received_at=FIXED_NOW - timedelta(days=5),
                        due_at=FIXED_NOW + timedelta(days=5),
                        status=status,
                        channel=1,
                        applicant_name="Nguyễn Văn An",
                        applicant_phone=PHONE,
                        applicant_id_number="031090001234",
                    )
                )


async def open_flow(chat: Chat, code: str = OPEN) -> None:
    """Press the dossier card's postal button and pass the second factor if asked."""
    await chat.payload(f"pd:{code}")
    if "1/6" not in chat.text:
        await chat.send(PHONE[-4:])
    assert "1/6" in chat.text, chat.text
