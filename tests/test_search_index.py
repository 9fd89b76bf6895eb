"""The stored search index: built once, loaded by every start and worker, rebuilt when stale."""

from __future__ import annotations

import gzip
import json
import os
import pickle
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from bot import search_index
from bot.catalogue import Catalogue
from bot.catalogue_io import import_file
from bot.db.engine import Database
from bot.db.models import Procedure, ProcedureAlias, SearchIndexRow
from bot.demo import load_demo_if_empty
from tests.conftest import run_motcua

ROOT = Path(__file__).resolve().parents[1]
BIRTH = "1.001193"


def record(code: str, name: str) -> dict[str, object]:
    return {"code": code, "name": name, "field": "Thử nghiệm", "result": "Giấy chứng nhận"}


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


async def restart(db: Database) -> Catalogue:
    """What a new process (or another worker) does at start."""
    catalogue = Catalogue()
    await catalogue.reload(db)
    return catalogue


async def stored_row(db: Database) -> SearchIndexRow | None:
    async with db.read() as s:
        return await s.get(SearchIndexRow, search_index.ROW_NAME)


async def test_built_once_then_loaded_by_every_start(db: Database) -> None:
    await load_demo_if_empty(db)
    first = await restart(db)
    assert first.source == "built"
    row = await stored_row(db)
    assert row is not None and row.procedures == len(first) > 50
    second, third = await restart(db), await restart(Database(str(db.url)))
    assert second.source == third.source == "stored"
    for catalogue in (first, second, third):
        assert catalogue.search("lam giay khai sinh")[0].code == BIRTH
    assert [h.code for h in second.search("doi bang lai")] == [
        h.code for h in first.search("doi bang lai")
    ]


async def test_a_card_is_the_stored_procedure(db: Database) -> None:
    await load_demo_if_empty(db)
    await restart(db)
    catalogue = await restart(db)
    card = catalogue.get(BIRTH)
    async with db.read() as s:
        p = await s.get(Procedure, BIRTH)
    assert card is not None and p is not None
    columns = [c.key for c in Procedure.__table__.columns]
    assert {k: getattr(card, k) for k in columns} == {k: getattr(p, k) for k in columns}
    method_keys = ("position", "channel", "time_value", "time_unit", "fee_amount", "fee_text")
    assert [tuple(getattr(m, k) for k in method_keys) for m in card.methods] == [
        tuple(getattr(m, k) for k in method_keys) for m in p.methods
    ]
    assert catalogue.get(BIRTH) is card  # decoded once while it is asked for
    assert catalogue.get("9.999999") is None


async def test_an_import_that_changes_a_name_is_found_after_restart(
    db: Database, tmp_path: Path
) -> None:
    await load_demo_if_empty(db)  # a real catalogue around it, for meaningful scores
    path = write(tmp_path / "a.jsonl", [record("1.000001", "Cấp giấy phép nuôi chim yến")])
    async with db.transaction() as s:
        await import_file(s, path)
    assert await search_index.refresh(db) is True
    assert await search_index.refresh(db) is False  # current: nothing rebuilt
    before = await restart(db)
    assert before.source == "stored"
    assert before.search("nuoi chim yen")[0].code == "1.000001"

    path = write(tmp_path / "b.jsonl", [record("1.000001", "Cấp giấy phép nuôi cá sấu")])
    async with db.transaction() as s:
        await import_file(s, path)
    after = await restart(db)
    assert after.source == "built"
    assert after.search("nuoi ca sau")[0].code == "1.000001"
    card = after.get("1.000001")
    assert card is not None and card.name == "Cấp giấy phép nuôi cá sấu"
    assert (await restart(db)).source == "stored"


async def test_an_identical_import_keeps_the_stored_index(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", [record("1.000001", "Cấp giấy phép nuôi chim yến")])
    async with db.transaction() as s:
        await import_file(s, path)
    await search_index.refresh(db)
    async with db.transaction() as s:
        report = await import_file(s, path)
    assert report.unchanged == 1
    assert await search_index.refresh(db) is False


async def test_any_catalogue_write_makes_it_stale(db: Database) -> None:
    """Writes that do not go through the import (the ORM, an operator's SQL setting updated_at,
    an alias added by an admin) change the revision too."""
    await load_demo_if_empty(db)
    await restart(db)
    async with db.transaction() as s:
        p = await s.get(Procedure, BIRTH)
        assert p is not None
        p.name = "Đăng ký khai sinh cho trẻ mồ côi"
    assert (await restart(db)).source == "built"
    async with db.transaction() as s:
        s.add(ProcedureAlias(code=BIRTH, text="bao sinh cho be", created_by="lan"))
    fresh = await restart(db)
    assert fresh.source == "built"
    assert fresh.search("bao sinh cho be")[0].code == BIRTH
    async with db.transaction() as s:
        await s.execute(delete(ProcedureAlias))
    assert (await restart(db)).source == "built"


async def test_a_new_format_version_rebuilds(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await load_demo_if_empty(db)
    await restart(db)
    monkeypatch.setattr(search_index, "FORMAT_VERSION", search_index.FORMAT_VERSION + 1)
    assert (await restart(db)).source == "built"
    row = await stored_row(db)
    assert row is not None and row.format.startswith(f"{search_index.FORMAT_VERSION}:")
    assert (await restart(db)).source == "stored"


async def test_an_unreadable_blob_is_rebuilt(db: Database) -> None:
    await load_demo_if_empty(db)
    await restart(db)
    async with db.transaction() as s:
        await s.execute(update(SearchIndexRow).values(data=b"not a blob"))
    catalogue = await restart(db)
    assert catalogue.source == "built"
    assert catalogue.search("lam giay khai sinh")[0].code == BIRTH


class Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned",))


async def test_a_blob_naming_other_callables_is_refused(db: Database) -> None:
    """The stored blob is ours; one that names anything but the index's own classes is not
    unpickled but rebuilt."""
    await load_demo_if_empty(db)
    await restart(db)
    evil = gzip.compress(pickle.dumps((Evil(), {}), protocol=5))
    with pytest.raises(search_index.StaleIndex, match=r"(posix|os)\.system"):
        search_index.decode_snapshot(evil)
    async with db.transaction() as s:
        await s.execute(update(SearchIndexRow).values(data=evil))
    assert (await restart(db)).source == "built"


def test_an_index_that_has_answered_stores_and_loads_like_a_fresh_one() -> None:
    """What questions leave behind (the candidate arrays, cached heads) is not stored: the
    restricted loader would refuse it, and every start would rebuild."""
    rows = [
        dict.fromkeys(search_index._PROC_KEYS) | record(code, name) | {"popular": True}
        for code, name in ((BIRTH, "Đăng ký khai sinh"), ("1.000001", "Đăng ký kết hôn"))
    ]
    snap = search_index.build_snapshot(rows, {}, {})
    asked = [h.code for h in snap.index.search("lam giay khai sinh")]
    assert asked[0] == BIRTH
    index, _ = search_index.decode_snapshot(search_index.encode_snapshot(snap), snap.cards.buffer)
    assert [h.code for h in index.search("lam giay khai sinh")] == asked
    assert index.search("dang ky ket hon")[0].code == "1.000001"


async def test_two_workers_share_one_stored_index(db: Database) -> None:
    await load_demo_if_empty(db)
    a, b = await restart(db), await restart(Database(str(db.url)))
    assert (a.source, b.source) == ("built", "stored")
    async with db.read() as s:
        rows = (await s.execute(select(SearchIndexRow.name))).scalars().all()
    assert rows == [search_index.ROW_NAME]


# --- the import command: progress bar on a terminal only ---------------------------------------
def catalogue_file(tmp_path: Path) -> Path:
    rows = [record(f"1.{n:06d}", f"Thủ tục thử số {n}") for n in range(1, 4)]
    return write(tmp_path / "c.jsonl", rows)


def test_no_progress_bar_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/p.db"
    done = run_motcua("catalogue", "import", str(catalogue_file(tmp_path)), "--db", url, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "importing" not in done.stdout + done.stderr and "\r" not in done.stdout
    assert done.stdout.splitlines()[0] == "imported 3, updated 0, unchanged 0, rejected 0"
    assert "search index: rebuilt" in done.stdout
    again = run_motcua("catalogue", "import", str(catalogue_file(tmp_path)), "--db", url, cwd=ROOT)
    assert again.stdout.splitlines()[0] == "imported 0, updated 0, unchanged 3, rejected 0"
    assert "search index: current" in again.stdout


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    db = ("--db", f"sqlite+aiosqlite:///{tmp_path}/p.db")
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "catalogue", "import", str(catalogue_file(tmp_path)), *db],
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    ) as proc:
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=60)
    os.close(master)
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 0, proc.stderr
    assert "importing" in text or "indexing" in text
    assert "3/3" in text
    assert "imported 3, updated 0, unchanged 0, rejected 0" in text
