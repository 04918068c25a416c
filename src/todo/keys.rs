//! The manager's part of Redis's commands: those about lists as keys
//! (`DEL`, `EXISTS`, `KEYS`, `SCAN`, `DBSIZE`), and what the list commands
//! answer for a list that does not exist (in Redis, an empty list).
//!
//! `SCAN`'s cursor is a place in the registry's table, where a list stays
//! for its whole life (see `scan`).

use super::glob;
use super::msg::{Format, Listing, Msg, Outcome};
use super::name::Name;
use super::names::NamesSnapshot;
use super::registry::Registry;
use super::Host;
use crate::runtime::{Context, ExitReason, Pid, Ref};

/// The reply a list command gets for a list that does not exist; the
/// message back if it is not one of those.
pub fn missing_list_reply(msg: Msg) -> Result<Msg, Msg> {
    Ok(match msg {
        Msg::Range {
            mut out, format, ..
        } => {
            (format.header)(&mut out, 0);
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
    let mut found: Vec<(Ref, Pid)> = names
        .iter()
        .filter_map(|name| lists.find(name.as_bytes()))
        .map(|(pid, monitor)| (monitor, pid))
        .collect();
    // Each once, however often named.
    found.sort_unstable();
    found.dedup();
    for &(_, pid) in &found {
        cx.exit(pid, ExitReason::Shutdown);
    }
    found.into_iter().map(|(monitor, _)| monitor).collect()
}

/// `EXISTS`: how many of the names are lists, counting repeats.
pub fn exist(lists: &Registry, names: &[Name]) -> u64 {
    names
        .iter()
        .filter(|name| lists.get(name.as_bytes()).is_some())
        .count() as u64
}

/// Names a `KEYS` reply looks through at once, written now if they fit
/// the room given; past this many it is a `Matching` snapshot.
const KEYS_AT_ONCE: usize = 1024;

/// `KEYS`: every name that matches, after the header with their count,
/// written now if there are few names and the matches fit in `room`
/// bytes; else a snapshot, counted and read in pieces by the caller, so
/// that a pattern over a million names holds nothing up.
pub fn keys(
    lists: &Registry,
    pattern: Vec<u8>,
    room: usize,
    mut out: Vec<u8>,
    format: &Format,
) -> Msg {
    if lists.len() <= KEYS_AT_ONCE {
        let mut found = Vec::new();
        let mut count = 0;
        lists.read_from(b"", |name| {
            if selects(&pattern, name.as_bytes()) {
                (format.item)(&mut found, name.as_bytes());
                count += 1;
            }
            found.len() <= room
        });
        if found.len() <= room {
            (format.header)(&mut out, count);
            out.extend_from_slice(&found);
            return Msg::Rendered(out);
        }
    }
    let matching = Matching::new(lists.snapshot(), pattern);
    Msg::Listing(Box::new(Listing::Matching(Box::new(matching))))
}

/// Whether `KEYS pattern` selects `name`: `*` selects every name, the
/// empty one too (Redis does not match it against the pattern).
fn selects(pattern: &[u8], name: &[u8]) -> bool {
    pattern == b"*" || glob::matches(pattern, name)
}

/// The names that match a pattern, as they were when `KEYS` was served:
/// counted first (a RESP reply says how many before it says which), a
/// slice at a time, then read, a slice at a time.
#[derive(Debug)]
pub struct Matching {
    pattern: Vec<u8>,
    /// The names still to count, while counting.
    counting: Option<NamesSnapshot>,
    /// How many match (once counted: so far, while counting).
    total: u64,
    /// The names still to read.
    names: NamesSnapshot,
}

impl Matching {
    fn new(names: NamesSnapshot, pattern: Vec<u8>) -> Matching {
        Matching {
            pattern,
            counting: Some(names.clone()),
            total: 0,
            names,
        }
    }

    /// Counts on, through about `budget` bytes of names; how many match,
    /// once every name is counted.
    pub fn count(&mut self, budget: usize) -> Option<u64> {
        let Some(names) = &mut self.counting else {
            return Some(self.total);
        };
        let mut looked = 0;
        let (pattern, total) = (&self.pattern, &mut self.total);
        names.read(|name| {
            if looked >= budget {
                return false;
            }
            looked += name.as_bytes().len() + 16;
            *total += u64::from(selects(pattern, name.as_bytes()));
            true
        });
        if names.left() > 0 {
            return None;
        }
        self.counting = None;
        Some(self.total)
    }

    /// How many match (once counted).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Hands the next matching names to `take`, in order, until it
    /// returns `false` (that name is handed again next time), or about
    /// `budget` bytes of names were looked through. Returns whether
    /// `take` stopped it.
    pub fn read(&mut self, budget: usize, mut take: impl FnMut(&[u8]) -> bool) -> bool {
        let mut looked = 0;
        let mut refused = false;
        let pattern = &self.pattern;
        self.names.read(|name| {
            if looked >= budget {
                return false;
            }
            looked += name.as_bytes().len() + 16;
            let taken = !selects(pattern, name.as_bytes()) || take(name.as_bytes());
            refused = !taken;
            taken
        });
        refused
    }

    /// Every name has been read.
    pub fn done(&self) -> bool {
        self.counting.is_none() && self.names.left() == 0
    }

    /// Names not yet read, matching or not.
    pub fn names_left(&self) -> usize {
        self.names.left()
    }
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
    format: &Format,
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
            (format.item)(&mut out, name.as_bytes());
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
