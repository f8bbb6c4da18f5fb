//! Loading a keystore file (PKCS#12, JKS or JCEKS: the core tells them apart by content) and
//! saying what went wrong in this command line's words: the file's name, and the option or
//! `.properties` key to change, never a library function to call.

use crate::error::{read_file, CliError, CliResult};
use maskinporten::{ErrorKind, Key};
use std::path::Path;
use zeroize::Zeroizing;

/// Where a keystore and its settings came from, for error messages.
pub enum Source<'a> {
    /// `--p12`/`--jks`/`--keystore FILE` with `--password-env`/`--password-file`.
    Options { password_from: String },
    /// `keystore.file` in this `.properties` file.
    Properties { file: &'a Path, password_from: String },
}

/// What opens the keystore and picks its key.
pub struct Unlock<'a> {
    pub password: Zeroizing<String>,
    pub key_password: Option<Zeroizing<String>>,
    pub alias: Option<&'a str>,
}

/// Reads and loads the keystore at `path`.
pub fn load(path: &Path, unlock: &Unlock<'_>, source: &Source<'_>) -> CliResult<Key> {
    let what = match source {
        Source::Options { .. } => "keystore",
        Source::Properties { .. } => "keystore.file",
    };
    let data = Zeroizing::new(read_file(path, what)?);
    let key_password = unlock.key_password.as_ref().map(|p| p.as_str());
    Key::from_jks(&data, &unlock.password, unlock.alias, key_password).map_err(|e| explain(e, path, source))
}

/// The core's message, prefixed with the file's name and followed by what to change here.
fn explain(error: maskinporten::Error, path: &Path, source: &Source<'_>) -> CliError {
    let file = crate::error::shown_path(path);
    let message = error.to_string();
    // Only these two are about the alias (not a store of trusted certificates only).
    let about_alias = message.contains("several keys") || message.contains("no key entry with the alias given");
    let fix = match (error.kind(), source) {
        (ErrorKind::WrongPassword, Source::Options { password_from }) => {
            format!(" (the password came from {password_from})")
        }
        (ErrorKind::WrongPassword, Source::Properties { file, password_from }) => {
            format!(
                " (the password came from {password_from}; set keystore.password in {})",
                crate::error::shown_path(file)
            )
        }
        (ErrorKind::WrongKeyPassword, Source::Options { .. }) => {
            " (give the key password with --key-password-env VAR or --key-password-file FILE)".to_string()
        }
        (ErrorKind::WrongKeyPassword, Source::Properties { file, .. }) => format!(
            " (set keystore.alias.password in {}, or give --key-password-env VAR / --key-password-file FILE)",
            crate::error::shown_path(file)
        ),
        (ErrorKind::KeyNotFound, Source::Options { .. }) if about_alias => " (with --alias NAME)".to_string(),
        (ErrorKind::KeyNotFound, Source::Properties { file, .. }) if about_alias => {
            format!(" (with keystore.alias in {}, or --alias NAME)", crate::error::shown_path(file))
        }
        _ => String::new(),
    };
    CliError::Message(format!("{file}: {message}{fix}"))
}
