//! The API's state on disk (`--state FILE`): every client the API knows, with its key set.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::directory::ClientRecord;

const VERSION: u32 = 1;

#[derive(Serialize)]
struct Saving<'a> {
    version: u32,
    clients: &'a [&'a ClientRecord],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Loaded {
    version: u32,
    clients: Vec<ClientRecord>,
}

/// The saved clients, or `None` when the file does not exist yet (it is written at the first
/// change).
pub(crate) fn load(path: &Path) -> Result<Option<Vec<ClientRecord>>, String> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the state file {}: {e}", path.display())),
    };
    let loaded: Loaded = serde_json::from_slice(&text).map_err(|e| {
        format!("the state file {} is not the simulator's state: {e}; remove it to start empty", path.display())
    })?;
    if loaded.version != VERSION {
        return Err(format!(
            "the state file {} has version {}, this simulator reads version {VERSION}; remove it to start empty",
            path.display(),
            loaded.version
        ));
    }
    Ok(Some(loaded.clients))
}

/// Writes the whole state to a temporary file beside `path`, then renames it over `path`, so a
/// crash never leaves half a file.
pub(crate) fn save(path: &Path, clients: &[&ClientRecord]) -> Result<(), String> {
    let text = serde_json::to_vec_pretty(&Saving { version: VERSION, clients })
        .map_err(|e| format!("cannot encode the state: {e}"))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = std::path::PathBuf::from(temporary);
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("cannot write the state file {}: {e}", path.display()))
}
