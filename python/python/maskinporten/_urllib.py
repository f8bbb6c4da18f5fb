"""The standard-library transport: ``urllib_send`` and ``fetch_token`` for users with no HTTP
library."""

from __future__ import annotations

import http.client
import socket
import urllib.error
import urllib.request
from typing import Any, Optional, Sequence, Union

from ._native import AccessToken, Client, HttpRequest, transport_error
from ._provider import AuthorizationDetails, Response

__all__ = ["fetch_token", "urllib_send"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The token endpoint does not redirect; a redirect is answered as is (and then reported as a
    malformed response) instead of silently turning the POST into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def urllib_send(request: HttpRequest, timeout: float = 10.0) -> Response:
    """Sends ``request`` with ``urllib`` and returns ``(status, body, content_type)``. An HTTP
    error status is an answer, returned as is; no answer at all (refused, reset, timeout) raises
    ``UnavailableError``."""
    data = request.body_bytes if request.method != "GET" else None
    req = urllib.request.Request(request.url, data=data, headers=request.headers, method=request.method)
    try:
        with _opener.open(req, timeout=timeout) as response:
            return response.status, response.read(), response.headers.get("Content-Type")
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code, answer.read(), answer.headers.get("Content-Type")
    except (urllib.error.URLError, http.client.HTTPException, socket.timeout, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        raise transport_error(f"no answer from {request.url}: {reason}") from None


def fetch_token(
    client: Client,
    scopes: Union[str, Sequence[str]],
    *,
    resource: Union[str, Sequence[str], None] = None,
    consumer_org: Optional[str] = None,
    iss_onbehalfof: Optional[str] = None,
    pid: Optional[str] = None,
    authorization_details: Optional[AuthorizationDetails] = None,
    timeout: float = 10.0,
) -> AccessToken:
    """Fetches one token with the standard library (no caching; use ``TokenProvider`` to cache).

        token = maskinporten.fetch_token(client, ["test:scope.read"])
        urllib.request.Request(url, headers={"Authorization": f"Bearer {token.access_token}"})
    """
    request = client.token_request(
        scopes,
        resource=resource,
        consumer_org=consumer_org,
        iss_onbehalfof=iss_onbehalfof,
        pid=pid,
        authorization_details=authorization_details,
    )
    status, body, content_type = urllib_send(request, timeout=timeout)
    return client.parse_token_response(status, body, content_type)
