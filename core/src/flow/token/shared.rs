//! A token fetched by another process (a replica sharing a store): the host offers it instead
//! of sending the request the flow asked for.

use super::{fetch::sending, CallState, TokenCall, TokenFlow};
use crate::flow::events::FlowEvent;
use crate::response::AccessToken;

impl TokenFlow {
    /// Reports that, instead of sending the last [`super::TokenStep::Send`] of `call`, the host
    /// found `token` in a store it shares with other processes (another replica fetched it). The
    /// flow takes it as this call's outcome, exactly as if the request had returned it, when it
    /// is fresh at `now_ms` (by this flow's refresh rule) and, for a refresh ahead of expiry,
    /// outlives the token being refreshed. Returns whether it was taken; `false` means: send
    /// the request as asked (a stale or older token in the store is never served).
    ///
    /// Calls for an exchanged (Altinn) token fetch for themselves: `false`.
    pub fn handle_shared_token(&mut self, call: &mut TokenCall, token: AccessToken, now_ms: i64) -> bool {
        if call.exchange.is_some() || sending(call).is_none() {
            return false;
        }
        if !token.is_fresh(now_ms.div_euclid(1000), self.refresh_skew_s) {
            return false;
        }
        let CallState::Fetching(fetch) = &call.state else { return false };
        if fetch.current.as_ref().is_some_and(|current| token.expires_at() <= current.expires_at()) {
            return false;
        }
        let expires_in = token.expires_in();
        self.emit(|| FlowEvent::SharedTokenUsed { key: call.key.label().to_string(), expires_in });
        self.adopt(call, token);
        true
    }
}
