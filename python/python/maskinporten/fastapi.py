"""FastAPI integration for API providers: a dependency that reads the bearer token, validates
it with a ``TokenValidator`` and gives the route the ``ValidatedToken``.

    from fastapi import Depends, FastAPI
    from maskinporten import TokenValidator, ValidatedToken
    from maskinporten.fastapi import install, require_token

    validator = TokenValidator("prod")
    app = FastAPI()
    install(app)   # refusals answered with the core's exact RFC 6750 body

    @app.get("/resource")
    def resource(token: ValidatedToken = Depends(require_token(validator, "my:scope"))) -> dict:
        return {"consumer": token.consumer.org_number}

A refusal is the core's ``Rejection`` (status, ``WWW-Authenticate``, JSON body, ``Retry-After``,
``Cache-Control: no-store``), raised as ``Rejected`` (an ``HTTPException``). With ``install(app)``
the answer is exactly the core's; without it FastAPI's own handler sends the same status and
headers with the body under ``"detail"``. Install with ``pip install maskinporten[fastapi]``.
"""

from __future__ import annotations

import json
from typing import Callable, Literal, Optional, Sequence, Union

from fastapi import FastAPI, HTTPException, Request, Response

from ._args import check_type
from ._native import MaskinportenError, Rejection, Requirements, ValidatedToken, bearer_token
from ._validator import TokenValidator, requirements_of

__all__ = ["Rejected", "install", "rejection_handler", "require_token"]


class Rejected(HTTPException):
    """A refused request; ``rejection`` is the core's answer."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.status, detail=json.loads(rejection.body), headers=rejection.headers)
        self.rejection = rejection


async def rejection_handler(request: Request, exc: Exception) -> Response:
    """Answers a ``Rejected`` with the core's status, headers and body, nothing else."""
    assert isinstance(exc, Rejected)
    rejection = exc.rejection
    return Response(rejection.body, status_code=rejection.status, headers=rejection.headers)


def install(app: FastAPI) -> None:
    """Registers ``rejection_handler`` for ``Rejected`` on ``app``."""
    app.add_exception_handler(Rejected, rejection_handler)


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
) -> Callable[[Request], ValidatedToken]:
    """A dependency (use with ``Depends``) requiring a valid token with these requirements
    (checked now: name a scope or an audience, or ``any_scope_unchecked=True``). A plain ``def``:
    FastAPI runs it in its thread pool, and validation releases the GIL."""
    check_type("validator", validator, TokenValidator, "a maskinporten.TokenValidator")
    wanted = requirements_of(requirements, scopes, scope_match, audience, require_pid, consumer_orgs, any_scope_unchecked)

    def maskinporten_token(request: Request) -> ValidatedToken:
        try:
            return validator.validate(bearer_token(request.headers.get("authorization")), wanted)
        except MaskinportenError as error:
            raise Rejected(validator.rejection(error, wanted)) from None

    return maskinporten_token
