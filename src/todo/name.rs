//! `Name`: a list's name, kept inline when short (see `inline.rs`).

use std::fmt;

use super::inline::Inline;

/// A list name: inline up to 22 bytes, so that sending a request, looking a
/// list up, and keeping it in the manager's table allocate nothing for the
/// usual short names; longer ones (the protocol allows 255) go to the heap.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Name(Inline);

impl Name {
    /// Copies `bytes` into a name.
    pub fn new(bytes: &[u8]) -> Name {
        Name(Inline::new(bytes))
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::borrow::Borrow<[u8]> for Name {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An item on its way to a list: inline up to 22 bytes, so that a `PUT` of
/// a short item allocates nothing until the list stores it.
#[derive(Clone, PartialEq, Eq)]
pub struct Item(Inline);

impl Item {
    /// Copies `bytes` into an item.
    pub fn new(bytes: &[u8]) -> Item {
        Item(Inline::new(bytes))
    }
}

impl std::ops::Deref for Item {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
