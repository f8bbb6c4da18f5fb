"""Token providers: drive the core's ``TokenCache`` with a host-supplied transport.

The cache decides (hit, fetch, wait); this module only moves bytes and wakes waiters. Per cache
key, one caller fetches at a time while the others keep the still-valid token or wait for a
notification, so N threads or tasks asking at once cause one token request.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from typing import (
    Any,
    Awaitable,
    Callable,
    Generator,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from ._native import (
    AccessToken,
    AuthorizationDetail,
    CacheKey,
    Client,
    HttpRequest,
    MaskinportenError,
    TokenCache,
)

__all__ = ["AsyncTokenProvider", "TokenProvider", "Response", "Send", "AsyncSend"]

_log = logging.getLogger("maskinporten")

#: ``(status, body, content_type)`` of an HTTP answer.
Response = Tuple[int, bytes, Optional[str]]
#: Sends a request, returns the answer; raises ``UnavailableError`` when there is no answer.
Send = Callable[[HttpRequest], Response]
#: The async form of ``Send``.
AsyncSend = Callable[[HttpRequest], Awaitable[Response]]

AuthorizationDetails = Union[str, Sequence[Union[AuthorizationDetail, "dict[str, Any]", str]]]


class _Wait:
    """Yielded by a token flow: another caller is fetching; wait for it, then look up again."""

    __slots__ = ("generation", "until")

    def __init__(self, generation: int, until: int) -> None:
        self.generation = generation
        self.until = until


class _Notifier:
    """Wakes callers waiting on one ``TokenCache`` when a fetch ends (threads and event loops)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._async_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.generation = 0

    def notify(self) -> None:
        with self._condition:
            self.generation += 1
            self._condition.notify_all()
            waiters = list(self._async_waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed
                pass

    @staticmethod
    def _timeout(until: int) -> float:
        return max(0.01, until - time.time())

    def wait(self, wait: _Wait) -> None:
        deadline = time.monotonic() + self._timeout(wait.until)
        with self._condition:
            while self.generation == wait.generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._condition.wait(remaining)

    async def wait_async(self, wait: _Wait) -> None:
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._condition:
            if self.generation != wait.generation:
                return
            self._async_waiters.add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), self._timeout(wait.until))
        except asyncio.TimeoutError:
            pass
        finally:
            with self._condition:
                self._async_waiters.discard(entry)


_notifiers: "weakref.WeakKeyDictionary[TokenCache, _Notifier]" = weakref.WeakKeyDictionary()
_notifiers_lock = threading.Lock()


def _notifier(cache: TokenCache) -> _Notifier:
    with _notifiers_lock:
        notifier = _notifiers.get(cache)
        if notifier is None:
            notifier = _notifiers[cache] = _Notifier()
        return notifier


class _TokenSource:
    """One grant (client + options) bound to a cache: the shared logic of every integration."""

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
        cache: Optional[TokenCache] = None,
    ) -> None:
        self.client = client
        self._options: dict[str, Any] = {
            "resource": resource,
            "consumer_org": consumer_org,
            "iss_onbehalfof": iss_onbehalfof,
            "pid": pid,
            "authorization_details": authorization_details,
        }
        self._scopes = scopes
        # Validates the options once, up front: a bad consumer_org fails here, not per request.
        client.prepare_grant(scopes, **self._options)
        self.cache_key: CacheKey = client.cache_key(scopes, **self._options)
        self.cache: TokenCache = cache if cache is not None else TokenCache()
        self._notifier = _notifier(self.cache)

    def invalidate(self, rejected_access_token: Optional[str] = None) -> None:
        """Forgets the cached token (after the API answered 401), so the next call fetches.

        With ``rejected_access_token`` only that token is dropped: callers that saw the same
        401 after another caller refreshed keep the new token."""
        if rejected_access_token is None:
            self.cache.invalidate(self.cache_key)
        else:
            self.cache.invalidate_token(self.cache_key, rejected_access_token)

    def flow(self) -> Generator[Union[HttpRequest, _Wait], Optional[Response], AccessToken]:
        """Yields the token request (send back the answer) or a ``_Wait``; returns the token."""
        while True:
            generation = self._notifier.generation
            lookup = self.cache.lookup(self.cache_key)
            if lookup.action == "hit":
                token = lookup.token
                assert token is not None
                return token
            if lookup.action == "wait":
                yield _Wait(generation, lookup.until or 0)
                continue
            ticket = lookup.ticket
            assert ticket is not None
            try:
                answer = yield self.client.token_request(self._scopes, **self._options)
                assert answer is not None
                status, body, content_type = answer
                token = self.client.parse_token_response(status, body, content_type)
            except BaseException as exc:
                self.cache.fail(ticket)
                self._notifier.notify()
                if lookup.token is not None and isinstance(exc, MaskinportenError) and exc.retryable:
                    _log.warning("maskinporten: token refresh failed (%s); using the still-valid token", exc.kind)
                    return lookup.token
                raise
            self.cache.complete(ticket, token)
            self._notifier.notify()
            return token

    def run(self, send: Send) -> AccessToken:
        flow = self.flow()
        try:
            item: Union[HttpRequest, _Wait] = next(flow)
            while True:
                if isinstance(item, _Wait):
                    self._notifier.wait(item)
                    item = flow.send(None)
                    continue
                try:
                    answer = send(item)
                except BaseException as exc:
                    item = flow.throw(exc)
                    continue
                item = flow.send(answer)
        except StopIteration as stop:
            token: AccessToken = stop.value
            return token
        finally:
            flow.close()

    async def run_async(self, send: AsyncSend) -> AccessToken:
        flow = self.flow()
        try:
            item: Union[HttpRequest, _Wait] = next(flow)
            while True:
                if isinstance(item, _Wait):
                    await self._notifier.wait_async(item)
                    item = flow.send(None)
                    continue
                try:
                    answer = await send(item)
                except BaseException as exc:
                    item = flow.throw(exc)
                    continue
                item = flow.send(answer)
        except StopIteration as stop:
            token: AccessToken = stop.value
            return token
        finally:
            flow.close()

    async def wait_async(self, wait: _Wait) -> None:
        await self._notifier.wait_async(wait)

    def wait(self, wait: _Wait) -> None:
        self._notifier.wait(wait)


class TokenProvider:
    """Fetches, caches and refreshes the token for one grant; safe to share between threads.

    ``send`` moves a request to the server and returns ``(status, body, content_type)``; it
    defaults to the standard library (``maskinporten.urllib_send``). Many threads asking at once
    cause one token request. Share a ``TokenCache`` between providers to share tokens.

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
        cache: Optional[TokenCache] = None,
        send: Optional[Send] = None,
        timeout: float = 10.0,
    ) -> None:
        self._source = _TokenSource(
            client,
            scopes,
            resource=resource,
            consumer_org=consumer_org,
            iss_onbehalfof=iss_onbehalfof,
            pid=pid,
            authorization_details=authorization_details,
            cache=cache,
        )
        if send is None:
            from ._urllib import urllib_send

            def send(request: HttpRequest) -> Response:
                return urllib_send(request, timeout=timeout)

        self._send: Send = send

    @property
    def cache(self) -> TokenCache:
        """The token cache."""
        return self._source.cache

    @property
    def cache_key(self) -> CacheKey:
        """The cache key of this grant."""
        return self._source.cache_key

    def token(self) -> AccessToken:
        """A valid token: cached, or fetched now (one fetch at a time per cache key)."""
        return self._source.run(self._send)

    def invalidate(self) -> None:
        """Forgets the cached token (for example after the API answered 401)."""
        self._source.invalidate()

    def __repr__(self) -> str:
        return f"TokenProvider(client={self._source.client!r}, cache_key={self.cache_key!r})"


class AsyncTokenProvider:
    """The asyncio form of ``TokenProvider``: ``await provider.token()``. ``send`` is an async
    function ``(HttpRequest) -> (status, body, content_type)``. Many tasks asking at once cause
    one token request."""

    def __init__(
        self,
        client: Client,
        scopes: Union[str, Sequence[str]],
        *,
        send: AsyncSend,
        resource: Union[str, Sequence[str], None] = None,
        consumer_org: Optional[str] = None,
        iss_onbehalfof: Optional[str] = None,
        pid: Optional[str] = None,
        authorization_details: Optional[AuthorizationDetails] = None,
        cache: Optional[TokenCache] = None,
    ) -> None:
        self._source = _TokenSource(
            client,
            scopes,
            resource=resource,
            consumer_org=consumer_org,
            iss_onbehalfof=iss_onbehalfof,
            pid=pid,
            authorization_details=authorization_details,
            cache=cache,
        )
        self._send = send

    @property
    def cache(self) -> TokenCache:
        """The token cache."""
        return self._source.cache

    @property
    def cache_key(self) -> CacheKey:
        """The cache key of this grant."""
        return self._source.cache_key

    async def token(self) -> AccessToken:
        """A valid token: cached, or fetched now (one fetch at a time per cache key)."""
        return await self._source.run_async(self._send)

    def invalidate(self) -> None:
        """Forgets the cached token (for example after the API answered 401)."""
        self._source.invalidate()

    def __repr__(self) -> str:
        return f"AsyncTokenProvider(client={self._source.client!r}, cache_key={self.cache_key!r})"
