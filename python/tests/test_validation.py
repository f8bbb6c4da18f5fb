"""Access-token validation: the shared validation vectors (with their RFC 6750 answers and the
Authorization header cases), the TokenValidator executing the core's validation flow, and the
FastAPI and Flask integrations with their test clients against tokens issued by the simulator."""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional

import pytest

import maskinporten
from conftest import CONSUMER_ORG, KEYS, P12_PASSWORD, VECTORS, X5C_CLIENT_ID, Simulator, load_vectors

DOCUMENT = json.loads((VECTORS / "validation.json").read_text())
CASES = load_vectors("validation.json")
HEADERS: list[dict[str, Any]] = DOCUMENT["headers"]
JWKS = (VECTORS / DOCUMENT["jwks_file"]).read_bytes()
VALID = next(c for c in CASES if "expected" in c)
NOW = VALID["now"]


REQUIREMENT_FIELDS = {
    "scopes",
    "scope_match",
    "audience",
    "require_pid",
    "consumer_orgs",
    "any_scope_unchecked",
    "eseal_consumers",
    "consent",
    "system_user",
}


def requirements_of(spec: dict[str, Any]) -> maskinporten.Requirements:
    # A field the vectors add and this runner does not read fails here, not silently.
    assert set(spec) == REQUIREMENT_FIELDS, f"requirement fields: {sorted(set(spec) ^ REQUIREMENT_FIELDS)}"
    return maskinporten.Requirements(
        spec["scopes"],
        scope_match=spec["scope_match"],
        audience=spec["audience"],
        require_pid=spec["require_pid"],
        consumer_orgs=spec["consumer_orgs"],
        any_scope_unchecked=spec["any_scope_unchecked"],
        eseal_consumers=spec["eseal_consumers"],
        consent=spec["consent"],
        system_user=spec["system_user"],
    )


def vector_validator() -> maskinporten.Validator:
    validator = maskinporten.Validator(maskinporten.Environment.from_name(DOCUMENT["issuer"]))
    validator.update_jwks(JWKS, now=NOW)
    return validator


def check_rejection(rejection: maskinporten.Rejection, expected: dict[str, Any]) -> None:
    """As the Rust harness's ``check_rejection``: status, the challenge's error code (or a bare
    ``Bearer`` / none) and its ``scope`` parameter."""
    assert rejection.status == expected["status"]
    challenge = rejection.www_authenticate
    if expected["status"] in (500, 503):
        assert challenge is None
    elif expected["error"] is None:
        assert challenge == "Bearer"
    else:
        assert challenge is not None and challenge.startswith(f'Bearer error="{expected["error"]}"')
    scope = challenge.split(', scope="', 1)[1].rstrip('"') if challenge and ', scope="' in challenge else None
    assert scope == expected["scope"]
    assert rejection.headers["Cache-Control"] == "no-store"
    assert rejection.headers["Content-Type"] == "application/json"
    assert json.loads(rejection.body)["kind"] in (rejection.kind, "server_error")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_validation_vector(case: dict[str, Any]) -> None:
    validator = vector_validator()
    if "expected" in case:
        expected = case["expected"]
        token = validator.validate(case["token"], requirements_of(case["requirements"]), case["now"])
        assert token.consumer.org_number == expected["consumer_org"]
        assert token.consumer.id == expected["consumer_id"]
        assert token.consumer.authority == expected["consumer_authority"]
        assert token.consumer.sub_unit == expected["consumer_sub_unit"]
        assert token.is_eseal == (expected["consumer_org"] is None), "only eSeal consumers lack an org number"
        assert (token.supplier.org_number if token.supplier else None) == expected["supplier_org"]
        assert token.client_id == expected["client_id"]
        assert token.expires_at == expected["expires_at"]
        assert json.loads(token.claims_json)["client_id"] == expected["client_id"]
        return
    with pytest.raises(maskinporten.MaskinportenError) as caught:
        requirements = requirements_of(case["requirements"])  # refused here when they name nothing
        validator.validate(case["token"], requirements, case["now"])
    assert caught.value.kind == case["expected_error"]
    assert case["token"][:40] not in str(caught.value) or len(case["token"]) < 40, "the message never quotes the token"
    answered_for = maskinporten.Requirements(case["requirements"]["scopes"] or None, any_scope_unchecked=True)
    if caught.value.kind != "invalid_requirements":
        answered_for = requirements_of(case["requirements"])
    check_rejection(maskinporten.Rejection.for_error(caught.value, answered_for), case["expected_rejection"])


@pytest.mark.parametrize("case", HEADERS, ids=[repr(c["authorization"])[:40] for c in HEADERS])
def test_authorization_header_vector(case: dict[str, Any]) -> None:
    if "expected_token" in case:
        assert maskinporten.bearer_token(case["authorization"]) == case["expected_token"]
        return
    with pytest.raises(maskinporten.InvalidTokenError) as caught:
        maskinporten.bearer_token(case["authorization"])
    assert caught.value.kind == case["expected_error"]
    token_part = (case["authorization"] or "").partition(" ")[2].strip()
    assert len(token_part) < 8 or token_part not in str(caught.value), "the header is never quoted"
    rejection = maskinporten.Rejection.for_error(caught.value, maskinporten.Requirements("test:scope.read"))
    check_rejection(rejection, case["expected_rejection"])


def test_validate_takes_a_whole_authorization_value() -> None:
    validator = vector_validator()
    requirements = maskinporten.Requirements(VALID["requirements"]["scopes"])
    for prefix in ("Bearer ", "bearer ", "BEARER "):
        assert validator.validate(prefix + VALID["token"], requirements, NOW).client_id == VALID["expected"]["client_id"]


def test_requirements_must_name_a_scope_or_an_audience() -> None:
    with pytest.raises(maskinporten.InvalidArgumentError) as nothing:
        maskinporten.Requirements()
    assert nothing.value.kind == "invalid_requirements" and "any_scope_unchecked" in str(nothing.value)
    assert maskinporten.Requirements(audience="https://api.example.no/").audience == "https://api.example.no/"
    unchecked = maskinporten.Requirements(any_scope_unchecked=True)
    assert unchecked.any_scope_unchecked and unchecked.scopes == []
    assert vector_validator().validate(VALID["token"], unchecked, NOW).consumer.org_number == VALID["expected"]["consumer_org"]
    token_validator = maskinporten.TokenValidator("test", send=lambda r, t: maskinporten.HttpResponse(200, JWKS))
    with pytest.raises(maskinporten.InvalidArgumentError):
        token_validator.validate(VALID["token"])
    with pytest.raises(TypeError, match="requirements"):
        token_validator.validate(VALID["token"], maskinporten.Requirements("a:b"), scopes=["c:d"])
    with pytest.raises(maskinporten.InvalidArgumentError) as bad_match:
        maskinporten.Requirements("a:b", scope_match="some")  # type: ignore[arg-type]
    assert bad_match.value.kind == "invalid_scope_match"


def test_validator_options_and_repr() -> None:
    with pytest.raises(maskinporten.InvalidArgumentError):
        maskinporten.Validator("test", algorithms=["HS256"])  # type: ignore[list-item]
    with pytest.raises(maskinporten.InvalidArgumentError) as timeout:
        maskinporten.Validator("test", jwks_timeout_ms=0)
    assert timeout.value.field == "jwks_timeout_ms"
    assert repr(maskinporten.Validator("test")) == "Validator(issuer='https://test.maskinporten.no/')"
    assert repr(maskinporten.TokenValidator("prod")) == "TokenValidator(issuer='https://maskinporten.no/')"


class Jwks:
    """A scripted JWKS endpoint with a settable clock."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.fetches: list[str] = []
        self.now = NOW * 1000

    def send(self, request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
        self.fetches.append(request.url)
        assert request.header("cache-control") == "no-cache" and 0 < timeout <= 10
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, maskinporten.HttpResponse)
        return answer

    def clock(self) -> int:
        return self.now


def test_token_validator_fetches_the_jwks_once() -> None:
    jwks = Jwks(maskinporten.HttpResponse(200, JWKS, "application/json"))
    validator = maskinporten.TokenValidator(DOCUMENT["issuer"], send=jwks.send, now_ms=jwks.clock)
    for _ in range(3):
        assert validator.validate(VALID["token"], scopes=VALID["requirements"]["scopes"]).client_id
    assert jwks.fetches == ["https://test.maskinporten.no/jwk"]
    assert validator.validator.has_jwks


def test_unreachable_issuer_is_unavailable_503_then_recovers() -> None:
    jwks = Jwks(maskinporten.TransportError("connect", "refused"), maskinporten.HttpResponse(200, JWKS))
    validator = maskinporten.TokenValidator(DOCUMENT["issuer"], send=jwks.send, now_ms=jwks.clock)
    requirements = maskinporten.Requirements(VALID["requirements"]["scopes"])
    with pytest.raises(maskinporten.UnavailableError) as outage:
        validator.validate(VALID["token"], requirements)
    assert outage.value.retryable
    rejection = validator.rejection(outage.value, requirements)
    assert (rejection.status, rejection.retry_after_seconds, rejection.www_authenticate) == (503, 60, None)
    assert rejection.headers["Retry-After"] == "60"
    jwks.now += 30_000
    with pytest.raises(maskinporten.UnavailableError):
        validator.validate(VALID["token"], requirements)
    assert validator.rejection(outage.value, requirements).retry_after_seconds == 30, "the back-off's remainder"
    assert len(jwks.fetches) == 1, "no new fetch before the minimum refetch interval"
    jwks.now += 31_000
    assert validator.validate(VALID["token"], requirements).client_id
    assert len(jwks.fetches) == 2


def test_a_failed_refetch_keeps_the_held_keys(caplog: pytest.LogCaptureFixture) -> None:
    jwks = Jwks(maskinporten.HttpResponse(200, JWKS), maskinporten.HttpResponse(503, b"", "text/html"))
    validator = maskinporten.TokenValidator(DOCUMENT["issuer"], send=jwks.send, now_ms=jwks.clock, max_jwks_age=60)
    requirements = maskinporten.Requirements(VALID["requirements"]["scopes"])
    assert validator.validate(VALID["token"], requirements)
    jwks.now += 61_000  # stale: refetched, fails, the held keys stay in use
    with caplog.at_level("INFO", logger="maskinporten"):
        assert validator.validate(VALID["token"], requirements)
    assert [r.maskinporten_event.name for r in caplog.records] == ["jwks_failed"]  # type: ignore[attr-defined]
    assert caplog.records[0].levelname == "WARNING"


def test_a_bug_in_send_propagates_and_frees_the_fetch() -> None:
    jwks = Jwks(KeyError("bug"), maskinporten.HttpResponse(200, JWKS))
    validator = maskinporten.TokenValidator(DOCUMENT["issuer"], send=jwks.send, now_ms=jwks.clock)
    with pytest.raises(KeyError):
        validator.validate(VALID["token"], scopes=VALID["requirements"]["scopes"])
    assert validator.validate(VALID["token"], scopes=VALID["requirements"]["scopes"]), "the next request fetches"


def test_rejection_needs_an_error_of_this_package() -> None:
    with pytest.raises(TypeError, match="error"):
        maskinporten.Rejection.for_error(ValueError("x"), maskinporten.Requirements("a:b"))  # type: ignore[arg-type]


# --- end to end: tokens from the simulator, JWKS from the simulator -------------------------


@pytest.fixture()
def issued(sim: Simulator) -> Iterator[tuple[maskinporten.TokenValidator, str, str]]:
    environment = maskinporten.Environment.custom(sim.issuer, sim.token_endpoint, sim.jwks_uri)
    key = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
    client = maskinporten.Client(X5C_CLIENT_ID, key, environment)
    plain = maskinporten.fetch_token(client, "test:scope.read").access_token
    delegated = maskinporten.fetch_token(client, "brreg:reelle/rapporteringspliktig", consumer_org=CONSUMER_ORG).access_token
    yield maskinporten.TokenValidator(environment), plain, delegated


def test_validator_against_simulator_tokens(issued: tuple[maskinporten.TokenValidator, str, str], sim: Simulator) -> None:
    validator, plain, delegated = issued
    token = validator.validate(plain, scopes="test:scope.read")
    assert token.consumer.org_number == "311000004" and token.supplier is None
    assert token.client_id == X5C_CLIENT_ID and token.scopes == ["test:scope.read"]
    token = validator.validate("Bearer " + delegated, scopes=["brreg:reelle/rapporteringspliktig"], consumer_orgs=[CONSUMER_ORG])
    assert token.consumer.org_number == CONSUMER_ORG
    assert token.supplier is not None and token.supplier.org_number == "311000004"
    with pytest.raises(maskinporten.InvalidTokenError) as scope:
        validator.validate(plain, scopes="test:scope.write")
    assert scope.value.kind == "insufficient_scope"
    with pytest.raises(maskinporten.InvalidTokenError) as consumer:
        validator.validate(plain, scopes="test:scope.read", consumer_orgs=[CONSUMER_ORG])
    assert consumer.value.kind == "consumer_not_allowed"
    tampered = plain[:-4] + ("AAAA" if not plain.endswith("AAAA") else "BBBB")
    with pytest.raises(maskinporten.InvalidTokenError) as signature:
        validator.validate(tampered, scopes="test:scope.read")
    assert signature.value.kind in ("signature_invalid", "token_malformed")
    assert sim.stats()["jwks_requests"] == 1


def rfc6750(status: int, headers: Any, body: dict[str, Any], error: Optional[str]) -> None:
    """What every refusal must carry, whichever framework sent it."""
    challenge = headers.get("www-authenticate")
    if error is None:
        assert challenge == "Bearer" and "error" not in body, "RFC 6750 §3.1: no error code without a token"
    else:
        assert challenge.startswith(f'Bearer error="{error}"') and body["error"] == error
    assert headers.get("cache-control") == "no-store"
    assert headers.get("content-type", "").startswith("application/json")
    assert "kind" in body and "error_description" in body


def test_fastapi_dependency(issued: tuple[maskinporten.TokenValidator, str, str]) -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient

    from maskinporten.fastapi import install, require_token

    validator, plain, delegated = issued
    app = FastAPI()
    install(app)

    @app.get("/read")
    def read(token: maskinporten.ValidatedToken = Depends(require_token(validator, "test:scope.read"))) -> dict[str, Any]:
        return {"consumer": token.consumer.org_number}

    @app.get("/delegated")
    def delegated_view(
        token: maskinporten.ValidatedToken = Depends(
            require_token(validator, ["brreg:reelle/rapporteringspliktig"], consumer_orgs=[CONSUMER_ORG])
        ),
    ) -> dict[str, Any]:
        return {"consumer": token.consumer.org_number, "supplier": token.supplier.org_number if token.supplier else None}

    http = TestClient(app)
    assert http.get("/read", headers={"Authorization": f"Bearer {plain}"}).json() == {"consumer": "311000004"}
    assert http.get("/read", headers={"Authorization": f"bearer {plain}"}).status_code == 200
    assert http.get("/delegated", headers={"Authorization": f"Bearer {delegated}"}).json() == {
        "consumer": CONSUMER_ORG,
        "supplier": "311000004",
    }
    missing = http.get("/read")
    assert missing.status_code == 401
    rfc6750(401, missing.headers, missing.json(), None)
    basic = http.get("/read", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401 and basic.headers["www-authenticate"] == "Bearer"
    forbidden = http.get("/delegated", headers={"Authorization": f"Bearer {plain}"})
    assert forbidden.status_code == 403
    rfc6750(403, forbidden.headers, forbidden.json(), "insufficient_scope")
    assert 'scope="brreg:reelle/rapporteringspliktig"' in forbidden.headers["www-authenticate"]
    garbage = http.get("/read", headers={"Authorization": "Bearer not.a.token"})
    assert garbage.status_code == 401 and "not.a.token" not in garbage.text
    rfc6750(401, garbage.headers, garbage.json(), "invalid_token")
    malformed = http.get("/read", headers={"Authorization": "Bearer a b"})
    assert malformed.status_code == 400
    rfc6750(400, malformed.headers, malformed.json(), "invalid_request")
    with pytest.raises(maskinporten.InvalidArgumentError):
        require_token(validator)  # no scope, no audience: refused when the route is declared


def test_fastapi_without_the_handler_keeps_status_and_headers(issued: tuple[maskinporten.TokenValidator, str, str]) -> None:
    from fastapi import Depends, FastAPI
    from fastapi.testclient import TestClient

    from maskinporten.fastapi import require_token

    validator, _, _ = issued
    app = FastAPI()

    @app.get("/read")
    def read(token: maskinporten.ValidatedToken = Depends(require_token(validator, "test:scope.read"))) -> dict[str, Any]:
        return {}

    missing = TestClient(app).get("/read")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["detail"]["kind"] == "token_missing"


def test_flask_decorator(issued: tuple[maskinporten.TokenValidator, str, str]) -> None:
    import flask

    from maskinporten.flask import current_token, require_token

    validator, plain, delegated = issued
    app = flask.Flask(__name__)

    @app.get("/read")
    @require_token(validator, "test:scope.read")
    def read() -> dict[str, Any]:
        return {"consumer": current_token().consumer.org_number}

    @app.get("/delegated")
    @require_token(validator, "brreg:reelle/rapporteringspliktig", consumer_orgs=[CONSUMER_ORG])
    def delegated_view() -> dict[str, Any]:
        return {"consumer": current_token().consumer.org_number}

    http = app.test_client()
    assert http.get("/read", headers={"Authorization": f"Bearer {plain}"}).get_json() == {"consumer": "311000004"}
    assert http.get("/delegated", headers={"Authorization": f"Bearer {delegated}"}).get_json() == {"consumer": CONSUMER_ORG}
    missing = http.get("/read")
    assert missing.status_code == 401
    rfc6750(401, missing.headers, missing.get_json(), None)
    forbidden = http.get("/delegated", headers={"Authorization": f"Bearer {plain}"})
    assert forbidden.status_code == 403
    rfc6750(403, forbidden.headers, forbidden.get_json(), "insufficient_scope")
    other_issuer = http.get("/read", headers={"Authorization": "Bearer " + CASES[0]["token"]})
    assert other_issuer.status_code == 401, "a token of another issuer (the vectors') is refused"
    rfc6750(401, other_issuer.headers, other_issuer.get_json(), "invalid_token")
