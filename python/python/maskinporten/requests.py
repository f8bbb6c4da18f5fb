"""``requests`` integration: ``MaskinportenAuth``, a ``requests.auth.AuthBase``, and the
requests send function the providers take.

    import requests
    from maskinporten.requests import MaskinportenAuth

    session = requests.Session()
    session.auth = MaskinportenAuth(client, ["test:scope.read"])
    session.get("https://api.example.no/resource")

Tokens come from a ``TokenProvider`` (the core's token flow: cached, refreshed ahead of expiry,
retried as the flow decides, one token request for many threads). Token requests go through
their own ``requests.Session`` (or the ``session`` you pass). A 401 from the API drops that token
(``reject``) and the request is sent once more with a new token. Install with
``pip install maskinporten[requests]``.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import requests
import requests.auth

from ._args import check_type
from ._native import AccessToken, AltinnExchange, Client, HttpRequest, TokenFlow
from ._provider import AuthorizationDetails, TokenProvider
from ._transport import HttpResponse, Send, TransportError, failure_of

__all__ = ["MaskinportenAuth", "send"]


def send(session: Optional[requests.Session] = None) -> Send:
    """A send function over ``session`` (default: a new ``requests.Session``), mapping requests'
    exceptions to transport failures (timeouts, connection errors, resets, TLS)."""
    if session is not None:
        check_type("session", session, requests.Session, "a requests.Session")
    http = session if session is not None else requests.Session()

    def requests_send(request: HttpRequest, timeout: float) -> HttpResponse:
        try:
            response = http.request(
                request.method,
                request.url,
                headers=request.headers,
                data=request.body_bytes,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            failure = failure_of(exc)
            if failure is None:
                raise
            raise TransportError(failure[0], failure[1]) from None
        headers = response.headers
        return HttpResponse(response.status_code, response.content, headers.get("Content-Type"), headers.get("Retry-After"))

    return requests_send


class MaskinportenAuth(requests.auth.AuthBase):
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
        session: Optional[requests.Session] = None,
        max_attempts: Optional[int] = None,
        initial_backoff_ms: Optional[int] = None,
        max_backoff_ms: Optional[int] = None,
        attempt_timeout_ms: Optional[int] = None,
        deadline_ms: Optional[int] = None,
        refresh_skew: Optional[int] = None,
    ) -> None:
        self.provider = TokenProvider(
            client,
            scopes,
            resource=resource,
            consumer_org=consumer_org,
            iss_onbehalfof=iss_onbehalfof,
            pid=pid,
            authorization_details=authorization_details,
            altinn=altinn,
            flow=flow,
            send=send(session),
            max_attempts=max_attempts,
            initial_backoff_ms=initial_backoff_ms,
            max_backoff_ms=max_backoff_ms,
            attempt_timeout_ms=attempt_timeout_ms,
            deadline_ms=deadline_ms,
            refresh_skew=refresh_skew,
        )

    @property
    def flow(self) -> TokenFlow:
        """The token flow."""
        return self.provider.flow

    def token(self) -> AccessToken:
        """A valid token (cached, or fetched now)."""
        return self.provider.token()

    def reject(self, rejected_access_token: str) -> bool:
        """Reports that an API answered 401 to this token (see ``TokenProvider.reject``)."""
        return self.provider.reject(rejected_access_token)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.provider.token().access_token}"
        request.register_hook("response", self._resend_on_401)  # type: ignore[no-untyped-call]
        return request

    def _resend_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401 or getattr(response.request, "_maskinporten_resent", False):
            return response
        sent = response.request.headers.get("Authorization", "")
        if sent.startswith("Bearer "):
            self.provider.reject(sent[len("Bearer ") :])
        token = self.provider.token()
        response.content  # read, so the connection can be reused
        response.close()
        again = response.request.copy()
        again.headers["Authorization"] = f"Bearer {token.access_token}"
        setattr(again, "_maskinporten_resent", True)
        new_response: requests.Response = response.connection.send(again, **kwargs)
        new_response.history.append(response)
        new_response.request = again
        return new_response

    def __repr__(self) -> str:
        return f"MaskinportenAuth(source={self.provider.source!r})"
