//! One record of the log: what changed, encoded small. Its frame (length,
//! the length's check, CRC-32C) is `frame.rs`'s; this is its body:
//! `[kind: u8][payload]`. Names and items are opaque bytes, as on the
//! wire: a name is prefixed by its length (one byte: names are at most 255
//! bytes), an item is the rest of the payload.

use super::frame::{self, push_varint, read_varint, varint_len};

/// A change, as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record<'a> {
    /// An item became the newest of list `name` (`PUT`, `LPUSH`); the list
    /// is created if it does not exist.
    PushNewest {
        /// The list.
        name: &'a [u8],
        /// The item.
        item: &'a [u8],
    },
    /// An item became the oldest of list `name` (`RPUSH`).
    PushOldest {
        /// The list.
        name: &'a [u8],
        /// The item.
        item: &'a [u8],
    },
    /// The newest item equal to `item` left list `name` (`DEL`).
    RemoveNewest {
        /// The list.
        name: &'a [u8],
        /// The item.
        item: &'a [u8],
    },
    /// Up to `count` items equal to `item` left list `name`, Redis's
    /// `LREM` (from the newest when positive, the oldest when negative,
    /// all when 0).
    Remove {
        /// The list.
        name: &'a [u8],
        /// How many, and from which end.
        count: i64,
        /// The item.
        item: &'a [u8],
    },
    /// The `count` newest items left list `name` (`LPOP`).
    PopNewest {
        /// The list.
        name: &'a [u8],
        /// How many.
        count: u64,
    },
    /// The `count` oldest items left list `name` (`RPOP`).
    PopOldest {
        /// The list.
        name: &'a [u8],
        /// How many.
        count: u64,
    },
    /// List `name` was created, empty (`CREATE`).
    Create {
        /// The list.
        name: &'a [u8],
    },
    /// List `name` is gone (`DROP`, `KILL`, a crash, Redis's `DEL`).
    Drop {
        /// The list.
        name: &'a [u8],
    },
    /// A snapshot's list: `name` as it was with every change numbered
    /// before `lsn` in it; its items follow in `Items` records.
    List {
        /// The last change it reflects.
        lsn: u64,
        /// The list.
        name: &'a [u8],
    },
    /// Items of the snapshot's list before it, newest first (each after
    /// those of the `Items` record before it), each a varint length and
    /// its bytes.
    Items {
        /// The packed items.
        packed: &'a [u8],
    },
}

/// Why bytes are not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// Fewer bytes than the record says it has (by a length whose check is
    /// good), or than a whole length: the end of a file cut short.
    Short,
    /// The length's check or the CRC does not match, or the content makes
    /// no sense.
    Damaged,
}

const PUSH_NEWEST: u8 = 1;
const PUSH_OLDEST: u8 = 2;
const REMOVE_NEWEST: u8 = 3;
const REMOVE: u8 = 4;
const POP_NEWEST: u8 = 5;
const POP_OLDEST: u8 = 6;
const CREATE: u8 = 7;
const DROP: u8 = 8;
const LIST: u8 = 16;
const ITEMS: u8 = 17;

impl Record<'_> {
    /// Appends the record, framed and checksummed, to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.frame(out, true);
    }

    /// Appends the record framed but not checksummed, for memory that
    /// reads it back with `decode_trusted` (replay's queues).
    pub fn encode_trusted(&self, out: &mut Vec<u8>) {
        self.frame(out, false);
    }

    fn frame(&self, out: &mut Vec<u8>, checksum: bool) {
        let at = frame::begin(out, self.body_len());
        let body = out.len();
        match *self {
            Record::PushNewest { name, item } => name_item(out, PUSH_NEWEST, name, item),
            Record::PushOldest { name, item } => name_item(out, PUSH_OLDEST, name, item),
            Record::RemoveNewest { name, item } => name_item(out, REMOVE_NEWEST, name, item),
            Record::Remove { name, count, item } => {
                out.push(REMOVE);
                push_name(out, name);
                out.extend_from_slice(&count.to_le_bytes());
                out.extend_from_slice(item);
            }
            Record::PopNewest { name, count } => name_count(out, POP_NEWEST, name, count),
            Record::PopOldest { name, count } => name_count(out, POP_OLDEST, name, count),
            Record::Create { name } => name_only(out, CREATE, name),
            Record::Drop { name } => name_only(out, DROP, name),
            Record::List { lsn, name } => {
                out.push(LIST);
                push_varint(out, lsn);
                push_name(out, name);
            }
            Record::Items { packed } => {
                out.push(ITEMS);
                out.extend_from_slice(packed);
            }
        }
        debug_assert_eq!(out.len() - body, self.body_len());
        if checksum {
            frame::seal(out, at);
        }
    }

    /// Bytes of the kind and the payload.
    fn body_len(&self) -> usize {
        1 + match *self {
            Record::PushNewest { name, item }
            | Record::PushOldest { name, item }
            | Record::RemoveNewest { name, item } => 1 + name.len() + item.len(),
            Record::Remove { name, item, .. } => 1 + name.len() + 8 + item.len(),
            Record::PopNewest { name, count } | Record::PopOldest { name, count } => {
                1 + name.len() + varint_len(count)
            }
            Record::Create { name } | Record::Drop { name } => 1 + name.len(),
            Record::List { lsn, name } => varint_len(lsn) + 1 + name.len(),
            Record::Items { packed } => packed.len(),
        }
    }

    /// Reads the record at the start of `bytes`: it and its size on disk.
    pub fn decode(bytes: &[u8]) -> Result<(Record<'_>, usize), Bad> {
        Record::read(bytes, true)
    }

    /// Reads a record written with `encode_trusted`, without a checksum.
    pub fn decode_trusted(bytes: &[u8]) -> Result<(Record<'_>, usize), Bad> {
        Record::read(bytes, false)
    }

    fn read(bytes: &[u8], checksum: bool) -> Result<(Record<'_>, usize), Bad> {
        let (body, size) = frame::read(bytes, checksum)?;
        let (&kind, payload) = body.split_first().expect("len > 0");
        let record = match kind {
            PUSH_NEWEST | PUSH_OLDEST | REMOVE_NEWEST => {
                let (name, item) = split_name(payload)?;
                match kind {
                    PUSH_NEWEST => Record::PushNewest { name, item },
                    PUSH_OLDEST => Record::PushOldest { name, item },
                    _ => Record::RemoveNewest { name, item },
                }
            }
            REMOVE => {
                let (name, rest) = split_name(payload)?;
                let (count, item) = rest.split_first_chunk::<8>().ok_or(Bad::Damaged)?;
                Record::Remove {
                    name,
                    count: i64::from_le_bytes(*count),
                    item,
                }
            }
            POP_NEWEST | POP_OLDEST => {
                let (name, rest) = split_name(payload)?;
                let (count, rest) = read_varint(rest).ok_or(Bad::Damaged)?;
                if !rest.is_empty() {
                    return Err(Bad::Damaged);
                }
                match kind {
                    POP_NEWEST => Record::PopNewest { name, count },
                    _ => Record::PopOldest { name, count },
                }
            }
            CREATE | DROP => {
                let (name, rest) = split_name(payload)?;
                if !rest.is_empty() {
                    return Err(Bad::Damaged);
                }
                match kind {
                    CREATE => Record::Create { name },
                    _ => Record::Drop { name },
                }
            }
            LIST => {
                let (lsn, rest) = read_varint(payload).ok_or(Bad::Damaged)?;
                let (name, rest) = split_name(rest)?;
                if !rest.is_empty() {
                    return Err(Bad::Damaged);
                }
                Record::List { lsn, name }
            }
            ITEMS => Record::Items { packed: payload },
            _ => return Err(Bad::Damaged),
        };
        Ok((record, size))
    }

    /// The size on disk of the record at the start of `bytes`, once its
    /// length and the length's check can be read there (`None` if they
    /// cannot yet, or are bad).
    pub fn size(bytes: &[u8]) -> Option<usize> {
        frame::read_header(bytes, true).ok().map(|f| f.size())
    }

    /// The list the record is about, if it is about one.
    pub fn name(&self) -> Option<&[u8]> {
        match *self {
            Record::PushNewest { name, .. }
            | Record::PushOldest { name, .. }
            | Record::RemoveNewest { name, .. }
            | Record::Remove { name, .. }
            | Record::PopNewest { name, .. }
            | Record::PopOldest { name, .. }
            | Record::Create { name }
            | Record::Drop { name }
            | Record::List { name, .. } => Some(name),
            Record::Items { .. } => None,
        }
    }
}

fn name_count(out: &mut Vec<u8>, kind: u8, name: &[u8], count: u64) {
    out.push(kind);
    push_name(out, name);
    push_varint(out, count);
}

fn push_name(out: &mut Vec<u8>, name: &[u8]) {
    let len = u8::try_from(name.len()).expect("a list name is at most 255 bytes");
    out.push(len);
    out.extend_from_slice(name);
}

fn name_only(out: &mut Vec<u8>, kind: u8, name: &[u8]) {
    out.push(kind);
    push_name(out, name);
}

fn name_item(out: &mut Vec<u8>, kind: u8, name: &[u8], item: &[u8]) {
    out.push(kind);
    push_name(out, name);
    out.extend_from_slice(item);
}

fn split_name(payload: &[u8]) -> Result<(&[u8], &[u8]), Bad> {
    let (&len, rest) = payload.split_first().ok_or(Bad::Damaged)?;
    let len = usize::from(len);
    if rest.len() < len {
        return Err(Bad::Damaged);
    }
    Ok(rest.split_at(len))
}

/// Appends one item to a snapshot's packed items: a varint length, then
/// the bytes.
pub fn pack_item(out: &mut Vec<u8>, item: &[u8]) {
    push_varint(out, item.len() as u64);
    out.extend_from_slice(item);
}

/// The items of a snapshot's packed items, in the order packed; `Err` if
/// they do not parse.
pub fn unpack_items(mut packed: &[u8]) -> impl Iterator<Item = Result<&[u8], Bad>> {
    std::iter::from_fn(move || {
        if packed.is_empty() {
            return None;
        }
        let mut len = 0usize;
        let mut shift = 0;
        loop {
            let Some((&byte, rest)) = packed.split_first() else {
                return Some(Err(Bad::Damaged));
            };
            packed = rest;
            if shift > 28 {
                return Some(Err(Bad::Damaged));
            }
            len |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        if packed.len() < len {
            return Some(Err(Bad::Damaged));
        }
        let (item, rest) = packed.split_at(len);
        packed = rest;
        Some(Ok(item))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Record<'static>> {
        vec![
            Record::PushNewest {
                name: b"shopping",
                item: b"milk",
            },
            Record::PushOldest {
                name: b"\x00\xff",
                item: b"",
            },
            Record::RemoveNewest {
                name: b"a",
                item: b"x y",
            },
            Record::Remove {
                name: b"a",
                count: -2,
                item: b"x",
            },
            Record::PopNewest {
                name: b"",
                count: 1,
            },
            Record::PopOldest {
                name: b"n",
                count: 1 << 40,
            },
            Record::Create { name: b"new" },
            Record::Drop { name: b"old" },
            Record::List {
                lsn: 1 << 40,
                name: b"snap",
            },
            Record::Items {
                packed: b"\x01a\x02bb",
            },
        ]
    }

    #[test]
    fn every_record_round_trips() {
        let mut log = Vec::new();
        for record in all() {
            record.encode(&mut log);
        }
        let mut at = 0;
        for record in all() {
            let (decoded, size) = Record::decode(&log[at..]).unwrap();
            assert_eq!(decoded, record);
            at += size;
        }
        assert_eq!(at, log.len());
    }

    #[test]
    fn a_cut_record_is_short_and_a_flipped_bit_is_damaged() {
        let mut log = Vec::new();
        Record::PushNewest {
            name: b"l",
            item: b"item",
        }
        .encode(&mut log);
        for end in 0..log.len() {
            assert_eq!(Record::decode(&log[..end]), Err(Bad::Short), "cut at {end}");
        }
        for bit in 0..log.len() * 8 {
            let mut flipped = log.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(
                Record::decode(&flipped).is_err(),
                "bit {bit} went unnoticed"
            );
        }
    }

    #[test]
    fn packed_items_round_trip() {
        let items: [&[u8]; 4] = [b"", b"a", &[b'x'; 200], &[0; 20_000]];
        let mut packed = Vec::new();
        for item in items {
            pack_item(&mut packed, item);
        }
        let back: Vec<&[u8]> = unpack_items(&packed).map(Result::unwrap).collect();
        assert_eq!(back, items);
        assert!(unpack_items(&packed[..packed.len() - 1]).any(|i| i.is_err()));
    }
}
