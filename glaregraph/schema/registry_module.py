"""A synthetic module that holds the classes generated at start-up (strawberry looks them up)."""

import sys
import types
from typing import Any

GENERATED = types.ModuleType("glaregraph.schema.generated")
sys.modules[GENERATED.__name__] = GENERATED


def new_class(name: str, bases: tuple[type, ...] = (), **attrs: Any) -> Any:
    """An empty class registered in the generated module; strawberry decorates it later."""
    cls = types.new_class(
        name, bases, {}, lambda ns: ns.update({"__module__": GENERATED.__name__, **attrs})
    )
    setattr(GENERATED, name, cls)
    return cls


def py_name(snake: str) -> str:
    """A Python-safe attribute name for a field (keywords get a trailing underscore)."""
    import keyword

    return f"{snake}_" if keyword.iskeyword(snake) else snake
