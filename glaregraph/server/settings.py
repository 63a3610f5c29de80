"""All settings, read once from the environment (prefix CATALOG_) and passed down as values."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./var/catalog.db",
        description="SQLAlchemy async URL of the metadata database.",
    )
    types: Path | None = Field(
        None, description="Type definition file or folder (default: the bundled set)."
    )
    auth: Literal["dev", "static", "oidc"] = Field("dev", description="Authentication mode.")
    static_tokens: Path | None = Field(None, description="YAML file of static bearer tokens.")
    anonymous_read: bool = Field(
        False, description="Requests without a token may read PUBLIC artifacts."
    )
    admin_role: str = Field("admin", description="Role that makes a principal admin.")
    public_schema: bool = Field(True, description="SDL, GraphiQL and introspection need no token.")
    oidc_issuer: str | None = Field(
        None, description="OIDC issuer URL; tokens' `iss` must equal it (discovery starts there)."
    )
    oidc_audience: str | None = Field(
        None, description="This API's audience; tokens' `aud` must be it or a list containing it."
    )
    oidc_jwks_url: str | None = Field(
        None, description="JWKS URL of the issuer (default: `jwks_uri` of its discovery document)."
    )
    oidc_user_claim: str = Field("sub", description="Dotted path of the user id claim.")
    oidc_project_claim: str = Field(
        "project_id", description="Dotted path of the project claim (a string or 1-element list)."
    )
    oidc_roles_claim: str | None = Field(
        None,
        description="Dotted path of the roles claim (default: `roles`, else realm_access.roles).",
    )
    oidc_leeway: int = Field(
        60, ge=0, le=60, description="Seconds of clock skew allowed on `exp` and `nbf` (0-60)."
    )
    oidc_timeout: float = Field(
        5.0, gt=0, description="HTTP timeout of OIDC discovery and JWKS fetches, in seconds."
    )
    policy: Path | None = Field(None, description="YAML policy overrides.")
    max_body_bytes: int = Field(1_048_576, description="Largest accepted GraphQL request body.")
    max_query_depth: int = Field(15, description="Largest selection depth.")
    max_query_cost: int = Field(100_000, description="Largest estimated query cost.")
    max_query_aliases: int = Field(200, description="Most aliases in one request.")
    db_pool_size: int = Field(20, description="Connections per server process (PostgreSQL).")
    quota_max_artifacts: int = Field(
        -1, description="Default artifact limit of every project, all types (-1: unlimited)."
    )
    quota_max_bytes: int = Field(
        -1, description="Default byte limit of every project, all types (-1: unlimited)."
    )
    statement_timeout: float = Field(
        10.0, description="Seconds one SQL statement may run (PostgreSQL) before it is cancelled."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        [], description="Browser origins allowed to call the API (comma-separated; * for any)."
    )
    host: str = Field("127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(8000, description="Port `serve` binds to.")
    storage: Literal["local", "s3"] = Field(
        "local", description="Where artifact data lives: a local folder or an S3 bucket."
    )
    local_storage_dir: Path = Field(
        Path("./var/blobs"), description="Folder of the local blob store."
    )
    public_url: str | None = Field(
        None, description="Base URL clients use to reach this server (default http://host:port)."
    )
    signing_key: SecretStr | None = Field(
        None, description="HMAC key of the local store's URLs (default: a file in its folder)."
    )
    s3_endpoint: str = Field(
        "http://127.0.0.1:9000", description="S3 endpoint the server uses (host:port or URL)."
    )
    s3_secure: bool = Field(False, description="Use https for an S3 endpoint given as host:port.")
    s3_public_endpoint: str | None = Field(
        None, description="S3 URL clients use for presigned requests (default s3_endpoint)."
    )
    s3_access_key: str = Field("", description="S3 access key.")
    s3_secret_key: SecretStr = Field(SecretStr(""), description="S3 secret key.")
    s3_bucket: str = Field("glaregraph", description="S3 bucket, created at start if missing.")
    s3_region: str = Field("us-east-1", description="S3 region (presigning needs no lookup).")
    upload_part_size: int = Field(
        8 * 1024 * 1024, description="Part size of multipart uploads, in bytes (at least 5 MiB)."
    )
    upload_ttl: int = Field(3600, description="Lifetime of presigned upload URLs, in seconds.")
    verify_max_bytes: int = Field(
        10 * 1024**3, description="Largest blob the server hashes when an upload is committed."
    )
    import_allow_hosts: Annotated[list[str], NoDecode] = Field(
        [], description="Hosts blobs may be imported from by URL (comma-separated)."
    )
    import_timeout: float = Field(30.0, description="Timeout of one import fetch, in seconds.")
    blob_gc_grace: int = Field(
        3600, description="Seconds unreferenced content is kept before garbage collection."
    )
    gc_interval: int = Field(
        0, description="`serve` collects garbage every this many seconds (0: only `glaregraph gc`)."
    )

    @field_validator("upload_part_size")
    @classmethod
    def _part_size_allowed_by_s3(cls, value: int) -> int:
        if value < 5 * 1024 * 1024:
            raise ValueError("upload_part_size must be at least 5 MiB (the S3 minimum)")
        return value

    @field_validator("import_allow_hosts", "cors_origins", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):  # the environment gives "a.example,b.example"
            return [host.strip() for host in value.split(",") if host.strip()]
        return value


class ConfigurationError(Exception):
    """A setting, or a file it names, is unusable; the server does not start."""


def check_configuration(settings: Settings) -> None:
    """Load everything the settings name (types, tokens, policy) once, turning any problem into
    one ConfigurationError line instead of a traceback in every worker."""
    from glaregraph.catalog.authz import Policy
    from glaregraph.catalog.typedef.loader import load_registry
    from glaregraph.server.auth import make_authenticator

    load_registry(settings.types)  # TypeDefinitionError already names file, type and field
    try:
        make_authenticator(settings)
        Policy.from_file(settings.policy)
    except (ValueError, OSError) as exc:
        raise ConfigurationError(str(exc)) from exc
