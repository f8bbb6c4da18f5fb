"""Issue 12 item 9: every exported function and class checks its arguments' types, and a wrong
type is a ``TypeError`` (or ``InvalidArgumentError``) that names the argument, never a crash
deeper down. The native module's conversions (pyo3) name the argument in an exception note,
``while processing 'password'``, which tracebacks show (Python 3.11+); the pure-Python API names
it in the message."""

from __future__ import annotations

import inspect
import sys
from typing import Any, Callable

import pytest

import maskinporten
from conftest import KEYS, P12_PASSWORD, X5C_CLIENT_ID

KEY = maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)
CLIENT = maskinporten.Client(X5C_CLIENT_ID, KEY, "test")
SOURCE = maskinporten.TokenSource(CLIENT, "s:x")
FLOW = maskinporten.TokenFlow()
REQUIREMENTS = maskinporten.Requirements("s:x")
VALIDATOR = maskinporten.Validator("test")
TOKEN_VALIDATOR = maskinporten.TokenValidator("test")
SELF_SERVICE = maskinporten.SelfService("test")


def send(request: maskinporten.HttpRequest, timeout: float) -> maskinporten.HttpResponse:
    raise AssertionError("not sent")


# (what, call, the argument its error must name)
CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("Key.from_pkcs12 data", lambda: maskinporten.Key.from_pkcs12(None, P12_PASSWORD), "data"),
    ("Key.from_pkcs12 password", lambda: maskinporten.Key.from_pkcs12(b"x", 1234), "password"),
    ("Key.from_pkcs12 alias", lambda: maskinporten.Key.from_pkcs12(b"x", "p", alias=5), "alias"),
    ("Key.from_pem", lambda: maskinporten.Key.from_pem(12), "key_pem"),
    ("Key.from_jwk", lambda: maskinporten.Key.from_jwk(None), "jwk_json"),
    ("Key.from_jks", lambda: maskinporten.Key.from_jks("text", "p"), "data"),
    ("Key.from_external", lambda: maskinporten.Key.from_external(kid=3), "kid"),
    ("Key.with_kid", lambda: KEY.with_kid(None), "kid"),
    ("Environment.custom", lambda: maskinporten.Environment.custom(None, "a", "b"), "issuer"),
    ("Environment.from_name", lambda: maskinporten.Environment.from_name(1), "name"),
    ("Environment.from_metadata", lambda: maskinporten.Environment.from_metadata(None), "json"),
    ("Client client_id", lambda: maskinporten.Client(None, KEY, "test"), "client_id"),
    ("Client key", lambda: maskinporten.Client("id", "not a key", "test"), "key"),
    ("Client environment", lambda: maskinporten.Client("id", KEY, 42), "environment"),
    ("Client lifetime", lambda: maskinporten.Client("id", KEY, "test", lifetime="60"), "lifetime"),
    ("grant scopes", lambda: CLIENT.grant(42), "scopes"),
    ("grant consumer_org", lambda: CLIENT.grant("s:x", consumer_org=991825827), "consumer_org"),
    ("grant now", lambda: CLIENT.grant("s:x", now="now"), "now"),
    ("grant resource", lambda: CLIENT.grant("s:x", resource=1), "resource"),
    ("token_request pid", lambda: CLIENT.token_request("s:x", pid=123), "pid"),
    ("parse_token_response status", lambda: CLIENT.parse_token_response("200", b"{}"), "status"),
    ("parse_token_response body", lambda: maskinporten.parse_token_response(200, None), "body"),
    ("AccessToken", lambda: maskinporten.AccessToken(None, 120), "access_token"),
    ("AuthorizationDetail.system_user", lambda: maskinporten.AuthorizationDetail.system_user(313000001), "org_number"),
    ("PreparedGrant.finish", lambda: CLIENT.prepare_grant("s:x").finish("sig"), "signature"),
    ("TokenSource client", lambda: maskinporten.TokenSource("client", "s:x"), "client"),
    ("TokenSource altinn", lambda: maskinporten.TokenSource(CLIENT, "s:x", altinn="tt02"), "altinn"),
    ("AltinnExchange platform", lambda: maskinporten.AltinnExchange(2), "platform"),
    ("AltinnExchange test_org", lambda: maskinporten.AltinnExchange("tt02", test_org="yes"), "test_org"),
    ("AltinnExchange.for_environment", lambda: maskinporten.AltinnExchange.for_environment(None), "environment"),
    ("AltinnExchange.request", lambda: maskinporten.AltinnExchange().request(None), "maskinporten_token"),
    ("AltinnExchange.parse_response", lambda: maskinporten.AltinnExchange().parse_response(200, None), "body"),
    ("TokenFlow max_attempts", lambda: maskinporten.TokenFlow(max_attempts="4"), "max_attempts"),
    ("TokenFlow.fresh", lambda: FLOW.fresh("source"), "source"),
    ("TokenFlow.call now_ms", lambda: FLOW.call(SOURCE, now_ms=1.5), "now_ms"),
    ("TokenFlow.reject", lambda: FLOW.reject(SOURCE, None), "rejected_access_token"),
    ("TokenCall.handle_failure", lambda: FLOW.call(SOURCE).handle_failure("eaten", jitter=0.5), "failure"),
    ("TokenCall.handle_response jitter", lambda: FLOW.call(SOURCE).handle_response(200, b"", jitter="x"), "jitter"),
    ("Requirements scopes", lambda: maskinporten.Requirements(42), "scopes"),
    ("Requirements audience", lambda: maskinporten.Requirements(audience=1), "audience"),
    ("Requirements eseal_consumers", lambda: maskinporten.Requirements("s:x", eseal_consumers=1), "eseal_consumers"),
    ("Requirements consent", lambda: maskinporten.Requirements("s:x", consent="c-1"), "consent"),
    ("Requirements system_user", lambda: maskinporten.Requirements("s:x", system_user=[]), "system_user"),
    ("Validator environment", lambda: maskinporten.Validator(None), "environment"),
    ("Validator.validate requirements", lambda: VALIDATOR.validate("t", {"scopes": ["s:x"]}), "requirements"),
    ("Validator.validation token", lambda: VALIDATOR.validation(None, REQUIREMENTS), "token"),
    ("Validator.rejection error", lambda: VALIDATOR.rejection("error", REQUIREMENTS), "error"),
    ("Rejection.for_error", lambda: maskinporten.Rejection.for_error(ValueError(), REQUIREMENTS), "error"),
    ("bearer_token", lambda: maskinporten.bearer_token(b"Bearer x"), "authorization"),
    ("is_valid_org_number", lambda: maskinporten.is_valid_org_number(991825827), "value"),
    ("is_valid_pid", lambda: maskinporten.is_valid_pid(None), "value"),
    ("TokenProvider client", lambda: maskinporten.TokenProvider("client", "s:x", send=send), "client"),
    ("TokenProvider send", lambda: maskinporten.TokenProvider(CLIENT, "s:x", send="urllib"), "send"),
    ("TokenProvider sleep", lambda: maskinporten.TokenProvider(CLIENT, "s:x", sleep=1), "sleep"),
    ("TokenProvider now_ms", lambda: maskinporten.TokenProvider(CLIENT, "s:x", now_ms=1), "now_ms"),
    ("TokenProvider jitter", lambda: maskinporten.TokenProvider(CLIENT, "s:x", jitter=0.5), "jitter"),
    ("TokenProvider flow", lambda: maskinporten.TokenProvider(CLIENT, "s:x", flow="shared"), "flow"),
    ("TokenProvider scopes", lambda: maskinporten.TokenProvider(CLIENT, 42), "scopes"),
    ("TokenProvider altinn", lambda: maskinporten.TokenProvider(CLIENT, "s:x", altinn="tt02", send=send), "altinn"),
    ("AsyncTokenProvider client", lambda: maskinporten.AsyncTokenProvider(None, "s:x", send=send), "client"),
    ("TokenValidator send", lambda: maskinporten.TokenValidator("test", send=3), "send"),
    ("TokenValidator.validate token", lambda: TOKEN_VALIDATOR.validate(None, REQUIREMENTS), "authorization_or_token"),
    ("TokenValidator.validate requirements", lambda: TOKEN_VALIDATOR.validate("t", "s:x"), "requirements"),
    ("fetch_token client", lambda: maskinporten.fetch_token("client", "s:x"), "client"),
    ("TransportError failure", lambda: maskinporten.TransportError("eaten"), "failure"),
    ("SelfService environment", lambda: maskinporten.SelfService(None), "environment"),
    ("SelfService.scope", lambda: maskinporten.SelfService.scope(3), "call"),
    ("SelfService.create_client_request scopes", lambda: SELF_SERVICE.create_client_request("t", client_name="n", description="d", scopes=4), "scopes"),
    ("SelfService.replace_keys_request", lambda: SELF_SERVICE.replace_keys_request("t", "c", "{}"), "public_jwks"),
    ("parse_clients", lambda: maskinporten.parse_clients("200", b"[]"), "status"),
    ("parse_client", lambda: maskinporten.parse_client("get_client", 200, None), "body"),
    ("parse_client call", lambda: maskinporten.parse_client(1, 200, b"{}"), "call"),
    ("parse_client_keys", lambda: maskinporten.parse_client_keys("client_keys", 200, 5), "body"),
    ("parse_scope_access", lambda: maskinporten.parse_scope_access(None, b"[]"), "status"),
    ("parse_public_scopes", lambda: maskinporten.parse_public_scopes(200, {"name": "a:b"}), "body"),
    ("parse_empty", lambda: maskinporten.parse_empty(204.0, b""), "status"),
    ("check_public_key_set", lambda: maskinporten.check_public_key_set("{}"), "public_jwks"),
    ("check_admin_client", lambda: maskinporten.check_admin_client(KEY), "client"),
    ("RegisteredKey", lambda: maskinporten.RegisteredKey(None), "kid"),
    ("ClientKeys", lambda: maskinporten.ClientKeys(["k1"]), "keys"),
    ("RotationPolicy", lambda: maskinporten.RotationPolicy(max_keys="2"), "max_keys"),
    ("RotationPlanner", lambda: maskinporten.RotationPlanner("policy"), "policy"),
    ("RotationPlanner.plan", lambda: maskinporten.RotationPlanner().plan(maskinporten.ClientKeys([]), None, "now"), "now"),
]


@pytest.mark.parametrize("what,call,argument", CASES, ids=[c[0] for c in CASES])
def test_a_wrong_type_names_the_argument(what: str, call: Callable[[], Any], argument: str) -> None:
    with pytest.raises((TypeError, maskinporten.InvalidArgumentError)) as caught:
        call()
    error = caught.value
    if isinstance(error, maskinporten.InvalidArgumentError):
        assert error.field == argument and error.kind in ("invalid_argument", "invalid_now"), (what, error)
    else:
        named = str(error) + " ".join(getattr(error, "__notes__", []))
        if sys.version_info < (3, 11) and not named.count(argument):
            pytest.xfail("pyo3 names a native argument with add_note, which Python 3.9 and 3.10 lack")
        assert argument in named, (what, named)


def test_integrations_check_their_arguments() -> None:
    from maskinporten.fastapi import require_token as fastapi_require
    from maskinporten.flask import require_token as flask_require
    from maskinporten.httpx import MaskinportenAuth as HttpxAuth, send as httpx_send
    from maskinporten.requests import MaskinportenAuth as RequestsAuth, send as requests_send

    for call, argument in (
        (lambda: fastapi_require("validator", "s:x"), "validator"),
        (lambda: flask_require(VALIDATOR, "s:x"), "validator"),
        (lambda: HttpxAuth(CLIENT, "s:x", flow=object()), "flow"),
        (lambda: httpx_send("client"), "http"),
        (lambda: RequestsAuth("client", "s:x"), "client"),
        (lambda: requests_send("session"), "session"),
    ):
        with pytest.raises(TypeError) as caught:
            call()
        assert argument in str(caught.value) + " ".join(getattr(caught.value, "__notes__", []))


def test_every_public_callable_is_covered() -> None:
    """A new exported function or class must get a row above."""
    covered = {what.split(" ")[0].split(".")[0] for what, _, _ in CASES}
    public = {
        name
        for name in maskinporten.__all__
        if callable(getattr(maskinporten, name))
        and not (inspect.isclass(getattr(maskinporten, name)) and issubclass(getattr(maskinporten, name), BaseException))
    }
    without_arguments = {
        "unix_now",
        "error_kinds",
        "CertificateInfo",  # no constructor; read from Key.certificate
        "HttpRequest",
        "TokenRequest",
        "TokenCall",
        "TokenStep",
        "ValidationCall",
        "ValidationStep",
        "ValidatedToken",
        "Organisation",
        "Authorization",
        "FlowEvent",
        "CacheKey",
        "HttpResponse",  # a NamedTuple: any values
        "urllib_send",  # takes what the providers give it
        "RegisteredClient",  # no constructor; read from parse_client(s)
        "ScopeAccess",  # no constructor; read from parse_scope_access
        "PublicScope",  # no constructor; read from parse_public_scopes
        "RotationAction",  # no constructor; answered by RotationPlanner.plan
    }
    assert public - without_arguments - covered == set()
