//! What the load generator reads: one whole reply at a time from a
//! connection's input, checked against what its request expects. Malformed
//! framing and error replies both count as errors.

use crate::requests::Expect;
use crate::workload::Proto;

/// One reply taken from the front of the input.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    /// Bytes it took.
    pub len: usize,
    /// It was an error reply, malformed, or not what the request expects.
    pub bad: bool,
}

/// Takes the reply at the front of `buf`, or `None` if it is not all there
/// yet.
pub fn take(proto: Proto, buf: &[u8], expect: Expect) -> Option<Reply> {
    match proto {
        Proto::Todo => take_todo(buf, expect),
        Proto::Redis => take_resp(buf, expect),
    }
}

/// Todo protocol: `* ` data lines, then `OK` or `ERR ...`.
fn take_todo(buf: &[u8], expect: Expect) -> Option<Reply> {
    let mut at = 0;
    let mut data = 0;
    loop {
        let lf = at + buf[at..].iter().position(|&b| b == b'\n')?;
        let line = &buf[at..lf];
        at = lf + 1;
        if line.starts_with(b"* ") {
            data += 1;
            continue;
        }
        let bad = if line == b"OK" {
            match expect {
                Expect::Done | Expect::Pong => data > 0,
                Expect::Items | Expect::Any => false,
            }
        } else {
            // `ERR ...` is a failure, anything else is malformed; either way
            // it ends the reply.
            expect != Expect::Any || !line.starts_with(b"ERR ")
        };
        return Some(Reply { len: at, bad });
    }
}

/// RESP: `+simple`, `-error`, `:integer`, `$bulk`, `*array` of bulks.
fn take_resp(buf: &[u8], expect: Expect) -> Option<Reply> {
    let (kind, line, mut at) = resp_line(buf, 0)?;
    let bad = match kind {
        b'+' => !(expect == Expect::Pong && line == b"PONG" || expect == Expect::Any),
        b'-' => expect != Expect::Any,
        b':' => !matches!(expect, Expect::Done | Expect::Any),
        b'$' => {
            at = skip_bulk(buf, at, line)?;
            expect != Expect::Any
        }
        b'*' => {
            let count: i64 = parse_int(line)?;
            for _ in 0..count.max(0) {
                let (kind, len, next) = resp_line(buf, at)?;
                if kind != b'$' {
                    return Some(Reply {
                        len: next,
                        bad: true,
                    });
                }
                at = skip_bulk(buf, next, len)?;
            }
            !matches!(expect, Expect::Items | Expect::Any)
        }
        _ => true,
    };
    Some(Reply { len: at, bad })
}

/// The CRLF line at `at`: its type byte, its content, and where the next
/// line starts.
fn resp_line(buf: &[u8], at: usize) -> Option<(u8, &[u8], usize)> {
    let lf = at + buf.get(at..)?.iter().position(|&b| b == b'\n')?;
    let line = buf[at..lf].strip_suffix(b"\r").unwrap_or(&buf[at..lf]);
    let (&kind, rest) = line.split_first().unwrap_or((&0, &[]));
    Some((kind, rest, lf + 1))
}

/// Skips a bulk string's body of the length in `len` (a `$-1` null has none).
fn skip_bulk(buf: &[u8], at: usize, len: &[u8]) -> Option<usize> {
    let len: i64 = parse_int(len)?;
    if len < 0 {
        return Some(at);
    }
    let end = at + len as usize + 2;
    (buf.len() >= end).then_some(end)
}

fn parse_int(text: &[u8]) -> Option<i64> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn todo(buf: &[u8], expect: Expect) -> Option<Reply> {
        take(Proto::Todo, buf, expect)
    }

    fn redis(buf: &[u8], expect: Expect) -> Option<Reply> {
        take(Proto::Redis, buf, expect)
    }

    #[test]
    fn todo_replies() {
        assert_eq!(
            todo(b"OK\nOK\n", Expect::Done),
            Some(Reply { len: 3, bad: false })
        );
        assert_eq!(
            todo(b"* a\n* b\nOK\n", Expect::Items),
            Some(Reply {
                len: 11,
                bad: false
            })
        );
        assert_eq!(todo(b"* a\n* b", Expect::Items), None);
        assert_eq!(
            todo(b"ERR not found\n", Expect::Items),
            Some(Reply { len: 14, bad: true })
        );
        assert_eq!(
            todo(b"ERR not found\n", Expect::Any),
            Some(Reply {
                len: 14,
                bad: false
            })
        );
        assert_eq!(
            todo(b"* x\nOK\n", Expect::Done),
            Some(Reply { len: 7, bad: true })
        );
        assert_eq!(
            todo(b"HELLO\n", Expect::Pong),
            Some(Reply { len: 6, bad: true })
        );
    }

    #[test]
    fn redis_replies() {
        assert_eq!(
            redis(b"+PONG\r\n", Expect::Pong),
            Some(Reply { len: 7, bad: false })
        );
        assert_eq!(
            redis(b":12\r\n", Expect::Done),
            Some(Reply { len: 5, bad: false })
        );
        let array = b"*2\r\n$3\r\nabc\r\n$1\r\nd\r\n";
        assert_eq!(
            redis(array, Expect::Items),
            Some(Reply {
                len: array.len(),
                bad: false
            })
        );
        assert_eq!(redis(&array[..array.len() - 1], Expect::Items), None);
        assert_eq!(
            redis(b"*0\r\n", Expect::Items),
            Some(Reply { len: 4, bad: false })
        );
        assert_eq!(
            redis(b"-ERR wrong\r\n", Expect::Done),
            Some(Reply { len: 12, bad: true })
        );
        assert_eq!(
            redis(b":1\r\n", Expect::Items),
            Some(Reply { len: 4, bad: true })
        );
        assert_eq!(redis(b"$3\r\nab", Expect::Any), None);
    }
}
