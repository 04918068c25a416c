//! Workloads: what to send, to which server, and each workload's setup
//! (clearing and prefilling lists) before its measured run.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::driver::{Driver, Limit, Outcome};
use crate::probe::Probe;
use crate::report::Report;
use crate::requests::Generator;

/// Which server protocol to speak.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Proto {
    /// todo-server's lines.
    Todo,
    /// Redis inline commands, RESP replies.
    Redis,
    /// RESP multibulk requests and replies, which todo-server and Redis
    /// both speak.
    Resp,
}

/// What to send.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Workload {
    /// `PUT` (`RPUSH`) of one item to a random list.
    Put,
    /// `LIST` (`LRANGE 0 -1`) of a random list, prefilled.
    List,
    /// 90% `PUT`, 10% `LIST`.
    Mixed,
    /// `PING`.
    Ping,
    /// One `PUT` to each of `requests` new lists, in order: for memory.
    Fill,
    /// Open the connections, `PING` once on each, and hold them open.
    Idle,
    /// `DEL` (`LREM`) of an item that is not there, from a prefilled list:
    /// a scan of the whole list each time.
    DelScan,
    /// `LIST` (`LRANGE 0 -1`) of a prefilled list, meant to be big.
    BigList,
    /// `LISTS` (`KEYS *`) over `--keys` prefilled lists.
    Lists,
}

impl Workload {
    /// The workload's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Put => "put",
            Workload::List => "list",
            Workload::Mixed => "mixed",
            Workload::Ping => "ping",
            Workload::Fill => "fill",
            Workload::Idle => "idle",
            Workload::DelScan => "del-scan",
            Workload::BigList => "big-list",
            Workload::Lists => "lists",
        }
    }

    /// Every workload, for the command line.
    pub const ALL: [Workload; 9] = [
        Workload::Put,
        Workload::List,
        Workload::Mixed,
        Workload::Ping,
        Workload::Fill,
        Workload::Idle,
        Workload::DelScan,
        Workload::BigList,
        Workload::Lists,
    ];

    /// It reads lists that the setup fills first.
    fn prefilled(self) -> bool {
        matches!(
            self,
            Workload::List
                | Workload::Mixed
                | Workload::DelScan
                | Workload::BigList
                | Workload::Lists
        )
    }
}

/// A whole run's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The server.
    pub addr: SocketAddr,
    /// Protocol.
    pub proto: Proto,
    /// Connections.
    pub connections: usize,
    /// Requests in flight per connection.
    pub pipeline: usize,
    /// Requests per workload, unless `duration` is set.
    pub requests: u64,
    /// Run each workload this long instead of a number of requests (for
    /// `idle`: how long to hold the connections).
    pub duration: Option<Duration>,
    /// Unmeasured time before each workload.
    pub warmup: Duration,
    /// Workloads, in order.
    pub workloads: Vec<Workload>,
    /// Lists the requests spread over.
    pub keys: u64,
    /// Item bytes.
    pub size: usize,
    /// Items per list before a `list` run.
    pub prefill: usize,
    /// Seed of the key choice.
    pub seed: u64,
    /// PINGs a second from the latency probe during each workload; 0 for
    /// no probe.
    pub probe: u32,
    /// Print a progress line to stderr every second.
    pub progress: bool,
}

/// Runs one workload: its setup, the warmup, then the measured part.
pub fn run_workload(config: &Config, workload: Workload) -> io::Result<Report> {
    let connections = if workload == Workload::Fill {
        config.connections.min(50)
    } else {
        config.connections
    };
    let mut driver = Driver::connect(config.addr, connections, config.proto)?;
    let mut generator = Generator::new(
        config.proto,
        workload,
        config.keys,
        config.size,
        config.seed,
    );
    let quiet = &mut |_| {};
    let setup = Limit {
        requests: None,
        until: None,
    };

    // Setup: empty the lists (all of them, before any is filled again: the
    // connections do not order requests among themselves), then prefill.
    if workload == Workload::Put || workload.prefilled() {
        let mut key = 0;
        let keys = config.keys;
        let clear = &mut |out: &mut Vec<u8>| {
            (key < keys).then(|| {
                key += 1;
                generator.clear(out, key - 1)
            })
        };
        check_setup(
            driver.run(32, clear, setup, false, quiet)?,
            "clearing the lists",
        )?;
    }
    // Mixed is prefilled too, so that its LISTs never find a list missing
    // (todo-server's `ERR not found`, where Redis answers an empty array).
    if workload.prefilled() && config.prefill > 0 {
        let total = config.keys * config.prefill as u64;
        let mut n = 0;
        let keys = config.keys;
        let fill = &mut |out: &mut Vec<u8>| {
            (n < total).then(|| {
                n += 1;
                generator.put(out, (n - 1) % keys)
            })
        };
        check_setup(
            driver.run(32, fill, setup, false, quiet)?,
            "prefilling the lists",
        )?;
    }

    if workload == Workload::Idle {
        let mut pinged = 0;
        let count = driver.len();
        let ping = &mut |out: &mut Vec<u8>| {
            (pinged < count).then(|| {
                pinged += 1;
                generator.next(out)
            })
        };
        let outcome = driver.run(1, ping, setup, true, quiet)?;
        let hold = config.duration.unwrap_or(Duration::from_secs(5));
        eprintln!("holding {count} connections for {hold:?}");
        std::thread::sleep(hold);
        return Ok(Report {
            workload,
            connections,
            pipeline: 1,
            outcome,
            probe: None,
        });
    }

    let next = &mut |out: &mut Vec<u8>| Some(generator.next(out));
    if !config.warmup.is_zero() && workload != Workload::Fill {
        let warmup = Limit {
            requests: None,
            until: Some(Instant::now() + config.warmup),
        };
        driver.run(config.pipeline, next, warmup, false, quiet)?;
    }
    let limit = match config.duration {
        Some(duration) => Limit {
            requests: None,
            until: Some(Instant::now() + duration),
        },
        None => Limit {
            requests: Some(config.requests),
            until: None,
        },
    };
    let started = Instant::now();
    let name = workload.name();
    let mut progress = |done: u64| {
        if config.progress {
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "{name}: {seconds:.0} s, {done} replies, {:.0} req/s",
                done as f64 / seconds
            );
        }
    };
    let probe = match config.probe {
        0 => None,
        rate => Some(Probe::start(config.addr, config.proto, rate)?),
    };
    let outcome = driver.run(config.pipeline, next, limit, true, &mut progress)?;
    let probe = probe.map(Probe::finish).transpose()?;
    Ok(Report {
        workload,
        connections,
        pipeline: config.pipeline,
        outcome,
        probe,
    })
}

fn check_setup(outcome: Outcome, what: &str) -> io::Result<()> {
    if outcome.errors > 0 {
        return Err(io::Error::other(format!(
            "{what}: {} bad replies",
            outcome.errors
        )));
    }
    Ok(())
}
