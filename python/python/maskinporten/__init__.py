"""Maskinporten (Digdir) machine-to-machine tokens for Python.

A thin layer over the ``maskinporten`` Rust core: it builds and signs the JWT grant with your
enterprise certificate or registered key, builds the token request, reads the answer and caches
the token. Your HTTP client does the sending; ready integrations:

- ``maskinporten.httpx.MaskinportenAuth`` (``pip install maskinporten[httpx]``), sync and async;
- ``maskinporten.requests.MaskinportenAuth`` (``pip install maskinporten[requests]``);
- ``maskinporten.fetch_token`` and ``maskinporten.TokenProvider`` with only the standard library.

Call order, without an integration:

1. ``request = client.token_request(scopes)``
2. send it with your HTTP client (``request.method``, ``.url``, ``.headers``, ``.body``)
3. ``token = client.parse_token_response(status, body, content_type)``
4. keep the token until it needs refreshing (``TokenCache`` decides).

For API providers, ``Validator`` (sans-IO) and ``TokenVerifier`` (fetches the JWKS) validate
Maskinporten access tokens; ``maskinporten.fastapi`` and ``maskinporten.flask`` integrate them.

Every error is a ``MaskinportenError`` subclass.
"""

from __future__ import annotations

# `typing` is not imported at run time: it alone costs more than the rest of `import maskinporten`.
TYPE_CHECKING = False

from ._native import (
    BACKEND,
    JWT_BEARER_GRANT_TYPE,
    MAX_GRANT_LIFETIME,
    MAX_TOKEN_BYTES,
    AccessToken,
    Authorization,
    AuthorizationDetail,
    CacheKey,
    CacheLookup,
    CertificateInfo,
    CertificateNotValidError,
    Client,
    Environment,
    FetchTicket,
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
    TokenCache,
    TokenRequest,
    UnavailableError,
    ValidatedToken,
    Validator,
    __version__,
    is_valid_org_number,
    is_valid_pid,
    parse_token_response,
    unix_now,
)

if TYPE_CHECKING:
    from typing import Any

    from ._provider import AsyncTokenProvider, TokenProvider
    from ._urllib import fetch_token, urllib_send
    from ._verifier import TokenVerifier

__all__ = [
    "BACKEND",
    "JWT_BEARER_GRANT_TYPE",
    "MAX_GRANT_LIFETIME",
    "MAX_TOKEN_BYTES",
    "AccessToken",
    "Authorization",
    "AsyncTokenProvider",
    "AuthorizationDetail",
    "CacheKey",
    "CacheLookup",
    "CertificateInfo",
    "CertificateNotValidError",
    "Client",
    "Environment",
    "FetchTicket",
    "HttpRequest",
    "InvalidArgumentError",
    "InvalidKeyError",
    "InvalidTokenError",
    "Key",
    "MalformedResponseError",
    "MaskinportenError",
    "OAuthError",
    "Organisation",
    "PreparedGrant",
    "TokenCache",
    "TokenProvider",
    "TokenRequest",
    "TokenVerifier",
    "UnavailableError",
    "ValidatedToken",
    "Validator",
    "__version__",
    "fetch_token",
    "is_valid_org_number",
    "is_valid_pid",
    "parse_token_response",
    "unix_now",
    "urllib_send",
]

# Imported on first use, so `import maskinporten` stays fast (urllib.request pulls in ssl,
# http.client and email) and httpx/requests stay optional.
_LAZY = {
    "TokenProvider": "._provider",
    "AsyncTokenProvider": "._provider",
    "fetch_token": "._urllib",
    "urllib_send": "._urllib",
    "TokenVerifier": "._verifier",
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
