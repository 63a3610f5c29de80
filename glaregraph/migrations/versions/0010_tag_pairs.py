"""Maintained tag co-occurrence: per ordered pair of tags an artifact carries itself, audience
and type, the artifacts carrying both (`tag_pairs`), for artifacts with at most 32 tags; the
tags of the wider ones (`wide_tags`), whose pairs are counted per read. Both filled from the
existing data (the truth as glaregraph/catalog/tagcounts/recount.py computes it). `Tag.related`
reads them instead of visiting every artifact that carries the tag.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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

PAIRED_TAGS = 32  # glaregraph/catalog/tagcounts/pairs.py, as of this revision
WIDE = f"""
    SELECT artifact_id FROM artifact_tags GROUP BY artifact_id HAVING count(*) > {PAIRED_TAGS}
"""

FILL_PAIRS = f"""
INSERT INTO tag_pairs (tag, scope, project, type_name, other, stripe, n)
WITH audiences AS ({AUDIENCES})
SELECT mine.tag, a.scope, a.project, a.type_name, also.tag, 0, count(*)
FROM artifact_tags mine
JOIN artifact_tags also ON also.artifact_id = mine.artifact_id AND also.tag <> mine.tag
JOIN audiences a ON a.artifact_id = mine.artifact_id
WHERE mine.artifact_id NOT IN ({WIDE})
GROUP BY mine.tag, a.scope, a.project, a.type_name, also.tag
"""

FILL_WIDE = f"""
INSERT INTO wide_tags (tag, artifact_id)
SELECT t.tag, t.artifact_id FROM artifact_tags t JOIN artifacts a ON a.id = t.artifact_id
WHERE a.status <> 'DELETED' AND t.artifact_id IN ({WIDE})
"""


def upgrade() -> None:
    op.create_table(
        "tag_pairs",
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=1), nullable=False),
        sa.Column("project", sa.String(length=255), nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("other", sa.String(length=255), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tag",
            "scope",
            "project",
            "type_name",
            "other",
            "stripe",
            name=op.f("pk_tag_pairs"),
            postgresql_include=["n"],
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "wide_tags",
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.Column("artifact_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name=op.f("fk_wide_tags_artifact_id_artifacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tag", "artifact_id", name=op.f("pk_wide_tags")),
    )
    op.create_index(op.f("ix_wide_tags_artifact_id"), "wide_tags", ["artifact_id"])
    if op.get_bind().dialect.name == "postgresql":  # a fill over every artifact, not a request
        op.execute("SET LOCAL statement_timeout = 0")
    op.execute(FILL_PAIRS)
    op.execute(FILL_WIDE)


def downgrade() -> None:
    op.drop_table("wide_tags")
    op.drop_table("tag_pairs")
