"""Sign grants with a key held in Azure Key Vault (the private key never leaves the vault).

With ``azure-keyvault-keys`` and ``azure-identity``::

    from azure.identity import DefaultAzureCredential
    from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm

    crypto = CryptographyClient(key_id, DefaultAzureCredential())
    request = token_request_via_vault(client, ["test:scope.read"], crypto, SignatureAlgorithm.rs256)
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

import maskinporten


class SignResult(Protocol):
    @property
    def signature(self) -> bytes: ...


class VaultSigner(Protocol):
    """The shape of ``azure.keyvault.keys.crypto.CryptographyClient.sign``."""

    def sign(self, algorithm: Any, digest: bytes, **kwargs: Any) -> SignResult: ...


def make_client(client_id: str, certificate_chain_pem: str) -> maskinporten.Client:
    """The certificate (public) goes in ``x5c``; the private key stays in the vault."""
    key = maskinporten.Key.from_external(cert_chain_pem=certificate_chain_pem)
    return maskinporten.Client(client_id, key, "test")


def token_request_via_vault(
    client: maskinporten.Client, scopes: list[str], vault: VaultSigner, algorithm: Any
) -> maskinporten.HttpRequest:
    prepared = client.prepare_grant(scopes)
    digest = hashlib.new(prepared.hash_name, prepared.signing_input).digest()
    signature = vault.sign(algorithm, digest).signature  # Key Vault signs the digest (RS256)
    jwt = prepared.finish(signature)  # verified against the certificate before use
    return client.token_request_for_assertion(jwt)
