"""Semantic versions of artifacts: normalisation, byte-sortable keys and npm-style ranges.

A range becomes a union of `Interval`s over version keys, which SQL compares as plain strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COMPONENT = 9_999_999_999  # a number must fit the 10 digits it gets in a key
MAX_LENGTH = 255
MAX_KEY_LENGTH = 255  # the `version_key` column; numeric prerelease identifiers widen a key

_NUM = r"0|[1-9][0-9]*"
_PART = rf"{_NUM}|[xX*]"
_IDENTS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_VERSION = re.compile(
    rf"({_PART})(?:\.({_PART}))?(?:\.({_PART}))?(?:-({_IDENTS}))?(?:\+({_IDENTS}))?", re.ASCII
)
_OPERATORS = ("<=", ">=", "<", ">", "=", "^", "~")
_RANGE_MARKS = re.compile(r"[\^~<>=*xX|\s]")
_EXPECTED = "expected MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD], numbers without leading zeros"


@dataclass(frozen=True)
class _Parsed:
    nums: tuple[int, ...]  # the components given before any wildcard: 0 to 3 of them
    pre: tuple[str, ...]
    build: str

    def padded(self) -> tuple[int, int, int]:
        major, minor, patch = (*self.nums, 0, 0, 0)[:3]
        return major, minor, patch


def _parse(text: str, wildcards: bool) -> _Parsed:
    text = text.strip()
    if not text:
        raise ValueError("version must not be empty")
    match = _VERSION.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid version {text!r}: {_EXPECTED}")
    parts = [p for p in match.group(1, 2, 3) if p is not None]
    given = [p for p in parts if p not in ("x", "X", "*")]
    pre = tuple(match.group(4).split(".")) if match.group(4) else ()
    if given != parts[: len(given)] or (len(given) < len(parts) and (pre or not wildcards)):
        raise ValueError(f"invalid version {text!r}: misplaced wildcard")
    for ident in pre:
        if ident.isdigit() and len(ident) > 1 and ident.startswith("0"):
            raise ValueError(f"invalid version {text!r}: prerelease {ident!r} has a leading zero")
    nums = tuple(int(p) for p in given)
    if any(n > MAX_COMPONENT for n in (*nums, *(int(i) for i in pre if i.isdigit()))):
        raise ValueError(f"invalid version {text!r}: numbers may not exceed {MAX_COMPONENT}")
    return _Parsed(nums, pre, match.group(5) or "")


def normalize_version(text: str) -> str:
    """Parse `text` as an exact (possibly partial) semver and return it as `M.m.p[-pre][+build]`.

    Raises ValueError on anything else, including a leading `v` and wildcards.
    """
    parsed = _parse(text, wildcards=False)
    result = ".".join(str(n) for n in parsed.padded())
    result += f"-{'.'.join(parsed.pre)}" if parsed.pre else ""
    result += f"+{parsed.build}" if parsed.build else ""
    if len(result) > MAX_LENGTH:
        raise ValueError(f"version is longer than {MAX_LENGTH} characters")
    return result


def storable_version(text: str) -> str:
    """`normalize_version`, refusing a version whose key would not fit the key column."""
    normalized = normalize_version(text)
    if len(version_key(normalized)) > MAX_KEY_LENGTH:
        raise ValueError("version has too many numeric prerelease identifiers to be stored")
    return normalized


def _key(nums: tuple[int, ...], pre: tuple[str, ...] = ()) -> str:
    if any(n > MAX_COMPONENT for n in nums):
        raise ValueError(f"version numbers may not exceed {MAX_COMPONENT}")
    head = ".".join(f"{n:010d}" for n in nums)
    if not pre:
        return head + "~"
    return head + "-" + " ".join(f"0{int(i):010d}" if i.isdigit() else f"1{i}" for i in pre)


def version_key(normalized: str) -> str:
    """Return a string whose byte-wise order is semver precedence; build metadata is ignored.

    `M.m.p` become 10-digit numbers; a release ends in `~`, a prerelease in `-` and its
    identifiers (numeric `0%010d`, alphanumeric `1ident`) joined by spaces.
    """
    parsed = _parse(normalized, wildcards=False)
    return _key(parsed.padded(), parsed.pre)


@dataclass(frozen=True)
class Interval:
    """A set of versions between two version keys; a `None` bound is unbounded."""

    lower: str | None = None
    lower_inclusive: bool = False
    upper: str | None = None
    upper_inclusive: bool = False

    def contains(self, key: str) -> bool:
        """Whether the version with key `key` lies in the interval."""
        lo, hi = self.lower, self.upper
        above = lo is None or key > lo or (key == lo and self.lower_inclusive)
        below = hi is None or key < hi or (key == hi and self.upper_inclusive)
        return above and below


def _tighter(
    a: str | None, a_inc: bool, b: str | None, b_inc: bool, upper: bool
) -> tuple[str | None, bool]:
    if a is None or b is None:
        return (b, b_inc) if a is None else (a, a_inc)
    if a == b:
        return a, a_inc and b_inc
    return (a, a_inc) if (a < b) == upper else (b, b_inc)


def _intersect(a: Interval | None, b: Interval | None) -> Interval | None:
    if a is None or b is None:
        return None
    lower, lower_inc = _tighter(a.lower, a.lower_inclusive, b.lower, b.lower_inclusive, False)
    upper, upper_inc = _tighter(a.upper, a.upper_inclusive, b.upper, b.upper_inclusive, True)
    empty = (lower is not None and upper is not None) and (
        lower > upper or (lower == upper and not (lower_inc and upper_inc))
    )
    return None if empty else Interval(lower, lower_inc, upper, upper_inc)


def _bump(nums: tuple[int, ...], index: int) -> tuple[int, int, int]:
    major, minor, patch = (*nums[:index], nums[index] + 1, 0, 0, 0)[:3]
    return major, minor, patch


def _at_least(p: _Parsed) -> Interval:
    return Interval(_key(p.padded(), p.pre), True)


def _below(nums: tuple[int, int, int]) -> Interval:
    """Strictly below `nums` and all its prereleases: `< M.m.p-0`."""
    return Interval(upper=_key(nums, ("0",)))


def _comparator(op: str, p: _Parsed) -> Interval | None:
    """One comparator as an interval, desugared like node-semver; None matches nothing."""
    n, full = len(p.nums), len(p.nums) == 3 or bool(p.pre)
    if n == 0:
        return None if op in ("<", ">") else Interval()
    if op == "^":
        first = next((i for i, v in enumerate(p.nums) if v), n - 1)
        return _intersect(_at_least(p), _below(_bump(p.nums, first)))
    if op == "~":
        return _intersect(_at_least(p), _below(_bump(p.nums, min(n - 1, 1))))
    if op == ">=":
        return _at_least(p)
    if op == "<":
        return Interval(upper=_key(p.padded(), p.pre)) if full else _below(p.padded())
    if full:
        key = _key(p.padded(), p.pre)
        if op == ">":
            return Interval(key, False)
        if op == "<=":
            return Interval(upper=key, upper_inclusive=True)
        return Interval(key, True, key, True)
    if op == ">":
        return Interval(_key(_bump(p.nums, n - 1)), True)
    if op == "<=":
        return _below(_bump(p.nums, n - 1))
    return _intersect(_at_least(p), _below(_bump(p.nums, n - 1)))


def _alternative(text: str) -> Interval | None:
    hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", text)
    if hyphen:
        return _intersect(
            _comparator(">=", _parse(hyphen[1], True)), _comparator("<=", _parse(hyphen[2], True))
        )
    tokens = re.sub(r"([<>=^~])\s+", r"\1", text).split()
    if not tokens:
        raise ValueError("version range has an empty alternative")
    result: Interval | None = Interval()
    for token in tokens:
        version = token.lstrip("<>=^~")
        op = token[: len(token) - len(version)] or "="
        if op not in _OPERATORS:
            raise ValueError(f"invalid operator {op!r} in version range")
        result = _intersect(result, _comparator(op, _parse(version, True)))
    return result


def is_version_range(text: str) -> bool:
    """Whether `text` is a range rather than an exact version (`1.2` is exact, `1.x` a range)."""
    try:
        _parse(text, wildcards=False)
    except ValueError:
        return bool(_RANGE_MARKS.search(text.strip()))
    return False


def parse_range(text: str) -> list[Interval]:
    """Parse an npm-style range into the union of intervals it denotes (empty ones dropped).

    Bounds desugar as in node-semver (`^1.2` → `>=1.2.0 <2.0.0-0`), but any prerelease inside an
    interval matches: there is no npm rule limiting prereleases to the comparator's own M.m.p.
    """
    intervals = [_alternative(alt.strip()) for alt in text.split("||")]
    return [interval for interval in intervals if interval is not None]


def version_in_range(version: str, text: str) -> bool:
    """Whether the exact `version` satisfies the range `text`."""
    key = version_key(version)
    return any(interval.contains(key) for interval in parse_range(text))
