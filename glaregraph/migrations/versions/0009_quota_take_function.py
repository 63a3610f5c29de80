"""PostgreSQL: `glaregraph_quota_take`, the conditional charge of one quota stripe in a
function whose EXCEPTION block is the savepoint a charge needs. An UPDATE that waited for a
stripe another writer changed keeps that row locked even when its condition then fails; undoing
the attempt lets the lock go (see catalog/quotas/counters.py). The client sent SAVEPOINT as a
round trip of its own before every charge; the function does the same in the charge's own
statement. SQLite needs neither (its writers are serialised).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:00:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TAKE = """
CREATE OR REPLACE FUNCTION glaregraph_quota_take(
    p_project text, p_scope text, p_counter text, p_stripe smallint, p_amount bigint,
    p_cap bigint
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    UPDATE quota_counters SET used = used + p_amount, room = room - p_amount
     WHERE project = p_project AND type_name = p_scope AND counter = p_counter
       AND stripe = p_stripe AND cap = p_cap AND room >= p_amount;
    IF FOUND THEN
        RETURN true;
    END IF;
    RAISE SQLSTATE 'GGQ01';  -- undo the attempt, and with it a lock it waited for
EXCEPTION WHEN SQLSTATE 'GGQ01' THEN
    RETURN false;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TAKE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION glaregraph_quota_take(text, text, text, smallint, bigint, bigint)"
        )
