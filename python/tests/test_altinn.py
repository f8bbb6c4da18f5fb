"""Altinn 3 tokens end to end: the real simulator's Maskinporten and its Altinn platform (under
``/altinn``), through ``TokenProvider``/``AsyncTokenProvider`` with ``altinn=AltinnExchange``
and the httpx/requests auths. Both stages on first use, the cached token reused, a due one
refreshed, and every error status typed. Plus ``AltinnExchange``'s own checks, and the
requirement options for consent, system users and eSeal consumers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Optional

import httpx
import pytest
import requests

import maskinporten
from conftest import KEYS, P12_PASSWORD, X5C_CLIENT_ID, Api, Simulator, claims_of
from maskinporten.httpx import MaskinportenAuth as HttpxAuth
from maskinporten.requests import MaskinportenAuth as RequestsAuth

ALTINN_READ = "altinn:instances.read"
EXCHANGE_PATH = "/altinn/authentication/api/v1/exchange/maskinporten"


def client(sim: Simulator) -> maskinporten.Client:
    key = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
    return maskinporten.Client(X5C_CLIENT_ID, key, maskinporten.Environment.custom(sim.issuer, sim.token_endpoint, sim.jwks_uri))


def exchange(sim: Simulator, **options: Any) -> maskinporten.AltinnExchange:
    return maskinporten.AltinnExchange(sim.altinn_platform, **options)


class Ahead:
    """The provider's clock, moved ahead of the simulator's by ``offset_ms``."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return maskinporten.unix_now() * 1000 + self.offset_ms


def provider(sim: Simulator, scopes: str = ALTINN_READ, now_ms: Optional[Callable[[], int]] = None) -> maskinporten.TokenProvider:
    return maskinporten.TokenProvider(
        client(sim), [scopes], altinn=exchange(sim), now_ms=now_ms, initial_backoff_ms=10, max_backoff_ms=20
    )


def test_altinn_token_cached_and_refreshed(sim: Simulator) -> None:
    clock = Ahead()
    tokens = provider(sim, now_ms=clock)
    first = tokens.token()
    claims = claims_of(first.access_token)
    assert claims["urn:altinn:orgNumber"] == "311000004"
    assert claims["urn:altinn:authenticatemethod"] == "maskinporten"
    assert first.expires_in == 60, "the Altinn token's own exp (e2e.toml: 60 s), not Maskinporten's 120 s"
    stats = sim.stats()
    assert (stats["tokens_issued"], stats["altinn_tokens_issued"]) == (1, 1)

    # Cached; and the inner Maskinporten token is shared with a plain provider on the same flow.
    assert tokens.token().access_token == first.access_token
    plain = maskinporten.TokenProvider(client(sim), [ALTINN_READ], flow=tokens.flow, now_ms=clock)
    assert plain.token().access_token != first.access_token
    assert sim.stats()["tokens_issued"] == 1, "the exchange's Maskinporten token is shared"

    # 40 s on, the Altinn token is due (refreshed 30 s before its exp), the Maskinporten one is not.
    clock.offset_ms = 40_000
    refreshed = tokens.token()
    assert refreshed.access_token != first.access_token
    stats = sim.stats()
    assert (stats["tokens_issued"], stats["altinn_tokens_issued"]) == (1, 2), "only the exchange again"

    # An API's 401 to the Altinn token drops that token only.
    assert tokens.reject(refreshed.access_token) and not tokens.reject(refreshed.access_token)
    assert tokens.token().access_token != refreshed.access_token
    assert sim.stats()["altinn_tokens_issued"] == 3


def test_async_provider_and_test_organisation(sim: Simulator) -> None:
    async def run() -> list[maskinporten.AccessToken]:
        tokens = maskinporten.AsyncTokenProvider(
            client(sim), ["altinn:serviceowner"], altinn=exchange(sim, test_org=True)
        )
        return list(await asyncio.gather(*(tokens.token() for _ in range(8))))

    tokens = asyncio.run(run())
    assert len({t.access_token for t in tokens}) == 1, "eight tasks, one Altinn token"
    assert claims_of(tokens[0].access_token)["urn:altinn:org"] == "ttd"
    stats = sim.stats()
    assert (stats["tokens_issued"], stats["altinn_tokens_issued"]) == (1, 1)


def test_each_error_status_is_typed(sim: Simulator) -> None:
    def failure(tokens: maskinporten.TokenProvider) -> tuple[str, Optional[int], bool]:
        with pytest.raises(maskinporten.MaskinportenError) as caught:
            tokens.token()
        assert caught.value.kind in maskinporten.error_kinds()
        return caught.value.kind, caught.value.status, caught.value.retryable

    # 403 from the platform itself: the Maskinporten token has no Altinn scope.
    assert failure(provider(sim, "test:scope.read")) == ("altinn_forbidden", 403, False)
    tokens = provider(sim)
    for status in (400, 410):
        sim.fault(kind="status", status=status, count=1, path=EXCHANGE_PATH)
        assert failure(tokens) == ("altinn_exchange_invalid", status, False)
    # Two 401s: a new Maskinporten token once, then the typed error.
    issued = sim.stats()["tokens_issued"]
    sim.fault(kind="status", status=401, count=2, path=EXCHANGE_PATH)
    assert failure(tokens) == ("altinn_token_rejected", 401, False)
    assert sim.stats()["tokens_issued"] == issued + 1, "renewed once after the first 401"
    # 429 and 503 are retried; four 503s in a row exhaust the attempts.
    sim.fault(kind="status", status=429, count=1, path=EXCHANGE_PATH)
    sim.fault(kind="status", status=503, count=1, path=EXCHANGE_PATH)
    before = sim.stats()["altinn_requests"]
    token = tokens.token()
    assert sim.stats()["altinn_requests"] == before + 3
    tokens.reject(token.access_token)
    sim.fault(kind="status", status=503, count=4, path=EXCHANGE_PATH)
    assert failure(tokens) == ("unavailable", 503, True)


def test_httpx_and_requests_auth_send_the_altinn_token(sim: Simulator, api: Api) -> None:
    auth = HttpxAuth(client(sim), ALTINN_READ, altinn=exchange(sim))
    with httpx.Client(auth=auth) as http:
        assert http.get(api.url).status_code == 200
    assert claims_of(api.seen[-1][len("Bearer ") :])["urn:altinn:authenticatemethod"] == "maskinporten"
    session = requests.Session()
    session.auth = RequestsAuth(client(sim), ALTINN_READ, altinn=exchange(sim))
    assert session.get(api.url, timeout=10).status_code == 200
    assert claims_of(api.seen[-1][len("Bearer ") :])["urn:altinn:orgNumber"] == "311000004"
    assert sim.stats()["altinn_tokens_issued"] == 2


def test_altinn_exchange_checks_its_options() -> None:
    tt02 = maskinporten.AltinnExchange("tt02", test_org=True)
    assert (tt02.platform, tt02.test_org) == ("https://platform.tt02.altinn.no", True)
    assert maskinporten.AltinnExchange.for_environment("prod") == maskinporten.AltinnExchange("prod")
    assert maskinporten.AltinnExchange.for_environment(maskinporten.Environment.test()).platform == tt02.platform
    with pytest.raises(maskinporten.MaskinportenError) as caught:
        maskinporten.AltinnExchange("prod", test_org=True)
    assert caught.value.kind == "invalid_argument" and "TT02" in str(caught.value)
    with pytest.raises(maskinporten.MaskinportenError) as caught:
        maskinporten.AltinnExchange("tt2")
    assert caught.value.kind == "invalid_environment"
    with pytest.raises(maskinporten.MaskinportenError):
        maskinporten.AltinnExchange.for_environment("https://sim.example/")
    keyed = maskinporten.AltinnExchange("tt02", subscription_key="apim-secret-key")
    assert "apim-secret-key" not in repr(keyed) and keyed != maskinporten.AltinnExchange("tt02")
    request = keyed.request("eyJ.mp.token")
    assert request.method == "GET" and request.headers["Authorization"] == "Bearer eyJ.mp.token"
    assert "eyJ.mp.token" not in repr(request)
    with pytest.raises(maskinporten.MaskinportenError) as caught:
        keyed.parse_response(403, b"")
    assert caught.value.kind == "altinn_forbidden"


def test_sources_key_altinn_tokens_apart(sim: Simulator) -> None:
    plain = maskinporten.TokenSource(client(sim), ALTINN_READ)
    altinn = maskinporten.TokenSource(client(sim), ALTINN_READ, altinn=exchange(sim))
    assert altinn.altinn == exchange(sim) and plain.altinn is None
    assert altinn.cache_key == exchange(sim).cache_key(plain.cache_key) != plain.cache_key
    assert "altinn=" in repr(altinn)


def test_options_warnings_are_logged(sim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    detail = {"type": "urn:example:detail", "externalRef": "ref with spaces"}
    with caplog.at_level(logging.WARNING, logger="maskinporten"):
        source = maskinporten.TokenSource(client(sim), "test:scope.read", authorization_details=[detail])
        assert source.warnings, "an externalRef with spaces is warned about"
        maskinporten.TokenProvider(client(sim), "test:scope.read", authorization_details=[detail])
    assert any("options_warning" in record.getMessage() for record in caplog.records)


def test_requirement_options_for_altinn() -> None:
    requirements = maskinporten.Requirements(
        "altinn:vendor.read", eseal_consumers=True, consent={"id": "c-1"}, system_user={"org": "313000001"}
    )
    assert requirements.eseal_consumers
    assert requirements.consent == {"id": "c-1", "from": None}
    assert requirements.system_user == {"org": "313000001", "system_id": None}
    assert maskinporten.Requirements("s", system_user=True).system_user == {"org": None, "system_id": None}
    assert maskinporten.Requirements("s", consent=False).consent is None
    with pytest.raises(maskinporten.MaskinportenError) as caught:
        maskinporten.Requirements("s", system_user={"orgnr": "313000001"})
    assert caught.value.kind == "invalid_requirements" and "orgnr" in str(caught.value)
    for bad in ({"org": 5}, "313000001", {1: "x"}):
        with pytest.raises(TypeError, match="system_user"):
            maskinporten.Requirements("s", system_user=bad)
