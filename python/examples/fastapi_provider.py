"""An API that accepts Maskinporten tokens, with FastAPI.

    uvicorn fastapi_provider:app
"""

from __future__ import annotations

import os

from fastapi import Depends, FastAPI

import maskinporten
from maskinporten.fastapi import require_token

verifier = maskinporten.TokenVerifier(os.environ.get("MASKINPORTEN_ENV", "test"))
app = FastAPI()


@app.get("/reports")
def reports(
    token: maskinporten.ValidatedToken = Depends(require_token(verifier, "test:scope.read")),
) -> dict[str, object]:
    # Authorize on the consumer (and the scope), never on client_id.
    return {
        "consumer": token.consumer.org_number,
        "supplier": token.supplier.org_number if token.supplier else None,
        "system_users": [a.org.org_number for a in token.authorization_details if a.type == "system_user" and a.org],
    }
