"""Procedure questions: search the catalogue, answer with a card, "did you mean", or not found.

When the message asks one aspect ("khai sinh mất bao nhiêu tiền"), the first reply answers that
aspect in one to three lines, per submission channel, and the short card follows; a pick from
"did you mean" answers the aspect the citizen asked before the pick.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from sqlalchemy import insert

from bot import province
from bot.channels.render import distinct_labels
from bot.context import Context
from bot.db.models import Feedback, Procedure, ProcedureMethod, QuestionLog
from bot.handoff import mask_numbers
from bot.messages import Button
from bot.router import Router
from handlers.handoff import handoff_button
from lookup.aspect import Aspect, detect_aspect
from lookup.fold import fold
from lookup.procedure import is_junk
from lookup.search import Verdict, decide

router = Router("procedures")

CHANNEL_ORDER = ("truc_tuyen", "truc_tiep", "buu_chinh")
MAX_LABEL = 60
MAX_FIGURE = 60  # a fee or time text on the card; the "Fees" page shows it whole
MAX_ANSWER_ITEM = 140  # one document, step or result in an aspect answer
MAX_WHERE = 120
MAX_RESULT_ON_CARD = 120
MAX_DOCS_IN_ANSWER = 2
MAX_STEPS_IN_ANSWER = 2
PENDING_ASPECT = "proc_aspect"  # conversation data: the aspect asked before "did you mean"
_PERSONAL = re.compile(r"\d{9,}")  # phone or ID numbers: not needed to answer a question
_VIETNAMESE = re.compile(r"[à-ỹÀ-Ỹđ]")  # a letter with a Vietnamese mark: not English text
# A channel named in the question, folded: "nộp online mất bao nhiêu tiền" asks the online fee.
_CHANNEL_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "truc_tuyen",
        re.compile(r"\b(?:online|truc tuyen|qua mang|tren mang|dich vu cong|vneid|internet)\b"),
    ),
    ("buu_chinh", re.compile(r"\b(?:buu dien|buu chinh|by post|by mail|post office)\b")),
    ("truc_tiep", re.compile(r"\b(?:truc tiep|in person|tai quay|den noi|len phuong)\b")),
)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, never mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:(")
    return cut + "…"


def _ordered(methods: Iterable[ProcedureMethod]) -> list[ProcedureMethod]:
    return sorted(
        methods, key=lambda m: CHANNEL_ORDER.index(m.channel) if m.channel in CHANNEL_ORDER else 9
    )


def _number(value: float) -> int | float:
    """A whole number as an int, so Fluent picks the plural ("1 working day") and writes no
    decimals; a fraction stays a float (Fluent writes it the language's way: 1,5 / 1.5)."""
    return int(value) if float(value).is_integer() else value


def _english(ctx: Context) -> bool:
    return ctx.lang == "en"


def display_name(ctx: Context, p: Procedure) -> str:
    """The procedure's name in the user's language: English when the catalogue has one."""
    return p.name_en if _english(ctx) and p.name_en else p.name


def _agency(ctx: Context, p: Procedure) -> str:
    """Where to file, in the user's language when the catalogue has it (curated entries)."""
    if _english(ctx) and p.agency_en:
        return p.agency_en
    return p.agency or p.implementing_agency


def document_name(ctx: Context, d: dict[str, object]) -> str:
    """A document's name, English in English mode when the catalogue has one."""
    english = d.get("name_en")
    if _english(ctx) and isinstance(english, str) and english:
        return english
    return str(d.get("name", ""))


def _checked(ctx: Context, p: Procedure) -> str | None:
    """ "cập nhật ngày 04/12/2026" / "checked on 4 December 2026" for curated entries."""
    day = p.checked_on
    if day is None:
        return None
    # The year as text: a number would be grouped ("2.026").
    return ctx.t("proc-checked", day=day.day, month=day.month, year=str(day.year))


def _vietnamese_only(ctx: Context, text: str, translated: bool) -> bool:
    """True when an English reader of a translated (curated) entry would get Vietnamese words:
    the figure is then summarised in English and the Vietnamese page keeps the wording."""
    return translated and _english(ctx) and bool(_VIETNAMESE.search(text))


def _time(
    ctx: Context, m: ProcedureMethod, limit: int | None = None, translated: bool = False
) -> str | None:
    """The processing time as the catalogue states it, or None when it states none."""
    if m.time_value is not None and m.time_unit:
        return ctx.t(f"proc-unit-{m.time_unit}", n=_number(m.time_value))
    if _vietnamese_only(ctx, m.time_text, translated):
        return ctx.t("proc-time-by-case")
    if m.time_text and not is_junk(m.time_text):  # rows imported before junk was dropped
        return shorten(m.time_text, limit) if limit else m.time_text
    return None


def _fee(
    ctx: Context, m: ProcedureMethod, limit: int | None = None, translated: bool = False
) -> str | None:
    """The fee as the catalogue states it, or None when it states none."""
    if m.fee_amount == 0:
        return ctx.t("proc-fee-free")
    if m.fee_amount:
        return ctx.money(m.fee_amount)
    if _vietnamese_only(ctx, m.fee_text, translated):
        return ctx.t("proc-fee-by-case")
    if m.fee_text and not is_junk(m.fee_text):
        return shorten(m.fee_text, limit) if limit else m.fee_text
    return None


def method_line(ctx: Context, m: ProcedureMethod, translated: bool = False) -> str:
    """ "Online: 3 working days · free" — time and fee differ per submission channel."""
    channel = ctx.t(f"proc-channel-{m.channel}")
    time = _time(ctx, m, translated=translated) or ctx.t("proc-unknown")
    fee = _fee(ctx, m, translated=translated) or ctx.t("proc-fee-unstated")
    return ctx.t("proc-method-line", channel=channel, time=time, fee=fee)


def _joined(values: list[str]) -> str:
    """Distinct values in order, one after the other ("1 giờ, 7 ngày làm việc")."""
    return ", ".join(dict.fromkeys(values))


def _per_channel(
    methods: list[ProcedureMethod], figure: Callable[[ProcedureMethod], str]
) -> list[tuple[list[str], str]]:
    """(channels, figure) groups: channels with the same figure share a line, so a procedure
    with three channels and one fee says it once. A channel filed several ways (a plate
    number in 1 hour or 7 days) lists its distinct figures together."""
    by_channel: dict[str, list[str]] = {}
    for m in methods:
        by_channel.setdefault(m.channel, []).append(figure(m))
    groups: dict[str, list[str]] = {}
    for channel, figures in by_channel.items():
        groups.setdefault(_joined(figures), []).append(channel)
    return [(channels, text) for text, channels in groups.items()]


def _channel_names(ctx: Context, channels: list[str]) -> str:
    return ", ".join(ctx.t(f"proc-channel-{c}") for c in channels)


# How a sentence names a way to file ("Lệ phí khi nộp trực tuyến: …"); the card's labels are
# capitalised list items. lookup.procedure allows only these three channels.
_VIA = {
    "truc_tuyen": "proc-via-truc_tuyen",
    "truc_tiep": "proc-via-truc_tiep",
    "buu_chinh": "proc-via-buu_chinh",
}


def _via(ctx: Context, channels: list[str]) -> str:
    """ "nộp trực tuyến hoặc gửi qua bưu chính" """
    names = [ctx.t(_VIA.get(c, "proc-unknown")) for c in channels]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " " + ctx.t("proc-or") + " " + names[-1]


def _card_methods(
    ctx: Context, methods: list[ProcedureMethod], translated: bool = False
) -> list[str]:
    """At most three lines (one per channel group), figures shortened for a phone."""

    def figure(m: ProcedureMethod) -> str:
        time = _time(ctx, m, MAX_FIGURE, translated) or ctx.t("proc-unknown")
        fee = _fee(ctx, m, MAX_FIGURE, translated) or ctx.t("proc-fee-unstated")
        return ctx.t("proc-card-figure", time=time, fee=fee)

    return [
        ctx.t("proc-card-method", channels=_channel_names(ctx, channels), figure=text)
        for channels, text in _per_channel(methods, figure)
    ]


def render_card(ctx: Context, p: Procedure, desk: str | None = None) -> None:
    """The procedure in at most about a dozen lines; documents, steps, every channel's full
    figures and the legal basis are one button away. ``desk``: where this province's citizens
    file it (the province profile's one-stop desk), when known."""
    lines: list[str] = []
    if _english(ctx) and p.summary_en:
        lines.append(p.summary_en)
    if p.levels:
        levels = ", ".join(ctx.t(f"proc-level-{lv}") for lv in p.levels)
        agency = _agency(ctx, p)
        lines.append(
            ctx.t("proc-where", levels=levels, agency=shorten(agency, MAX_WHERE))
            if agency
            else ctx.t("proc-where-levels", levels=levels)
        )
    if desk:
        lines.append(ctx.t("proc-desk", desk=desk))
    methods = _ordered(p.methods)
    if methods:
        lines.append(ctx.t("proc-methods-title"))
        lines.extend(_card_methods(ctx, methods, bool(p.name_en)))
    if p.documents:
        lines.append(ctx.t("proc-docs-count", count=len(p.documents)))
    # The English summary says what the citizen receives; the result text is Vietnamese only.
    if p.result and not (_english(ctx) and p.summary_en):
        lines.append(ctx.t("proc-result", result=shorten(p.result, MAX_RESULT_ON_CARD)))
    online = p.online_level or (
        "unstated" if any(m.channel == "truc_tuyen" for m in p.methods) else "none"
    )
    lines.append(ctx.t(f"proc-online-{online}"))
    url = p.source_url or p.url
    if url:
        lines.append(ctx.t("proc-link", url=url))
    checked = _checked(ctx, p)
    if checked:
        lines.append(checked)
    # Five buttons: Zalo shows no more. The legal basis is on each section's page.
    buttons = [
        ctx.button("proc-btn-docs", f"pm:{p.code}:d"),
        ctx.button("proc-btn-steps", f"pm:{p.code}:s"),
        ctx.button("proc-btn-methods", f"pm:{p.code}:m"),
        Button("👍", f"fb:{p.code}:1"),
        Button("👎", f"fb:{p.code}:0"),
    ]
    ctx.reply("\n".join(lines), buttons, title=f"{display_name(ctx, p)} ({p.code})")


# The aspect asked, answered first --------------------------------------------------------------
def channel_asked(text: str) -> str | None:
    """The submission channel a message names ("nộp online …"), or None."""
    folded = fold(text)
    for channel, rx in _CHANNEL_WORDS:
        if rx.search(folded):
            return channel
    return None


def _figure_lines(
    ctx: Context,
    methods: list[ProcedureMethod],
    figure: Callable[[ProcedureMethod], str | None],
    line_key: str,
    all_key: str,
    unstated_key: str,
) -> list[str]:
    if not any(figure(m) for m in methods):
        return [ctx.t(unstated_key)]
    groups = _per_channel(methods, lambda m: figure(m) or ctx.t("proc-unknown"))
    if len(groups) == 1 and len({m.channel for m in methods}) > 1:
        return [ctx.t(all_key, value=groups[0][1])]
    return [ctx.t(line_key, channels=_via(ctx, channels), value=text) for channels, text in groups]


def aspect_lines(
    ctx: Context, p: Procedure, aspect: Aspect, channel: str | None = None
) -> list[str]:
    """One to three lines answering ``aspect`` of ``p`` from the catalogue, or a plain "the
    catalogue does not say" — never a guess."""
    methods = _ordered(p.methods)
    # The channel asked about, when the procedure has it; otherwise every channel.
    chosen = [m for m in methods if m.channel == channel] or methods
    if aspect is Aspect.FEE:
        return _figure_lines(
            ctx,
            chosen,
            lambda m: _fee(ctx, m, MAX_ANSWER_ITEM, bool(p.name_en)),
            "proc-ans-fee",
            "proc-ans-fee-all",
            "proc-ans-fee-unstated",
        )
    if aspect is Aspect.TIME:
        return _figure_lines(
            ctx,
            chosen,
            lambda m: _time(ctx, m, MAX_ANSWER_ITEM, bool(p.name_en)),
            "proc-ans-time",
            "proc-ans-time-all",
            "proc-ans-time-unstated",
        )
    if aspect is Aspect.DOCUMENTS:
        if not p.documents:
            return [ctx.t("proc-ans-docs-unstated")]
        first = p.documents[:MAX_DOCS_IN_ANSWER]
        return [ctx.t("proc-ans-docs", count=len(p.documents))] + [
            f"• {shorten(document_name(ctx, d), MAX_ANSWER_ITEM)}" for d in first
        ]
    if aspect is Aspect.WHERE:
        agency = _agency(ctx, p)
        levels = ", ".join(ctx.t(f"proc-level-{lv}") for lv in p.levels)
        if agency:
            lines = [ctx.t("proc-ans-where-agency", agency=shorten(agency, MAX_WHERE))]
        elif levels:
            lines = [ctx.t("proc-ans-where-levels", levels=levels)]
        else:
            return [ctx.t("proc-ans-where-unstated")]
        others = [c for c in dict.fromkeys(m.channel for m in methods) if c != "truc_tiep"]
        if others:
            lines.append(ctx.t("proc-ans-where-also", channels=_via(ctx, others)))
        return lines
    if aspect is Aspect.ONLINE:
        if not methods:
            return [ctx.t("proc-ans-online-unstated")]
        channels = list(dict.fromkeys(m.channel for m in methods))
        online = p.online_level or ("unstated" if "truc_tuyen" in channels else "none")
        return [
            ctx.t("proc-ans-channels", channels=_via(ctx, channels)),
            ctx.t(f"proc-online-{online}"),
        ]
    if aspect in (Aspect.RESULT, Aspect.ELIGIBILITY) and _english(ctx) and p.summary_en:
        return [p.summary_en]  # the result and who files, in English; the details are Vietnamese
    if aspect is Aspect.RESULT:
        if not p.result:
            return [ctx.t("proc-ans-result-unstated")]
        return [ctx.t("proc-ans-result", result=shorten(p.result, 2 * MAX_ANSWER_ITEM))]
    if aspect is Aspect.ELIGIBILITY:
        lines = []
        if p.subjects:
            lines.append(ctx.t("proc-ans-subjects", subjects=shorten(p.subjects, MAX_ANSWER_ITEM)))
        if p.conditions:
            lines.append(
                ctx.t("proc-ans-conditions", conditions=shorten(p.conditions, MAX_ANSWER_ITEM))
            )
        return lines or [ctx.t("proc-ans-eligibility-unstated")]
    # Aspect.STEPS
    if not p.steps:
        return [ctx.t("proc-ans-steps-unstated")]
    return [ctx.t("proc-ans-steps", count=len(p.steps))] + [
        f"{i}. {shorten(str(s), MAX_ANSWER_ITEM)}"
        for i, s in enumerate(p.steps[:MAX_STEPS_IN_ANSWER], 1)
    ]


async def answer_procedure(
    ctx: Context, p: Procedure, aspect: Aspect | None, channel: str | None = None
) -> None:
    """The aspect asked (if any) first, as its own short message, then the card."""
    if aspect is not None:
        ctx.reply("\n".join(aspect_lines(ctx, p, aspect, channel)))
    profile = await province.load_profile(ctx.connection)
    render_card(ctx, p, province.desk_line(profile, p.levels, ctx.lang))


@router.payload("pq")
async def prompt(ctx: Context) -> None:
    ctx.say("proc-prompt")


async def answer(ctx: Context, query: str) -> None:
    """Search and answer; used for free text and by other features."""
    hits = await ctx.services.catalogue.find(query, limit=5)
    verdict = decide(hits)
    ctx.remember("last_query", _PERSONAL.sub("…", query)[:200])
    ctx.remember(PENDING_ASPECT, None)
    aspect = detect_aspect(query)
    channel = channel_asked(query)
    card = ctx.services.catalogue.get(hits[0].code) if verdict is Verdict.CONFIDENT else None
    found = verdict is Verdict.AMBIGUOUS or (verdict is Verdict.CONFIDENT and bool(hits))
    # One row per question for /operator/analytics; the text only when nothing was found.
    await ctx.session.execute(
        insert(QuestionLog).values(
            channel=ctx.channel,
            at=ctx.now(),
            verdict="card" if card is not None else "did-you-mean" if found else "not-found",
            procedure_code=hits[0].code[:40] if found else "",
            query="" if found else " ".join(mask_numbers(query).lower().split())[:200],
        )
    )
    if card is not None:
        await answer_procedure(ctx, card, aspect, channel)
        return
    if found:
        top = hits[:3]
        if aspect is not None:
            # Kept for the pick: "Có phải …?" → the chosen card answers the question asked.
            ctx.remember(
                PENDING_ASPECT,
                {"aspect": aspect.value, "channel": channel, "codes": [h.code for h in top]},
            )
        names = []
        for h in top:
            row = ctx.services.catalogue.get(h.code)
            names.append(display_name(ctx, row) if row is not None else h.name)
        labels = distinct_labels(names, MAX_LABEL)
        buttons = [Button(label, f"p:{h.code}") for label, h in zip(labels, top, strict=True)]
        buttons.append(ctx.button("proc-btn-none", "pn"))
        ctx.say("proc-did-you-mean", buttons)
        return
    ctx.say("proc-not-found", [handoff_button(ctx), ctx.button("menu-back", "menu")])


def _pending_aspect(ctx: Context, code: str) -> tuple[Aspect | None, str | None]:
    """The aspect asked before "did you mean", if ``code`` was one of the offered procedures;
    used once (the card's own "back" button shows the plain card)."""
    pending = ctx.recall(PENDING_ASPECT)
    if not isinstance(pending, dict):
        return None, None
    ctx.remember(PENDING_ASPECT, None)
    if code not in (pending.get("codes") or []):
        return None, None
    try:
        aspect = Aspect(pending.get("aspect"))
    except ValueError:
        return None, None
    channel = pending.get("channel")
    return aspect, channel if isinstance(channel, str) else None


@router.payload("p")
async def show(ctx: Context) -> None:
    p = ctx.services.catalogue.get(ctx.payload_arg)
    if p is None:
        ctx.say("proc-gone")
        return
    aspect, channel = _pending_aspect(ctx, p.code)
    await answer_procedure(ctx, p, aspect, channel)


@router.payload("pn")
async def none_of_these(ctx: Context) -> None:
    ctx.remember(PENDING_ASPECT, None)
    ctx.say("proc-not-found", [handoff_button(ctx), ctx.button("menu-back", "menu")])


def _method_detail(ctx: Context, m: ProcedureMethod) -> str:
    """Every figure of one way to file, unshortened, with the catalogue's own wording."""
    line = method_line(ctx, m)
    extra = [x for x in (m.fee_text, m.description) if x and x not in line]
    return line + "".join(f"\n   {x}" for x in extra)


@router.payload("pm")
async def more(ctx: Context) -> None:
    code, _, section = ctx.payload_arg.rpartition(":")
    p = ctx.services.catalogue.get(code)
    if p is None:
        ctx.say("proc-gone")
        return
    lines: list[str] = []
    if section == "d":
        for d in p.documents:
            counts = ctx.t("proc-doc-counts", original=d.get("original", 0), copy=d.get("copy", 0))
            form = f" — {d['form']}" if d.get("form") else ""
            lines.append(f"• {document_name(ctx, d)} ({counts}){form}")
        title = ctx.t("proc-docs-title", count=len(p.documents))
    elif section == "s":
        lines = [f"{i}. {s}" for i, s in enumerate(p.steps, 1)]
        if lines and _english(ctx):
            lines.insert(0, ctx.t("proc-steps-in-vietnamese"))
        title = ctx.t("proc-steps-title")
    elif section == "m":
        # The catalogue's own wording is Vietnamese: an English reader of a curated entry gets
        # the figures, the wording stays on the Vietnamese page.
        plain = _english(ctx) and bool(p.name_en)
        lines = [
            method_line(ctx, m, True) if plain else _method_detail(ctx, m)
            for m in _ordered(p.methods)
        ]
        title = ctx.t("proc-methods-page-title")
    elif section == "l":
        lines = [
            f"• {b['name']}" + (f" ({b['number']})" if b.get("number") else "")
            for b in p.legal_basis
        ]
        title = ctx.t("proc-legal-title")
    else:
        ctx.say("button-expired")
        return
    text = "\n".join(lines) if lines else ctx.t("proc-section-empty")
    # The other sections, then back: a citizen reading the steps often wants the fees next.
    others = [
        ctx.button(key, f"pm:{p.code}:{s}")
        for s, key in (
            ("d", "proc-btn-docs"),
            ("s", "proc-btn-steps"),
            ("m", "proc-btn-methods"),
            ("l", "proc-btn-legal"),
        )
        if s != section
    ]
    buttons = [*others, ctx.button("proc-btn-back-card", f"p:{p.code}")]
    ctx.reply(text, buttons, title=f"{title} — {display_name(ctx, p)}")


@router.payload("fb")
async def feedback(ctx: Context) -> None:
    code, _, vote = ctx.payload_arg.rpartition(":")
    if vote not in ("0", "1") or not code:
        ctx.say("button-expired")
        return
    await ctx.session.execute(
        insert(Feedback).values(
            channel=ctx.channel,
            query=str(ctx.recall("last_query", "")),
            procedure_code=code[:40],
            helpful=vote == "1",
            created_at=ctx.now(),
        )
    )
    ctx.say("proc-feedback-thanks" if vote == "1" else "proc-feedback-sorry")


@router.text(lambda ctx: bool(_PERSONAL.search(ctx.text)), priority=90)
async def personal_data(ctx: Context) -> None:
    ctx.say("proc-personal-data")


@router.text(lambda ctx: True, priority=100)
async def free_text(ctx: Context) -> None:
    await answer(ctx, ctx.text)
