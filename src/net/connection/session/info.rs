//! What a Redis client asks a server about itself: `HELLO`'s map, `INFO`'s
//! text (Redis's `# Section` and `key:value` lines, carrying the `STATS`
//! fields), and `CONFIG GET` over the real settings.

use std::fmt::Write;

use crate::config::Fsync;
use crate::protocol::resp::reply::{self as resp, Version};
use crate::protocol::resp::Args;
use crate::shared::Shared;

/// The Redis version the server answers as: the commands it speaks are
/// those of Redis 7 for lists.
pub(super) const REDIS_VERSION: &str = "7.2.0";

/// `HELLO`'s reply.
pub(super) fn hello(out: &mut Vec<u8>, version: Version, id: u64) {
    resp::map(out, 7, version);
    resp::bulk(out, b"server");
    resp::bulk(out, b"redis");
    resp::bulk(out, b"version");
    resp::bulk(out, REDIS_VERSION.as_bytes());
    resp::bulk(out, b"proto");
    resp::integer(out, if version == Version::Three { 3 } else { 2 });
    resp::bulk(out, b"id");
    resp::integer(out, id as i64);
    resp::bulk(out, b"mode");
    resp::bulk(out, b"standalone");
    resp::bulk(out, b"role");
    resp::bulk(out, b"master");
    resp::bulk(out, b"modules");
    resp::array(out, 0);
}

/// `INFO`'s text: the sections asked for (all by default).
pub(super) fn info(
    shared: &mut Shared,
    processes: usize,
    restarts: u64,
    sections: Args<'_>,
) -> String {
    let wanted: Vec<String> = sections
        .iter()
        .map(|s| String::from_utf8_lossy(s).to_ascii_lowercase())
        .collect();
    let all = wanted.is_empty()
        || wanted
            .iter()
            .any(|s| s == "all" || s == "everything" || s == "default");
    let rows = shared.stats_rows(processes, restarts);
    let row = |key: &str| -> String {
        rows.iter()
            .find(|(k, _)| *k == key)
            .map_or_else(String::new, |(_, v)| v.clone())
    };
    let config = shared.config();
    let mut text = String::new();
    let mut section = |name: &str, lines: &[(&str, String)]| {
        if !all && !wanted.iter().any(|w| w == &name.to_ascii_lowercase()) {
            return;
        }
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        let _ = write!(text, "# {name}\r\n");
        for (key, value) in lines {
            let _ = write!(text, "{key}:{value}\r\n");
        }
    };
    section(
        "Server",
        &[
            ("redis_version", REDIS_VERSION.into()),
            ("todo_server_version", env!("CARGO_PKG_VERSION").into()),
            ("redis_mode", "standalone".into()),
            ("process_id", std::process::id().to_string()),
            ("tcp_port", config.port.to_string()),
            ("uptime_in_seconds", row("uptime_seconds")),
        ],
    );
    section(
        "Clients",
        &[
            ("connected_clients", row("connections")),
            ("maxclients", config.max_clients.to_string()),
        ],
    );
    section(
        "Memory",
        &[
            ("used_memory", row("used_memory")),
            ("maxmemory", config.max_memory.to_string()),
            ("maxmemory_policy", "noeviction".into()),
            ("client_memory", row("client_memory")),
            ("max_client_memory", row("max_client_memory")),
        ],
    );
    let persistence: Vec<(&str, String)> = std::iter::once((
        "aof_enabled",
        if config.data_dir.is_some() { "1" } else { "0" }.to_string(),
    ))
    .chain(
        [
            "fsync",
            "log_bytes",
            "log_segments",
            "last_sync_age_ms",
            "syncs",
            "compacting",
            "compactions",
            "persistence_errors",
            "persistence_failure",
        ]
        .into_iter()
        .filter(|key| rows.iter().any(|(k, _)| k == key))
        .map(|key| (key, row(key))),
    )
    .collect();
    section("Persistence", &persistence);
    section(
        "Stats",
        &[
            ("total_commands_processed", row("commands")),
            ("rejected_connections", row("rejected_connections")),
            ("evicted_clients", row("evicted_clients")),
        ],
    );
    section(
        "Todo",
        &[
            ("lists", row("lists")),
            ("items", row("items")),
            ("processes", row("processes")),
            ("restarts", row("restarts")),
        ],
    );
    // Redis shows no `db0` line for an empty database.
    let lists = row("lists");
    let keyspace = match lists.as_str() {
        "0" => Vec::new(),
        _ => vec![("db0", format!("keys={lists},expires=0,avg_ttl=0"))],
    };
    section("Keyspace", &keyspace);
    text
}

/// `CONFIG GET`: each setting whose name matches one of the patterns.
pub(super) fn config_get(out: &mut Vec<u8>, shared: &Shared, patterns: Args<'_>, version: Version) {
    let config = shared.config();
    let appendfsync = match config.fsync {
        Fsync::Always => "always",
        Fsync::Everysec => "everysec",
        Fsync::No => "no",
    };
    let settings: [(&str, String); 11] = [
        ("bind", config.bind.to_string()),
        ("port", config.port.to_string()),
        ("maxmemory", config.max_memory.to_string()),
        ("maxclients", config.max_clients.to_string()),
        ("timeout", config.timeout.to_string()),
        ("proto-max-bulk-len", config.max_line.to_string()),
        ("databases", "1".into()),
        (
            "appendonly",
            if config.data_dir.is_some() {
                "yes"
            } else {
                "no"
            }
            .into(),
        ),
        ("appendfsync", appendfsync.into()),
        // No RDB snapshots: the log is the persistence.
        ("save", String::new()),
        (
            "dir",
            config
                .data_dir
                .as_ref()
                .map_or_else(String::new, |d| d.display().to_string()),
        ),
    ];
    let found: Vec<&(&str, String)> = settings
        .iter()
        .filter(|(name, _)| {
            patterns.iter().any(|p| {
                let p = p.to_ascii_lowercase();
                crate::todo::glob_matches(&p, name.as_bytes())
            })
        })
        .collect();
    resp::map(out, found.len() as u64, version);
    for (name, value) in found {
        resp::bulk(out, name.as_bytes());
        resp::bulk(out, value.as_bytes());
    }
}
