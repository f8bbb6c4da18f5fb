"""``requests`` integration: ``MaskinportenAuth``, a ``requests.auth.AuthBase``.

    import requests
    from maskinporten.requests import MaskinportenAuth

    session = requests.Session()
    session.auth = MaskinportenAuth(client, ["test:scope.read"])
    session.get("https://api.example.no/resource")

Token requests go through their own ``requests.Session`` (or the ``session`` you pass). The token
is cached and refreshed ahead of expiry; many threads asking at once cause one token request; a
401 from the API drops the token and the request is retried once with a new one. Install with
``pip install maskinporten[requests]``.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import requests
import requests.auth

from ._native import AccessToken, CacheKey, Client, HttpRequest, TokenCache, transport_error
from ._provider import AuthorizationDetails, Response, _TokenSource

__all__ = ["MaskinportenAuth"]


class MaskinportenAuth(requests.auth.AuthBase):
    """Sets ``Authorization: Bearer <token>`` on every request, fetching and caching the
    Maskinporten token for ``client`` and ``scopes`` (and the optional grant arguments).
    ``timeout`` (seconds) bounds each token request."""

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
        session: Optional[requests.Session] = None,
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
        self._session = session if session is not None else requests.Session()
        self._timeout = timeout

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

    def _send(self, request: HttpRequest) -> Response:
        try:
            response = self._session.request(
                request.method,
                request.url,
                headers=request.headers,
                data=request.body_bytes,
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise transport_error(f"no answer from {request.url}: {exc.__class__.__name__}") from None
        return response.status_code, response.content, response.headers.get("Content-Type")

    def token(self) -> AccessToken:
        """A valid token (cached, or fetched now)."""
        return self._source.run(self._send)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token().access_token}"
        request.register_hook("response", self._retry_on_401)  # type: ignore[no-untyped-call]
        return request

    def _retry_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401 or getattr(response.request, "_maskinporten_retried", False):
            return response
        sent = response.request.headers.get("Authorization", "")
        self._source.invalidate(sent[len("Bearer ") :] if sent.startswith("Bearer ") else None)
        token = self.token()
        response.content  # read, so the connection can be reused
        response.close()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {token.access_token}"
        setattr(retry, "_maskinporten_retried", True)
        new_response: requests.Response = response.connection.send(retry, **kwargs)
        new_response.history.append(response)
        new_response.request = retry
        return new_response

    def __repr__(self) -> str:
        return f"MaskinportenAuth(client={self._source.client!r}, cache_key={self.cache_key!r})"
