//! A client's key directory: the private keys a rotation made (`KID.key.pem` and
//! `KID.private.jwk.json`, mode 0600), their public JWKs (`KID.jwk.json`), the `current` file
//! naming the kid to sign with, and `client_id`, so one folder never serves two clients.

use crate::error::{read_text, CliError, CliResult};
use aws_lc_rs::encoding::AsDer;
use maskinporten::Key;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// One client's key directory.
pub struct KeyDir {
    path: PathBuf,
}

const CURRENT: &str = "current";
const CLIENT_ID: &str = "client_id";

impl KeyDir {
    /// The folder at `path` (made, mode 0700, when missing).
    pub fn open(path: &Path) -> CliResult<KeyDir> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(path).map_err(|e| CliError::Message(format!("cannot create {}: {e}", path.display())))?;
        Ok(KeyDir { path: path.to_path_buf() })
    }

    /// An existing key directory (for `token --key-dir`).
    pub fn existing(path: &Path) -> CliResult<KeyDir> {
        if !path.is_dir() {
            return Err(CliError::Message(format!(
                "{} is not a key directory: make one with `maskinporten keys rotate --key-dir {}` or `keys add --key-dir`",
                path.display(),
                path.display()
            )));
        }
        Ok(KeyDir { path: path.to_path_buf() })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The client the folder belongs to, if recorded.
    pub fn client_id(&self) -> CliResult<Option<String>> {
        self.read_small(CLIENT_ID)
    }

    /// Records that the folder belongs to `client_id`, refusing a folder of another client.
    pub fn claim(&self, client_id: &str) -> CliResult<()> {
        match self.client_id()? {
            Some(owner) if owner == client_id => Ok(()),
            Some(owner) => Err(CliError::Message(format!(
                "{} holds the keys of the client {owner}, not {client_id}: give each client its own --key-dir",
                self.path.display()
            ))),
            None => self.replace(CLIENT_ID, client_id),
        }
    }

    /// The kid to sign with, if one was chosen.
    pub fn current(&self) -> CliResult<Option<String>> {
        self.read_small(CURRENT)
    }

    /// Signs with `kid` from now on (its private key must be here).
    pub fn set_current(&self, kid: &str) -> CliResult<()> {
        checked_kid(kid)?;
        if !self.has(kid) {
            return Err(CliError::Message(format!(
                "{} has no private key for the kid {kid:?}: it was made elsewhere, so this folder cannot sign with it",
                self.path.display()
            )));
        }
        self.replace(CURRENT, kid)
    }

    /// Whether the private key of `kid` is here.
    pub fn has(&self, kid: &str) -> bool {
        self.file(kid, "key.pem").is_file()
    }

    /// The signing key of `kid` (with its kid, so grants carry `kid`).
    pub fn load(&self, kid: &str) -> CliResult<Key> {
        checked_kid(kid)?;
        let pem = Zeroizing::new(read_text(&self.file(kid, "key.pem"), "key-directory key")?);
        Ok(Key::from_pem(&pem, None)?.with_kid(kid)?)
    }

    /// The key `current` names.
    pub fn signing_key(&self) -> CliResult<Key> {
        let kid = self.current()?.ok_or_else(|| {
            CliError::Message(format!(
                "{} has no current key yet: run `maskinporten keys rotate` (or `keys add --key-dir`) first",
                self.path.display()
            ))
        })?;
        self.load(&kid)
    }

    /// A new RSA 2048 key for `kid`, written as PEM and private JWK (mode 0600) and public JWK.
    /// When the files of `kid` exist already (a run that stopped before registering the key), that
    /// key is used again rather than a second one made.
    pub fn generate(&self, kid: &str) -> CliResult<Key> {
        checked_kid(kid)?;
        if self.has(kid) {
            return self.load(kid);
        }
        // A JWK without its PEM is what a run that stopped halfway left: made again below.
        let _ = std::fs::remove_file(self.file(kid, "private.jwk.json"));
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| CliError::Message("RSA key generation failed".into()))?;
        let der = pair.as_der().map_err(|_| CliError::Message("could not encode the new key as PKCS#8".into()))?;
        let pem = Zeroizing::new(pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec())));
        let key = Key::from_pem(&pem, None)?.with_kid(kid)?;
        let private_jwk =
            key.private_jwk().ok_or_else(|| CliError::Message("the new key has no private half".into()))?;
        let public_jwk = key.public_jwk().ok_or_else(|| CliError::Message("the new key has no public half".into()))?;
        // The JWK first: the PEM's presence is what marks the key as made (`has`).
        write_private(&self.file(kid, "private.jwk.json"), private_jwk.as_bytes())?;
        std::fs::write(self.file(kid, "jwk.json"), format!("{public_jwk}\n"))
            .map_err(|e| CliError::Message(format!("cannot write into {}: {e}", self.path.display())))?;
        write_private(&self.file(kid, "key.pem"), pem.as_bytes())?;
        Ok(key)
    }

    /// Deletes the private files of a key no longer registered. Returns whether any were here.
    pub fn forget(&self, kid: &str) -> CliResult<bool> {
        let mut found = false;
        for suffix in ["key.pem", "private.jwk.json"] {
            let path = self.file(kid, suffix);
            match std::fs::remove_file(&path) {
                Ok(()) => found = true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(CliError::Message(format!("cannot delete {}: {e}", path.display()))),
            }
        }
        Ok(found)
    }

    /// A file of `kid`; a kid that breaks the core's rule (`[A-Za-z0-9._-]+`, so no path
    /// separator) names no file here.
    fn file(&self, kid: &str, suffix: &str) -> PathBuf {
        if checked_kid(kid).is_err() || kid.starts_with('.') {
            return self.path.join(format!(".invalid-kid.{suffix}"));
        }
        self.path.join(format!("{kid}.{suffix}"))
    }

    fn read_small(&self, name: &str) -> CliResult<Option<String>> {
        let path = self.path.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => Ok(Some(text.trim().to_string())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CliError::Message(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Writes a small file whole: a temporary file renamed over it, so a reader (a `token` run
    /// from another process) sees the old value or the new one, never half.
    fn replace(&self, name: &str, value: &str) -> CliResult<()> {
        let path = self.path.join(name);
        let temporary = self.path.join(format!(".{name}.tmp"));
        std::fs::write(&temporary, format!("{value}\n"))
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|e| CliError::Message(format!("cannot write {}: {e}", path.display())))
    }
}

/// `kid` when it follows the core's kid rule (the check `Key::with_kid` makes), else its error.
fn checked_kid(kid: &str) -> CliResult<&str> {
    Key::from_external(None, Some(kid))?;
    Ok(kid)
}

/// A new secret file, mode 0600 from the start, never over an existing one.
fn write_private(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file =
        options.open(path).map_err(|e| CliError::Message(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes).map_err(|e| CliError::Message(format!("cannot write {}: {e}", path.display())))
}
