"""The HTTP clients' exceptions become the core's transport-failure kinds (timeout, connect,
reset, tls, other); anything else is not a transport failure and propagates."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.error
from typing import Optional

import httpx
import pytest
import requests
import urllib3.exceptions

import maskinporten
from maskinporten._transport import failure_of


def wrapped(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


CASES: list[tuple[BaseException, Optional[str]]] = [
    # the standard library (urllib)
    (TimeoutError("timed out"), "timeout"),
    (socket.timeout("timed out"), "timeout"),
    (urllib.error.URLError(ConnectionRefusedError(111, "refused")), "connect"),
    (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")), "connect"),
    (urllib.error.URLError(ssl.SSLCertVerificationError(1, "certificate verify failed")), "tls"),
    (http.client.RemoteDisconnected("Remote end closed connection without response"), "reset"),
    (ConnectionResetError(104, "reset by peer"), "reset"),
    (http.client.IncompleteRead(b"partial"), "reset"),
    (urllib.error.URLError("something odd"), "other"),
    # httpx
    (httpx.ConnectTimeout("connect timeout"), "timeout"),
    (httpx.ReadTimeout("read timeout"), "timeout"),
    (httpx.ConnectError("refused"), "connect"),
    (wrapped(httpx.ConnectError("handshake"), ssl.SSLError(1, "wrong version")), "tls"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), "reset"),
    (httpx.ReadError("reset"), "reset"),
    (httpx.UnsupportedProtocol("ftp"), "other"),
    # requests (urllib3 inside)
    (requests.ConnectTimeout("connect timeout"), "timeout"),
    (requests.ReadTimeout("read timeout"), "timeout"),
    (
        requests.ConnectionError(
            urllib3.exceptions.MaxRetryError(
                None, "/token", urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")  # type: ignore[arg-type]
            )
        ),
        "connect",
    ),
    (
        requests.ConnectionError(
            urllib3.exceptions.ProtocolError("Connection aborted.", http.client.RemoteDisconnected("closed"))
        ),
        "reset",
    ),
    (requests.exceptions.SSLError("certificate verify failed"), "tls"),
    (requests.exceptions.ChunkedEncodingError("broken"), "reset"),
    # not transport failures: they propagate
    (KeyError("bug"), None),
    (ValueError("bad"), None),
    (maskinporten.OAuthError("not a transport error"), None),
]


@pytest.mark.parametrize("exc,kind", CASES, ids=[f"{type(e).__module__}.{type(e).__name__}-{k}" for e, k in CASES])
def test_failure_kinds(exc: BaseException, kind: Optional[str]) -> None:
    failure = failure_of(exc)
    assert (failure[0] if failure else None) == kind
    if failure:
        assert failure[1].startswith(type(exc).__name__) and len(failure[1]) <= 200


def test_transport_error_is_the_explicit_form() -> None:
    assert failure_of(maskinporten.TransportError("tls", "handshake")) == ("tls", "handshake")
    with pytest.raises(TypeError, match="failure"):
        maskinporten.TransportError("broken")


def test_answers_keep_content_type_and_retry_after() -> None:
    answer = maskinporten.HttpResponse(503, b"", "text/html", "Thu, 01 Jan 2026 00:00:03 GMT")
    assert answer.retry_after == "Thu, 01 Jan 2026 00:00:03 GMT" and answer.content_type == "text/html"
    assert maskinporten.HttpResponse(200, b"{}") == (200, b"{}", None, None)
