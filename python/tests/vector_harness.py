"""Builds keys, clients and grant arguments from the shared vector format (tests/vectors/README.md)."""

from __future__ import annotations

from typing import Any, Optional

import maskinporten
from conftest import VECTORS


def load_key(spec: dict[str, Any]) -> maskinporten.Key:
    kind = spec["type"]
    if kind == "pkcs12":
        key = maskinporten.Key.from_pkcs12((VECTORS / spec["file"]).read_bytes(), spec["password"], spec.get("alias"))
    elif kind == "jks":
        key = maskinporten.Key.from_jks(
            (VECTORS / spec["file"]).read_bytes(), spec["password"], spec.get("alias"), spec.get("key_password")
        )
    elif kind == "pem":
        cert = spec.get("cert_file")
        key = maskinporten.Key.from_pem(
            (VECTORS / spec["key_file"]).read_text(), (VECTORS / cert).read_text() if cert else None
        )
    elif kind == "jwk":
        key = maskinporten.Key.from_jwk((VECTORS / spec["file"]).read_text())
    else:
        raise AssertionError(f"unknown key type {kind!r} in the vectors: teach the harness")
    if spec.get("kid"):
        key = key.with_kid(spec["kid"])
    return key


def make_client(key: maskinporten.Key, spec: dict[str, Any]) -> maskinporten.Client:
    return maskinporten.Client(
        spec["client_id"],
        key,
        spec["environment"],
        algorithm=spec.get("algorithm"),
        lifetime=spec.get("lifetime"),
        x5c=spec.get("x5c"),
    )


def grant_kwargs(spec: dict[str, Any]) -> dict[str, Any]:
    details: Optional[list[dict[str, Any]]] = spec.get("authorization_details")
    return {
        "resource": spec.get("resource"),
        "consumer_org": spec.get("consumer_org"),
        "iss_onbehalfof": spec.get("iss_onbehalfof"),
        "pid": spec.get("pid"),
        "authorization_details": details,
    }
