"""Maskinporten (Digdir) machine-to-machine tokens for Python.

A thin layer over the ``maskinporten`` Rust core: the core builds and signs the JWT grant with
your enterprise certificate or registered key, builds the token request, reads the answer, and
its token flow decides caching, single flight, retries, the refresh ahead of expiry and the 401
rule. Python executes the flow with your HTTP client; ready integrations:

- ``maskinporten.httpx.MaskinportenAuth`` (``pip install maskinporten[httpx]``), sync and async;
- ``maskinporten.requests.MaskinportenAuth`` (``pip install maskinporten[requests]``);
- ``maskinporten.TokenProvider`` / ``AsyncTokenProvider`` and ``maskinporten.fetch_token``,
  with any transport (the standard library by default).

Without an integration (sans-IO): ``request = client.token_request(scopes)``, send it, then
``token = client.parse_token_response(status, body, content_type)``; or drive the token flow
yourself with ``TokenFlow``, ``TokenSource`` and ``TokenCall``.

For API providers, ``TokenValidator`` validates Maskinporten access tokens (the core's
validation flow fetches the issuer's JWKS), ``bearer_token`` reads the ``Authorization`` header
and ``Rejection`` is the RFC 6750 answer; ``maskinporten.fastapi`` and ``maskinporten.flask`` use
them.

Clients and keys: ``SelfService`` builds Digdir's self-service API requests (``parse_clients``,
``parse_client_keys``... read the answers) and ``RotationPlanner`` decides key rotation.

Every error is a ``MaskinportenError`` subclass; ``error_kinds()`` lists the ``kind`` values.
Events go to the ``logging`` logger ``"maskinporten"``.
"""

from __future__ import annotations

# `typing` is not imported at run time: it alone costs more than the rest of `import maskinporten`.
TYPE_CHECKING = False

from ._native import (
    BACKEND,
    JWT_BEARER_GRANT_TYPE,
    MAX_GRANT_LIFETIME,
    MAX_REGISTERED_KEYS,
    MAX_TOKEN_BYTES,
    AccessToken,
    AltinnExchange,
    Authorization,
    AuthorizationDetail,
    CacheKey,
    CertificateInfo,
    CertificateNotValidError,
    Client,
    ClientKeys,
    Environment,
    FlowEvent,
    HttpRequest,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidTokenError,
    Key,
    MalformedResponseError,
    MaskinportenError,
    OAuthError,
    Organisation,
    PreparedGrant,
    PublicScope,
    RegisteredClient,
    RegisteredKey,
    Rejection,
    Requirements,
    RotationAction,
    RotationPlanner,
    RotationPolicy,
    ScopeAccess,
    SelfService,
    SelfServiceError,
    TokenCall,
    TokenFlow,
    TokenRequest,
    TokenSource,
    TokenStep,
    UnavailableError,
    ValidatedToken,
    ValidationCall,
    ValidationStep,
    Validator,
    __version__,
    bearer_token,
    check_admin_client,
    check_public_key_set,
    error_kinds,
    is_valid_org_number,
    is_valid_pid,
    parse_client,
    parse_client_keys,
    parse_clients,
    parse_empty,
    parse_public_scopes,
    parse_scope_access,
    parse_token_response,
    unix_now,
)

if TYPE_CHECKING:
    from typing import Any

    from ._async_provider import AsyncTokenProvider
    from ._provider import TokenProvider
    from ._transport import HttpResponse, TransportError
    from ._urllib import fetch_token, urllib_send
    from ._validator import TokenValidator

__all__ = [
    "BACKEND",
    "JWT_BEARER_GRANT_TYPE",
    "MAX_GRANT_LIFETIME",
    "MAX_REGISTERED_KEYS",
    "MAX_TOKEN_BYTES",
    "AccessToken",
    "AltinnExchange",
    "Authorization",
    "AsyncTokenProvider",
    "AuthorizationDetail",
    "CacheKey",
    "CertificateInfo",
    "CertificateNotValidError",
    "Client",
    "ClientKeys",
    "Environment",
    "FlowEvent",
    "HttpRequest",
    "HttpResponse",
    "InvalidArgumentError",
    "InvalidKeyError",
    "InvalidTokenError",
    "Key",
    "MalformedResponseError",
    "MaskinportenError",
    "OAuthError",
    "Organisation",
    "PreparedGrant",
    "PublicScope",
    "RegisteredClient",
    "RegisteredKey",
    "Rejection",
    "Requirements",
    "RotationAction",
    "RotationPlanner",
    "RotationPolicy",
    "ScopeAccess",
    "SelfService",
    "SelfServiceError",
    "TokenCall",
    "TokenFlow",
    "TokenProvider",
    "TokenRequest",
    "TokenSource",
    "TokenStep",
    "TokenValidator",
    "TransportError",
    "UnavailableError",
    "ValidatedToken",
    "ValidationCall",
    "ValidationStep",
    "Validator",
    "__version__",
    "bearer_token",
    "check_admin_client",
    "check_public_key_set",
    "error_kinds",
    "fetch_token",
    "is_valid_org_number",
    "is_valid_pid",
    "parse_client",
    "parse_client_keys",
    "parse_clients",
    "parse_empty",
    "parse_public_scopes",
    "parse_scope_access",
    "parse_token_response",
    "unix_now",
    "urllib_send",
]

# Imported on first use, so `import maskinporten` stays fast (urllib.request pulls in ssl,
# http.client and email) and httpx/requests stay optional.
_LAZY = {
    "TokenProvider": "._provider",
    "AsyncTokenProvider": "._async_provider",
    "fetch_token": "._urllib",
    "urllib_send": "._urllib",
    "TokenValidator": "._validator",
    "HttpResponse": "._transport",
    "TransportError": "._transport",
}
_SUBMODULES = ("httpx", "requests", "fastapi", "flask")


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'maskinporten' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
