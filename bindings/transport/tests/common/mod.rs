//! Test doubles shared by the integration tests: a fake clock and a scripted transport, both
//! given to the real provider and validator through their documented options.
#![allow(dead_code)] // each test file uses a part

use maskinporten::{HttpRequest, TransportFailure};
use maskinporten_transport::{BoxFuture, Clock, RawResponse, Transport, TransportError};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A clock the test sets; a sleep records its length and jumps to its end.
#[derive(Clone, Default)]
pub struct FakeClock(Arc<ClockState>);

#[derive(Default)]
pub struct ClockState {
    now_ms: AtomicI64,
    sleeps: Mutex<Vec<i64>>,
}

impl FakeClock {
    pub fn set(&self, now_ms: i64) {
        self.0.now_ms.store(now_ms, Ordering::SeqCst);
    }

    pub fn take_sleeps(&self) -> Vec<i64> {
        std::mem::take(&mut *self.0.sleeps.lock().expect("sleeps"))
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> i64 {
        self.0.now_ms.load(Ordering::SeqCst)
    }

    fn sleep_until(&self, until_ms: i64) -> BoxFuture<'_, ()> {
        let now = self.now_ms();
        self.0.sleeps.lock().expect("sleeps").push(until_ms - now);
        self.0.now_ms.fetch_max(until_ms, Ordering::SeqCst);
        Box::pin(tokio::task::yield_now())
    }
}

/// Answers each request with the next scripted answer; counts requests and overruns.
#[derive(Clone, Default)]
pub struct Script(Arc<ScriptState>);

#[derive(Default)]
pub struct ScriptState {
    answers: Mutex<VecDeque<Value>>,
    requests: AtomicUsize,
    overruns: AtomicUsize,
    sent: Mutex<Vec<HttpRequest>>,
}

impl Script {
    pub fn load(&self, answers: &Value) {
        let mut queue = self.0.answers.lock().expect("answers");
        queue.clear();
        queue.extend(answers.as_array().expect("answers").iter().cloned());
        self.0.requests.store(0, Ordering::SeqCst);
    }

    /// Answers not used yet.
    pub fn left(&self) -> usize {
        self.0.answers.lock().expect("answers").len()
    }

    /// The requests sent so far.
    pub fn sent(&self) -> Vec<HttpRequest> {
        self.0.sent.lock().expect("sent").clone()
    }

    /// Requests sent since `load`; panics if answers ran out or are left over (as the
    /// reference executor does).
    pub fn requests(&self, scenario: &str) -> usize {
        assert_eq!(self.0.overruns.swap(0, Ordering::SeqCst), 0, "{scenario}: more requests than scripted answers");
        assert!(self.0.answers.lock().expect("answers").is_empty(), "{scenario}: fewer requests than scripted answers");
        self.0.requests.load(Ordering::SeqCst)
    }
}

impl Transport for Script {
    fn send<'a>(&'a self, request: &'a HttpRequest) -> BoxFuture<'a, Result<RawResponse, TransportError>> {
        self.0.requests.fetch_add(1, Ordering::SeqCst);
        self.0.sent.lock().expect("sent").push(request.clone());
        let answer = self.0.answers.lock().expect("answers").pop_front();
        let outcome = match answer {
            None => {
                self.0.overruns.fetch_add(1, Ordering::SeqCst);
                Err(TransportError::new(TransportFailure::Other, "no scripted answer left"))
            }
            Some(answer) => match answer["failure"].as_str() {
                Some(kind) => Err(TransportError::new(kind.parse().expect("failure kind"), "scripted")),
                None => Ok(RawResponse {
                    status: u16::try_from(answer["status"].as_u64().expect("status")).expect("u16"),
                    content_type: answer["content_type"].as_str().map(str::to_string),
                    retry_after: answer["retry_after"].as_str().map(str::to_string),
                    body: answer["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
                }),
            },
        };
        Box::pin(async move {
            // Let the other callers reach their wait before the answer arrives.
            tokio::task::yield_now().await;
            outcome
        })
    }
}
