//! The `--help` text, built from the defaults and bounds `mod.rs`
//! defines, so that what it says cannot drift from what the server does.

use super::{Config, MAX_CLIENTS_LIMIT, MAX_LINE_LIMIT, MIN_LINE_LIMIT};

/// The `--help` text, with the defaults and bounds defined here.
pub fn help() -> String {
    let d = Config::default();
    let (bind, port, max_line, max_clients) = (d.bind, d.port, d.max_line, d.max_clients);
    let (memory, timeout, fsync) = (size_text(d.max_memory), d.timeout, d.fsync);
    let data_dir = d
        .data_dir
        .as_ref()
        .map_or(String::new(), |d| d.display().to_string());
    let (min_line, max_line_limit) = (MIN_LINE_LIMIT, size_text(MAX_LINE_LIMIT as u64));
    format!(
        "\
todo-server: named todo lists over TCP, one thread, one poll loop

Usage: todo-server [OPTIONS]

Options:
      --bind ADDR        address to listen on [default: {bind}]
      --port PORT        port to listen on, 0 for any free one [default: {port}]
      --max-line BYTES   longest request line, LF excluded (and the most
                         bytes of a RESP request), {min_line} to {max_line_limit}
                         [default: {max_line}]
      --max-memory SIZE  the memory budget, e.g. 64mb, 1gb: stored data and
                         client buffers, each with its own share; 0 for
                         none [default: {memory}]
      --max-client-memory SIZE
                         the clients' share of --max-memory: partial
                         requests, replies not yet sent or being produced;
                         the rest is for stored data [default: 1/32 of
                         --max-memory, and at least about 4 --max-line:
                         room to finish one request, answer another]
      --max-clients N    open connections allowed, at most {MAX_CLIENTS_LIMIT}
                         [default: {max_clients}]
      --timeout SECONDS  close connections idle this long; 0 for never
                         [default: {timeout}]
      --data-dir DIR     where the lists are kept: an append-only log,
                         created if missing, one server per directory
                         [default: {data_dir}]
      --fsync POLICY     when an OK'd change is synced to disk: always
                         (before the reply), everysec (within a second;
                         a server crash loses nothing), or no (the kernel
                         decides) [default: {fsync}]
      --in-memory        keep no log: lists live only as long as the server
      --repair           start even if the log is damaged: keep what comes
                         before the damage, move the damaged file aside
      --enable-debug     accept DEBUG commands (fault injection for tests)
  -h, --help             print this help and exit
  -V, --version          print the version and exit

The server's resident memory stays below --max-memory plus 32 MiB plus
4 KiB per open connection, whatever clients send or fail to read.

Talk to it with OpenBSD's netcat (apt-get install netcat-openbsd):
  printf 'PUT shopping milk\\nLIST shopping\\n' | nc -N 127.0.0.1 {port}

Logging goes to stderr at info level; set RUST_LOG=debug to see every
connection, RUST_LOG=warn for less. SIGINT or SIGTERM stops the server
gracefully; a second one stops it at once.
"
    )
}

/// A size as `--max-memory` takes it: in the largest unit that divides it.
fn size_text(bytes: u64) -> String {
    match bytes {
        0 => "0".into(),
        b if b % (1 << 30) == 0 => format!("{}gb", b >> 30),
        b if b % (1 << 20) == 0 => format!("{}mb", b >> 20),
        b if b % (1 << 10) == 0 => format!("{}kb", b >> 10),
        b => b.to_string(),
    }
}
