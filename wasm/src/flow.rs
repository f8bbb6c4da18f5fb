//! `CoreTokenFlow`: the core's token flow for the JS `TokenProvider`, which executes its steps
//! (fetch, sign, sleep, wait) and reports back. Internal: not re-exported by the package.

use std::rc::Rc;

use js_sys::{Array, Object, Uint8Array};
use maskinporten::{FlowOptions, HttpResponse, TokenCall, TokenFlow, TokenStep};
use wasm_bindgen::prelude::*;

use crate::args::ms;
use crate::client::CoreClient;
use crate::error::{set, to_js, IntoJs, JsResult};
use crate::events::event_to_js;
use crate::http::request_to_js;
use crate::options::CoreGrant;
use crate::token::AccessToken;

/// One caller's call, from `call()` to a `token` or `fail` step.
#[wasm_bindgen(js_name = CoreTokenCall)]
pub struct CoreTokenCall {
    inner: Option<TokenCall>,
}

/// The token flow of one provider (one client): cache, single flight, retries, refresh ahead of
/// expiry and 401s, all decided by the core.
#[wasm_bindgen(js_name = CoreTokenFlow)]
pub struct CoreTokenFlow {
    pub(crate) inner: TokenFlow,
    pub(crate) client: Rc<maskinporten::Client>,
}

impl CoreTokenCall {
    pub(crate) fn new(call: TokenCall) -> CoreTokenCall {
        CoreTokenCall { inner: Some(call) }
    }
}

fn step(kind: &str) -> JsValue {
    let o: JsValue = Object::new().into();
    set(&o, "kind", &JsValue::from_str(kind));
    o
}

#[wasm_bindgen(js_class = CoreTokenFlow)]
impl CoreTokenFlow {
    /// A flow for `client` with the core's `FlowOptions` (whole numbers, checked in JS; the core
    /// checks the ranges); `host_signing`: every grant goes to the JS signer (`sign` steps);
    /// `events`: events are kept for `events()`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client: &CoreClient,
        max_attempts: Option<f64>,
        initial_backoff_ms: Option<f64>,
        max_backoff_ms: Option<f64>,
        attempt_timeout_ms: Option<f64>,
        deadline_ms: Option<f64>,
        refresh_skew: Option<f64>,
        host_signing: bool,
        events: bool,
    ) -> JsResult<CoreTokenFlow> {
        let whole = |n: Option<f64>| n.map(|n| n as i64);
        let options = FlowOptions {
            max_attempts: max_attempts.map(|n| n as u32),
            initial_backoff_ms: whole(initial_backoff_ms),
            max_backoff_ms: whole(max_backoff_ms),
            attempt_timeout_ms: whole(attempt_timeout_ms),
            deadline_ms: whole(deadline_ms),
            refresh_skew: whole(refresh_skew),
        };
        let inner = TokenFlow::with_options(&options).js()?;
        Ok(CoreTokenFlow {
            inner: inner.with_host_signing(host_signing).with_events(events),
            client: Rc::clone(&client.inner),
        })
    }

    /// The cached token of `grant` if it is fresh at `now_ms`: a cache hit without a call.
    pub fn fresh(&mut self, grant: &CoreGrant, now_ms: f64) -> Option<AccessToken> {
        self.inner.fresh(grant.key(&self.client), ms(now_ms)).map(AccessToken::from)
    }

    /// Starts a caller's call (after a cache miss: expired tokens are dropped then, which bounds
    /// the memory of a long-lived provider).
    pub fn call(&mut self, grant: &CoreGrant, now_ms: f64) -> CoreTokenCall {
        self.inner.purge_expired(ms(now_ms));
        CoreTokenCall { inner: Some(self.inner.call(grant.key(&self.client).clone(), ms(now_ms))) }
    }

    /// The call's next step: `{ kind: 'token', token }`, `{ kind: 'fail', error }`,
    /// `{ kind: 'send', request, attempt, timeoutAtMs }`, `{ kind: 'sign', input, hashName,
    /// webCryptoHash, attempt }`, `{ kind: 'sleep', untilMs }` or `{ kind: 'wait', untilMs }`.
    pub fn poll(&mut self, call: &mut CoreTokenCall, grant: &CoreGrant, now_ms: f64) -> JsValue {
        let Some(inner) = call.inner.as_mut() else {
            return fail(maskinporten::ErrorKind::InvalidArgument, "this call was cancelled");
        };
        match self.inner.poll(inner, &self.client, &grant.options, ms(now_ms)) {
            TokenStep::Token(token) => {
                let o = step("token");
                set(&o, "token", &AccessToken::from(token).into());
                o
            }
            TokenStep::Fail(error) => {
                let o = step("fail");
                set(&o, "error", &to_js(error));
                o
            }
            TokenStep::Send { request, attempt, timeout_at_ms } => {
                let o = step("send");
                set(&o, "request", &request_to_js(&request));
                set(&o, "attempt", &JsValue::from(attempt));
                set(&o, "timeoutAtMs", &JsValue::from_f64(timeout_at_ms as f64));
                o
            }
            TokenStep::Sign { grant, attempt } => {
                let o = step("sign");
                set(&o, "input", &Uint8Array::from(grant.signing_input().as_bytes()).into());
                set(&o, "hashName", &JsValue::from_str(grant.algorithm().hash_name()));
                set(&o, "webCryptoHash", &JsValue::from_str(&crate::client::webcrypto_hash(grant.algorithm())));
                set(&o, "attempt", &JsValue::from(attempt));
                o
            }
            TokenStep::Sleep { until_ms } => until("sleep", until_ms),
            TokenStep::Wait { until_ms } => until("wait", until_ms),
            #[allow(unreachable_patterns)]
            _ => fail(maskinporten::ErrorKind::InvalidArgument, "a step this version of the package does not know"),
        }
    }

    /// Reports the HTTP answer to the call's `send` step.
    #[wasm_bindgen(js_name = handleResponse)]
    #[allow(clippy::too_many_arguments)]
    pub fn handle_response(
        &mut self,
        call: &mut CoreTokenCall,
        status: u16,
        content_type: Option<String>,
        retry_after: Option<String>,
        body: &[u8],
        now_ms: f64,
        jitter: f64,
    ) {
        let Some(inner) = call.inner.as_mut() else { return };
        let response = HttpResponse::new(status, body)
            .with_content_type(content_type.as_deref())
            .with_retry_after(retry_after.as_deref());
        self.inner.handle_response(inner, &self.client, response, ms(now_ms), jitter);
    }

    /// Reports that the call's `send` step got no answer: `failure` is `timeout`, `connect`,
    /// `reset`, `tls` or `other`; `detail` the HTTP client's description (no secrets).
    #[wasm_bindgen(js_name = handleFailure)]
    pub fn handle_failure(
        &mut self,
        call: &mut CoreTokenCall,
        failure: &str,
        detail: &str,
        now_ms: f64,
        jitter: f64,
    ) -> JsResult<()> {
        let failure = failure.parse().js()?;
        if let Some(inner) = call.inner.as_mut() {
            self.inner.handle_failure(inner, failure, detail, ms(now_ms), jitter);
        }
        Ok(())
    }

    /// Reports the signature for the call's `sign` step. `own`: made by the platform with the key
    /// the core parsed (not verified again); else (a user's own `CryptoKey`) verified against the
    /// certificate.
    #[wasm_bindgen(js_name = handleSignature)]
    pub fn handle_signature(&mut self, call: &mut CoreTokenCall, signature: &[u8], own: bool, now_ms: f64) {
        let Some(inner) = call.inner.as_mut() else { return };
        if own {
            self.inner.handle_platform_signature(inner, &self.client, signature, ms(now_ms));
        } else {
            self.inner.handle_signature(inner, &self.client, signature, ms(now_ms));
        }
    }

    /// Reports that the signer failed for the call's `sign` step.
    #[wasm_bindgen(js_name = handleSignerFailure)]
    pub fn handle_signer_failure(&mut self, call: &mut CoreTokenCall, message: &str, now_ms: f64) {
        if let Some(inner) = call.inner.as_mut() {
            self.inner.handle_signer_failure(inner, message, ms(now_ms));
        }
    }

    /// Ends a call that will not be polled again (its caller was aborted).
    pub fn cancel(&mut self, call: &mut CoreTokenCall) {
        if let Some(inner) = call.inner.take() {
            self.inner.cancel(inner);
        }
    }

    /// An API answered 401 to `rejected_access_token`: drops that token only. Whether it did.
    pub fn reject(&mut self, grant: &CoreGrant, rejected_access_token: &str) -> bool {
        self.inner.reject(grant.key(&self.client), rejected_access_token)
    }

    /// Changes whenever waiting callers must poll again.
    #[wasm_bindgen(getter)]
    pub fn generation(&self) -> f64 {
        self.inner.generation() as f64
    }

    /// The queued events as `{ event, level, message, ...fields }` objects, or `undefined`.
    pub fn events(&mut self) -> JsValue {
        let mut list: Option<Array> = None;
        while let Some(event) = self.inner.poll_event() {
            list.get_or_insert_with(Array::new).push(&event_to_js(&event));
        }
        list.map_or(JsValue::UNDEFINED, Into::into)
    }
}

fn until(kind: &str, until_ms: i64) -> JsValue {
    let o = step(kind);
    set(&o, "untilMs", &JsValue::from_f64(until_ms as f64));
    o
}

fn fail(kind: maskinporten::ErrorKind, message: &str) -> JsValue {
    let o = step("fail");
    set(&o, "error", &crate::error::invalid(kind, "call", message));
    o
}
