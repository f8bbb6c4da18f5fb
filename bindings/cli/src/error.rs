//! The CLI's errors: the core's, or a local problem (a file, a missing variable, usage).

use std::fmt;

/// Printed as one line on stderr; `Usage` exits 2, everything else 1.
#[derive(Debug)]
pub enum CliError {
    /// From the core or the transport (its message already says what to do, MP hint included).
    Core(maskinporten::Error),
    /// A local problem (unreadable file, unset variable) with what to do.
    Message(String),
    /// A wrong combination of options (exit code 2, like clap's own usage errors).
    Usage(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Core(e) => {
                write!(f, "{e}")?;
                if let Some(field) = e.field() {
                    if !e.to_string().starts_with(field) {
                        write!(f, " (field: {field})")?;
                    }
                }
                Ok(())
            }
            CliError::Message(m) | CliError::Usage(m) => f.write_str(m),
        }
    }
}

impl From<maskinporten::Error> for CliError {
    fn from(e: maskinporten::Error) -> Self {
        CliError::Core(e)
    }
}

/// Shorthand.
pub type CliResult<T> = Result<T, CliError>;

/// Reads a file, naming it and the option it came from on failure.
pub fn read_file(path: &std::path::Path, what: &str) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| CliError::Message(format!("cannot read {what} {}: {e}", shown_path(path))))
}

/// Reads a UTF-8 text file.
pub fn read_text(path: &std::path::Path, what: &str) -> CliResult<String> {
    String::from_utf8(read_file(path, what)?)
        .map_err(|_| CliError::Message(format!("{what} {} is not UTF-8 text", shown_path(path))))
}

/// A file name for a message: a long one (a value pasted where a path belongs: a key, a
/// keystore as base64) is cut, so a message never carries much more than a name.
pub fn shown_path(path: &std::path::Path) -> String {
    const MAX: usize = 120;
    let text = path.display().to_string();
    let count = text.chars().count();
    if count <= MAX {
        text
    } else {
        format!("{}... ({count} characters)", text.chars().take(40).collect::<String>())
    }
}
