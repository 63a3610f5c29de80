"""The per-request context handed to every resolver: catalog, caller, loaders, request id."""

from __future__ import annotations

from dataclasses import dataclass, field

from glaregraph.catalog.context import Catalog
from glaregraph.catalog.principal import Caller, Principal
from glaregraph.resolvers.loaders import Loaders


@dataclass(slots=True)
class RequestContext:
    catalog: Catalog
    principal: Principal
    request_id: str
    loaders: Loaders = field(init=False)
    caller: Caller = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.catalog, self.principal)
        # each mutation tells the loaders what it changed, so later fields read it afresh
        self.caller = Caller(self.principal, self.request_id, self.loaders.forget)
