"""Sign grants with a key held in Azure Key Vault (the private key never leaves the vault).

With ``azure-keyvault-keys`` and ``azure-identity``::

    from azure.identity import DefaultAzureCredential
    from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm

    crypto = CryptographyClient(key_id, DefaultAzureCredential())
    provider = maskinporten.TokenProvider(client, ["test:scope.read"], signer=vault_signer(crypto, SignatureAlgorithm.rs256))
    provider.token()   # the token flow hands each grant to the vault, retries and caches as usual

or, one request at a time, ``token_request_via_vault(client, scopes, crypto, SignatureAlgorithm.rs256)``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Protocol

import maskinporten


class SignResult(Protocol):
    @property
    def signature(self) -> bytes: ...


class VaultSigner(Protocol):
    """The shape of ``azure.keyvault.keys.crypto.CryptographyClient.sign``."""

    def sign(self, algorithm: Any, digest: bytes, **kwargs: Any) -> SignResult: ...


def make_client(client_id: str, certificate_chain_pem: str, environment: str) -> maskinporten.Client:
    """The certificate (public) goes in ``x5c``; the private key stays in the vault."""
    key = maskinporten.Key.from_external(cert_chain_pem=certificate_chain_pem)
    return maskinporten.Client(client_id, key, environment)


def vault_signer(vault: VaultSigner, algorithm: Any) -> Callable[[maskinporten.PreparedGrant], bytes]:
    """A ``signer`` for the providers: Key Vault signs the grant's digest."""

    def sign(prepared: maskinporten.PreparedGrant) -> bytes:
        digest = hashlib.new(prepared.hash_name, prepared.signing_input).digest()
        return vault.sign(algorithm, digest).signature  # verified against the certificate by the flow

    return sign


def token_request_via_vault(
    client: maskinporten.Client, scopes: list[str], vault: VaultSigner, algorithm: Any
) -> maskinporten.HttpRequest:
    prepared = client.prepare_grant(scopes)
    jwt = prepared.finish(vault_signer(vault, algorithm)(prepared))  # single use; verified before use
    return client.token_request_for_assertion(jwt)
