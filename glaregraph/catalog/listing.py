"""Listing artifacts: one keyset page in one statement; the exact count only when asked for."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from glaregraph.catalog.authz import Authorizer
from glaregraph.catalog.context import Catalog
from glaregraph.catalog.database.engine import Database
from glaregraph.catalog.database.indexes import has_index
from glaregraph.catalog.database.tables import artifacts
from glaregraph.catalog.errors import BadUserInput
from glaregraph.catalog.principal import Principal
from glaregraph.catalog.query import ordering
from glaregraph.catalog.query.columns import type_literal
from glaregraph.catalog.query.filters import compile_filter
from glaregraph.catalog.query.jsonops import related_values
from glaregraph.catalog.records import ArtifactRecord
from glaregraph.catalog.typedef.model import TypeDef

DEFAULT_PAGE = 25
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass(slots=True)
class Page:
    """One page of records; cursors are encoded only when someone asks for them."""

    records: list[ArtifactRecord]
    sort_values: list[list[Any]] = field(repr=False)
    terms: list[ordering.Term] = field(repr=False)
    scope: str
    has_next: bool
    has_previous: bool
    where: ColumnElement[bool] = field(repr=False)
    signature: str = field(repr=False)  # of the list and order, in every cursor
    total: int | None = None  # counted in the page's statement, when asked for and rows came

    def cursor(self, index: int) -> str:
        return ordering.encode_cursor(self.signature, self.sort_values[index])

    @property
    def cursors(self) -> list[str]:
        return [self.cursor(i) for i in range(len(self.records))]

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(0) if self.records else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(len(self.records) - 1) if self.records else None


async def list_artifacts(
    catalog: Catalog,
    principal: Principal,
    t: TypeDef | None,
    filter_spec: Mapping[str, Any] | None,
    sort: list[tuple[str, bool]] | None,
    args: PageArgs,
    related: Collection[str] = (),
    count: bool = False,
) -> Page:
    """A page of the artifacts `principal` may see, of type `t` (None = every served type),
    each with its tags and the `related` values named (`aliases`, `shared_with`) read in the
    same statement. With `count`, the exact number of matches is counted in that statement too
    (`Page.total`; a page without rows cannot carry it: `count_artifacts` then).

    As in Relay: `after` and `before` bound the list, then `first` takes from its start or
    `last` from its end (not both)."""
    if args.first is not None and args.last is not None:
        raise BadUserInput("give first or last, not both", field="last")
    backward = args.last is not None
    size = _page_size(args.last if backward else args.first, "last" if backward else "first")
    terms = ordering.order_terms(sort, t)
    scope = t.name if t is not None else "*"
    db = catalog.db
    unindexed = db.is_sqlite and _sorted_by_index(terms[0], t)
    where = _where(catalog.authz, principal, t, filter_spec, unindexed)
    if t is None:
        where = sa.and_(artifacts.c.type_name.in_(catalog.served_types), where)
    values = [related_values(r) for r in ("tags", *related)]
    if count:  # one scan more, but no second round trip
        total = sa.select(sa.func.count()).select_from(artifacts).where(where)
        values.append(total.scalar_subquery().label("_total"))
    stmt = sa.select(
        artifacts, *values, *(term.expr.label(f"_s{i}") for i, term in enumerate(terms))
    ).where(where)
    for name, cursor, reverse in (("after", args.after, False), ("before", args.before, True)):
        if cursor is not None:
            values = ordering.decode_cursor(terms, cursor, name, scope)
            stmt = stmt.where(ordering.after(terms, values, reverse=reverse))
    stmt = stmt.order_by(*ordering.order_by(terms, reverse=backward)).limit(size + 1)
    async with db.read() as conn:
        rows = (await conn.execute(stmt)).mappings().all()
    more = len(rows) > size
    rows = list(rows[:size])
    if backward:
        rows.reverse()
    records = [ArtifactRecord.from_row(r) for r in rows]
    await hide_shares(catalog, principal, records)
    return Page(
        records=records,
        sort_values=[[r[f"_s{i}"] for i in range(len(terms))] for r in rows],
        terms=terms,
        scope=scope,
        has_next=more if not backward else args.before is not None,
        has_previous=more if backward else args.after is not None,
        where=where,
        signature=ordering.signature(terms, scope),
        total=rows[0]["_total"] if count and rows else None,
    )


async def hide_shares(
    catalog: Catalog, principal: Principal, records: Collection[ArtifactRecord]
) -> None:
    """Empty the `shared_with` read along with records the caller may not see it of."""
    for record in records:
        if record.shared_with and not await catalog.authz.sees_shares(principal, record):
            record.shared_with = []


async def count_artifacts(db: Database, where: ColumnElement[bool]) -> int:
    async with db.read() as conn:
        return int(
            (
                await conn.execute(sa.select(sa.func.count()).select_from(artifacts).where(where))
            ).scalar_one()
        )


def _sorted_by_index(first: ordering.Term, t: TypeDef | None) -> bool:
    """The order can be read off an index, so no filter index should be preferred to it."""
    if first.name in ("created_at", "name"):
        return True
    f = t.field(first.name) if t is not None else None
    return f is not None and has_index(f)


def _where(
    authz: Authorizer,
    principal: Principal,
    t: TypeDef | None,
    filter_spec: Mapping[str, Any] | None,
    unindexed: bool = False,
) -> ColumnElement[bool]:
    """SQLite has no statistics on how selective a type-field condition is; left to itself it
    takes such a filter's index and sorts every match even under a LIMIT. When the order can be
    read off an index (`unindexed`), type-field conditions are kept off their indexes instead.
    PostgreSQL decides from the extended statistics made in `database/indexes.py`."""
    spec = dict(filter_spec or {})
    latest = _pop_latest(spec)
    conds: list[ColumnElement[bool]] = [
        authz.visible(principal),
        compile_filter(spec, t, unindexed=unindexed),
    ]
    if t is not None:
        conds.insert(0, type_literal(t.name))
    where = sa.and_(*conds)
    if not latest:
        return where
    ranked = (
        sa.select(
            artifacts.c.id,
            sa.func.row_number()
            .over(
                partition_by=[artifacts.c.type_name, artifacts.c.name],
                order_by=[artifacts.c.version_key.desc(), artifacts.c.id],
            )
            .label("rn"),
        )
        .where(where)
        .subquery("ranked")
    )
    return sa.and_(where, artifacts.c.id.in_(sa.select(ranked.c.id).where(ranked.c.rn == 1)))


def _pop_latest(spec: dict[str, Any]) -> bool:
    """`version.latest` applies after every other filter, so only at the top level."""
    version = spec.get("version")
    latest = bool(version and version.get("latest"))
    if version and "latest" in version:
        spec["version"] = {k: v for k, v in version.items() if k != "latest"}
    for key in ("and", "or", "not"):
        nested = spec.get(key)
        for sub in nested if isinstance(nested, list) else [nested] if nested else []:
            if (sub.get("version") or {}).get("latest") is not None:
                raise BadUserInput(
                    "version.latest is allowed only at the top of a filter", field=f"filter.{key}"
                )
    return latest


def _page_size(value: int | None, name: str) -> int:
    if value is None:
        return DEFAULT_PAGE
    if value < 0 or value > MAX_PAGE:
        raise BadUserInput(f"{name} must be between 0 and {MAX_PAGE}", field=name)
    return value
