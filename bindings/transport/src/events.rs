//! The flows' events, forwarded to `tracing` and to an optional listener.

use maskinporten::{EventLevel, FlowEvent};
use std::sync::Arc;

/// Called with every event of a provider's or validator's flow (after `tracing` got it):
/// progress output, metrics. Runs outside the provider's lock; keep it short.
pub type EventListener = Arc<dyn Fn(&FlowEvent) + Send + Sync>;

/// Sends `events` to `tracing` (target `maskinporten`, the event's level, its name and JSON
/// fields; the message is the event's one-line text) and to `listener`. Events never hold a
/// token, a grant or a key: the core names a token by its cache key's label.
pub(crate) fn forward(events: Vec<FlowEvent>, listener: Option<&EventListener>) {
    for event in events {
        let name = event.name();
        // The JSON is only built when a subscriber takes the event at this level.
        match event.level() {
            EventLevel::Debug => {
                tracing::debug!(target: "maskinporten", event = name, fields = %event.to_json(), "{event}")
            }
            EventLevel::Info => {
                tracing::info!(target: "maskinporten", event = name, fields = %event.to_json(), "{event}")
            }
            EventLevel::Warn => {
                tracing::warn!(target: "maskinporten", event = name, fields = %event.to_json(), "{event}")
            }
            EventLevel::Error => {
                tracing::error!(target: "maskinporten", event = name, fields = %event.to_json(), "{event}")
            }
        }
        if let Some(listener) = listener {
            listener(&event);
        }
    }
}
