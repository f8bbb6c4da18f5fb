"""Issue 12 item 8: every public object that holds a key, a password, a grant or a token is
formatted with ``repr()`` and ``str()`` (exceptions with their text too), and no secret may
appear."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
import requests

import maskinporten
from conftest import KEYS, P12_PASSWORD, VECTORS, X5C_CLIENT_ID
from maskinporten.httpx import MaskinportenAuth as HttpxAuth
from maskinporten.requests import MaskinportenAuth as RequestsAuth

NOW = 1_767_225_600
TOKEN = "tok-SECRET-7f3a9c1e5b2d8f4a6c0e"
PID = "05917197656"
VALIDATION = json.loads((VECTORS / "validation.json").read_text())
VALID = next(c for c in VALIDATION["cases"] if "expected" in c)


def ok() -> maskinporten.HttpResponse:
    body = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 120, "scope": "test:scope.read"}
    return maskinporten.HttpResponse(200, json.dumps(body).encode(), "application/json")


def formats(obj: Any) -> list[str]:
    texts = [repr(obj), str(obj), f"{obj!r}"]
    if isinstance(obj, BaseException):
        texts += [repr(arg) for arg in obj.args]
    return texts


def assert_clean(obj: Any, secrets: list[str]) -> None:
    for text in formats(obj):
        for secret in secrets:
            assert secret not in text, f"{type(obj).__name__} shows a secret: {text[:200]}"
        assert "PRIVATE KEY" not in text, text
        # A JWT or key material would show as a long base64url run (a cache key's label is 8).
        assert not re.search(r"ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}", text), f"{type(obj).__name__} shows a JWT: {text[:200]}"


def test_nothing_secret_in_any_public_object() -> None:
    p12 = (KEYS / "client.p12").read_bytes()
    key = maskinporten.Key.from_pkcs12(p12, P12_PASSWORD)
    pem_key = maskinporten.Key.from_pem((KEYS / "client.key.pem").read_text(), (KEYS / "client.chain.pem").read_text())
    jwk_key = maskinporten.Key.from_jwk((KEYS / "client.jwk.json").read_text())
    private_d = json.loads((KEYS / "client.jwk.json").read_text())["d"]
    client = maskinporten.Client(X5C_CLIENT_ID, key, "test")
    grant = client.grant("test:scope.read", now=NOW)
    request = client.token_request("test:scope.read", now=NOW)
    prepared = client.prepare_grant("test:scope.read", now=NOW)
    secrets = [P12_PASSWORD, TOKEN, grant, grant.split(".")[2], request.body[-60:], private_d[:24], PID]
    objects: list[Any] = [key, pem_key, jwk_key, client, request, prepared, grant and maskinporten.TokenSource(client, "test:scope.read")]

    token = client.parse_token_response(*ok()[:3], now=NOW)
    objects.append(token)

    # The token flow and its steps, holding the token, the request and the grant.
    flow = maskinporten.TokenFlow()
    source = maskinporten.TokenSource(client, "test:scope.read", pid=PID)
    call = flow.call(source)
    send_step = call.poll()
    assert send_step.kind == "send"
    objects += [flow, source, call, send_step, send_step.request]
    call.handle_response(200, ok().body, jitter=0.5, content_type="application/json")
    token_step = call.poll()
    assert token_step.kind == "token"
    objects += [token_step, token_step.token, *flow.drain_events()]
    external = maskinporten.Client(
        X5C_CLIENT_ID, maskinporten.Key.from_external(cert_chain_pem=(KEYS / "client.chain.pem").read_text()), "test"
    )
    sign_step = flow.call(maskinporten.TokenSource(external, "test:scope.read")).poll()
    assert sign_step.kind == "sign"
    objects += [sign_step, sign_step.grant]
    secrets.append(sign_step.grant.signing_input.decode()[-40:] if sign_step.grant else "")

    # Providers and HTTP integrations after a fetch.
    provider = maskinporten.TokenProvider(client, "test:scope.read", send=lambda r, t: ok())
    assert provider.token().access_token == TOKEN

    async def fetch() -> maskinporten.AccessToken:
        async def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
            return ok()

        async_provider = maskinporten.AsyncTokenProvider(client, "test:scope.read", send=send)
        objects.append(async_provider)
        return await async_provider.token()

    assert asyncio.run(fetch()).access_token == TOKEN
    httpx_auth = HttpxAuth(client, "test:scope.read", flow=provider.flow)
    requests_auth = RequestsAuth(client, "test:scope.read", flow=provider.flow)
    assert requests_auth.token().access_token == TOKEN
    objects += [provider, httpx_auth, requests_auth]

    # The API side: calls holding the token, validated tokens holding a pid.
    validator = maskinporten.Validator(VALIDATION["issuer"])
    validator.update_jwks((VECTORS / VALIDATION["jwks_file"]).read_bytes(), now=VALID["now"])
    requirements = maskinporten.Requirements(VALID["requirements"]["scopes"])
    validation = validator.validation(VALID["token"], requirements, VALID["now"] * 1000)
    valid_step = validation.poll(VALID["now"] * 1000)
    assert valid_step.kind == "valid"
    secrets += [VALID["token"][-40:], VALID["token"][:40]]
    objects += [validator, validation, valid_step, valid_step.token, requirements]
    token_validator = maskinporten.TokenValidator(VALIDATION["issuer"], send=lambda r, t: maskinporten.HttpResponse(200, b"{}"))
    objects.append(token_validator)

    # Errors: a wrong password, a refused token, a bad header, a malformed 200.
    errors: list[BaseException] = []
    for attempt in (
        lambda: maskinporten.Key.from_pkcs12(p12, "wrong-" + P12_PASSWORD),
        lambda: validator.validate(VALID["token"][:-6] + "AAAAAA", requirements, VALID["now"]),
        lambda: maskinporten.bearer_token(f"Bearer {TOKEN} extra"),
        lambda: client.parse_token_response(400, b'{"error":"invalid_grant","error_description":"bad"}', None, now=NOW),
    ):
        with pytest.raises(maskinporten.MaskinportenError) as caught:
            attempt()
        errors.append(caught.value)
        objects.append(maskinporten.Rejection.for_error(caught.value, requirements))
    objects += errors
    secrets.append("wrong-" + P12_PASSWORD)

    for obj in objects:
        assert_clean(obj, [s for s in secrets if s])
    assert len(objects) > 35


def test_malformed_token_response_does_not_quote_the_token() -> None:
    client = maskinporten.Client(X5C_CLIENT_ID, maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD), "test")
    with pytest.raises(maskinporten.MalformedResponseError) as caught:
        client.parse_token_response(200, ok().body[:-2], "application/json", now=NOW)
    assert_clean(caught.value, [TOKEN])


def test_the_formatter_catches_a_leak() -> None:
    """The check itself can fail: a token in a repr is found."""

    class Leaky:
        def __repr__(self) -> str:
            return f"Leaky({TOKEN})"

    with pytest.raises(AssertionError):
        assert_clean(Leaky(), [TOKEN])
    with pytest.raises(AssertionError):
        assert_clean(ValueError("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"), [])


def test_http_integrations_are_real_objects() -> None:
    """Guards the list above: the integrations are the real classes (imports not stubbed)."""
    assert issubclass(HttpxAuth, httpx.Auth) and issubclass(RequestsAuth, requests.auth.AuthBase)
