//! Redis's list commands on a list process, with Redis's semantics: push
//! at either end, a range by index, the length, one item by index, remove
//! by count, pop. Indexes count from the head, where the newest item is
//! (0), or from the tail when negative, so a list of `PUT`s reads as
//! `LPUSH` would have made it. A list that `LREM` or a pop leaves empty is
//! gone, as a Redis key is: the list logs its end, answers, then stops.

use super::{Cx, List};
use crate::runtime::{ExitReason, Flow};
use crate::store::Record;
use crate::todo::items::Items;
use crate::todo::memory::{item_cost, ITEM_OVERHEAD};
use crate::todo::msg::{End, Format, Listing, Msg, Outcome};
use crate::todo::name::{Item, Name};
use crate::todo::Host;

/// Items of a big list an `LRANGE` tries to write at once (if they fit the
/// room given); past this many it is a snapshot, read in pieces as the
/// client takes them.
const RANGE_AT_ONCE: u64 = 256;

/// What serving a command leaves the list to do.
pub(super) enum After {
    /// Answer, and go on.
    Reply(Msg),
    /// Answer, and stop: the list is empty and, in Redis's terms, gone.
    ReplyAndStop(Msg),
}

/// The first and last index of a list of `len` items that Redis's
/// `start` and `stop` select, if any.
pub(super) fn range(len: u64, start: i64, stop: i64) -> Option<(u64, u64)> {
    let len = len as i64;
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        len + stop
    } else {
        stop.min(len - 1)
    };
    (start <= stop && start < len).then_some((start as u64, stop as u64))
}

impl List {
    /// `LPUSH`, `RPUSH`: every item, in order, at `end`.
    pub(super) fn push<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        name: &Name,
        items: &[Item],
        end: End,
        prepaid: bool,
    ) -> Msg {
        let cost: u64 = items.iter().map(|i| item_cost(i.len())).sum();
        if !prepaid && !cx.shared().budget_mut().reserve(cost) {
            return Msg::Done(Outcome::OutOfMemory);
        }
        let shared = cx.shared();
        for item in items {
            let orphans = shared.budget().orphans().clone();
            let (name, item) = (name.as_bytes(), &item[..]);
            match end {
                End::Head => {
                    self.items.push_newest(item, &orphans);
                    shared.log(Record::PushNewest { name, item });
                }
                End::Tail => {
                    self.items.push_oldest(item, &orphans);
                    shared.log(Record::PushOldest { name, item });
                }
            }
        }
        shared.stats_mut().items_added(items.len() as u64);
        Msg::Count(self.items.len())
    }

    /// `LRANGE` (and `LIST`, the whole list): the items are written now
    /// if they fit in `room` bytes (a small list, or a few items of a big
    /// one: skipping to them costs a look at each chunk's count); else a
    /// snapshot is handed over, to read in pieces, if its own copy fits
    /// (a big list's chunks are shared, not copied); else the caller is
    /// told how much room it needs.
    pub(super) fn range(
        &mut self,
        start: i64,
        stop: i64,
        room: usize,
        mut out: Vec<u8>,
        format: &Format,
    ) -> Msg {
        let Some((first, last)) = range(self.items.len(), start, stop) else {
            (format.header)(&mut out, 0);
            return Msg::Rendered(out);
        };
        let count = last - first + 1;
        if matches!(self.items, Items::Small(_)) || count <= RANGE_AT_ONCE {
            let begin = out.len();
            (format.header)(&mut out, count);
            let mut fits = true;
            self.items.each_in_range(first, count, |item| {
                (format.item)(&mut out, item);
                fits = out.len() - begin <= room;
                fits
            });
            if fits {
                return Msg::Rendered(out);
            }
        }
        if let Items::Small(packed) = &self.items {
            if packed.capacity() > room {
                return Msg::NeedsRoom(packed.capacity());
            }
        }
        Msg::Listing(Box::new(Listing::Range {
            items: self.items.snapshot(room),
            skip: first,
            take: count,
        }))
    }

    /// `LINDEX`.
    pub(super) fn index(&self, index: i64) -> Msg {
        let len = self.items.len() as i64;
        let at = if index < 0 { len + index } else { index };
        let item = (0..len)
            .contains(&at)
            .then(|| self.items.get(at as u64))
            .flatten();
        Msg::Value(item.map(<[u8]>::to_vec))
    }

    /// `LREM` is done (see `List::remove`, which gave back what each
    /// slice removed): `removed` items went. Logs it.
    pub(super) fn removed<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        name: &Name,
        count: i64,
        item: &Item,
        removed: u64,
    ) -> After {
        if removed > 0 {
            cx.shared().log(Record::Remove {
                name: name.as_bytes(),
                count,
                item,
            });
        }
        self.gone_if_emptied(cx, name, removed, Msg::Count(removed))
    }

    /// `LPOP`, `RPOP`: the items are taken at once (whole chunks at a
    /// time, one record for them all), and written now (`Popped`) if they
    /// fit in `room` bytes, else handed over to read in pieces: what was
    /// taken lives on for the reply alone, counted in the clients' share.
    pub(super) fn pop<P: Host>(
        &mut self,
        cx: Cx<'_, '_, P>,
        name: &Name,
        end: End,
        count: Option<u64>,
        room: usize,
    ) -> After {
        let shared = cx.shared();
        if count.is_none() {
            // One item: taken out as it is.
            let item = match end {
                End::Head => self.items.pop_newest(),
                End::Tail => self.items.pop_oldest(),
            };
            if let Some(item) = &item {
                shared.budget_mut().release(item_cost(item.len()));
                shared.stats_mut().items_removed(1);
                let name = name.as_bytes();
                shared.log(match end {
                    End::Head => Record::PopNewest { name, count: 1 },
                    End::Tail => Record::PopOldest { name, count: 1 },
                });
            }
            let taken = u64::from(item.is_some());
            return self.gone_if_emptied(cx, name, taken, Msg::Popped(item.into_iter().collect()));
        }
        let want = count.unwrap_or(1).min(self.items.len());
        let orphans = shared.budget().orphans().clone();
        let (mut taken, bytes) = self.items.take(end, want, &orphans);
        if want > 0 {
            shared.budget_mut().release(bytes + want * ITEM_OVERHEAD);
            shared.stats_mut().items_removed(want);
            let name = name.as_bytes();
            shared.log(match end {
                End::Head => Record::PopNewest { name, count: want },
                End::Tail => Record::PopOldest { name, count: want },
            });
        }
        let reply = if taken.bytes_left() + 16 * want as usize <= room {
            let mut popped = Vec::with_capacity(want as usize);
            taken.read(|item| {
                popped.push(item.to_vec());
                true
            });
            Msg::Popped(popped)
        } else {
            Msg::Listing(Box::new(Listing::Range {
                items: taken,
                skip: 0,
                take: want,
            }))
        };
        self.gone_if_emptied(cx, name, want, reply)
    }

    /// Redis's rule: a list that a command emptied is gone. It logs its
    /// end itself, before the answer leaves.
    fn gone_if_emptied<P: Host>(
        &self,
        cx: Cx<'_, '_, P>,
        name: &Name,
        taken: u64,
        reply: Msg,
    ) -> After {
        if taken > 0 && self.items.is_empty() {
            cx.shared().log(Record::Drop {
                name: name.as_bytes(),
            });
            After::ReplyAndStop(reply)
        } else {
            After::Reply(reply)
        }
    }
}

/// Answers as `after` says.
pub(super) fn answer<P: Host>(
    cx: Cx<'_, '_, P>,
    from: crate::runtime::Caller,
    after: After,
) -> Flow {
    match after {
        After::Reply(msg) => {
            cx.reply(from, msg.into());
            Flow::Continue
        }
        After::ReplyAndStop(msg) => {
            cx.reply(from, msg.into());
            Flow::Stop(ExitReason::Normal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn redis_indexes() {
        assert_eq!(range(5, 0, -1), Some((0, 4)));
        assert_eq!(range(5, -2, -1), Some((3, 4)));
        assert_eq!(range(5, -100, 1), Some((0, 1)));
        assert_eq!(range(5, 3, 100), Some((3, 4)));
        assert_eq!(range(5, 4, 3), None);
        assert_eq!(range(5, 5, 10), None);
        assert_eq!(range(5, 0, -6), None);
        assert_eq!(range(0, 0, -1), None);
    }
}
