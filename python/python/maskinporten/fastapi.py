"""FastAPI integration for API providers: a dependency that validates the Maskinporten bearer
token and gives the route the ``ValidatedToken``.

    from fastapi import Depends, FastAPI
    from maskinporten import TokenVerifier, ValidatedToken
    from maskinporten.fastapi import require_token

    verifier = TokenVerifier("prod")
    app = FastAPI()

    @app.get("/resource")
    def resource(token: ValidatedToken = Depends(require_token(verifier, "my:scope"))) -> dict:
        return {"consumer": token.consumer.org_number}

Refusals are ``HTTPException`` with 401 (no or bad token), 403 (missing scope, consumer not
served) or 503 (issuer keys unavailable), and a ``WWW-Authenticate`` header (RFC 6750).
Install with ``pip install maskinporten[fastapi]``.
"""

from __future__ import annotations

from typing import Callable, Literal, Optional, Sequence, Union

from fastapi import HTTPException, Request

from ._native import ValidatedToken
from ._verifier import Rejection, TokenVerifier, authenticate

__all__ = ["require_token"]


def require_token(
    verifier: TokenVerifier,
    scopes: Union[str, Sequence[str], None] = None,
    *,
    scope_match: Literal["any", "all"] = "any",
    audience: Optional[str] = None,
    require_pid: bool = False,
    consumer_orgs: Optional[Sequence[str]] = None,
) -> Callable[[Request], ValidatedToken]:
    """A dependency (use with ``Depends``) requiring a valid token with these requirements. A
    plain ``def``: FastAPI runs it in its thread pool, and validation releases the GIL."""

    def maskinporten_token(request: Request) -> ValidatedToken:
        result = authenticate(
            verifier,
            request.headers.get("authorization"),
            scopes=scopes,
            scope_match=scope_match,
            audience=audience,
            require_pid=require_pid,
            consumer_orgs=consumer_orgs,
        )
        if isinstance(result, Rejection):
            raise HTTPException(result.status, detail=result.body, headers={"WWW-Authenticate": result.www_authenticate})
        return result

    return maskinporten_token
