//! What an API requires of a token, beyond signature, issuer and time.

use crate::error::{Error, ErrorKind, Result};
use crate::identifiers::is_valid_org_number;

/// How required scopes combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ScopeMatch {
    /// At least one of the required scopes (default).
    #[default]
    Any,
    /// Every required scope.
    All,
}

impl ScopeMatch {
    /// `any` or `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeMatch::Any => "any",
            ScopeMatch::All => "all",
        }
    }
}

impl std::str::FromStr for ScopeMatch {
    type Err = Error;

    /// Parses `any` or `all`.
    fn from_str(s: &str) -> Result<ScopeMatch> {
        match s {
            "any" => Ok(ScopeMatch::Any),
            "all" => Ok(ScopeMatch::All),
            _ => Err(Error::invalid(
                ErrorKind::InvalidScopeMatch,
                "scope_match",
                format!("{s:?} is not a scope match: use \"any\" (default) or \"all\""),
            )),
        }
    }
}

/// What this API call requires of a token. Safe by default: requirements must name at least
/// one scope or an audience, because Maskinporten signs tokens for every API with the same key
/// and a check of signature, issuer and time alone accepts a token minted for *another* API.
/// [`Requirements::any_scope_unchecked`] is the explicit, named opt-out.
///
/// ```
/// use maskinporten::Requirements;
/// let requirements = Requirements::any_scope(["brreg:reelle/offentlig"]).with_consumer_orgs(["991825827"]);
/// assert!(requirements.check().is_ok());
/// assert_eq!(Requirements::any_scope(Vec::<String>::new()).check().unwrap_err().kind(), "invalid_requirements");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    scopes: Vec<String>,
    scope_match: ScopeMatch,
    audience: Option<String>,
    require_pid: bool,
    consumer_orgs: Vec<String>,
    scope_unchecked: bool,
    eseal_consumers: bool,
    consent: Option<ConsentRequirement>,
    system_user: Option<SystemUserRequirement>,
}

/// What a consent token (Altinn `urn:altinn:consent`) must show, as Digdir's provider checklist
/// asks: a consent entry with this `id` (when given) `from` this party (when given), given `to`
/// the token's consumer, with `validTo` in the future.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsentRequirement {
    /// The consent id the API expects, if it knows it.
    pub id: Option<String>,
    /// The party who must have consented (`urn:altinn:person:identifier-no:<pid>` or
    /// `urn:altinn:organization:identifier-no:<orgno>`), if the API knows it.
    pub from: Option<String>,
}

/// What a system-user token (Altinn `urn:altinn:systemuser`) must show: a system-user entry,
/// for this organisation and system when given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SystemUserRequirement {
    /// The system user's organisation number (`systemuser_org`), if the API serves one.
    pub org: Option<String>,
    /// The registered system (`system_id`), if the API serves one.
    pub system_id: Option<String>,
}

impl Requirements {
    /// Requires at least one of these scopes.
    pub fn any_scope<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Requirements {
        Requirements {
            scopes: scopes.into_iter().map(Into::into).collect(),
            scope_match: ScopeMatch::Any,
            audience: None,
            require_pid: false,
            consumer_orgs: Vec::new(),
            scope_unchecked: false,
            eseal_consumers: false,
            consent: None,
            system_user: None,
        }
    }

    /// Requires all of these scopes.
    pub fn all_scopes<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Requirements {
        Requirements::any_scope(scopes).with_scope_match(ScopeMatch::All)
    }

    /// Requires this `aud` (the API's resource identifier) and no particular scope: for APIs
    /// whose clients ask with `resource`, which binds the token to this API.
    pub fn audience(audience: impl Into<String>) -> Requirements {
        Requirements::any_scope(Vec::<String>::new()).with_audience(audience)
    }

    /// **Accepts a token whatever its scopes** (after signature, issuer and time): any valid
    /// Maskinporten token of this issuer, minted for any API, passes. Only for tools such as a
    /// token inspector, or an API that authorizes by other claims it checks itself.
    pub fn any_scope_unchecked() -> Requirements {
        Requirements { scope_unchecked: true, ..Requirements::any_scope(Vec::<String>::new()) }
    }

    /// Every field at once, for bindings converting host-language values. `any_scope_unchecked`
    /// is the named opt-out of [`Requirements::any_scope_unchecked`]. [`Requirements::check`]
    /// still applies.
    pub fn from_parts(
        scopes: Vec<String>,
        scope_match: ScopeMatch,
        audience: Option<String>,
        require_pid: bool,
        consumer_orgs: Vec<String>,
        any_scope_unchecked: bool,
    ) -> Requirements {
        Requirements {
            scope_unchecked: any_scope_unchecked,
            audience,
            require_pid,
            consumer_orgs,
            ..Requirements::any_scope(scopes).with_scope_match(scope_match)
        }
    }

    /// Whether any or all of the scopes are required.
    pub fn with_scope_match(mut self, scope_match: ScopeMatch) -> Requirements {
        self.scope_match = scope_match;
        self
    }

    /// Also requires this `aud`.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Requirements {
        self.audience = Some(audience.into());
        self
    }

    /// Also requires a `pid` (person-bound tokens).
    pub fn with_pid_required(mut self) -> Requirements {
        self.require_pid = true;
        self
    }

    /// Only these consumer organisations (9-digit org numbers) are served.
    pub fn with_consumer_orgs<S: Into<String>>(mut self, orgs: impl IntoIterator<Item = S>) -> Requirements {
        self.consumer_orgs = orgs.into_iter().map(Into::into).collect();
        self
    }

    /// Also serves foreign organisations that authenticate with a European eSeal (their
    /// consumer has no Norwegian org number); refused otherwise.
    pub fn with_eseal_consumers(mut self) -> Requirements {
        self.eseal_consumers = true;
        self
    }

    /// Also requires a valid consent ([`ConsentRequirement`]).
    pub fn with_consent(mut self, consent: ConsentRequirement) -> Requirements {
        self.consent = Some(consent);
        self
    }

    /// Also requires a system user ([`SystemUserRequirement`]).
    pub fn with_system_user(mut self, system_user: SystemUserRequirement) -> Requirements {
        self.system_user = Some(system_user);
        self
    }

    /// Whether foreign eSeal consumers are served.
    pub fn eseal_consumers_allowed(&self) -> bool {
        self.eseal_consumers
    }

    /// The consent requirement, if any.
    pub fn consent(&self) -> Option<&ConsentRequirement> {
        self.consent.as_ref()
    }

    /// The system-user requirement, if any.
    pub fn system_user(&self) -> Option<&SystemUserRequirement> {
        self.system_user.as_ref()
    }

    /// The required scopes.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether any or all of [`Requirements::scopes`] must be granted.
    pub fn scope_match(&self) -> ScopeMatch {
        self.scope_match
    }

    /// The required `aud`, if any.
    pub fn required_audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// Whether a `pid` is required.
    pub fn pid_required(&self) -> bool {
        self.require_pid
    }

    /// The served consumer organisations (empty: any).
    pub fn consumer_orgs(&self) -> &[String] {
        &self.consumer_orgs
    }

    /// Whether these are [`Requirements::any_scope_unchecked`].
    pub fn is_scope_unchecked(&self) -> bool {
        self.scope_unchecked
    }

    /// Refuses requirements that would accept a token minted for any API (no scope, no
    /// audience, no explicit opt-out), and malformed values. The validator calls it on every
    /// validation; bindings that convert requirements once call it then, for an early error.
    pub fn check(&self) -> Result<()> {
        if self.scopes.is_empty() && self.audience.is_none() && !self.scope_unchecked {
            return Err(Error::invalid(
                ErrorKind::InvalidRequirements,
                "scopes",
                "no scope and no audience required: a valid token minted for any other API would pass. Name the \
                 scope(s) this API requires (or its audience); if any scope is truly acceptable, say so with \
                 any_scope_unchecked",
            ));
        }
        if let Some(scope) = self.scopes.iter().find(|s| s.is_empty() || s.chars().any(char::is_whitespace)) {
            return Err(Error::invalid(
                ErrorKind::InvalidRequirements,
                "scopes",
                format!("{scope:?} is not a scope: give each scope as its own item, without spaces"),
            ));
        }
        if self.audience.as_deref().is_some_and(str::is_empty) {
            return Err(Error::invalid(ErrorKind::InvalidRequirements, "audience", "the audience is empty"));
        }
        if let Some(org) = self.system_user.as_ref().and_then(|s| s.org.as_ref()).filter(|o| !is_valid_org_number(o)) {
            return Err(Error::invalid(
                ErrorKind::InvalidRequirements,
                "system_user",
                format!("{org:?} is not an organisation number (9 digits with a modulus-11 check digit)"),
            ));
        }
        if let Some(org) = self.consumer_orgs.iter().find(|org| !is_valid_org_number(org)) {
            return Err(Error::invalid(
                ErrorKind::InvalidRequirements,
                "consumer_orgs",
                format!("{org:?} is not an organisation number (9 digits with a modulus-11 check digit)"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_required_is_refused_unless_said_so() {
        assert_eq!(Requirements::any_scope(Vec::<String>::new()).check().unwrap_err().kind(), "invalid_requirements");
        assert!(Requirements::any_scope_unchecked().check().is_ok());
        assert!(Requirements::audience("https://api.example.no/").check().is_ok());
        assert!(Requirements::all_scopes(["a:b", "c:d"]).check().is_ok());
    }

    #[test]
    fn malformed_values_are_refused() {
        assert_eq!(Requirements::any_scope(["a b"]).check().unwrap_err().field(), Some("scopes"));
        assert_eq!(Requirements::any_scope([""]).check().unwrap_err().field(), Some("scopes"));
        let bad_org = Requirements::any_scope(["a:b"]).with_consumer_orgs(["123"]).check().unwrap_err();
        assert_eq!(bad_org.field(), Some("consumer_orgs"));
        assert_eq!(Requirements::audience("").check().unwrap_err().field(), Some("audience"));
    }
}
