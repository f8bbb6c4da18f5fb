"""What every HTTP adapter shares: the shape of an answer, the send functions' types, and
naming why there was no answer at all (the core's transport-failure kinds).

A ``send`` function takes the request and a timeout in seconds (the token flow's, never a
default of this package) and returns an ``HttpResponse``; when there is no HTTP answer it
raises ``TransportError`` (or the HTTP library's own exception, which ``failure_of`` names).
"""

from __future__ import annotations

from typing import Awaitable, Callable, Iterator, NamedTuple, Optional, Tuple

from ._native import HttpRequest

__all__ = ["AsyncSend", "HttpResponse", "Send", "TransportError", "failure_of"]


class HttpResponse(NamedTuple):
    """An HTTP answer as the flows read it: the status, the body, and the two headers they use
    (``Content-Type`` tells an HTML error page from JSON; ``Retry-After`` may set the pause
    before a retry). A plain tuple ``(status, body, content_type, retry_after)`` works too."""

    status: int
    body: bytes
    content_type: Optional[str] = None
    retry_after: Optional[str] = None


#: Sends a request within ``timeout`` seconds; returns the answer, raises ``TransportError``.
Send = Callable[[HttpRequest, float], HttpResponse]
#: The async form of ``Send``.
AsyncSend = Callable[[HttpRequest, float], Awaitable[HttpResponse]]

FAILURES = ("timeout", "connect", "reset", "tls", "other")


class TransportError(Exception):
    """No HTTP answer: raise it from your own ``send`` function. ``failure`` is ``"timeout"``,
    ``"connect"`` (refused, unreachable, DNS), ``"reset"`` (the connection broke), ``"tls"`` or
    ``"other"``; ``detail`` is a short description without secrets. The providers report it to
    the token flow, which decides whether to retry."""

    def __init__(self, failure: str, detail: str = "") -> None:
        if failure not in FAILURES:
            raise TypeError(f"failure: {failure!r} is not one of {', '.join(FAILURES)}")
        super().__init__(f"{failure}: {detail}" if detail else failure)
        self.failure = failure
        self.detail = detail


# Exception classes by name, so httpx, requests and urllib3 are never imported to classify
# their errors. An exception's kind is that of the most specific class of its MRO named here;
# over a chain of wrapped exceptions, TLS anywhere wins, then the innermost timeout, reset or
# connect (the library's outer wrapper is often generic, or misleading: urllib3's
# NewConnectionError derives from ConnectTimeoutError).
_TLS = frozenset({"SSLError", "CertificateError", "SSLCertVerificationError"})
_NAMES = {
    **dict.fromkeys(
        ("TimeoutError", "timeout", "TimeoutException", "Timeout", "ConnectTimeout", "ReadTimeoutError", "ConnectTimeoutError"),
        "timeout",
    ),
    **dict.fromkeys(
        (
            "ConnectionResetError",
            "ConnectionAbortedError",
            "BrokenPipeError",
            "RemoteDisconnected",
            "IncompleteRead",
            "RemoteProtocolError",
            "ReadError",
            "WriteError",
            "ProtocolError",
            "ChunkedEncodingError",
        ),
        "reset",
    ),
    **dict.fromkeys(
        ("ConnectionRefusedError", "gaierror", "ConnectError", "NewConnectionError", "NameResolutionError", "ConnectionError"),
        "connect",
    ),
    **dict.fromkeys(("TransportError", "RequestError", "RequestException", "URLError", "HTTPException", "OSError"), "other"),
}


def _kind(exc: BaseException) -> Optional[str]:
    for cls in type(exc).__mro__:
        kind = _NAMES.get(cls.__name__)
        if kind is not None:
            return kind
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it wraps (causes, contexts, ``reason``, exception ``args``)."""
    seen: set[int] = set()
    todo = [exc]
    while todo and len(seen) < 16:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args):
            if isinstance(inner, BaseException):
                todo.append(inner)


def failure_of(exc: BaseException) -> Optional[Tuple[str, str]]:
    """``(failure, detail)`` when ``exc`` means there was no HTTP answer, else ``None`` (the
    exception is then not a transport failure and propagates)."""
    if isinstance(exc, TransportError):
        return exc.failure, exc.detail
    chain = list(_chain(exc))
    if any(cls.__name__ in _TLS for e in chain for cls in type(e).__mro__):
        return "tls", _detail(exc)
    kinds = [kind for kind in map(_kind, chain) if kind is not None]
    if not kinds:
        return None
    specific = [kind for kind in kinds if kind != "other"]
    return (specific[-1] if specific else "other"), _detail(exc)


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]
