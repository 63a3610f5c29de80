"""Strings no database can hold: NUL (PostgreSQL refuses it in text) and lone surrogates (no
driver can encode them). Found in variables and document literals before anything runs.
"""

import re
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    Visitor,
    visit,
)

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# (where, problem): the path of the first bad string and what is wrong with it
Found = tuple[str, str]


def problem(text: str) -> str | None:
    """What makes `text` unstorable, or None."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "may not contain NUL characters"
    return "is not valid Unicode (lone surrogate)"


def clean(text: str) -> str:
    """`text` with lone surrogates replaced, so an error message quoting it can be rendered."""
    return text.encode("utf-8", "replace").decode("utf-8")


def in_variables(values: dict[str, Any]) -> Found | None:
    """The first unstorable string (or object key) in coerced variable values."""
    stack: list[tuple[Any, str]] = [(values[name], name) for name in reversed(values)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if (what := problem(value)) is not None:
                return path, what
        elif isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and (what := problem(key)) is not None:
                    return path, f"has a key that {what}"
            stack.extend((value[key], f"{path}.{key}") for key in reversed(value))
        elif isinstance(value, list | tuple):
            stack.extend((item, f"{path}[{i}]") for i, item in reversed(list(enumerate(value))))
    return None


def in_document(document: DocumentNode) -> Found | None:
    """The first unstorable string literal of an argument or a variable's default value."""
    finder = _LiteralFinder()
    visit(document, finder)
    return finder.found


class _LiteralFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: Found | None = None

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        self.found = _in_literal(node.value, node.name.value)
        return self.BREAK if self.found else self.SKIP

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> Any:
        if node.default_value is not None:
            self.found = _in_literal(node.default_value, node.variable.name.value)
        return self.BREAK if self.found else None


def _in_literal(root: ValueNode, root_path: str) -> Found | None:
    stack: list[tuple[ValueNode, str]] = [(root, root_path)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, StringValueNode):
            if (what := problem(node.value)) is not None:
                return path, what
        elif isinstance(node, ObjectValueNode):
            stack.extend((f.value, f"{path}.{f.name.value}") for f in reversed(node.fields))
        elif isinstance(node, ListValueNode):
            items = list(enumerate(node.values))
            stack.extend((item, f"{path}[{i}]") for i, item in reversed(items))
    return None
