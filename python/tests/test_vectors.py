"""Every shared vector under tests/vectors/: byte-identical grants and request bodies, response
parsing, and error kinds."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import maskinporten
from conftest import load_vectors
from vector_harness import grant_kwargs, load_key, make_client

GRANTS = load_vectors("grants.json")
GRANT_ERRORS = load_vectors("grant_errors.json")
RESPONSES = load_vectors("responses.json")


def _segment(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.mark.parametrize("case", GRANTS, ids=[c["name"] for c in GRANTS])
def test_grant(case: dict[str, Any]) -> None:
    client = make_client(load_key(case["key"]), case["client"])
    kwargs = grant_kwargs(case["grant"])
    jwt = client.grant(case["grant"]["scopes"], **kwargs, now=case["now"], jti=case["jti"])
    expected = case["expected"]
    header, claims, _ = jwt.split(".")
    assert _segment(header) == expected["header"]
    assert _segment(claims) == expected["claims"]
    assert jwt == expected["jwt"]
    request = client.token_request(case["grant"]["scopes"], **kwargs, now=case["now"], jti=case["jti"])
    assert request.body == expected["body"]
    assert request.method == "POST"
    assert request.url == client.environment.token_endpoint
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("case", GRANTS, ids=[c["name"] for c in GRANTS])
def test_grant_through_external_signer(case: dict[str, Any]) -> None:
    """prepare_grant + finish with the signature from the same key gives the same JWT."""
    key = load_key(case["key"])
    client = make_client(key, case["client"])
    prepared = client.prepare_grant(case["grant"]["scopes"], **grant_kwargs(case["grant"]), now=case["now"], jti=case["jti"])
    signature = base64.urlsafe_b64decode(case["expected"]["jwt"].rsplit(".", 1)[1] + "==")
    assert prepared.signing_input == case["expected"]["jwt"].rsplit(".", 1)[0].encode()
    jwt = prepared.finish(signature)
    assert jwt == case["expected"]["jwt"]
    assert client.token_request_for_assertion(jwt).body == case["expected"]["body"]


@pytest.mark.parametrize("case", GRANT_ERRORS, ids=[c["name"] for c in GRANT_ERRORS])
def test_grant_error(case: dict[str, Any]) -> None:
    with pytest.raises(maskinporten.MaskinportenError) as caught:
        client = make_client(load_key(case["key"]), case["client"])
        client.grant(case["grant"]["scopes"], **grant_kwargs(case["grant"]), now=case["now"], jti=case.get("jti"))
    assert caught.value.kind == case["expected_error"], str(caught.value)
    assert caught.value.retryable is False
    assert type(caught.value) is not maskinporten.MaskinportenError, "mapped to a subclass"


def _body(case: dict[str, Any]) -> bytes:
    body: str = case["body"]
    return body.encode()


@pytest.mark.parametrize("case", RESPONSES, ids=[c["name"] for c in RESPONSES])
def test_response(case: dict[str, Any]) -> None:
    args = (case["status"], _body(case), case["content_type"])
    if "expected" in case:
        expected = case["expected"]
        token = maskinporten.parse_token_response(*args, now=case["now"])
        assert token.access_token == expected["access_token"]
        assert token.token_type == expected["token_type"]
        assert token.expires_in == expected["expires_in"]
        assert token.scope == expected["scope"]
        assert token.expires_at == expected["expires_at"]
        assert expected["access_token"] not in repr(token)
    else:
        expected = case["expected_error"]
        with pytest.raises(maskinporten.MaskinportenError) as caught:
            maskinporten.parse_token_response(*args, now=case["now"])
        error = caught.value
        assert error.kind == expected["kind"]
        assert error.mp_code == expected["mp_code"]
        assert error.error == expected["error"]
        assert error.retryable == expected["retryable"]
        assert error.status == expected["status"]
        classes = {
            "oauth_error": maskinporten.OAuthError,
            "malformed_response": maskinporten.MalformedResponseError,
            "unavailable": maskinporten.UnavailableError,
        }
        assert isinstance(error, classes[expected["kind"]])
