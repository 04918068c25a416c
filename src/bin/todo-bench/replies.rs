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

/// How far the scan of a reply that is not all there yet has got, so that
/// the bytes that arrive next are not scanned again from the start: a
/// 60 MB `LIST` arrives in many reads. Reset it when a reply is taken.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Where the next line starts.
    at: usize,
    /// Data lines (todo) seen so far.
    data: u64,
    /// Array elements (RESP) still to come, once the header is read.
    left: Option<i64>,
}

/// Takes the reply at the front of `buf`, or `None` if it is not all there
/// yet (`scan` then remembers how far it looked).
pub fn take(proto: Proto, buf: &[u8], expect: Expect, scan: &mut Scan) -> Option<Reply> {
    match proto {
        Proto::Todo => take_todo(buf, expect, scan),
        Proto::Redis | Proto::Resp => take_resp(buf, expect, scan),
    }
}

/// Todo protocol: `* ` data lines, then `OK` or `ERR ...`.
fn take_todo(buf: &[u8], expect: Expect, scan: &mut Scan) -> Option<Reply> {
    loop {
        let at = scan.at;
        let lf = at + buf[at..].iter().position(|&b| b == b'\n')?;
        let line = &buf[at..lf];
        scan.at = lf + 1;
        if line.starts_with(b"* ") {
            scan.data += 1;
            continue;
        }
        let data = scan.data;
        let bad = match expect {
            Expect::Done | Expect::Pong => line != b"OK" || data > 0,
            Expect::Items => line != b"OK",
            Expect::Missing => line != b"ERR not found" || data > 0,
            Expect::Any => line != b"OK" && !line.starts_with(b"ERR "),
        };
        return Some(Reply { len: scan.at, bad });
    }
}

/// RESP: `+simple`, `-error`, `:integer`, `$bulk`, `*array` of bulks.
fn take_resp(buf: &[u8], expect: Expect, scan: &mut Scan) -> Option<Reply> {
    if let Some(left) = scan.left {
        return take_array(buf, expect, scan, left);
    }
    let (kind, line, at) = resp_line(buf, 0)?;
    let bad = match kind {
        b'+' => !(expect == Expect::Pong && line == b"PONG" || expect == Expect::Any),
        b'-' => expect != Expect::Any,
        b':' => match expect {
            Expect::Missing => line != b"0",
            Expect::Done | Expect::Any => false,
            _ => true,
        },
        b'$' => {
            let end = skip_bulk(buf, at, line)?;
            return Some(Reply {
                len: end,
                bad: expect != Expect::Any,
            });
        }
        b'*' => {
            scan.at = at;
            let count = parse_int(line)?;
            return take_array(buf, expect, scan, count.max(0));
        }
        _ => true,
    };
    Some(Reply { len: at, bad })
}

/// The elements of an array whose header has been read.
fn take_array(buf: &[u8], expect: Expect, scan: &mut Scan, mut left: i64) -> Option<Reply> {
    while left > 0 {
        scan.left = Some(left);
        let (kind, len, next) = resp_line(buf, scan.at)?;
        if kind != b'$' {
            return Some(Reply {
                len: next,
                bad: true,
            });
        }
        scan.at = skip_bulk(buf, next, len)?;
        left -= 1;
    }
    Some(Reply {
        len: scan.at,
        bad: !matches!(expect, Expect::Items | Expect::Any),
    })
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
        take(Proto::Todo, buf, expect, &mut Scan::default())
    }

    fn redis(buf: &[u8], expect: Expect) -> Option<Reply> {
        take(Proto::Redis, buf, expect, &mut Scan::default())
    }

    #[test]
    fn a_reply_arriving_in_pieces_is_scanned_once() {
        for proto in [Proto::Todo, Proto::Redis] {
            let whole: &[u8] = match proto {
                Proto::Todo => b"* a\n* bb\n* c\nOK\n",
                Proto::Redis | Proto::Resp => b"*3\r\n$1\r\na\r\n$2\r\nbb\r\n$1\r\nc\r\n",
            };
            let mut scan = Scan::default();
            for end in 0..whole.len() {
                assert_eq!(take(proto, &whole[..end], Expect::Items, &mut scan), None);
            }
            let reply = take(proto, whole, Expect::Items, &mut scan);
            assert_eq!(
                reply,
                Some(Reply {
                    len: whole.len(),
                    bad: false
                }),
                "{proto:?}"
            );
        }
    }

    #[test]
    fn a_missing_item_is_the_expected_reply_of_a_del_scan() {
        assert_eq!(
            todo(b"ERR not found\n", Expect::Missing),
            Some(Reply {
                len: 14,
                bad: false
            })
        );
        assert!(todo(b"OK\n", Expect::Missing).unwrap().bad);
        assert!(!redis(b":0\r\n", Expect::Missing).unwrap().bad);
        assert!(redis(b":1\r\n", Expect::Missing).unwrap().bad);
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
