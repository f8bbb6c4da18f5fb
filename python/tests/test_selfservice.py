"""The self-service API (clients and keys) and the rotation planner: requests built by the core,
answers recorded from Digdir's documented shapes, typed refusals, and the whole path against the
simulator's self-service API (admin token, a client created, a key registered, a kid token)."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

import maskinporten
from conftest import CLIENT_ORG, KEYS, P12_PASSWORD, X5C_CLIENT_ID, Simulator, claims_of

ADMIN_SCOPES = ("idporten:dcr.read", "idporten:dcr.write", "idporten:dcr.modify")
CLIENT_ID = "5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d"
T0 = 1_767_225_600
DAY = 86_400


def public_jwk(kid: str, exp: int | None = None) -> str:
    key = maskinporten.Key.from_jwk((KEYS / "client.jwk.json").read_text()).with_kid(kid)
    jwk = json.loads(key.public_jwk() or "{}")
    if exp is not None:
        jwk["exp"] = exp
    return json.dumps(jwk)


def test_requests_name_the_call_its_least_scope_and_carry_the_token() -> None:
    api = maskinporten.SelfService("test")
    assert api.base == "https://api.test.samarbeid.digdir.no/api/v1"
    request = api.create_client_request(
        "admin-token", client_name="Løsøre", description="Utlegg", scopes=["brreg:losore/utlegg"]
    )
    assert (request.method, request.url) == ("POST", "https://api.test.samarbeid.digdir.no/api/v1/clients")
    assert request.header("authorization") == "Bearer admin-token"
    body = json.loads(request.body)
    assert body["integration_type"] == "maskinporten"
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert body["grant_types"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert body["scopes"] == ["brreg:losore/utlegg"]
    assert maskinporten.SelfService.scope("create_client") == "idporten:dcr.write"
    assert maskinporten.SelfService.scope("client_keys") == "idporten:dcr.read"
    assert maskinporten.SelfService.scope("replace_keys") == "idporten:dcr.modify"
    with pytest.raises(maskinporten.InvalidArgumentError) as bad:
        maskinporten.SelfService.scope("create")  # type: ignore[arg-type]
    assert bad.value.field == "call"
    keys = maskinporten.SelfService("prod").client_keys_request("t", CLIENT_ID)
    assert keys.url == f"https://api.samarbeid.digdir.no/api/v1/clients/{CLIENT_ID}/jwks"
    with pytest.raises(maskinporten.InvalidArgumentError) as bad:
        api.get_client_request("t", "../admin")
    assert bad.value.field == "client_id"
    with pytest.raises(maskinporten.InvalidArgumentError) as bad:
        maskinporten.SelfService(maskinporten.Environment.from_name("http://127.0.0.1:9/"))
    assert bad.value.field == "self_service_base"


def test_key_sets_are_checked_before_anything_is_built() -> None:
    api = maskinporten.SelfService("test")
    request = api.replace_keys_request("t", CLIENT_ID, [public_jwk("k1", T0 + 90 * DAY)])
    assert json.loads(request.body)["keys"][0]["kid"] == "k1"
    private = (KEYS / "client.jwk.json").read_text()
    with pytest.raises(maskinporten.InvalidArgumentError) as refused:
        api.replace_keys_request("t", CLIENT_ID, [private])
    assert refused.value.kind == "invalid_key_set"
    assert json.loads(private)["d"][:16] not in str(refused.value)
    with pytest.raises(maskinporten.InvalidArgumentError, match="at most 5"):
        maskinporten.check_public_key_set([public_jwk(f"k{i}") for i in range(6)])
    with pytest.raises(maskinporten.InvalidArgumentError, match="kid"):
        maskinporten.check_public_key_set([public_jwk("bad/kid")])
    with pytest.raises(TypeError):
        api.replace_keys_request("t", CLIENT_ID, 42)  # type: ignore[arg-type]


def test_an_admin_client_must_sign_with_the_enterprise_certificate() -> None:
    key = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
    maskinporten.check_admin_client(maskinporten.Client(X5C_CLIENT_ID, key, "test"))
    with pytest.raises(maskinporten.InvalidArgumentError, match="enterprise certificate") as refused:
        maskinporten.check_admin_client(maskinporten.Client(X5C_CLIENT_ID, key.with_kid("k1"), "test"))
    assert (refused.value.kind, refused.value.field) == ("invalid_key", "kid")


# Answers in the shapes Digdir's API documents (ISO-8601 or epoch times, scopes as a list).
RECORDED_CLIENTS = b"""[{"client_id":"5d1f3a2b-8c4e-4f6a-9b7d-1e2f3a4b5c6d","client_name":"Utlegg",
  "description":"Reads the register","client_orgno":"311000004","integration_type":"maskinporten",
  "scopes":["brreg:losore/utlegg"],"active":true,"created":"2026-01-01T00:00:00.000Z",
  "last_updated":"2026-01-02T00:00:00Z"}]"""
RECORDED_KEYS = b"""{"created":"2026-01-01T00:00:00Z","last_updated":1767225600,
  "keys":[{"kid":"mp-1","kty":"RSA","alg":"RS256","use":"sig","e":"AQAB","n":"xyz","exp":1775001600}]}"""


def test_recorded_answers_are_read() -> None:
    (client,) = maskinporten.parse_clients(200, RECORDED_CLIENTS)
    assert (client.client_id, client.client_orgno, client.scopes) == (CLIENT_ID, CLIENT_ORG, ["brreg:losore/utlegg"])
    assert (client.active, client.created, client.last_updated) == (True, T0, T0 + DAY)
    assert "Utlegg" in repr(client)
    keys = maskinporten.parse_client_keys("client_keys", 200, RECORDED_KEYS)
    assert [(k.kid, k.expires_at) for k in keys.keys] == [("mp-1", 1_775_001_600)]
    assert (keys.created, keys.last_updated) == (T0, T0)
    assert json.loads(keys.keys[0].jwk_json)["kid"] == "mp-1"
    assert maskinporten.parse_client_keys("client_keys", 200, b"").keys == []
    access = maskinporten.parse_scope_access(200, b'[{"scope":"a:b","state":"APPROVED"}]')
    assert [(a.scope, a.state) for a in access] == [("a:b", "APPROVED")]
    public = maskinporten.parse_public_scopes(200, '[{"name":"c:d","description":"Public"}]')
    assert [(s.name, s.description) for s in public] == [("c:d", "Public")]
    assert maskinporten.parse_empty(204, b"") is None


@pytest.mark.parametrize(
    ("call", "status", "body", "kind", "needed"),
    [
        ("create_client", 400, b'{"error":"invalid_request","errors":[{"field":"client_name","message":"must not be blank"}]}', "self_service_invalid", None),
        ("get_client", 401, b"", "admin_token_rejected", "idporten:dcr.read"),
        ("create_client", 401, b"", "admin_token_rejected", "idporten:dcr.write"),
        ("get_client", 403, b'{"error":"insufficient_scope"}', "admin_scope_missing", "idporten:dcr.read"),
        ("create_client", 403, b'{"error":"insufficient_scope"}', "admin_scope_missing", "idporten:dcr.write"),
        ("update_client", 403, b'{"error":"insufficient_scope"}', "admin_scope_missing", "idporten:dcr.modify"),
        ("get_client", 404, b"", "client_not_found", None),
        ("update_client", 409, b"{}", "self_service_conflict", None),
        ("create_client", 428, b'{"error":"PRECONDITION_REQUIRED"}', "terms_not_accepted", None),
    ],
)
def test_refusals_are_typed(call: str, status: int, body: bytes, kind: str, needed: str | None) -> None:
    # The parser is told which call was sent, so a refusal names that call's admin scope.
    with pytest.raises(maskinporten.SelfServiceError) as refused:
        maskinporten.parse_client(call, status, body)
    error = refused.value
    assert (error.kind, error.status, error.needed_scope) == (kind, status, needed)
    assert error.hint and not error.retryable
    if status == 400:
        assert error.field_errors == [("client_name", "must not be blank")]
        assert error.error == "invalid_request"
    with pytest.raises(maskinporten.UnavailableError):
        maskinporten.parse_clients(503, b"")


def test_the_planner_answers_each_step() -> None:
    planner = maskinporten.RotationPlanner(maskinporten.RotationPolicy(propagation_delay=60, grace_period=DAY))
    first = planner.plan(maskinporten.ClientKeys([]), None, T0)
    assert (first.kind, first.expires_at, first.keep) == ("publish", T0 + 90 * DAY, [])
    assert first.kid and first.kid.startswith("mp-")
    one = maskinporten.ClientKeys([maskinporten.RegisteredKey("a", T0 + 90 * DAY)], T0, T0)
    nothing = planner.plan(one, "a", T0 + DAY)
    assert (nothing.kind, nothing.next_at, nothing.kid) == ("nothing", T0 + 60 * DAY, None)
    assert "current" in (nothing.reason or "")
    publish = planner.plan(one, "a", T0 + 60 * DAY)
    assert (publish.kind, publish.keep) == ("publish", ["a"])
    t1 = T0 + 60 * DAY
    two = maskinporten.ClientKeys(
        [maskinporten.RegisteredKey("a", T0 + 90 * DAY), maskinporten.RegisteredKey("b", t1 + 90 * DAY)], T0, t1
    )
    switch = planner.plan(two, "a", t1 + 60)
    assert (switch.kind, switch.kid) == ("switch", "b")
    remove = planner.plan(two, "b", t1 + 60 + DAY)
    assert (remove.kind, remove.remove, remove.keep) == ("remove", ["a"], ["b"])
    with pytest.raises(maskinporten.InvalidArgumentError) as refused:
        maskinporten.RotationPolicy(max_keys=6)
    assert refused.value.field == "max_keys"
    with pytest.raises(maskinporten.InvalidArgumentError) as refused:
        planner.plan(one, "unregistered", T0)
    assert refused.value.field == "signing_kid"


def _send(request: maskinporten.HttpRequest) -> tuple[int, bytes]:
    status, body, _, _ = maskinporten.urllib_send(request, 10)
    return status, body


def test_the_simulator_s_api_end_to_end(sim: Simulator) -> None:
    status, metadata = _send(maskinporten.Environment.metadata_request(sim.issuer))
    environment = maskinporten.Environment.from_metadata(metadata)
    assert environment.self_service_base == f"{sim.issuer}api/v1"
    api = maskinporten.SelfService(environment)
    key = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
    admin = maskinporten.Client(X5C_CLIENT_ID, key, environment)
    maskinporten.check_admin_client(admin)

    def admin_token(call: Any) -> str:
        return maskinporten.fetch_token(admin, maskinporten.SelfService.scope(call)).access_token

    status, body = _send(
        api.create_client_request(
            admin_token("create_client"), client_name="Python", description="e2e", scopes=["test:scope.read"]
        )
    )
    created = maskinporten.parse_client("create_client", status, body)
    assert created.client_orgno == CLIENT_ORG and created.active

    new_key = maskinporten.Key.from_jwk((KEYS / "client.jwk.json").read_text()).with_kid("python-e2e")
    jwk = json.loads(new_key.public_jwk() or "{}")
    jwk["exp"] = int(time.time()) + 30 * DAY
    status, body = _send(api.replace_keys_request(admin_token("replace_keys"), created.client_id, [json.dumps(jwk)]))
    registered = maskinporten.parse_client_keys("replace_keys", status, body)
    assert [k.kid for k in registered.keys] == ["python-e2e"]

    kid_client = maskinporten.Client(created.client_id, new_key, environment)
    token = maskinporten.fetch_token(kid_client, "test:scope.read")
    assert claims_of(token.access_token)["client_amr"] == "private_key_jwt"

    with pytest.raises(maskinporten.SelfServiceError) as refused:
        # A read token for a write call: the simulator answers 403 naming the scope.
        maskinporten.parse_client(
            "create_client",
            *_send(api.create_client_request(admin_token("list_clients"), client_name="x", description="y"))
        )
    assert refused.value.kind == "admin_scope_missing"
    assert refused.value.status == 403
    assert refused.value.needed_scope == "idporten:dcr.write"
    # The simulator's own description names the scope the create call lacked.
    assert "idporten:dcr.write" in (refused.value.error_description or "")
