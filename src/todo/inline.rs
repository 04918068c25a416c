//! `Inline`: bytes kept inline when short (up to 22, 24 bytes in all) and
//! on the heap when long: a list's name, and an item on its way to a list,
//! so that sending a request, looking a list up and keeping a name in the
//! manager's table allocate nothing for the usual sizes.

use std::fmt;

/// Longest byte string kept inline.
const INLINE: usize = 22;

/// Bytes, inline up to 22 of them, else on the heap. Hashes and compares
/// as its bytes, so a table keyed by it is searched with a `&[u8]`.
#[derive(Clone)]
pub struct Inline(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Inline {
    /// Copies `bytes`.
    pub fn new(bytes: &[u8]) -> Inline {
        if bytes.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            Inline(Repr::Inline {
                len: bytes.len() as u8,
                bytes: inline,
            })
        } else {
            Inline(Repr::Heap(bytes.into()))
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Heap(bytes) => bytes,
        }
    }
}

impl PartialEq for Inline {
    fn eq(&self, other: &Inline) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Inline {}

impl std::hash::Hash for Inline {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `[u8]` hashes, which `Borrow<[u8]>` requires.
        self.as_bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for Inline {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Inline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_inline_and_on_the_heap() {
        for len in [0, 1, 22, 23, 255] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(Inline::new(&bytes).as_bytes(), &bytes[..]);
        }
        assert_eq!(std::mem::size_of::<Inline>(), 24);
    }

    #[test]
    fn bytes_are_found_by_their_bytes() {
        let mut table = std::collections::HashMap::new();
        table.insert(Inline::new(b"short"), 1);
        table.insert(Inline::new(&[b'l'; 40]), 2);
        assert_eq!(table.get(&b"short"[..]), Some(&1));
        assert_eq!(table.get(&[b'l'; 40][..]), Some(&2));
        assert_eq!(table.get(&b"shor"[..]), None);
        assert_eq!(Inline::new(b"x"), Inline::new(b"x"));
    }
}
