"""Co-occurrence kept in step with the artifacts: what one artifact's move (ledger.py) changes in
`tag_pairs` and `wide_tags`.

An artifact carrying at most PAIRED_TAGS tags counts, per audience, once for each ordered pair of
its tags; only the pairs a move makes or breaks are written (a tag added to k others: 2k rows).
One carrying more is "wide": its pairs would cost up to k(k-1) rows a write (64,770 at the 255
tags an artifact may carry; a create with 254 tags took 2.5 s on PostgreSQL), so it has its tags
in `wide_tags` instead (rows linear in its tags, under its row lock), and `related` counts its
pairs per read (graph/tags.py)."""

from __future__ import annotations

import functools
from collections import Counter
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from glaregraph.catalog.database.tables import wide_tags
from glaregraph.catalog.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from glaregraph.catalog.tagcounts.ledger import Holding

PAIRED_TAGS = 32  # at most this many tags: pairs kept (at most 992 rows per audience a write)

PairKey = tuple[str, ...]  # tag_pairs' key: tag, scope, project, type_name, other
WideRow = tuple[str, str]  # wide_tags' key: tag, artifact_id


def moved(
    before: Holding | None,
    after: Holding | None,
    pairs: Counter[PairKey],
    wide: Counter[WideRow],
) -> None:
    """Add one artifact's move to the pair changes and the wide-tag changes."""
    _pair_moves(_paired(before), _paired(after), pairs)
    wide.update(_wide(after))
    wide.subtract(_wide(before))


def write_wide(uow: UnitOfWork, wide: Counter[WideRow]) -> None:
    """The wide-tag rows to drop and to add, sent with the mutation's last writes (on
    PostgreSQL as arrays, so they join the one statement those make)."""
    gone = sorted(row for row, n in wide.items() if n < 0)
    new = sorted(row for row, n in wide.items() if n > 0)
    pg = uow.conn.dialect.name == "postgresql"
    if gone:
        if pg:
            uow.later(_pg_statements()[0], _arrays("wide_gone", gone))
        else:
            uow.later(delete_rows(), rows_of(gone))
    if new:
        if pg:
            uow.later(_pg_statements()[1], _arrays("wide_new", new))
        else:
            rows = [{"tag": t, "artifact_id": a} for t, a in new]
            uow.later(sqlite.insert(wide_tags).on_conflict_do_nothing(), rows)


def _arrays(prefix: str, rows: list[WideRow]) -> dict[str, list[str]]:
    return {f"{prefix}_tag": [t for t, _ in rows], f"{prefix}_artifact": [a for _, a in rows]}


@functools.cache
def _pg_statements() -> tuple[sa.Delete, Any]:
    """PostgreSQL: (delete, insert) of the rows given as two arrays each; built once."""

    def rows(prefix: str) -> Any:
        tag, artifact = (
            sa.bindparam(f"{prefix}_{c}", type_=postgresql.ARRAY(sa.String()))
            for c in ("tag", "artifact")
        )
        return sa.func.unnest(tag, artifact).table_valued("tag", "artifact_id").render_derived()

    gone = rows("wide_gone")
    delete = sa.delete(wide_tags).where(
        sa.tuple_(wide_tags.c.tag, wide_tags.c.artifact_id).in_(
            sa.select(gone.c.tag, gone.c.artifact_id)
        )
    )
    new = rows("wide_new")
    insert = postgresql.insert(wide_tags).from_select(
        ["tag", "artifact_id"], sa.select(new.c.tag, new.c.artifact_id)
    )
    return delete, insert.on_conflict_do_nothing()


def rows_of(rows: list[WideRow]) -> list[dict[str, str]]:
    return [{"w_tag": t, "w_artifact": a} for t, a in rows]


@functools.cache
def delete_rows() -> sa.Delete:
    """The delete of wide_tags rows given one per parameter set (`rows_of`)."""
    match = sa.and_(
        wide_tags.c.tag == sa.bindparam("w_tag"),
        wide_tags.c.artifact_id == sa.bindparam("w_artifact"),
    )
    return sa.delete(wide_tags).where(match)


def _paired(held: Holding | None) -> Holding | None:
    return held if held is not None and len(held.tags) <= PAIRED_TAGS else None


def _wide(held: Holding | None) -> list[WideRow]:
    if held is None or len(held.tags) <= PAIRED_TAGS:
        return []
    return [(tag, held.artifact_id) for tag in held.tags]


def _pair_moves(before: Holding | None, after: Holding | None, pairs: Counter[PairKey]) -> None:
    """The ordered pairs of tags the artifact stops and starts carrying together, per audience:
    pairs it keeps in an audience are left alone."""
    was, now = _by_key(before), _by_key(after)
    for key in was.keys() | now.keys():
        old, new = was.get(key, frozenset()), now.get(key, frozenset())
        kept = old & new
        _pairs_beyond(new, kept, key, 1, pairs)
        _pairs_beyond(old, kept, key, -1, pairs)


def _by_key(held: Holding | None) -> dict[tuple[str, str, str], frozenset[str]]:
    if held is None:
        return {}
    return {(scope, project, held.type_name): held.tags for scope, project in held.audiences}


def _pairs_beyond(
    tags: frozenset[str],
    kept: frozenset[str],
    key: tuple[str, str, str],
    sign: int,
    pairs: Counter[PairKey],
) -> None:
    """`sign` for each ordered pair of `tags` not both in `kept`, each once."""
    scope, project, type_name = key
    for tag in tags - kept:
        for other in tags:
            if other != tag:
                pairs[(tag, scope, project, type_name, other)] += sign
                if other in kept:  # (kept, new) is not reached from the kept tag's side
                    pairs[(other, scope, project, type_name, tag)] += sign
