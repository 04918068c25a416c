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
}

/// Parses one line (without its LF or CR). `None` for a blank line, which
/// gets no reply.
pub fn parse(line: &[u8]) -> Option<Result<Request<'_>, Error<'_>>> {
    let (verb, rest) = word(line);
    if verb.is_empty() {
        return None;
    }
    Some(parse_verb(verb, rest))
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
}

fn parse_verb<'a>(verb: &'a [u8], rest: &'a [u8]) -> Result<Request<'a>, Error<'a>> {
    let mut upper = [0u8; 6];
    let known = verb.len() <= upper.len();
    if known {
        upper[..verb.len()].copy_from_slice(verb);
        upper.make_ascii_uppercase();
    }
    let (name, shape): (&'static str, Shape) = match &upper[..verb.len().min(6)] {
        _ if !known => return Err(unknown(verb)),
        b"PUT" => ("PUT", Shape::NameItem),
        b"LIST" => ("LIST", Shape::Name),
        b"CREATE" => ("CREATE", Shape::Name),
        b"DEL" => ("DEL", Shape::NameItem),
        b"DROP" => ("DROP", Shape::Name),
        b"KILL" => ("KILL", Shape::Name),
        b"LISTS" => ("LISTS", Shape::Bare),
        b"STATS" => ("STATS", Shape::Bare),
        b"PING" => ("PING", Shape::Bare),
        b"HELP" => ("HELP", Shape::Bare),
        b"QUIT" => ("QUIT", Shape::Bare),
        _ => return Err(unknown(verb)),
    };
    let wrong = Error::WrongArguments(name);
    let (list, item) = match shape {
        Shape::Bare => {
            if !trim(rest).is_empty() {
                return Err(wrong);
            }
            (&[][..], &[][..])
        }
        Shape::Name | Shape::NameItem => {
            let (list, rest) = word(rest);
            let item = trim(rest);
            let wants_item = matches!(shape, Shape::NameItem);
            if list.is_empty() || item.is_empty() == wants_item {
                return Err(wrong);
            }
            if list.len() > MAX_NAME {
                return Err(Error::NameTooLong);
            }
            (list, item)
        }
    };
    Ok(match name {
        "PUT" => Request::Put { list, item },
        "LIST" => Request::List { list },
        "CREATE" => Request::Create { list },
        "DEL" => Request::Del { list, item },
        "DROP" => Request::Drop { list },
        "KILL" => Request::Kill { list },
        "LISTS" => Request::Lists,
        "STATS" => Request::Stats,
        "PING" => Request::Ping,
        "HELP" => Request::Help,
        _ => Request::Quit,
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
    fn names_over_255_bytes_are_too_long() {
        let mut line = b"PUT ".to_vec();
        line.extend([b'n'; 255]);
        line.extend(b" item");
        assert!(matches!(ok(&line), Request::Put { .. }));
        line.insert(4, b'n');
        assert_eq!(err(&line), Error::NameTooLong);
    }
}
