//! How much work one PKCS#12 file may ask for, counted per file and checked before the work.
//!
//! A PKCS#12 file names its own cost, and it is read before any password check: key-derivation
//! rounds for its MAC and for each encrypted part, and any number of bags and certificates. A
//! crafted file of a few kilobytes could otherwise hold a loader for minutes. Real files stay far
//! below these limits:
//! - key-derivation rounds, summed over the MAC and every encrypted part (the legacy ciphers
//!   derive key and IV separately, so they count twice): OpenSSL 3 writes 2,048 per derivation,
//!   about 6,000 per file (10,000 for `-legacy`); Java's keytool 10,000 per derivation, about
//!   30,000 per file with one key; Windows 2,000. .NET's loader refuses more than 1,000,000 per
//!   file by default (`Pkcs12LoaderLimits.TotalKdfIterationLimit`), and so do we: natively about
//!   half a second of hashing at most. Each derivation is paid for before it runs, and the
//!   shrouded keys of each SafeContents are counted together before the first is derived, so a
//!   MAC or a set of keys declaring more is refused without a round spent;
//! - bags (keys, certificates and anything else): 2,000, and certificates: 1,000 (a keystore
//!   holding Java's whole `cacerts` has about 150);
//! - the file: 4 MiB (a key and a chain take about 10 KB).

use crate::error::{Error, ErrorKind, Result};

/// Largest file read, in bytes.
pub(super) const MAX_FILE_BYTES: usize = 4 << 20;
/// Key-derivation rounds per file, MAC and every encrypted part together.
pub(super) const MAX_KDF_ROUNDS: u64 = 1_000_000;
/// Bags per file, of every type.
pub(super) const MAX_BAGS: usize = 2_000;
/// Certificates per file.
pub(super) const MAX_CERTIFICATES: usize = 1_000;

/// The work done so far on one file.
#[derive(Debug, Default)]
pub(super) struct Budget {
    /// Key-derivation rounds spent.
    pub(super) rounds: u64,
    bags: usize,
    certificates: usize,
    planning: bool,
}

impl Budget {
    /// A budget that only counts: each spend records its rounds and stops the derivation with
    /// an error, so running a decryption with it reads what a part declares, deriving nothing.
    pub(super) fn planning() -> Budget {
        Budget { planning: true, ..Budget::default() }
    }

    /// Refuses the file when `declared` more rounds would exceed the limit; spends nothing. Called
    /// with everything one level of the file declares, before any of it is derived.
    pub(super) fn afford(&self, declared: u64) -> Result<()> {
        if self.rounds.saturating_add(declared) > MAX_KDF_ROUNDS {
            return Err(over(
                "asks for more than 1000000 key-derivation rounds in all (its MAC and encrypted parts together)",
            ));
        }
        Ok(())
    }

    /// Spends `rounds` of key derivation, before deriving.
    pub(super) fn spend(&mut self, rounds: u64) -> Result<()> {
        if self.planning {
            self.rounds = self.rounds.saturating_add(rounds);
            return Err(Error::key(ErrorKind::InvalidKey, String::new()));
        }
        self.afford(rounds)?;
        self.rounds += rounds;
        Ok(())
    }

    /// Counts `count` more bags.
    pub(super) fn add_bags(&mut self, count: usize) -> Result<()> {
        self.bags = self.bags.saturating_add(count);
        if self.bags > MAX_BAGS {
            return Err(over("holds more than 2000 bags"));
        }
        Ok(())
    }

    /// Counts one more certificate.
    pub(super) fn add_certificate(&mut self) -> Result<()> {
        self.certificates += 1;
        if self.certificates > MAX_CERTIFICATES {
            return Err(over("holds more than 1000 certificates"));
        }
        Ok(())
    }
}

/// Refuses a file over [`MAX_FILE_BYTES`]. (The messages spell the limits out as literals, which
/// keeps formatting code out of the build; the tests check them against the constants.)
pub(super) fn check_size(len: usize) -> Result<()> {
    if len > MAX_FILE_BYTES {
        return Err(over("is larger than 4194304 bytes (4 MiB)"));
    }
    Ok(())
}

fn over(what: &str) -> Error {
    Error::key(
        ErrorKind::InvalidKey,
        format!("the PKCS#12 file {what}, far beyond any real keystore: it is not read (re-export it with `openssl pkcs12 -export`)"),
    )
}
