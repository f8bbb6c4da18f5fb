"""The providers' single flight and refresh-ahead behaviour with in-process transports (no
network): what the adapters rely on."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Optional

import pytest

import maskinporten
from conftest import KEYS, P12_PASSWORD, X5C_CLIENT_ID


def ok(token: str, expires_in: int = 120) -> tuple[int, bytes, Optional[str]]:
    body = {"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": "test:scope.read"}
    return 200, json.dumps(body).encode(), "application/json"


@pytest.fixture(scope="module")
def client() -> maskinporten.Client:
    key = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
    return maskinporten.Client(X5C_CLIENT_ID, key, "test")


def test_threads_wait_for_one_fetch(client: maskinporten.Client) -> None:
    release = threading.Event()
    calls: list[str] = []

    def send(request: maskinporten.HttpRequest) -> tuple[int, bytes, Optional[str]]:
        assert request.url == "https://test.maskinporten.no/token"
        calls.append(request.body)
        # While this fetch is in flight, the cache sends every other caller to wait.
        lookup = provider.cache.lookup(provider.cache_key)
        assert lookup.action == "wait" and lookup.until is not None
        release.wait(10)
        return ok("one")

    provider = maskinporten.TokenProvider(client, "test:scope.read", send=send)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(provider.token().access_token)) for _ in range(12)]
    for t in threads:
        t.start()
    while not calls:  # the first caller is inside send(); the others are waiting on the cache
        threading.Event().wait(0.001)
    release.set()
    for t in threads:
        t.join()
    assert results == ["one"] * 12
    assert len(calls) == 1


def test_async_tasks_wait_for_one_fetch(client: maskinporten.Client) -> None:
    calls = 0

    async def main() -> list[str]:
        release = asyncio.Event()

        async def send(request: maskinporten.HttpRequest) -> tuple[int, bytes, Optional[str]]:
            nonlocal calls
            calls += 1
            await release.wait()
            return ok("async-one")

        provider = maskinporten.AsyncTokenProvider(client, "test:scope.read", send=send)
        tasks = [asyncio.ensure_future(provider.token()) for _ in range(12)]
        await asyncio.sleep(0)  # let every task reach the cache
        release.set()
        return [t.access_token for t in await asyncio.gather(*tasks)]

    assert asyncio.run(main()) == ["async-one"] * 12
    assert calls == 1


def test_failed_fetch_releases_the_waiters_and_raises(client: maskinporten.Client) -> None:
    answers = iter([(503, b"", None), ok("second")])
    provider = maskinporten.TokenProvider(client, "test:scope.read", send=lambda r: next(answers))
    with pytest.raises(maskinporten.UnavailableError):
        provider.token()
    assert provider.token().access_token == "second", "the next caller fetched at once"


def test_refresh_ahead_failure_keeps_the_valid_token(client: maskinporten.Client) -> None:
    cache = maskinporten.TokenCache()
    now = maskinporten.unix_now()
    key = client.cache_key("test:scope.read")
    first = cache.lookup(key)
    assert first.ticket is not None
    # Issued 100 s ago with 120 s lifetime: past its refresh time, still valid for 20 s.
    cache.complete(first.ticket, maskinporten.AccessToken("old", 120, None, now - 100))
    answers = iter([(503, b"busy", "text/plain"), ok("new")])
    provider = maskinporten.TokenProvider(client, "test:scope.read", cache=cache, send=lambda r: next(answers))
    assert provider.token().access_token == "old", "a retryable refresh failure keeps the valid token"
    assert provider.token().access_token == "new"
    assert provider.token().access_token == "new", "cached"


def test_oauth_error_is_raised_even_with_a_valid_token(client: maskinporten.Client) -> None:
    cache = maskinporten.TokenCache()
    first = cache.lookup(client.cache_key("test:scope.read"))
    assert first.ticket is not None
    cache.complete(first.ticket, maskinporten.AccessToken("old", 120, None, maskinporten.unix_now() - 100))
    refused = (
        400,
        b'{"error":"invalid_grant","error_description":"Invalid assertion. Client authentication failed (MP-100)"}',
        "application/json",
    )
    provider = maskinporten.TokenProvider(client, "test:scope.read", cache=cache, send=lambda r: refused)
    with pytest.raises(maskinporten.OAuthError):
        provider.token()


def test_options_are_validated_at_construction(client: maskinporten.Client) -> None:
    with pytest.raises(maskinporten.InvalidArgumentError) as caught:
        maskinporten.TokenProvider(client, "test:scope.read", consumer_org="not-an-org", send=lambda r: ok("x"))
    assert caught.value.field == "consumer_org"


def test_shared_cache_shares_tokens(client: maskinporten.Client) -> None:
    cache = maskinporten.TokenCache()
    calls: list[int] = []

    def send(request: maskinporten.HttpRequest) -> tuple[int, bytes, Optional[str]]:
        calls.append(1)
        return ok(f"t{len(calls)}")

    a = maskinporten.TokenProvider(client, "test:scope.read", cache=cache, send=send)
    b = maskinporten.TokenProvider(client, ["test:scope.read"], cache=cache, send=send)
    c = maskinporten.TokenProvider(client, "test:scope.write", cache=cache, send=send)
    assert a.token().access_token == b.token().access_token == "t1"
    assert c.token().access_token == "t2", "another scope is another token"
    a.invalidate()
    assert b.token().access_token == "t3"
