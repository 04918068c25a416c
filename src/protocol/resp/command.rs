//! Where a RESP request becomes a command: the todo verbs, Redis's list
//! and key commands on the same lists, and what Redis clients send by
//! themselves. Arguments stay where they are in the read buffer; errors
//! are Redis's texts.

use super::frame::{self, Place};
use super::subcommands;

/// A request's arguments, in the buffer they were read into.
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    buf: &'a [u8],
    places: &'a [Place],
    /// Arguments of the request before these (`from`).
    skip: usize,
}

impl<'a> Args<'a> {
    /// The arguments at `places` of `buf`, the request they were read from.
    pub fn new(buf: &'a [u8], places: &'a [Place]) -> Args<'a> {
        Args {
            buf,
            places,
            skip: 0,
        }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.places.len() - self.skip
    }

    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Argument `i`.
    pub fn get(&self, i: usize) -> &'a [u8] {
        &self.buf[self.places[self.skip + i].range()]
    }

    /// The arguments from `i` on.
    pub fn from(&self, i: usize) -> Args<'a> {
        Args {
            skip: (self.skip + i).min(self.places.len()),
            ..*self
        }
    }

    /// The whole request these arguments are the end of, its name first.
    pub fn whole(&self) -> Args<'a> {
        Args { skip: 0, ..*self }
    }

    /// Each argument.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.places[self.skip..]
            .iter()
            .map(|place| &self.buf[place.range()])
    }
}

/// Which end of a list: the head (newest, index 0) or the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The head: `LPUSH`, `LPOP`; where `PUT` adds.
    Head,
    /// The tail: `RPUSH`, `RPOP`.
    Tail,
}

/// A command, borrowing its arguments.
#[derive(Debug)]
pub enum Command<'a> {
    /// `PUT list item`
    Put {
        /// The list.
        list: &'a [u8],
        /// The item.
        item: &'a [u8],
    },
    /// `LIST list`
    List {
        /// The list.
        list: &'a [u8],
    },
    /// `CREATE list`
    Create {
        /// The list.
        list: &'a [u8],
    },
    /// `DROP list`
    Drop {
        /// The list.
        list: &'a [u8],
    },
    /// `KILL list`
    Kill {
        /// The list.
        list: &'a [u8],
    },
    /// `LISTS`
    Lists,
    /// `STATS`
    Stats,
    /// `HELP`
    Help,
    /// `COMPACT`
    Compact,
    /// `QUIT`
    Quit,
    /// `PING [message]`
    Ping(Option<&'a [u8]>),
    /// `ECHO message`
    Echo(&'a [u8]),
    /// `LPUSH`/`RPUSH key item [item ...]`
    Push {
        /// The list (Redis: the key).
        key: &'a [u8],
        /// The items, in the order given.
        items: Args<'a>,
        /// Which end.
        end: End,
    },
    /// `LRANGE key start stop`
    Range {
        /// The list (Redis: the key).
        key: &'a [u8],
        /// The first index (0 is the head; negative counts from the tail).
        start: i64,
        /// The last index, included.
        stop: i64,
    },
    /// `LLEN key`
    Len {
        /// The list (Redis: the key).
        key: &'a [u8],
    },
    /// `LINDEX key index`
    Index {
        /// The list (Redis: the key).
        key: &'a [u8],
        /// The index (0 is the head; negative counts from the tail);
        /// `None` if it is not a number.
        index: Option<i64>,
    },
    /// `LREM key count item`
    Rem {
        /// The list (Redis: the key).
        key: &'a [u8],
        /// How many (`LREM`: from which end, by its sign; 0 for all).
        count: i64,
        /// The item.
        item: &'a [u8],
    },
    /// `LPOP`/`RPOP key [count]`
    Pop {
        /// The list (Redis: the key).
        key: &'a [u8],
        /// Which end.
        end: End,
        /// How many (`LREM`: from which end, by its sign; 0 for all).
        count: Option<u64>,
    },
    /// `DEL key [key ...]`
    Del {
        /// The lists.
        keys: Args<'a>,
    },
    /// `EXISTS key [key ...]`
    Exists {
        /// The lists.
        keys: Args<'a>,
    },
    /// `TYPE key`
    Type {
        /// The list (Redis: the key).
        key: &'a [u8],
    },
    /// `KEYS pattern`
    Keys {
        /// A glob-style pattern.
        pattern: &'a [u8],
    },
    /// `SCAN cursor [MATCH pattern] [COUNT n]` (`TYPE list` accepted)
    Scan {
        /// Where the last call left off (0 to start).
        cursor: u64,
        /// A glob-style pattern.
        pattern: Option<&'a [u8]>,
        /// About how many names to look at.
        count: usize,
        /// `TYPE` asked for something other than lists: there are none.
        none: bool,
    },
    /// `DBSIZE`
    DbSize,
    /// `MULTI`: queue the commands that follow.
    Multi,
    /// `EXEC`: run the queued commands.
    Exec,
    /// `DISCARD`: forget them.
    Discard,
    /// `SELECT index` (an index in `i32`, as Redis takes it)
    Select(i64),
    /// `HELLO [protover [AUTH user pass] [SETNAME name]]`, its options
    /// checked
    Hello {
        /// The RESP version asked for: 2 or 3.
        version: Option<i64>,
        /// The connection's name (empty: none).
        name: Option<&'a [u8]>,
    },
    /// `CLIENT SETNAME name`
    ClientSetName(&'a [u8]),
    /// `CLIENT GETNAME`
    ClientGetName,
    /// `CLIENT ID`
    ClientId,
    /// `CLIENT SETINFO attr value` with a valid attribute, which a client
    /// library sends on connecting: it changes nothing here.
    ClientNoop,
    /// `COMMAND COUNT`
    CommandCount,
    /// `COMMAND` (`None`: every command) or `COMMAND INFO [name ...]`
    CommandInfo(Option<Args<'a>>),
    /// `COMMAND DOCS [name ...]`: no docs here, an empty map.
    CommandDocs,
    /// `INFO [section ...]`
    Info(Args<'a>),
    /// `CONFIG GET parameter [parameter ...]`
    ConfigGet(Args<'a>),
    /// `DEBUG ...` as on the line protocol (the words after `DEBUG`).
    Debug(Args<'a>),
}

/// Why a request is not a command: Redis's error text (code included),
/// as bytes (it may echo the client's).
pub type Refusal = Vec<u8>;

/// The command `args` make.
pub fn parse(args: Args<'_>) -> Result<Command<'_>, Refusal> {
    let name = args.get(0);
    // Every name is short: lower-cased on the stack (a longer one is
    // unknown, and keeps its own case for the error).
    let mut stack = [0u8; 16];
    let lower = match name.len() {
        len @ 1..=16 if name.is_ascii() => {
            stack[..len].copy_from_slice(name);
            stack[..len].make_ascii_lowercase();
            std::str::from_utf8(&stack[..len]).unwrap_or("")
        }
        _ => "",
    };
    let n = args.len();
    // Redis's arity: exact when positive, at least |arity| when negative.
    let arity = |want: i32| -> Result<(), Refusal> {
        let ok = if want >= 0 {
            n == want as usize
        } else {
            n >= want.unsigned_abs() as usize
        };
        if ok {
            Ok(())
        } else {
            Err(wrong_arity(lower))
        }
    };
    let command = match lower {
        "put" => {
            arity(3)?;
            Command::Put {
                list: args.get(1),
                item: args.get(2),
            }
        }
        "list" => arity(2).map(|()| Command::List { list: args.get(1) })?,
        "create" => arity(2).map(|()| Command::Create { list: args.get(1) })?,
        "drop" => arity(2).map(|()| Command::Drop { list: args.get(1) })?,
        "kill" => arity(2).map(|()| Command::Kill { list: args.get(1) })?,
        "lists" => arity(1).map(|()| Command::Lists)?,
        "stats" => arity(1).map(|()| Command::Stats)?,
        "help" => arity(1).map(|()| Command::Help)?,
        "compact" => arity(1).map(|()| Command::Compact)?,
        "quit" => Command::Quit,
        "ping" => {
            if n > 2 {
                return Err(wrong_arity(lower));
            }
            Command::Ping((n == 2).then(|| args.get(1)))
        }
        "echo" => arity(2).map(|()| Command::Echo(args.get(1)))?,
        "lpush" | "rpush" => {
            arity(-3)?;
            Command::Push {
                key: args.get(1),
                items: args.from(2),
                end: if lower == "lpush" {
                    End::Head
                } else {
                    End::Tail
                },
            }
        }
        "lrange" => {
            arity(4)?;
            Command::Range {
                key: args.get(1),
                start: integer(args.get(2))?,
                stop: integer(args.get(3))?,
            }
        }
        "llen" => arity(2).map(|()| Command::Len { key: args.get(1) })?,
        "lindex" => {
            arity(3)?;
            // Redis looks the key up first: a missing list is null, even
            // for an index that is not a number.
            Command::Index {
                key: args.get(1),
                index: integer(args.get(2)).ok(),
            }
        }
        "lrem" => {
            arity(4)?;
            Command::Rem {
                key: args.get(1),
                count: integer(args.get(2))?,
                item: args.get(3),
            }
        }
        "lpop" | "rpop" => {
            if !(2..=3).contains(&n) {
                return Err(wrong_arity(lower));
            }
            let count = match n {
                3 => match integer(args.get(2)) {
                    Ok(count) if count >= 0 => Some(count as u64),
                    _ => return Err("ERR value is out of range, must be positive".into()),
                },
                _ => None,
            };
            Command::Pop {
                key: args.get(1),
                end: if lower == "lpop" {
                    End::Head
                } else {
                    End::Tail
                },
                count,
            }
        }
        "del" | "unlink" => arity(-2).map(|()| Command::Del { keys: args.from(1) })?,
        "exists" => arity(-2).map(|()| Command::Exists { keys: args.from(1) })?,
        "type" => arity(2).map(|()| Command::Type { key: args.get(1) })?,
        "keys" => arity(2).map(|()| Command::Keys {
            pattern: args.get(1),
        })?,
        "scan" => subcommands::scan(args, lower)?,
        "dbsize" => arity(1).map(|()| Command::DbSize)?,
        "multi" => arity(1).map(|()| Command::Multi)?,
        "exec" => arity(1).map(|()| Command::Exec)?,
        "discard" => arity(1).map(|()| Command::Discard)?,
        "select" => {
            arity(2)?;
            let index = integer(args.get(1))?;
            if i32::try_from(index).is_err() {
                return Err(
                    "ERR value is out of range, value must between -2147483648 and 2147483647"
                        .into(),
                );
            }
            Command::Select(index)
        }
        "hello" => subcommands::hello(args)?,
        "client" => subcommands::client(args)?,
        "command" => subcommands::command(args)?,
        "info" => Command::Info(args.from(1)),
        "config" => subcommands::config(args)?,
        "debug" => arity(-2).map(|()| Command::Debug(args.from(1)))?,
        _ => return Err(unknown(args)),
    };
    Ok(command)
}

/// A signed decimal argument, as Redis reads one (`string2ll`: no `+`, no
/// leading zero, no `-0`).
pub(super) fn integer(bytes: &[u8]) -> Result<i64, Refusal> {
    frame::integer(bytes).ok_or_else(|| "ERR value is not an integer or out of range".into())
}

pub(super) fn wrong_arity(name: &str) -> Refusal {
    format!("ERR wrong number of arguments for '{name}' command").into()
}

pub(super) fn syntax() -> Refusal {
    "ERR syntax error".into()
}

/// An argument as Redis's C code sees it in its messages: up to its first
/// NUL byte.
pub(super) fn c_str(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// Redis's text for an unknown command, the whole request in `args`: its
/// name (up to 128 bytes) and its arguments, each quoted and followed by
/// a space, while the list is under 128 bytes (the last one cut to fit).
/// Each stops at a NUL byte, as Redis's `%s` does; line ends become
/// spaces when the error is written.
pub fn unknown(args: Args<'_>) -> Refusal {
    let name = c_str(args.get(0));
    let mut rest = Vec::new();
    for arg in args.from(1).iter() {
        if rest.len() >= 128 {
            break;
        }
        let arg = c_str(arg);
        let room = 128 - rest.len();
        rest.push(b'\'');
        rest.extend_from_slice(&arg[..arg.len().min(room)]);
        rest.extend_from_slice(b"' ");
    }
    let mut text = b"ERR unknown command '".to_vec();
    text.extend_from_slice(&name[..name.len().min(128)]);
    text.extend_from_slice(b"', with args beginning with: ");
    text.extend(rest);
    text
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
