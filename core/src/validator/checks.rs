//! The claim checks of a token whose signature verified, in their fixed order (issuer, time,
//! token type, scope, audience, pid, consumer), and the typed [`ValidatedToken`] they produce.

use super::raw::{Loose, OrgClaim, RawClaims};
use super::{
    Authorization, ConsentRequirement, Organisation, Requirements, ScopeMatch, SystemUserRequirement, ValidatedToken,
    Validator,
};
use crate::error::{Error, ErrorKind, Result};
use serde_json::Value;

fn owned(value: &Loose) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn organisation(claim: &OrgClaim) -> Option<Organisation> {
    let authority = match &claim.authority {
        Some(authority) => authority.as_str()?,
        None => super::ISO6523_AUTHORITY,
    };
    Organisation::parse(authority, claim.id.as_ref()?.as_str()?)
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
        match &consumer.org_number {
            None if !requirements.eseal_consumers_allowed() => {
                return Err(Error::token(
                    ErrorKind::ConsumerNotAllowed,
                    format!(
                        "the consumer is not a Norwegian organisation (authority {}): this API serves Norwegian organisations only; allow eSeal consumers in the requirements to serve foreign ones",
                        consumer.authority
                    ),
                ));
            }
            Some(org) if !requirements.consumer_orgs().is_empty() && !requirements.consumer_orgs().contains(org) => {
                return Err(Error::token(ErrorKind::ConsumerNotAllowed, format!("consumer {org} is not allowed here")));
            }
            None if !requirements.consumer_orgs().is_empty() => {
                return Err(Error::token(
                    ErrorKind::ConsumerNotAllowed,
                    "a foreign consumer is not among the organisations this API serves",
                ));
            }
            _ => {}
        }
        let authorization_details: Vec<Authorization> = match &claims.authorization_details {
            Some(Value::Array(items)) => items.iter().map(Authorization::from_claim).collect(),
            Some(one @ Value::Object(_)) => vec![Authorization::from_claim(one)],
            _ => Vec::new(),
        };
        if let Some(required) = requirements.consent() {
            check_consent(&authorization_details, required, &consumer, now)?;
        }
        if let Some(required) = requirements.system_user() {
            check_system_user(&authorization_details, required)?;
        }
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

fn check_consent(
    details: &[Authorization],
    required: &ConsentRequirement,
    consumer: &Organisation,
    now: i64,
) -> Result<()> {
    let refuse = |why: String| Err(Error::token(ErrorKind::ConsentInvalid, why));
    let matching = details.iter().find_map(|detail| match detail {
        Authorization::Consent { id, from, to, valid_to, .. }
            if required.id.as_ref().is_none_or(|want| id.as_ref() == Some(want))
                && required.from.as_ref().is_none_or(|want| from.as_ref() == Some(want)) =>
        {
            Some((to, valid_to))
        }
        _ => None,
    });
    let Some((to, valid_to)) = matching else {
        let which = match (&required.id, &required.from) {
            (Some(id), _) => format!(" with id {id}"),
            (None, Some(_)) => " from the required party".to_string(),
            _ => String::new(),
        };
        return refuse(format!("the token carries no consent{which}"));
    };
    let same_party = match (to.as_ref(), &consumer.org_number) {
        (Some(to), Some(org)) => to.org_number.as_ref() == Some(org),
        (Some(to), None) => to.id == consumer.id,
        (None, _) => false,
    };
    if !same_party {
        return refuse("the consent was not given to the token's consumer (to differs from consumer)".into());
    }
    match valid_to {
        Some(end) if *end > now => Ok(()),
        Some(end) => refuse(format!("the consent ended at {}", crate::format_utc(*end))),
        None => refuse("the consent has no readable validTo".into()),
    }
}

fn check_system_user(details: &[Authorization], required: &SystemUserRequirement) -> Result<()> {
    let found = details.iter().any(|detail| match detail {
        Authorization::SystemUser { org, system_id, .. } => {
            required.org.as_ref().is_none_or(|want| org.as_ref().and_then(|o| o.org_number.as_ref()) == Some(want))
                && required.system_id.as_ref().is_none_or(|want| system_id.as_ref() == Some(want))
        }
        _ => false,
    });
    if found {
        Ok(())
    } else {
        Err(Error::token(
            ErrorKind::SystemUserMissing,
            "the token carries no system user for the required organisation and system",
        ))
    }
}
