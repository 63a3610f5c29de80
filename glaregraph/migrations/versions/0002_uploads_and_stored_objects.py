"""Blobs over presigned URLs: uploads (byte reservations) and content-addressed stored objects.

`blobs` keeps the ACTIVE value of each slot (artifact, field, key); an open upload beside it
reads as SAVING until it ends, so an abort can give the previous value back.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("artifact_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), server_default="", nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("part_size", sa.BigInteger(), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("staging_key", sa.String(length=512), nullable=False),
        sa.Column("multipart_id", sa.Text(), nullable=True),
        sa.Column("blob_id", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_uploads_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index("ix_uploads_project_state", ["project", "state"], unique=False)
        batch_op.create_index("ix_uploads_state_expires_at", ["state", "expires_at"], unique=False)
        batch_op.create_index(
            "uq_uploads_open_slot",
            ["artifact_id", "field", "key"],
            unique=True,
            sqlite_where=sa.text("state = 'OPEN'"),
            postgresql_where=sa.text("state = 'OPEN'"),
        )

    op.create_table(
        "stored_objects",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unreferenced_since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_objects")),
    )
    with op.batch_alter_table("stored_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stored_objects_state_unreferenced_since",
            ["state", "unreferenced_since"],
            unique=False,
        )

    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.create_index("ix_blobs_storage_key", ["storage_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("blobs", schema=None) as batch_op:
        batch_op.drop_index("ix_blobs_storage_key")

    with op.batch_alter_table("stored_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_objects_state_unreferenced_since")
    op.drop_table("stored_objects")

    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index("uq_uploads_open_slot")
        batch_op.drop_index("ix_uploads_state_expires_at")
        batch_op.drop_index("ix_uploads_project_state")
    op.drop_table("uploads")
