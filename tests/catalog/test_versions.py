"""Version normalisation, sortable keys and npm-style ranges (glaregraph.catalog.versions)."""

from __future__ import annotations

import itertools
import random
import string
from typing import Any

import pytest
import semantic_version as sv

from glaregraph.catalog.versions import (
    Interval,
    is_version_range,
    normalize_version,
    parse_range,
    version_in_range,
    version_key,
)

# --- normalize_version ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "1.0.0"),
        ("1.0", "1.0.0"),
        ("1.2.3", "1.2.3"),
        ("  1.2.3\n", "1.2.3"),
        ("0.0.0", "0.0.0"),
        ("1-alpha", "1.0.0-alpha"),
        ("1.2-rc.1+b5", "1.2.0-rc.1+b5"),
        ("1.0.0-alpha-x.0.beta--", "1.0.0-alpha-x.0.beta--"),
        ("1.0.0-0a.00b", "1.0.0-0a.00b"),
        ("1.0.0+build.007", "1.0.0+build.007"),
        ("9999999999.9999999999.9999999999", "9999999999.9999999999.9999999999"),
    ],
)
def test_normalize_version_pads_and_keeps_build(text: str, expected: str) -> None:
    assert normalize_version(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "v1.0.0",
        "V1",
        "=1.0.0",
        "01.0.0",
        "1.01",
        "1.0.00",
        "1.0.0.0",
        "1.0.0-",
        "1.0.0-01",
        "1.0.0-alpha..1",
        "1.0.0+",
        "1.0.0 beta",
        "1.x",
        "*",
        "1.",
        "-1.0.0",
        "latest",
        "10000000000.0.0",
        "1.0.0-10000000000",
        "１.0.0",
        "1.0.0-α",
        "1.0.0-" + "a" * 250,
    ],
)
def test_normalize_version_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match=r"version"):
        normalize_version(text)


# --- version_key ---------------------------------------------------------------------------

TRICKY = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.9.0",
    "1.10.0",
    "1.0.0-alpha-x",
    "1.0.0-alpha-x.1",
    "1.0.0-alpha.-",
    "1.0.0-alpha.1.1",
    "1.0.0-alpha.0",
    "1.0.0-alpha.a",
    "1.0.0-alpha.A",
    "1.0.0-Alpha",
    "1.0.0--",
    "1.0.0---",
    "1.0.0-0",
    "1.0.0-0.0",
    "1.0.0-1",
    "1.0.0-9",
    "1.0.0-10",
    "1.0.0-0a",
    "1.0.0-1a",
    "1.0.0-a",
    "1.0.0-z",
    "1.0.0-rc.1+build.5",
    "1.0.0+build.1",
    "0.0.0-0",
    "0.0.0",
    "0.0.1",
    "0.1.0",
    "1.2.3",
    "1.2.10",
    "2.0.0-alpha",
    "2.0.0",
    "10.0.0",
    "9999999999.9999999999.9999999999",
    "9999999999.9999999999.9999999999-9999999999",
]


def _sign(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


def test_key_order_matches_semver_precedence_pairwise() -> None:
    for a, b in itertools.product(TRICKY, repeat=2):
        expected = _sign(sv.Version(a), sv.Version(b))
        assert _sign(version_key(a), version_key(b)) == expected, (a, b)


def test_key_order_follows_the_semver_org_example() -> None:
    chain = TRICKY[:8]
    assert sorted(chain, key=version_key) == chain
    assert version_key("1.9.0") < version_key("1.10.0")


def test_key_ignores_build_metadata_and_padding() -> None:
    assert version_key("1.0.0-rc.1+build.5") == version_key("1.0.0-rc.1")
    assert version_key(normalize_version("1.2")) == version_key("1.2.0")


def test_key_format() -> None:
    assert version_key("1.2.3") == "0000000001.0000000002.0000000003~"
    assert version_key("1.2.3-rc.4") == "0000000001.0000000002.0000000003-1rc 00000000004"


def test_minus_zero_sorts_below_every_prerelease() -> None:
    floor = version_key("2.0.0-0")
    assert all(version_key(v) < floor for v in TRICKY if sv.Version(v) < sv.Version("2.0.0-0"))
    for pre in ("0.0", "00a", "-", "0a", "1", "A", "alpha", "9999999999"):
        assert floor < version_key(f"2.0.0-{pre}")


def _random_ident(rng: random.Random) -> str:
    """Mostly short identifiers from a tiny alphabet, so shared prefixes are common."""
    if rng.random() < 0.4:
        return str(rng.choice([0, 1, 2, 10, rng.randrange(10**10)]))
    alphabet = rng.choice(["a-0", "aAzZ-09", string.ascii_letters + string.digits + "-"])
    ident = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
    return ident + "-" if ident.isdigit() else ident


def _random_version(rng: random.Random) -> str:
    nums = [rng.choice([0, 1, 10, 0, 1, rng.randrange(10**10)]) for _ in range(3)]
    text = ".".join(map(str, nums))
    if rng.random() < 0.8:
        text += "-" + ".".join(_random_ident(rng) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.2:
        text += "+" + ".".join(_random_ident(rng) for _ in range(rng.randint(1, 2)))
    return text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_key_order_matches_semver_on_random_versions(seed: int) -> None:
    rng = random.Random(seed)
    versions = [_random_version(rng) for _ in range(500)]
    versions += [v + "+other" for v in versions[:50] if "+" not in v]  # equal precedence
    ordered = sorted(versions, key=version_key)
    for a, b in itertools.pairwise(ordered):
        assert sv.Version(a) <= sv.Version(b), (a, b)
        assert (version_key(a) == version_key(b)) == (not sv.Version(a) < sv.Version(b)), (a, b)


# --- ranges --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.3", False),
        ("1.2", False),
        ("1", False),
        ("1.0.0-x.X+x", False),
        (" 1.2.3 ", False),
        ("1.x", True),
        ("1.2.*", True),
        ("*", True),
        ("x", True),
        ("^1.2", True),
        ("~1.2.3", True),
        (">=1.0.0", True),
        ("<2", True),
        ("=1.2.3", True),
        ("1.2.3 - 2.0.0", True),
        ("1.2.3 || 1.2.4", True),
        ("latest", False),
    ],
)
def test_is_version_range(text: str, expected: bool) -> None:
    assert is_version_range(text) is expected


def _between(lower: str | None, upper: str | None, upper_inclusive: bool = False) -> Interval:
    return Interval(
        version_key(lower) if lower else None,
        lower is not None,
        version_key(upper) if upper else None,
        upper_inclusive,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("^1.2.3", _between("1.2.3", "2.0.0-0")),
        ("^0.2.3", _between("0.2.3", "0.3.0-0")),
        ("^0.0.3", _between("0.0.3", "0.0.4-0")),
        ("^1.2", _between("1.2.0", "2.0.0-0")),
        ("^1", _between("1.0.0", "2.0.0-0")),
        ("^0.0", _between("0.0.0", "0.1.0-0")),
        ("^1.2.3-beta.2", _between("1.2.3-beta.2", "2.0.0-0")),
        ("~1.2.3", _between("1.2.3", "1.3.0-0")),
        ("~1.2", _between("1.2.0", "1.3.0-0")),
        ("~1", _between("1.0.0", "2.0.0-0")),
        ("1.x", _between("1.0.0", "2.0.0-0")),
        ("1.2.*", _between("1.2.0", "1.3.0-0")),
        ("1.2.3", _between("1.2.3", "1.2.3", upper_inclusive=True)),
        ("=1.2.3+b", _between("1.2.3", "1.2.3", upper_inclusive=True)),
        ("*", Interval()),
        ("X", Interval()),
        (">=1.0.0 <2.0.0", _between("1.0.0", "2.0.0")),
        (">= 1.0 < 2", _between("1.0.0", "2.0.0-0")),
        (">1.2", _between("1.3.0", None)),
        (">1.2.3", Interval(version_key("1.2.3"), False)),
        ("<1.2", _between(None, "1.2.0-0")),
        ("<=1.2", _between(None, "1.3.0-0")),
        ("<=1.2.3", _between(None, "1.2.3", upper_inclusive=True)),
        ("1.2.3 - 2.3.4", _between("1.2.3", "2.3.4", upper_inclusive=True)),
        ("1.2 - 2.3", _between("1.2.0", "2.4.0-0")),
        ("^1.2 <1.5 >=1.3", _between("1.3.0", "1.5.0-0")),
    ],
)
def test_parse_range_desugars_like_node_semver(text: str, expected: Interval) -> None:
    assert parse_range(text) == [expected]


def test_parse_range_unions_and_drops_empty_alternatives() -> None:
    assert parse_range("1.x || >=3") == [_between("1.0.0", "2.0.0-0"), _between("3.0.0", None)]
    assert parse_range(">=2 <1 || 1.2.3") == [_between("1.2.3", "1.2.3", upper_inclusive=True)]
    assert parse_range(">2.0.0 <2.0.0") == []
    assert parse_range(">*") == []
    assert parse_range(">=1.2.3 <=1.2.3") == [_between("1.2.3", "1.2.3", upper_inclusive=True)]


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("^1.2", ["1.2.0", "1.9.9", "1.10.0", "1.5.0+b"], ["2.0.0", "2.0.0-alpha", "1.1.9"]),
        ("^1.2", ["1.2.1-rc.1"], ["1.2.0-rc.1", "2.0.0-0"]),
        ("~1.2.3", ["1.2.3", "1.2.9"], ["1.3.0", "1.2.2", "1.3.0-0", "1.2.3-rc.1"]),
        (">=1.0.0 <2.0.0", ["1.0.0", "1.99.99", "2.0.0-rc.1"], ["0.9.9", "2.0.0"]),
        ("1.x || >=3", ["1.0.0", "1.99.0", "3.0.0", "42.0.0"], ["0.9.0", "2.5.0", "3.0.0-rc.1"]),
        ("*", ["0.0.0", "0.0.0-0", "9999999999.0.0"], []),
        ("<1.2.3", ["1.2.3-rc.1", "0.0.0"], ["1.2.3", "1.2.3+b"]),
    ],
)
def test_version_in_range(text: str, inside: list[str], outside: list[str]) -> None:
    assert [v for v in inside if not version_in_range(v, text)] == []
    assert [v for v in outside if version_in_range(v, text)] == []


NPM_RANGES = [
    "^1.2.3", "^0.2.3", "^0.0.3", "^1.2", "^1", "^0", "^0.0", "^0.0.0", "~1.2.3", "~1.2", "~1",
    "~0", "~0.0", "1.x", "1.x.x", "1.2.*", "*", "x", "1.2.3 - 2.3.4", "1.2 - 2.3.4",
    "1.2.3 - 2.3", "1.2.3 - 2", "* - 2", ">=1.0.0 <2.0.0", "1.x || >=3", ">1.2", "<1.2", "<=1.2",
    ">=1.2", ">1", "<1", "<=1", ">1.2.3", "<=1.2.3", "=1.2.3", "1.2.3", "1.2", "1", "=1.2",
    ">=2 <1", "^1.2 ~1.4", "<2 || >=3 <4", ">=*",
]  # fmt: skip


def test_ranges_agree_with_npm_on_releases() -> None:
    """Without prereleases, npm's same-tuple prerelease rule is moot: results must match."""
    releases = [f"{a}.{b}.{c}" for a, b, c in itertools.product(range(5), repeat=3)]
    for text in NPM_RANGES:
        spec = sv.NpmSpec(text)
        wrong = [v for v in releases if spec.match(sv.Version(v)) != version_in_range(v, text)]
        assert wrong == [], text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "||",
        "1.2.3 ||",
        "foo",
        "garbage in",
        "v1.2.3",
        "^v1",
        ">>1",
        "<==1",
        "~>1.2",
        "1.x.3",
        "x.1",
        "1.x-alpha",
        "01.2",
        "1.2.3.4",
        "1.2.3 -",
        "- 1.2.3",
        "1.2.3 - 2.3.4 - 5",
        "^",
        ">=",
        "9999999999.x",
    ],
)
def test_parse_range_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match=r"version"):
        parse_range(text)
