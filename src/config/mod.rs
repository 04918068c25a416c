//! Every command-line option, its default, its bounds, and why: the one
//! place a limit is defined (`help.rs` writes the `--help` text from
//! them). Parsing is by hand: the option set is small, and an argument
//! parser would not earn its place as a dependency. A value that
//! cannot work (one that would overflow a deadline, or a line longer than
//! the memory set aside to hold it) is refused here, before the server
//! starts, with exit code 2.

use std::ffi::OsString;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use crate::store::Fsync;
pub use help::help;

mod help;

/// The longest `--max-line`: Redis's limit on one bulk string.
pub const MAX_LINE_LIMIT: usize = 512 << 20;

/// The shortest `--max-line`: every command, with a short name and item,
/// must fit.
pub const MIN_LINE_LIMIT: usize = 64;

/// Bytes of a list reply written at once (a small list, a short range);
/// a bigger one is produced in pieces as the client reads. A connection
/// sets this much aside in the clients' share before it asks.
pub const REPLY_AT_ONCE: usize = 16 * 1024;

/// The least the store's share may be: room for a list or two.
pub const MIN_STORE_MEMORY: u64 = 512;

/// The most `--max-clients`: the kernel's default ceiling on descriptors.
pub const MAX_CLIENTS_LIMIT: usize = 1 << 20;

/// The longest `--timeout`, in seconds: ten years, far from any overflow.
pub const TIMEOUT_LIMIT: u64 = 10 * 365 * 24 * 3600;

/// Everything the server can be told at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Address to listen on. Loopback by default: the server has no
    /// authentication, so exposing it is a deliberate act.
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free one (tests use that).
    pub port: u16,
    /// Longest request line in bytes, LF (and a CR before it) excluded.
    /// Redis's inline protocol allows 64 KiB; so do we.
    pub max_line: usize,
    /// The memory budget: stored data and client buffers together, each
    /// with its own share (see `budget.rs`); 0 for no limit. On by default,
    /// at 1 GiB: enough for millions of short lists, and a ceiling that no
    /// client can push the server through on an ordinary machine.
    pub max_memory: u64,
    /// The clients' share of `max_memory`, if set: what connections may
    /// hold in buffers (partial lines, replies not yet sent or being
    /// produced), apart from each connection's own small allowance. By
    /// default 1/32 of `max_memory`, and room for two lines at least.
    pub max_client_memory: Option<u64>,
    /// Open connections past which a new client gets `ERR max clients
    /// reached` and is closed. Redis's default.
    pub max_clients: usize,
    /// Seconds a connection may sit idle before the server closes it; 0
    /// (the default) never closes an idle connection.
    pub timeout: u64,
    /// Where the log lives, if the lists are kept on disk (`None`:
    /// `--in-memory`). A relative path is from the working directory.
    pub data_dir: Option<PathBuf>,
    /// When an acknowledged change reaches the disk. `everysec` by
    /// default, as Redis's `appendfsync`: a crash of the server loses
    /// nothing, a power cut at most about a second.
    pub fsync: Fsync,
    /// Start even if the log is damaged, keeping what comes before the
    /// damage and moving the damaged file aside.
    pub repair: bool,
    /// Accept `DEBUG` (fault injection), off by default as Redis's
    /// `enable-debug-command`.
    pub enable_debug: bool,
}

impl Config {
    /// How long a connection may be idle before it is closed, if at all.
    pub fn idle_timeout(&self) -> Option<Duration> {
        (self.timeout > 0).then(|| Duration::from_secs(self.timeout))
    }

    /// Bytes client buffers may hold in all (0: no limit).
    pub fn client_memory(&self) -> u64 {
        if self.max_memory == 0 {
            return 0;
        }
        self.max_client_memory
            .unwrap_or_else(|| (self.max_memory / 32).max(self.least_client_memory()))
    }

    /// Bytes stored data may take (0: no limit).
    pub fn store_memory(&self) -> u64 {
        self.max_memory.saturating_sub(self.client_memory())
    }

    /// Bytes one request may hold while it arrives: the longest line, or a
    /// RESP request of as many bytes with its arguments' places, and some
    /// slack.
    pub fn request_room(&self) -> u64 {
        3 * self.max_line as u64 + 64
    }

    /// Bytes a reply may take at once: an item as long as the longest
    /// request, or a list's first piece.
    pub fn reply_room(&self) -> u64 {
        (self.max_line + 32).max(REPLY_AT_ONCE) as u64
    }

    /// Bytes of the clients' share kept back for one connection at a time
    /// to finish a request it has begun, or to make a reply it cannot go
    /// on without (`budget.rs`).
    pub fn room_kept_back(&self) -> u64 {
        self.request_room().max(self.reply_room())
    }

    /// The least the clients' share may be: room to finish one request,
    /// and to answer another.
    fn least_client_memory(&self) -> u64 {
        self.request_room() + self.reply_room()
    }

    /// Refuses settings that cannot work together.
    fn check(&self) -> Result<(), ConfigError> {
        if self.max_memory == 0 {
            return match self.max_client_memory {
                Some(_) => Err(ConfigError::Conflict(
                    "--max-client-memory is a share of --max-memory, which is 0 (no limit): \
                     set --max-memory too"
                        .into(),
                )),
                None => Ok(()),
            };
        }
        let clients = self.client_memory();
        let least = self.least_client_memory();
        if clients < least {
            return Err(ConfigError::Conflict(format!(
                "a clients' share of {clients} bytes is too small for --max-line {}: it needs \
                 {least} bytes, to finish one request and answer another; raise \
                 --max-client-memory or lower --max-line",
                self.max_line
            )));
        }
        let store = self.store_memory();
        if store < MIN_STORE_MEMORY {
            return Err(ConfigError::Conflict(format!(
                "--max-memory {} leaves {store} bytes for stored data after the clients' share \
                 of {clients} bytes, less than {MIN_STORE_MEMORY} (room for a list or two): \
                 raise --max-memory or lower --max-client-memory",
                self.max_memory
            )));
        }
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 4040,
            max_line: 65536,
            max_memory: 1 << 30,
            max_client_memory: None,
            max_clients: 10_000,
            timeout: 0,
            data_dir: Some(PathBuf::from("todo-data")),
            fsync: Fsync::Everysec,
            repair: false,
            enable_debug: false,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Run the server.
    Run(Config),
    /// Print the help and exit.
    Help,
    /// Print the version and exit.
    Version,
}

/// A command line that cannot be run; `Display` is the message for the user.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// An option this program does not have.
    Unknown(String),
    /// An option given without its value.
    MissingValue(&'static str),
    /// A value that does not parse or is out of range.
    Invalid {
        /// The option.
        option: &'static str,
        /// The value as given.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// Values that each parse but cannot work together.
    Conflict(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Unknown(option) => write!(f, "unknown option '{option}'"),
            ConfigError::MissingValue(option) => write!(f, "option '{option}' needs a value"),
            ConfigError::Invalid {
                option,
                value,
                expected,
            } => write!(
                f,
                "invalid value '{value}' for '{option}': expected {expected}"
            ),
            ConfigError::Conflict(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Every option, as one enum: its name, whether it takes a value and how
/// it is read are matches on it, so an option cannot be known to one and
/// not the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opt {
    Bind,
    Port,
    MaxLine,
    MaxMemory,
    MaxClientMemory,
    MaxClients,
    Timeout,
    DataDir,
    Fsync,
    InMemory,
    Repair,
    EnableDebug,
}

impl Opt {
    const ALL: [Opt; 12] = [
        Opt::Bind,
        Opt::Port,
        Opt::MaxLine,
        Opt::MaxMemory,
        Opt::MaxClientMemory,
        Opt::MaxClients,
        Opt::Timeout,
        Opt::DataDir,
        Opt::Fsync,
        Opt::InMemory,
        Opt::Repair,
        Opt::EnableDebug,
    ];

    fn name(self) -> &'static str {
        match self {
            Opt::Bind => "--bind",
            Opt::Port => "--port",
            Opt::MaxLine => "--max-line",
            Opt::MaxMemory => "--max-memory",
            Opt::MaxClientMemory => "--max-client-memory",
            Opt::MaxClients => "--max-clients",
            Opt::Timeout => "--timeout",
            Opt::DataDir => "--data-dir",
            Opt::Fsync => "--fsync",
            Opt::InMemory => "--in-memory",
            Opt::Repair => "--repair",
            Opt::EnableDebug => "--enable-debug",
        }
    }

    /// A flag takes no value.
    fn is_flag(self) -> bool {
        matches!(self, Opt::InMemory | Opt::Repair | Opt::EnableDebug)
    }

    /// Sets a flag in `config`.
    fn set_flag(self, config: &mut Config) {
        match self {
            Opt::InMemory => config.data_dir = None,
            Opt::Repair => config.repair = true,
            _ => config.enable_debug = true,
        }
    }

    /// Sets the option in `config` from `value`.
    fn set(self, config: &mut Config, value: &str) -> Result<(), ConfigError> {
        let invalid = |expected| ConfigError::Invalid {
            option: self.name(),
            value: value.to_owned(),
            expected,
        };
        match self {
            Opt::Bind => config.bind = value.parse().map_err(|_| invalid("an IP address"))?,
            Opt::Port => {
                config.port = value
                    .parse()
                    .map_err(|_| invalid("a port number, 0 to 65535"))?
            }
            Opt::MaxLine => {
                config.max_line = value
                    .parse()
                    .ok()
                    .filter(|n| (MIN_LINE_LIMIT..=MAX_LINE_LIMIT).contains(n))
                    .ok_or_else(|| invalid("a number of bytes from 64 to 536870912 (512mb)"))?
            }
            Opt::MaxMemory => {
                config.max_memory = parse_size(value)
                    .ok_or_else(|| invalid("a size such as 1048576, 64mb or 1gb"))?
            }
            Opt::MaxClientMemory => {
                config.max_client_memory = Some(
                    parse_size(value)
                        .filter(|&n| n > 0)
                        .ok_or_else(|| invalid("a size above 0, such as 512kb or 32mb"))?,
                )
            }
            Opt::MaxClients => {
                config.max_clients = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_CLIENTS_LIMIT).contains(n))
                    .ok_or_else(|| invalid("a number of connections from 1 to 1048576"))?
            }
            Opt::Timeout => {
                config.timeout = value
                    .parse()
                    .ok()
                    .filter(|&n| n <= TIMEOUT_LIMIT)
                    .ok_or_else(|| {
                        invalid("a number of seconds up to 315360000 (ten years), 0 for never")
                    })?
            }
            Opt::DataDir => {
                if value.is_empty() {
                    return Err(invalid("a directory"));
                }
                config.data_dir = Some(PathBuf::from(value))
            }
            Opt::Fsync => {
                config.fsync = match value {
                    "always" => Fsync::Always,
                    "everysec" => Fsync::Everysec,
                    "no" => Fsync::No,
                    _ => return Err(invalid("always, everysec or no")),
                }
            }
            Opt::InMemory | Opt::Repair | Opt::EnableDebug => {}
        }
        Ok(())
    }
}

impl Command {
    /// Parses the arguments after the program name. `--opt value` and
    /// `--opt=value` are both accepted.
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, ConfigError> {
        let mut config = Config::default();
        let (mut in_memory, mut data_dir) = (false, false);
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let arg = arg.to_string_lossy().into_owned();
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => {
                    (name.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            match name.as_str() {
                "-h" | "--help" => return Ok(Command::Help),
                "-V" | "--version" => return Ok(Command::Version),
                _ => {}
            }
            let Some(opt) = Opt::ALL.into_iter().find(|o| o.name() == name) else {
                return Err(ConfigError::Unknown(arg));
            };
            if opt.is_flag() {
                if inline.is_some() {
                    return Err(ConfigError::Invalid {
                        option: opt.name(),
                        value: inline.unwrap_or_default(),
                        expected: "no value",
                    });
                }
                opt.set_flag(&mut config);
                in_memory |= opt == Opt::InMemory;
                data_dir |= opt == Opt::DataDir;
                continue;
            }
            data_dir |= opt == Opt::DataDir;
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .map(|v| v.to_string_lossy().into_owned())
                    .ok_or(ConfigError::MissingValue(opt.name()))?,
            };
            opt.set(&mut config, &value)?;
        }
        if in_memory && data_dir {
            return Err(ConfigError::Conflict(
                "--in-memory keeps no log: it cannot take a --data-dir".into(),
            ));
        }
        if in_memory && config.repair {
            return Err(ConfigError::Conflict(
                "--in-memory keeps no log: there is nothing for --repair to repair".into(),
            ));
        }
        if in_memory {
            config.data_dir = None;
        }
        config.check()?;
        Ok(Command::Run(config))
    }
}

/// Parses a size: bytes, or a number with a unit as Redis takes them:
/// `k`, `m`, `g` (powers of 1000) or `kb`, `mb`, `gb` (powers of 1024), in
/// any case.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1 << 10,
        "m" => 1000 * 1000,
        "mb" => 1 << 20,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1 << 30,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(scale)
}

#[cfg(test)]
mod tests;
