//! The manager's part of Redis's commands: those about lists as keys
//! (`DEL`, `EXISTS`, `KEYS`, `SCAN`, `DBSIZE`), and what the list commands
//! answer for a list that does not exist (in Redis, an empty list).
//!
//! `SCAN`'s cursor is a place in the registry's table, where a list stays
//! for its whole life (see `scan`).

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

/// Places of the registry one `SCAN` call may look through, and names it
/// may look at: its work is bounded (some hundreds of microseconds),
/// however big the `COUNT` it was given.
const SCAN_PLACES: usize = 100_000;
const SCAN_NAMES: usize = 10_000;

/// `SCAN`: about `count` names from `cursor` on, those matching `pattern`
/// written into `out`, no more than `room` bytes of them (one at least).
///
/// The cursor is a place in the registry's table of lists, which is
/// indexed by the manager's monitor on each list: a list keeps its place
/// for its whole life, so a name there for the whole iteration is returned
/// exactly once, however lists come and go meanwhile (a new list may take
/// a place already passed, and is then not returned, as Redis allows).
pub fn scan(
    lists: &Registry,
    cursor: u64,
    pattern: Option<&[u8]>,
    count: usize,
    room: usize,
    mut out: Vec<u8>,
    write: WriteItem,
) -> Msg {
    let begin = out.len();
    let mut written = 0;
    let mut looked = 0;
    let names = count.clamp(1, SCAN_NAMES);
    let from = usize::try_from(cursor).unwrap_or(usize::MAX);
    let next = lists.visit_from(from, SCAN_PLACES, |name| {
        if looked == names || (written > 0 && out.len() - begin >= room) {
            return false;
        }
        looked += 1;
        if pattern.is_none_or(|p| glob::matches(p, name.as_bytes())) {
            write(&mut out, name.as_bytes());
            written += 1;
        }
        true
    });
    Msg::Scanned {
        out,
        count: written,
        cursor: next.map_or(0, |place| place as u64),
    }
}
