//! The flows around the single protocol steps, as sans-IO state machines: when to fetch, wait,
//! retry, serve a still-valid token or drop a rejected one. Hosts execute the steps; they never
//! decide. See [`TokenFlow`] for the call order.

mod events;
mod http;
mod options;
mod policy;
mod retry_after;
mod token;

pub use events::{EventLevel, FlowEvent};
pub use http::{HttpResponse, TransportFailure};
pub use options::FlowOptions;
pub use policy::RetryPolicy;
pub use token::{TokenCall, TokenFlow, TokenStep};

pub(crate) use token::check_now_ms;

#[cfg(test)]
mod tests;
