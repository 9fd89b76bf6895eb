"""Search by meaning (MOTCUA_SEMANTIC_SEARCH): the real model re-orders the lexical candidates,
its procedure vectors are computed once and kept in the database, and the chat offers the
re-ordered choices."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update

from bot import semantic
from bot.app import App, build_dialogue
from bot.catalogue import Catalogue
from bot.config import Settings
from bot.db.engine import Database
from bot.db.models import Procedure, ProcedureVector, utcnow
from bot.demo import load_demo_if_empty
from bot.services import Services
from lookup.search import Hit, Verdict, decide
from lookup.semantic import MAX_QUERY_CHARS, Reranker, query_text
from tests.conftest import FIXED_NOW, Chat, run_motcua, wipe

ROOT = Path(__file__).resolve().parents[1]


def test_search_by_meaning_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite turns it off for the other tests (conftest); a deployment gets it unasked.
    monkeypatch.delenv("MOTCUA_SEMANTIC_SEARCH", raising=False)
    assert Settings(_env_file=None).semantic_search
    assert semantic.available()  # installed with the bot, not an extra


FIRST_PLATE = "biển số xe lần đầu"
# A citizen's message (second dev set): the lexical ranker puts permanent residence first.
VESPA = "mua Vespa nhập khẩu nguyên chiếc, đk biển trên app VNeID toàn trình được không"


async def vector_rows(db: Database) -> int:
    async with db.read() as s:
        return int(await s.scalar(select(func.count()).select_from(ProcedureVector)) or 0)


def test_rerank_orders_by_meaning_and_keeps_the_scores() -> None:
    model = semantic.encoder()
    names = ["Cấp giấy phép xây dựng", "Đăng ký khai sinh", "Đăng ký khai tử"]
    reranker = Reranker(["A", "B", "C"], model.passages(names), model.query)
    hits = [Hit("A", names[0], 0.5), Hit("B", names[1], 0.45), Hit("C", names[2], 0.44)]
    out = reranker.rerank("my wife just gave birth, how do I register our baby", hits)
    assert out[0].code == "B" and {h.code for h in out} == {"A", "B", "C"}
    # The lexical scores stay: a re-ordered first choice below a rival is asked about, not
    # answered with a card.
    assert out[0].score == 0.45
    assert decide(out) is Verdict.AMBIGUOUS
    # Fewer than two known candidates: nothing to re-order, the model is not even asked.
    assert reranker.rerank("anything", hits[:1]) == hits[:1]
    unknown = [Hit("X", "?", 0.6), Hit("A", names[0], 0.5)]
    assert reranker.rerank("khai sinh", unknown) == unknown


def test_a_long_story_is_embedded_by_its_request() -> None:
    """The model's cost grows with the message: a story is cut to its end, where the request
    is, between two words."""
    short = "mất bằng lái làm lại ở đâu"
    assert query_text(short) == short
    story = "Năm ngoái tôi đi làm ở Bình Dương, công ty đóng bảo hiểm đầy đủ, " * 3
    asked = "giờ muốn rút bảo hiểm xã hội một lần thì làm sao"
    cut = query_text(story + asked)
    assert cut.endswith(asked) and len(cut) <= MAX_QUERY_CHARS
    assert (story + asked).endswith(" " + cut)  # whole words only


def test_a_confident_lexical_answer_is_not_re_ordered() -> None:
    """The second stage is for when the lexical ranker is unsure: a card it would give comes
    as it is, and the model is not asked."""
    model = semantic.encoder()
    names = ["Cấp giấy phép xây dựng", "Đăng ký khai sinh"]
    asked: list[str] = []

    def query(text: str) -> Any:
        asked.append(text)
        return model.query(text)

    reranker = Reranker(["A", "B"], model.passages(names), query)
    sure = [Hit("A", names[0], 0.9), Hit("B", names[1], 0.3)]
    assert decide(sure) is Verdict.CONFIDENT
    assert reranker.rerank("đăng ký khai sinh cho con", sure) == sure and asked == []
    unsure = [Hit("A", names[0], 0.5), Hit("B", names[1], 0.45)]
    assert reranker.rerank("đăng ký khai sinh cho con", unsure)[0].code == "B" and asked


@pytest.fixture(scope="module")
async def demo_vectors(database_url: str) -> list[dict[str, Any]]:
    """The bundled catalogue's vectors, computed once for this module (about 8 s of one core):
    the first start on an empty table embeds every procedure and stores it."""
    db = Database(database_url)
    await wipe(db)
    await load_demo_if_empty(db)
    _, computed = await semantic.prepare(db)
    async with db.read() as s:
        rows = [
            {"code": v.code, "digest": v.digest, "vector": v.vector}
            for v in await s.scalars(select(ProcedureVector))
        ]
        procedures = int(await s.scalar(select(func.count()).select_from(Procedure)) or 0)
    await db.dispose()
    assert computed == len(rows) == procedures > 50
    return rows


async def stored(db: Database, vectors: list[dict[str, Any]]) -> None:
    """The demo catalogue with the vectors an earlier start stored."""
    await load_demo_if_empty(db)
    async with db.begin() as conn:
        await conn.execute(insert(ProcedureVector), vectors)


async def test_stored_vectors_are_reused_and_follow_the_catalogue(
    db: Database, demo_vectors: list[dict[str, Any]]
) -> None:
    await stored(db, demo_vectors)
    catalogue = Catalogue(semantic=True)
    await catalogue.reload(db)
    assert catalogue.reranker is not None
    assert await vector_rows(db) == len(catalogue.reranker) == len(catalogue)
    # Another start (or worker) reuses every stored vector.
    _, computed = await semantic.prepare(db)
    assert computed == 0
    # A renamed procedure is embedded again; a removed one loses its row.
    async with db.transaction() as s:
        await s.execute(
            update(Procedure)
            .where(Procedure.code == "1.001193")
            .values(name="Đăng ký khai sinh cho trẻ em", updated_at=utcnow())
        )
        gone = await s.scalar(select(Procedure.code).where(Procedure.code != "1.001193").limit(1))
        await s.execute(delete(Procedure).where(Procedure.code == gone))
    _, computed = await semantic.prepare(db)
    assert computed == 1
    async with db.read() as s:
        assert await s.get(ProcedureVector, gone) is None


async def test_off_by_default_and_lexical_order_kept(db: Database) -> None:
    await load_demo_if_empty(db)
    catalogue = Catalogue()
    await catalogue.reload(db)
    assert catalogue.reranker is None and await vector_rows(db) == 0
    assert await catalogue.find(VESPA) == catalogue.search(VESPA)


@pytest.fixture
async def semantic_chat(
    db: Database, settings: Settings, demo_vectors: list[dict[str, Any]]
) -> AsyncIterator[Chat]:
    await stored(db, demo_vectors)
    on = settings.model_copy(update={"semantic_search": True})
    catalogue = Catalogue(semantic=on.semantic_search)
    await catalogue.reload(db)
    services = Services(settings=on, db=db, catalogue=catalogue, clock=lambda: FIXED_NOW)
    yield Chat(App(services=services, dialogue=build_dialogue(services)))


async def test_the_chat_offers_the_procedure_the_story_means(
    semantic_chat: Chat, chat: Chat
) -> None:
    await chat.send(VESPA)
    assert FIRST_PLATE not in chat.buttons[0]  # lexical order
    await semantic_chat.send(VESPA)
    assert FIRST_PLATE in semantic_chat.buttons[0]
    await semantic_chat.press(FIRST_PLATE)
    assert FIRST_PLATE in semantic_chat.text


def test_the_import_computes_the_vectors_once(tmp_path: Path) -> None:
    rows = [
        {"code": f"1.{n:06d}", "name": name, "field": "Thử nghiệm", "result": "Giấy chứng nhận"}
        for n, name in enumerate(("Đăng ký khai sinh", "Cấp giấy phép xây dựng"), 1)
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path}/v.db"
    env = {"MOTCUA_SEMANTIC_SEARCH": "true", "MOTCUA_LOAD_DEMO_DATA": "false"}
    done = run_motcua("catalogue", "import", str(path), "--db", url, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert "procedure vectors: 2 computed" in done.stdout
    again = run_motcua("catalogue", "import", str(path), "--db", url, cwd=ROOT, env=env)
    assert "procedure vectors: 0 computed" in again.stdout
    # Off: the import says nothing about vectors.
    off_env = {"MOTCUA_SEMANTIC_SEARCH": "false", "MOTCUA_LOAD_DEMO_DATA": "false"}
    off = run_motcua("catalogue", "import", str(path), "--db", url, cwd=ROOT, env=off_env)
    assert "vectors" not in off.stdout
