//! `Name`: a list's name, kept inline when short, so that sending a
//! request, looking a list up and keeping it in the manager's table
//! allocate nothing for the usual names.

use std::fmt;

/// Longest name kept inline.
const INLINE: usize = 22;

/// A list name: kept inline up to 22 bytes (24 bytes in all), so that
/// sending a request, looking a list up, and keeping it in the manager's
/// table allocate nothing for the usual short names; longer ones (the
/// protocol allows 255) go to the heap. Hashes and compares as its bytes,
/// so a table keyed by `Name` is searched with a `&[u8]`.
#[derive(Clone)]
pub struct Name(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Name {
    /// Copies `bytes` into a name.
    pub fn new(bytes: &[u8]) -> Name {
        if bytes.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            Name(Repr::Inline {
                len: bytes.len() as u8,
                bytes: inline,
            })
        } else {
            Name(Repr::Heap(bytes.into()))
        }
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Heap(bytes) => bytes,
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Name {}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `[u8]` hashes, which `Borrow<[u8]>` requires.
        self.as_bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for Name {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_inline_and_on_the_heap() {
        for len in [0, 1, 22, 23, 255] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(Name::new(&bytes).as_bytes(), &bytes[..]);
        }
        assert_eq!(std::mem::size_of::<Name>(), 24);
    }

    #[test]
    fn names_are_found_by_their_bytes() {
        let mut table = std::collections::HashMap::new();
        table.insert(Name::new(b"short"), 1);
        table.insert(Name::new(&[b'l'; 40]), 2);
        assert_eq!(table.get(&b"short"[..]), Some(&1));
        assert_eq!(table.get(&[b'l'; 40][..]), Some(&2));
        assert_eq!(table.get(&b"shor"[..]), None);
        assert_eq!(Name::new(b"x"), Name::new(b"x"));
    }
}
