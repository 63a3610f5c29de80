"""The mutation unit of work's extension points, on a real database: commit hooks see every
change and write in the mutation's transaction, guards can refuse any artifact a mutation
takes (its own and the ones it changes on the side), and the caller hears what changed only
after a commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection

import pytest

from glaregraph.catalog import aliases, tagging, writing
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.errors import Locked, NotFound
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.catalog.unit_of_work import Change, UnitOfWork

ALICE = Principal(user_id="alice", project="p1", roles=("member",))


@pytest.fixture
async def db(migrated: str) -> AsyncIterator[Database]:
    database = Database(migrated)
    yield database
    await database.dispose()


class Recorder:
    """A commit hook that keeps what each mutation reported."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None, list[Change]]] = []

    async def __call__(self, uow: UnitOfWork) -> None:
        self.seen.append((uow.name, uow.caller.request_id, uow.changes))


class Refuse:
    """A guard that refuses the artifacts it names."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.asked: list[str] = []

    async def __call__(self, uow: UnitOfWork, artifact_id: str) -> None:
        self.asked.append(artifact_id)
        if artifact_id in self.ids:
            raise Locked("held by someone else", holder="mallory")


def caller(told: list[list[str]] | None = None) -> Caller:
    def changed(ids: Collection[str]) -> None:
        if told is not None:
            told.append(sorted(ids))

    return Caller(ALICE, "req-1", changed)


async def image(catalog: Catalog, version: str) -> str:
    values = {"name": "c", "version": version}
    return (await writing.create_artifact(catalog, caller(), catalog.type("image"), values)).id


async def test_a_commit_hook_sees_each_change_with_revisions_before_and_after(db):
    hook = Recorder()
    catalog = Catalog(db=db, registry=load_registry(), hooks=(hook,))
    v1, v2 = await image(catalog, "1.0.0"), await image(catalog, "2.0.0")
    await aliases.set_alias(catalog, caller(), v1, "stable")
    await aliases.set_alias(catalog, caller(), v2, "stable")
    names = [name for name, _, _ in hook.seen]
    assert names == ["imageCreate", "imageCreate", "aliasSet", "aliasSet"]
    assert hook.seen[0][1] == "req-1"
    assert hook.seen[0][2] == [Change(v1, "image", None, 1)]
    assert hook.seen[2][2] == [Change(v1, "image", 1, 2)]
    assert sorted(hook.seen[3][2], key=lambda c: c.revision_before) == [
        Change(v2, "image", 1, 2),
        Change(v1, "image", 2, 3),
    ]


async def test_a_failing_commit_hook_rolls_the_mutation_back(db):
    async def fail(uow: UnitOfWork) -> None:
        raise RuntimeError("audit store down")

    plain = Catalog(db=db, registry=load_registry())
    failing = Catalog(db=db, registry=load_registry(), hooks=(fail,))
    v1 = await image(plain, "1.0.0")
    with pytest.raises(RuntimeError):
        await tagging.add_tags(failing, caller(), v1, ["x"])
    with pytest.raises(RuntimeError):
        await image(failing, "2.0.0")
    record = await tagging.add_tags(plain, caller(), v1, [])
    assert record.revision == 1
    t = plain.type("image")
    with pytest.raises(NotFound):  # 2.0.0 was never created
        await writing.update_artifact(plain, caller(), t, "missing", {}, None)


async def test_a_guard_refuses_the_artifact_and_nothing_changes(db):
    guard = Refuse()
    catalog = Catalog(db=db, registry=load_registry(), guards=(guard,))
    v1 = await image(catalog, "1.0.0")
    guard.ids.add(v1)
    with pytest.raises(Locked):
        await tagging.add_tags(catalog, caller(), v1, ["x"])
    guard.ids.clear()
    assert (await tagging.add_tags(catalog, caller(), v1, [])).revision == 1


async def test_a_guard_is_asked_about_the_previous_alias_holder_too(db):
    guard = Refuse()
    catalog = Catalog(db=db, registry=load_registry(), guards=(guard,))
    v1, v2 = await image(catalog, "1.0.0"), await image(catalog, "2.0.0")
    await aliases.set_alias(catalog, caller(), v1, "stable")
    guard.ids.add(v1)  # the holder is held: the alias cannot move away from it
    guard.asked.clear()
    with pytest.raises(Locked):
        await aliases.set_alias(catalog, caller(), v2, "stable")
    assert guard.asked == [v2, v1]  # its own first, once the caller may act
    guard.ids.clear()
    moved = await aliases.set_alias(catalog, caller(), v2, "stable")
    assert moved.revision == 2


async def test_the_caller_hears_what_changed_only_after_a_commit(db):
    catalog = Catalog(db=db, registry=load_registry())
    told: list[list[str]] = []
    v1, v2 = await image(catalog, "1.0.0"), await image(catalog, "2.0.0")
    await aliases.set_alias(catalog, caller(told), v1, "stable")
    await aliases.set_alias(catalog, caller(told), v2, "stable")
    await tagging.add_tags(catalog, caller(told), v1, [])  # nothing changes: nothing to tell
    with pytest.raises(NotFound):
        await tagging.add_tags(catalog, caller(told), "missing", ["x"])
    assert told == [[v1], sorted([v1, v2])]
