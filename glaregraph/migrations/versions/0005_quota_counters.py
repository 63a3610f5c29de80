"""Quota usage in stripes: concurrent creates of one project no longer wait on one row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quota_counters",
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("counter", sa.String(length=16), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("used", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("room", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("cap", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint(
            "project", "type_name", "counter", "stripe", name=op.f("pk_quota_counters")
        ),
    )
    # what was counted moves to stripe 0; no room is given out yet (the next charge under a
    # limit shares it out)
    for counter in ("artifacts", "bytes"):
        op.execute(
            f"""
            INSERT INTO quota_counters (project, type_name, counter, stripe, used, room)
            SELECT project, type_name, '{counter}', 0, {counter}, 0 FROM quota_usage
            """
        )
    op.drop_table("quota_usage")


def downgrade() -> None:
    op.create_table(
        "quota_usage",
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("artifacts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("bytes", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("project", "type_name", name=op.f("pk_quota_usage")),
    )
    op.execute(
        """
        INSERT INTO quota_usage (project, type_name, artifacts, bytes)
        SELECT project, type_name,
               sum(CASE WHEN counter = 'artifacts' THEN used ELSE 0 END),
               sum(CASE WHEN counter = 'bytes' THEN used ELSE 0 END)
        FROM quota_counters GROUP BY project, type_name
        """
    )
    op.drop_table("quota_counters")
