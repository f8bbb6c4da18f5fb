//! The stable names of every error, as one enum.
//!
//! Each [`crate::Error`] has a kind ([`crate::Error::kind`]); its [`ErrorKind::as_str`] is part of
//! the public contract: the shared test vectors, the TypeScript union, Python's documented kinds
//! and the Kotlin/Swift enum are checked against [`ErrorKind::ALL`].

use std::fmt;

macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])+ $variant:ident => $name:literal,)+) => {
        /// The stable, machine-readable name of an error. Compare with `==` against the enum or
        /// against its string (`error.kind() == "wrong_password"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)+];

            /// The kind's stable name, such as `"wrong_password"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $name,)+
                }
            }
        }

        impl std::str::FromStr for ErrorKind {
            type Err = ();

            /// The kind with this stable name.
            fn from_str(name: &str) -> Result<ErrorKind, ()> {
                match name {
                    $($name => Ok(ErrorKind::$variant),)+
                    _ => Err(()),
                }
            }
        }
    };
}

error_kinds! {
    // Keys and keystores.
    /// The key file or key text cannot be read (not PKCS#12, JKS, JCEKS, PEM or JWK; damaged).
    InvalidKey => "invalid_key",
    /// The password does not open the keystore.
    WrongPassword => "wrong_password",
    /// The keystore opened, but its key entry has its own password and the one given (or the
    /// keystore password, used when none is given) is not it (JKS and JCEKS key entries).
    WrongKeyPassword => "wrong_key_password",
    /// No key entry with the given alias (or no private key at all) in the keystore.
    KeyNotFound => "key_not_found",
    /// A key type or algorithm this library cannot sign with (not RSA, too small).
    UnsupportedKey => "unsupported_key",
    /// An external signer (HSM, KMS, platform keystore) failed to sign.
    SignerFailed => "signer_failed",

    // Arguments and configuration.
    /// A value a binding could not convert at all (wrong type, unknown option name).
    InvalidArgument => "invalid_argument",
    /// A `now` that is not Unix seconds in a plausible range (milliseconds, zero, negative).
    InvalidNow => "invalid_now",
    /// The environment, issuer or an endpoint URL is not acceptable.
    InvalidEnvironment => "invalid_environment",
    /// The client_id is empty, too long or contains spaces.
    InvalidClientId => "invalid_client_id",
    /// A scope is missing or not an RFC 6749 scope token.
    InvalidScope => "invalid_scope",
    /// `resource` is not an absolute URI (or an empty list).
    InvalidResource => "invalid_resource",
    /// `consumer_org` is not a valid organisation number, or is the caller's own.
    InvalidConsumerOrg => "invalid_consumer_org",
    /// `iss_onbehalfof` is empty or contains spaces.
    InvalidIssOnbehalfof => "invalid_iss_onbehalfof",
    /// `consumer_org` and `iss_onbehalfof` were both given.
    ConflictingDelegation => "conflicting_delegation",
    /// `pid` is not an 11-digit person identifier.
    InvalidPid => "invalid_pid",
    /// An `authorization_details` entry is not acceptable.
    InvalidAuthorizationDetails => "invalid_authorization_details",
    /// The grant lifetime is outside 1..=120 seconds.
    InvalidLifetime => "invalid_lifetime",
    /// A given `jti` is empty, too long or has control characters.
    InvalidJti => "invalid_jti",
    /// A `kid` is empty or has characters outside `[A-Za-z0-9._-]`.
    InvalidKid => "invalid_kid",
    /// A key set for the self-service API breaks a rule (more than 5 keys, under 2048 bits, a
    /// private member, a repeated `kid`).
    InvalidKeySet => "invalid_key_set",
    /// An algorithm name other than RS256, RS384 or RS512.
    InvalidAlgorithm => "invalid_algorithm",
    /// An `x5c` mode other than `leaf` or `full_chain`.
    InvalidX5c => "invalid_x5c",
    /// A scope match other than `any` or `all`.
    InvalidScopeMatch => "invalid_scope_match",
    /// Requirements that would accept a token for any API (no scope and no audience required).
    InvalidRequirements => "invalid_requirements",
    /// The key has neither a certificate (for `x5c`) nor a `kid`.
    MissingCertificateOrKid => "missing_certificate_or_kid",
    /// The key has no private key here: sign externally.
    MissingSigningKey => "missing_signing_key",
    /// An externally made signature does not verify with the certificate's public key.
    InvalidSignature => "invalid_signature",
    /// The certificate used for `x5c` is outside its validity at `now`.
    CertificateNotValid => "certificate_not_valid",

    // Answers from the server.
    /// Maskinporten answered with an OAuth error (usually with an `MP-nnn` code).
    OauthError => "oauth_error",
    /// The answer is not a usable response (HTML, truncated JSON, missing fields).
    MalformedResponse => "malformed_response",
    /// The server or the network could not answer now (5xx, 429, timeout, reset): retry later.
    Unavailable => "unavailable",

    // Answers from Altinn's token exchange.
    /// Altinn refused the exchange request (400), or the retired enterprise-user header (410).
    AltinnExchangeInvalid => "altinn_exchange_invalid",
    /// Altinn refused the Maskinporten token (401): expired, wrong environment, no Altinn scope.
    AltinnTokenRejected => "altinn_token_rejected",
    /// Altinn does not allow this organisation or scope the exchange (403).
    AltinnForbidden => "altinn_forbidden",

    // Answers from the self-service API.
    /// The request was refused as invalid (HTTP 400); the error names the fields.
    SelfServiceInvalid => "self_service_invalid",
    /// The admin token was refused (HTTP 401): expired or not a Maskinporten token; fetch a new one.
    AdminTokenRejected => "admin_token_rejected",
    /// The admin token lacks the scope this call needs, or the organisation may not do it (403).
    AdminScopeMissing => "admin_scope_missing",
    /// No client with this id (404), or it belongs to another organisation.
    ClientNotFound => "client_not_found",
    /// The change conflicts with the client's state (409).
    SelfServiceConflict => "self_service_conflict",
    /// The organisation must first accept Digdir's terms of use (412/428 `PRECONDITION_REQUIRED`).
    TermsNotAccepted => "terms_not_accepted",

    // Access-token validation (API providers).
    /// No bearer token was given (no `Authorization` header, or another scheme).
    TokenMissing => "token_missing",
    /// The `Authorization` header names Bearer but is not `Bearer <b64token>` (RFC 6750 §2.1).
    InvalidAuthorizationHeader => "invalid_authorization_header",
    /// The token is longer than [`crate::MAX_TOKEN_BYTES`].
    TokenTooLarge => "token_too_large",
    /// The token is not a compact JWS with base64url JSON parts.
    TokenMalformed => "token_malformed",
    /// The token's `alg` is not on the allow-list (or differs from its key's).
    AlgorithmNotAllowed => "algorithm_not_allowed",
    /// No JWKS is loaded yet.
    JwksMissing => "jwks_missing",
    /// No key with the token's `kid` in the issuer's JWKS.
    UnknownKid => "unknown_kid",
    /// The signature does not verify with the issuer's key.
    SignatureInvalid => "signature_invalid",
    /// `iss` is not this validator's issuer.
    IssuerMismatch => "issuer_mismatch",
    /// The token has expired.
    TokenExpired => "token_expired",
    /// The token's `iat` or `nbf` is in the future.
    TokenNotYetValid => "token_not_yet_valid",
    /// `token_type` is not `Bearer`.
    WrongTokenType => "wrong_token_type",
    /// The token lacks a required scope.
    InsufficientScope => "insufficient_scope",
    /// The token's `aud` is not the required audience.
    AudienceMismatch => "audience_mismatch",
    /// The token has no `pid`, and one is required.
    PidMissing => "pid_missing",
    /// The token's consumer is not among the served organisations (or is a foreign eSeal
    /// consumer, not allowed unless the requirements say so).
    ConsumerNotAllowed => "consumer_not_allowed",
    /// The token carries no consent that satisfies the requirement (id, from, to = consumer,
    /// validTo in the future).
    ConsentInvalid => "consent_invalid",
    /// The token carries no system user that satisfies the requirement.
    SystemUserMissing => "system_user_missing",
}

impl ErrorKind {
    /// Whether the kind names a failed access-token check.
    pub fn is_token_check(self) -> bool {
        matches!(
            self,
            ErrorKind::TokenMissing
                | ErrorKind::InvalidAuthorizationHeader
                | ErrorKind::TokenTooLarge
                | ErrorKind::TokenMalformed
                | ErrorKind::AlgorithmNotAllowed
                | ErrorKind::JwksMissing
                | ErrorKind::UnknownKid
                | ErrorKind::SignatureInvalid
                | ErrorKind::IssuerMismatch
                | ErrorKind::TokenExpired
                | ErrorKind::TokenNotYetValid
                | ErrorKind::WrongTokenType
                | ErrorKind::InsufficientScope
                | ErrorKind::AudienceMismatch
                | ErrorKind::PidMissing
                | ErrorKind::ConsumerNotAllowed
                | ErrorKind::ConsentInvalid
                | ErrorKind::SystemUserMissing
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorKind> for &str {
    fn eq(&self, other: &ErrorKind) -> bool {
        *self == other.as_str()
    }
}

impl From<ErrorKind> for &'static str {
    fn from(kind: ErrorKind) -> &'static str {
        kind.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            assert!(seen.insert(kind.as_str()), "{kind} twice");
            assert_eq!(kind.as_str().parse::<ErrorKind>(), Ok(*kind));
            assert!(kind.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{kind}");
        }
        assert!("no_such_kind".parse::<ErrorKind>().is_err());
        assert!(ErrorKind::WrongPassword == "wrong_password");
    }
}
