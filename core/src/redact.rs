//! What `Debug` output hides, shared by the hand-written `Debug` impls of the public types that
//! carry a grant, a token, a key or a pid (`HttpRequest`, `PreparedGrant`, `GrantOptions`,
//! `AuthorizationDetail`, `PendingValidation`, `ValidatedToken`, `Authorization`; `Key` and
//! `AccessToken` have their own). `core/tests/redaction.rs` formats each of them.

use std::fmt;

/// Stands in for a secret value: `<redacted, N bytes>` (the length helps debugging).
pub(crate) struct Redacted(pub(crate) usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted, {} bytes>", self.0)
    }
}

/// An optional secret: `None`, or `Some(<redacted, N bytes>)`.
pub(crate) fn optional(value: Option<&str>) -> Option<Redacted> {
    value.map(|v| Redacted(v.len()))
}

/// Text that may hold a token or a pid among other things (claims, authorization details), with
/// those redacted by the snippet rules.
pub(crate) struct Scrubbed<'a>(pub(crate) &'a str);

impl fmt::Debug for Scrubbed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&crate::snippet::redact_text(self.0), f)
    }
}

/// Header names whose values are credentials (`Authorization`, cookies, API keys, tokens).
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["auth", "cookie", "token", "secret", "key", "assertion", "password", "session", "signature"]
        .iter()
        .any(|word| name.contains(word))
}
