"""Which part of a procedure a message asks about: fee, time, documents, where, online …

"Khai sinh mất bao nhiêu tiền" asks the fee; "làm căn cước bao lâu có" the time. The chat answers
that aspect first, then shows the card. Pure function over the folded message (marks optional,
chat shorthand expanded, English too); ``None`` when no aspect is asked ("làm khai sinh").
"""

from __future__ import annotations

import enum
import re

from lookup.fold import fold
from lookup.teencode import normalise


class Aspect(enum.Enum):
    FEE = "fee"
    TIME = "time"
    DOCUMENTS = "documents"
    WHERE = "where"
    ONLINE = "online"
    RESULT = "result"
    ELIGIBILITY = "eligibility"
    STEPS = "steps"


# Checked in this order: the first match wins. Result before online ("nhận kết quả online"),
# fee and time before online ("nộp online mất bao lâu" asks the time; the channel is read
# separately), online before where ("nộp online ở đâu" asks about the online channel), fee
# before time ("mất bao nhiêu tiền" vs "mất bao lâu").
_RULES: tuple[tuple[Aspect, re.Pattern[str]], ...] = (
    (
        Aspect.RESULT,
        re.compile(
            r"\b(?:nhan ket qua|lay ket qua|tra ket qua|ban dien tu|ket qua nhan|duoc cap gi"
            r"|may ban chinh|co gia tri|co giong"
            r"|nhan duoc gi|receive the result|get the result|what will i receive)\b"
        ),
    ),
    (
        Aspect.FEE,
        re.compile(
            r"\b(?:le phi|phi bao nhieu|ton phi|mat phi|dong phi|nop phi|bao nhieu tien"
            r"|het bao nhieu|mat bao nhieu(?! (?:ngay|lau|thoi gian))|ton bao nhieu|chi phi"
            r"|mien phi|mat dong nao|ton dong nao|het dong nao|co mat tien|co ton tien|fee|fees"
            r"|cost|costs|how much|price|charge)\b"
        ),
    ),
    (
        Aspect.TIME,
        re.compile(
            r"\b(?:bao lau|may ngay|bao nhieu ngay|thoi gian|khi nao co|bao gio co|lau khong"
            r"|lau ko|may hom|trong ngay|lay lien|lay ngay|how long|how many days|when will"
            r"|processing time)\b"
        ),
    ),
    (
        Aspect.ONLINE,
        re.compile(
            r"\b(?:online|truc tuyen|qua mang|tren mang|dich vu cong|qua vneid|tai nha|qua app"
            r"|tren app|ung dung|internet|qua buu dien|buu chinh)\b"
        ),
    ),
    (
        Aspect.DOCUMENTS,
        re.compile(
            r"\b(?:giay to gi|giay to nao|nhung gi|nhung giay|ho so gom|ho so can|can gi|mang gi"
            r"|mang theo|chuan bi gi|can nhung|thanh phan ho so|chuan bi ho so"
            r"|(?:lay|can|mang|nop) giay gi|what documents|which documents"
            r"|what papers|documents? (?:do i|are) need|need to bring|what do i need)\b"
        ),
    ),
    (
        Aspect.WHERE,
        re.compile(
            r"\b(?:o dau|cho nao|noi nao|co quan nao|nop o|nop tai|den dau|ra dau|len dau"
            r"|where|which office|which agency)\b"
        ),
    ),
    (
        Aspect.ELIGIBILITY,
        re.compile(
            r"\b(?:co du dieu kien|du dieu kien (?:de|mua|lam|huong|nhan)|du dk|du tuoi"
            r"|co duoc phep|nop thay|lam ho|di thay|thay cho (?:chau|con|em|me|bo|nguoi)|dung ra"
            r"|am i eligible|eligible|allowed to|qualify)\b"
        ),
    ),
    (
        Aspect.STEPS,
        re.compile(
            r"\b(?:cac buoc|trinh tu|quy trinh|tung buoc|buoc nao truoc|what are the steps|steps)\b"
        ),
    ),
)


def detect_aspect(text: str) -> Aspect | None:
    """The aspect a message asks about, or None when it names only the procedure."""
    folded = " ".join(normalise(fold(text).split()))
    if not folded:
        return None
    for aspect, rx in _RULES:
        if rx.search(folded):
            return aspect
    return None
