"""``TokenVerifier``: a ``Validator`` plus the JWKS fetching it asks for, for API providers, and
the HTTP answer for a rejected token that the framework integrations share."""

from __future__ import annotations

import logging
import threading
from typing import Literal, Optional, Sequence, Union

from ._native import (
    Environment,
    HttpRequest,
    InvalidTokenError,
    MaskinportenError,
    ValidatedToken,
    Validator,
)
from ._provider import Response, Send

__all__ = ["TokenVerifier", "Rejection", "authenticate"]

_log = logging.getLogger("maskinporten")


class TokenVerifier:
    """Validates Maskinporten access tokens, fetching the issuer's JWKS when the core says so
    (first use, after ``max_jwks_age``, or for an unknown ``kid``, rate-limited). Thread-safe;
    one JWKS fetch at a time. ``send`` defaults to the standard library (urllib).

        verifier = TokenVerifier("prod")
        token = verifier.verify(bearer, scopes=["my:scope"])
        token.consumer.org_number
    """

    def __init__(
        self,
        environment: Union[Environment, str, None] = None,
        *,
        send: Optional[Send] = None,
        timeout: float = 10.0,
        validator: Optional[Validator] = None,
        leeway: Optional[int] = None,
        max_jwks_age: Optional[int] = None,
        min_refetch_interval: Optional[int] = None,
    ) -> None:
        self.validator: Validator = validator if validator is not None else Validator(
            environment, leeway=leeway, max_jwks_age=max_jwks_age, min_refetch_interval=min_refetch_interval
        )
        if send is None:
            from ._urllib import urllib_send

            def send(request: HttpRequest) -> Response:
                return urllib_send(request, timeout=timeout)

        self._send: Send = send
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Fetches the JWKS if the validator says a fetch is due; True when keys were updated. A
        failed fetch is logged and the keys held so far stay in use."""
        if self.validator.jwks_request() is None:
            return False
        with self._lock:
            request = self.validator.jwks_request()  # another thread may have fetched meanwhile
            if request is None:
                return False
            try:
                status, body, _ = self._send(request)
            except MaskinportenError as error:
                self.validator.jwks_fetch_failed()
                _log.warning("maskinporten: JWKS fetch failed (%s): %s", error.kind, error)
                return False
            try:
                # The core reads the status; a non-200 or a bad body is recorded as a failed fetch.
                self.validator.update_jwks_response(status, body)
            except MaskinportenError as error:
                _log.warning("maskinporten: JWKS not loaded (%s): %s", error.kind, error)
                return False
            return True

    def verify(
        self,
        token: str,
        *,
        scopes: Union[str, Sequence[str], None] = None,
        scope_match: Literal["any", "all"] = "any",
        audience: Optional[str] = None,
        require_pid: bool = False,
        consumer_orgs: Optional[Sequence[str]] = None,
    ) -> ValidatedToken:
        """Validates ``token`` (with or without ``"Bearer "``); raises ``InvalidTokenError``."""
        def check() -> ValidatedToken:
            return self.validator.validate(
                token,
                scopes=scopes,
                scope_match=scope_match,
                audience=audience,
                require_pid=require_pid,
                consumer_orgs=consumer_orgs,
            )

        self.refresh()
        try:
            return check()
        except InvalidTokenError as error:
            if error.kind != "unknown_kid" or not self.refresh():
                raise
        return check()

    def __repr__(self) -> str:
        return f"TokenVerifier(issuer={self.validator.issuer!r})"


class Rejection:
    """Why a request is refused: the HTTP ``status``, the ``WWW-Authenticate`` header (RFC 6750)
    and a JSON ``body`` that names the failed check without echoing the token."""

    __slots__ = ("status", "www_authenticate", "body")

    def __init__(self, status: int, error: str, description: str, scopes: Optional[Sequence[str]] = None) -> None:
        self.status = status
        challenge = f'Bearer error="{error}", error_description="{description}"' if error else "Bearer"
        if scopes and error == "insufficient_scope":
            challenge += f', scope="{" ".join(scopes)}"'
        self.www_authenticate = challenge
        self.body = {"error": error or "invalid_request", "error_description": description}


_FORBIDDEN = {"insufficient_scope", "consumer_not_allowed", "pid_missing"}


def authenticate(
    verifier: TokenVerifier,
    authorization: Optional[str],
    *,
    scopes: Union[str, Sequence[str], None] = None,
    scope_match: Literal["any", "all"] = "any",
    audience: Optional[str] = None,
    require_pid: bool = False,
    consumer_orgs: Optional[Sequence[str]] = None,
) -> Union[ValidatedToken, Rejection]:
    """Checks an ``Authorization`` header value: the validated token, or the ``Rejection`` to
    answer (401 without or with a bad token, 403 when the token lacks a scope or the consumer
    is not served, 503 when the issuer's keys cannot be fetched)."""
    scope_list = [scopes] if isinstance(scopes, str) else list(scopes or [])
    if not authorization or not authorization[:7].lower() == "bearer ":
        return Rejection(401, "", "a Maskinporten bearer token is required")
    try:
        return verifier.verify(
            authorization[7:].strip(),
            scopes=scope_list,
            scope_match=scope_match,
            audience=audience,
            require_pid=require_pid,
            consumer_orgs=consumer_orgs,
        )
    except InvalidTokenError as error:
        kind = error.kind or "invalid_token"
        if kind in _FORBIDDEN:
            return Rejection(403, "insufficient_scope", kind, scope_list)
        if kind == "jwks_missing":
            return Rejection(503, "temporarily_unavailable", kind)
        return Rejection(401, "invalid_token", kind)
