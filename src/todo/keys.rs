//! The manager's part of Redis's commands: those about lists as keys
//! (`DEL`, `EXISTS`, `KEYS`, `SCAN`, `DBSIZE`), and what the list commands
//! answer for a list that does not exist (in Redis, an empty list).
//!
//! `SCAN`'s cursor is a position in the sorted names that survives changes
//! to them: the first eight bytes of the next name to return, as a number
//! (halved, plus one, so that it fits and is never 0 until the end). A
//! call returns every name that shares the last one's position as well,
//! so each call moves on; a name there for the whole iteration is returned
//! at least once, as Redis promises.

use super::glob;
use super::msg::{Msg, Outcome, WriteCount, WriteItem};
use super::name::Name;
use super::registry::Registry;
use super::Host;
use crate::runtime::{Context, ExitReason, Ref};

/// The reply a list command gets for a list that does not exist; the
/// message back if it is not one of those.
pub fn missing_list_reply(msg: Msg) -> Result<Msg, Msg> {
    Ok(match msg {
        Msg::Range {
            mut out, header, ..
        } => {
            header(&mut out, 0);
            Msg::Rendered(out)
        }
        Msg::Len { .. } | Msg::Remove { .. } => Msg::Count(0),
        Msg::Index { .. } => Msg::Value(None),
        Msg::Pop { .. } => Msg::Done(Outcome::NotFound),
        other => return Err(other),
    })
}

/// `DEL`: each list there (once, however often named) is asked to stop;
/// the manager forgets it, and logs its end, at its `Down`. Returns the
/// manager's monitors on the lists stopped.
pub fn delete<P: Host>(cx: &mut Context<'_, P>, lists: &Registry, names: &[Name]) -> Vec<Ref> {
    let mut stopped: Vec<Ref> = Vec::new();
    for name in names {
        if let Some((pid, monitor)) = lists.find(name.as_bytes()) {
            if !stopped.contains(&monitor) {
                cx.exit(pid, ExitReason::Shutdown);
                stopped.push(monitor);
            }
        }
    }
    stopped
}

/// `EXISTS`: how many of the names are lists, counting repeats.
pub fn exist(lists: &Registry, names: &[Name]) -> u64 {
    names
        .iter()
        .filter(|name| lists.get(name.as_bytes()).is_some())
        .count() as u64
}

/// `KEYS`: every name that matches, after the header with their count.
pub fn keys(
    lists: &Registry,
    pattern: &[u8],
    mut out: Vec<u8>,
    header: WriteCount,
    write: WriteItem,
) -> Msg {
    let mut found = Vec::new();
    let mut count = 0;
    let everything = pattern == b"*";
    lists.read_from(b"", |name| {
        if everything || glob::matches(pattern, name.as_bytes()) {
            write(&mut found, name.as_bytes());
            count += 1;
        }
        true
    });
    header(&mut out, count);
    out.extend_from_slice(&found);
    Msg::Rendered(out)
}

/// `SCAN`: the names from `cursor` on, `count` of them looked at (and the
/// rest of the last one's position), those matching written into `out`.
pub fn scan(
    lists: &Registry,
    cursor: u64,
    pattern: Option<&[u8]>,
    count: usize,
    mut out: Vec<u8>,
    write: WriteItem,
) -> Msg {
    if count == 0 {
        return Msg::Scanned {
            out,
            count: 0,
            cursor: 0,
        };
    }
    let from = match cursor {
        0 => Vec::new(),
        c => start_of(c - 1),
    };
    let mut looked = 0;
    let mut last: Option<u64> = None;
    let mut next = 0;
    let mut written = 0;
    lists.read_from(&from, |name| {
        let here = position(name.as_bytes());
        if looked >= count && last != Some(here) {
            next = here + 1;
            return false;
        }
        looked += 1;
        last = Some(here);
        if pattern.is_none_or(|p| glob::matches(p, name.as_bytes())) {
            write(&mut out, name.as_bytes());
            written += 1;
        }
        true
    });
    Msg::Scanned {
        out,
        count: written,
        cursor: next,
    }
}

/// A name's position for `SCAN`: its first eight bytes (zero-padded) as a
/// big-endian number, halved so that the cursor (one more) fits.
fn position(name: &[u8]) -> u64 {
    let mut prefix = [0u8; 8];
    let n = name.len().min(8);
    prefix[..n].copy_from_slice(&name[..n]);
    u64::from_be_bytes(prefix) >> 1
}

/// The smallest bytes every name at `position` or after sorts after.
fn start_of(position: u64) -> Vec<u8> {
    let mut bytes = (position << 1).to_be_bytes().to_vec();
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_names_order_and_resume_where_they_say() {
        let names: [&[u8]; 6] = [b"", b"a", b"a\0", b"ab", b"abcdefghij", b"b"];
        for pair in names.windows(2) {
            assert!(position(pair[0]) <= position(pair[1]), "{pair:?}");
        }
        for name in names {
            let from = start_of(position(name));
            assert!(from.as_slice() <= name, "{name:?} resumes after itself");
        }
    }
}
