//! What stored data costs against `--max-memory`: its bytes plus a fixed
//! overhead per entry, so that a million one-byte items or a million empty
//! lists are counted near what they really take from the heap, and a client
//! cannot grow the server past the limit with small writes.

/// Per item: its 4-byte length in the list's buffer, and that buffer's
/// spare capacity (it grows by doubling, so up to as much again).
pub const ITEM_OVERHEAD: u64 = 32;

/// Per list: its process slot and the runtime's bookkeeping (about 80
/// bytes), the manager's monitor on it (about 48), the manager's two map
/// entries and the name's allocation header (about 90), and the list's own
/// state.
pub const LIST_OVERHEAD: u64 = 256;

/// What storing an item of `len` bytes costs.
pub fn item_cost(len: usize) -> u64 {
    len as u64 + ITEM_OVERHEAD
}

/// What a list named with `name_len` bytes costs, before any item.
pub fn list_cost(name_len: usize) -> u64 {
    name_len as u64 + LIST_OVERHEAD
}

/// About how many bytes a snapshot of the log takes for stored data
/// counted at `used` in `lists` lists of `items` items in all: the data,
/// with a byte or two per item and some 40 per list instead of the
/// overheads above. What the server weighs the log against to decide to
/// compact it.
pub fn snapshot_estimate(used: u64, lists: u64, items: u64) -> u64 {
    used.saturating_sub(items * (ITEM_OVERHEAD - 2) + lists * (LIST_OVERHEAD - 40))
}
