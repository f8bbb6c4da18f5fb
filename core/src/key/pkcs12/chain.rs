//! Which certificates of a PKCS#12 file belong to a key, leaf first, in time linear in the
//! number of certificates.
//!
//! Certificates are indexed once by subject, by issuer and by `localKeyId` (names compare as DER
//! bytes), so finding a key's certificate and each next issuer is a lookup, not a scan of every
//! pair: a file with many certificates cannot make the loader quadratic.

use super::super::certificate::ParsedCertificate;
use std::collections::{HashMap, HashSet};

/// One certificate of the file, with its names copied out of its DER once.
pub(super) struct CertEntry {
    pub(super) local_key_id: Option<Vec<u8>>,
    pub(super) der: Vec<u8>,
    subject: Vec<u8>,
    issuer: Vec<u8>,
}

impl CertEntry {
    /// `None` when `der` is not an X.509 certificate.
    pub(super) fn new(der: Vec<u8>, local_key_id: Option<Vec<u8>>) -> Option<CertEntry> {
        let parsed = ParsedCertificate::from_der(&der)?;
        let (subject, issuer) = (parsed.subject.value().to_vec(), parsed.issuer.value().to_vec());
        Some(CertEntry { local_key_id, der, subject, issuer })
    }

    pub(super) fn parsed(&self) -> Option<ParsedCertificate<'_>> {
        ParsedCertificate::from_der(&self.der)
    }

    fn self_signed(&self) -> bool {
        self.subject == self.issuer
    }
}

/// The certificates of a file, each distinct DER once, indexed.
pub(super) struct Chains<'a> {
    certs: Vec<&'a CertEntry>,
    by_subject: HashMap<&'a [u8], Vec<usize>>,
    by_issuer: HashMap<&'a [u8], Vec<usize>>,
    by_key_id: HashMap<&'a [u8], usize>,
    /// Index entries visited, for the tests' check that the work stays linear.
    pub(super) steps: usize,
}

impl<'a> Chains<'a> {
    pub(super) fn new(all: &'a [CertEntry]) -> Chains<'a> {
        let mut seen = HashSet::new();
        let certs: Vec<&CertEntry> = all.iter().filter(|cert| seen.insert(cert.der.as_slice())).collect();
        let mut chains = Chains {
            by_subject: HashMap::new(),
            by_issuer: HashMap::new(),
            by_key_id: HashMap::new(),
            steps: certs.len(),
            certs,
        };
        for (index, cert) in chains.certs.iter().enumerate() {
            chains.by_subject.entry(cert.subject.as_slice()).or_default().push(index);
            chains.by_issuer.entry(cert.issuer.as_slice()).or_default().push(index);
            if let Some(id) = &cert.local_key_id {
                chains.by_key_id.entry(id.as_slice()).or_insert(index);
            }
        }
        chains
    }

    /// The key's certificate: the one sharing its `localKeyId`, or, when the file holds one key
    /// and no IDs match, the first certificate that issued no other (the end-entity one).
    pub(super) fn leaf(&mut self, key_id: Option<&[u8]>, only_key: bool) -> Option<usize> {
        if let Some(index) = key_id.and_then(|id| self.by_key_id.get(id)) {
            return Some(*index);
        }
        if !only_key {
            return None;
        }
        (0..self.certs.len()).find(|&index| {
            let issued = self.by_issuer.get(self.certs[index].subject.as_slice()).map_or(&[][..], Vec::as_slice);
            // Distinct DER, so one other entry is enough: look at two at most.
            self.steps += issued.len().min(2);
            issued.iter().take(2).all(|&other| other == index)
        })
    }

    /// The certificate `index`, then each issuer found in the file up to a self-signed one (the
    /// first certificate with that subject; a loop ends the chain).
    pub(super) fn chain(&mut self, index: usize) -> Vec<Vec<u8>> {
        let mut visited = vec![false; self.certs.len()];
        let mut current = index;
        let mut chain = Vec::new();
        loop {
            visited[current] = true;
            chain.push(self.certs[current].der.clone());
            self.steps += 1;
            if self.certs[current].self_signed() {
                return chain;
            }
            match self.by_subject.get(self.certs[current].issuer.as_slice()).and_then(|found| found.first()) {
                Some(&next) if !visited[next] => current = next,
                _ => return chain,
            }
        }
    }

    /// The certificate `index`.
    pub(super) fn cert(&self, index: usize) -> &'a CertEntry {
        self.certs[index]
    }
}
