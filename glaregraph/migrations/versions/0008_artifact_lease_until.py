"""`artifacts.lease_until`: when the artifact's lease (in `artifact_locks`) ends, or NULL when it
has none, kept in the artifact's row by every lease mutation. A mutation reads it with the row it
locks, so it learns whether a lease may be live without another statement while it holds that
lock (only then does it read `artifact_locks`). Filled from the leases there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("artifacts") as batch:
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE artifacts SET lease_until = (SELECT expires_at FROM artifact_locks"
        " WHERE artifact_locks.artifact_id = artifacts.id)"
        " WHERE id IN (SELECT artifact_id FROM artifact_locks)"
    )


def downgrade() -> None:
    with op.batch_alter_table("artifacts") as batch:
        batch.drop_column("lease_until")
