"""The links held to an artifact in the order of the artifacts holding them: `ix_edges_target`
(target, relation) becomes `ix_edges_target_source` (target, source, relation), the source
bytewise on PostgreSQL (COLLATE "C", the order lineage pages in). A lineage walk from a hub with
10,000 links held to it reads the first page of them from the index, not all of them sorted;
lookups by target (and relation) are served as before, and the index count stays the same.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 12:00:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_edges_target_source",
        "edges",
        ["target_id", "source_id", "relation"],
        postgresql_ops={"source_id": 'COLLATE "C"'},
    )
    op.drop_index("ix_edges_target", table_name="edges")


def downgrade() -> None:
    op.create_index("ix_edges_target", "edges", ["target_id", "relation"])
    op.drop_index("ix_edges_target_source", table_name="edges")
