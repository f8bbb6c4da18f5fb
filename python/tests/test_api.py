"""The Python surface: conversions, errors, redaction, docstrings. Uses the vector keys."""

from __future__ import annotations

import base64
import inspect
import json
from typing import Any

import pytest

import maskinporten
from conftest import CLIENT_ORG, CONSUMER_ORG, KEYS, KID_CLIENT_ID, P12_PASSWORD, REPO, SYSTEM_USER_ORG, X5C_CLIENT_ID

NOW = 1_767_225_600  # 2026-01-01T00:00:00Z, inside the vector certificate's validity


@pytest.fixture(scope="module")
def p12_key() -> maskinporten.Key:
    return maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), P12_PASSWORD)


@pytest.fixture(scope="module")
def client(p12_key: maskinporten.Key) -> maskinporten.Client:
    return maskinporten.Client(X5C_CLIENT_ID, p12_key, "test")


def claims_of(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def header_of(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[0]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_p12_key_facts(p12_key: maskinporten.Key) -> None:
    certificate = p12_key.certificate
    assert certificate is not None
    assert certificate.org_number == CLIENT_ORG
    assert certificate.is_valid_at(NOW)
    assert p12_key.kid is None
    assert p12_key.can_sign
    assert len(p12_key.certificate_chain_der) >= 1
    assert json.loads(p12_key.public_jwk() or "{}")["kty"] == "RSA"


def test_key_repr_shows_no_secret(p12_key: maskinporten.Key) -> None:
    text = repr(p12_key)
    assert "Key(" in text and p12_key.fingerprint in text
    assert "PRIVATE" not in text and P12_PASSWORD not in text


def test_wrong_password_is_invalid_key_error_without_the_password() -> None:
    with pytest.raises(maskinporten.InvalidKeyError) as caught:
        maskinporten.Key.from_pkcs12((KEYS / "client.p12").read_bytes(), "not-the-password-xyz")
    assert caught.value.kind == "wrong_password"
    assert caught.value.retryable is False
    assert "not-the-password-xyz" not in str(caught.value)


def test_jks_keystores_load_with_a_separate_key_password(p12_key: maskinporten.Key) -> None:
    stores = REPO / "core" / "tests" / "fixtures" / "jks"  # written by keytool (make.sh there)
    key = maskinporten.Key.from_jks((stores / "one-key.jks").read_bytes(), "fixture-pw", "VIRKSOMHETSSERTIFIKAT")
    assert key.fingerprint == p12_key.fingerprint
    assert key.certificate_chain_der == p12_key.certificate_chain_der[:1] + key.certificate_chain_der[1:]
    data = (stores / "key-password.jks").read_bytes()
    with pytest.raises(maskinporten.InvalidKeyError) as caught:
        maskinporten.Key.from_jks(data, "fixture-pw")
    assert caught.value.kind == "wrong_key_password"
    with pytest.raises(maskinporten.InvalidKeyError) as caught:
        maskinporten.Key.from_jks(data, "not-it", key_password="key-pw-2")
    assert caught.value.kind == "wrong_password"
    assert "key-pw-2" not in str(caught.value) and "fixture-pw" not in str(caught.value)
    assert maskinporten.Key.from_jks(data, "fixture-pw", key_password="key-pw-2").fingerprint == p12_key.fingerprint
    # A JKS given to from_pkcs12 is recognised and read.
    assert maskinporten.Key.from_pkcs12((stores / "one-key.jks").read_bytes(), "fixture-pw").fingerprint == p12_key.fingerprint


def test_pem_and_jwk_keys_load_from_str_and_bytes() -> None:
    pem = (KEYS / "client.key.pem").read_bytes()
    chain = (KEYS / "client.chain.pem").read_text()
    assert maskinporten.Key.from_pem(pem, chain).fingerprint == maskinporten.Key.from_pem(pem.decode(), chain).fingerprint
    jwk = maskinporten.Key.from_jwk((KEYS / "client.jwk.json").read_bytes())
    assert jwk.kid == "mp-vector-key-1"
    assert jwk.certificate is None


def test_not_a_key_is_invalid_key_error() -> None:
    with pytest.raises(maskinporten.InvalidKeyError):
        maskinporten.Key.from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_grant_defaults(client: maskinporten.Client) -> None:
    jwt = client.grant(["test:scope.read"], now=NOW, jti="fixed-jti")
    claims = claims_of(jwt)
    assert claims["aud"] == "https://test.maskinporten.no/"
    assert claims["iss"] == X5C_CLIENT_ID
    assert claims["scope"] == "test:scope.read"
    assert claims["iat"] == NOW and claims["exp"] == NOW + 120
    assert claims["jti"] == "fixed-jti"
    header = header_of(jwt)
    assert header["alg"] == "RS256" and isinstance(header["x5c"], list)
    assert client.algorithm == "RS256" and client.lifetime == 120


def test_a_str_scope_is_one_scope(client: maskinporten.Client) -> None:
    one = client.grant("test:scope.read", now=NOW, jti="j")
    assert one == client.grant(["test:scope.read"], now=NOW, jti="j")


def test_jti_is_fresh_by_default(client: maskinporten.Client) -> None:
    assert claims_of(client.grant(["test:scope.read"], now=NOW))["jti"] != claims_of(
        client.grant(["test:scope.read"], now=NOW)
    )["jti"]


def test_options_are_passed_through(client: maskinporten.Client) -> None:
    jwt = client.grant(
        ["brreg:reelle/rapporteringspliktig"],
        resource=["https://a.example/", "https://b.example/"],
        consumer_org=CONSUMER_ORG,
        now=NOW,
    )
    claims = claims_of(jwt)
    assert claims["consumer_org"] == CONSUMER_ORG
    assert claims["resource"] == ["https://a.example/", "https://b.example/"]
    assert claims_of(client.grant("s:x", resource="https://a.example/", now=NOW))["resource"] == "https://a.example/"


def test_authorization_details_as_objects_dicts_or_json(client: maskinporten.Client) -> None:
    detail = maskinporten.AuthorizationDetail.system_user(SYSTEM_USER_ORG, external_ref="ref-1")
    as_object = client.grant("s:x", authorization_details=[detail], now=NOW, jti="j")
    as_dict = client.grant("s:x", authorization_details=[json.loads(detail.to_json())], now=NOW, jti="j")
    as_json = client.grant("s:x", authorization_details=f"[{detail.to_json()}]", now=NOW, jti="j")
    assert as_object == as_dict == as_json
    assert claims_of(as_object)["authorization_details"][0]["systemuser_org"]["ID"] == f"0192:{SYSTEM_USER_ORG}"
    assert maskinporten.AuthorizationDetail.from_json(detail.to_json()) == [detail]


def test_invalid_argument_names_the_field(client: maskinporten.Client) -> None:
    with pytest.raises(maskinporten.InvalidArgumentError) as caught:
        client.grant("s:x", consumer_org="123456789", now=NOW)
    assert caught.value.kind == "invalid_consumer_org"
    assert caught.value.field == "consumer_org"
    with pytest.raises(maskinporten.InvalidArgumentError) as both:
        client.grant("s:x", consumer_org=CONSUMER_ORG, iss_onbehalfof="sub", now=NOW)
    assert both.value.kind == "conflicting_delegation"


def test_client_options(p12_key: maskinporten.Key) -> None:
    client = maskinporten.Client(X5C_CLIENT_ID, p12_key, maskinporten.Environment.prod(), algorithm="RS512", lifetime=60, x5c="full_chain")
    jwt = client.grant("s:x", now=NOW)
    assert header_of(jwt)["alg"] == "RS512"
    assert claims_of(jwt)["aud"] == "https://maskinporten.no/"
    assert claims_of(jwt)["exp"] - claims_of(jwt)["iat"] == 60
    with pytest.raises(maskinporten.InvalidArgumentError) as caught:
        maskinporten.Client(X5C_CLIENT_ID, p12_key, "test", algorithm="HS256")  # type: ignore[arg-type]
    assert caught.value.kind == "invalid_algorithm"
    with pytest.raises(maskinporten.InvalidArgumentError) as lifetime:
        maskinporten.Client(X5C_CLIENT_ID, p12_key, "test", lifetime=121)
    assert lifetime.value.kind == "invalid_lifetime"
    with pytest.raises(maskinporten.InvalidArgumentError) as env:
        maskinporten.Client(X5C_CLIENT_ID, p12_key, "http://example.com/")
    assert env.value.kind == "invalid_environment"


def test_certificate_not_valid(client: maskinporten.Client) -> None:
    with pytest.raises(maskinporten.CertificateNotValidError) as caught:
        client.grant("s:x", now=4_102_444_800)  # 2100
    assert caught.value.kind == "certificate_not_valid"


def test_token_request_shape_and_redaction(client: maskinporten.Client) -> None:
    request = client.token_request("test:scope.read", now=NOW)
    assert request.method == "POST"
    assert request.url == "https://test.maskinporten.no/token"
    assert request.headers == {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    assert request.header("content-type") == "application/x-www-form-urlencoded"
    assert request.body.startswith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey")
    assert request.body_bytes == request.body.encode()
    assert "assertion" not in repr(request) and "ey" not in repr(request).split("url=")[0]
    assert maskinporten.TokenRequest is maskinporten.HttpRequest


def test_environment_objects() -> None:
    test = maskinporten.Environment.test()
    assert test == maskinporten.Environment.from_name("test")
    assert hash(test) == hash(maskinporten.Environment.from_name("https://test.maskinporten.no/"))
    assert test.token_endpoint == "https://test.maskinporten.no/token"
    assert test.jwks_uri == "https://test.maskinporten.no/jwk"
    meta = maskinporten.Environment.metadata_request("https://test.maskinporten.no/")
    assert meta.method == "GET" and meta.url == "https://test.maskinporten.no/.well-known/oauth-authorization-server"
    custom = maskinporten.Environment.from_metadata(
        json.dumps({"issuer": "http://127.0.0.1:9/", "token_endpoint": "http://127.0.0.1:9/token", "jwks_uri": "http://127.0.0.1:9/jwk"})
    )
    assert custom.issuer == "http://127.0.0.1:9/"


def test_oauth_error_attributes(client: maskinporten.Client) -> None:
    body = b'{"error":"invalid_grant","error_description":"Invalid assertion. Client authentication failed. Invalid audience (MP-110)"}'
    with pytest.raises(maskinporten.OAuthError) as caught:
        client.parse_token_response(400, body, "application/json", now=NOW)
    error = caught.value
    assert (error.kind, error.status, error.error, error.mp_code) == ("oauth_error", 400, "invalid_grant", "MP-110")
    assert error.hint and "https://test.maskinporten.no/" in error.hint
    assert error.retryable is False and error.field is None
    assert isinstance(error, maskinporten.MaskinportenError)


def test_unavailable_and_malformed(client: maskinporten.Client) -> None:
    with pytest.raises(maskinporten.UnavailableError) as unavailable:
        client.parse_token_response(503, b"<html>busy</html>", "text/html", now=NOW)
    assert unavailable.value.retryable and unavailable.value.status == 503
    with pytest.raises(maskinporten.MalformedResponseError) as malformed:
        client.parse_token_response(200, b'{"access_token": "x"', "application/json", now=NOW)
    assert malformed.value.status == 200 and not malformed.value.retryable


def test_environment_is_required_everywhere(p12_key: maskinporten.Key) -> None:
    """Issue 12 item 1: no silent test issuer for clients, validators or token validators."""
    for make in (
        lambda: maskinporten.Client(X5C_CLIENT_ID, p12_key),  # type: ignore[call-arg]
        lambda: maskinporten.Validator(),  # type: ignore[call-arg]
        lambda: maskinporten.TokenValidator(),  # type: ignore[call-arg]
    ):
        with pytest.raises(TypeError, match="environment"):
            make()


def test_user_raised_errors_have_the_attributes() -> None:
    error = maskinporten.OAuthError("raised by user code")
    assert error.kind is None and error.mp_code is None and error.retryable is False


def test_access_token_redaction_and_times() -> None:
    token = maskinporten.parse_token_response(
        200, b'{"access_token":"secret-token-value","token_type":"Bearer","expires_in":120,"scope":"s:x"}', "application/json", now=NOW
    )
    assert token.access_token == "secret-token-value"
    assert "secret-token-value" not in repr(token) and "secret-token-value" not in str(token)
    assert token.expires_at == NOW + 120
    assert token.refresh_at() == NOW + 90 and token.refresh_at(skew=600) == NOW + 60
    assert token.is_fresh(now=NOW + 89) and not token.is_fresh(now=NOW + 90)
    assert token.is_expired(now=NOW + 120) and not token.is_expired(now=NOW + 119)
    assert token == maskinporten.AccessToken("secret-token-value", 120, "s:x", NOW)


def test_cache_keys(client: maskinporten.Client) -> None:
    key = client.cache_key("s:x")
    assert key == client.cache_key(["s:x"]) and key != client.cache_key("s:y")
    assert key != client.cache_key("s:x", consumer_org=CONSUMER_ORG)
    assert key.as_str().startswith(key.label) and len(key.label) == 8
    assert maskinporten.TokenSource(client, "s:x").cache_key == key


def test_prepared_grant_is_single_use(client: maskinporten.Client) -> None:
    prepared = client.prepare_grant("s:x", now=NOW, jti="j")
    signature = base64.urlsafe_b64decode(client.grant("s:x", now=NOW, jti="j").rsplit(".", 1)[1] + "==")
    assert prepared.finish(signature).count(".") == 2
    with pytest.raises(maskinporten.InvalidArgumentError) as again:
        prepared.finish(signature)
    assert again.value.kind == "invalid_argument" and again.value.field == "grant"


def test_external_signer_with_a_wrong_signature(p12_key: maskinporten.Key) -> None:
    chain = (KEYS / "client.chain.pem").read_text()
    external = maskinporten.Key.from_external(cert_chain_pem=chain)
    assert not external.can_sign
    client = maskinporten.Client(X5C_CLIENT_ID, external, "test")
    with pytest.raises(maskinporten.InvalidArgumentError) as no_key:
        client.grant("s:x", now=NOW)
    assert no_key.value.kind == "missing_signing_key"
    prepared = client.prepare_grant("s:x", now=NOW, jti="j")
    assert prepared.algorithm == "RS256" and prepared.hash_name == "sha256"
    with pytest.raises(maskinporten.InvalidArgumentError) as caught:
        prepared.finish(b"\x00" * 256)
    assert caught.value.kind == "invalid_signature"
    signer = maskinporten.Client(X5C_CLIENT_ID, p12_key, "test")
    expected = signer.grant("s:x", now=NOW, jti="j")
    signature = base64.urlsafe_b64decode(expected.rsplit(".", 1)[1] + "==")
    assert client.prepare_grant("s:x", now=NOW, jti="j").finish(signature) == expected


def test_kid_client_header() -> None:
    key = maskinporten.Key.from_jwk((KEYS / "client.jwk.json").read_text())
    jwt = maskinporten.Client(KID_CLIENT_ID, key, "test").grant("s:x", now=NOW)
    header = header_of(jwt)
    assert header["kid"] == "mp-vector-key-1" and "x5c" not in header


def test_helpers() -> None:
    assert maskinporten.is_valid_org_number(CLIENT_ORG)
    assert not maskinporten.is_valid_org_number("123456789")
    assert abs(maskinporten.unix_now() - __import__("time").time()) < 5
    assert maskinporten.BACKEND == "aws-lc-rs"
    assert maskinporten.MAX_GRANT_LIFETIME == 120


def test_every_public_item_has_a_docstring() -> None:
    missing = []
    for name in maskinporten.__all__:
        obj = getattr(maskinporten, name)
        if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.isbuiltin(obj):
            if not (obj.__doc__ or "").strip():
                missing.append(name)
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for member, value in vars(obj).items():
                    if not member.startswith("_") and not (getattr(value, "__doc__", "") or "").strip():
                        missing.append(f"{name}.{member}")
    assert missing == []
    assert "client_id" in (maskinporten.Client.__doc__ or "")
