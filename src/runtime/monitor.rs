//! Where monitors live: one table of monitor nodes, each on two lists.
//!
//! A node sits on its target's *watched-by* list (walked when the target
//! exits, to queue a `Down` for every watcher) and on its watcher's
//! *watching* list (walked when the watcher exits, so that a dead watcher
//! leaves nothing behind on anyone). Both lists are intrusive and doubly
//! linked through node indices, so adding, removing and moving a monitor are
//! O(1) and allocate nothing once the table has grown: a call (which is a
//! monitor for its duration) costs no allocation.
//!
//! A node lives until its `Down` is delivered or dropped. When its target
//! exits the node leaves both lists and is marked *down queued*; the `Down`
//! in the queue finds it by ref, and if `demonitor` freed it first (or the
//! slot now holds a newer node with another serial) the `Down` is dropped.

use slab::Slab;

use super::pid::{Pid, Ref};

/// End of a list.
const NIL: u32 = u32::MAX;

/// What a monitor is for: a plain monitor gets `Down`; a call's monitor
/// turns its `Down` into the call's error reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Monitor,
    Call,
}

#[derive(Debug)]
struct Node {
    serial: u32,
    kind: Kind,
    /// Off both lists, its `Down` already in the queue.
    down_queued: bool,
    watcher: Pid,
    target: Pid,
    /// Neighbours on the target's watched-by list.
    target_prev: u32,
    target_next: u32,
    /// Neighbours on the watcher's watching list.
    watcher_prev: u32,
    watcher_next: u32,
}

/// The two list heads of one process slot, indexed like the process table.
#[derive(Clone, Copy, Debug)]
struct Heads {
    watched_by: u32,
    watching: u32,
}

const EMPTY: Heads = Heads {
    watched_by: NIL,
    watching: NIL,
};

/// Which of a node's two lists an operation is about.
#[derive(Clone, Copy)]
enum Side {
    Target,
    Watcher,
}

/// Every live monitor of the runtime.
#[derive(Debug, Default)]
pub(crate) struct Monitors {
    nodes: Slab<Node>,
    heads: Vec<Heads>,
    next_serial: u32,
}

impl Monitors {
    /// Makes room for `additional` more monitors, of as many more
    /// processes.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.nodes.reserve(additional);
        self.heads.reserve(additional);
    }

    /// Adds a monitor of `target` held by `watcher`. A dead target gives a
    /// node that is already down queued: the caller must queue its `Down`
    /// with `NoProc`.
    pub(crate) fn add(&mut self, watcher: Pid, target: Pid, kind: Kind, alive: bool) -> Ref {
        self.next_serial = self.next_serial.wrapping_add(1);
        let serial = self.next_serial;
        let index = self.nodes.insert(Node {
            serial,
            kind,
            down_queued: !alive,
            watcher,
            target,
            target_prev: NIL,
            target_next: NIL,
            watcher_prev: NIL,
            watcher_next: NIL,
        }) as u32;
        if alive {
            self.push(index, Side::Target);
            self.push(index, Side::Watcher);
        }
        Ref::new(index, serial)
    }

    /// The node `r` names, if it still lives.
    fn find(&self, r: Ref) -> Option<&Node> {
        self.nodes.get(r.index()).filter(|n| n.serial == r.serial())
    }

    /// Removes monitor `r` held by `watcher`, wherever it is (on the lists or
    /// down queued; a queued `Down` for it will be dropped). Returns its kind
    /// and target, or `None` if `r` is not a live monitor of `watcher`.
    pub(crate) fn remove(&mut self, r: Ref, watcher: Pid) -> Option<(Kind, Pid)> {
        let node = self.find(r)?;
        if node.watcher != watcher {
            return None;
        }
        let (kind, target, queued) = (node.kind, node.target, node.down_queued);
        if !queued {
            self.unlink(r.index() as u32, Side::Target);
            self.unlink(r.index() as u32, Side::Watcher);
        }
        self.nodes.remove(r.index());
        Some((kind, target))
    }

    /// Moves call `r` from `from` to `to` (a forwarded call: the new callee
    /// is now the one whose death fails the call). Returns `false`, and
    /// leaves the node alone, if `r` is not a live monitor of `from`. If
    /// `to` is dead the node becomes down queued and the caller must queue
    /// its `Down` with `NoProc`; the watcher is returned for that.
    pub(crate) fn retarget(&mut self, r: Ref, from: Pid, to: Pid, alive: bool) -> Option<Pid> {
        let node = self.find(r)?;
        if node.target != from || node.down_queued {
            return None;
        }
        let index = r.index() as u32;
        self.unlink(index, Side::Target);
        let node = &mut self.nodes[r.index()];
        node.target = to;
        let watcher = node.watcher;
        if alive {
            self.push(index, Side::Target);
        } else {
            self.unlink(index, Side::Watcher);
            self.nodes[r.index()].down_queued = true;
        }
        Some(watcher)
    }

    /// Called as `target` exits: takes every monitor of it off both lists,
    /// marks it down queued, and hands `(watcher, ref, kind)` to `down` so
    /// that its `Down` can be queued.
    pub(crate) fn fire(&mut self, target: Pid, mut down: impl FnMut(Pid, Ref)) {
        let Some(heads) = self.heads.get_mut(target.index()) else {
            return;
        };
        let mut index = std::mem::replace(&mut heads.watched_by, NIL);
        while index != NIL {
            let node = &mut self.nodes[index as usize];
            let next = node.target_next;
            node.target_prev = NIL;
            node.target_next = NIL;
            node.down_queued = true;
            let (watcher, r) = (node.watcher, Ref::new(index, node.serial));
            self.unlink(index, Side::Watcher);
            down(watcher, r);
            index = next;
        }
    }

    /// Called as `watcher` exits: frees every monitor it holds that is
    /// still on the lists. (Down-queued ones are freed when their `Down` is
    /// delivered or dropped.)
    pub(crate) fn drop_watcher(&mut self, watcher: Pid) {
        let Some(heads) = self.heads.get_mut(watcher.index()) else {
            return;
        };
        let mut index = std::mem::replace(&mut heads.watching, NIL);
        while index != NIL {
            let next = self.nodes[index as usize].watcher_next;
            self.unlink(index, Side::Target);
            self.nodes.remove(index as usize);
            index = next;
        }
    }

    /// Takes the down-queued node `r` whose `Down` is being delivered,
    /// returning its kind; `None` means the `Down` is stale and is dropped.
    pub(crate) fn take_down(&mut self, r: Ref) -> Option<Kind> {
        let node = self.find(r)?;
        if !node.down_queued {
            return None;
        }
        let kind = node.kind;
        self.nodes.remove(r.index());
        Some(kind)
    }

    /// Whether `r` is a monitor of `target` still on the lists. For tests.
    #[cfg(test)]
    pub(crate) fn is_watching(&self, r: Ref, target: Pid) -> bool {
        self.find(r)
            .is_some_and(|n| n.target == target && !n.down_queued)
    }

    /// How many monitors (and calls in flight) exist, down-queued ones
    /// included.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    fn heads(&mut self, pid: Pid) -> &mut Heads {
        let index = pid.index();
        if index >= self.heads.len() {
            self.heads.resize(index + 1, EMPTY);
        }
        &mut self.heads[index]
    }

    /// Puts node `index` at the front of its `side` list.
    fn push(&mut self, index: u32, side: Side) {
        let node = &self.nodes[index as usize];
        let owner = match side {
            Side::Target => node.target,
            Side::Watcher => node.watcher,
        };
        let heads = self.heads(owner);
        let head = match side {
            Side::Target => std::mem::replace(&mut heads.watched_by, index),
            Side::Watcher => std::mem::replace(&mut heads.watching, index),
        };
        if head != NIL {
            *self.prev(head, side) = index;
        }
        let node = &mut self.nodes[index as usize];
        match side {
            Side::Target => (node.target_prev, node.target_next) = (NIL, head),
            Side::Watcher => (node.watcher_prev, node.watcher_next) = (NIL, head),
        }
    }

    /// Takes node `index` off its `side` list.
    fn unlink(&mut self, index: u32, side: Side) {
        let node = &self.nodes[index as usize];
        let (prev, next, owner) = match side {
            Side::Target => (node.target_prev, node.target_next, node.target),
            Side::Watcher => (node.watcher_prev, node.watcher_next, node.watcher),
        };
        if prev != NIL {
            *self.next(prev, side) = next;
        } else {
            let heads = self.heads(owner);
            match side {
                Side::Target => heads.watched_by = next,
                Side::Watcher => heads.watching = next,
            }
        }
        if next != NIL {
            *self.prev(next, side) = prev;
        }
    }

    fn prev(&mut self, index: u32, side: Side) -> &mut u32 {
        let node = &mut self.nodes[index as usize];
        match side {
            Side::Target => &mut node.target_prev,
            Side::Watcher => &mut node.watcher_prev,
        }
    }

    fn next(&mut self, index: u32, side: Side) -> &mut u32 {
        let node = &mut self.nodes[index as usize];
        match side {
            Side::Target => &mut node.target_next,
            Side::Watcher => &mut node.watcher_next,
        }
    }
}
