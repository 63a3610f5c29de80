"""Every GraphQL block of README.md and docs/*.md is checked against the schema the docs describe.

A fenced block whose info string starts with `graphql` is one of:

- ```` ```graphql ````: an executable document. It must parse and validate against the schema of
  the bundled types, the one `glaregraph schema print` serves. Errors the server raises only while
  running (BAD_USER_INPUT, FORBIDDEN, QUERY_TOO_COMPLEX, ...) cannot show here: a document that
  meets them is valid and stays a plain `graphql` block.
- ```` ```graphql error ````: a document that fails on purpose. It must fail to parse or to
  validate, so the mark cannot outlive the mistake it shows.
- ```` ```graphql sdl ````: type system definitions (excerpts of the schema), only parsed.

Every operation has a name, unique across all the docs. Every doc describes the bundled types
(none shows the test type set of tests/fixtures/types); a doc about another type set would need
its own schema here.

A block may spread fragments that other blocks of the same file define; a block of fragments only
needs no operation using them. The Relay examples of docs/frontend-guide.md carry Relay's
compiler directives, which the compiler removes before a document reaches the server; they are
removed here too, in that file only, before validating.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from graphql import (
    REMOVE,
    DirectiveNode,
    DocumentNode,
    ExecutableDefinitionNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    GraphQLSyntaxError,
    Node,
    NoUnusedFragmentsRule,
    OperationDefinitionNode,
    Visitor,
    parse,
    specified_rules,
    validate,
    visit,
)

from glaregraph.catalog.typedef.loader import load_registry
from glaregraph.schema.build import build_schema

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKS = ("", "error", "sdl")  # what may follow `graphql` in the info string
RELAY_FILES = {"docs/frontend-guide.md"}
RELAY_DIRECTIVES = {
    "argumentDefinitions",
    "arguments",
    "connection",
    "prependEdge",
    "appendEdge",
    "refetchable",
    "relay",
}
OPENING = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    file: str  # relative to the repository
    line: int  # of the opening fence, from 1
    info: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def mark(self) -> str:
        return self.info.removeprefix("graphql").strip()


def read_blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file whose info string starts with `graphql`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        opening = OPENING.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body = []
        end = i + 1
        while end < len(lines):
            stripped = lines[end].strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                break
            line = lines[end]
            body.append(line[indent:] if line.startswith(" " * indent) else line.lstrip())
            end += 1
        info = opening["info"].strip()
        if info.startswith("graphql"):
            file = path.relative_to(ROOT).as_posix()
            blocks.append(Block(file, i + 1, info, "\n".join(body)))
        i = end + 1
    return blocks


BLOCKS = [block for path in DOCS for block in read_blocks(path)]


@cache
def bundled_schema() -> GraphQLSchema:
    return build_schema(load_registry())._schema


def parse_block(block: Block) -> tuple[DocumentNode | None, str]:
    """The block's document, or None and the syntax error."""
    try:
        return parse(block.text), ""
    except GraphQLSyntaxError as error:
        return None, error.message


def parsed(block: Block) -> DocumentNode | None:
    return parse_block(block)[0]


class _StripRelayDirectives(Visitor):
    def enter_directive(self, node: DirectiveNode, *_args: object) -> object:
        return REMOVE if node.name.value in RELAY_DIRECTIVES else None


def as_sent(block: Block, document: DocumentNode) -> DocumentNode:
    """The document as the server would get it (Relay's compiler directives removed)."""
    return visit(document, _StripRelayDirectives()) if block.file in RELAY_FILES else document


@cache
def fragments_of(file: str) -> dict[str, list[FragmentDefinitionNode]]:
    """Every fragment the blocks of `file` define, by name."""
    found: dict[str, list[FragmentDefinitionNode]] = defaultdict(list)
    for block in BLOCKS:
        document = parsed(block) if block.file == file and block.mark != "sdl" else None
        for definition in document.definitions if document else ():
            if isinstance(definition, FragmentDefinitionNode):
                found[definition.name.value].append(as_sent(block, definition))
    return found


def spreads(node: Node) -> set[str]:
    names: set[str] = set()

    class Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_args: object) -> None:
            names.add(spread.name.value)

    visit(node, Collect())
    return names


def with_borrowed_fragments(block: Block, document: DocumentNode) -> DocumentNode:
    """`document` and the fragments it spreads that only other blocks of its file define."""
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    available = fragments_of(block.file)
    borrowed: list[FragmentDefinitionNode] = []
    wanted = spreads(document) - defined
    while wanted:
        name = wanted.pop()
        candidates = available.get(name, [])
        if len(candidates) != 1:
            continue  # unknown or ambiguous: validation names the spread
        borrowed.append(candidates[0])
        defined.add(name)
        wanted |= spreads(candidates[0]) - defined
    return DocumentNode(definitions=(*document.definitions, *borrowed))


def errors_of(block: Block, document: DocumentNode) -> list[str]:
    document = as_sent(block, document)
    rules = list(specified_rules)
    if not any(isinstance(d, OperationDefinitionNode) for d in document.definitions):
        rules.remove(NoUnusedFragmentsRule)  # fragments shown for use elsewhere
    document = with_borrowed_fragments(block, document)
    return [error.message for error in validate(bundled_schema(), document, rules)]


def is_sdl(document: DocumentNode) -> bool:
    return not any(isinstance(d, ExecutableDefinitionNode) for d in document.definitions)


def operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Replaces the suite's table cleanup: these tests use no database, so none is migrated."""


def test_the_docs_have_graphql_blocks():
    assert len(BLOCKS) > 100, [block.where for block in BLOCKS]


@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_block(block: Block):
    known = block.info.split()[0] == "graphql" and block.mark in MARKS
    assert known, (
        f"{block.where}: unknown info string {block.info!r}; use one of "
        "`graphql`, `graphql error`, `graphql sdl`"
    )
    document, syntax_error = parse_block(block)
    if block.mark == "sdl":
        assert document is not None, f"{block.where}: the SDL does not parse"
        assert is_sdl(document), f"{block.where}: marked sdl but holds an executable document"
        return
    if document is not None:
        anonymous = [op.operation.value for op in operations(document) if op.name is None]
        assert not anonymous, f"{block.where}: every operation needs a name, got {anonymous}"
    if block.mark == "error":
        assert document is None or errors_of(block, document), (
            f"{block.where}: marked `graphql error` but parses and validates: drop the mark"
        )
        return
    assert document is not None, (
        f"{block.where}: {syntax_error} (an error on purpose: mark it ```graphql error; "
        "type definitions: ```graphql sdl)"
    )
    assert not is_sdl(document), f"{block.where}: type definitions: mark it ```graphql sdl"
    errors = errors_of(block, document)
    assert errors == [], (
        f"{block.where}: invalid against the schema {errors} "
        "(an error on purpose? mark it ```graphql error)"
    )


def test_operation_names_are_unique_across_the_docs():
    places: dict[str, list[str]] = defaultdict(list)
    for block in BLOCKS:
        document = parsed(block) if block.mark != "sdl" else None
        for operation in operations(document) if document else ():
            if operation.name is not None:
                places[operation.name.value].append(block.where)
    duplicates = {name: where for name, where in places.items() if len(where) > 1}
    assert duplicates == {}, "operation names used more than once: " + "; ".join(
        f"{name} in {', '.join(where)}" for name, where in sorted(duplicates.items())
    )
