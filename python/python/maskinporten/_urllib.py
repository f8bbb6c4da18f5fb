"""The standard-library transport: ``urllib_send`` and ``fetch_token`` for users with no HTTP
library."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any, Optional, Sequence, Union

from ._native import AccessToken, AltinnExchange, Client, HttpRequest
from ._provider import AuthorizationDetails, TokenProvider
from ._transport import HttpResponse, Send, TransportError, failure_of

__all__ = ["fetch_token", "urllib_send"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The token endpoint does not redirect; a redirect is answered as is (and then reported as a
    malformed response) instead of silently turning the POST into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def urllib_send(request: HttpRequest, timeout: float) -> HttpResponse:
    """Sends ``request`` with ``urllib`` within ``timeout`` seconds (per socket operation) and
    returns the answer with its ``Content-Type`` and ``Retry-After``. An HTTP error status is an
    answer, returned as is; no answer at all raises ``TransportError`` (``timeout``, ``connect``,
    ``reset``, ``tls`` or ``other``)."""
    data = request.body_bytes if request.method != "GET" else None
    req = urllib.request.Request(request.url, data=data, headers=request.headers, method=request.method)
    try:
        return _exchange(req, max(timeout, 0.001))
    except Exception as exc:
        failure = failure_of(exc)
        if failure is None:
            raise
        raise TransportError(failure[0], failure[1]) from None


def _exchange(req: urllib.request.Request, timeout: float) -> HttpResponse:
    try:
        with _opener.open(req, timeout=timeout) as response:
            body = response.read()
            return HttpResponse(response.status, body, response.headers.get("Content-Type"), response.headers.get("Retry-After"))
    except urllib.error.HTTPError as answer:
        with answer:
            body = answer.read()
            return HttpResponse(answer.code, body, answer.headers.get("Content-Type"), answer.headers.get("Retry-After"))


def fetch_token(
    client: Client,
    scopes: Union[str, Sequence[str]],
    *,
    resource: Union[str, Sequence[str], None] = None,
    consumer_org: Optional[str] = None,
    iss_onbehalfof: Optional[str] = None,
    pid: Optional[str] = None,
    authorization_details: Optional[AuthorizationDetails] = None,
    altinn: Optional[AltinnExchange] = None,
    send: Optional[Send] = None,
) -> AccessToken:
    """Fetches one token (no caching; use ``TokenProvider`` to cache; with ``altinn``, the
    Altinn token it is exchanged for), through the same token
    flow as the providers: retries, ``Retry-After``, timeouts. ``send`` defaults to the standard
    library.

        token = maskinporten.fetch_token(client, ["test:scope.read"])
        urllib.request.Request(url, headers={"Authorization": f"Bearer {token.access_token}"})
    """
    provider = TokenProvider(
        client,
        scopes,
        resource=resource,
        consumer_org=consumer_org,
        iss_onbehalfof=iss_onbehalfof,
        pid=pid,
        authorization_details=authorization_details,
        altinn=altinn,
        send=send,
    )
    return provider.token()
