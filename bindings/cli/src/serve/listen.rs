//! Where the service may listen: loopback by default; any other address only with an explicit
//! flag and caller authentication.

use crate::error::{CliError, CliResult};
use std::net::{SocketAddr, ToSocketAddrs};

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Resolves `listen` and refuses a non-loopback address unless `allowed` and `authenticated`,
/// saying why.
pub fn check(listen: &str, allowed: bool, authenticated: bool) -> CliResult<SocketAddr> {
    let addresses: Vec<SocketAddr> = listen
        .to_socket_addrs()
        .map_err(|e| CliError::Usage(format!("--listen {listen:?} is not host:port ({e})")))?
        .collect();
    let address =
        *addresses.first().ok_or_else(|| CliError::Usage(format!("--listen {listen:?} resolves to nothing")))?;
    if address.ip().is_loopback() {
        return Ok(address);
    }
    if !allowed {
        return Err(CliError::Message(format!(
            "refusing to listen on {address}: it is not a loopback address, and anyone who reaches it could get \
             tokens in your organisation's name. Keep the default ({DEFAULT_LISTEN}, for a sidecar), or add \
             --allow-non-loopback together with --api-keys FILE so that callers must authenticate"
        )));
    }
    if !authenticated {
        return Err(CliError::Message(format!(
            "refusing to listen on {address} without caller authentication: give --api-keys FILE (SHA-256 hashes of \
             the callers' bearer keys) so that only your services get tokens"
        )));
    }
    Ok(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_always_and_others_only_with_a_flag_and_keys() {
        assert!(check("127.0.0.1:0", false, false).is_ok());
        assert!(check("[::1]:0", false, false).is_ok());
        let refused = check("0.0.0.0:8080", false, true).unwrap_err().to_string();
        assert!(refused.contains("--allow-non-loopback"), "{refused}");
        let unauthenticated = check("0.0.0.0:8080", true, false).unwrap_err().to_string();
        assert!(unauthenticated.contains("--api-keys"), "{unauthenticated}");
        assert!(check("0.0.0.0:8080", true, true).is_ok());
        assert!(check("not an address", false, false).is_err());
    }
}
