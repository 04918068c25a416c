//! Where a line becomes a request: `parse` borrows the line's bytes, so
//! nothing is copied or allocated here.

use super::reply::Error;

/// Longest list name, in bytes.
pub const MAX_NAME: usize = 255;

/// How much of an unknown verb is echoed back.
const MAX_ECHOED_VERB: usize = 32;

/// One request, borrowing from the line it was parsed from.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Request<'a> {
    /// `PUT <list> <item>`
    Put {
        /// The list's name.
        list: &'a [u8],
        /// The item, trimmed; inner spacing kept.
        item: &'a [u8],
    },
    /// `LIST <list>`
    List {
        /// The list's name.
        list: &'a [u8],
    },
    /// `CREATE <list>`
    Create {
        /// The list's name.
        list: &'a [u8],
    },
    /// `DEL <list> <item>`
    Del {
        /// The list's name.
        list: &'a [u8],
        /// The item to remove (its newest copy).
        item: &'a [u8],
    },
    /// `DROP <list>`
    Drop {
        /// The list's name.
        list: &'a [u8],
    },
    /// `KILL <list>`
    Kill {
        /// The list's name.
        list: &'a [u8],
    },
    /// `LISTS`
    Lists,
    /// `STATS`
    Stats,
    /// `PING`
    Ping,
    /// `HELP`
    Help,
    /// `QUIT`
    Quit,
    /// `COMPACT`
    Compact,
    /// `DEBUG <what>`, for tests and operators; served only with
    /// `--enable-debug`.
    Debug {
        /// The verb as sent, to echo when debugging is off.
        verb: &'a [u8],
        /// What to do.
        command: Debug<'a>,
    },
}

/// What a `DEBUG` request asks for.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Debug<'a> {
    /// `DEBUG DISK FAIL-WRITES`: the log's writes fail from now on.
    FailWrites,
    /// `DEBUG DISK FAIL-SYNCS`: the log's syncs fail from now on.
    FailSyncs,
    /// `DEBUG DISK OK`: the log's disk works again.
    DiskOk,
    /// `DEBUG CRASH MANAGER`: the manager panics.
    CrashManager,
    /// `DEBUG CRASH LIST <name>`: that list's process panics.
    CrashList(&'a [u8]),
}

impl<'a> Debug<'a> {
    /// Every `DEBUG` command without an argument, as written after the verb.
    const ALL: [(Debug<'static>, &'static str); 4] = [
        (Debug::FailWrites, "DISK FAIL-WRITES"),
        (Debug::FailSyncs, "DISK FAIL-SYNCS"),
        (Debug::DiskOk, "DISK OK"),
        (Debug::CrashManager, "CRASH MANAGER"),
    ];

    fn find(rest: &'a [u8]) -> Option<Debug<'a>> {
        let words: Vec<&[u8]> = rest
            .split(|&b| is_space(b))
            .filter(|w| !w.is_empty())
            .collect();
        if let [crash, list, name] = words[..] {
            if crash.eq_ignore_ascii_case(b"CRASH")
                && list.eq_ignore_ascii_case(b"LIST")
                && name.len() <= MAX_NAME
            {
                return Some(Debug::CrashList(name));
            }
        }
        Debug::ALL.into_iter().find_map(|(command, text)| {
            let same = text.split(' ').count() == words.len()
                && text
                    .split(' ')
                    .zip(&words)
                    .all(|(want, got)| got.eq_ignore_ascii_case(want.as_bytes()));
            same.then_some(command)
        })
    }
}

/// Defines [`Verb`] and [`Verb::ALL`] from one list, so that a verb
/// cannot be in the enum and missing from `ALL` (which `HELP` and the
/// lookup walk).
macro_rules! verbs {
    ($($(#[$doc:meta])* $verb:ident,)*) => {
        /// Every verb of the line protocol: one table. Its name, the words
        /// that follow it and the request it makes are all matches on this
        /// enum, so a verb cannot be known to one and missing from another.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Verb {
            $($(#[$doc])* $verb,)*
        }

        impl Verb {
            /// Every verb.
            pub const ALL: &'static [Verb] = &[$(Verb::$verb,)*];
        }
    };
}

verbs! {
    /// `PUT <list> <item>`
    Put,
    /// `LIST <list>`
    List,
    /// `CREATE <list>`
    Create,
    /// `DEL <list> <item>`
    Del,
    /// `DROP <list>`
    Drop,
    /// `KILL <list>`
    Kill,
    /// `LISTS`
    Lists,
    /// `STATS`
    Stats,
    /// `PING`
    Ping,
    /// `HELP`
    Help,
    /// `QUIT`
    Quit,
    /// `COMPACT`
    Compact,
    /// `DEBUG <what>`
    Debug,
}

/// How many words follow the verb.
#[derive(Clone, Copy)]
enum Shape {
    /// None.
    Bare,
    /// A list name.
    Name,
    /// A list name and an item (the rest of the line).
    NameItem,
    /// Words the verb reads itself.
    Words,
}

impl Verb {
    /// The verb as written in replies and `HELP`: upper case.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Put => "PUT",
            Verb::List => "LIST",
            Verb::Create => "CREATE",
            Verb::Del => "DEL",
            Verb::Drop => "DROP",
            Verb::Kill => "KILL",
            Verb::Lists => "LISTS",
            Verb::Stats => "STATS",
            Verb::Ping => "PING",
            Verb::Help => "HELP",
            Verb::Quit => "QUIT",
            Verb::Compact => "COMPACT",
            Verb::Debug => "DEBUG",
        }
    }

    /// The verb's line in `HELP`.
    pub fn help(self) -> &'static str {
        match self {
            Verb::Put => "PUT <list> <item>    add an item (creates the list)",
            Verb::List => "LIST <list>          the list's items, newest first",
            Verb::Create => "CREATE <list>        create an empty list (no error if it exists)",
            Verb::Del => "DEL <list> <item>    remove the newest copy of an item",
            Verb::Drop => "DROP <list>          stop the list's process normally; the list is gone",
            Verb::Kill => "KILL <list>          kill the list's process as a crash would",
            Verb::Lists => "LISTS                every list name, sorted",
            Verb::Stats => "STATS                server counters",
            Verb::Ping => "PING                 OK",
            Verb::Help => "HELP                 this text",
            Verb::Quit => "QUIT                 OK, then the server closes the connection",
            Verb::Compact => {
                "COMPACT              rewrite the log from the live lists, in the background"
            }
            Verb::Debug => {
                "DEBUG DISK FAIL-WRITES|FAIL-SYNCS|OK, DEBUG CRASH MANAGER|LIST <list>   \
                 faults, for tests (--enable-debug)"
            }
        }
    }

    /// The verb `word` names, in any case; `None` if it names none.
    pub fn find(word: &[u8]) -> Option<Verb> {
        Verb::ALL
            .iter()
            .copied()
            .find(|verb| verb.name().as_bytes().eq_ignore_ascii_case(word))
    }

    fn shape(self) -> Shape {
        match self {
            Verb::Put | Verb::Del => Shape::NameItem,
            Verb::List | Verb::Create | Verb::Drop | Verb::Kill => Shape::Name,
            Verb::Lists | Verb::Stats | Verb::Ping | Verb::Help | Verb::Quit | Verb::Compact => {
                Shape::Bare
            }
            Verb::Debug => Shape::Words,
        }
    }
}

/// Parses one line (without its LF or CR). `None` for a blank line, which
/// gets no reply.
pub fn parse(line: &[u8]) -> Option<Result<Request<'_>, Error<'_>>> {
    let (word, rest) = word(line);
    if word.is_empty() {
        return None;
    }
    Some(match Verb::find(word) {
        Some(Verb::Debug) => match Debug::find(rest) {
            Some(command) => Ok(Request::Debug {
                verb: word,
                command,
            }),
            None => Err(Error::WrongArguments(Verb::Debug.name())),
        },
        Some(verb) => parse_args(verb, rest),
        None => Err(unknown(word)),
    })
}

/// The request `verb` makes with the words after it.
fn parse_args(verb: Verb, rest: &[u8]) -> Result<Request<'_>, Error<'_>> {
    let (list, item) = match verb.shape() {
        Shape::Words => unreachable!("DEBUG reads its own words"),
        Shape::Bare => {
            if !trim(rest).is_empty() {
                return Err(Error::WrongArguments(verb.name()));
            }
            (&[][..], &[][..])
        }
        shape @ (Shape::Name | Shape::NameItem) => {
            let (list, rest) = word(rest);
            let item = trim(rest);
            let wants_item = matches!(shape, Shape::NameItem);
            if list.is_empty() || item.is_empty() == wants_item {
                return Err(Error::WrongArguments(verb.name()));
            }
            if list.len() > MAX_NAME {
                return Err(Error::NameTooLong);
            }
            (list, item)
        }
    };
    Ok(match verb {
        Verb::Put => Request::Put { list, item },
        Verb::List => Request::List { list },
        Verb::Create => Request::Create { list },
        Verb::Del => Request::Del { list, item },
        Verb::Drop => Request::Drop { list },
        Verb::Kill => Request::Kill { list },
        Verb::Lists => Request::Lists,
        Verb::Stats => Request::Stats,
        Verb::Ping => Request::Ping,
        Verb::Help => Request::Help,
        Verb::Quit => Request::Quit,
        Verb::Compact => Request::Compact,
        Verb::Debug => unreachable!("DEBUG reads its own words"),
    })
}

fn unknown(verb: &[u8]) -> Error<'_> {
    Error::UnknownCommand(&verb[..verb.len().min(MAX_ECHOED_VERB)])
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Splits off the first word: skips leading spaces and tabs, and returns
/// the word and what follows it.
fn word(s: &[u8]) -> (&[u8], &[u8]) {
    let start = s.iter().position(|&b| !is_space(b)).unwrap_or(s.len());
    let s = &s[start..];
    let end = s.iter().position(|&b| is_space(b)).unwrap_or(s.len());
    s.split_at(end)
}

/// Drops leading and trailing spaces and tabs.
fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_space(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &[u8]) -> Request<'_> {
        parse(line).unwrap().unwrap()
    }

    fn err(line: &[u8]) -> Error<'_> {
        parse(line).unwrap().unwrap_err()
    }

    #[test]
    fn blank_lines_are_not_requests() {
        assert_eq!(parse(b""), None);
        assert_eq!(parse(b"  \t "), None);
    }

    #[test]
    fn verbs_are_case_insensitive_and_names_are_not() {
        assert_eq!(
            ok(b"put Shop milk"),
            Request::Put {
                list: b"Shop",
                item: b"milk"
            }
        );
        assert_eq!(
            ok(b"PuT shop milk"),
            Request::Put {
                list: b"shop",
                item: b"milk"
            }
        );
        assert_eq!(ok(b"ping"), Request::Ping);
        assert_eq!(ok(b"Lists"), Request::Lists);
    }

    #[test]
    fn item_is_the_trimmed_rest_with_inner_spacing_kept() {
        assert_eq!(
            ok(b"PUT chores  walk   the dog \t"),
            Request::Put {
                list: b"chores",
                item: b"walk   the dog"
            }
        );
        assert_eq!(
            ok(b"\tDEL  a\t b c"),
            Request::Del {
                list: b"a",
                item: b"b c"
            }
        );
    }

    #[test]
    fn quotes_backslashes_and_binary_are_data() {
        assert_eq!(
            ok(b"PUT a \"x"),
            Request::Put {
                list: b"a",
                item: b"\"x"
            }
        );
        assert_eq!(
            ok(b"PUT a\\ b\\"),
            Request::Put {
                list: b"a\\",
                item: b"b\\"
            }
        );
        assert_eq!(
            ok(b"PUT \xff\x00 \x00\xfe"),
            Request::Put {
                list: b"\xff\x00",
                item: b"\x00\xfe"
            }
        );
    }

    #[test]
    fn missing_or_extra_words_are_wrong_arguments() {
        assert_eq!(err(b"PUT"), Error::WrongArguments("PUT"));
        assert_eq!(err(b"put list"), Error::WrongArguments("PUT"));
        assert_eq!(err(b"PUT list   "), Error::WrongArguments("PUT"));
        assert_eq!(err(b"list"), Error::WrongArguments("LIST"));
        assert_eq!(err(b"LIST a b"), Error::WrongArguments("LIST"));
        assert_eq!(err(b"del a"), Error::WrongArguments("DEL"));
        assert_eq!(err(b"PING now"), Error::WrongArguments("PING"));
        assert_eq!(err(b"quit x"), Error::WrongArguments("QUIT"));
        assert_eq!(err(b"CREATE"), Error::WrongArguments("CREATE"));
        assert_eq!(err(b"drop a b"), Error::WrongArguments("DROP"));
        assert_eq!(err(b"kill"), Error::WrongArguments("KILL"));
        assert_eq!(err(b"COMPACT now"), Error::WrongArguments("COMPACT"));
        assert_eq!(err(b"DEBUG DISK"), Error::WrongArguments("DEBUG"));
        assert_eq!(err(b"DEBUG DISK OK now"), Error::WrongArguments("DEBUG"));
    }

    #[test]
    fn debug_commands_read_their_words_in_any_case() {
        assert_eq!(
            ok(b"debug  disk fail-writes "),
            Request::Debug {
                verb: b"debug",
                command: Debug::FailWrites
            }
        );
        assert_eq!(
            ok(b"DEBUG DISK OK"),
            Request::Debug {
                verb: b"DEBUG",
                command: Debug::DiskOk
            }
        );
    }

    #[test]
    fn unknown_verb_is_echoed_as_sent_cut_to_32_bytes() {
        assert_eq!(err(b"foo bar"), Error::UnknownCommand(b"foo"));
        assert_eq!(err(b"PUTS a b"), Error::UnknownCommand(b"PUTS"));
        let long = [b'x'; 40];
        assert_eq!(err(&long), Error::UnknownCommand(&long[..32]));
        assert_eq!(err(b"\xff"), Error::UnknownCommand(b"\xff"));
    }

    #[test]
    fn every_verb_is_found_by_its_name_in_any_case_and_no_other() {
        for &verb in Verb::ALL {
            let name = verb.name();
            assert_eq!(Verb::find(name.as_bytes()), Some(verb));
            assert_eq!(Verb::find(name.to_lowercase().as_bytes()), Some(verb));
            let mut longer = name.as_bytes().to_vec();
            longer.push(b'S');
            assert_ne!(Verb::find(&longer), Some(verb), "{name}S");
        }
        assert_eq!(Verb::find(b"QUITX"), None);
        assert_eq!(Verb::find(b""), None);
    }

    #[test]
    fn names_over_255_bytes_are_too_long() {
        let mut line = b"PUT ".to_vec();
        line.extend([b'n'; 255]);
        line.extend(b" item");
        assert!(matches!(ok(&line), Request::Put { .. }));
        line.insert(4, b'n');
        assert_eq!(err(&line), Error::NameTooLong);
    }
}
