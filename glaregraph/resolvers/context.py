"""The per-request context handed to every resolver: catalog, caller, loaders, request id."""

from __future__ import annotations

from dataclasses import dataclass, field

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.principal import Principal
from glaregraph.resolvers.loaders import Loaders


@dataclass(slots=True)
class RequestContext:
    catalog: Catalog
    principal: Principal
    request_id: str
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.catalog.db, self.principal, self.catalog.registry.keys())
