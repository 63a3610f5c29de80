"""Maintained tag counts: per tag, audience and type, the artifacts carrying the tag or one below
it (`tag_counts`), filled from the existing data (the truth as
glaregraph/catalog/tagcounts/recount.py computes it). Tag co-occurrence (`related`) is not kept:
it is counted per request.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (artifact_id, scope, project, type_name) of every artifact not DELETED: PUBLIC ones for
# everyone, the others for their owner's project and, if SHARED, for each project shared with
AUDIENCES = """
    SELECT id AS artifact_id, 'P' AS scope, '' AS project, type_name FROM artifacts
    WHERE status <> 'DELETED' AND visibility = 'PUBLIC'
    UNION ALL
    SELECT id, 'O', owner, type_name FROM artifacts
    WHERE status <> 'DELETED' AND visibility <> 'PUBLIC'
    UNION ALL
    SELECT a.id, 'S', s.project, a.type_name FROM artifacts a
    JOIN artifact_shares s ON s.artifact_id = a.id
    WHERE a.status <> 'DELETED' AND a.visibility = 'SHARED' AND s.project <> a.owner
"""

FILL_COUNTS = f"""
INSERT INTO tag_counts (tag, scope, project, type_name, stripe, n)
WITH RECURSIVE up(tag, above) AS (
    SELECT DISTINCT tag, tag FROM artifact_tags
    UNION
    SELECT up.tag, t.parent FROM up JOIN tags t ON t.name = up.above WHERE t.parent IS NOT NULL
),
covered AS (
    SELECT DISTINCT at.artifact_id, up.above AS tag FROM artifact_tags at
    JOIN up ON up.tag = at.tag
),
audiences AS ({AUDIENCES})
SELECT c.tag, a.scope, a.project, a.type_name, 0, count(*) FROM covered c
JOIN audiences a ON a.artifact_id = c.artifact_id
GROUP BY c.tag, a.scope, a.project, a.type_name
"""


def upgrade() -> None:
    op.create_table(
        "tag_counts",
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=1), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tag",
            "scope",
            "project",
            "type_name",
            "stripe",
            name=op.f("pk_tag_counts"),
            postgresql_include=["n"],
        ),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":  # a fill over every artifact, not a request
        op.execute("SET LOCAL statement_timeout = 0")
    op.execute(FILL_COUNTS)


def downgrade() -> None:
    op.drop_table("tag_counts")
