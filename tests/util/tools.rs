//! Real Redis tools and clients (`redis-server`, `redis-cli`,
//! `redis-benchmark`, `nutcracker`, Python's `redis`) for the tests that
//! prove todo-server works with them. `.ci/run` installs them and sets
//! `TODO_REQUIRE_TOOLS=1`, so that a missing one fails there; on a machine
//! without them, such a test says so and passes without checking.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use super::PATIENCE;

/// Whether `program` can be run; if not, says why the test checks
/// nothing (or fails, under `TODO_REQUIRE_TOOLS`).
pub fn have(program: &str, install: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        assert!(
            std::env::var_os("TODO_REQUIRE_TOOLS").is_none(),
            "{program} is required here: {install}"
        );
        eprintln!("skipped: {program} is not installed ({install})");
    }
    found
}

/// A free port on 127.0.0.1, for a program that cannot be told to pick
/// one itself.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `redis-server` on 127.0.0.1, without persistence, once it says it
/// is ready.
pub fn redis_server() -> (Process, u16) {
    let port = free_port();
    let mut child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--appendonly", "no", "--daemonize", "no", "--logfile", ""])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start redis-server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let process = Process(child);
    loop {
        let line = lines
            .next()
            .expect("redis-server stopped before it was ready")
            .unwrap();
        if line.contains("Ready to accept connections") {
            break;
        }
    }
    // The rest of its log goes nowhere, so that it never blocks on it.
    std::thread::spawn(move || lines.for_each(drop));
    (process, port)
}

/// Waits until something listens on `port`, for a program that does not
/// say when it does (nutcracker): each look is a `connect`, refused at
/// once until then; `PATIENCE` bounds a hang.
pub fn wait_for_port(port: u16) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "nothing listens on {port}"
        );
        std::thread::yield_now();
    }
}
