//! Callers waiting for lists to end. `KILL`, Redis's `DEL` and `DEBUG
//! CRASH LIST` end lists by signal, and the manager learns that a list is
//! gone only from its `Down`, which is also when it logs the end: so these
//! requests are answered only then. An `OK` thus never leaves before the
//! record that makes it true, and if the manager crashes in between, the
//! caller (who monitors the manager for its call) gets an error instead.
//!
//! A list that ends by itself (`DROP`, or emptied by a Redis command) logs
//! its own end before it answers, and nobody waits for it here.

use std::collections::HashMap;

use slab::Slab;

use super::msg::Msg;
use crate::runtime::{Caller, Ref};

/// The callers waiting, and the lists each waits for.
#[derive(Debug, Default)]
pub(super) struct Awaited {
    /// Each caller, with how many of its lists have not ended yet, and
    /// its answer.
    callers: Slab<Waiting>,
    /// By each awaited list's monitor: who waits for it.
    by_list: HashMap<Ref, Vec<usize>>,
}

#[derive(Debug)]
struct Waiting {
    from: Caller,
    left: usize,
    answer: Msg,
}

impl Awaited {
    /// `from` is answered `answer` once every list watched by `monitors`
    /// has ended; at once (returned) if there is none.
    pub(super) fn wait(
        &mut self,
        from: Caller,
        monitors: &[Ref],
        answer: Msg,
    ) -> Option<(Caller, Msg)> {
        if monitors.is_empty() {
            return Some((from, answer));
        }
        let key = self.callers.insert(Waiting {
            from,
            left: monitors.len(),
            answer,
        });
        for &monitor in monitors {
            self.by_list.entry(monitor).or_default().push(key);
        }
        None
    }

    /// The list watched by `monitor` ended (and its end is logged): the
    /// callers that waited for it alone, or for it last, with their answers.
    pub(super) fn ended(&mut self, monitor: Ref) -> Vec<(Caller, Msg)> {
        let mut ready = Vec::new();
        for key in self.by_list.remove(&monitor).unwrap_or_default() {
            let waiting = &mut self.callers[key];
            waiting.left -= 1;
            if waiting.left == 0 {
                let Waiting { from, answer, .. } = self.callers.remove(key);
                ready.push((from, answer));
            }
        }
        ready
    }
}
