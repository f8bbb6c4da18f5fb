"""No HTTP library: fetch a token with the standard library and call an API with urllib.

    MASKINPORTEN_CLIENT_ID=... MASKINPORTEN_JWK=key.jwk.json MASKINPORTEN_ENV=test python stdlib_only.py https://api.example.no/
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

import maskinporten


def main(url: str) -> bytes:
    key = maskinporten.Key.from_jwk(Path(os.environ["MASKINPORTEN_JWK"]).read_text())
    client = maskinporten.Client(os.environ["MASKINPORTEN_CLIENT_ID"], key, os.environ["MASKINPORTEN_ENV"])
    # TokenProvider caches and refreshes; maskinporten.fetch_token(client, scopes) fetches once.
    provider = maskinporten.TokenProvider(client, ["test:scope.read"])
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {provider.token().access_token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body: bytes = response.read()
        return body


if __name__ == "__main__":
    sys.stdout.buffer.write(main(sys.argv[1]))
