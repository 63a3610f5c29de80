"""Initial schema: artifacts, tags, shares, aliases, edges, blobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 08:39:16.023173
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=255), nullable=False),
        sa.Column(
            "version_key",
            sa.String(length=255).with_variant(sa.VARCHAR(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "meta",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('DRAFTED', 'ACTIVE', 'DEACTIVATED', 'DELETED')",
            name=op.f("ck_artifacts_status_valid"),
        ),
        sa.CheckConstraint(
            "visibility IN ('PRIVATE', 'SHARED', 'PUBLIC')",
            name=op.f("ck_artifacts_visibility_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifacts")),
    )
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.create_index("ix_artifacts_created", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_artifacts_owner_type", ["owner", "type_name"], unique=False)
        batch_op.create_index(
            "ix_artifacts_type_created", ["type_name", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_artifacts_type_name_version", ["type_name", "name", "version_key"], unique=False
        )
        batch_op.create_index(
            "uq_artifacts_owner_name_version",
            ["owner", "type_name", "name", "version"],
            unique=True,
            sqlite_where=sa.text("status <> 'DELETED'"),
            postgresql_where=sa.text("status <> 'DELETED'"),
        )
        batch_op.create_index(
            "uq_artifacts_public_name_version",
            ["type_name", "name", "version"],
            unique=True,
            sqlite_where=sa.text("visibility = 'PUBLIC' AND status <> 'DELETED'"),
            postgresql_where=sa.text("visibility = 'PUBLIC' AND status <> 'DELETED'"),
        )

    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent"], ["tags.name"], name=op.f("fk_tags_parent_tags"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_tags")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_parent"), ["parent"], unique=False)

    op.create_table(
        "aliases",
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=False),
        sa.Column("artifact_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_aliases_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner", "type_name", "name", "alias", name=op.f("pk_aliases")),
    )
    with op.batch_alter_table("aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aliases_artifact_id"), ["artifact_id"], unique=False)

    op.create_table(
        "artifact_shares",
        sa.Column("artifact_id", sa.String(length=36), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_artifact_shares_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("artifact_id", "project", name=op.f("pk_artifact_shares")),
    )
    with op.batch_alter_table("artifact_shares", schema=None) as batch_op:
        batch_op.create_index(
            "ix_artifact_shares_project", ["project", "artifact_id"], unique=False
        )

    op.create_table(
        "artifact_tags",
        sa.Column("artifact_id", sa.String(length=36), nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_artifact_tags_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("artifact_id", "tag", name=op.f("pk_artifact_tags")),
    )
    with op.batch_alter_table("artifact_tags", schema=None) as batch_op:
        batch_op.create_index("ix_artifact_tags_tag", ["tag", "artifact_id"], unique=False)

    op.create_table(
        "blobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("artifact_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("external", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("storage_key", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_blobs_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blobs")),
        sa.UniqueConstraint(
            "artifact_id", "field", "key", name=op.f("uq_blobs_artifact_id_field_key")
        ),
    )
    op.create_table(
        "edges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("relation", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["artifacts.id"],
            name=op.f("fk_edges_source_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["artifacts.id"],
            name=op.f("fk_edges_target_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edges")),
    )
    with op.batch_alter_table("edges", schema=None) as batch_op:
        batch_op.create_index(
            "ix_edges_source", ["source_id", "relation", "position"], unique=False
        )
        batch_op.create_index("ix_edges_target", ["target_id", "relation"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("edges", schema=None) as batch_op:
        batch_op.drop_index("ix_edges_target")
        batch_op.drop_index("ix_edges_source")

    op.drop_table("edges")
    op.drop_table("blobs")
    with op.batch_alter_table("artifact_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_artifact_tags_tag")

    op.drop_table("artifact_tags")
    with op.batch_alter_table("artifact_shares", schema=None) as batch_op:
        batch_op.drop_index("ix_artifact_shares_project")

    op.drop_table("artifact_shares")
    with op.batch_alter_table("aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aliases_artifact_id"))

    op.drop_table("aliases")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_parent"))

    op.drop_table("tags")
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_artifacts_public_name_version",
            sqlite_where=sa.text("visibility = 'PUBLIC' AND status <> 'DELETED'"),
            postgresql_where=sa.text("visibility = 'PUBLIC' AND status <> 'DELETED'"),
        )
        batch_op.drop_index(
            "uq_artifacts_owner_name_version",
            sqlite_where=sa.text("status <> 'DELETED'"),
            postgresql_where=sa.text("status <> 'DELETED'"),
        )
        batch_op.drop_index("ix_artifacts_type_name_version")
        batch_op.drop_index("ix_artifacts_type_created")
        batch_op.drop_index("ix_artifacts_owner_type")
        batch_op.drop_index("ix_artifacts_created")

    op.drop_table("artifacts")
