//! Items packed into one buffer: a small list's whole content, or one chunk
//! of a big list.
//!
//! Items go oldest first, so the newest is at the end and a `PUT` appends.
//! Each item is its bytes between two copies of its length: a varint before
//! and the same varint reversed after, so the buffer can be walked from
//! either end (newest first for `LIST`, oldest first from the tail) with
//! two bytes of overhead for an item under 128 bytes.
//!
//! The buffer is a `Box<[u8]>` whose length is its capacity, with the bytes
//! in use and the item count kept beside it: 24 bytes in all, so that a
//! list process stays small, and a one-item list takes a single 32-byte
//! allocation for a 16-byte item.

/// Items packed oldest first.
#[derive(Clone, Debug, Default)]
pub struct Packed {
    buf: Box<[u8]>,
    used: u32,
    count: u16,
}

/// Bytes one item of `len` bytes takes in a buffer.
pub fn entry_size(len: usize) -> usize {
    if len < 0x80 {
        return len + 2;
    }
    len + 2 * varint_len(len)
}

impl Packed {
    /// An empty buffer with room for `capacity` bytes: a big list's new
    /// chunk, which will fill, is allocated once.
    pub fn with_capacity(capacity: usize) -> Packed {
        Packed {
            buf: vec![0; capacity].into_boxed_slice(),
            used: 0,
            count: 0,
        }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        usize::from(self.count)
    }

    /// No items.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes in use.
    pub fn used(&self) -> usize {
        self.used as usize
    }

    /// Bytes allocated.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The items' bytes in all, lengths excluded.
    pub fn item_bytes(&self) -> u64 {
        self.newest_first().map(|item| item.len() as u64).sum()
    }

    /// Whether one more item of `len` bytes keeps the buffer within `limit`
    /// bytes and `u16` items (an empty buffer takes any one item).
    pub fn fits(&self, len: usize, limit: usize) -> bool {
        self.count == 0 || (self.used() + entry_size(len) <= limit && self.count < u16::MAX)
    }

    /// Adds `item` as the newest: an append, the hot path of `PUT`.
    pub fn push_newest(&mut self, item: &[u8]) {
        let at = self.used();
        let size = entry_size(item.len());
        self.grow(at + size);
        write_entry(&mut self.buf[at..at + size], item);
        self.used = u32::try_from(at + size).expect("a packed buffer under 4 GiB");
        self.count += 1;
    }

    /// Adds `item` as the oldest.
    pub fn push_oldest(&mut self, item: &[u8]) {
        self.open_gap(0, entry_size(item.len()));
        write_entry(&mut self.buf[..], item);
    }

    /// Removes and returns the newest item.
    pub fn pop_newest(&mut self) -> Option<Vec<u8>> {
        let (start, item) = self.entries_newest_first().next()?;
        let item = item.to_vec();
        self.close_gap(start, self.used() - start);
        Some(item)
    }

    /// Removes and returns the oldest item.
    pub fn pop_oldest(&mut self) -> Option<Vec<u8>> {
        let (_, item) = self.entries_oldest_first().next()?;
        let size = entry_size(item.len());
        let item = item.to_vec();
        self.close_gap(0, size);
        Some(item)
    }

    /// The items, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &[u8]> {
        self.entries_newest_first().map(|(_, item)| item)
    }

    /// The items, oldest first.
    pub fn oldest_first(&self) -> impl Iterator<Item = &[u8]> {
        self.entries_oldest_first().map(|(_, item)| item)
    }

    /// Each item, newest first, with where its entry starts.
    pub fn entries_newest_first(&self) -> NewestFirst<'_> {
        NewestFirst {
            bytes: &self.buf[..self.used()],
        }
    }

    /// Each item, oldest first, with where its entry starts.
    pub fn entries_oldest_first(&self) -> OldestFirst<'_> {
        OldestFirst {
            bytes: &self.buf[..self.used()],
            at: 0,
        }
    }

    /// The item whose entry ends at `end` (an entry boundary, `used()` for
    /// the newest), and where its entry starts; `None` at the start.
    pub fn entry_before(&self, end: usize) -> Option<(usize, &[u8])> {
        NewestFirst {
            bytes: &self.buf[..end],
        }
        .next()
    }

    /// The item whose entry starts at `start` (an entry boundary, 0 for
    /// the oldest), and where the next entry starts; `None` at the end.
    pub fn entry_at(&self, start: usize) -> Option<(usize, &[u8])> {
        let mut entries = OldestFirst {
            bytes: &self.buf[..self.used()],
            at: start,
        };
        let (_, item) = entries.next()?;
        Some((entries.at, item))
    }

    /// Takes out the `n` newest items (no more than there are), as a
    /// buffer of their own: they are the end of this one, so nothing of
    /// what is left moves.
    pub fn split_newest(&mut self, n: usize) -> Packed {
        let n = n.min(self.len());
        let start = self
            .entries_newest_first()
            .take(n)
            .last()
            .map_or(self.used(), |(start, _)| start);
        let taken = Packed::from_entries(&self.buf[start..self.used()], n);
        self.keep(0..start, n);
        taken
    }

    /// Takes out the `n` oldest items (no more than there are), as a
    /// buffer of their own; what is left moves to the front, once.
    pub fn split_oldest(&mut self, n: usize) -> Packed {
        let n = n.min(self.len());
        let mut entries = self.entries_oldest_first();
        entries.by_ref().take(n).for_each(drop);
        let end = entries.at;
        let taken = Packed::from_entries(&self.buf[..end], n);
        self.keep(end..self.used(), n);
        taken
    }

    /// A buffer of these `n` whole entries, exactly as big.
    fn from_entries(entries: &[u8], n: usize) -> Packed {
        Packed {
            buf: entries.into(),
            used: entries.len() as u32,
            count: n as u16,
        }
    }

    /// Keeps only the entries in `kept` (moved to the front), the other
    /// `removed` entries gone.
    fn keep(&mut self, kept: std::ops::Range<usize>, removed: usize) {
        let len = kept.len();
        self.buf.copy_within(kept, 0);
        self.used = len as u32;
        self.count -= removed as u16;
        self.shrink();
    }

    /// Removes the item whose entry starts at `start` and holds `len`
    /// bytes.
    pub fn remove_at(&mut self, start: usize, len: usize) {
        self.close_gap(start, entry_size(len));
    }

    /// The newest item equal to `item`: where its entry starts.
    pub fn find_newest(&self, item: &[u8]) -> Option<usize> {
        self.entries_newest_first()
            .find(|(_, found)| *found == item)
            .map(|(start, _)| start)
    }

    /// Makes room for `size` bytes at `at`, growing the buffer if needed.
    fn open_gap(&mut self, at: usize, size: usize) {
        let used = self.used();
        let needed = used + size;
        self.grow(needed);
        self.buf.copy_within(at..used, at + size);
        self.used = u32::try_from(needed).expect("a packed buffer under 4 GiB");
        self.count += 1;
    }

    /// Makes the buffer hold at least `needed` bytes: exactly that for the
    /// first item (a one-item list is one small allocation), then doubling.
    fn grow(&mut self, needed: usize) {
        if needed <= self.buf.len() {
            return;
        }
        let capacity = if self.buf.is_empty() {
            needed
        } else {
            needed.max(2 * self.buf.len())
        };
        let mut bytes = std::mem::take(&mut self.buf).into_vec();
        bytes.reserve_exact(capacity - bytes.len());
        bytes.resize(capacity, 0);
        self.buf = bytes.into_boxed_slice();
    }

    /// Removes the `size` bytes at `start` (one entry), and gives memory
    /// back when the buffer is mostly empty.
    fn close_gap(&mut self, start: usize, size: usize) {
        let used = self.used();
        self.buf.copy_within(start + size..used, start);
        self.used = (used - size) as u32;
        self.count -= 1;
        self.shrink();
    }

    /// Gives memory back when the buffer is mostly empty.
    fn shrink(&mut self) {
        if self.count == 0 {
            self.buf = Box::default();
        } else if self.used() < self.buf.len() / 4 {
            let mut bytes = std::mem::take(&mut self.buf).into_vec();
            bytes.truncate(self.used() * 2);
            self.buf = bytes.into_boxed_slice();
        }
    }
}

impl crate::todo::cow::Weigh for Packed {
    fn weight(&self) -> u64 {
        self.buf.len() as u64
    }
}

/// Items newest first, with where each entry starts.
#[derive(Debug)]
pub struct NewestFirst<'a> {
    bytes: &'a [u8],
}

impl<'a> Iterator for NewestFirst<'a> {
    type Item = (usize, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        let (&last, rest) = self.bytes.split_last()?;
        if last < 0x80 {
            // The usual entry: one length byte each side.
            let (before, item) = rest.split_at(rest.len() - usize::from(last));
            let (_, before) = before.split_last()?;
            self.bytes = before;
            return Some((before.len(), item));
        }
        let (len, size) = read_varint_backward(self.bytes);
        let end = self.bytes.len() - size;
        let start = end - len - size;
        let item = &self.bytes[end - len..end];
        self.bytes = &self.bytes[..start];
        Some((start, item))
    }
}

/// Items oldest first, with where each entry starts.
#[derive(Debug)]
pub struct OldestFirst<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Iterator for OldestFirst<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let start = self.at;
        let (len, size) = read_varint(&self.bytes[start..]);
        let item = &self.bytes[start + size..start + size + len];
        self.at = start + 2 * size + len;
        Some((start, item))
    }
}

/// Writes `item`'s entry at the start of `out`.
fn write_entry(out: &mut [u8], item: &[u8]) {
    if item.len() < 0x80 {
        // One byte each side: the usual case.
        let len = item.len();
        out[0] = len as u8;
        out[1..1 + len].copy_from_slice(item);
        out[1 + len] = len as u8;
        return;
    }
    let size = varint_len(item.len());
    write_varint(&mut out[..size], item.len());
    out[size..size + item.len()].copy_from_slice(item);
    let tail = &mut out[size + item.len()..2 * size + item.len()];
    write_varint(tail, item.len());
    tail.reverse();
}

/// Bytes of `n` as a varint: seven bits a byte.
fn varint_len(n: usize) -> usize {
    let bits = usize::BITS - n.leading_zeros();
    (bits.max(1) as usize).div_ceil(7)
}

/// Writes `n` as a varint filling `out` (of `varint_len(n)` bytes): low
/// bits first, the high bit set on every byte but the last.
fn write_varint(out: &mut [u8], mut n: usize) {
    let last = out.len() - 1;
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = (n & 0x7f) as u8 | if i < last { 0x80 } else { 0 };
        n >>= 7;
    }
}

/// Reads the varint at the start of `bytes`: the value and its size.
fn read_varint(bytes: &[u8]) -> (usize, usize) {
    let mut n = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        n |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (n, i + 1);
        }
    }
    unreachable!("a packed buffer ends inside a length")
}

/// Reads the reversed varint that ends `bytes`: the value and its size.
fn read_varint_backward(bytes: &[u8]) -> (usize, usize) {
    let mut n = 0;
    for (i, &byte) in bytes.iter().rev().enumerate() {
        n |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (n, i + 1);
        }
    }
    unreachable!("a packed buffer starts inside a length")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newest(p: &Packed) -> Vec<Vec<u8>> {
        p.newest_first().map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn both_ends_push_and_pop_and_walk_both_ways() {
        let mut p = Packed::default();
        let long = vec![b'L'; 300];
        p.push_newest(b"b");
        p.push_newest(&long);
        p.push_oldest(b"a");
        p.push_newest(b"");
        assert_eq!(p.len(), 4);
        assert_eq!(newest(&p), [&b""[..], &long, b"b", b"a"]);
        let oldest: Vec<&[u8]> = p.oldest_first().collect();
        assert_eq!(oldest, [&b"a"[..], b"b", &long, b""]);
        assert_eq!(p.pop_oldest().unwrap(), b"a");
        assert_eq!(p.pop_newest().unwrap(), b"");
        assert_eq!(newest(&p), [&long[..], b"b"]);
        assert_eq!(p.item_bytes(), 301);
        assert_eq!(p.used(), entry_size(300) + entry_size(1));
    }

    #[test]
    fn find_and_remove_the_newest_equal_item() {
        let mut p = Packed::default();
        for item in [&b"x"[..], b"y", b"x", b"z"] {
            p.push_newest(item);
        }
        let at = p.find_newest(b"x").unwrap();
        p.remove_at(at, 1);
        assert_eq!(newest(&p), [&b"z"[..], b"y", b"x"]);
        assert_eq!(p.find_newest(b"w"), None);
        while p.pop_newest().is_some() {}
        assert_eq!(
            (p.len(), p.capacity()),
            (0, 0),
            "an empty buffer holds nothing"
        );
    }

    #[test]
    fn a_one_item_list_of_sixteen_bytes_is_one_small_allocation() {
        let mut p = Packed::default();
        p.push_newest(&[b'x'; 16]);
        assert_eq!(p.capacity(), 18);
        assert_eq!(std::mem::size_of::<Packed>(), 24);
    }

    #[test]
    fn lengths_round_trip_at_every_varint_size() {
        for n in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            u32::MAX as usize,
        ] {
            let size = varint_len(n);
            let mut bytes = vec![0; size];
            write_varint(&mut bytes, n);
            assert_eq!(read_varint(&bytes), (n, size));
            bytes.reverse();
            assert_eq!(read_varint_backward(&bytes), (n, size));
        }
    }
}
