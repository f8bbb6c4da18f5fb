//! What a caller asks for in one grant: scopes and the optional claims.

use crate::authorization::AuthorizationDetail;
use crate::error::{Error, ErrorKind, Result};
use crate::identifiers::{is_valid_org_number, is_valid_pid};
use serde::Serialize;
use std::fmt;

/// The grant's `resource` (RFC 8707 audience restriction). Digdir's docs say array; every known
/// client sends a string; Maskinporten takes both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Resource {
    /// One audience, sent as a JSON string.
    One(String),
    /// Several audiences, sent as a JSON array.
    Many(Vec<String>),
}

/// What to ask for: scopes plus the optional claims of the protocol. Build with
/// [`GrantOptions::new`] and the `with_*` methods, or fill the public fields.
///
/// ```
/// use maskinporten::{GrantOptions, Resource};
/// let options = GrantOptions::new(["brreg:reelle/rapporteringspliktig"])
///     .with_consumer_org("312000008")
///     .with_resource(Resource::One("https://api.example.no/".into()));
/// assert_eq!(options.scopes.len(), 1);
/// ```
///
/// `Debug` shows every field but the `pid` (a national identity number, personal data).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct GrantOptions {
    /// One or more scopes (Digdir recommends one per token); sent space-separated.
    pub scopes: Vec<String>,
    /// Optional `resource`.
    pub resource: Option<Resource>,
    /// Optional `consumer_org`: the 9-digit org number a supplier acts for (Altinn delegation).
    pub consumer_org: Option<String>,
    /// Optional `iss_onbehalfof`, for a supplier's sub-client. Exclusive with `consumer_org`.
    pub iss_onbehalfof: Option<String>,
    /// Optional `pid`: an 11-digit person identifier for person-bound tokens.
    pub pid: Option<String>,
    /// Optional `authorization_details` (system user, consent, or raw entries).
    pub authorization_details: Vec<AuthorizationDetail>,
}

impl fmt::Debug for GrantOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrantOptions")
            .field("scopes", &self.scopes)
            .field("resource", &self.resource)
            .field("consumer_org", &self.consumer_org)
            .field("iss_onbehalfof", &self.iss_onbehalfof)
            .field("pid", &crate::redact::optional(self.pid.as_deref()))
            .field("authorization_details", &self.authorization_details)
            .finish()
    }
}

impl GrantOptions {
    /// Options asking for these scopes.
    pub fn new<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> GrantOptions {
        GrantOptions { scopes: scopes.into_iter().map(Into::into).collect(), ..GrantOptions::default() }
    }

    /// Adds a `resource`.
    pub fn with_resource(mut self, resource: Resource) -> GrantOptions {
        self.resource = Some(resource);
        self
    }

    /// Adds a `consumer_org`.
    pub fn with_consumer_org(mut self, org_number: impl Into<String>) -> GrantOptions {
        self.consumer_org = Some(org_number.into());
        self
    }

    /// Adds an `iss_onbehalfof`.
    pub fn with_iss_onbehalfof(mut self, value: impl Into<String>) -> GrantOptions {
        self.iss_onbehalfof = Some(value.into());
        self
    }

    /// Adds a `pid`.
    pub fn with_pid(mut self, pid: impl Into<String>) -> GrantOptions {
        self.pid = Some(pid.into());
        self
    }

    /// Appends an `authorization_details` entry.
    pub fn with_authorization_detail(mut self, detail: AuthorizationDetail) -> GrantOptions {
        self.authorization_details.push(detail);
        self
    }

    /// Checks every field on its own and the combinations, naming the field at fault. `own_org`
    /// is the signing certificate's org number, if known.
    pub(crate) fn validate(&self, own_org: Option<&str>) -> Result<()> {
        if self.scopes.is_empty() {
            return Err(Error::invalid(ErrorKind::InvalidScope, "scope", "no scope given: ask for at least one scope"));
        }
        for scope in &self.scopes {
            check_scope(scope)?;
        }
        if let Some(resource) = &self.resource {
            check_resource(resource)?;
        }
        if let Some(org) = &self.consumer_org {
            if !is_valid_org_number(org) {
                return Err(Error::invalid(
                    ErrorKind::InvalidConsumerOrg,
                    "consumer_org",
                    // Quoted by the snippet rules: a pid given here by mistake is not repeated.
                    format!(
                        "{:?} is not a valid organisation number (9 digits with a modulus-11 check digit)",
                        crate::snippet::sanitize(org, 40)
                    ),
                ));
            }
            if own_org == Some(org.as_str()) {
                return Err(Error::invalid(
                    ErrorKind::InvalidConsumerOrg,
                    "consumer_org",
                    format!("{org} is your own organisation number: consumer_org names the organisation you act for; leave it out to act for yourself"),
                ));
            }
            if self.iss_onbehalfof.is_some() {
                return Err(Error::invalid(
                    ErrorKind::ConflictingDelegation,
                    "iss_onbehalfof",
                    "consumer_org and iss_onbehalfof exclude each other: send one of them",
                ));
            }
        }
        if let Some(value) = &self.iss_onbehalfof {
            if value.is_empty() || value.len() > 255 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Error::invalid(
                    ErrorKind::InvalidIssOnbehalfof,
                    "iss_onbehalfof",
                    "iss_onbehalfof must be the non-empty onbehalfof value registered on the client, without spaces",
                ));
            }
        }
        if let Some(pid) = &self.pid {
            if !is_valid_pid(pid) {
                return Err(Error::invalid(ErrorKind::InvalidPid, "pid", "pid must be an 11-digit person identifier"));
            }
        }
        Ok(())
    }

    /// What may be wrong without being refused (see [`AuthorizationDetail::warnings`]), for
    /// the host to show once when it sets these options up.
    pub fn warnings(&self) -> Vec<String> {
        self.authorization_details.iter().flat_map(AuthorizationDetail::warnings).collect()
    }

    /// The scopes as the space-separated `scope` claim.
    pub(crate) fn scope_claim(&self) -> String {
        self.scopes.join(" ")
    }
}

/// RFC 6749 scope-token: printable ASCII except space, `"` and `\`.
fn check_scope(scope: &str) -> Result<()> {
    let ok = !scope.is_empty()
        && scope.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            ErrorKind::InvalidScope,
            "scope",
            format!("{scope:?} is not a scope: give each scope as its own item (no spaces, quotes or backslashes), e.g. \"brreg:reelle/offentlig\""),
        ))
    }
}

fn check_resource(resource: &Resource) -> Result<()> {
    let items: &[String] = match resource {
        Resource::One(one) => std::slice::from_ref(one),
        Resource::Many(many) if many.is_empty() => {
            return Err(Error::invalid(
                ErrorKind::InvalidResource,
                "resource",
                "resource is an empty list: leave it out or give at least one URI",
            ))
        }
        Resource::Many(many) => many,
    };
    for item in items {
        if !item.contains(':') || item.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                ErrorKind::InvalidResource,
                "resource",
                format!("{item:?} is not an absolute URI: resource names the API, e.g. \"https://api.example.no/\""),
            ));
        }
    }
    Ok(())
}
