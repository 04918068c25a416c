//! RESP reply bytes, in RESP2 or, for a connection that asked with
//! `HELLO 3`, RESP3 (nulls, maps and verbatim strings of their own; the
//! rest is the same). Everything appends to a buffer the caller owns.

use std::io::Write;

use crate::protocol::Error;

/// The RESP version a connection's replies use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    /// RESP2, the default.
    #[default]
    Two,
    /// RESP3, after `HELLO 3`.
    Three,
}

/// `+<text>`
pub fn simple(out: &mut Vec<u8>, text: &str) {
    out.push(b'+');
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// `+OK`
pub fn ok(out: &mut Vec<u8>) {
    out.extend_from_slice(b"+OK\r\n");
}

/// `-<message>`, the message starting with its code (`ERR`, `OOM`, ...);
/// its bytes as they are (a client's bytes echoed in it need not be
/// UTF-8), but line ends become spaces, as Redis does.
pub fn error(out: &mut Vec<u8>, message: &(impl AsRef<[u8]> + ?Sized)) {
    out.push(b'-');
    out.extend(
        message
            .as_ref()
            .iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.extend_from_slice(b"\r\n");
}

/// The line protocol's errors, in Redis's words where Redis has them.
pub fn protocol_error(out: &mut Vec<u8>, e: &Error<'_>) {
    match e {
        Error::OutOfMemory => error(
            out,
            "OOM command not allowed when used memory > 'maxmemory'.",
        ),
        Error::WrongArguments(verb) => error(
            out,
            &format!(
                "ERR wrong number of arguments for '{}' command",
                verb.to_ascii_lowercase()
            ),
        ),
        Error::LineTooLong => error(out, "ERR request too large (over --max-line)"),
        other => error(out, &format!("ERR {other}")),
    }
}

/// `:<n>`
pub fn integer(out: &mut Vec<u8>, n: i64) {
    out.push(b':');
    if n < 0 {
        out.push(b'-');
    }
    decimal(out, n.unsigned_abs());
    out.extend_from_slice(b"\r\n");
}

/// `$<len>` and the bytes.
pub fn bulk(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 16);
    out.push(b'$');
    decimal(out, bytes.len() as u64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}

/// `n` in decimal, without the formatting machinery (replies are hot).
fn decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A missing value: `$-1` (RESP2) or `_` (RESP3).
pub fn null(out: &mut Vec<u8>, version: Version) {
    out.extend_from_slice(match version {
        Version::Two => b"$-1\r\n",
        Version::Three => b"_\r\n",
    });
}

/// A missing array: `*-1` (RESP2) or `_` (RESP3).
pub fn null_array(out: &mut Vec<u8>, version: Version) {
    out.extend_from_slice(match version {
        Version::Two => b"*-1\r\n",
        Version::Three => b"_\r\n",
    });
}

/// `*<n>`: an array of `n` elements follows.
pub fn array(out: &mut Vec<u8>, n: u64) {
    out.push(b'*');
    decimal(out, n);
    out.extend_from_slice(b"\r\n");
}

/// A set of `n` elements follows: `~<n>` (RESP3), or an array (RESP2).
pub fn set(out: &mut Vec<u8>, n: u64, version: Version) {
    match version {
        Version::Two => array(out, n),
        Version::Three => {
            out.push(b'~');
            decimal(out, n);
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// A map of `n` pairs follows: `%<n>` (RESP3), or a flat array of `2n`
/// elements (RESP2).
pub fn map(out: &mut Vec<u8>, n: u64, version: Version) {
    match version {
        Version::Two => array(out, 2 * n),
        Version::Three => {
            let _ = write!(out, "%{n}\r\n");
        }
    }
}

/// Text meant for people (`INFO`): a verbatim string (RESP3) or a bulk
/// string (RESP2).
pub fn text(out: &mut Vec<u8>, text: &str, version: Version) {
    match version {
        Version::Two => bulk(out, text.as_bytes()),
        Version::Three => {
            let _ = write!(out, "={}\r\ntxt:{text}\r\n", text.len() + 4);
        }
    }
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
    fn each_type_in_both_versions() {
        assert_eq!(written(ok), b"+OK\r\n");
        assert_eq!(written(|o| integer(o, -3)), b":-3\r\n");
        assert_eq!(written(|o| bulk(o, b"a\r\nb")), b"$4\r\na\r\nb\r\n");
        assert_eq!(written(|o| null(o, Version::Two)), b"$-1\r\n");
        assert_eq!(written(|o| null(o, Version::Three)), b"_\r\n");
        assert_eq!(written(|o| null_array(o, Version::Two)), b"*-1\r\n");
        assert_eq!(written(|o| map(o, 2, Version::Two)), b"*4\r\n");
        assert_eq!(written(|o| map(o, 2, Version::Three)), b"%2\r\n");
        assert_eq!(written(|o| set(o, 3, Version::Two)), b"*3\r\n");
        assert_eq!(written(|o| set(o, 3, Version::Three)), b"~3\r\n");
        assert_eq!(
            written(|o| text(o, "a", Version::Three)),
            b"=5\r\ntxt:a\r\n"
        );
        assert_eq!(written(|o| error(o, "ERR a\r\nb")), b"-ERR a  b\r\n");
        assert_eq!(written(|o| error(o, &b"ERR \xff\r"[..])), b"-ERR \xff \r\n");
    }

    #[test]
    fn line_errors_in_redis_words() {
        assert_eq!(
            written(|o| protocol_error(o, &Error::WrongArguments("LPUSH"))),
            b"-ERR wrong number of arguments for 'lpush' command\r\n"
        );
        assert_eq!(
            written(|o| protocol_error(o, &Error::OutOfMemory)),
            b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
        );
        assert_eq!(
            written(|o| protocol_error(o, &Error::NotFound)),
            b"-ERR not found\r\n"
        );
    }
}
