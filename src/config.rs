//! Every command-line option, its default, and why: the one place a limit
//! is defined. Parsing is by hand (the option set is small, and the project
//! keeps its dependencies to the core four).

use std::ffi::OsString;
use std::fmt;
use std::net::IpAddr;

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
    /// Bytes of stored names and items (each counted with a fixed
    /// overhead) past which writes get `ERR out of memory`; 0 for no limit.
    /// On by default, at 1 GiB: enough for millions of short lists, and a
    /// ceiling that no client can push the server's heap through on an
    /// ordinary machine. The counted bytes track the real heap closely (see
    /// `todo::memory`).
    pub max_memory: u64,
    /// Open connections past which a new client gets `ERR max clients
    /// reached` and is closed. Redis's default.
    pub max_clients: usize,
    /// Seconds a connection may sit idle before the server closes it; 0
    /// (the default) never closes an idle connection.
    pub timeout: u64,
}

impl Config {
    /// How long a connection may be idle before it is closed, if at all.
    pub fn idle_timeout(&self) -> Option<std::time::Duration> {
        (self.timeout > 0).then(|| std::time::Duration::from_secs(self.timeout))
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 4040,
            max_line: 65536,
            max_memory: 1 << 30,
            max_clients: 10_000,
            timeout: 0,
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
        }
    }
}

impl std::error::Error for ConfigError {}

/// The `--help` text.
pub const HELP: &str = "\
todo-server: named todo lists over TCP, one thread, one poll loop

Usage: todo-server [OPTIONS]

Options:
      --bind ADDR        address to listen on [default: 127.0.0.1]
      --port PORT        port to listen on, 0 for any free one [default: 4040]
      --max-line BYTES   longest request line, LF excluded [default: 65536]
      --max-memory SIZE  limit on stored names and items, e.g. 64mb, 1gb;
                         0 for none [default: 1gb]
      --max-clients N    open connections allowed [default: 10000]
      --timeout SECONDS  close connections idle this long; 0 for never
                         [default: 0]
  -h, --help             print this help and exit
  -V, --version          print the version and exit

Talk to it with netcat:
  printf 'PUT shopping milk\\nLIST shopping\\n' | nc -N 127.0.0.1 4040

Logging goes to stderr at info level; set RUST_LOG=debug to see every
connection, RUST_LOG=warn for less.
";

impl Command {
    /// Parses the arguments after the program name. `--opt value` and
    /// `--opt=value` are both accepted.
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, ConfigError> {
        let mut config = Config::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let arg = arg.to_string_lossy().into_owned();
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => {
                    (name.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            let option: &'static str = match name.as_str() {
                "-h" | "--help" => return Ok(Command::Help),
                "-V" | "--version" => return Ok(Command::Version),
                "--bind" => "--bind",
                "--port" => "--port",
                "--max-line" => "--max-line",
                "--max-memory" => "--max-memory",
                "--max-clients" => "--max-clients",
                "--timeout" => "--timeout",
                _ => return Err(ConfigError::Unknown(arg)),
            };
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .map(|v| v.to_string_lossy().into_owned())
                    .ok_or(ConfigError::MissingValue(option))?,
            };
            let invalid = |expected| ConfigError::Invalid {
                option,
                value: value.clone(),
                expected,
            };
            match option {
                "--bind" => config.bind = value.parse().map_err(|_| invalid("an IP address"))?,
                "--port" => {
                    config.port = value
                        .parse()
                        .map_err(|_| invalid("a port number, 0 to 65535"))?
                }
                "--max-memory" => {
                    config.max_memory = parse_size(&value)
                        .ok_or_else(|| invalid("a size such as 1048576, 64mb or 1gb"))?
                }
                "--max-clients" => {
                    config.max_clients = value
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| invalid("a number of connections above 0"))?
                }
                "--timeout" => {
                    config.timeout = value
                        .parse()
                        .map_err(|_| invalid("a number of seconds, 0 for never"))?
                }
                _ => {
                    config.max_line = value
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| invalid("a number of bytes above 0"))?
                }
            }
        }
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
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, ConfigError> {
        Command::parse(args.iter().map(OsString::from))
    }

    #[test]
    fn no_arguments_give_the_defaults() {
        assert_eq!(parse(&[]), Ok(Command::Run(Config::default())));
        assert_eq!(Config::default().port, 4040);
    }

    #[test]
    fn options_take_separate_or_inline_values() {
        let Ok(Command::Run(config)) = parse(&["--port", "0", "--bind=0.0.0.0", "--max-line=10"])
        else {
            panic!("should parse");
        };
        assert_eq!(config.port, 0);
        assert_eq!(config.bind, IpAddr::from([0, 0, 0, 0]));
        assert_eq!(config.max_line, 10);
    }

    #[test]
    fn sizes_take_redis_units() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("64mb"), Some(64 << 20));
        assert_eq!(parse_size("1GB"), Some(1 << 30));
        assert_eq!(parse_size("2k"), Some(2000));
        assert_eq!(parse_size("0"), Some(0));
        assert_eq!(parse_size("mb"), None);
        assert_eq!(parse_size("12tb"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("99999999999gb"), None);
    }

    #[test]
    fn limits_have_safe_defaults() {
        let config = Config::default();
        assert_eq!(config.max_memory, 1 << 30);
        assert_eq!(config.max_clients, 10_000);
        assert_eq!(config.timeout, 0);
        let Ok(Command::Run(config)) =
            parse(&["--max-memory", "64mb", "--max-clients=5", "--timeout", "30"])
        else {
            panic!("should parse");
        };
        assert_eq!(
            (config.max_memory, config.max_clients, config.timeout),
            (64 << 20, 5, 30)
        );
        assert!(parse(&["--max-clients", "0"]).is_err());
        assert!(parse(&["--timeout", "soon"]).is_err());
    }

    #[test]
    fn help_and_version_win() {
        assert_eq!(parse(&["--port", "1", "--help"]), Ok(Command::Help));
        assert_eq!(parse(&["-V"]), Ok(Command::Version));
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        assert_eq!(
            parse(&["--port", "70000"]).unwrap_err().to_string(),
            "invalid value '70000' for '--port': expected a port number, 0 to 65535"
        );
        assert_eq!(
            parse(&["--frobnicate"]).unwrap_err().to_string(),
            "unknown option '--frobnicate'"
        );
        assert_eq!(parse(&["--port"]), Err(ConfigError::MissingValue("--port")));
        assert!(parse(&["--max-line", "0"]).is_err());
        assert!(parse(&["--bind", "localhost:1"]).is_err());
    }
}
