//! Test helpers: a real `todo-server` process on an ephemeral loopback port,
//! stopped when the test ends, and a line-oriented client.

pub mod logs;
pub mod resp;
pub mod rng;
pub mod tools;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long a client waits for any one read before the test fails rather
/// than hangs. A bound, not a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running server, killed on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// Everything the server has logged so far, and a signal for each new
    /// line.
    pub log: Arc<Log>,
}

/// A server's log as it grows.
#[derive(Default)]
pub struct Log {
    text: Mutex<String>,
    grew: Condvar,
}

impl Log {
    fn push(&self, line: &str) {
        self.text.lock().unwrap().push_str(line);
        self.grew.notify_all();
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    pub fn contains(&self, text: &str) -> bool {
        self.text.lock().unwrap().contains(text)
    }

    /// Waits until the log contains `text`, or `PATIENCE` passes (a bound
    /// on a hang: the answer is then `false`).
    pub fn wait_for(&self, text: &str) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut log = self.text.lock().unwrap();
        while !log.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            log = self.grew.wait_timeout(log, left).unwrap().0;
        }
        true
    }
}

/// A fresh, empty data directory under the system's temporary directory,
/// removed when the test ends.
pub struct DataDir {
    pub path: std::path::PathBuf,
}

impl DataDir {
    pub fn new() -> DataDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("todo-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        DataDir { path }
    }

    /// The path, as an argument.
    pub fn arg(&self) -> &str {
        self.path.to_str().unwrap()
    }

    /// The files in it, by name.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Waits until `done` says so; fails with `what` after `PATIENCE` (a
/// bound on a hang, not a timing assertion). Each look must ask the
/// server (a `STATS`, a command) and wait for its reply: the replies pace
/// the looks, no sleep does.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "waited in vain: {what}");
    }
}

impl Server {
    /// Starts the server with these extra arguments on port 0, in memory
    /// unless they name a `--data-dir`.
    pub fn start(args: &[&str]) -> Server {
        Server::start_with_log(args, "info")
    }

    pub fn start_with_log(args: &[&str], rust_log: &str) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_todo-server"));
        command
            .args(["--port", "0"])
            .args(in_memory_unless_on_disk(args))
            .args(args)
            .env("RUST_LOG", rust_log);
        Server::spawn(command)
    }

    /// Starts the server on `dir`, with these extra arguments.
    pub fn start_on(dir: &DataDir, args: &[&str]) -> Server {
        let mut all = vec!["--data-dir", dir.arg()];
        all.extend_from_slice(args);
        Server::start(&all)
    }

    /// Starts the server from a shell that first runs `setup` (a `ulimit`,
    /// say) and then execs the server, so the pid is the server's.
    pub fn start_after(setup: &str, args: &[&str]) -> Server {
        let script = format!("{setup} && exec \"$0\" --port 0 \"$@\"");
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_todo-server"))
            .args(in_memory_unless_on_disk(args))
            .args(args)
            .env("RUST_LOG", "info");
        Server::spawn(command)
    }

    fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start todo-server");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let log = Arc::new(Log::default());
        // Drain stderr all along, so the server never blocks on it.
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut line = String::new();
            while stderr.read_line(&mut line).unwrap_or(0) > 0 {
                sink.push(&line);
                line.clear();
            }
            sink.push("(the server's stderr closed)\n");
        });
        let started = log.wait_for("listening on ") || {
            let _ = child.kill();
            false
        };
        let text = log.text();
        assert!(started, "the server did not listen; log: {text}");
        let at = text.find("listening on ").unwrap() + 13;
        let addr = text[at..].lines().next().unwrap().trim();
        let addr = addr.parse().expect("address in log");
        Server { child, addr, log }
    }

    pub fn connect(&self) -> Client {
        Client::connect(self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the server to exit by itself; its exit code. (Its last
    /// log lines may still be on their way: see `wait_for_log`.)
    pub fn wait(&mut self) -> Option<i32> {
        let status = self.child.wait().unwrap();
        status.code()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Sends the server a signal (`TERM`, `INT`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// The server's peak resident memory so far, in bytes (`VmHWM`).
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kb * 1024
    }

    /// Waits until the log contains `text` (see [`Log::wait_for`]).
    pub fn wait_for_log(&self, text: &str) -> bool {
        self.log.wait_for(text)
    }
}

/// `--in-memory`, unless `args` ask for a log: a test that is not about
/// persistence writes nothing to disk.
fn in_memory_unless_on_disk(args: &[&str]) -> &'static [&'static str] {
    let on_disk = args
        .iter()
        .any(|a| a.starts_with("--data-dir") || *a == "--in-memory");
    if on_disk {
        &[]
    } else {
        &["--in-memory"]
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client connection that reads replies line by line.
pub struct Client {
    pub stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        Client::from_stream(stream)
    }

    pub fn from_stream(stream: TcpStream) -> Client {
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.set_nodelay(true).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        Client { stream, reader }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Reads one whole reply: lines up to and including `OK` or `ERR ...`.
    pub fn reply(&mut self) -> Vec<u8> {
        let mut reply = Vec::new();
        loop {
            let start = reply.len();
            let n = self
                .reader
                .read_until(b'\n', &mut reply)
                .expect("read reply");
            assert!(
                n > 0,
                "connection closed mid-reply after {:?}",
                String::from_utf8_lossy(&reply)
            );
            let line = &reply[start..];
            if line == b"OK\n" || line.starts_with(b"ERR ") {
                return reply;
            }
            assert!(
                line.starts_with(b"* "),
                "not a data line: {:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    /// Reads one line, whatever it is.
    pub fn read_line(&mut self) -> String {
        self.try_read_line().expect("a line")
    }

    /// Reads one line; `None` on EOF or when the read times out.
    pub fn try_read_line(&mut self) -> Option<String> {
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(n) if n > 0 => Some(String::from_utf8_lossy(&line).into_owned()),
            _ => None,
        }
    }

    /// Sends one request line and returns its reply.
    pub fn request(&mut self, line: &[u8]) -> Vec<u8> {
        let mut bytes = line.to_vec();
        bytes.push(b'\n');
        self.send(&bytes);
        self.reply()
    }

    /// `request` for text, returning text.
    pub fn ask(&mut self, line: &str) -> String {
        String::from_utf8(self.request(line.as_bytes())).expect("UTF-8 reply")
    }

    /// Pins the socket's receive buffer small, so that a client that does
    /// not read soon leaves the server with unsent bytes (the kernel would
    /// otherwise grow the buffer to tens of megabytes on loopback).
    pub fn shrink_receive_buffer(&mut self) {
        self.set_receive_buffer(16 * 1024);
    }

    /// Sets the socket's receive buffer. A client that shrank it and then
    /// reads a lot should grow it first: with a tiny window, Linux may send
    /// only when a probe timer fires, a segment every 200 ms.
    pub fn set_receive_buffer(&mut self, size: libc::c_int) {
        use std::os::fd::AsRawFd;
        // SAFETY: setsockopt reads `size` for the call's duration only.
        let rc = unsafe {
            libc::setsockopt(
                self.stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                &size as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0, "setsockopt SO_RCVBUF");
    }

    /// One counter, from a fresh `STATS`.
    pub fn stat(&mut self, key: &str) -> u64 {
        stat_in(&self.ask("STATS"), key)
    }

    /// One `STATS` field as text (`fsync`, `persistence_failure`, ...).
    pub fn stat_text(&mut self, key: &str) -> String {
        let stats = self.ask("STATS");
        stats
            .lines()
            .find_map(|l| l.strip_prefix(&format!("* {key} ")).map(str::to_owned))
            .unwrap_or_else(|| panic!("no {key} in {stats}"))
    }

    pub fn shutdown_write(&mut self) {
        self.stream.shutdown(Shutdown::Write).unwrap();
    }

    /// The buffered reader over the socket.
    pub fn reader(&mut self) -> &mut BufReader<TcpStream> {
        &mut self.reader
    }

    /// Reads everything until the server closes.
    pub fn read_to_end(&mut self) -> Vec<u8> {
        let mut all = Vec::new();
        self.reader.read_to_end(&mut all).expect("read to EOF");
        all
    }
}

/// The counter `key` in a `STATS` reply.
pub fn stat_in(stats: &str, key: &str) -> u64 {
    let prefix = format!("* {key} ");
    let line = stats
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {key} in {stats}"));
    line[prefix.len()..].parse().unwrap()
}
