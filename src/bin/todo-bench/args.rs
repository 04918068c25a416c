//! `todo-bench`'s command line.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::workload::{Config, Proto, Workload};

/// The `--help` text.
pub const HELP: &str = "\
todo-bench: load generator for todo-server (and Redis, for comparison)

Usage: todo-bench [OPTIONS]

Options:
      --host HOST        server host [default: 127.0.0.1]
      --port PORT        server port [default: 4040]
      --proto PROTO      todo (the line protocol); redis (LPUSH, LRANGE 0 -1,
                         PING as Redis inline commands); or resp (the same
                         as RESP multibulk requests, which todo-server and
                         Redis both read) [default: todo]
  -c N                   connections [default: 50]
  -P N                   requests in flight per connection [default: 1]
  -n N                   requests per workload [default: 1000000]
  -d SECONDS             run each workload this long instead of -n; for
                         idle, how long to hold the connections
      --warmup SECONDS   unmeasured run before each workload [default: 0]
  -t LIST                workloads, comma-separated [default: put,list,mixed,ping]
                           put    PUT one item to a random list
                           list   LIST a random list of --prefill items
                           mixed  90% put, 10% list
                           ping   PING
                           fill   PUT one item to each of -n new lists
                           idle   open -c connections, PING each, hold them
                         and, to see what heavy requests cost everyone else
                         (run them with --probe):
                           del-scan  DEL a missing item from a prefilled list
                                     (e.g. --keys 1 --prefill 2000000)
                           big-list  LIST a prefilled list (e.g. --keys 1
                                     --prefill 60000 --size 1000: 60 MB)
                           lists     LISTS over --keys lists of --prefill
                                     items (e.g. --keys 1000000 --prefill 1)
      --keys N           lists the requests spread over [default: 1000]
      --size BYTES       item size [default: 16]
      --prefill N        items per list before a list or mixed run [default: 10]
      --seed N           seed of the key choice [default: 1]
      --probe RATE       during each workload, one more connection sends
                         PING RATE times a second and reports its latency
                         percentiles (from when each PING was due) [default:
                         0, off]
      --csv              print CSV instead of the table
  -q, --quiet            no progress lines
  -h, --help             print this help and exit
  -V, --version          print the version and exit

Latency is from writing a request to reading its whole reply. Every reply
is checked; a run with error or malformed replies is marked NOT CLEAN and
todo-bench exits with code 1. Each workload also prints one line starting
with 'result' of key=value pairs, for scripts.
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Run these workloads.
    Run(Config, Output),
    /// Print the help.
    Help,
    /// Print the version.
    Version,
}

/// How to print the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The table.
    Table,
    /// CSV.
    Csv,
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut host = "127.0.0.1".to_owned();
    let mut port = 4040u16;
    let mut config = Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 4040)),
        proto: Proto::Todo,
        connections: 50,
        pipeline: 1,
        requests: 1_000_000,
        duration: None,
        warmup: Duration::ZERO,
        workloads: vec![
            Workload::Put,
            Workload::List,
            Workload::Mixed,
            Workload::Ping,
        ],
        keys: 1000,
        size: 16,
        prefill: 10,
        seed: 1,
        probe: 0,
        progress: true,
    };
    let mut output = Output::Table;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("option '{name}' needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--csv" => output = Output::Csv,
            "-q" | "--quiet" => config.progress = false,
            "--host" => host = value()?,
            "--port" => port = number(&name, &value()?)?,
            "--proto" => {
                config.proto = match value()?.as_str() {
                    "todo" => Proto::Todo,
                    "redis" => Proto::Redis,
                    "resp" => Proto::Resp,
                    other => {
                        return Err(format!(
                            "unknown protocol '{other}': expected todo, redis or resp"
                        ))
                    }
                }
            }
            "-c" => config.connections = positive(&name, &value()?)?,
            "-P" => config.pipeline = positive(&name, &value()?)?,
            "-n" => config.requests = positive(&name, &value()?)?,
            "-d" => config.duration = Some(Duration::from_secs_f64(seconds(&name, &value()?)?)),
            "--warmup" => config.warmup = Duration::from_secs_f64(seconds(&name, &value()?)?),
            "--keys" => config.keys = positive(&name, &value()?)?,
            "--size" => config.size = number(&name, &value()?)?,
            "--prefill" => config.prefill = number(&name, &value()?)?,
            "--seed" => config.seed = number(&name, &value()?)?,
            "--probe" => config.probe = number(&name, &value()?)?,
            "-t" => {
                config.workloads = value()?
                    .split(',')
                    .map(|w| {
                        let w = w.trim();
                        Workload::ALL
                            .into_iter()
                            .find(|k| k.name() == w)
                            .ok_or_else(|| format!("unknown workload '{w}'"))
                    })
                    .collect::<Result<_, _>>()?
            }
            _ => return Err(format!("unknown option '{arg}'")),
        }
    }
    config.addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve '{host}': {e}"))?
        .next()
        .ok_or_else(|| format!("no address for '{host}'"))?;
    Ok(Command::Run(config, output))
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("invalid value '{value}' for '{name}': expected a number"))
}

fn positive<T: std::str::FromStr + PartialOrd + Default>(
    name: &str,
    value: &str,
) -> Result<T, String> {
    let n: T = number(name, value)?;
    if n > T::default() {
        Ok(n)
    } else {
        Err(format!(
            "invalid value '{value}' for '{name}': expected a number above 0"
        ))
    }
}

fn seconds(name: &str, value: &str) -> Result<f64, String> {
    let s: f64 = number(name, value)?;
    if s.is_finite() && s >= 0.0 {
        Ok(s)
    } else {
        Err(format!(
            "invalid value '{value}' for '{name}': expected seconds"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_and_options() {
        let Ok(Command::Run(config, Output::Table)) = parse_args(&[]) else {
            panic!()
        };
        assert_eq!(
            (
                config.connections,
                config.pipeline,
                config.keys,
                config.size
            ),
            (50, 1, 1000, 16)
        );
        assert_eq!(config.addr, SocketAddr::from(([127, 0, 0, 1], 4040)));
        let Ok(Command::Run(config, Output::Csv)) = parse_args(&[
            "-c",
            "8",
            "-P",
            "32",
            "-t",
            "put,ping",
            "--proto=redis",
            "--port",
            "6379",
            "-d",
            "2",
            "--csv",
        ]) else {
            panic!()
        };
        assert_eq!(config.workloads, [Workload::Put, Workload::Ping]);
        assert_eq!(
            (config.connections, config.pipeline, config.proto),
            (8, 32, Proto::Redis)
        );
        assert_eq!(config.duration, Some(Duration::from_secs(2)));
        assert_eq!(config.addr.port(), 6379);
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(parse_args(&["-c", "0"]).is_err());
        assert!(parse_args(&["-t", "put,nope"])
            .unwrap_err()
            .contains("unknown workload 'nope'"));
        assert!(parse_args(&["--proto", "memcached"]).is_err());
        assert!(parse_args(&["-P"]).unwrap_err().contains("needs a value"));
        assert!(parse_args(&["--frob"]).is_err());
    }
}
