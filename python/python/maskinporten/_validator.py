"""``TokenValidator``: executes the core's validation flow (JWKS on first use, when stale and
for an unknown ``kid``, single flight, outages) with a host transport, for API providers."""

from __future__ import annotations

import time
from typing import Callable, Literal, Optional, Sequence, Union

from ._args import check_callable, check_type
from ._events import forward
from ._native import (
    Environment,
    Rejection,
    Requirements,
    ValidatedToken,
    ValidationCall,
    ValidationStep,
    Validator,
)
from ._notify import notifier_for
from ._provider import _answer
from ._transport import Send, failure_of

__all__ = ["TokenValidator"]


def _clock_ms() -> int:
    return time.time_ns() // 1_000_000


def requirements_of(
    requirements: Optional[Requirements],
    scopes: Union[str, Sequence[str], None],
    scope_match: Literal["any", "all"],
    audience: Optional[str],
    require_pid: bool,
    consumer_orgs: Optional[Sequence[str]],
    any_scope_unchecked: bool,
) -> Requirements:
    """A ``Requirements`` object, or one made from the keyword form (not both)."""
    if requirements is None:
        return Requirements(
            scopes,
            scope_match=scope_match,
            audience=audience,
            require_pid=require_pid,
            consumer_orgs=consumer_orgs,
            any_scope_unchecked=any_scope_unchecked,
        )
    check_type("requirements", requirements, Requirements, "a maskinporten.Requirements")
    if scopes is not None or audience is not None or require_pid or consumer_orgs is not None or any_scope_unchecked:
        raise TypeError("requirements: give a Requirements object or keyword requirements, not both")
    return requirements


class TokenValidator:
    """Validates Maskinporten access tokens for an API, fetching the issuer's JWKS when the
    core's validation flow says so (first use, older than ``max_jwks_age``, an unknown ``kid``
    rate-limited by ``min_refetch_interval``; one fetch at a time; an unreachable issuer while no
    keys are held is the retryable ``UnavailableError``, answered 503). Thread-safe.

    ``environment`` (``"test"``, ``"prod"``, an issuer URL or an ``Environment``) is required.
    Injection points: ``send(request, timeout) -> HttpResponse`` (default the standard library)
    and ``now_ms() -> int``. Validator settings: ``algorithms``, ``leeway``, ``max_jwks_age``,
    ``min_refetch_interval``, ``jwks_timeout_ms``. Events go to the logger ``"maskinporten"``.

        validator = TokenValidator("prod")
        token = validator.validate(authorization_header, scopes=["my:scope"])
        token.consumer.org_number
    """

    def __init__(
        self,
        environment: Union[Environment, str],
        *,
        send: Optional[Send] = None,
        now_ms: Optional[Callable[[], int]] = None,
        algorithms: Optional[Sequence[Literal["RS256", "RS384", "RS512"]]] = None,
        leeway: Optional[int] = None,
        max_jwks_age: Optional[int] = None,
        min_refetch_interval: Optional[int] = None,
        jwks_timeout_ms: Optional[int] = None,
    ) -> None:
        check_callable("send", send)
        check_callable("now_ms", now_ms)
        self.validator: Validator = Validator(
            environment,
            algorithms=algorithms,
            leeway=leeway,
            max_jwks_age=max_jwks_age,
            min_refetch_interval=min_refetch_interval,
            jwks_timeout_ms=jwks_timeout_ms,
        )
        if send is None:
            from ._urllib import urllib_send

            send = urllib_send
        self._send: Send = send
        self._now: Callable[[], int] = now_ms if now_ms is not None else _clock_ms
        self._notifier = notifier_for(self.validator)

    def validate(
        self,
        authorization_or_token: str,
        requirements: Optional[Requirements] = None,
        *,
        scopes: Union[str, Sequence[str], None] = None,
        scope_match: Literal["any", "all"] = "any",
        audience: Optional[str] = None,
        require_pid: bool = False,
        consumer_orgs: Optional[Sequence[str]] = None,
        any_scope_unchecked: bool = False,
    ) -> ValidatedToken:
        """Validates a token (or a whole ``Authorization`` value, ``"Bearer ..."`` in any case)
        for ``requirements`` (a ``Requirements``, or the same as keywords: name a scope or an
        audience, or say ``any_scope_unchecked=True``). Raises ``InvalidTokenError`` (a refused
        token), ``UnavailableError`` (the issuer's keys cannot be had) or
        ``InvalidArgumentError``; answer each with ``rejection(error, requirements)``."""
        check_type("authorization_or_token", authorization_or_token, str, "the token as a str")
        wanted = requirements_of(
            requirements, scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked
        )
        now = self._now()
        call = self.validator.validation(authorization_or_token, wanted, now)
        step = call.poll(now)
        if step.kind == "valid":
            token = step.token
            assert token is not None
            return token
        return self._drive(call, step)

    def _drive(self, call: ValidationCall, step: ValidationStep) -> ValidatedToken:
        try:
            while True:
                kind = step.kind
                if kind == "valid":
                    token = step.token
                    assert token is not None
                    return token
                if kind == "fetch_jwks":
                    if self._fetch(call, step):
                        self._notifier.notify()
                    forward(self.validator)
                elif kind == "wait":
                    self._notifier.wait(step.generation or 0, self._remaining(step.until_ms))
                else:
                    error = step.error
                    assert error is not None
                    raise error
                step = call.poll(self._now())
        finally:
            if call.cancel():
                self._notifier.notify()

    def _fetch(self, call: ValidationCall, step: ValidationStep) -> bool:
        request = step.request
        assert request is not None
        try:
            answer = self._send(request, self._remaining(step.timeout_at_ms))
        except Exception as exc:
            failure = failure_of(exc)
            if failure is None:
                raise
            return call.handle_jwks_failure(failure[0], failure[1], self._now())
        status, body, content_type, retry_after = _answer(answer)
        return call.handle_jwks_response(
            status, body, content_type=content_type, retry_after=retry_after, now_ms=self._now()
        )

    def _remaining(self, until_ms: Optional[int]) -> float:
        return max(0.0, ((until_ms or 0) - self._now()) / 1000)

    def rejection(
        self,
        error: BaseException,
        requirements: Optional[Requirements] = None,
        *,
        scopes: Union[str, Sequence[str], None] = None,
        scope_match: Literal["any", "all"] = "any",
        audience: Optional[str] = None,
        require_pid: bool = False,
        consumer_orgs: Optional[Sequence[str]] = None,
        any_scope_unchecked: bool = False,
    ) -> Rejection:
        """The RFC 6750 answer (status, ``WWW-Authenticate``, JSON body, ``Retry-After``,
        ``Cache-Control: no-store``) to ``error`` from ``bearer_token`` or ``validate``, for the
        same requirements."""
        wanted = requirements_of(
            requirements, scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked
        )
        return self.validator.rejection(error, wanted, self._now())

    def __repr__(self) -> str:
        return f"TokenValidator(issuer={self.validator.issuer!r})"
