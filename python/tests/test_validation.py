"""Access-token validation (issue 7): the shared validation vectors, the TokenVerifier's JWKS
fetching, and the FastAPI and Flask integrations with their test clients, against tokens issued
by the simulator."""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional

import pytest

import maskinporten
from conftest import CONSUMER_ORG, KEYS, P12_PASSWORD, VECTORS, X5C_CLIENT_ID, Simulator, load_vectors

DOCUMENT = json.loads((VECTORS / "validation.json").read_text()) if (VECTORS / "validation.json").exists() else {}
CASES = load_vectors("validation.json")
JWKS = (VECTORS / DOCUMENT.get("jwks_file", "keys/issuer.jwks.json")).read_bytes()


def vector_validator(now: int) -> maskinporten.Validator:
    validator = maskinporten.Validator(maskinporten.Environment.from_name(DOCUMENT["issuer"]))
    validator.update_jwks(JWKS, now=now)
    return validator


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_validation_vector(case: dict[str, Any]) -> None:
    validator = vector_validator(case["now"])
    req = case["requirements"]
    kwargs: dict[str, Any] = dict(
        scopes=req["scopes"],
        scope_match=req["scope_match"],
        audience=req["audience"],
        require_pid=req["require_pid"],
        consumer_orgs=req["consumer_orgs"],
    )
    if "expected" in case:
        expected = case["expected"]
        token = validator.validate(case["token"], case["now"], **kwargs)
        assert token.consumer.org_number == expected["consumer_org"]
        assert token.consumer.sub_unit == expected["consumer_sub_unit"]
        assert (token.supplier.org_number if token.supplier else None) == expected["supplier_org"]
        assert token.client_id == expected["client_id"]
        assert token.expires_at == expected["expires_at"]
        assert json.loads(token.claims_json)["client_id"] == expected["client_id"]
    else:
        with pytest.raises(maskinporten.InvalidTokenError) as caught:
            validator.validate(case["token"], case["now"], **kwargs)
        assert caught.value.kind == case["expected_error"]
        assert case["token"][:40] not in str(caught.value) or len(case["token"]) < 40, "the message never quotes the token"


def test_jwks_request_decisions() -> None:
    now = 1_767_225_600
    validator = maskinporten.Validator("test", max_jwks_age=3600, min_refetch_interval=60)
    first = validator.jwks_request(now)
    assert first is not None and first.method == "GET" and first.url == "https://test.maskinporten.no/jwk"
    with pytest.raises(maskinporten.InvalidTokenError) as missing:
        validator.validate(CASES[0]["token"], now)
    assert missing.value.kind == "jwks_missing"
    validator.update_jwks(JWKS, now)
    assert validator.jwks_request(now + 10) is None
    assert validator.jwks_request(now + 3600) is not None, "stale after max_jwks_age"
    with pytest.raises(maskinporten.MaskinportenError):
        validator.update_jwks(b"<html>", now)


def test_validator_options_and_errors() -> None:
    with pytest.raises(maskinporten.InvalidArgumentError):
        maskinporten.Validator("test", algorithms=["HS256"])  # type: ignore[list-item]
    with pytest.raises(maskinporten.InvalidArgumentError) as bad_match:
        vector_validator(1_767_225_600).validate(CASES[0]["token"], 1_767_225_600, scope_match="some")  # type: ignore[arg-type]
    assert bad_match.value.kind == "invalid_scope_match"
    assert "Validator(issuer='https://test.maskinporten.no/')" == repr(maskinporten.Validator("test"))


def test_verifier_fetches_jwks_once() -> None:
    fetches: list[str] = []

    def send(request: maskinporten.HttpRequest) -> tuple[int, bytes, Optional[str]]:
        fetches.append(request.url)
        return 200, JWKS, "application/json"

    validator = maskinporten.Validator("test")
    verifier = maskinporten.TokenVerifier(validator=validator, send=send)
    assert verifier.refresh() is True
    assert verifier.refresh() is False, "no fetch due"
    assert fetches == ["https://test.maskinporten.no/jwk"]
    valid = next(c for c in CASES if "expected" in c)
    assert validator.validate(valid["token"], valid["now"], scopes=valid["requirements"]["scopes"]).client_id


def test_unknown_kid_refetch_is_rate_limited() -> None:
    now = 1_767_225_600
    validator = maskinporten.Validator("test", min_refetch_interval=60)
    validator.update_jwks(JWKS, now)
    unknown = next(c for c in CASES if c.get("expected_error") == "unknown_kid")
    with pytest.raises(maskinporten.InvalidTokenError):
        validator.validate(unknown["token"], now + 1)
    assert validator.jwks_request(now + 1) is None, "not again within min_refetch_interval"
    assert validator.jwks_request(now + 61) is not None, "an unknown kid asks for a refetch"


def test_failed_jwks_fetch_keeps_old_keys() -> None:
    answers = iter([(200, JWKS, "application/json"), (503, b"", None)])
    validator = maskinporten.Validator("test", max_jwks_age=60, min_refetch_interval=600)
    verifier = maskinporten.TokenVerifier(validator=validator, send=lambda r: next(answers))
    assert not validator.has_jwks
    assert verifier.refresh() is True
    validator.update_jwks(JWKS, 1)  # make the held keys stale
    assert verifier.refresh() is False, "the 503 is logged, not raised"
    assert validator.jwks_request() is None, "and the next fetch waits min_refetch_interval"
    assert validator.has_jwks
    valid = next(c for c in CASES if "expected" in c)
    assert validator.validate(valid["token"], valid["now"]).client_id


# --- end to end: tokens from the simulator, JWKS from the simulator -------------------------


@pytest.fixture()
def issued(sim: Simulator) -> Iterator[tuple[maskinporten.TokenVerifier, str, str]]:
    environment = maskinporten.Environment.custom(sim.issuer, sim.token_endpoint, sim.jwks_uri)
    key = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
    client = maskinporten.Client(X5C_CLIENT_ID, key, environment)
    plain = maskinporten.fetch_token(client, "test:scope.read").access_token
    delegated = maskinporten.fetch_token(client, "brreg:reelle/rapporteringspliktig", consumer_org=CONSUMER_ORG).access_token
    yield maskinporten.TokenVerifier(environment), plain, delegated


def test_verifier_against_simulator_tokens(issued: tuple[maskinporten.TokenVerifier, str, str]) -> None:
    verifier, plain, delegated = issued
    token = verifier.verify(plain, scopes="test:scope.read")
    assert token.consumer.org_number == "311000004" and token.supplier is None
    assert token.client_id == X5C_CLIENT_ID and token.scopes == ["test:scope.read"]
    token = verifier.verify("Bearer " + delegated, scopes=["brreg:reelle/rapporteringspliktig"], consumer_orgs=[CONSUMER_ORG])
    assert token.consumer.org_number == CONSUMER_ORG
    assert token.supplier is not None and token.supplier.org_number == "311000004"
    with pytest.raises(maskinporten.InvalidTokenError) as scope:
        verifier.verify(plain, scopes="test:scope.write")
    assert scope.value.kind == "insufficient_scope"
    with pytest.raises(maskinporten.InvalidTokenError) as consumer:
        verifier.verify(plain, consumer_orgs=[CONSUMER_ORG])
    assert consumer.value.kind == "consumer_not_allowed"
    tampered = plain[:-4] + ("AAAA" if not plain.endswith("AAAA") else "BBBB")
    with pytest.raises(maskinporten.InvalidTokenError) as signature:
        verifier.verify(tampered)
    assert signature.value.kind in ("signature_invalid", "token_malformed")


def test_fastapi_dependency(issued: tuple[maskinporten.TokenVerifier, str, str]) -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient

    from maskinporten.fastapi import require_token

    verifier, plain, delegated = issued
    app = FastAPI()

    @app.get("/read")
    def read(token: maskinporten.ValidatedToken = Depends(require_token(verifier, "test:scope.read"))) -> dict[str, Any]:
        return {"consumer": token.consumer.org_number}

    @app.get("/delegated")
    def delegated_view(
        token: maskinporten.ValidatedToken = Depends(
            require_token(verifier, ["brreg:reelle/rapporteringspliktig"], consumer_orgs=[CONSUMER_ORG])
        ),
    ) -> dict[str, Any]:
        return {"consumer": token.consumer.org_number, "supplier": token.supplier.org_number if token.supplier else None}

    http = TestClient(app)
    assert http.get("/read", headers={"Authorization": f"Bearer {plain}"}).json() == {"consumer": "311000004"}
    assert http.get("/delegated", headers={"Authorization": f"Bearer {delegated}"}).json() == {
        "consumer": CONSUMER_ORG,
        "supplier": "311000004",
    }
    missing = http.get("/read")
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    forbidden = http.get("/delegated", headers={"Authorization": f"Bearer {plain}"})
    assert forbidden.status_code == 403 and 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]
    garbage = http.get("/read", headers={"Authorization": "Bearer not.a.token"})
    assert garbage.status_code == 401 and "not.a.token" not in garbage.text


def test_flask_decorator(issued: tuple[maskinporten.TokenVerifier, str, str]) -> None:
    import flask

    from maskinporten.flask import current_token, require_token

    verifier, plain, delegated = issued
    app = flask.Flask(__name__)

    @app.get("/read")
    @require_token(verifier, "test:scope.read")
    def read() -> dict[str, Any]:
        return {"consumer": current_token().consumer.org_number}

    @app.get("/delegated")
    @require_token(verifier, "brreg:reelle/rapporteringspliktig", consumer_orgs=[CONSUMER_ORG])
    def delegated_view() -> dict[str, Any]:
        return {"consumer": current_token().consumer.org_number}

    http = app.test_client()
    assert http.get("/read", headers={"Authorization": f"Bearer {plain}"}).get_json() == {"consumer": "311000004"}
    assert http.get("/delegated", headers={"Authorization": f"Bearer {delegated}"}).get_json() == {"consumer": CONSUMER_ORG}
    assert http.get("/read").status_code == 401
    forbidden = http.get("/delegated", headers={"Authorization": f"Bearer {plain}"})
    assert forbidden.status_code == 403 and forbidden.get_json()["error"] == "insufficient_scope"
    expired_like = http.get("/read", headers={"Authorization": "Bearer " + CASES[0]["token"]})
    assert expired_like.status_code == 401, "a token of another issuer (the vectors') is refused"
