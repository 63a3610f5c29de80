"""The metadata tables. Base fields are columns; a type's own scalar/list/dict fields live in
`data`.

Types are data: a new type needs no migration. Links and lineage share one `edges` table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# Version keys compare byte-wise; PostgreSQL's default collation would not.
SortKey = sa.String(255).with_variant(postgresql.VARCHAR(255, collation="C"), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both dialects (SQLite keeps naive text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


NOT_DELETED = sa.text("status <> 'DELETED'")
PUBLIC_LIVE = sa.text("visibility = 'PUBLIC' AND status <> 'DELETED'")

artifacts = sa.Table(
    "artifacts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("type_name", sa.String(64), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("version", sa.String(255), nullable=False),
    sa.Column("version_key", SortKey, nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("visibility", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("activated_at", UTCDateTime(), nullable=True),
    sa.Column("data", JSONDoc, nullable=False),
    sa.Column("meta", JSONDoc, nullable=False),
    # when the lease in artifact_locks ends (NULL: none), kept by the lease mutations, so that a
    # mutation learns from the row it locks whether a lease may be live (catalog/locks.py)
    sa.Column("lease_until", UTCDateTime(), nullable=True),
    sa.CheckConstraint("visibility IN ('PRIVATE', 'SHARED', 'PUBLIC')", name="visibility_valid"),
    sa.CheckConstraint(
        "status IN ('DRAFTED', 'ACTIVE', 'DEACTIVATED', 'DELETED')", name="status_valid"
    ),
    sa.Index(
        "uq_artifacts_owner_name_version",
        "owner",
        "type_name",
        "name",
        "version",
        unique=True,
        sqlite_where=NOT_DELETED,
        postgresql_where=NOT_DELETED,
    ),
    sa.Index(
        "uq_artifacts_public_name_version",
        "type_name",
        "name",
        "version",
        unique=True,
        sqlite_where=PUBLIC_LIVE,
        postgresql_where=PUBLIC_LIVE,
    ),
    sa.Index("ix_artifacts_type_created", "type_name", "created_at", "id"),
    sa.Index("ix_artifacts_created", "created_at", "id"),
    sa.Index("ix_artifacts_type_name_version", "type_name", "name", "version_key"),
    sa.Index("ix_artifacts_owner_type", "owner", "type_name"),
)

artifact_tags = sa.Table(
    "artifact_tags",
    metadata,
    sa.Column(
        "artifact_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("tag", sa.String(255), primary_key=True),
    sa.Index("ix_artifact_tags_tag", "tag", "artifact_id"),
)

# The tag taxonomy (parents); tags on artifacts need no row here.
tags = sa.Table(
    "tags",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column(
        "parent",
        sa.String(255),
        sa.ForeignKey("tags.name", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
)

artifact_shares = sa.Table(
    "artifact_shares",
    metadata,
    sa.Column(
        "artifact_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("project", sa.String(255), primary_key=True),
    sa.Index("ix_artifact_shares_project", "project", "artifact_id"),
)

aliases = sa.Table(
    "aliases",
    metadata,
    sa.Column("owner", sa.String(255), primary_key=True),
    sa.Column("type_name", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("alias", sa.String(255), primary_key=True),
    sa.Column(
        "artifact_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

# Every link-field value and every derived_from relation: source holds a link to target.
edges = sa.Table(
    "edges",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column(
        "source_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "target_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("relation", sa.String(64), nullable=False),
    sa.Column("key", sa.String(255), nullable=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Index("ix_edges_source", "source_id", "relation", "position"),
    # the holders of links to an artifact in bytewise order: a lineage walk pages them
    # (catalog/graph/walk.py); lookups by target (and relation) use it as well
    sa.Index(
        "ix_edges_target_source",
        "target_id",
        "source_id",
        "relation",
        postgresql_ops={"source_id": 'COLLATE "C"'},
    ),
)

# Blob values of artifacts (written by the blob capability; read by the core).
blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "artifact_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("key", sa.String(255), nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=True),
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("content_type", sa.String(255), nullable=True),
    sa.Column("external", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("url", sa.Text(), nullable=True),
    sa.Column("storage_key", sa.String(512), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("artifact_id", "field", "key"),
    sa.Index("ix_blobs_storage_key", "storage_key"),
)

# Uploads: each one a byte reservation while OPEN (and not past `expires_at`); the slot it
# fills reads as a SAVING blob meanwhile, and its previous value comes back if it ends any way
# but completion. At most one OPEN upload per slot.
uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "artifact_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("key", sa.String(255), nullable=False, server_default=""),
    sa.Column("project", sa.String(255), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # OPEN COMPLETED ABORTED EXPIRED FAILED
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("part_size", sa.BigInteger(), nullable=False),
    sa.Column("parts", sa.Integer(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=True),  # as the client declared it
    sa.Column("content_type", sa.String(255), nullable=True),
    sa.Column("staging_key", sa.String(512), nullable=False),
    sa.Column("multipart_id", sa.Text(), nullable=True),
    sa.Column("blob_id", sa.String(36), nullable=True),  # the value a completion wrote
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("ended_at", UTCDateTime(), nullable=True),
    sa.Index("ix_uploads_project_state", "project", "state"),
    sa.Index("ix_uploads_state_expires_at", "state", "expires_at"),
    sa.Index(
        "uq_uploads_open_slot",
        "artifact_id",
        "field",
        "key",
        unique=True,
        sqlite_where=sa.text("state = 'OPEN'"),
        postgresql_where=sa.text("state = 'OPEN'"),
    ),
)

# Content stored once per project and sha256, at a content-addressed key. Blob values point at
# it through `blobs.storage_key`; when none does any more, `unreferenced_since` starts the grace
# period after which garbage collection marks it DELETING, removes it from the store and drops it.
stored_objects = sa.Table(
    "stored_objects",
    metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("project", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # LIVE DELETING
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("unreferenced_since", UTCDateTime(), nullable=True),
    sa.Index("ix_stored_objects_state_unreferenced_since", "state", "unreferenced_since"),
)

# Quota overrides per project and scope ('' = all types); a null max is unlimited.
quotas = sa.Table(
    "quotas",
    metadata,
    sa.Column("project", sa.String(255), primary_key=True),
    sa.Column("type_name", sa.String(64), primary_key=True),
    sa.Column("max_artifacts", sa.BigInteger(), nullable=True),
    sa.Column("max_bytes", sa.BigInteger(), nullable=True),
)

# What each project uses per scope ('' = all types) and counter ('artifacts': artifacts not
# DELETED; 'bytes': stored blob values plus open upload reservations), split into stripes so
# concurrent writers of one project rarely wait for each other: usage is the sum of `used`.
# Under a limit each stripe holds a share of the free room (`room`, given out for the limit
# `cap`); a charge takes from its stripe's room by one conditional UPDATE, and only when that
# runs out are the scope's stripes locked together, summed and the room shared out again.
# `glaregraph gc` recomputes usage from the truth and repairs drift.
quota_counters = sa.Table(
    "quota_counters",
    metadata,
    sa.Column("project", sa.String(255), primary_key=True),
    sa.Column("type_name", sa.String(64), primary_key=True),
    sa.Column("counter", sa.String(16), primary_key=True),
    sa.Column("stripe", sa.SmallInteger(), primary_key=True),
    sa.Column("used", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("room", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("cap", sa.BigInteger(), nullable=True),  # null: no room given out
)

# Leases: while one is live (expires_at in the future) only its holder changes the artifact.
artifact_locks = sa.Table(
    "artifact_locks",
    metadata,
    sa.Column(
        "artifact_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("holder", sa.String(255), nullable=False),
    sa.Column("reason", sa.String(1024), nullable=True),
    sa.Column("acquired_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
)

# One event per successful mutation, written by the mutation unit of work in the mutation's
# own transaction; `seq` orders them (newest first) and pages them.
audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("project", sa.String(255), nullable=False),
    sa.Column("action", sa.String(128), nullable=False),
    sa.Column("artifact_id", sa.String(36), nullable=True),
    sa.Column("type_name", sa.String(64), nullable=True),
    sa.Column("revision_before", sa.Integer(), nullable=True),
    sa.Column("revision_after", sa.Integer(), nullable=True),
    sa.Column("request_id", sa.String(128), nullable=True),
    sa.Column("details", JSONDoc, nullable=False),
    sa.Index("ix_audit_events_artifact_id_seq", "artifact_id", "seq"),
    sa.Index("ix_audit_events_actor_seq", "actor", "seq"),
    sa.Index("ix_audit_events_at", "at"),
)

# Maintained tag counts (glaregraph/catalog/tagcounts): per tag, audience and type, how many
# artifacts not DELETED carry the tag or a tag below it in the taxonomy, so that `artifactCount`
# sums a few rows instead of counting artifacts (a mutation changes one row per tag it covers and
# audience: linear in the artifact's tags). An audience is PUBLIC ('P', project ''), the owner's
# project for the others ('O', owner) or, for SHARED ones, a project they are shared with ('S',
# project): see tagcounts/audience.py. Every mutation that changes them adds to them in its own
# transaction, into one of a few stripes (the count is the sum over stripes); a taxonomy change
# recomputes the tags above the moved one; `glaregraph gc` repairs drift.
tag_counts = sa.Table(
    "tag_counts",
    metadata,
    sa.Column("tag", sa.String(255), nullable=False),
    sa.Column("scope", sa.String(1), nullable=False),
    sa.Column("project", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(64), nullable=False),
    sa.Column("stripe", sa.SmallInteger(), nullable=False),
    sa.Column("n", sa.BigInteger(), nullable=False),
    # a read is an index-only range scan (PostgreSQL: `n` in the key's index; SQLite: the table
    # is its key's b-tree)
    sa.PrimaryKeyConstraint(
        "tag", "scope", "project", "type_name", "stripe", postgresql_include=["n"]
    ),
    sqlite_with_rowid=False,
)

# Maintained tag co-occurrence (`Tag.related`), kept like tag_counts: per ordered pair of tags
# an artifact carries itself (`tag`, `other`; no taxonomy), audience and type, how many artifacts
# not DELETED carry both. `related` of a tag is then one index range per audience the caller
# reads, grouped by `other`, instead of a visit to every artifact carrying the tag. Both orders
# are kept, so one index serves every tag. A mutation writes the pairs it makes or breaks: adding
# one tag to an artifact with k tags changes 2k rows per audience, a create with k tags k(k-1);
# artifacts with more than PAIRED_TAGS tags are kept out (wide_tags below), so that stays bounded.
tag_pairs = sa.Table(
    "tag_pairs",
    metadata,
    sa.Column("tag", sa.String(255), nullable=False),
    sa.Column("scope", sa.String(1), nullable=False),
    sa.Column("project", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(64), nullable=False),
    sa.Column("other", sa.String(255), nullable=False),
    sa.Column("stripe", sa.SmallInteger(), nullable=False),
    sa.Column("n", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint(
        "tag", "scope", "project", "type_name", "other", "stripe", postgresql_include=["n"]
    ),
    sqlite_with_rowid=False,
)

# The tags of the artifacts (not DELETED) that carry more tags than tag_pairs keeps pairs for
# (tagcounts/pairs.py: PAIRED_TAGS): their k(k-1) pairs per write would be unbounded, so
# `related` counts their co-occurrence per read, starting here (such artifacts are few).
wide_tags = sa.Table(
    "wide_tags",
    metadata,
    sa.Column("tag", sa.String(255), primary_key=True),
    sa.Column(
        "artifact_id",
        sa.String(36),
        sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index("ix_wide_tags_artifact_id", "artifact_id"),
)
