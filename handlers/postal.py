"""Receive a dossier's result by post: a short guided conversation, then the request's card.

Entry points: the main menu ("pd": asks for the dossier code), the dossier card ("pd:<code>"),
``/buudien [code]`` and free text such as "gửi kết quả về nhà". The second factor of the
dossier feature is required before any personal data is shown or collected.

Flow ``postal``, one question at a time; each answer is validated and a wrong one gets a
correction message, never a silent guess. State lives in the conversation row (``ctx.goto``),
so a restart resumes at the same question. ``data["path"]`` keeps the questions answered so
far: "back" (button or "quay lại") returns to the previous one. ``data["fid"]`` identifies
this flow instance: the confirm button carries it, and the request's idempotency key is
derived from it, so pressing confirm twice creates one request.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import select

from bot import access, postal
from bot.context import Context
from bot.db.models import Dossier, PostalRequest, Subscription
from bot.domain import DossierStatus, PostalStatus
from bot.messages import Ask, Button
from bot.router import Router
from bot.vntime import fmt_datetime
from handlers import gates
from handlers.dossiers import explain_problem
from handlers.menu import main_menu
from lookup.address import resolve_address
from lookup.dossier_code import find_code
from lookup.fold import fold
from lookup.phone import check_phone, mask_name, mask_phone, normalize_phone, parse_phone
from lookup.s10 import normalize_s10

router = Router("postal")

FLOW = "postal"
STEPS = ("name", "phone", "street", "ward", "note", "cod", "confirm")
MAX_NAME = 80
MAX_STREET = 200
MAX_NOTE = 200
MAX_CANDIDATES = 5
_BACK_WORDS = {"quay lai", "back", "tro lai", "lui lai", "go back", "sua lai", "quay ve"}
_SKIP_WORDS = {"bo qua", "khong", "khong co", "skip", "no", "none", "ko", "k"}
_YES_WORDS = {"co", "dong y", "yes", "y", "ok", "u", "vang"}
_NO_WORDS = {"khong", "ko", "k", "no", "n"}
_INTENT = re.compile(
    r"\b(ket qua\b.*\b(buu dien|buu chinh|ve nha|qua buu)|"
    r"(gui|chuyen|nhan|phat)\b.*\bve nha\b|nhan (qua|tai) buu dien|"
    r"(result|results)\b.*\b(by post|by mail|to my home|home)|deliver(y)? (of )?the result)"
)
# Words that only introduce a number ("số 12", "ngõ 5"): no place name by themselves.
_NUMBER_WORDS = {"so", "nha", "ngo", "ngach", "hem", "kiet", "can", "phong", "lo", "no", "house"}
# Rural addresses name a hamlet or village instead of a house number.
_HAMLET_WORDS = {"thon", "xom", "ap", "ban", "buon", "lang", "khom", "khu", "to", "doi", "soc"}
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ .'\-][^\W\d_]+)*\.?$")


# Small helpers ---------------------------------------------------------------------------------
def _when(dt: Any) -> str:
    return fmt_datetime(dt)


def mask_street(street: str) -> str:
    """Keep the first character of each word: enough to recognise, not enough to locate."""
    words = []
    for word in street.split():
        words.append(word if len(word) <= 1 else word[0] + "*" * (len(word) - 1))
    return " ".join(words)


def _national(phone: str) -> str:
    """A stored E.164 phone as people write it ("0912 345 678")."""
    parsed = parse_phone(phone)
    return parsed.national if parsed else phone


def _clean(text: str) -> str:
    return " ".join(text.split())


def _valid_name(text: str) -> str | None:
    name = _clean(text)
    if not 2 <= len(name) <= MAX_NAME or not _NAME_OK.match(name):
        return None
    return name if sum(ch.isalpha() for ch in name) >= 2 else None


def _nav(ctx: Context, *, back: bool = True) -> list[Button]:
    buttons = [ctx.button("postal-btn-back", "pdb")] if back else []
    buttons.append(ctx.button("postal-btn-cancel", "pdq"))
    return buttons


def _in_flow(ctx: Context) -> bool:
    return ctx.flow == FLOW and ctx.step in STEPS


# Entry -----------------------------------------------------------------------------------------
def _wants_postal(ctx: Context) -> bool:
    return bool(ctx.text) and bool(_INTENT.search(fold(ctx.text).lower()))


def _find_code(text: str) -> str | None:
    """A well-formed dossier code in the text (canonical form), else None."""
    found = find_code(text)
    return str(found.code) if found is not None and found.code is not None else None


@router.payload("pd")
async def entry(ctx: Context) -> None:
    code = ctx.payload_arg.strip()
    if code:
        await begin(ctx, code)
    else:
        await ask_code(ctx)


@router.command("buudien", "postal")
async def command(ctx: Context) -> None:
    code = _find_code(ctx.args) if ctx.args else None
    if code:
        await begin(ctx, code)
    else:
        await ask_code(ctx)


@router.text(_wants_postal, priority=19)  # before the dossier feature's code matcher (20)
async def intent(ctx: Context) -> None:
    code = _find_code(ctx.text)
    if code:
        await begin(ctx, code)
    else:
        await ask_code(ctx)


async def ask_code(ctx: Context) -> None:
    """Ask which dossier; offer the ones this chat follows as buttons."""
    followed = (
        await ctx.session.scalars(
            select(Subscription.dossier_code)
            .where(Subscription.channel == ctx.channel, Subscription.user_id == ctx.user_id)
            .order_by(Subscription.id.desc())
            .limit(3)
        )
    ).all()
    ctx.start_flow(FLOW, "code")
    buttons = [Button(code, f"pd:{code}") for code in followed]
    ctx.say("postal-ask-code", [*buttons, ctx.button("postal-btn-cancel", "pdq")])


async def begin(ctx: Context, code: str) -> None:
    """Checks in order: dossier exists, is still open, second factor, no active request.

    Unknown codes count against the dossier feature's "unknown code" allowance, so this entry
    cannot be used to enumerate codes either."""
    if not await gates.allowance_left(ctx):
        return
    dossier = await ctx.session.get(Dossier, code)
    if dossier is None:
        await gates.count_unknown(ctx)
        ctx.start_flow(FLOW, "code")
        ctx.say("postal-unknown-dossier", [ctx.button("postal-btn-cancel", "pdq")])
        return
    refusal = DossierStatus(dossier.status).postal_refusal
    if refusal is not None:
        ctx.end_flow()
        ctx.say(f"postal-refuse-{refusal}", main_menu(ctx), code=code)
        latest = await postal.latest_request(ctx.session, code)
        if latest is not None and await _may_see(ctx, latest):
            await show_request(ctx, latest)  # e.g. the delivery that returned the result
        return
    if not await gates.require_verification(ctx, code, f"pd:{code}"):
        return
    active = await postal.active_request(ctx.session, code)
    if active is not None:
        ctx.end_flow()
        ctx.say("postal-active-exists")
        await show_request(ctx, active)
        return
    ctx.start_flow(FLOW, "name", {"code": code, "fid": secrets.token_hex(6), "path": []})
    await ask(ctx, "name")


# Questions -------------------------------------------------------------------------------------
async def _dossier(ctx: Context) -> Dossier | None:
    code = ctx.data.get("code")
    return await ctx.session.get(Dossier, code) if code else None


async def ask(ctx: Context, step: str) -> None:
    """Show the question of ``step`` with its buttons (the state is already at ``step``)."""
    data = ctx.data
    back = bool(data.get("path"))
    if step == "name":
        dossier = await _dossier(ctx)
        buttons: list[Button] = []
        if dossier is not None and _valid_name(dossier.applicant_name or ""):
            masked = mask_name(dossier.applicant_name)
            buttons.append(ctx.button("postal-btn-applicant", "pdn", name=masked))
        ctx.reply(ctx.t("postal-ask-name"), [*buttons, *_nav(ctx, back=back)], ask=Ask.CONTACT)
    elif step == "phone":
        dossier = await _dossier(ctx)
        buttons = []
        if dossier is not None and normalize_phone(dossier.applicant_phone or ""):
            masked = mask_phone(normalize_phone(dossier.applicant_phone) or "")
            buttons.append(ctx.button("postal-btn-registered-phone", "pdp", phone=masked))
        ctx.say("postal-ask-phone", [*buttons, *_nav(ctx, back=back)])
    elif step == "street":
        ctx.say("postal-ask-street", _nav(ctx, back=back))
    elif step == "ward":
        ctx.say("postal-ask-ward", _nav(ctx, back=back))
    elif step == "note":
        ctx.say("postal-ask-note", [ctx.button("postal-btn-skip", "pds"), *_nav(ctx, back=back)])
    elif step == "cod":
        ctx.say(
            "postal-ask-cod",
            [
                ctx.button("postal-btn-yes", "pdf:1"),
                ctx.button("postal-btn-no", "pdf:0"),
                *_nav(ctx, back=back),
            ],
            fee=ctx.money(int(data.get("procedure_fee") or 0)),
        )
    elif step == "confirm":
        await summary(ctx)


async def advance(ctx: Context, step: str, **updates: Any) -> None:
    """Store the answer to the current question and ask the next one."""
    path = list(ctx.data.get("path", []))
    if ctx.step in STEPS and (not path or path[-1] != ctx.step):
        path.append(ctx.step)
    nxt = await _next_after(ctx, step)
    ctx.goto(nxt, path=path, **updates)
    await ask(ctx, nxt)


async def _next_after(ctx: Context, step: str) -> str:
    """``step`` itself, unless it is the fee question and the procedure has no fee."""
    if step != "cod":
        return step
    dossier = await _dossier(ctx)
    fee = await postal.procedure_fee(ctx.session, dossier) if dossier is not None else None
    if not fee:
        ctx.goto("cod", collect_fee=False, procedure_fee=0)
        return "confirm"
    ctx.goto("cod", procedure_fee=fee)
    return "cod"


async def go_back(ctx: Context) -> None:
    path = list(ctx.data.get("path", []))
    if not path:
        await ask(ctx, ctx.step or "name")
        return
    previous = path.pop()
    ctx.goto(previous, path=path, candidates=[])
    await ask(ctx, previous)


@router.flow(FLOW)
async def on_text(ctx: Context) -> None:
    if ctx.incoming.contact:
        await on_contact(ctx)
        return
    if ctx.step == "code":
        await on_code(ctx)
        return
    if ctx.step not in STEPS:
        ctx.end_flow()
        ctx.say("button-expired", main_menu(ctx))
        return
    words = fold(ctx.text).lower().strip(" .!")
    if words in _BACK_WORDS:
        await go_back(ctx)
        return
    handler = _STEP_HANDLERS[ctx.step]
    await handler(ctx, ctx.text, words)


async def on_code(ctx: Context) -> None:
    found = find_code(ctx.text)
    if found is None and _wants_postal(ctx):
        await ask_code(ctx)
        return
    if found is None:
        ctx.say("postal-bad-code", [ctx.button("postal-btn-cancel", "pdq")])
        return
    if found.code is None:  # an attempt at a code: say precisely what is wrong with it
        explain_problem(ctx, found)
        return
    await begin(ctx, str(found.code))


async def on_name(ctx: Context, text: str, _words: str) -> None:
    name = _valid_name(text)
    if name is None:
        ctx.say("postal-bad-name", _nav(ctx, back=bool(ctx.data.get("path"))))
        return
    await advance(ctx, "phone", name=name)


async def on_phone(ctx: Context, text: str, _words: str) -> None:
    checked = check_phone(text)
    if checked.phone is None:
        problem = str(checked.problem or "")
        key = {
            "not_vietnamese": "postal-bad-phone-foreign",
            "not_personal": "postal-bad-phone-hotline",
        }.get(problem, "postal-bad-phone")
        ctx.say(key, _nav(ctx))
        return
    await advance(ctx, "street", phone=checked.phone.e164)


def street_problem(line: str) -> str | None:
    """What a courier would miss in a street line: None when usable, else the locale key that
    says what is missing. A courier needs a place name (a street, hamlet or village) and,
    unless the line names a hamlet-like place, a house number or lane."""
    if not 2 <= len(line) <= MAX_STREET or not any(ch.isalnum() for ch in line):
        return "postal-bad-street"
    words = fold(line).split()
    named = [w for w in words if not w.isdigit() and len(w) >= 2 and w not in _NUMBER_WORDS]
    if not named:
        return "postal-bad-street-no-name"
    has_number = any(ch.isdigit() for ch in line)
    if not has_number and not _HAMLET_WORDS.intersection(words):
        return "postal-bad-street-no-number"
    return None


async def on_street(ctx: Context, text: str, _words: str) -> None:
    line = _clean(text)
    problem = street_problem(line.split(",")[0])
    if problem is not None:
        ctx.say(problem, _nav(ctx), limit=MAX_STREET)
        return
    if "," in line:  # maybe the whole address at once: take the ward too if it is clear
        result = _resolve(line)
        place = result.get("place")
        if place is not None and result.get("street"):
            _say_converted(ctx, result)
            await advance(ctx, "note", street=result["street"], **_place_fields(place))
            return
    await advance(ctx, "ward", street=line, candidates=[])


async def on_ward(ctx: Context, text: str, _words: str) -> None:
    result = _resolve(_clean(text))
    place = result.get("place")
    if place is not None:
        _say_converted(ctx, result)
        updates = _place_fields(place)
        if result.get("street") and not ctx.data.get("street"):
            updates["street"] = result["street"]
        await advance(ctx, "note", candidates=[], **updates)
        return
    problem = str(result.get("problem") or "unknown_ward")
    typed = result.get("ward_text") or _clean(text)
    candidates = result.get("candidates") or []
    suggestions = result.get("suggestions") or []
    options = candidates or suggestions  # two or more candidates, or the closest names
    if options:
        stored = [_place_fields(p) for p in options[:MAX_CANDIDATES]]
        ctx.goto("ward", candidates=stored)
        buttons = [*_option_buttons(ctx, result, options[:MAX_CANDIDATES]), *_nav(ctx)]
        if problem == "ward_split" and result.get("merged_from"):
            ctx.say("postal-ward-split", buttons, old=result["merged_from"])
        elif problem == "no_province":
            ctx.say("postal-ward-choose-province", buttons, typed=typed, total=result["total"])
        elif problem == "unknown_ward":
            ctx.say("postal-bad-ward-suggest", buttons, typed=typed)
        elif problem == "unknown_province":
            ctx.say("postal-bad-ward-unknown-province", buttons)
        else:
            ctx.say("postal-ward-ambiguous", buttons)
        return
    ctx.goto("ward", candidates=[])
    if problem == "unknown_ward":
        ctx.say("postal-bad-ward", _nav(ctx), typed=typed)
    elif problem == "unknown_province":
        ctx.say("postal-bad-ward-unknown-province", _nav(ctx))
    elif problem == "no_province":
        ctx.say("postal-bad-ward-no-province", _nav(ctx))
    else:  # no_ward, empty
        ctx.say("postal-bad-ward-no-ward", _nav(ctx))


async def on_note(ctx: Context, text: str, words: str) -> None:
    if words in _SKIP_WORDS:
        await advance(ctx, "cod", note="")
        return
    note = _clean(text)
    if len(note) > MAX_NOTE:
        ctx.say("postal-bad-note", _nav(ctx), limit=MAX_NOTE)
        return
    await advance(ctx, "cod", note=note)


async def on_cod(ctx: Context, _text: str, words: str) -> None:
    if words in _YES_WORDS or words in _NO_WORDS:
        await advance(ctx, "confirm", collect_fee=words in _YES_WORDS)
        return
    ctx.say("postal-bad-yes-no")
    await ask(ctx, "cod")


async def on_confirm(ctx: Context, _text: str, words: str) -> None:
    if words in _YES_WORDS or words in {"xac nhan", "confirm"}:
        await confirm(ctx, ctx.data.get("fid", ""))
        return
    ctx.say("postal-confirm-use-buttons")
    await summary(ctx)


_STEP_HANDLERS = {
    "name": on_name,
    "phone": on_phone,
    "street": on_street,
    "ward": on_ward,
    "note": on_note,
    "cod": on_cod,
    "confirm": on_confirm,
}


# Addresses -------------------------------------------------------------------------------------
def _resolve(text: str) -> dict[str, Any]:
    """``lookup.address.resolve_address`` as a dict, so the flow does not depend on the
    result's class: street, place, candidates (two or more), suggestions (closest names when
    not found), converted (how ``place`` was reached from a former unit or another kind),
    origins (the same for candidates/suggestions), merged_from, problem, ward_text,
    province_inferred, total."""
    r = resolve_address(text)
    return {
        "street": (r.street or "").strip(" ,"),
        "place": r.place,
        "candidates": list(r.candidates),
        "suggestions": list(r.suggestions),
        "converted": r.converted,
        "origins": list(r.origins),
        "merged_from": r.merged_from,
        "problem": r.problem,
        "ward_text": r.ward_text,
        "province_inferred": r.province_inferred,
        "total": r.total,
    }


def _place_fields(place: Any) -> dict[str, str]:
    return {
        "ward_code": str(place.ward.code),
        "ward_name": str(place.ward.name),
        "province_code": str(place.province.code),
        "province_name": str(place.province.name),
    }


def _option_buttons(ctx: Context, result: dict[str, Any], places: list[Any]) -> list[Button]:
    """One button per place; one reached through a former unit names it, so that "Phường Bình
    Minh" offered for "xã Tân Bình" says which Tân Bình it was."""
    origins = {o.place.ward.code: o for o in result.get("origins") or []}
    buttons = []
    for i, p in enumerate(places):
        origin = origins.get(p.ward.code)
        if origin is not None:
            label = ctx.t(
                "postal-option-former",
                ward=p.ward.name,
                province=p.province.name,
                old=origin.old_unit,
            )
        else:
            label = f"{p.ward.name}, {p.province.name}"
        buttons.append(Button(label, f"pdw:{i}"))
    return buttons


def _say_converted(ctx: Context, result: dict[str, Any]) -> None:
    """Whenever the text named a former unit, a former district or province, or a unit of
    another kind, say what it is now; when no province was typed, say which one we took."""
    place = result.get("place")
    conv = result.get("converted")
    if place is None:
        return
    ward, province = place.ward.name, place.province.name
    if conv is None:
        if result.get("province_inferred"):
            ctx.say("postal-ward-inferred", ward=ward, province=province)
        return
    kind = str(conv.kind)
    if kind == "former_ward":
        key = "postal-converted-ward-kind" if conv.kind_changed else "postal-converted-ward"
    elif kind == "former_district":  # one without a named ward was an island district, now a zone
        key = "postal-converted-district" if conv.named else "postal-converted-zone"
    elif kind == "former_province":
        key = "postal-converted-province"
    else:  # other_kind
        key = "postal-converted-kind"
    # Each message uses the arguments it needs; Fluent ignores the others.
    ctx.say(
        key,
        named=conv.named,
        old=conv.old_unit,
        parents=conv.old_parents,
        ward=ward,
        province=province,
    )


# Buttons inside the flow -----------------------------------------------------------------------
async def _stale(ctx: Context) -> bool:
    if _in_flow(ctx):
        return False
    ctx.say("button-expired", main_menu(ctx))
    return True


@router.payload("pdn")
async def use_applicant_name(ctx: Context) -> None:
    if await _stale(ctx) or ctx.step != "name":
        if _in_flow(ctx):
            await ask(ctx, ctx.step or "name")
        return
    dossier = await _dossier(ctx)
    name = _valid_name(dossier.applicant_name if dossier else "")
    if name is None:
        await ask(ctx, "name")
        return
    await advance(ctx, "phone", name=name)


@router.payload("pdp")
async def use_registered_phone(ctx: Context) -> None:
    if await _stale(ctx) or ctx.step != "phone":
        if _in_flow(ctx):
            await ask(ctx, ctx.step or "name")
        return
    dossier = await _dossier(ctx)
    phone = normalize_phone(dossier.applicant_phone if dossier else "")
    if phone is None:
        await ask(ctx, "phone")
        return
    await advance(ctx, "street", phone=phone)


@router.payload("pdw")
async def pick_ward(ctx: Context) -> None:
    if await _stale(ctx):
        return
    candidates = ctx.data.get("candidates") or []
    arg = ctx.payload_arg
    if ctx.step != "ward" or not arg.isdigit() or int(arg) >= len(candidates):
        await ask(ctx, ctx.step or "name")
        return
    await advance(ctx, "note", candidates=[], **candidates[int(arg)])


@router.payload("pds")
async def skip_note(ctx: Context) -> None:
    if await _stale(ctx):
        return
    if ctx.step != "note":
        await ask(ctx, ctx.step or "name")
        return
    await advance(ctx, "cod", note="")


@router.payload("pdf")
async def collect_fee(ctx: Context) -> None:
    if await _stale(ctx):
        return
    if ctx.step != "cod" or ctx.payload_arg not in ("0", "1"):
        await ask(ctx, ctx.step or "name")
        return
    await advance(ctx, "confirm", collect_fee=ctx.payload_arg == "1")


@router.payload("pdb")
async def back(ctx: Context) -> None:
    if await _stale(ctx):
        return
    await go_back(ctx)


@router.payload("pdq")
async def quit_flow(ctx: Context) -> None:
    had = ctx.flow == FLOW
    ctx.end_flow()
    ctx.say("cancel-done" if had else "cancel-nothing", main_menu(ctx))


# Zalo "share my info" ----------------------------------------------------------------------------
async def on_contact(ctx: Context) -> None:
    """Name, phone and address shared by the channel: take what is valid, ask for the rest."""
    if ctx.step not in STEPS:
        ctx.say("button-expired", main_menu(ctx))
        return
    contact = ctx.incoming.contact or {}
    updates: dict[str, Any] = {}
    name = _valid_name(contact.get("name", ""))
    phone = normalize_phone(contact.get("phone", ""))
    if name:
        updates["name"] = name
    if phone:
        updates["phone"] = phone
    address = _clean(contact.get("address", ""))
    result = _resolve(address) if address else {}
    place = result.get("place")
    if place is not None and result.get("street"):
        updates.update(street=result["street"], **_place_fields(place))
    elif address:
        updates["street"] = result.get("street") or address
    ctx.goto(ctx.step or "name", **updates)
    ctx.say("postal-contact-received")
    if place is not None:
        _say_converted(ctx, result)
    data = ctx.data
    if not data.get("name"):
        nxt, done = "name", []
    elif not data.get("phone"):
        nxt, done = "phone", ["name"]
    elif not data.get("street"):
        nxt, done = "street", ["name", "phone"]
    elif not data.get("ward_code"):
        nxt, done = "ward", ["name", "phone", "street"]
    else:
        nxt, done = "note", ["name", "phone", "street", "ward"]
    ctx.goto(nxt, path=done)
    await ask(ctx, nxt)


# Summary and confirmation ------------------------------------------------------------------------
async def _fee(ctx: Context, dossier: Dossier | None) -> postal.Fee:
    unit = postal.receiving_province(dossier) if dossier is not None else None
    code = str(unit.code) if unit is not None else None
    return postal.compute_fee(ctx.services.settings, code, ctx.data.get("province_code", ""))


async def summary(ctx: Context) -> None:
    data = ctx.data
    dossier = await _dossier(ctx)
    fee = await _fee(ctx, dossier)
    fee_kind = {True: "same", False: "other", None: "unknown"}[fee.same_province]
    # In full: the verified owner typed these a moment ago and must be able to check them
    # before confirming; every other view of the request masks them.
    lines = [
        ctx.t("postal-summary-dossier", code=data.get("code", "")),
        ctx.t("postal-summary-name", name=data.get("name", "")),
        ctx.t("postal-summary-phone", phone=_national(data.get("phone", ""))),
        ctx.t(
            "postal-summary-address",
            street=data.get("street", ""),
            ward=data.get("ward_name", ""),
            province=data.get("province_name", ""),
        ),
    ]
    if data.get("note"):
        lines.append(ctx.t("postal-summary-note", note=data["note"]))
    if data.get("procedure_fee"):
        key = "postal-summary-cod-yes" if data.get("collect_fee") else "postal-summary-cod-no"
        lines.append(ctx.t(key, fee=ctx.money(int(data["procedure_fee"]))))
    lines.append(ctx.t(f"postal-summary-fee-{fee_kind}", fee=ctx.money(fee.amount)))
    lines.append(ctx.t("postal-summary-tariff-note"))
    buttons = [ctx.button("postal-btn-confirm", f"pdc:{data.get('fid', '')}"), *_nav(ctx)]
    ctx.reply("\n".join(lines), buttons, title=ctx.t("postal-summary-title"))


@router.payload("pdc")
async def confirm_button(ctx: Context) -> None:
    await confirm(ctx, ctx.payload_arg)


async def confirm(ctx: Context, fid: str) -> None:
    """Create the request once; a second press (or a re-delivered one) shows the same one."""
    data = ctx.data
    if ctx.flow != FLOW or ctx.step != "confirm" or data.get("fid") != fid or not fid:
        done = ctx.recall("postal_done") or {}
        if fid and done.get("fid") == fid:
            request = await postal.get_request(ctx.session, str(done.get("ref", "")))
            if request is not None:
                ctx.say("postal-already-confirmed", reference=request.reference)
                await show_request(ctx, request)
                return
        ctx.say("button-expired", main_menu(ctx))
        return
    dossier = await _dossier(ctx)
    fee = await _fee(ctx, dossier)
    recipient = postal.Recipient(
        name=data["name"],
        phone=data["phone"],
        street=data["street"],
        ward_code=data["ward_code"],
        ward_name=data["ward_name"],
        province_code=data["province_code"],
        province_name=data["province_name"],
        note=data.get("note", ""),
        collect_fee=bool(data.get("collect_fee")),
        collect_amount=int(data.get("procedure_fee") or 0) or None,
    )
    try:
        request, _created = await postal.create_request(
            ctx.session,
            ctx.services.db,
            dossier_code=data["code"],
            channel=ctx.channel,
            user_id=ctx.user_id,
            flow_id=fid,
            recipient=recipient,
            fee=fee,
            now=ctx.now(),
        )
    except postal.PostalError as exc:
        ctx.end_flow()
        if exc.code == "active":
            active = await postal.active_request(ctx.session, data["code"])
            ctx.say("postal-active-exists")
            if active is not None:
                await show_request(ctx, active)
            return
        ctx.say("postal-refuse-generic", main_menu(ctx))
        return
    ctx.end_flow()
    ctx.remember("postal_done", {"fid": fid, "ref": request.reference})
    ctx.say(
        "postal-created",
        [
            ctx.button("postal-btn-view", f"pdr:{request.reference}"),
            ctx.button("menu-back", "menu"),
        ],
        reference=request.reference,
        fee=ctx.money(request.postal_fee),
    )


# The request's card ----------------------------------------------------------------------------
async def _may_see(ctx: Context, request: PostalRequest) -> bool:
    """The chat that made the request, or one that passed the dossier's second factor."""
    if request.channel == ctx.channel and request.user_id == ctx.user_id:
        return True
    return bool(
        await access.is_verified(ctx.session, request.dossier_code, ctx.channel, ctx.user_id)
    )


async def show_request(ctx: Context, request: PostalRequest) -> None:
    """Status, tracking code, masked recipient and address, history; cancel while possible."""
    lines = [
        ctx.t("postal-card-dossier", code=request.dossier_code),
        ctx.t("postal-card-status", status=ctx.t(PostalStatus(request.status).key)),
    ]
    if request.tracking_code:
        lines.append(ctx.t("postal-card-tracking", tracking=request.tracking_code))
    lines.append(ctx.t("postal-summary-name", name=mask_name(request.recipient_name)))
    lines.append(ctx.t("postal-summary-phone", phone=mask_phone(request.phone)))
    lines.append(
        ctx.t(
            "postal-summary-address",
            street=mask_street(request.street),
            ward=request.ward_name,
            province=request.province_name,
        )
    )
    lines.append(ctx.t("postal-card-fee", fee=ctx.money(request.postal_fee)))
    events = await postal.events_of(ctx.session, request.id)
    if events:
        lines.append(ctx.t("postal-card-history"))
        for ev in events:
            st = PostalStatus(ev.status)
            status = ctx.t(st.key)
            note = f" — {ev.note}" if ev.note and st.note_shown else ""
            lines.append(f"• {_when(ev.at)}: {status}{note}")
    buttons: list[Button] = []
    if PostalStatus(request.status).is_cancellable:
        buttons.append(ctx.button("postal-btn-cancel-request", f"pdx:{request.reference}"))
    buttons.append(ctx.button("menu-back", "menu"))
    ctx.reply(
        "\n".join(lines), buttons, title=ctx.t("postal-card-title", reference=request.reference)
    )


async def _request_for(ctx: Context) -> PostalRequest | None:
    request = await postal.get_request(ctx.session, ctx.payload_arg.strip())
    if request is None or not await _may_see(ctx, request):
        ctx.say("postal-request-gone", main_menu(ctx))
        return None
    return request


@router.payload("pdr")
async def view_request(ctx: Context) -> None:
    request = await _request_for(ctx)
    if request is not None:
        await show_request(ctx, request)


@router.payload("pdx")
async def ask_cancel_request(ctx: Context) -> None:
    request = await _request_for(ctx)
    if request is None:
        return
    if not PostalStatus(request.status).is_cancellable:
        ctx.say("postal-not-cancellable")
        await show_request(ctx, request)
        return
    ctx.say(
        "postal-cancel-confirm",
        [
            ctx.button("postal-btn-cancel-yes", f"pdxy:{request.reference}"),
            ctx.button("postal-btn-cancel-no", f"pdr:{request.reference}"),
        ],
        reference=request.reference,
    )


@router.payload("pdxy")
async def cancel_request(ctx: Context) -> None:
    request = await _request_for(ctx)
    if request is None:
        return
    if request.status == PostalStatus.CANCELLED:
        ctx.say("postal-cancelled", main_menu(ctx), reference=request.reference)
        return
    try:
        await postal.cancel_request(ctx.session, request, now=ctx.now())
    except postal.PostalError:
        ctx.say("postal-not-cancellable")
        await show_request(ctx, request)
        return
    ctx.say("postal-cancelled", main_menu(ctx), reference=request.reference)


# Tracking codes typed in the chat ----------------------------------------------------------------
_S10_LIKE = re.compile(r"\b([A-Za-z]{2})\s?(\d{3})\s?(\d{3})\s?(\d{3})\s?(VN|vn)\b")


def _tracking_in(ctx: Context) -> str | None:
    m = _S10_LIKE.search(ctx.text)
    return "".join(m.groups()).upper() if m else None


@router.text(lambda ctx: _tracking_in(ctx) is not None, priority=15)
async def tracking(ctx: Context) -> None:
    """A postal tracking code alone shows the item's status, never the recipient's data."""
    code = _tracking_in(ctx) or ""
    if normalize_s10(code) is None:
        ctx.say("postal-tracking-invalid", main_menu(ctx), tracking=code)
        return
    if not await gates.allowance_left(ctx):
        return
    request = await postal.get_by_tracking(ctx.session, code)
    if request is None:
        await gates.count_unknown(ctx)
        ctx.say("postal-tracking-unknown", main_menu(ctx), tracking=code)
        return
    if await _may_see(ctx, request):
        await show_request(ctx, request)
        return
    lines = [
        ctx.t("postal-card-tracking", tracking=code),
        ctx.t("postal-card-status", status=ctx.t(PostalStatus(request.status).key)),
    ]
    for ev in await postal.events_of(ctx.session, request.id):
        lines.append(f"• {_when(ev.at)}: {ctx.t(PostalStatus(ev.status).key)}")
    lines.append(ctx.t("postal-tracking-private"))
    ctx.reply("\n".join(lines), main_menu(ctx))
