"""Flask integration for API providers: a decorator that validates the Maskinporten bearer
token and stores the ``ValidatedToken`` in ``flask.g.maskinporten_token``.

    from flask import Flask
    from maskinporten import TokenVerifier
    from maskinporten.flask import current_token, require_token

    verifier = TokenVerifier("prod")
    app = Flask(__name__)

    @app.get("/resource")
    @require_token(verifier, "my:scope")
    def resource() -> dict:
        return {"consumer": current_token().consumer.org_number}

Refusals are JSON answers with 401 (no or bad token), 403 (missing scope, consumer not served)
or 503 (issuer keys unavailable), and a ``WWW-Authenticate`` header (RFC 6750). Install with
``pip install maskinporten[flask]``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Literal, Optional, Sequence, TypeVar, Union, cast

import flask

from ._native import ValidatedToken
from ._verifier import Rejection, TokenVerifier, authenticate

__all__ = ["current_token", "require_token"]

F = TypeVar("F", bound=Callable[..., Any])


def require_token(
    verifier: TokenVerifier,
    scopes: Union[str, Sequence[str], None] = None,
    *,
    scope_match: Literal["any", "all"] = "any",
    audience: Optional[str] = None,
    require_pid: bool = False,
    consumer_orgs: Optional[Sequence[str]] = None,
) -> Callable[[F], F]:
    """A view decorator requiring a valid token with these requirements."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = authenticate(
                verifier,
                flask.request.headers.get("Authorization"),
                scopes=scopes,
                scope_match=scope_match,
                audience=audience,
                require_pid=require_pid,
                consumer_orgs=consumer_orgs,
            )
            if isinstance(result, Rejection):
                return flask.jsonify(result.body), result.status, {"WWW-Authenticate": result.www_authenticate}
            flask.g.maskinporten_token = result
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def current_token() -> ValidatedToken:
    """The token validated for this request (inside a view decorated with ``require_token``)."""
    token: ValidatedToken = flask.g.maskinporten_token
    return token
