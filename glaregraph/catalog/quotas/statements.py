"""The statements of a charge, built once per shape and dialect (building one with SQLAlchemy
costs more than running it: a take-and-shift statement about 1 ms of Python), with bind
parameters for the values. See counters.py for what they do."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from glaregraph.catalog.database.tables import quota_counters as qc

KEY = [qc.c.project, qc.c.type_name, qc.c.counter, qc.c.stripe]
_TEXT = sa.String()

# take `amount` from a stripe's room given out for `cap`; answers the stripe if it took it
TAKE = (
    sa.update(qc)
    .where(
        qc.c.project == sa.bindparam("t_project", type_=_TEXT),
        qc.c.type_name == sa.bindparam("t_scope", type_=_TEXT),
        qc.c.counter == sa.bindparam("t_counter", type_=_TEXT),
        qc.c.stripe == sa.bindparam("p_stripe", type_=sa.SmallInteger()),
        qc.c.cap == sa.bindparam("p_cap", type_=sa.BigInteger()),
        qc.c.room >= sa.bindparam("p_amount", type_=sa.BigInteger()),
    )
    .values(
        used=qc.c.used + sa.bindparam("p_amount", type_=sa.BigInteger()),
        room=qc.c.room - sa.bindparam("p_amount", type_=sa.BigInteger()),
    )
    .returning(qc.c.stripe)
)


def take_params(
    project: str, scope: str, counter: str, stripe: int, amount: int, cap: int
) -> dict[str, Any]:
    return {
        "t_project": project,
        "t_scope": scope,
        "t_counter": counter,
        "p_stripe": stripe,
        "p_amount": amount,
        "p_cap": cap,
    }


def shift_params(moves: Sequence[tuple[str, str, str, int]], stripe: int) -> dict[str, Any]:
    """`moves`: (project, scope, counter, amount) per row of a shift statement."""
    params: dict[str, Any] = {"p_stripe": stripe}
    for i, (project, scope, counter, amount) in enumerate(moves):
        params.update({f"project_{i}": project, f"scope_{i}": scope, f"counter_{i}": counter})
        params[f"amount_{i}"] = amount
    return params


@functools.cache
def shift(dialect_name: str, rows: int) -> Any:
    """Add an amount to each of `rows` stripes (inserted where missing), in the order given."""
    # SQLite reads `ON CONFLICT` after a SELECT right only when the SELECT has a WHERE
    return _upsert(dialect_name, _rows(rows).where(sa.true()))


# PostgreSQL: TAKE in the function of migration 0009, which undoes a failed attempt (and so
# lets go of a stripe it waited for) in its own EXCEPTION block: answers whether it took
_TAKEN = sa.func.glaregraph_quota_take(
    sa.bindparam("t_project", type_=_TEXT),
    sa.bindparam("t_scope", type_=_TEXT),
    sa.bindparam("t_counter", type_=_TEXT),
    sa.bindparam("p_stripe", type_=sa.SmallInteger()),
    sa.bindparam("p_amount", type_=sa.BigInteger()),
    sa.bindparam("p_cap", type_=sa.BigInteger()),
    type_=sa.Boolean(),
).label("took")
PG_TAKE = sa.select(_TAKEN)


@functools.cache
def take_then_shift(rows: int) -> Any:
    """PostgreSQL: take, then shift `rows` stripes only if it took: the shift reads what the
    take answered, so it runs after it and the rows are still locked in key order. Answers
    whether it took."""
    taken = PG_TAKE.cte("taken")
    source = _rows(rows).where(sa.select(taken.c.took).scalar_subquery())
    shifted = _upsert("postgresql", source).cte("shifted")
    return sa.select(taken.c.took).add_cte(shifted)


def _rows(n: int) -> Any:
    rows = [
        sa.select(
            sa.bindparam(f"project_{i}", type_=_TEXT).label("project"),
            sa.bindparam(f"scope_{i}", type_=_TEXT).label("type_name"),
            sa.bindparam(f"counter_{i}", type_=_TEXT).label("counter"),
            sa.bindparam("p_stripe", type_=sa.SmallInteger()).label("stripe"),
            sa.bindparam(f"amount_{i}", type_=sa.BigInteger()).label("used"),
            sa.literal(0, sa.BigInteger()).label("room"),
        )
        for i in range(n)
    ]
    return rows[0] if n == 1 else sa.union_all(*rows).subquery().select()


def _upsert(dialect_name: str, source: Any) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(qc).from_select([c.name for c in qc.c if c.name != "cap"], source)
    return insert.on_conflict_do_update(
        index_elements=KEY, set_={"used": qc.c.used + insert.excluded.used}
    )
