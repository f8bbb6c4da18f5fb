"""An API that accepts Maskinporten tokens, with FastAPI.

    MASKINPORTEN_ENV=prod uvicorn fastapi_provider:app
"""

from __future__ import annotations

import os

from fastapi import Depends, FastAPI

import maskinporten
from maskinporten.fastapi import install, require_token

validator = maskinporten.TokenValidator(os.environ["MASKINPORTEN_ENV"])  # "test" or "prod": no default
app = FastAPI()
install(app)  # refusals get the core's RFC 6750 answer as is


@app.get("/reports")
def reports(
    token: maskinporten.ValidatedToken = Depends(require_token(validator, "test:scope.read")),
) -> dict[str, object]:
    # Authorize on the consumer (and the scope), never on client_id.
    return {
        "consumer": token.consumer.org_number,
        "supplier": token.supplier.org_number if token.supplier else None,
        "system_users": [
            a.org.org_number for a in token.authorization_details if a.type == "urn:altinn:systemuser" and a.org
        ],
    }
