//! Java keystores. Since Java 9 `keytool` writes PKCS#12 by default, which loads as such. The
//! proprietary JKS and JCEKS formats (what the seed page's `-deststoretype JKS` produces) have no
//! maintained Rust reader and protect keys with a SHA-1 based scheme: we refuse them with the
//! command that converts them.

use crate::error::{Error, ErrorKind, Result};

const JKS_MAGIC: [u8; 4] = [0xFE, 0xED, 0xFE, 0xED];
const JCEKS_MAGIC: [u8; 4] = [0xCE, 0xCE, 0xCE, 0xCE];

pub(crate) fn reject_proprietary(data: &[u8]) -> Result<()> {
    let magic = data.get(..4);
    if magic == Some(&JKS_MAGIC[..]) || magic == Some(&JCEKS_MAGIC[..]) {
        return Err(Error::key(
            ErrorKind::UnsupportedKey,
            "this is a proprietary JKS/JCEKS keystore, which is not read: convert it once with \
             `keytool -importkeystore -srckeystore store.jks -srcstoretype JKS -destkeystore store.p12 -deststoretype PKCS12` \
             and load store.p12 with Key::from_pkcs12 (same password)",
        ));
    }
    Ok(())
}
