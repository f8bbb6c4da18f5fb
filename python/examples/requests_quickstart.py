"""Call an API protected by Maskinporten with requests, acting for a customer (delegation).

    MASKINPORTEN_CLIENT_ID=... MASKINPORTEN_P12=cert.p12 MASKINPORTEN_P12_PASSWORD=... \\
        MASKINPORTEN_ENV=test python requests_quickstart.py https://api.example.no/resource 312000008
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import requests

import maskinporten
from maskinporten.requests import MaskinportenAuth


def main(url: str, consumer_org: str) -> int:
    key = maskinporten.Key.from_pkcs12(
        Path(os.environ["MASKINPORTEN_P12"]).read_bytes(), os.environ["MASKINPORTEN_P12_PASSWORD"]
    )
    client = maskinporten.Client(os.environ["MASKINPORTEN_CLIENT_ID"], key, os.environ["MASKINPORTEN_ENV"])
    session = requests.Session()
    session.auth = MaskinportenAuth(client, "brreg:reelle/rapporteringspliktig", consumer_org=consumer_org)
    response = session.get(url, timeout=10)
    return response.status_code


if __name__ == "__main__":
    try:
        print(main(sys.argv[1], sys.argv[2]))
    except maskinporten.MaskinportenError as error:
        print(f"{type(error).__name__} [{error.kind}]: {error}", file=sys.stderr)
        sys.exit(2 if error.retryable else 1)
