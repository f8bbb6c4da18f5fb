"""``httpx`` integration: ``MaskinportenAuth``, an ``httpx.Auth`` for sync and async clients,
and the httpx send functions the providers take.

    import httpx, maskinporten
    from maskinporten.httpx import MaskinportenAuth

    auth = MaskinportenAuth(client, ["test:scope.read"])
    with httpx.Client(auth=auth) as http:
        http.get("https://api.example.no/resource")

Tokens come from the core's token flow (``TokenProvider`` for sync clients,
``AsyncTokenProvider`` for async ones, sharing one ``TokenFlow``): cached, refreshed ahead of
expiry, retried as the flow decides, one token request for many concurrent callers. Token
requests go through their own httpx client (``token_client`` / ``async_token_client`` to set
proxies or TLS), because an auth flow cannot report a transport failure back to the flow. A
401 from the API drops that token (``reject``) and the request is sent once more with a new
token. Install with ``pip install maskinporten[httpx]``.
"""

from __future__ import annotations

from typing import Any, AsyncGenerator, Generator, Optional, Sequence, Union

import httpx

from ._args import check_type
from ._native import AltinnExchange, Client, HttpRequest, TokenFlow
from ._async_provider import AsyncTokenProvider
from ._provider import AuthorizationDetails, TokenProvider
from ._transport import AsyncSend, HttpResponse, Send, TransportError, failure_of

__all__ = ["MaskinportenAuth", "async_send", "send"]


def _answer(response: httpx.Response) -> HttpResponse:
    headers = response.headers
    return HttpResponse(response.status_code, response.content, headers.get("content-type"), headers.get("retry-after"))


def _no_answer(request: HttpRequest, exc: Exception) -> Exception:
    failure = failure_of(exc)
    return exc if failure is None else TransportError(failure[0], failure[1])


def send(http: Optional[httpx.Client] = None) -> Send:
    """A send function over ``http`` (default: one ``httpx.Client`` made for it), mapping httpx's
    exceptions to transport failures (timeouts, connection errors, resets, TLS)."""
    if http is not None:
        check_type("http", http, httpx.Client, "an httpx.Client")
    client = http if http is not None else httpx.Client(follow_redirects=False)

    def httpx_send(request: HttpRequest, timeout: float) -> HttpResponse:
        try:
            response = client.request(
                request.method, request.url, headers=request.headers, content=request.body_bytes, timeout=timeout
            )
            return _answer(response)
        except httpx.TransportError as exc:
            raise _no_answer(request, exc) from None

    return httpx_send


def async_send(http: Optional[httpx.AsyncClient] = None) -> AsyncSend:
    """An async send function over ``http``; by default each request uses a short-lived
    ``httpx.AsyncClient``, so the function works from any event loop."""
    if http is not None:
        check_type("http", http, httpx.AsyncClient, "an httpx.AsyncClient")

    async def httpx_async_send(request: HttpRequest, timeout: float) -> HttpResponse:
        try:
            if http is not None:
                return await _exchange(http, request, timeout)
            async with httpx.AsyncClient(follow_redirects=False) as own:
                return await _exchange(own, request, timeout)
        except httpx.TransportError as exc:
            raise _no_answer(request, exc) from None

    return httpx_async_send


async def _exchange(http: httpx.AsyncClient, request: HttpRequest, timeout: float) -> HttpResponse:
    response = await http.request(
        request.method, request.url, headers=request.headers, content=request.body_bytes, timeout=timeout
    )
    return _answer(response)


class MaskinportenAuth(httpx.Auth):
    """Sets ``Authorization: Bearer <token>`` on every request, with the Maskinporten token for
    ``client`` and ``scopes`` (and the optional grant arguments; with ``altinn``, the Altinn
    token it is exchanged for). Token-flow settings
    (``max_attempts``, ``attempt_timeout_ms``, ``deadline_ms``, ...) or a shared ``flow`` as for
    ``TokenProvider``."""

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
        token_client: Optional[httpx.Client] = None,
        async_token_client: Optional[httpx.AsyncClient] = None,
        max_attempts: Optional[int] = None,
        initial_backoff_ms: Optional[int] = None,
        max_backoff_ms: Optional[int] = None,
        attempt_timeout_ms: Optional[int] = None,
        deadline_ms: Optional[int] = None,
        refresh_skew: Optional[int] = None,
    ) -> None:
        if flow is None:
            flow = TokenFlow(
                max_attempts=max_attempts,
                initial_backoff_ms=initial_backoff_ms,
                max_backoff_ms=max_backoff_ms,
                attempt_timeout_ms=attempt_timeout_ms,
                deadline_ms=deadline_ms,
                refresh_skew=refresh_skew,
            )
        else:
            check_type("flow", flow, TokenFlow, "a maskinporten.TokenFlow")
            settings = (max_attempts, initial_backoff_ms, max_backoff_ms, attempt_timeout_ms, deadline_ms, refresh_skew)
            if any(value is not None for value in settings):
                raise TypeError("flow: give the settings to the shared TokenFlow(...), not to MaskinportenAuth")
        grant: dict[str, Any] = dict(
            resource=resource,
            consumer_org=consumer_org,
            iss_onbehalfof=iss_onbehalfof,
            pid=pid,
            authorization_details=authorization_details,
            altinn=altinn,
        )
        self._token_client = token_client
        self._sync: Optional[TokenProvider] = None
        self.provider = AsyncTokenProvider(client, scopes, **grant, flow=flow, send=async_send(async_token_client))
        self._grant = grant
        self._client = client
        self._scopes = scopes

    def _sync_provider(self) -> TokenProvider:
        # Made on first sync use: it owns an httpx.Client, which async-only users never need.
        if self._sync is None:
            self._sync = TokenProvider(
                self._client, self._scopes, **self._grant, flow=self.provider.flow, send=send(self._token_client)
            )
        return self._sync

    @property
    def flow(self) -> TokenFlow:
        """The token flow (shared by the sync and async paths)."""
        return self.provider.flow

    def reject(self, rejected_access_token: str) -> bool:
        """Reports that an API answered 401 to this token (see ``TokenProvider.reject``)."""
        return self.provider.reject(rejected_access_token)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        provider = self._sync_provider()
        token = provider.token()
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code == 401:
            provider.reject(token.access_token)
            request.headers["Authorization"] = f"Bearer {provider.token().access_token}"
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.provider.token()
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code == 401:
            self.provider.reject(token.access_token)
            request.headers["Authorization"] = f"Bearer {(await self.provider.token()).access_token}"
            yield request

    def __repr__(self) -> str:
        return f"MaskinportenAuth(source={self.provider.source!r})"
