"""``AsyncTokenProvider``: the asyncio executor of the core's token flow (see ``_provider.py``
for what both providers share)."""

from __future__ import annotations

import asyncio
import inspect
from typing import Awaitable, Callable, Optional, Sequence, Union

from ._args import check_callable
from ._events import forward, log
from ._native import AccessToken, AltinnExchange, Client, PreparedGrant, TokenCall, TokenFlow, TokenStep
from ._provider import _DEBUG, AuthorizationDetails, _Provider, _signature
from ._transport import AsyncSend

__all__ = ["AsyncTokenProvider"]

AsyncSigner = Callable[[PreparedGrant], Union[bytes, Awaitable[bytes]]]


class AsyncTokenProvider(_Provider):
    """The asyncio form of ``TokenProvider``: ``await provider.token()``, the same options.
    ``send`` is an async function ``(request, timeout) -> HttpResponse`` (default: httpx, when
    installed, ``maskinporten.httpx.async_send``); ``sleep`` an async function (default
    ``asyncio.sleep``); ``signer`` may be async. Tasks waiting for another task's fetch are woken
    from any thread; a cancelled task gives its fetch up to the next caller. Share a
    ``TokenFlow`` with a ``TokenProvider`` to share tokens between threads and tasks."""

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
        send: Optional[AsyncSend] = None,
        signer: Optional[AsyncSigner] = None,
        now_ms: Optional[Callable[[], int]] = None,
        sleep: Optional[Callable[[float], Awaitable[None]]] = None,
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
            try:
                from .httpx import async_send
            except ImportError:
                raise TypeError(
                    "send: AsyncTokenProvider needs an async send function (or httpx installed: "
                    "pip install maskinporten[httpx])"
                ) from None
            send = async_send()
        self._send: AsyncSend = send
        if sleep is None:
            sleep = asyncio.sleep
        self._sleep: Callable[[float], Awaitable[None]] = sleep

    async def token(self) -> AccessToken:
        """A valid token: cached (one native call), or fetched now by the token flow."""
        clock = self._clock
        token = self._fresh(self._source, None if clock is None else clock())
        if token is not None:
            if log.isEnabledFor(_DEBUG):
                forward(self._flow)
            return token
        return await self._fetch()

    async def _fetch(self) -> AccessToken:
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
                    self._reported(await self._exchange(call, step))
                elif kind == "sleep":
                    await self._sleep(self._remaining(step.until_ms))
                elif kind == "wait":
                    await self._notifier.wait_async(step.generation or 0, self._remaining(step.until_ms))
                elif kind == "sign":
                    self._reported(await self._sign(call, step))
                else:
                    error = step.error
                    assert error is not None
                    raise error
        finally:
            self._ended(call)

    async def _exchange(self, call: TokenCall, step: TokenStep) -> bool:
        request = step.request
        assert request is not None
        timeout = self._remaining(step.timeout_at_ms)
        try:
            # The flow's timeout, enforced whatever the send function does with it.
            answer = await asyncio.wait_for(self._send(request, timeout), timeout)
        except Exception as exc:
            return self._report_failure(call, exc)
        return self._report_answer(call, answer)

    async def _sign(self, call: TokenCall, step: TokenStep) -> bool:
        grant = step.grant
        assert grant is not None and self._signer is not None
        try:
            signature = self._signer(grant)
            if inspect.isawaitable(signature):
                signature = await signature
        except Exception as exc:
            return call.handle_signer_failure(f"{type(exc).__name__}: {exc}", self._now())
        return call.handle_signature(_signature(signature), self._now())

    def __repr__(self) -> str:
        return f"AsyncTokenProvider(source={self._source!r})"
