//! Which certificates of a PKCS#12 file belong to a key, leaf first, in time linear in the
//! number of certificates.
//!
//! Certificates are indexed once by subject, by issuer and by their DER (names compare as DER
//! bytes), so finding a key's end-entity certificate and each next issuer is a lookup, not a
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
    by_subject: Index<'a>,
    by_issuer: Index<'a>,
    /// Table slots and chain links visited, for the tests' check that the work stays linear.
    pub(super) steps: usize,
}

impl<'a> Chains<'a> {
    pub(super) fn new(all: &'a [CertEntry]) -> Chains<'a> {
        let mut steps = 0;
        let mut by_der = Index::new(all.len());
        let certs: Vec<&CertEntry> = all.iter().filter(|cert| by_der.add(&cert.der, 0, &mut steps)).collect();
        let (mut by_subject, mut by_issuer) = (Index::new(certs.len()), Index::new(certs.len()));
        for (index, cert) in certs.iter().enumerate() {
            by_subject.add(&cert.subject, index, &mut steps);
            by_issuer.add(&cert.issuer, index, &mut steps);
        }
        Chains { certs, by_subject, by_issuer, steps }
    }

    /// The key's certificate: the one sharing its `localKeyId`, or, when the file holds one key
    /// and no IDs match, the first certificate that issued no other (the end-entity one).
    pub(super) fn leaf(&mut self, key_id: Option<&[u8]>, only_key: bool) -> Option<usize> {
        // Files hold a key or two: a scan per key (bounded by the bag and certificate limits).
        if let Some(index) = key_id.and_then(|id| self.certs.iter().position(|c| c.local_key_id.as_deref() == Some(id)))
        {
            return Some(index);
        }
        if !only_key {
            return None;
        }
        (0..self.certs.len()).find(|&index| {
            // The first two certificates it issued: one that is not itself is enough.
            let issued = self.by_issuer.get(&self.certs[index].subject, &mut self.steps);
            issued.is_none_or(|(first, second)| first == index && second.is_none())
        })
    }

    /// The certificate `index`, then each issuer found in the file up to a self-signed one (the
    /// first certificate with that subject; a loop ends the chain).
    pub(super) fn chain(&mut self, index: usize) -> Vec<Vec<u8>> {
        // The same table type as the index, not a Vec<bool>: one less instantiation in the build.
        let mut visited = Index::new(self.certs.len());
        let mut current = index;
        let mut chain = Vec::new();
        loop {
            visited.add(&self.certs[current].der, current, &mut self.steps);
            chain.push(self.certs[current].der.clone());
            if self.certs[current].self_signed() {
                return chain;
            }
            match self.by_subject.get(&self.certs[current].issuer, &mut self.steps) {
                Some((next, _)) if visited.get(&self.certs[next].der, &mut self.steps).is_none() => current = next,
                _ => return chain,
            }
        }
    }

    /// The certificate `index`.
    pub(super) fn cert(&self, index: usize) -> &'a CertEntry {
        self.certs[index]
    }
}

const EMPTY: usize = usize::MAX;

/// An open-addressing table from a byte string to the first two values added under it.
struct Index<'a> {
    slots: Vec<(&'a [u8], usize, usize)>,
}

impl<'a> Index<'a> {
    fn new(entries: usize) -> Index<'a> {
        Index { slots: vec![(&[][..], EMPTY, EMPTY); (2 * entries).next_power_of_two().max(2)] }
    }

    /// The slot holding `key`, or the empty one where it belongs (FNV-1a, linear probing).
    fn find(&self, key: &[u8], steps: &mut usize) -> usize {
        let mask = self.slots.len() - 1;
        let hash = key.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
        let mut at = (hash as usize) & mask;
        loop {
            *steps += 1;
            let (stored, first, _) = self.slots[at];
            if first == EMPTY || stored == key {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds `value` under `key`; whether the key was new.
    fn add(&mut self, key: &'a [u8], value: usize, steps: &mut usize) -> bool {
        let at = self.find(key, steps);
        let slot = &mut self.slots[at];
        if slot.1 == EMPTY {
            *slot = (key, value, EMPTY);
            return true;
        }
        if slot.2 == EMPTY {
            slot.2 = value;
        }
        false
    }

    /// The first value under `key`, and the second if there is one.
    fn get(&self, key: &[u8], steps: &mut usize) -> Option<(usize, Option<usize>)> {
        let (_, first, second) = self.slots[self.find(key, steps)];
        (first != EMPTY).then_some((first, (second != EMPTY).then_some(second)))
    }
}
