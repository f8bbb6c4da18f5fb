//! The claim checks of a token whose signature verified, in their fixed order (issuer, time,
//! token type, scope, audience, pid, consumer), and the typed [`ValidatedToken`] they produce.

use super::raw::{Loose, OrgClaim, RawClaims};
use super::{Authorization, Organisation, Requirements, ScopeMatch, ValidatedToken, Validator};
use crate::error::{Error, ErrorKind, Result};
use serde_json::Value;

fn owned(value: &Loose) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn organisation(claim: &OrgClaim) -> Option<Organisation> {
    Organisation::parse_id(claim.id.as_ref()?.as_str()?)
}

impl Validator {
    /// Checks the claims; the result's `claims_json` is left empty for the caller to fill.
    pub(super) fn check_claims(
        &self,
        claims: &RawClaims,
        now: i64,
        requirements: &Requirements,
    ) -> Result<ValidatedToken> {
        if claims.iss.as_str() != Some(self.environment.issuer()) {
            return Err(Error::token(ErrorKind::IssuerMismatch, format!("iss is not {}", self.environment.issuer())));
        }
        let expires_at = claims
            .exp
            .as_i64()
            .ok_or_else(|| Error::token(ErrorKind::TokenMalformed, "the token has no numeric exp"))?;
        if now > expires_at.saturating_add(self.leeway) {
            return Err(Error::token(
                ErrorKind::TokenExpired,
                format!("the token expired at {}", crate::format_utc(expires_at)),
            ));
        }
        let issued_at = claims
            .iat
            .as_i64()
            .ok_or_else(|| Error::token(ErrorKind::TokenMalformed, "the token has no numeric iat"))?;
        let not_before = claims.nbf.as_i64().unwrap_or(issued_at).max(issued_at);
        if not_before > now.saturating_add(self.leeway) {
            return Err(Error::token(
                ErrorKind::TokenNotYetValid,
                "the token is issued in the future: check the host clock",
            ));
        }
        if !claims.token_type.as_str().is_some_and(|t| t.eq_ignore_ascii_case("bearer")) {
            return Err(Error::token(ErrorKind::WrongTokenType, "token_type is not Bearer"));
        }
        let scopes: Vec<String> =
            claims.scope.as_str().unwrap_or_default().split_whitespace().map(str::to_string).collect();
        check_scopes(&scopes, requirements)?;
        let audience: Vec<String> = match &claims.aud {
            Loose::Str(one) => vec![one.to_string()],
            Loose::List(many) => many.iter().filter_map(owned).collect(),
            _ => Vec::new(),
        };
        if let Some(required) = requirements.required_audience() {
            if !audience.iter().any(|a| a == required) {
                return Err(Error::token(
                    ErrorKind::AudienceMismatch,
                    format!("aud does not include {required}: the client must ask with resource={required}"),
                ));
            }
        }
        let pid = owned(&claims.pid);
        if requirements.pid_required() && pid.is_none() {
            return Err(Error::token(ErrorKind::PidMissing, "this API needs a person-bound token (pid)"));
        }
        let consumer = organisation(&claims.consumer).ok_or_else(|| {
            Error::token(ErrorKind::TokenMalformed, "consumer is missing or its ID is not \"<icd>:<orgno>[:...]\"")
        })?;
        if !requirements.consumer_orgs().is_empty() && !requirements.consumer_orgs().contains(&consumer.org_number) {
            return Err(Error::token(
                ErrorKind::ConsumerNotAllowed,
                format!("consumer {} is not allowed here", consumer.org_number),
            ));
        }
        let authorization_details = match &claims.authorization_details {
            Some(Value::Array(items)) => items.iter().map(Authorization::from_claim).collect(),
            Some(one @ Value::Object(_)) => vec![Authorization::from_claim(one)],
            _ => Vec::new(),
        };
        Ok(ValidatedToken {
            supplier: organisation(&claims.supplier),
            delegation_source: owned(&claims.delegation_source),
            client_id: owned(&claims.client_id).unwrap_or_default(),
            client_amr: match &claims.client_amr {
                Loose::List(values) => values.first().and_then(owned),
                other => owned(other),
            },
            jti: owned(&claims.jti),
            claims_json: String::new(),
            consumer,
            scopes,
            audience,
            pid,
            issued_at,
            expires_at,
            authorization_details,
        })
    }
}

fn check_scopes(granted: &[String], requirements: &Requirements) -> Result<()> {
    if requirements.scopes().is_empty() {
        return Ok(());
    }
    let has = |scope: &String| granted.contains(scope);
    let ok = match requirements.scope_match() {
        ScopeMatch::Any => requirements.scopes().iter().any(has),
        ScopeMatch::All => requirements.scopes().iter().all(has),
    };
    if ok {
        Ok(())
    } else {
        let which = if requirements.scope_match() == ScopeMatch::All { "all of" } else { "one of" };
        Err(Error::token(
            ErrorKind::InsufficientScope,
            format!("the token lacks {which}: {}", requirements.scopes().join(" ")),
        ))
    }
}
