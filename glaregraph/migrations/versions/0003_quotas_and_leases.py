"""Quotas (overrides and usage counters) and leases on artifacts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quotas",
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("max_artifacts", sa.BigInteger(), nullable=True),
        sa.Column("max_bytes", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("project", "type_name", name=op.f("pk_quotas")),
    )
    op.create_table(
        "quota_usage",
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("artifacts", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("bytes", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("project", "type_name", name=op.f("pk_quota_usage")),
    )
    op.create_table(
        "artifact_locks",
        sa.Column("artifact_id", sa.String(length=36), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=1024), nullable=True),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_artifact_locks_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("artifact_id", name=op.f("pk_artifact_locks")),
    )
    # Usage of what exists already, so the counters start from the truth.
    op.execute(
        """
        INSERT INTO quota_usage (project, type_name, artifacts, bytes)
        SELECT owner, scope, count(*), 0 FROM (
            SELECT owner, type_name AS scope FROM artifacts WHERE status <> 'DELETED'
            UNION ALL
            SELECT owner, '' AS scope FROM artifacts WHERE status <> 'DELETED'
        ) AS counted GROUP BY owner, scope
        """
    )


def downgrade() -> None:
    op.drop_table("artifact_locks")
    op.drop_table("quota_usage")
    op.drop_table("quotas")
