"""The one authorization point: the visibility rule read as SQL and in Python gives the same
answer for every combination of owner, visibility, status, shares and caller; policy actions
and the admin rules answer as the built-in defaults say."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from rows import artifact_row

from glaregraph.catalog.authz import Authorizer, Policy
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.tables import artifact_shares, artifacts
from glaregraph.catalog.errors import Forbidden, Unauthenticated
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.records import ArtifactRecord

PRINCIPALS = {
    "admin": Principal("root", "ops", ("admin",), is_admin=True),
    "p1": Principal("alice", "p1", ("member",)),
    "p2": Principal("bob", "p2", ("member",)),
    "p3": Principal("dave", "p3", ("member",)),
    "anonymous": Principal.anonymous_user(),
}
STATUSES = ("DRAFTED", "ACTIVE", "DEACTIVATED", "DELETED")
VISIBILITIES = ("PRIVATE", "SHARED", "PUBLIC")
SHARES = ((), ("p1",), ("p3",), ("p1", "p3"))


def row(owner: str, visibility: str, status: str, n: int) -> dict[str, object]:
    return artifact_row(f"a{n}", owner=owner, visibility=visibility, status=status)


async def test_sql_and_python_visibility_agree_for_every_combination(migrated):
    db = Database(migrated)
    authz = Authorizer()
    rows, shares = [], {}
    combos = itertools.product(("p1", "p2"), VISIBILITIES, STATUSES, SHARES)
    for n, (owner, visibility, status, shared) in enumerate(combos):
        r = row(owner, visibility, status, n)
        rows.append(r)
        shares[r["id"]] = set(shared)
    async with db.write() as conn:
        await conn.execute(sa.insert(artifacts), rows)
        share_rows = [{"artifact_id": i, "project": p} for i, ps in shares.items() for p in ps]
        await conn.execute(sa.insert(artifact_shares), share_rows)
    records = [ArtifactRecord.from_row(r) for r in rows]
    try:
        for name, principal in PRINCIPALS.items():
            async with db.read() as conn:
                stmt = sa.select(artifacts.c.id).where(authz.visible(principal))
                in_sql = set((await conn.execute(stmt)).scalars())
            in_python = {r.id for r in records if authz.sees(principal, r, shares[r.id])}
            assert in_sql == in_python, name
            assert in_sql, name  # every caller sees something: the check is not vacuous
    finally:
        await db.dispose()
    deleted = {r.id for r in records if r.status == "DELETED"}
    admin_sees = {r.id for r in records if authz.sees(PRINCIPALS["admin"], r, shares[r.id])}
    assert admin_sees == {r.id for r in records} - deleted
    p3_sees = {r.id for r in records if authz.sees(PRINCIPALS["p3"], r, shares[r.id])}
    assert p3_sees == {
        r.id
        for r in records
        if r.id not in deleted
        and (r.visibility == "PUBLIC" or (r.visibility == "SHARED" and "p3" in shares[r.id]))
    }


def record(owner: str = "p1", visibility: str = "PRIVATE", status: str = "DRAFTED"):
    return ArtifactRecord.from_row(row(owner, visibility, status, 0))


@pytest.mark.parametrize(
    ("who", "action", "owner", "allowed"),
    [
        ("p1", "update", "p1", True),
        ("p2", "update", "p1", False),
        ("admin", "update", "p1", True),
        ("p1", "publish", "p1", False),
        ("admin", "publish", "p1", True),
        ("p1", "deactivate", "p1", False),
        ("p1", "see_shares", "p1", True),
        ("p2", "see_shares", "p1", False),
        ("anonymous", "create", None, False),
        ("p2", "create", None, True),
    ],
)
async def test_built_in_policy(who, action, owner, allowed):
    artifact = record(owner) if owner else None
    assert await Authorizer().can(PRINCIPALS[who], action, artifact) is allowed


async def test_anonymous_callers_are_unauthenticated_and_members_forbidden():
    authz = Authorizer()
    with pytest.raises(Unauthenticated):
        await authz.check(PRINCIPALS["anonymous"], "create")
    with pytest.raises(Forbidden):
        await authz.check(PRINCIPALS["p1"], "publish", record())


@pytest.mark.parametrize(
    ("visibility", "status", "who", "allowed"),
    [
        ("PRIVATE", "ACTIVE", "p1", True),
        ("PUBLIC", "ACTIVE", "p1", False),
        ("PRIVATE", "DEACTIVATED", "p1", False),
        ("PUBLIC", "ACTIVE", "admin", True),
    ],
)
async def test_public_and_deactivated_artifacts_change_only_by_an_admin(
    visibility, status, who, allowed
):
    artifact = record("p1", visibility, status)
    authz = Authorizer()
    if allowed:
        await authz.check_change(PRINCIPALS[who], artifact)
    else:
        with pytest.raises(Forbidden):
            await authz.check_change(PRINCIPALS[who], artifact)


async def test_a_policy_override_moves_the_admin_rule():
    authz = Authorizer(Policy({"change_protected": "owner or admin", "see_shares": "admin"}))
    await authz.check_change(PRINCIPALS["p1"], record("p1", "PUBLIC", "ACTIVE"))
    with pytest.raises(Forbidden):
        await authz.check_change(PRINCIPALS["p2"], record("p1", "PUBLIC", "ACTIVE"))
    assert not await authz.sees_shares(PRINCIPALS["p1"], record("p1"))
