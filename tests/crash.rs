//! Crash tests over real processes: clients write concurrently (pipelined
//! `PUT`, `DEL`, `CREATE`, `DROP`, `KILL`, each on its own list), the server
//! is killed with SIGKILL at a random moment, and restarted on the same
//! directory. What each list holds then must be the result of a prefix of
//! what its client sent, at least as long as what was answered `OK`: a
//! crash of the process loses nothing acknowledged under any policy (the
//! records are in the kernel before the replies leave), and never leaves a
//! hole or half an item. The seed is printed; `TEST_SEED` replays a run.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use crate::durability::crash;
use crate::util::rng::Rng;
use crate::util::{DataDir, Server, PATIENCE};

/// Writers per round.
const WRITERS: usize = 4;

/// Requests a writer sends at once.
const BATCH: usize = 16;

/// One list as the model has it: whether it exists, and its items oldest
/// first.
#[derive(Debug, Clone, Default, PartialEq)]
struct Model {
    exists: bool,
    items: Vec<String>,
}

impl Model {
    fn apply(&mut self, op: &Op) {
        match op {
            Op::Put(item) => {
                self.exists = true;
                self.items.push(item.clone());
            }
            Op::Create => self.exists = true,
            Op::Del(item) => {
                let at = self
                    .items
                    .iter()
                    .rposition(|i| i == item)
                    .expect("generated");
                self.items.remove(at);
            }
            Op::Drop | Op::Kill => *self = Model::default(),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Put(String),
    Create,
    Del(String),
    Drop,
    Kill,
}

impl Op {
    fn line(&self, list: &str) -> String {
        match self {
            Op::Put(item) => format!("PUT {list} {item}\n"),
            Op::Create => format!("CREATE {list}\n"),
            Op::Del(item) => format!("DEL {list} {item}\n"),
            Op::Drop => format!("DROP {list}\n"),
            Op::Kill => format!("KILL {list}\n"),
        }
    }
}

/// Requests that each succeed when sent in order, on a list alone.
fn generate(rng: &mut Rng, writer: usize, count: usize) -> Vec<Op> {
    let mut model = Model::default();
    let mut ops = Vec::with_capacity(count);
    for j in 0..count {
        let roll = rng.below(100);
        let op = if model.exists && !model.items.is_empty() && roll < 20 {
            Op::Del(rng.pick(&model.items).clone())
        } else if model.exists && roll < 22 {
            Op::Drop
        } else if model.exists && roll < 24 {
            Op::Kill
        } else if !model.exists && roll < 30 {
            Op::Create
        } else if !model.items.is_empty() && roll < 35 {
            // A second copy, so that DEL must take the newest.
            Op::Put(rng.pick(&model.items).clone())
        } else {
            Op::Put(format!(
                "w{writer}-item-{j}-{}",
                "x".repeat(rng.below(40) as usize)
            ))
        };
        model.apply(&op);
        ops.push(op);
    }
    ops
}

/// What a writer did before the server died: requests sent (some may
/// not have arrived) and answered `OK`.
struct Outcome {
    sent: usize,
    acked: usize,
}

/// The `OK`s all writers of a round have had, and how many writers are
/// done, for the round to wait on (no sleeping: each `OK` wakes it).
#[derive(Default)]
struct Acks {
    state: Mutex<(u64, usize)>,
    changed: Condvar,
}

impl Acks {
    fn ok(&self) {
        self.state.lock().unwrap().0 += 1;
        self.changed.notify_all();
    }

    fn writer_done(&self) {
        self.state.lock().unwrap().1 += 1;
        self.changed.notify_all();
    }

    fn total(&self) -> u64 {
        self.state.lock().unwrap().0
    }

    /// Waits until there are `n` `OK`s, or every writer is done, or the
    /// deadline (a bound on a hang) passes.
    fn wait_for(&self, n: u64, deadline: Instant) {
        let mut state = self.state.lock().unwrap();
        while state.0 < n && state.1 < WRITERS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            state = self.changed.wait_timeout(state, left).unwrap().0;
        }
    }
}

/// Sends `ops` in pipelined batches until they run out or the server
/// dies; counts each `OK` in `acks` too.
fn write(stream: TcpStream, list: &str, ops: &[Op], acks: &Acks) -> Outcome {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    let (mut sent, mut acked) = (0, 0);
    for batch in ops.chunks(BATCH) {
        let bytes: String = batch.iter().map(|op| op.line(list)).collect();
        sent += batch.len();
        if stream.write_all(bytes.as_bytes()).is_err() {
            return Outcome { sent, acked };
        }
        for _ in batch {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(n) if n > 0 => {
                    assert_eq!(line, "OK\n", "{list}: reply {}", acked + 1);
                    acked += 1;
                    acks.ok();
                }
                _ => return Outcome { sent, acked },
            }
        }
    }
    Outcome { sent, acked }
}

/// What list `name` holds on `server`, as a model (items oldest first).
fn recovered(c: &mut crate::util::Client, name: &str) -> Model {
    let reply = c.ask(&format!("LIST {name}"));
    if reply == "ERR not found\n" {
        return Model::default();
    }
    let mut items: Vec<String> = reply
        .lines()
        .filter_map(|l| l.strip_prefix("* "))
        .map(str::to_owned)
        .collect();
    items.reverse();
    Model {
        exists: true,
        items,
    }
}

/// When, in a round, the server is killed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// Once a random number of replies came back.
    AfterReplies,
    /// During a compaction (`COMPACT` sent once writing began), once it
    /// has taken a random number of lists.
    DuringCompaction,
    /// Once a compaction (`COMPACT` sent once writing began) is done, and
    /// a random number of replies more came back.
    AfterCompaction,
}

/// Rounds of: writers on fresh lists, SIGKILL at a random `moment`,
/// restart, check every list of every round (and `bulk` lists of one item
/// written first, for compactions to take long enough to be caught).
pub fn crash_rounds(fsync: &str, seed: u64, moment: Moment, bulk: usize) {
    let mut rng = Rng::from_env(&format!("crash --fsync {fsync}"), seed);
    let dir = DataDir::new();
    let mut kept: Vec<(String, Model)> = Vec::new();
    let mut server = Server::start_on(&dir, &["--fsync", fsync]);
    fill(&server, bulk);
    for round in 0..3 {
        let kill_after = 100 + rng.below(1500);
        let acks = Arc::new(Acks::default());
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let ops = generate(&mut rng, w, 3000);
                let list = format!("r{round}-w{w}");
                let acks = Arc::clone(&acks);
                // Connected before any is killed.
                let stream = TcpStream::connect(server.addr).expect("connect");
                std::thread::spawn(move || {
                    let outcome = write(stream, &list, &ops, &acks);
                    acks.writer_done();
                    (list, ops, outcome)
                })
            })
            .collect();
        // The moment is chosen by count: kill once that many replies came,
        // or once the compaction has taken that many lists.
        let deadline = Instant::now() + PATIENCE;
        let mut stats = server.connect();
        let mut compacting = false;
        if moment != Moment::AfterReplies {
            acks.wait_for(50, deadline);
            assert_eq!(stats.ask("COMPACT"), "OK\n");
            let lists = match moment {
                Moment::DuringCompaction => rng.below(bulk as u64),
                _ => u64::MAX,
            };
            while Instant::now() < deadline {
                let (running, taken) = compaction(&mut stats);
                compacting = running;
                if !running || taken >= lists {
                    break;
                }
            }
        }
        if moment == Moment::AfterCompaction {
            acks.wait_for(acks.total() + rng.below(300), deadline);
        }
        if moment == Moment::AfterReplies {
            acks.wait_for(kill_after, deadline);
        }
        crash(server);
        let results: Vec<_> = writers.into_iter().map(|w| w.join().unwrap()).collect();
        server = Server::start_on(&dir, &["--fsync", fsync]);
        let mut c = server.connect();
        for (list, ops, outcome) in results {
            let got = recovered(&mut c, &list);
            let mut model = Model::default();
            let mut matched = None;
            for (k, op) in ops.iter().enumerate().take(outcome.sent) {
                if k >= outcome.acked && model == got {
                    matched = Some(k);
                    break;
                }
                model.apply(op);
            }
            if matched.is_none() && model == got {
                matched = Some(outcome.sent);
            }
            assert!(
                matched.is_some(),
                "round {round}, {list}: what survived ({} items, exists: {}) is not the result \
                 of a prefix of {} to {} requests",
                got.items.len(),
                got.exists,
                outcome.acked,
                outcome.sent
            );
            kept.push((list, got));
        }
        // Earlier rounds' lists are as the restart before found them.
        for (list, model) in &kept {
            assert_eq!(
                &recovered(&mut c, list),
                model,
                "{list} after round {round}"
            );
        }
        let lists = c.ask("LISTS");
        let bulk_lists = lists.lines().filter(|l| l.starts_with("* bulk-")).count();
        assert_eq!(bulk_lists, bulk, "round {round}");
        eprintln!(
            "round {round}: killed after {} replies{}",
            acks.total(),
            if compacting { ", compacting" } else { "" }
        );
    }
}

/// Whether a compaction is running, and how many lists it has taken.
fn compaction(c: &mut crate::util::Client) -> (bool, u64) {
    let stats = c.ask("STATS");
    let value = |key: &str| -> u64 {
        stats
            .lines()
            .find_map(|l| l.strip_prefix(&format!("* {key} ")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {stats}"))
    };
    (value("compacting") == 1, value("compaction_lists"))
}

/// Writes `count` lists `bulk-N` of one item each, pipelined.
pub fn fill(server: &Server, count: usize) {
    let mut c = server.connect();
    for chunk in (0..count).collect::<Vec<_>>().chunks(1000) {
        let lines: String = chunk
            .iter()
            .map(|i| format!("PUT bulk-{i} bulk item number {i}\n"))
            .collect();
        c.send(lines.as_bytes());
        for _ in chunk {
            assert_eq!(c.read_line(), "OK\n");
        }
    }
}

pub fn time_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

#[test]
fn sigkill_under_fsync_always_loses_nothing_acknowledged() {
    crash_rounds("always", time_seed(), Moment::AfterReplies, 0);
}

#[test]
fn sigkill_under_everysec_keeps_a_prefix_of_each_connection_in_order() {
    crash_rounds("everysec", time_seed(), Moment::AfterReplies, 0);
}

#[test]
fn sigkill_under_fsync_no_keeps_a_prefix_of_each_connection_in_order() {
    crash_rounds("no", time_seed(), Moment::AfterReplies, 0);
}

#[test]
fn sigkill_during_a_compaction_loses_nothing_acknowledged() {
    crash_rounds("always", time_seed(), Moment::DuringCompaction, 20_000);
}

#[test]
fn sigkill_after_a_compaction_under_load_loses_nothing_acknowledged() {
    crash_rounds("always", time_seed(), Moment::AfterCompaction, 20_000);
}

#[test]
fn sigkill_during_a_compaction_under_everysec_keeps_prefixes() {
    crash_rounds("everysec", time_seed(), Moment::DuringCompaction, 20_000);
}
