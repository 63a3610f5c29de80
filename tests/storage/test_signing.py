"""The local store's URL signer: what a signature covers, the reasons a URL is refused, and the
signing key that several worker processes share."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from glaregraph.storage import LocalStore, SignatureInvalid
from glaregraph.storage.signing import UrlSigner

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)
SIGNER = UrlSigner(b"k" * 32)


def signed(method: str = "PUT", path: str = "uploads/a", **params: str) -> str:
    return SIGNER.sign(method, path, params or {"size": "10"}, LATER)


def reason(method: str, path: str, query: str, now: datetime = NOW) -> str:
    with pytest.raises(SignatureInvalid) as caught:
        SIGNER.verify(method, path, query, now)
    return caught.value.reason


def test_round_trip_returns_the_signed_parameters() -> None:
    query = signed(type="text/plain; charset=utf-8", disposition='attachment; filename="a b"')
    params = SIGNER.verify("PUT", "uploads/a", query, NOW)
    assert params["type"] == "text/plain; charset=utf-8"
    assert params["disposition"] == 'attachment; filename="a b"'
    assert params["method"] == "PUT"
    assert params["expires"] == str(int(LATER.timestamp()))
    assert "signature" not in params


def test_parameter_order_does_not_matter() -> None:
    pairs = parse_qsl(signed(a="1", b="2"))
    assert SIGNER.verify("PUT", "uploads/a", list(reversed(pairs)), NOW)["a"] == "1"


def edit(query: str, **changes: str) -> str:
    return urlencode(dict(parse_qsl(query)) | changes)


@pytest.mark.parametrize(
    "change",
    [
        {"size": "11"},  # a signed parameter
        {"extra": "1"},  # an added one
        {"expires": str(int(LATER.timestamp()) + 3600)},
        {"method": "GET"},
        {"signature": "A" * 43},
        {"signature": ""},
    ],
)
def test_any_change_is_tampering(change: dict[str, str]) -> None:
    assert reason("PUT", "uploads/a", edit(signed(), **change)) == "tampered"


def test_other_path_missing_and_repeated_parameters_are_tampering() -> None:
    query = signed()
    assert reason("PUT", "uploads/b", query) == "tampered"
    without = "&".join(p for p in query.split("&") if not p.startswith("signature="))
    assert reason("PUT", "uploads/a", without) == "tampered"
    assert reason("PUT", "uploads/a", query + "&size=10") == "tampered"
    assert SIGNER.verify("PUT", "uploads/a", query, NOW)  # the untouched query passes
    other = UrlSigner(b"o" * 32).sign("PUT", "uploads/a", {"size": "10"}, LATER)
    assert reason("PUT", "uploads/a", other) == "tampered"


def test_method_and_expiry() -> None:
    assert reason("POST", "uploads/a", signed()) == "method"
    get = signed("GET")
    assert SIGNER.verify("HEAD", "uploads/a", get, NOW)["method"] == "GET"
    assert reason("PUT", "uploads/a", get) == "method"
    assert reason("GET", "uploads/a", get, LATER) == "expired"
    assert SIGNER.verify("GET", "uploads/a", get, LATER - timedelta(seconds=1))


def test_refuses_bad_inputs() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        UrlSigner(b"short")
    with pytest.raises(ValueError, match="timezone"):
        SIGNER.sign("GET", "a", {}, datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="reserved"):
        SIGNER.sign("GET", "a", {"signature": "x"}, LATER)


def test_signing_key_is_created_once_for_every_worker(tmp_path: Path) -> None:
    keys: list[bytes] = []
    workers = [
        threading.Thread(target=lambda: keys.append(LocalStore.load_or_create_key(tmp_path)))
        for _ in range(16)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(keys) == 16
    assert len(set(keys)) == 1
    assert len(keys[0]) == 32
    path = tmp_path / ".signing-key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [".signing-key"]
    assert LocalStore.load_or_create_key(tmp_path) == keys[0]
