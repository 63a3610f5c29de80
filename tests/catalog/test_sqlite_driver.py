"""The SQLite adapter makes one trip to aiosqlite's thread per statement and none for the end of
a read, while writes keep their transactions (always on SQLite: it is the embedded default)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import aiosqlite
import pytest
import sqlalchemy as sa

from glaregraph.catalog.database.engine import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.write() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        await conn.exec_driver_sql("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')")
    yield database
    await database.dispose()


@contextmanager
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every call queued to aiosqlite's thread, by the name of what it runs."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.Connection, "_execute", counted)
        yield seen


async def _write(db: Database, *statements: str, fail: bool = False) -> None:
    async with db.write() as conn:
        for statement in statements:
            await conn.execute(sa.text(statement))
        if fail:
            raise RuntimeError("the use case failed")


async def test_a_read_is_one_trip_with_its_rows(db: Database, monkeypatch: pytest.MonkeyPatch):
    async with db.read() as conn:  # warm the pool: connecting has trips of its own
        await conn.execute(sa.text("SELECT 1"))
    with trips(monkeypatch) as seen:
        async with db.read() as conn:
            rows = (await conn.execute(sa.text("SELECT v FROM t ORDER BY id"))).all()
    assert [r.v for r in rows] == ["a", "b", "c"]
    assert seen == ["_run"]


async def test_a_write_commits_and_a_failed_one_leaves_nothing(db: Database):
    async with db.write() as conn:
        result = await conn.execute(sa.text("UPDATE t SET v = 'z' WHERE id = 1"))
        assert result.rowcount == 1
    with pytest.raises(sa.exc.IntegrityError):
        await _write(db, "INSERT INTO t (v) VALUES ('d')", "INSERT INTO t (id, v) VALUES (1, 'x')")
    async with db.read() as conn:
        values = (await conn.execute(sa.text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["z", "b", "c"]


async def test_a_connection_goes_back_to_the_pool_without_a_transaction(db: Database):
    with pytest.raises(RuntimeError):
        await _write(db, "UPDATE t SET v = 'y' WHERE id = 2", fail=True)
    async with db.read() as conn:  # the same pooled connection: its update was rolled back
        raw = await conn.get_raw_connection()
        assert raw.driver_connection is not None
        assert not raw.driver_connection._conn.in_transaction
        value = (await conn.execute(sa.text("SELECT v FROM t WHERE id = 2"))).scalar_one()
    assert value == "b"


async def test_many_rows_inserted_at_once_report_their_count(db: Database):
    async with db.write() as conn:
        await conn.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), [{"v": "m"}, {"v": "n"}])
    async with db.read() as conn:
        count = (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one()
    assert count == 5
