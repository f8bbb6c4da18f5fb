"""Call an API protected by Maskinporten with httpx (sync and async).

    MASKINPORTEN_CLIENT_ID=... MASKINPORTEN_P12=cert.p12 MASKINPORTEN_P12_PASSWORD=... \\
        MASKINPORTEN_ENV=test python httpx_quickstart.py https://api.example.no/resource
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx

import maskinporten
from maskinporten.httpx import MaskinportenAuth


def make_client() -> maskinporten.Client:
    key = maskinporten.Key.from_pkcs12(
        Path(os.environ["MASKINPORTEN_P12"]).read_bytes(), os.environ["MASKINPORTEN_P12_PASSWORD"]
    )
    return maskinporten.Client(os.environ["MASKINPORTEN_CLIENT_ID"], key, os.environ["MASKINPORTEN_ENV"])


def call_sync(url: str) -> int:
    auth = MaskinportenAuth(make_client(), ["test:scope.read"])
    with httpx.Client(auth=auth, timeout=10) as http:
        return http.get(url).status_code


async def call_async(url: str) -> list[int]:
    auth = MaskinportenAuth(make_client(), ["test:scope.read"])
    async with httpx.AsyncClient(auth=auth, timeout=10) as http:
        responses = await asyncio.gather(*(http.get(url) for _ in range(10)))  # one token request
        return [r.status_code for r in responses]


if __name__ == "__main__":
    try:
        print(call_sync(sys.argv[1]))
        print(asyncio.run(call_async(sys.argv[1])))
    except maskinporten.OAuthError as error:
        print(f"Maskinporten said {error.error} ({error.mp_code}): {error.hint}", file=sys.stderr)
        sys.exit(1)
