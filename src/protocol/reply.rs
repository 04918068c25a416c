//! Reply bytes: data lines (`* ...`), the terminal `OK` and `ERR ...`
//! lines, and the protocol's errors. Everything appends to a buffer the
//! caller owns, so a reply costs no allocation of its own.

use std::fmt;

use super::request::Verb;

/// Every error a client can be answered with. `Display` is the reply line
/// without `ERR ` and LF (lossy for the non-UTF-8 bytes of an unknown verb;
/// [`error`] writes the exact bytes).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Error<'a> {
    /// `ERR unknown command 'FOO'`: the verb as sent, cut to 32 bytes.
    UnknownCommand(&'a [u8]),
    /// `ERR wrong number of arguments for 'PUT'`.
    WrongArguments(&'static str),
    /// A list name over 255 bytes.
    NameTooLong,
    /// A line over the line limit.
    LineTooLong,
    /// No such list, or no such item.
    NotFound,
    /// The write would pass the memory limit.
    OutOfMemory,
    /// Over the client limit; the connection is closed after this.
    MaxClients,
    /// The server failed at its own job (a bug); logged as an error.
    Internal,
    /// The log cannot be written: the change was not made durable.
    Persistence(&'a str),
    /// `COMPACT` on a server that keeps no log (`--in-memory`).
    NotPersistent,
    /// The manager crashed and its supervisor is starting it again.
    Restarting,
}

impl fmt::Display for Error<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownCommand(verb) => {
                write!(f, "unknown command '{}'", String::from_utf8_lossy(verb))
            }
            Error::WrongArguments(verb) => write!(f, "wrong number of arguments for '{verb}'"),
            Error::NameTooLong => f.write_str("name too long"),
            Error::LineTooLong => f.write_str("line too long"),
            Error::NotFound => f.write_str("not found"),
            Error::OutOfMemory => f.write_str("out of memory"),
            Error::MaxClients => f.write_str("max clients reached"),
            Error::Internal => f.write_str("internal error"),
            Error::Persistence(reason) => write!(f, "persistence failure: {reason}"),
            Error::NotPersistent => f.write_str("not persistent"),
            Error::Restarting => f.write_str("restarting: the manager crashed; try again"),
        }
    }
}

/// `OK\n`
pub fn ok(out: &mut Vec<u8>) {
    out.extend_from_slice(b"OK\n");
}

/// `* <bytes>\n`: one data line.
pub fn data_line(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 3);
    out.extend_from_slice(b"* ");
    out.extend_from_slice(bytes);
    out.push(b'\n');
}

/// `ERR <message>\n`, with an unknown verb's bytes exactly as sent.
pub fn error(out: &mut Vec<u8>, error: &Error<'_>) {
    match error {
        Error::UnknownCommand(verb) => {
            out.extend_from_slice(b"ERR unknown command '");
            out.extend_from_slice(verb);
            out.extend_from_slice(b"'\n");
        }
        other => {
            use std::io::Write;
            // Writing to a Vec cannot fail.
            let _ = writeln!(out, "ERR {other}");
        }
    }
}

/// The `STATS` reply: one `* <key> <value>` line per row, then `OK`.
pub fn stats(out: &mut Vec<u8>, rows: &[(&str, String)]) {
    use std::io::Write;
    for (key, value) in rows {
        // Writing to a Vec cannot fail.
        let _ = writeln!(out, "* {key} {value}");
    }
    ok(out);
}

/// The whole `HELP` reply.
pub fn help(out: &mut Vec<u8>) {
    for verb in Verb::ALL {
        data_line(out, verb.help().as_bytes());
    }
    ok(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut out);
        out
    }

    #[test]
    fn errors_are_exact_lines() {
        let cases: [(Error<'_>, &[u8]); 10] = [
            (
                Error::UnknownCommand(b"F\xffO"),
                b"ERR unknown command 'F\xffO'\n",
            ),
            (
                Error::WrongArguments("PUT"),
                b"ERR wrong number of arguments for 'PUT'\n",
            ),
            (Error::NameTooLong, b"ERR name too long\n"),
            (Error::LineTooLong, b"ERR line too long\n"),
            (Error::NotFound, b"ERR not found\n"),
            (Error::OutOfMemory, b"ERR out of memory\n"),
            (Error::MaxClients, b"ERR max clients reached\n"),
            (Error::Internal, b"ERR internal error\n"),
            (
                Error::Persistence("No space left on device (os error 28)"),
                b"ERR persistence failure: No space left on device (os error 28)\n",
            ),
            (Error::NotPersistent, b"ERR not persistent\n"),
        ];
        for (e, bytes) in cases {
            assert_eq!(written(|out| error(out, &e)), bytes);
        }
    }

    #[test]
    fn data_lines_and_ok() {
        assert_eq!(written(|out| data_line(out, b"milk")), b"* milk\n");
        assert_eq!(written(ok), b"OK\n");
    }

    #[test]
    fn help_lists_every_verb_and_ends_in_ok() {
        let text = String::from_utf8(written(help)).unwrap();
        for verb in [
            "PUT", "LIST", "CREATE", "DEL", "DROP", "KILL", "LISTS", "STATS", "PING", "HELP",
            "QUIT",
        ] {
            assert!(text.contains(&format!("* {verb} ")), "{verb}");
        }
        assert!(text.lines().all(|l| l.starts_with("* ") || l == "OK"));
        assert!(text.ends_with("\nOK\n"));
    }
}
