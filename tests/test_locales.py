"""Every user-visible string exists in vi and en, is NFC, every key used in code exists (those
built at run time too, family by family) and gets the variables its message needs; ``t()`` is
strict under tests."""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from fluent.syntax import ast as ftl
from fluent.syntax.visitor import Visitor

from bot import i18n
from bot.domain import DossierStatus, PostalStatus, SubmissionChannel
from bot.http.dashboard import COLUMNS
from bot.i18n import LANGUAGES, TranslationError, bundle, message_ids, t
from lookup.dossier_code import CodeProblem
from lookup.procedure import CHANNELS, LEVELS, ONLINE_LEVELS, TIME_UNITS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "handlers")
# Calls whose key argument is a message id: ``ctx.t(key)``, ``ctx.say(key)``,
# ``ctx.button(key)`` and ``bot.i18n.t(lang, key)``.
KEY_CALLS = {"t", "say", "button"}
# A message id, or an f-string's shape with {} for each placeholder.
KEY_SHAPE = re.compile(r"[a-z{}][a-z0-9_{}]*(?:-[a-z0-9_{}]+)+")
# Strings of that shape in the code that are not message ids (asyncio task names).
NOT_KEYS = {"console-outbox", "telegram-worker-{}"}

# Keys that code builds with an f-string, by the f-string's shape, with every key the shape can
# produce, built from the same source of values and formatted as the code formats them. An
# f-string key not listed here fails test_every_built_key_is_listed.
DYNAMIC_KEYS: dict[str, Collection[str]] = {
    # bot/domain.py: the enums' names and pushes
    "ds-status-{}": [s.key for s in DossierStatus],
    "ds-channel-{}": [c.key for c in SubmissionChannel],
    "postal-status-{}": [s.key for s in PostalStatus],
    # bot/postal.py pushes one for each status the post office reports
    "postal-push-{}": [s.push_key for s in PostalStatus if s.set_by_post_office],
    # handlers/dossiers.py: the hint under the status on the dossier card
    "{}-hint": [f"{s.key}-hint" for s in DossierStatus],
    # handlers/dossiers.py: what the office waits for, for statuses that wait on the citizen
    "ds-missing-{}-title": [f"ds-missing-{s}-title" for s in DossierStatus if s.waits_on_citizen],
    "ds-missing-{}-todo": [f"ds-missing-{s}-todo" for s in DossierStatus if s.waits_on_citizen],
    # handlers/dossiers.py explain_problem: a CodeProblem's name in kebab case. It falls back to
    # ds-problem-other when the key is missing, which would hide a forgotten one.
    "ds-problem-{}": [f"ds-problem-{p.name.lower().replace('_', '-')}" for p in CodeProblem],
    # handlers/postal.py: why a dossier's result cannot be posted
    "postal-refuse-{}": [
        f"postal-refuse-{s.postal_refusal}" for s in DossierStatus if s.postal_refusal
    ],
    # handlers/postal.py summary: fee.same_province True / False / None
    "postal-summary-fee-{}": [f"postal-summary-fee-{k}" for k in ("same", "other", "unknown")],
    # handlers/procedures.py: the catalogue's vocabularies (lookup.procedure validates imports)
    "proc-channel-{}": [f"proc-channel-{c}" for c in CHANNELS],
    "proc-unit-{}": [f"proc-unit-{u}" for u in TIME_UNITS],
    "proc-level-{}": [f"proc-level-{lv}" for lv in LEVELS],
    "proc-online-{}": [f"proc-online-{o}" for o in (*ONLINE_LEVELS, "unstated", "none")],
    # bot/http/dashboard.py: the table's column headings
    "dash-col-{}": [f"dash-col-{c}" for c in COLUMNS],
}


@dataclass(frozen=True)
class KeyUse:
    """A message id, or an f-string's shape, passed to a translating call."""

    where: str
    key: str
    built: bool  # an f-string: ``key`` is its shape
    args: frozenset[str] | None  # keyword names passed; None when ``**args`` hides them


@lru_cache(maxsize=1)
def sources() -> tuple[tuple[str, ast.Module], ...]:
    return tuple(
        (str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8")))
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
    )


def shape(node: ast.JoinedStr) -> str:
    return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)


def key_uses() -> Iterator[KeyUse]:
    for name, tree in sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            # The bare function is bot.i18n.t(lang, key); Context's methods take the key first.
            index = 1 if isinstance(func, ast.Name) else 0
            if called not in KEY_CALLS or len(node.args) <= index:
                continue
            arg = node.args[index]
            spread = any(k.arg is None for k in node.keywords)
            args = None if spread else frozenset(k.arg for k in node.keywords if k.arg)
            where = f"{name}:{node.lineno}"
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield KeyUse(where, arg.value, False, args)
            elif isinstance(arg, ast.JoinedStr):
                yield KeyUse(where, shape(arg), True, args)
            # A key in a variable comes from a literal or an f-string, checked below.


def built_keys() -> Iterator[tuple[str, str]]:
    """(where, shape) of every f-string shaped like a key: passed to a translating call, or
    starting with a family of message ids (``ds-``, ``postal-`` …)."""
    families = {key.split("-")[0] for lang in LANGUAGES for key in message_ids(lang)}
    in_calls = {(use.where, use.key) for use in key_uses() if use.built}
    for name, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                found = (f"{name}:{node.lineno}", shape(node))
                if found in in_calls or (
                    KEY_SHAPE.fullmatch(found[1]) and found[1].split("-")[0] in families
                ):
                    yield found


def literal_keys() -> Iterator[tuple[str, str]]:
    """(where, text) of every string literal shaped like a key of a known family, wherever it
    is: in a translating call, an outbox payload, a lookup table, a menu."""
    families = {key.split("-")[0] for lang in LANGUAGES for key in message_ids(lang)}
    for name, tree in sources():
        # The literal parts of f-strings are fragments, checked through DYNAMIC_KEYS.
        fragments = {
            id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in fragments
                and KEY_SHAPE.fullmatch(node.value)
                and node.value.split("-")[0] in families
            ):
                yield f"{name}:{node.lineno}", node.value


def expand(use: KeyUse) -> Collection[str]:
    return DYNAMIC_KEYS.get(use.key, ()) if use.built else [use.key]


class _Variables(Visitor):
    """The variables a message needs, following references to other messages."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.names: set[str] = set()
        self.seen: set[str] = set()

    def visit_VariableReference(self, node: ftl.VariableReference) -> None:
        self.names.add(node.id.name)

    def visit_MessageReference(self, node: ftl.MessageReference) -> None:
        if node.id.name not in self.seen:
            self.seen.add(node.id.name)
            self.visit(bundle(self.lang)._messages[node.id.name])

    def visit_TermReference(self, node: ftl.TermReference) -> None:
        pass  # a term gets its own arguments, not the caller's


def variables(lang: str, key: str) -> set[str]:
    finder = _Variables(lang)
    finder.visit(bundle(lang)._messages[key])
    return finder.names


def test_vi_and_en_have_the_same_messages() -> None:
    vi, en = message_ids("vi"), message_ids("en")
    assert vi - en == set(), f"missing in en: {sorted(vi - en)}"
    assert en - vi == set(), f"missing in vi: {sorted(en - vi)}"


def test_vi_and_en_messages_take_the_same_variables() -> None:
    # Tests mostly talk Vietnamese: a variable only the English text uses would go unseen.
    differ = {
        key: (sorted(variables("vi", key)), sorted(variables("en", key)))
        for key in message_ids("vi") & message_ids("en")
        if variables("vi", key) != variables("en", key)
    }
    assert not differ, differ


def test_locale_files_are_nfc_and_parse() -> None:
    for lang in LANGUAGES:
        for path in (ROOT / "locales" / lang).glob("*.ftl"):
            text = path.read_text(encoding="utf-8")
            assert unicodedata.is_normalized("NFC", text), path
        assert bundle(lang)._messages  # parsed


def test_every_message_formats_cleanly() -> None:
    # Catches references to unknown messages or terms even in messages no test shows.
    for lang in LANGUAGES:
        for key in sorted(message_ids(lang)):
            t(lang, key, **dict.fromkeys(variables(lang, key), "x"))


def test_every_key_used_in_code_exists() -> None:
    called = {(use.where, use.key) for use in key_uses() if not use.built}
    missing = [
        f"{where}: {key} ({lang})"
        for where, key in sorted(called | set(literal_keys()))
        if key not in NOT_KEYS
        for lang in LANGUAGES
        if key not in message_ids(lang)
    ]
    assert not missing, "\n".join(missing) + "\n(not a message id? add it to NOT_KEYS)"


def test_every_built_key_is_listed() -> None:
    unlisted = [
        f"{where}: f-string key {key!r}"
        for where, key in built_keys()
        if key not in DYNAMIC_KEYS and key not in NOT_KEYS
    ]
    assert not unlisted, "list these in DYNAMIC_KEYS (or NOT_KEYS):\n" + "\n".join(unlisted)


def test_built_key_families_are_still_built() -> None:
    # A family left behind after the code changed would hide a typo in the next one.
    built = {key for _, key in built_keys()}
    assert set(DYNAMIC_KEYS) <= built, sorted(set(DYNAMIC_KEYS) - built)


@pytest.mark.parametrize("family", sorted(DYNAMIC_KEYS))
def test_built_keys_exist(family: str) -> None:
    assert DYNAMIC_KEYS[family], family  # an empty source of values is a mistake too
    for lang in LANGUAGES:
        missing = sorted(set(DYNAMIC_KEYS[family]) - message_ids(lang))
        assert not missing, f"{family} ({lang}): {missing}"


def test_every_call_passes_the_variables_its_message_needs() -> None:
    # Strict t() finds a missing variable only on the paths tests run; this reads every call.
    lacking = []
    for use in key_uses():
        if use.args is None or (use.built and use.key not in DYNAMIC_KEYS):
            continue
        for key in expand(use):
            for lang in LANGUAGES:
                if key in message_ids(lang):
                    needed = variables(lang, key) - use.args
                    if needed:
                        lacking.append(f"{use.where}: {key} ({lang}) needs {sorted(needed)}")
    assert not lacking, "\n".join(lacking)


# Strict t() ------------------------------------------------------------------------------
@pytest.fixture
def failures() -> Iterator[list[TranslationError]]:
    """This module provokes errors on purpose: keep them from failing the test at teardown."""
    yield i18n.failures
    i18n.failures.clear()


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: t("vi", "no-such-message"), "no-such-message (vi): no such message"),
        (lambda: t("en", "money"), "money (en): Unknown external: amount"),
    ],
)
def test_strict_t_raises_naming_the_key_and_errors(
    failures: list[TranslationError], call: Callable[[], str], expected: str
) -> None:
    with pytest.raises(TranslationError) as raised:
        call()
    assert str(raised.value) == expected
    assert failures == [raised.value]


def test_t_in_production_logs_and_returns_the_best_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(i18n, "STRICT", False)
    assert t("vi", "no-such-message") == "no-such-message"
    text = t("vi", "ds-card-event-note", note="0912345678")
    assert "0912345678" in text and "status" in text  # the missing variables' names stand in
    assert "no-such-message (vi): no such message" in caplog.text
    assert "ds-card-event-note (vi): Unknown external: date" in caplog.text
    assert "0912345678" not in caplog.text  # argument values may be personal data
    assert not i18n.failures
