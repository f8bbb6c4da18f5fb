"""``httpx`` integration: ``MaskinportenAuth``, an ``httpx.Auth`` for sync and async clients.

    import httpx, maskinporten
    from maskinporten.httpx import MaskinportenAuth

    auth = MaskinportenAuth(client, ["test:scope.read"])
    with httpx.Client(auth=auth) as http:
        http.get("https://api.example.no/resource")

The token request goes through the same httpx client (its transport, proxies and TLS settings),
as part of the auth flow. The token is cached and refreshed ahead of expiry; many threads or
tasks asking at once cause one token request; a 401 from the API drops the token and the request
is retried once with a new one. Install with ``pip install maskinporten[httpx]``.
"""

from __future__ import annotations

from typing import AsyncGenerator, Generator, Optional, Sequence, Union

import httpx

from ._native import AccessToken, CacheKey, Client, HttpRequest, TokenCache
from ._provider import AuthorizationDetails, _TokenSource, _Wait

__all__ = ["MaskinportenAuth"]


def _to_httpx(request: HttpRequest) -> httpx.Request:
    return httpx.Request(request.method, request.url, headers=request.headers, content=request.body_bytes)


class MaskinportenAuth(httpx.Auth):
    """Sets ``Authorization: Bearer <token>`` on every request, fetching and caching the
    Maskinporten token for ``client`` and ``scopes`` (and the optional grant arguments). Pass a
    shared ``cache`` to share tokens between several auth objects."""

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

    @property
    def cache(self) -> TokenCache:
        """The token cache."""
        return self._source.cache

    @property
    def cache_key(self) -> CacheKey:
        """The cache key of this grant."""
        return self._source.cache_key

    def invalidate(self) -> None:
        """Forgets the cached token; the next request fetches a new one."""
        self._source.invalidate()

    def _token(self) -> Generator[httpx.Request, httpx.Response, AccessToken]:
        flow = self._source.flow()
        try:
            item = next(flow)
            while True:
                if isinstance(item, _Wait):
                    self._source.wait(item)
                    item = flow.send(None)
                    continue
                response = yield _to_httpx(item)
                response.read()
                item = flow.send((response.status_code, response.content, response.headers.get("content-type")))
        except StopIteration as stop:
            token: AccessToken = stop.value
            return token
        finally:
            flow.close()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self._token()
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code == 401:
            self._source.invalidate(token.access_token)
            token = yield from self._token()
            request.headers["Authorization"] = f"Bearer {token.access_token}"
            yield request


    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        for attempt in (0, 1):
            flow = self._source.flow()
            try:
                item = next(flow)
                while True:
                    if isinstance(item, _Wait):
                        await self._source.wait_async(item)
                        item = flow.send(None)
                        continue
                    response = yield _to_httpx(item)
                    await response.aread()
                    item = flow.send((response.status_code, response.content, response.headers.get("content-type")))
            except StopIteration as stop:
                token: AccessToken = stop.value
            finally:
                flow.close()
            request.headers["Authorization"] = f"Bearer {token.access_token}"
            response = yield request
            if response.status_code != 401 or attempt == 1:
                return
            self._source.invalidate(token.access_token)

    def __repr__(self) -> str:
        return f"MaskinportenAuth(client={self._source.client!r}, cache_key={self.cache_key!r})"
