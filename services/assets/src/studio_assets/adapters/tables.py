"""The asset library's own database: one row per output, its tags, and the user's collections."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from studio_common.bus import service_metadata

metadata = service_metadata()

assets = Table(
    "assets",
    metadata,
    Column("id", String(64), primary_key=True),  # asset_id_for(operation_id, output_index): replays collide
    Column("user_id", String(128), nullable=False),
    Column("operation_id", String(64), nullable=False, index=True),
    Column("output_index", Integer, nullable=False),
    Column("type", String(16), nullable=False),  # image | video | model3d | audio
    Column("module", String(16), nullable=False),  # create | edit | upscale | control | social | transform
    Column("operation", String(64), nullable=False),  # the operation kind, e.g. edit.inpaint
    Column("provider", String(64), nullable=False),
    Column("model", String(128), nullable=False),
    Column("prompt", Text, nullable=False, default=""),
    Column("title", String(200), nullable=False),
    Column("cost_credits", Integer, nullable=False, default=0),
    Column("width", Integer),
    Column("height", Integer),
    Column("bytes", BigInteger, nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("storage_key", String(512), nullable=False),
    Column("status", String(16), nullable=False),
    Column("favourite", Boolean, nullable=False, default=False),
    Column("source_asset_id", String(64), index=True),
    Column("version", Integer, nullable=False, default=1),
    Column("download_count", Integer, nullable=False, default=0),
    Column("share_count", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    Column("phash", String(16)),  # perceptual hash of an image output, for near-duplicate stacks
    Column("methods", JSON),  # model or classical fall-back used per step, as the worker reported
    Index("ix_assets_user_created", "user_id", "created_at"),
)

# The meaning of an asset's title, prompt and tags as a unit vector (float32 bytes), for search by
# meaning. Ranked in process per user (no vector extension is assumed in the database).
asset_embeddings = Table(
    "asset_embeddings",
    metadata,
    Column("asset_id", String(64), ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("model", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Covers the freshness check of a user's cached vectors (count and newest update) without the rows.
    Index("ix_asset_embeddings_user_updated", "user_id", "updated_at"),
)

# Assets indexed whose vector is still to be made: written in the indexing transaction, so none is lost,
# and emptied by the embedder in batches outside it (service_layer/vectors.py).
pending_embeddings = Table(
    "pending_embeddings",
    metadata,
    Column("asset_id", String(64), ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("queued_at", DateTime(timezone=True), nullable=False),
)

asset_tags = Table(
    "asset_tags",
    metadata,
    Column("asset_id", String(64), ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("tag", String(64), nullable=False),  # lower-case
    Column("position", Integer, nullable=False),  # keeps the order the tags were given in
    PrimaryKeyConstraint("asset_id", "tag"),
    Index("ix_asset_tags_tag", "tag"),
)

collections = Table(
    "collections",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(128), nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "name", name="uq_collections_user_name"),
)

# An asset can be in many collections; deleting either side removes the membership.
collection_assets = Table(
    "collection_assets",
    metadata,
    Column("collection_id", String(64), ForeignKey("collections.id", ondelete="CASCADE"), nullable=False),
    Column("asset_id", String(64), ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("collection_id", "asset_id"),
    Index("ix_collection_assets_asset", "asset_id"),
)

# A collection shared read-only through a public link (its token); revocable, optionally with a
# password (stored as a PBKDF2 hash) and an expiry.
share_boards = Table(
    "share_boards",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("user_id", String(128), nullable=False, index=True),
    Column("collection_id", String(64), ForeignKey("collections.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("password_hash", String(200)),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("view_count", Integer, nullable=False, default=0),
    Column("failed_attempts", Integer, nullable=False, default=0),  # wrong passwords since the last lock
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
