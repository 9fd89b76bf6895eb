"""Messages that are not procedure questions: thanks, insults, instructions aimed at the bot,
and questions about the office: its hours, whether it is open now, where to file, its address
and its hotline, answered from the province profile (``bot/province.py``).

Each gets its own short reply instead of search results or "not found". The matchers read the
folded text and fire only on short messages that are clearly one of these: "cảm ơn, làm khai
sinh cần gì" is a procedure question and goes to search. Greetings, help and "talk to a person"
are answered by ``handlers/start.py`` and ``handlers/handoff.py``.
"""

from __future__ import annotations

import re
import unicodedata

from bot import handoff, province
from bot.context import Context
from bot.router import Router
from handlers.handoff import handoff_button
from handlers.menu import main_menu
from lookup.aspect import Aspect, detect_aspect
from lookup.fold import fold

router = Router("smalltalk")

MAX_WORDS = 8  # thanks, insults and office questions are short; longer texts are questions
MAX_INSTRUCTION_WORDS = 40  # "ignore previous instructions and …" runs longer, never a question

# Thanks, with the politeness around it: "ok cảm ơn bot nhé", "thanks a lot".
_FILLER = (
    r"(?:ok|oke|okay|okie|vang|da|u|uh|uk|duoc roi|dc roi|roi|tot qua|hay qua|great|good|nice"
    r"|bot|ban|em|ad|admin|anh|chi|nhe|nha|a|nhieu|rat nhieu|lam|so much|very much|a lot|lot"
    r"|again|nhe ban|nhe bot|!)"
)
_THANKS = re.compile(
    rf"^(?:{_FILLER} )*(?:xin |rat )?(?:cam on|cam ong|camon|cmon|cam ta|thanks|thank you|thank"
    rf"|thx|tks|ty|many thanks|cheers)(?: {_FILLER})*$"
)
# "ok", "vâng", "got it": the citizen acknowledges; nothing to look up.
_ACK = re.compile(
    r"^(?:ok|oke|okay|okie|okela|vang|da|u|uh|uk|um|uhm|duoc roi|dc roi|roi|hieu roi|biet roi"
    rf"|noted|got it|alright|all right|fine|sure)(?: {_FILLER})*$"
)
# Insults. A syllable that folds to an insult but was written with other marks is another word
# ("buồn ngủ quá", "ngư dân"): such tokens are masked before matching (see _insult_text).
_INSULT_WORDS = {"ngu", "ngoc", "dot", "dan", "dien", "khung", "rac", "te", "kem", "cut", "oc"}
_INSULT_FORMS = {"ngu", "ngốc", "dốt", "đần", "điên", "khùng", "rác", "tệ", "kém", "cứt", "óc"}
_BAD = r"(?:ngu|ngoc|dot|dan|dien|khung|rac|te|kem|vo dung|lol|oc cho|nhu cut|nhu shit)"
_INSULT = re.compile(
    rf"\b(?:(?:bot|may|mi|chatbot|thang|con|do|cai bot|may cai) {_BAD}"
    rf"|{_BAD} (?:qua|the|vay|vl|vcl|vkl|vai|the nay|bo me|nhu bo|nhu cho|het suc)"
    r"|vo dung|oc cho|stupid|idiot|useless|dumb|moron|you suck|sucks|trash bot|garbage"
    r"|shut up|fuck|fucking|shit|wtf|dcm|dmm|dm|dkm|dit me|vcl|vkl|clgt)\b"
)
# Instructions aimed at the bot itself ("prompt injection"): none of them is a procedure.
_INSTRUCTION = re.compile(
    r"\b(?:(?:bo qua|quen|phot lo|khong can theo) (?:het |tat ca |moi )?(?:cac |nhung )?"
    r"(?:huong dan|chi dan|chi thi|lenh|yeu cau|quy tac)"
    r"|(?:(?:tu )?bay gio|tu gio|tu nay) (?:ban|may|bot|mi) (?:la|dong vai|se la|se dong vai)"
    r"|hay dong vai|dong vai (?:la )?(?:mot|nguoi|can bo|chu tich|cong an|nhan vien|quan chuc)"
    r"|gia vo (?:la|lam)"
    r"|ignore (?:all |any |the |your )?(?:previous|prior|above|earlier|preceding|your)"
    r" (?:instructions|prompts?|rules|messages)"
    r"|disregard (?:all |any |the |your )?(?:previous |prior |above )?(?:instructions|rules)"
    r"|forget (?:all |your )?(?:previous |prior )?(?:instructions|rules)"
    r"|you are now|from now on you|act as (?:a|an|my)|pretend (?:to be|you are)"
    r"|system prompt|developer mode|jailbreak|dan mode)\b"
)
# The office: hours, open now, where to file, address, hotline.
_OPEN_NOW = re.compile(
    r"\b(?:(?:bay gio|bay h|bh|luc nay|gio nay|hien gio|hien tai|hom nay|con|dang) )?"
    r"(?:con|dang|co|da) (?:mo cua|mo|lam viec|tiep dan) (?:khong|ko|k|hong|chua|nua khong)"
    r"|\b(?:mo cua|lam viec) chua\b"
    r"|\b(?:are you|is (?:the |your )?(?:office|centre|center|desk)) open"
    r"(?: (?:right )?now| today)?"
    r"|\bopen (?:right )?now\b"
)
_HOURS = re.compile(
    r"\b(?:may gio (?:mo cua|lam viec|dong cua|nghi trua|bat dau|tiep dan)"
    r"|(?:gio|thoi gian|lich) (?:mo cua|lam viec|hanh chinh|tiep dan|dong cua)"
    r"|mo cua (?:luc |tu )?(?:may gio|khi nao|den may gio)|lam viec (?:tu )?may gio"
    r"|co (?:mo cua|lam viec|lam) (?:thu bay|chu nhat|t7|cn|cuoi tuan|hom nay)"
    r"|(?:thu bay|chu nhat|t7|cn|cuoi tuan|hom nay) co (?:mo cua|lam viec)"
    r"|opening hours|office hours|working hours|business hours|open(?:ing)? times?"
    r"|what time (?:do|does|is) .{0,30}open|when (?:are|is|do) .{0,30}open"
    r"|open on (?:saturday|sunday|weekends?))\b"
)
# "Where do I file?" asked of the office as a whole: the whole message, so that "đăng ký khai
# sinh nộp ở đâu" (one procedure) still goes to search.
_WHERE_FILE = re.compile(
    r"^(?:(?:cho (?:minh |toi |em |tui )?)?(?:hoi|xin hoi) )?"
    r"(?:(?:(?:nop|gui|lam|giai quyet) (?:ho so|giay to|thu tuc)|nop)"
    r" (?:o dau|tai dau|cho nao|o cho nao|noi nao|la o dau)"
    r"|(?:noi|dia diem) (?:nop ho so|lam thu tuc|nop)(?: (?:o dau|la o dau))?)"
    r"(?: (?:vay|a|nhi|the|nhe|ban))*$"
    r"|^where (?:do|can|should|to) (?:i |we )?(?:file|submit|apply|lodge|hand in)"
    r"(?: (?:my|the|an?|our) (?:application|dossier|documents|papers|file|forms?))?"
    r"(?: in person)?$"
)
_ADDRESS = re.compile(
    r"\b(?:dia chi (?:bo phan |cua )?(?:mot cua|bo phan|ubnd|uy ban|van phong|trung tam)"
    r"|dia chi (?:o dau|la gi|the nao)"
    r"|(?:bo phan )?mot cua (?:\w+ ){0,4}(?:o dau|nam o dau|cho nao|o cho nao|dia chi)"
    r"|(?:ubnd|uy ban|trung tam phuc vu hanh chinh cong) (?:\w+ ){0,4}o dau"
    r"|(?:where is|address of|what is the address of|office address|where are you located)"
    r"|(?:your|the) (?:office )?address)\b"
)
_HOTLINE = re.compile(
    r"\b(?:hotline|duong day nong|tong dai"
    r"|(?:so dien thoai|sdt|so dt|so lien he|so goi)"
    r"(?: (?:cua|lien he|ho tro|tu van))? (?:mot cua|bo phan|ubnd|uy ban|tong dai|ho tro|lien he"
    r"|can bo|ben minh|cua ban|cua bot|la gi|la bao nhieu|bao nhieu|nao|o dau)"
    r"|^(?:cho (?:xin|minh|toi|em) )?(?:so dien thoai|sdt|so dt)(?: (?:a|nhe|di|voi))?$"
    r"|phone number|contact number|telephone number|number to call|call you)\b"
)


def _words(text: str) -> int:
    return len(fold(text).split())


def _short(ctx: Context, limit: int = MAX_WORDS) -> bool:
    """A short message that asks no aspect of a procedure ("lệ phí", "bao lâu" …)."""
    return 0 < _words(ctx.text) <= limit and detect_aspect(ctx.text) is None


def _insult_text(text: str) -> str:
    """Folded text in which a word written with marks that make it another word ("ngủ",
    "ngư", "dân") is masked, so only the insult itself can match."""
    out = []
    for token in re.findall(r"\w+", unicodedata.normalize("NFC", text.lower())):
        plain = fold(token)
        if plain in _INSULT_WORDS and plain != token and token not in _INSULT_FORMS:
            out.append("_")
        else:
            out.append(plain)
    return " ".join(out)


def is_thanks(text: str) -> bool:
    return bool(_THANKS.match(fold(text)))


def is_ack(text: str) -> bool:
    return bool(_ACK.match(fold(text)))


def has_no_words(text: str) -> bool:
    """Only emoji, stickers' text or punctuation ("👍", "???")."""
    return not any(c.isalnum() for c in text)


def is_insult(text: str) -> bool:
    return bool(_INSULT.search(_insult_text(text)))


def is_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(fold(text)))


def office_question(text: str) -> str | None:
    """ "open" (now?), "hours", "hotline", "where" (to file) or "address" for a question
    about the office, else None."""
    folded = " ".join(fold(text).replace("?", " ").split())
    for kind, rx in (
        ("hours", _HOURS),
        ("open", _OPEN_NOW),
        ("hotline", _HOTLINE),
        ("where", _WHERE_FILE),
        ("address", _ADDRESS),
    ):
        if rx.search(folded):
            return kind
    return None


@router.text(lambda ctx: _short(ctx) and is_thanks(ctx.text), priority=30)
async def thanks(ctx: Context) -> None:
    ctx.say("small-thanks")


@router.text(lambda ctx: _short(ctx) and is_ack(ctx.text), priority=30)
async def acknowledged(ctx: Context) -> None:
    ctx.say("small-ack")


@router.text(lambda ctx: has_no_words(ctx.text), priority=30)
async def no_words(ctx: Context) -> None:
    ctx.say("small-no-words", main_menu(ctx))


@router.text(
    lambda ctx: 0 < _words(ctx.text) <= MAX_INSTRUCTION_WORDS and is_instruction(ctx.text),
    priority=31,
)
async def instruction(ctx: Context) -> None:
    ctx.say("small-instruction", main_menu(ctx))


@router.text(lambda ctx: _short(ctx) and is_insult(ctx.text), priority=32)
async def insult(ctx: Context) -> None:
    ctx.say("small-insult", [handoff_button(ctx), ctx.button("menu-back", "menu")])


def _asks_office(ctx: Context) -> bool:
    # "địa chỉ một cửa ở đâu" reads as the WHERE aspect too; any other aspect means a procedure.
    if not 0 < _words(ctx.text) <= MAX_WORDS:
        return False
    return detect_aspect(ctx.text) in (None, Aspect.WHERE) and office_question(ctx.text) is not None


@router.text(_asks_office, priority=33)
async def office(ctx: Context) -> None:
    """Hours, "open now", where to file, an address or the hotline: from the province profile
    (the desk of a ward the text names, else the provincial centre), else the settings."""
    kind = office_question(ctx.text)
    settings = ctx.services.settings
    profile = await province.load_profile(ctx.connection)
    desk = profile.desk_for(ctx.text) if profile is not None else None
    # The desk's own number, else the province's; MOTCUA_OFFICE_HOTLINE without a profile.
    hotline = profile.hotline_text(ctx.lang, desk) if profile is not None else ""
    hotline = hotline or settings.office_hotline
    if profile is not None:
        place = desk or profile.centre
        hours = profile.hours_of(place).with_holidays(handoff.office_hours(settings).holidays)
        name = profile.name_of(place, ctx.lang)
        hours_line = ctx.t("province-hours", name=name, hours=hours.describe(ctx.lang))
    else:
        hours = handoff.office_hours(settings)
        ranges = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in hours.ranges)
        hours_line = ctx.t("small-hours", hours=ranges)
    hotline_line = (
        ctx.t("small-hotline", hotline=hotline) if hotline else ctx.t("small-hotline-none")
    )
    now_lines = province.open_now_lines(hours, ctx.now(), ctx.lang)
    if kind == "open":
        lines = [*now_lines, hours_line]
    elif kind == "hours":
        lines = [hours_line, *now_lines]
    elif kind == "hotline":
        lines = [hotline_line, hours_line]
    elif desk is not None and profile is not None:  # "một cửa phường Lê Chân ở đâu"
        lines = [province.office_line(profile, desk, ctx.lang) + ".", hours_line, hotline_line]
    elif profile is not None:
        lines = [*province.where_to_file_lines(profile, ctx.lang), hours_line, hotline_line]
    else:
        lines = [ctx.t("small-address"), hours_line, hotline_line]
    ctx.reply("\n".join(lines), [handoff_button(ctx), ctx.button("menu-back", "menu")])
