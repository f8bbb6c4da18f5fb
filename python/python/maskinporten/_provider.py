"""Token providers: execute the core's token flow (``TokenFlow``) with a host transport. This
module holds what both providers share and the threaded ``TokenProvider``;
``_async_provider.py`` holds ``AsyncTokenProvider``.

The flow decides everything (cache hit, who fetches, retries and back-off, ``Retry-After``, the
refresh ahead of expiry, timeouts and deadline, the 401 rule); this module only sends, signs,
sleeps, waits and logs, as each ``TokenStep`` says. Per cache key one caller fetches at a time
while the others keep the still-valid token or wait for that fetch, so N threads or tasks
asking at once cause one token request.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Optional, Sequence, Union

from ._args import check_callable, check_type
from ._events import forward, log
from ._native import (
    AccessToken,
    AltinnExchange,
    AuthorizationDetail,
    CacheKey,
    Client,
    PreparedGrant,
    TokenCall,
    TokenFlow,
    TokenSource,
    TokenStep,
)
from ._notify import notifier_for
from ._transport import HttpResponse, Send, failure_of

__all__ = ["TokenProvider"]

AuthorizationDetails = Union[str, Sequence[Union[AuthorizationDetail, "dict[str, Any]", str]]]
#: Signs a grant's ``signing_input`` (RSASSA-PKCS1-v1_5 with ``hash_name``): for keys held in an
#: HSM or a cloud KMS (``Key.from_external``). Returns the raw signature.
Signer = Callable[[PreparedGrant], bytes]

_DEBUG = 10


def _clock_ms() -> int:
    return time.time_ns() // 1_000_000


def _signature(signature: Any) -> bytes:
    if not isinstance(signature, (bytes, bytearray)):
        raise TypeError(f"signer: expected it to return the signature as bytes, not {type(signature).__name__}")
    return bytes(signature)


def _answer(answer: Any) -> HttpResponse:
    if isinstance(answer, HttpResponse):
        return answer
    if not isinstance(answer, tuple) or not 2 <= len(answer) <= 4:
        raise TypeError(
            f"send: expected it to return HttpResponse(status, body, content_type, retry_after), not {type(answer).__name__}"
        )
    return HttpResponse(*answer)


class _Provider:
    """What both providers share: the source, the flow, the injected clock and jitter."""

    def __init__(
        self,
        client: Client,
        scopes: Union[str, Sequence[str]],
        grant: dict[str, Any],
        flow: Optional[TokenFlow],
        settings: dict[str, Any],
        signer: Any,
        now_ms: Optional[Callable[[], int]],
        jitter: Optional[Callable[[], float]],
    ) -> None:
        check_type("client", client, Client, "a maskinporten.Client")
        for name, value in (("now_ms", now_ms), ("jitter", jitter), ("signer", signer)):
            check_callable(name, value)
        given = {name: value for name, value in settings.items() if value is not None}
        if flow is None:
            flow = TokenFlow(**given, host_signing=False)
        else:
            check_type("flow", flow, TokenFlow, "a maskinporten.TokenFlow")
            if given:
                raise TypeError(
                    f"{', '.join(given)}: give the settings to the shared TokenFlow(...), not to each provider"
                )
        if signer is None and not client.key.can_sign:
            raise TypeError("signer: the key cannot sign here (Key.from_external): give signer=, a function that signs")
        self._clock: Optional[Callable[[], int]] = now_ms
        self._now: Callable[[], int] = now_ms if now_ms is not None else _clock_ms
        self._jitter: Callable[[], float] = jitter if jitter is not None else random.random
        now = None if now_ms is None else now_ms() // 1000
        self._source = TokenSource(client, scopes, **grant, now=now)
        for warning in self._source.warnings:
            log.warning("options_warning: %s", warning)
        self._flow = flow
        self._fresh = flow.fresh
        self._notifier = notifier_for(flow)
        self._signer = signer

    @property
    def flow(self) -> TokenFlow:
        """The token flow (share it with other providers to share tokens)."""
        return self._flow

    @property
    def source(self) -> TokenSource:
        """The client and grant options this provider asks for."""
        return self._source

    @property
    def cache_key(self) -> CacheKey:
        """The cache key of this provider's token."""
        return self._source.cache_key

    def reject(self, rejected_access_token: str) -> bool:
        """Reports that an API answered 401 to ``rejected_access_token``: that token, and only
        that one, is dropped (callers that saw the same 401 after another caller refreshed keep
        the new token), so the next ``token()`` fetches. Returns whether a token was dropped."""
        check_type("rejected_access_token", rejected_access_token, str, "the access token as a str")
        dropped = self._flow.reject(self._source, rejected_access_token)
        if dropped:
            self._notifier.notify()
        forward(self._flow)
        return dropped

    def _started(self) -> TokenCall:
        return self._flow.call(self._source, self._now())

    def _reported(self, changed: bool) -> None:
        if changed:
            self._notifier.notify()
        forward(self._flow)

    def _report_failure(self, call: TokenCall, exc: BaseException) -> bool:
        failure = failure_of(exc)
        if failure is None:
            raise exc
        return call.handle_failure(failure[0], failure[1], jitter=self._jitter(), now_ms=self._now())

    def _report_answer(self, call: TokenCall, answer: Any) -> bool:
        status, body, content_type, retry_after = _answer(answer)
        return call.handle_response(
            status,
            body,
            jitter=self._jitter(),
            content_type=content_type,
            retry_after=retry_after,
            now_ms=self._now(),
        )

    def _ended(self, call: TokenCall) -> None:
        if call.cancel():
            self._notifier.notify()
        forward(self._flow)

    def _remaining(self, until_ms: Optional[int]) -> float:
        return max(0.0, ((until_ms or 0) - self._now()) / 1000)


class TokenProvider(_Provider):
    """Fetches, caches and refreshes the token for one grant; safe to share between threads.

    ``client`` asks for ``scopes`` (and the optional grant arguments ``resource``,
    ``consumer_org``, ``iss_onbehalfof``, ``pid``, ``authorization_details``). With
    ``altinn=AltinnExchange(...)`` the token is the Altinn 3 token the Maskinporten token is
    exchanged for: cached until its own ``exp``, the Maskinporten token fetched first when due
    (and renewed once when Altinn answers 401); ``reject`` then drops the Altinn token. The core's token
    flow decides when to fetch, retry (4 attempts, back-off, ``Retry-After``), refresh ahead of
    expiry and give up (10 s per request, 30 s per call); change those with ``max_attempts``,
    ``initial_backoff_ms``, ``max_backoff_ms``, ``attempt_timeout_ms``, ``deadline_ms`` and
    ``refresh_skew``, or pass a shared ``flow=TokenFlow(...)`` to share tokens between providers.

    Injection points (documented for tests too): ``send(request, timeout) -> HttpResponse``
    (default: the standard library, ``maskinporten.urllib_send``; raise ``TransportError`` when
    there is no answer), ``signer(grant) -> bytes`` (keys from ``Key.from_external``),
    ``now_ms() -> int`` (Unix milliseconds), ``sleep(seconds)`` and ``jitter() -> float`` in
    ``[0, 1]``. Events go to the ``logging`` logger ``"maskinporten"``.

        provider = TokenProvider(client, ["test:scope.read"])
        headers = {"Authorization": f"Bearer {provider.token().access_token}"}
    """

    def __init__(
        self,
        client: Client,
        scopes: Union[str, Sequence[str]],
        *,
        resource: Union[str, Sequence[str], None] = None,
        consumer_org: Optional[str] = None,
        iss_onbehalfof: Optional[str] = None,
        pid: Optional[str] = None,
        authorization_details: Optional[AuthorizationDetails] = None,
        altinn: Optional[AltinnExchange] = None,
        flow: Optional[TokenFlow] = None,
        send: Optional[Send] = None,
        signer: Optional[Signer] = None,
        now_ms: Optional[Callable[[], int]] = None,
        sleep: Optional[Callable[[float], None]] = None,
        jitter: Optional[Callable[[], float]] = None,
        max_attempts: Optional[int] = None,
        initial_backoff_ms: Optional[int] = None,
        max_backoff_ms: Optional[int] = None,
        attempt_timeout_ms: Optional[int] = None,
        deadline_ms: Optional[int] = None,
        refresh_skew: Optional[int] = None,
    ) -> None:
        check_callable("send", send)
        check_callable("sleep", sleep)
        grant = dict(
            resource=resource,
            consumer_org=consumer_org,
            iss_onbehalfof=iss_onbehalfof,
            pid=pid,
            authorization_details=authorization_details,
            altinn=altinn,
        )
        settings = dict(
            max_attempts=max_attempts,
            initial_backoff_ms=initial_backoff_ms,
            max_backoff_ms=max_backoff_ms,
            attempt_timeout_ms=attempt_timeout_ms,
            deadline_ms=deadline_ms,
            refresh_skew=refresh_skew,
        )
        super().__init__(client, scopes, grant, flow, settings, signer, now_ms, jitter)
        if send is None:
            from ._urllib import urllib_send

            send = urllib_send
        self._send: Send = send
        self._sleep: Callable[[float], None] = sleep if sleep is not None else time.sleep

    def token(self) -> AccessToken:
        """A valid token: cached (one native call), or fetched now by the token flow. Raises
        the flow's error (``OAuthError``, ``UnavailableError``, ...) when there is none."""
        clock = self._clock
        token = self._fresh(self._source, None if clock is None else clock())
        if token is not None:
            if log.isEnabledFor(_DEBUG):
                forward(self._flow)
            return token
        return self._fetch()

    def _fetch(self) -> AccessToken:
        call = self._started()
        try:
            while True:
                step = call.poll(self._now())
                forward(self._flow)
                kind = step.kind
                if kind == "token":
                    token = step.token
                    assert token is not None
                    return token
                if kind == "send":
                    self._reported(self._exchange(call, step))
                elif kind == "sleep":
                    self._sleep(self._remaining(step.until_ms))
                elif kind == "wait":
                    self._notifier.wait(step.generation or 0, self._remaining(step.until_ms))
                elif kind == "sign":
                    self._reported(self._sign(call, step))
                else:
                    error = step.error
                    assert error is not None
                    raise error
        finally:
            self._ended(call)

    def _exchange(self, call: TokenCall, step: TokenStep) -> bool:
        request = step.request
        assert request is not None
        try:
            answer = self._send(request, self._remaining(step.timeout_at_ms))
        except Exception as exc:
            return self._report_failure(call, exc)
        return self._report_answer(call, answer)

    def _sign(self, call: TokenCall, step: TokenStep) -> bool:
        grant = step.grant
        assert grant is not None and self._signer is not None
        try:
            signature = self._signer(grant)
        except Exception as exc:
            return call.handle_signer_failure(f"{type(exc).__name__}: {exc}", self._now())
        return call.handle_signature(_signature(signature), self._now())

    def __repr__(self) -> str:
        return f"TokenProvider(source={self._source!r})"
