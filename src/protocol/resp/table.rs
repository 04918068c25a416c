//! The command table `COMMAND`, `COMMAND INFO` and `COMMAND COUNT` show:
//! one entry for each command this server takes over RESP, in Redis 7.2's
//! layout (name, arity, flags, first key, last key, step, ACL categories,
//! tips, key specs, subcommands). Redis's commands carry the values Redis
//! reports for them; the todo verbs, values in the same spirit. A
//! container (`CLIENT`, `COMMAND`, `CONFIG`) lists only the subcommands
//! answered here.

use super::command::Args;
use super::reply::{self as resp, Version};

/// One command (or subcommand) as `COMMAND INFO` shows it.
#[derive(Debug)]
pub struct Entry {
    /// Its name in lower case (`container|sub` for a subcommand).
    pub name: &'static str,
    /// Redis's arity: exact when positive, at least `-arity` when negative.
    pub arity: i64,
    flags: &'static [&'static str],
    /// First key, last key (-1: the last argument) and step; 0s for none.
    keys: (i64, i64, i64),
    acl: &'static [&'static str],
    tips: &'static [&'static str],
    /// The flags of its one key spec (`RW`, `insert`, ...); empty if it
    /// takes no keys.
    access: &'static [&'static str],
    subcommands: &'static [Entry],
}

const NO_KEYS: (i64, i64, i64) = (0, 0, 0);
const ONE_KEY: (i64, i64, i64) = (1, 1, 1);
const ALL_KEYS: (i64, i64, i64) = (1, -1, 1);
const CONNECTION: &[&str] = &["@slow", "@connection"];

/// A command with no keys, tips or subcommands.
const fn plain(
    name: &'static str,
    arity: i64,
    flags: &'static [&'static str],
    acl: &'static [&'static str],
) -> Entry {
    Entry {
        name,
        arity,
        flags,
        keys: NO_KEYS,
        acl,
        tips: &[],
        access: &[],
        subcommands: &[],
    }
}

/// A command on one key (or, with `ALL_KEYS`, on every argument after
/// its name).
const fn keyed(
    name: &'static str,
    arity: i64,
    flags: &'static [&'static str],
    keys: (i64, i64, i64),
    acl: &'static [&'static str],
    access: &'static [&'static str],
) -> Entry {
    Entry {
        name,
        arity,
        flags,
        keys,
        acl,
        tips: &[],
        access,
        subcommands: &[],
    }
}

/// Adds tips to an entry.
const fn tipped(entry: Entry, tips: &'static [&'static str]) -> Entry {
    Entry { tips, ..entry }
}

const PUSH: &[&str] = &["write", "denyoom", "fast"];
const PUSH_ACL: &[&str] = &["@write", "@list", "@fast"];
const POP: &[&str] = &["write", "fast"];
const POP_ACL: &[&str] = &["@write", "@list", "@fast"];
const MULTI_KEY: &[&str] = &["request_policy:multi_shard", "response_policy:agg_sum"];
const ADMIN: &[&str] = &["admin", "noscript", "loading", "stale"];
const ADMIN_ACL: &[&str] = &["@admin", "@slow", "@dangerous"];
const NOSCRIPT: &[&str] = &["noscript", "loading", "stale"];
const HANDSHAKE: &[&str] = &[
    "noscript",
    "loading",
    "stale",
    "fast",
    "no_auth",
    "allow_busy",
];
const LOADING: &[&str] = &["loading", "stale"];
const FAST_CONNECTION: &[&str] = &["@fast", "@connection"];

/// Every command, in the order `COMMAND` lists them; `DEBUG` last.
static TABLE: [Entry; 37] = [
    // The todo verbs.
    keyed("put", 3, PUSH, ONE_KEY, PUSH_ACL, &["RW", "insert"]),
    keyed(
        "list",
        2,
        &["readonly"],
        ONE_KEY,
        &["@read", "@list", "@slow"],
        &["RO", "access"],
    ),
    keyed("create", 2, PUSH, ONE_KEY, PUSH_ACL, &["RW", "insert"]),
    keyed(
        "drop",
        2,
        POP,
        ONE_KEY,
        &["@keyspace", "@write", "@fast"],
        &["RM", "delete"],
    ),
    keyed(
        "kill",
        2,
        POP,
        ONE_KEY,
        &["@keyspace", "@write", "@fast"],
        &["RM", "delete"],
    ),
    plain(
        "lists",
        1,
        &["readonly"],
        &["@keyspace", "@read", "@slow", "@dangerous"],
    ),
    tipped(
        plain("stats", 1, LOADING, &["@slow", "@dangerous"]),
        &["nondeterministic_output"],
    ),
    plain("help", 1, LOADING, CONNECTION),
    plain("compact", 1, &["admin", "noscript"], ADMIN_ACL),
    // Redis's commands, as Redis 7.2 reports them.
    plain("quit", -1, HANDSHAKE, FAST_CONNECTION),
    tipped(
        plain("ping", -1, &["fast"], FAST_CONNECTION),
        &["request_policy:all_shards", "response_policy:all_succeeded"],
    ),
    plain("echo", 2, &["loading", "stale", "fast"], FAST_CONNECTION),
    plain(
        "multi",
        1,
        &["noscript", "loading", "stale", "fast", "allow_busy"],
        &["@fast", "@transaction"],
    ),
    plain(
        "exec",
        1,
        &["noscript", "loading", "stale", "skip_slowlog"],
        &["@slow", "@transaction"],
    ),
    plain(
        "discard",
        1,
        &["noscript", "loading", "stale", "fast", "allow_busy"],
        &["@fast", "@transaction"],
    ),
    keyed("lpush", -3, PUSH, ONE_KEY, PUSH_ACL, &["RW", "insert"]),
    keyed("rpush", -3, PUSH, ONE_KEY, PUSH_ACL, &["RW", "insert"]),
    keyed(
        "lrange",
        4,
        &["readonly"],
        ONE_KEY,
        &["@read", "@list", "@slow"],
        &["RO", "access"],
    ),
    keyed(
        "llen",
        2,
        &["readonly", "fast"],
        ONE_KEY,
        &["@read", "@list", "@fast"],
        &["RO"],
    ),
    keyed(
        "lindex",
        3,
        &["readonly"],
        ONE_KEY,
        &["@read", "@list", "@slow"],
        &["RO", "access"],
    ),
    keyed(
        "lrem",
        4,
        &["write"],
        ONE_KEY,
        &["@write", "@list", "@slow"],
        &["RW", "delete"],
    ),
    keyed(
        "lpop",
        -2,
        POP,
        ONE_KEY,
        POP_ACL,
        &["RW", "access", "delete"],
    ),
    keyed(
        "rpop",
        -2,
        POP,
        ONE_KEY,
        POP_ACL,
        &["RW", "access", "delete"],
    ),
    tipped(
        keyed(
            "del",
            -2,
            &["write"],
            ALL_KEYS,
            &["@keyspace", "@write", "@slow"],
            &["RM", "delete"],
        ),
        MULTI_KEY,
    ),
    tipped(
        keyed(
            "unlink",
            -2,
            POP,
            ALL_KEYS,
            &["@keyspace", "@write", "@fast"],
            &["RM", "delete"],
        ),
        MULTI_KEY,
    ),
    tipped(
        keyed(
            "exists",
            -2,
            &["readonly", "fast"],
            ALL_KEYS,
            &["@keyspace", "@read", "@fast"],
            &["RO"],
        ),
        MULTI_KEY,
    ),
    keyed(
        "type",
        2,
        &["readonly", "fast"],
        ONE_KEY,
        &["@keyspace", "@read", "@fast"],
        &["RO"],
    ),
    tipped(
        plain(
            "keys",
            2,
            &["readonly"],
            &["@keyspace", "@read", "@slow", "@dangerous"],
        ),
        &["request_policy:all_shards", "nondeterministic_output_order"],
    ),
    tipped(
        plain("scan", -2, &["readonly"], &["@keyspace", "@read", "@slow"]),
        &[
            "nondeterministic_output",
            "request_policy:special",
            "response_policy:special",
        ],
    ),
    tipped(
        plain(
            "dbsize",
            1,
            &["readonly", "fast"],
            &["@keyspace", "@read", "@fast"],
        ),
        &["request_policy:all_shards", "response_policy:agg_sum"],
    ),
    plain("select", 2, &["loading", "stale", "fast"], FAST_CONNECTION),
    plain("hello", -1, HANDSHAKE, FAST_CONNECTION),
    Entry {
        subcommands: &[
            plain("client|setname", 3, NOSCRIPT, CONNECTION),
            plain("client|getname", 2, NOSCRIPT, CONNECTION),
            plain("client|id", 2, NOSCRIPT, CONNECTION),
            plain("client|setinfo", 4, NOSCRIPT, CONNECTION),
        ],
        ..plain("client", -2, &[], &["@slow"])
    },
    Entry {
        subcommands: &[
            plain("command|count", 2, LOADING, CONNECTION),
            tipped(
                plain("command|info", -2, LOADING, CONNECTION),
                &["nondeterministic_output_order"],
            ),
            tipped(
                plain("command|docs", -2, LOADING, CONNECTION),
                &["nondeterministic_output_order"],
            ),
        ],
        ..tipped(
            plain("command", -1, LOADING, CONNECTION),
            &["nondeterministic_output_order"],
        )
    },
    tipped(
        plain("info", -1, LOADING, &["@slow", "@dangerous"]),
        &[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ],
    ),
    Entry {
        subcommands: &[plain("config|get", -3, ADMIN, ADMIN_ACL)],
        ..plain("config", -2, &[], &["@slow"])
    },
    plain("debug", -2, ADMIN, ADMIN_ACL),
];

/// The commands there are: all of them, or all but `DEBUG` when it is
/// off (then it is an unknown command).
pub fn entries(debug: bool) -> &'static [Entry] {
    if debug {
        &TABLE
    } else {
        &TABLE[..TABLE.len() - 1]
    }
}

/// The entry `name` names (`container|sub` for a subcommand), whatever
/// its case, as Redis's `COMMAND INFO` looks one up.
pub fn find(name: &[u8], debug: bool) -> Option<&'static Entry> {
    let mut parts = name.splitn(3, |&b| b == b'|');
    let base = parts.next()?;
    let entry = entries(debug)
        .iter()
        .find(|e| e.name.as_bytes().eq_ignore_ascii_case(base))?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(entry),
        (Some(sub), None) => entry.subcommands.iter().find(|s| {
            s.name
                .split_once('|')
                .is_some_and(|(_, own)| own.as_bytes().eq_ignore_ascii_case(sub))
        }),
        (Some(_), Some(_)) => None,
    }
}

/// `COMMAND` and `COMMAND INFO`: every entry when `names` is `None`,
/// else one per name, null for a name that is no command.
pub fn info(out: &mut Vec<u8>, names: Option<Args<'_>>, version: Version, debug: bool) {
    match names {
        None => {
            let all = entries(debug);
            resp::array(out, all.len() as u64);
            for entry in all {
                write(out, entry, version);
            }
        }
        Some(names) => {
            resp::array(out, names.len() as u64);
            for name in names.iter() {
                match find(name, debug) {
                    Some(entry) => write(out, entry, version),
                    None => resp::null(out, version),
                }
            }
        }
    }
}

/// One entry, in Redis 7's ten fields.
fn write(out: &mut Vec<u8>, entry: &Entry, version: Version) {
    resp::array(out, 10);
    resp::bulk(out, entry.name.as_bytes());
    resp::integer(out, entry.arity);
    statuses(out, entry.flags, version);
    let (first, last, step) = entry.keys;
    resp::integer(out, first);
    resp::integer(out, last);
    resp::integer(out, step);
    statuses(out, entry.acl, version);
    resp::set(out, entry.tips.len() as u64, version);
    for tip in entry.tips {
        resp::bulk(out, tip.as_bytes());
    }
    if entry.access.is_empty() {
        resp::set(out, 0, version);
    } else {
        resp::set(out, 1, version);
        key_spec(out, entry, version);
    }
    if entry.subcommands.is_empty() {
        resp::set(out, 0, version);
    } else {
        resp::array(out, entry.subcommands.len() as u64);
        for sub in entry.subcommands {
            write(out, sub, version);
        }
    }
}

/// A set of status strings (flags, ACL categories).
fn statuses(out: &mut Vec<u8>, names: &[&str], version: Version) {
    resp::set(out, names.len() as u64, version);
    for name in names {
        resp::simple(out, name);
    }
}

/// The one key spec of a command on keys: its keys from the first, to
/// the last argument or just the one.
fn key_spec(out: &mut Vec<u8>, entry: &Entry, version: Version) {
    let (first, last, step) = entry.keys;
    let field = |out: &mut Vec<u8>, name: &str| resp::bulk(out, name.as_bytes());
    resp::map(out, 3, version);
    field(out, "flags");
    statuses(out, entry.access, version);
    field(out, "begin_search");
    resp::map(out, 2, version);
    field(out, "type");
    field(out, "index");
    field(out, "spec");
    resp::map(out, 1, version);
    field(out, "index");
    resp::integer(out, first);
    field(out, "find_keys");
    resp::map(out, 2, version);
    field(out, "type");
    field(out, "range");
    field(out, "spec");
    resp::map(out, 3, version);
    field(out, "lastkey");
    resp::integer(out, if last < 0 { last } else { last - first });
    field(out, "keystep");
    resp::integer(out, step);
    field(out, "limit");
    resp::integer(out, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lpush_as_redis_7_reports_it_in_both_versions() {
        let mut out = Vec::new();
        write(&mut out, find(b"LPUSH", false).unwrap(), Version::Two);
        let want = "*10\r\n$5\r\nlpush\r\n:-3\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n\
                    *3\r\n+@write\r\n+@list\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n\
                    +insert\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n\
                    *2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n\
                    $4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
        let mut out = Vec::new();
        write(&mut out, find(b"lpush", false).unwrap(), Version::Three);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("~3\r\n+@write"), "{text}");
        assert!(text.contains("%3\r\n$5\r\nflags\r\n~2\r\n"), "{text}");
        assert!(text.ends_with(":0\r\n~0\r\n"), "{text}");
    }

    #[test]
    fn a_name_that_is_no_command_or_a_subcommand_of_a_plain_one_is_not_found() {
        assert_eq!(find(b"client|ID", false).map(|e| e.name), Some("client|id"));
        for name in [
            &b"nosuch"[..],
            b"lpush|x",
            b"client|id|x",
            b"client|reply",
            b"",
            b"debug",
        ] {
            assert!(find(name, false).is_none(), "{name:?}");
        }
        assert!(find(b"debug", true).is_some());
        assert_eq!(entries(true).len(), entries(false).len() + 1);
    }
}
