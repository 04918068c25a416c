//! A list's items, packed into one byte buffer: each item's bytes followed
//! by its length as a little-endian `u32`. One allocation per list instead
//! of one per item, and `LIST` walks it backwards, newest first.

/// The items of one list, oldest first in memory. No count is kept: a
/// list process stays smaller without it, and only exits need one.
#[derive(Debug, Default)]
pub struct Items {
    bytes: Vec<u8>,
}

/// Bytes of the length after each item.
const LEN: usize = 4;

impl Items {
    /// Adds an item as the newest.
    pub fn push(&mut self, item: &[u8]) {
        self.bytes.reserve(item.len() + LEN);
        self.bytes.extend_from_slice(item);
        self.bytes
            .extend_from_slice(&(item.len() as u32).to_le_bytes());
    }

    /// The items, newest first.
    pub fn newest_first(&self) -> NewestFirst<'_> {
        NewestFirst { bytes: &self.bytes }
    }

    /// Removes the newest item equal to `item`; whether there was one.
    pub fn remove_newest(&mut self, item: &[u8]) -> bool {
        let mut end = self.bytes.len();
        for found in self.newest_first() {
            let start = end - LEN - found.len();
            if found == item {
                self.bytes.drain(start..end);
                return true;
            }
            end = start;
        }
        false
    }
}

/// Iterator over items, newest first.
#[derive(Debug)]
pub struct NewestFirst<'a> {
    bytes: &'a [u8],
}

impl<'a> Iterator for NewestFirst<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (rest, len) = self.bytes.split_last_chunk::<LEN>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let (rest, item) = rest.split_at(rest.len() - len);
        self.bytes = rest;
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(items: &Items) -> Vec<&[u8]> {
        items.newest_first().collect()
    }

    #[test]
    fn newest_first_and_remove_newest() {
        let mut items = Items::default();
        assert_eq!(items.newest_first().count(), 0);
        for item in [&b"a"[..], b"", b"bb", b"a", b"\x00\x01\x02\x03\x04"] {
            items.push(item);
        }
        assert_eq!(
            all(&items),
            [&b"\x00\x01\x02\x03\x04"[..], b"a", b"bb", b"", b"a"]
        );
        assert!(items.remove_newest(b"a"));
        assert_eq!(
            all(&items),
            [&b"\x00\x01\x02\x03\x04"[..], b"bb", b"", b"a"]
        );
        assert!(items.remove_newest(b""));
        assert!(!items.remove_newest(b"zz"));
        assert_eq!(all(&items), [&b"\x00\x01\x02\x03\x04"[..], b"bb", b"a"]);
        assert_eq!(items.newest_first().count(), 3);
    }

    #[test]
    fn one_short_item_takes_one_small_allocation() {
        let mut items = Items::default();
        items.push(&[b'x'; 16]);
        assert_eq!(items.bytes.capacity(), 20);
    }
}
