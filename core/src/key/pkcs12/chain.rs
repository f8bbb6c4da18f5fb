//! Which certificates of a PKCS#12 file belong to a key, leaf first, in time linear in the
//! number of certificates.
//!
//! Certificates are indexed once by subject, by issuer, by `localKeyId` and by their DER (names
//! compare as DER bytes), so finding a key's certificate and each next issuer is a lookup, not a
//! scan of every pair: a file with many certificates cannot make the loader quadratic. The index
//! is a small open-addressing table rather than a `HashMap` (whose instantiations for these key
//! types cost about 3 KB of the WebAssembly module); its hash is not keyed, so names crafted to
//! collide cost at most the square of the certificate limit in slice comparisons, milliseconds.

use super::super::certificate::ParsedCertificate;

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
    by_subject: Index,
    by_issuer: Index,
    by_key_id: Index,
    /// Table slots and chain links visited, for the tests' check that the work stays linear.
    pub(super) steps: usize,
}

impl<'a> Chains<'a> {
    pub(super) fn new(all: &'a [CertEntry]) -> Chains<'a> {
        let mut steps = 0;
        let all: Vec<&CertEntry> = all.iter().collect();
        let mut by_der = Index::new(all.len(), der);
        let certs: Vec<&CertEntry> =
            (0..all.len()).filter(|&i| by_der.add(&all, i, &mut steps)).map(|i| all[i]).collect();
        let count = certs.len();
        let (mut by_subject, mut by_issuer, mut by_key_id) =
            (Index::new(count, subject), Index::new(count, issuer), Index::new(count, key_id));
        for index in 0..count {
            by_subject.add(&certs, index, &mut steps);
            by_issuer.add(&certs, index, &mut steps);
            if certs[index].local_key_id.is_some() {
                by_key_id.add(&certs, index, &mut steps);
            }
        }
        Chains { certs, by_subject, by_issuer, by_key_id, steps }
    }

    /// The key's certificate: the one sharing its `localKeyId`, or, when the file holds one key
    /// and no IDs match, the first certificate that issued no other (the end-entity one).
    pub(super) fn leaf(&mut self, key_id: Option<&[u8]>, only_key: bool) -> Option<usize> {
        if let Some((index, _)) = key_id.and_then(|id| self.by_key_id.get(&self.certs, id, &mut self.steps)) {
            return Some(index);
        }
        if !only_key {
            return None;
        }
        (0..self.certs.len()).find(|&index| {
            // The first two certificates it issued: one that is not itself is enough.
            let issued = self.by_issuer.get(&self.certs, &self.certs[index].subject, &mut self.steps);
            issued.is_none_or(|(first, second)| first == index && second.is_none())
        })
    }

    /// The certificate `index`, then each issuer found in the file up to a self-signed one (the
    /// first certificate with that subject; a loop ends the chain).
    pub(super) fn chain(&mut self, index: usize) -> Vec<Vec<u8>> {
        let mut visited = Index::new(self.certs.len(), der);
        let mut current = index;
        let mut chain = Vec::new();
        loop {
            visited.add(&self.certs, current, &mut self.steps);
            chain.push(self.certs[current].der.clone());
            if self.certs[current].self_signed() {
                return chain;
            }
            match self.by_subject.get(&self.certs, &self.certs[current].issuer, &mut self.steps) {
                Some((next, _)) if visited.get(&self.certs, &self.certs[next].der, &mut self.steps).is_none() => {
                    current = next
                }
                _ => return chain,
            }
        }
    }

    /// The certificate `index`.
    pub(super) fn cert(&self, index: usize) -> &'a CertEntry {
        self.certs[index]
    }
}

fn der(cert: &CertEntry) -> &[u8] {
    &cert.der
}

fn subject(cert: &CertEntry) -> &[u8] {
    &cert.subject
}

fn issuer(cert: &CertEntry) -> &[u8] {
    &cert.issuer
}

fn key_id(cert: &CertEntry) -> &[u8] {
    cert.local_key_id.as_deref().unwrap_or_default()
}

/// An open-addressing table of certificates keyed by one of their byte strings (`key`): the
/// first two positions added under each key, stored plus one (0 is an empty slot).
struct Index {
    key: fn(&CertEntry) -> &[u8],
    first: Vec<usize>,
    second: Vec<usize>,
}

impl Index {
    fn new(entries: usize, key: fn(&CertEntry) -> &[u8]) -> Index {
        let slots = (2 * entries).next_power_of_two().max(2);
        Index { key, first: vec![0; slots], second: vec![0; slots] }
    }

    /// The slot holding `key`, or the empty one where it belongs (FNV-1a, linear probing).
    fn find(&self, certs: &[&CertEntry], key: &[u8], steps: &mut usize) -> usize {
        let mask = self.first.len() - 1;
        let hash = key.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
        let mut at = (hash as usize) & mask;
        loop {
            *steps += 1;
            match self.first[at] {
                0 => return at,
                stored if (self.key)(certs[stored - 1]) == key => return at,
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// Adds the certificate at `position` under its key; whether the key was new.
    fn add(&mut self, certs: &[&CertEntry], position: usize, steps: &mut usize) -> bool {
        let at = self.find(certs, (self.key)(certs[position]), steps);
        if self.first[at] == 0 {
            self.first[at] = position + 1;
            return true;
        }
        if self.second[at] == 0 {
            self.second[at] = position + 1;
        }
        false
    }

    /// The first position added under `key`, and the second if there is one.
    fn get(&self, certs: &[&CertEntry], key: &[u8], steps: &mut usize) -> Option<(usize, Option<usize>)> {
        let at = self.find(certs, key, steps);
        Some((self.first[at].checked_sub(1)?, self.second[at].checked_sub(1)))
    }
}
