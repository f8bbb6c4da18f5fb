"""The providers execute the core's token flow with in-process transports (no network): single
flight with threads and tasks, retries and back-off through the injected sleep, the refresh
ahead of expiry, 401s, cancellation, shared flows, external signers and the events logged."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import threading
from typing import Any, Optional

import pytest

import maskinporten
from conftest import KEYS, P12_PASSWORD, X5C_CLIENT_ID

START_MS = 1_767_225_600_000  # inside the vector certificate's validity
SCOPE = "test:scope.read"


def ok(token: str, expires_in: int = 120) -> maskinporten.HttpResponse:
    body = {"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": SCOPE}
    return maskinporten.HttpResponse(200, json.dumps(body).encode(), "application/json")


REFUSED = maskinporten.HttpResponse(
    400, b'{"error":"invalid_client","error_description":"Invalid assertion (MP-100)"}', "application/json"
)


class Clock:
    def __init__(self) -> None:
        self.now = START_MS
        self.sleeps: list[int] = []

    def __call__(self) -> int:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds * 1000))
        self.now += round(seconds * 1000)


@pytest.fixture(scope="module")
def key() -> maskinporten.Key:
    return maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)


@pytest.fixture(scope="module")
def client(key: maskinporten.Key) -> maskinporten.Client:
    return maskinporten.Client(X5C_CLIENT_ID, key, "test")


def scripted(clock: Clock, client: maskinporten.Client, answers: list[Any], **options: Any) -> maskinporten.TokenProvider:
    script = iter(answers)

    def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        answer = next(script)
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, maskinporten.HttpResponse)
        return answer

    return maskinporten.TokenProvider(client, SCOPE, send=send, now_ms=clock, sleep=clock.sleep, jitter=lambda: 0.5, **options)


def test_threads_wait_for_one_fetch(client: maskinporten.Client) -> None:
    release = threading.Event()
    calls: list[str] = []

    def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        assert request.url == "https://test.maskinporten.no/token" and 9 < timeout <= 10
        calls.append(request.body)
        release.wait(10)
        return ok("one")

    provider = maskinporten.TokenProvider(client, SCOPE, send=send)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(provider.token().access_token)) for _ in range(12)]
    for t in threads:
        t.start()
    while not calls:  # the first caller is inside send(); the others wait on the flow
        threading.Event().wait(0.001)
    assert provider.flow.fresh(provider.source) is None, "nothing cached while the fetch runs"
    release.set()
    for t in threads:
        t.join()
    assert results == ["one"] * 12
    assert len(calls) == 1


def test_async_tasks_wait_for_one_fetch(client: maskinporten.Client) -> None:
    calls = 0

    async def main() -> list[str]:
        release = asyncio.Event()

        async def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
            nonlocal calls
            calls += 1
            await release.wait()
            return ok("async-one")

        provider = maskinporten.AsyncTokenProvider(client, SCOPE, send=send)
        tasks = [asyncio.ensure_future(provider.token()) for _ in range(12)]
        await asyncio.sleep(0.01)  # every task reaches the flow: one sends, eleven wait
        release.set()
        return [t.access_token for t in await asyncio.gather(*tasks)]

    assert asyncio.run(main()) == ["async-one"] * 12
    assert calls == 1


def test_retryable_failures_are_retried_with_back_off(client: maskinporten.Client) -> None:
    clock = Clock()
    busy = maskinporten.HttpResponse(503, b"busy", "text/plain", "1")
    provider = scripted(clock, client, [busy, maskinporten.TransportError("reset", "peer"), ok("third")])
    assert provider.token().access_token == "third"
    assert clock.sleeps == [1000, 300], "Retry-After (1 s) beat the first back-off; then 200..400 ms at jitter 0.5"


def test_no_retry_and_the_next_caller_fetches_at_once(client: maskinporten.Client) -> None:
    clock = Clock()
    provider = scripted(clock, client, [maskinporten.HttpResponse(503, b"", None), ok("second")], max_attempts=1)
    with pytest.raises(maskinporten.UnavailableError) as caught:
        provider.token()
    assert caught.value.status == 503 and caught.value.retryable
    assert provider.token().access_token == "second" and clock.sleeps == []


def test_refresh_ahead_failures_keep_the_valid_token(client: maskinporten.Client) -> None:
    clock = Clock()
    provider = scripted(clock, client, [ok("old"), REFUSED, REFUSED])
    assert provider.token().access_token == "old"
    clock.now += 95_000  # past the refresh time (90 s), still valid
    assert provider.token().access_token == "old", "a refused refresh ahead never fails the caller"
    clock.now += 10_000
    assert provider.token().access_token == "old", "and is not tried again before expiry"
    clock.now += 20_000  # expired
    with pytest.raises(maskinporten.OAuthError) as refused:
        provider.token()
    assert refused.value.mp_code == "MP-100", "the first caller after expiry gets the error"


def test_reject_drops_only_that_token(client: maskinporten.Client) -> None:
    clock = Clock()
    provider = scripted(clock, client, [ok("a"), ok("b")])
    assert provider.token().access_token == "a"
    assert provider.reject("a") is True
    assert provider.token().access_token == "b"
    assert provider.reject("a") is False, "a stale 401 keeps the new token"
    assert provider.token().access_token == "b"
    with pytest.raises(TypeError, match="rejected_access_token"):
        provider.reject(None)  # type: ignore[arg-type]


def test_shared_flow_shares_tokens(client: maskinporten.Client) -> None:
    flow = maskinporten.TokenFlow()
    calls: list[int] = []

    def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        calls.append(1)
        return ok(f"t{len(calls)}")

    a = maskinporten.TokenProvider(client, SCOPE, flow=flow, send=send)
    b = maskinporten.TokenProvider(client, [SCOPE], flow=flow, send=send)
    c = maskinporten.TokenProvider(client, "test:scope.write", flow=flow, send=send)
    assert a.token().access_token == b.token().access_token == "t1"
    assert c.token().access_token == "t2", "another scope is another token"
    a.reject("t1")
    assert b.token().access_token == "t3"
    assert len(flow) == 2
    with pytest.raises(TypeError, match="max_attempts"):
        maskinporten.TokenProvider(client, SCOPE, flow=flow, max_attempts=2)


def test_settings_are_the_cores_and_checked(client: maskinporten.Client) -> None:
    with pytest.raises(maskinporten.InvalidArgumentError) as attempts:
        maskinporten.TokenProvider(client, SCOPE, max_attempts=0)
    assert attempts.value.field == "max_attempts"
    with pytest.raises(maskinporten.InvalidArgumentError) as skew:
        maskinporten.TokenFlow(refresh_skew=-1)
    assert skew.value.field == "refresh_skew"
    with pytest.raises(maskinporten.InvalidArgumentError) as seconds:
        maskinporten.TokenProvider(client, SCOPE, deadline_ms=10**13)
    assert "milliseconds" in str(seconds.value)


def test_options_are_validated_at_construction(client: maskinporten.Client) -> None:
    with pytest.raises(maskinporten.InvalidArgumentError) as caught:
        maskinporten.TokenProvider(client, SCOPE, consumer_org="not-an-org", send=lambda r, t: ok("x"))
    assert caught.value.field == "consumer_org"


def test_a_failing_send_ends_the_call_and_frees_the_fetch(client: maskinporten.Client) -> None:
    """An exception that is not a transport failure (a bug, an interrupt) propagates; the call is
    cancelled, so the next caller fetches at once instead of waiting for the lease."""
    clock = Clock()
    provider = scripted(clock, client, [KeyError("bug in send"), ok("next")])
    with pytest.raises(KeyError):
        provider.token()
    assert provider.token().access_token == "next" and clock.sleeps == []


def test_cancelled_task_gives_the_fetch_to_the_next_caller(client: maskinporten.Client) -> None:
    async def main() -> tuple[str, int]:
        started = asyncio.Event()
        sends = 0

        async def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
            nonlocal sends
            sends += 1
            if sends == 1:
                started.set()
                await asyncio.sleep(30)  # hangs until cancelled
            return ok("after-cancel")

        provider = maskinporten.AsyncTokenProvider(client, SCOPE, send=send)
        first = asyncio.ensure_future(provider.token())
        await started.wait()
        second = asyncio.ensure_future(provider.token())
        await asyncio.sleep(0.01)  # the second task waits for the first one's fetch
        first.cancel()
        token = await asyncio.wait_for(second, 5)
        return token.access_token, sends

    assert asyncio.run(main()) == ("after-cancel", 2)


def test_external_signer(client: maskinporten.Client) -> None:
    """A key without its private half signs through ``signer``: the flow hands over the grant
    and checks the signature against the certificate."""
    external = maskinporten.Key.from_external(cert_chain_pem=(KEYS / "client.chain.pem").read_text())
    signing = maskinporten.Client(X5C_CLIENT_ID, external, "test")
    signed: list[str] = []

    def signer(grant: maskinporten.PreparedGrant) -> bytes:
        # Stands in for an HSM: the same RSA key signs the same header and claims.
        claims = json.loads(base64.urlsafe_b64decode(grant.signing_input.split(b".")[1] + b"=="))
        jwt = client.grant(SCOPE, now=claims["iat"], jti=claims["jti"])
        assert jwt.rsplit(".", 1)[0].encode() == grant.signing_input
        signed.append(grant.hash_name)
        return base64.urlsafe_b64decode(jwt.rsplit(".", 1)[1] + "==")

    clock = Clock()
    bodies: list[str] = []

    def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        bodies.append(request.body)
        return ok("signed-elsewhere")

    provider = maskinporten.TokenProvider(signing, SCOPE, send=send, signer=signer, now_ms=clock)
    assert provider.token().access_token == "signed-elsewhere"
    assert signed == ["sha256"] and "assertion=ey" in bodies[0]

    def wrong(grant: maskinporten.PreparedGrant) -> bytes:
        return b"\x00" * 256

    with pytest.raises(maskinporten.InvalidArgumentError) as bad:
        maskinporten.TokenProvider(signing, "test:scope.write", send=send, signer=wrong, now_ms=clock).token()
    assert bad.value.kind == "invalid_signature"

    def broken(grant: maskinporten.PreparedGrant) -> bytes:
        raise RuntimeError("HSM offline")

    with pytest.raises(maskinporten.InvalidKeyError) as failed:
        maskinporten.TokenProvider(signing, "test:scope.admin", send=send, signer=broken, now_ms=clock).token()
    assert failed.value.kind == "signer_failed" and "HSM offline" in str(failed.value)
    with pytest.raises(TypeError, match="signer"):
        maskinporten.TokenProvider(signing, SCOPE, send=send)


def test_events_go_to_logging(client: maskinporten.Client, caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    provider = scripted(clock, client, [maskinporten.HttpResponse(503, b"", None), ok("t")])
    with caplog.at_level(logging.DEBUG, logger="maskinporten"):
        provider.token()
        provider.token()
    events = [record.maskinporten_event.name for record in caplog.records]  # type: ignore[attr-defined]
    assert events == ["fetch_started", "retry_scheduled", "fetch_started", "fetch_succeeded", "cache_hit"]
    retry = caplog.records[1]
    assert retry.levelno == logging.WARNING and "retrying in 150 ms" in retry.getMessage()
    assert json.loads(retry.maskinporten_event.to_json())["status"] == 503  # type: ignore[attr-defined]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="maskinporten"):
        provider.token()
    assert caplog.records == [], "debug events are dropped when the logger does not want them"


def test_cache_hit_is_one_native_call(client: maskinporten.Client) -> None:
    """The hit path asks the flow once (``fresh``), with the cache key computed once per source."""
    provider = maskinporten.TokenProvider(client, SCOPE, send=lambda r, t: ok("hit"))
    token = provider.token()
    calls: list[str] = []
    real = provider._fresh  # type: ignore[attr-defined]

    def counting(source: maskinporten.TokenSource, now_ms: Optional[int]) -> Optional[maskinporten.AccessToken]:
        calls.append("fresh")
        return real(source, now_ms)  # type: ignore[no-any-return]

    provider._fresh = counting  # type: ignore[attr-defined]
    assert provider.token() == token
    assert calls == ["fresh"]
