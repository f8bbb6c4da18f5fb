//! A token another process fetched, offered from a shared store instead of sending.

use super::*;
use crate::AccessToken;

fn shared(token: &str, expires_in: i64, issued_at_s: i64) -> AccessToken {
    AccessToken::new(token, expires_in, None, issued_at_s)
}

#[test]
fn a_fresh_shared_token_ends_the_fetch_without_a_request() {
    let mut host = Host::new(TokenFlow::new().with_events(true));
    let mut call = host.call(T0);
    host.expect_send(&mut call, T0);
    assert!(host.flow.handle_shared_token(&mut call, shared("from-replica", 120, T0 / 1000 - 5), T0));
    assert_eq!(host.expect_token(&mut call, T0), "from-replica");
    let events = host.events();
    assert!(events.contains(&"shared_token_used".to_string()), "{events:?}");
    assert!(!events.contains(&"fetch_succeeded".to_string()), "{events:?}");
    // Cached like a fetched token: the next caller is served without a call.
    let key = host.client.cache_key(&host.options);
    assert_eq!(
        host.flow.fresh(&key, T0 + 1_000).map(|t| t.access_token().to_string()).as_deref(),
        Some("from-replica")
    );
}

#[test]
fn a_stale_shared_token_is_refused_and_the_request_goes_out() {
    let mut host = Host::new(TokenFlow::new());
    let mut call = host.call(T0);
    host.expect_send(&mut call, T0);
    // Issued 100 s ago for 120 s: past its refresh time (skew 30 s).
    assert!(!host.flow.handle_shared_token(&mut call, shared("old", 120, T0 / 1000 - 100), T0));
    host.answer(&mut call, 200, &token_body("fetched", 120), None, T0);
    assert_eq!(host.expect_token(&mut call, T0), "fetched");
}

#[test]
fn a_refresh_ahead_only_takes_a_newer_token() {
    let mut host = Host::new(TokenFlow::new());
    host.fetch(T0, &token_body("first", 120));
    let later = T0 + 95_000; // past the refresh time (90 s), before expiry
    let mut call = host.call(later);
    host.expect_send(&mut call, later);
    // The same token the replica already holds (still in the store) is not a refresh.
    assert!(!host.flow.handle_shared_token(&mut call, shared("first", 120, T0 / 1000), later));
    assert!(host.flow.handle_shared_token(&mut call, shared("second", 120, later / 1000 - 1), later));
    assert_eq!(host.expect_token(&mut call, later), "second");
}

#[test]
fn only_a_sending_call_takes_a_shared_token() {
    let mut host = Host::new(TokenFlow::new());
    let mut call = host.call(T0);
    assert!(!host.flow.handle_shared_token(&mut call, shared("early", 120, T0 / 1000), T0));
    host.expect_send(&mut call, T0);
    host.answer(&mut call, 200, &token_body("fetched", 120), None, T0);
    assert_eq!(host.expect_token(&mut call, T0), "fetched");
    assert!(!host.flow.handle_shared_token(&mut call, shared("late", 120, T0 / 1000), T0));
}
