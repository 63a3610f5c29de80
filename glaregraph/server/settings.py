"""All settings, read once from the environment (prefix CATALOG_) and passed down as values."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    policy: Path | None = Field(None, description="YAML policy overrides.")
    max_body_bytes: int = Field(1_048_576, description="Largest accepted GraphQL request body.")
    max_query_depth: int = Field(15, description="Largest selection depth.")
    max_query_cost: int = Field(100_000, description="Largest estimated query cost.")
    max_query_aliases: int = Field(200, description="Most aliases in one request.")
    db_pool_size: int = Field(20, description="Connections per server process (PostgreSQL).")
    host: str = Field("127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(8000, description="Port `serve` binds to.")


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
