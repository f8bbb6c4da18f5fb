"""Flask integration for API providers: a decorator that reads the bearer token, validates it
with a ``TokenValidator`` and stores the ``ValidatedToken`` in ``flask.g.maskinporten_token``.

    from flask import Flask
    from maskinporten import TokenValidator
    from maskinporten.flask import current_token, require_token

    validator = TokenValidator("prod")
    app = Flask(__name__)

    @app.get("/resource")
    @require_token(validator, "my:scope")
    def resource() -> dict:
        return {"consumer": current_token().consumer.org_number}

A refusal is answered with the core's ``Rejection`` as is: status, ``WWW-Authenticate``, JSON
body, ``Retry-After``, ``Cache-Control: no-store`` (RFC 6750). Install with
``pip install maskinporten[flask]``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Literal, Optional, Sequence, TypeVar, Union, cast

import flask

from ._args import check_type
from ._native import MaskinportenError, Requirements, ValidatedToken, bearer_token
from ._validator import TokenValidator, requirements_of

__all__ = ["current_token", "require_token"]

F = TypeVar("F", bound=Callable[..., Any])


def require_token(
    validator: TokenValidator,
    scopes: Union[str, Sequence[str], None] = None,
    *,
    scope_match: Literal["any", "all"] = "any",
    audience: Optional[str] = None,
    require_pid: bool = False,
    consumer_orgs: Optional[Sequence[str]] = None,
    any_scope_unchecked: bool = False,
    requirements: Optional[Requirements] = None,
) -> Callable[[F], F]:
    """A view decorator requiring a valid token with these requirements (checked now: name a
    scope or an audience, or ``any_scope_unchecked=True``)."""
    check_type("validator", validator, TokenValidator, "a maskinporten.TokenValidator")
    wanted = requirements_of(requirements, scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                token = bearer_token(flask.request.headers.get("Authorization"))
                flask.g.maskinporten_token = validator.validate(token, wanted)
            except MaskinportenError as error:
                rejection = validator.rejection(error, wanted)
                return flask.Response(rejection.body, status=rejection.status, headers=rejection.headers)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def current_token() -> ValidatedToken:
    """The token validated for this request (inside a view decorated with ``require_token``)."""
    token: ValidatedToken = flask.g.maskinporten_token
    return token
