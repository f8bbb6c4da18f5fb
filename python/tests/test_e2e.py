"""End to end over loopback: the real simulator (token endpoint) and a small local API, through
httpx (sync and async), requests and urllib. Covers delegation, RAR, faults, single flight and
the retry on 401. Transport failures go through each adapter's failure mapping into the
core's token flow, which retries them."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
import requests

import maskinporten
from conftest import (
    Api,
    claims_of,
    CONSUMER_ORG,
    KEYS,
    KID_CLIENT_ID,
    P12_PASSWORD,
    SYSTEM_USER_ORG,
    X5C_CLIENT_ID,
    Simulator,
)
from maskinporten.httpx import MaskinportenAuth as HttpxAuth
from maskinporten.requests import MaskinportenAuth as RequestsAuth

SCOPE = "test:scope.read"
DELEGATED_SCOPE = "brreg:reelle/rapporteringspliktig"


def environment(sim: Simulator) -> maskinporten.Environment:
    return maskinporten.Environment.custom(sim.issuer, sim.token_endpoint, sim.jwks_uri)


@pytest.fixture()
def x5c_client(sim: Simulator) -> maskinporten.Client:
    key = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
    return maskinporten.Client(X5C_CLIENT_ID, key, environment(sim))


@pytest.fixture()
def kid_client(sim: Simulator) -> maskinporten.Client:
    key = maskinporten.Key.from_jwk((KEYS / "client.jwk.json").read_text())
    return maskinporten.Client(KID_CLIENT_ID, key, environment(sim))


def test_urllib_fetch_token_x5c_and_kid(sim: Simulator, x5c_client: maskinporten.Client, kid_client: maskinporten.Client) -> None:
    for client in (x5c_client, kid_client):
        token = maskinporten.fetch_token(client, SCOPE)
        assert token.scope == SCOPE and token.token_type == "Bearer"
        claims = claims_of(token.access_token)
        assert claims["client_id"] == client.client_id
        assert claims["iss"] == sim.issuer
    assert sim.stats()["tokens_issued"] == 2


def test_metadata_discovery_through_urllib(sim: Simulator) -> None:
    request = maskinporten.Environment.metadata_request(sim.issuer)
    status, body, content_type, _ = maskinporten.urllib_send(request, 10)
    assert status == 200 and content_type is not None and content_type.startswith("application/json")
    discovered = maskinporten.Environment.from_metadata(body)
    # The simulator's metadata also names its self-service API.
    assert discovered == environment(sim).with_self_service_base(f"{sim.issuer}api/v1")


def test_httpx_sync_delegation(sim: Simulator, x5c_client: maskinporten.Client, api: Api) -> None:
    auth = HttpxAuth(x5c_client, DELEGATED_SCOPE, consumer_org=CONSUMER_ORG)
    with httpx.Client(auth=auth, timeout=10) as http:
        first = http.get(api.url).json()
        second = http.get(api.url).json()
    assert first["consumer"]["ID"] == f"0192:{CONSUMER_ORG}"
    assert first["supplier"]["ID"] == "0192:311000004"
    assert first["scope"] == DELEGATED_SCOPE
    assert first == second
    assert sim.stats()["tokens_issued"] == 1, "the second call used the cached token"


def test_httpx_async_rar_and_single_flight(sim: Simulator, kid_client: maskinporten.Client, api: Api) -> None:
    sim.fault(kind="latency", latency_ms=300, count=1)
    detail = maskinporten.AuthorizationDetail.system_user(SYSTEM_USER_ORG, external_ref="e2e")
    auth = HttpxAuth(kid_client, SCOPE, authorization_details=[detail])

    async def run() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(auth=auth, timeout=10) as http:
            responses = await asyncio.gather(*(http.get(api.url) for _ in range(16)))
        return [r.json() for r in responses]

    results = asyncio.run(run())
    assert len(results) == 16
    assert results[0]["authorization_details"][0]["systemuser_org"]["ID"] == f"0192:{SYSTEM_USER_ORG}"
    assert sim.stats()["tokens_issued"] == 1, "16 concurrent tasks, one token request"
    assert len({a for a in api.seen}) == 1


def test_threads_single_flight_with_token_provider(sim: Simulator, x5c_client: maskinporten.Client) -> None:
    sim.fault(kind="latency", latency_ms=300, count=1)
    provider = maskinporten.TokenProvider(x5c_client, SCOPE)
    barrier = threading.Barrier(16)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            tokens.append(provider.token().access_token)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(tokens) == 16 and len(set(tokens)) == 1
    assert sim.stats()["tokens_issued"] == 1, "16 threads, one token request"


def test_requests_threads_single_flight(sim: Simulator, x5c_client: maskinporten.Client, api: Api) -> None:
    sim.fault(kind="latency", latency_ms=300, count=1)
    auth = RequestsAuth(x5c_client, SCOPE)
    barrier = threading.Barrier(12)
    statuses: list[int] = []

    def worker() -> None:
        barrier.wait()
        statuses.append(requests.get(api.url, auth=auth, timeout=10).status_code)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 12
    assert sim.stats()["tokens_issued"] == 1, "12 threads, one token request"


def test_requests_retry_on_401(sim: Simulator, x5c_client: maskinporten.Client, api: Api) -> None:
    auth = RequestsAuth(x5c_client, SCOPE)
    session = requests.Session()
    session.auth = auth
    assert session.get(api.url, timeout=10).json()["scope"] == SCOPE
    api.reject = 1
    response = session.get(api.url, timeout=10)
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [401]
    assert sim.stats()["tokens_issued"] == 2, "the 401 dropped the token and fetched a new one"
    assert api.seen[-1] != api.seen[-2], "the retry carried the new token"


def test_httpx_retry_on_401_only_once(sim: Simulator, x5c_client: maskinporten.Client, api: Api) -> None:
    auth = HttpxAuth(x5c_client, SCOPE)
    with httpx.Client(auth=auth, timeout=10) as http:
        api.reject = 1
        assert http.get(api.url).status_code == 200
        api.reject = 5
        assert http.get(api.url).status_code == 401, "a second 401 is returned, not retried forever"
    assert sim.stats()["tokens_issued"] == 3


def test_async_retry_on_401(sim: Simulator, x5c_client: maskinporten.Client, api: Api) -> None:
    auth = HttpxAuth(x5c_client, SCOPE)

    async def run() -> int:
        async with httpx.AsyncClient(auth=auth, timeout=10) as http:
            api.reject = 1
            return (await http.get(api.url)).status_code

    assert asyncio.run(run()) == 200
    assert sim.stats()["tokens_issued"] == 2


FAULTS = [{"kind": "status", "status": 503}, {"kind": "html", "status": 502}, {"kind": "empty", "status": 504}]


@pytest.mark.parametrize("fault", FAULTS)
def test_server_faults_are_retried(sim: Simulator, x5c_client: maskinporten.Client, fault: dict[str, Any]) -> None:
    sim.fault(count=1, **fault)
    assert maskinporten.fetch_token(x5c_client, SCOPE).scope == SCOPE, "the flow retried after the fault"
    assert sim.stats()["requests"] == 2 and sim.stats()["tokens_issued"] == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_server_faults_without_retry_are_unavailable(sim: Simulator, x5c_client: maskinporten.Client, fault: dict[str, Any]) -> None:
    sim.fault(count=1, **fault)
    with pytest.raises(maskinporten.UnavailableError) as caught:
        maskinporten.TokenProvider(x5c_client, SCOPE, max_attempts=1).token()
    assert caught.value.retryable and caught.value.status == fault["status"]


def test_closed_connection_is_unavailable_for_every_transport(sim: Simulator, x5c_client: maskinporten.Client, api: Api) -> None:
    sim.fault(kind="close")
    with pytest.raises(maskinporten.UnavailableError) as urllib_error:
        maskinporten.fetch_token(x5c_client, SCOPE)
    assert urllib_error.value.status is None and urllib_error.value.retryable
    assert "connection broke" in str(urllib_error.value), "a closed connection is a reset"
    assert sim.stats()["requests"] == 4, "the default policy's four attempts"
    with pytest.raises(maskinporten.UnavailableError) as requests_error:
        requests.get(api.url, auth=RequestsAuth(x5c_client, SCOPE, max_attempts=1), timeout=10)
    assert "connection broke" in str(requests_error.value)
    with pytest.raises(maskinporten.UnavailableError) as httpx_error:
        httpx.get(api.url, auth=HttpxAuth(x5c_client, SCOPE, max_attempts=1), timeout=10)
    assert "connection broke" in str(httpx_error.value)
    sim.clear_faults()
    provider = maskinporten.TokenProvider(x5c_client, SCOPE)
    assert provider.token().scope == SCOPE, "a failed fetch released the call"


def test_refused_connection_is_a_connect_failure(x5c_client: maskinporten.Client) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = maskinporten.Environment.custom(f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/token", f"http://127.0.0.1:{port}/jwk")
    client = maskinporten.Client(X5C_CLIENT_ID, x5c_client.key, environment)
    for send in (maskinporten.urllib_send, __import__("maskinporten.httpx").httpx.send(), __import__("maskinporten.requests").requests.send()):
        with pytest.raises(maskinporten.UnavailableError) as caught:
            maskinporten.TokenProvider(client, SCOPE, send=send, max_attempts=1).token()
        assert "could not connect" in str(caught.value), (send, caught.value)


def test_timeouts_come_from_the_flow(sim: Simulator, x5c_client: maskinporten.Client) -> None:
    sim.fault(kind="latency", latency_ms=1500, count=1)
    provider = maskinporten.TokenProvider(x5c_client, SCOPE, attempt_timeout_ms=300, max_attempts=2)
    assert provider.token().scope == SCOPE, "the slow first attempt timed out and the second one worked"
    assert sim.stats()["requests"] == 2


def test_oauth_errors_from_the_server(sim: Simulator, x5c_client: maskinporten.Client, api: Api) -> None:
    with pytest.raises(maskinporten.OAuthError) as scope_error:
        maskinporten.fetch_token(x5c_client, "test:not-registered")
    assert scope_error.value.error == "invalid_scope" and scope_error.value.mp_code is not None
    assert scope_error.value.status == 400 and not scope_error.value.retryable
    wrong_env = maskinporten.Client(X5C_CLIENT_ID, x5c_client.key, maskinporten.Environment.custom("http://127.0.0.1:1/", sim.token_endpoint, sim.jwks_uri))
    with pytest.raises(maskinporten.OAuthError) as aud_error:
        with httpx.Client(auth=HttpxAuth(wrong_env, SCOPE), timeout=10) as http:
            http.get(api.url)
    assert aud_error.value.mp_code == "MP-110" and aud_error.value.hint
    assert api.seen == [], "no API call without a token"
