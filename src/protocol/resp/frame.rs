//! Where a RESP request ends in a read buffer: `*<n>\r\n` then `n` bulk
//! strings `$<len>\r\n<bytes>\r\n`.
//!
//! Parsing resumes where it stopped when more bytes come (a big request
//! arrives in many reads), so each byte of a header is looked at once. A
//! request within the limits comes out as its arguments' places in the
//! buffer. One whose lengths are well formed but over the limits (more
//! bytes than `max`, more arguments than `MAX_ARGS`) is skipped exactly,
//! by a `Skip` that eats its declared bytes as they come, so the stream
//! stays in step and the connection goes on. Broken framing (a length
//! that is not a number, a missing CRLF, a bulk that does not start with
//! `$`) cannot be read in step any more: the connection answers it and
//! closes.

use std::ops::Range;

/// The most arguments one request may have.
pub const MAX_ARGS: usize = 1 << 20;

/// What one argument costs against the limit besides its bytes: its place
/// in the parser's list (so that many tiny arguments cannot make that list
/// outgrow the request's limit).
const ARG_COST: usize = std::mem::size_of::<Range<usize>>();

/// Digits and sign a length may have before its CRLF.
const MAX_LENGTH_DIGITS: usize = 20;

/// What the front of a buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole request of `consumed` bytes; its arguments are in the
    /// parser (`Parser::args`).
    Request {
        /// Bytes of the request.
        consumed: usize,
    },
    /// An empty request (`*0` or `*-1`): no reply, as Redis does.
    Empty {
        /// Bytes of it.
        consumed: usize,
    },
    /// Not complete yet: more bytes are needed.
    Partial,
    /// Well framed so far but over the limits: drop the first `consumed`
    /// bytes, then the rest with `skip`.
    TooBig {
        /// Bytes of it in the buffer that may be dropped now.
        consumed: usize,
        /// What is left of it to drop.
        skip: Skip,
    },
    /// The framing is broken: what Redis says about it.
    Broken(&'static str),
}

/// A request being parsed, kept between reads.
#[derive(Debug, Default)]
pub struct Parser {
    /// Arguments the request declares, once its header is read.
    count: Option<usize>,
    /// Where the next header starts.
    at: usize,
    /// Bytes the request declares so far.
    declared: usize,
    args: Vec<Range<usize>>,
}

impl Parser {
    /// Parses (or goes on parsing) the request at the front of `buf`,
    /// which may have at most `max` bytes in all. After `Request`,
    /// `args` gives the arguments; call `reset` before the next request.
    pub fn parse(&mut self, buf: &[u8], max: usize) -> Parsed {
        let count = match self.count {
            Some(count) => count,
            None => {
                debug_assert_eq!(buf.first(), Some(&b'*'));
                let (n, next) = match length(buf, 1) {
                    Ok(Some(header)) => header,
                    Ok(None) => return Parsed::Partial,
                    Err(()) => return Parsed::Broken("Protocol error: invalid multibulk length"),
                };
                if n <= 0 {
                    self.reset();
                    return Parsed::Empty { consumed: next };
                }
                if n > i64::from(i32::MAX) {
                    // Not a count anyone means: no use skipping it.
                    return Parsed::Broken("Protocol error: invalid multibulk length");
                }
                let n = n as usize;
                if n > MAX_ARGS {
                    self.reset();
                    return Parsed::TooBig {
                        consumed: next,
                        skip: Skip::args(n),
                    };
                }
                self.count = Some(n);
                self.at = next;
                self.declared = next;
                n
            }
        };
        while self.args.len() < count {
            let Some(&first) = buf.get(self.at) else {
                return Parsed::Partial;
            };
            if first != b'$' {
                return Parsed::Broken(expected_dollar(first));
            }
            let (len, data) = match length(buf, self.at + 1) {
                Ok(Some(header)) => header,
                Ok(None) => return Parsed::Partial,
                Err(()) => return Parsed::Broken("Protocol error: invalid bulk length"),
            };
            if len < 0 || len as u64 > u32::MAX as u64 {
                return Parsed::Broken("Protocol error: invalid bulk length");
            }
            let len = len as usize;
            // Counted once the argument is whole (a resumed parse reads its
            // header again); each also costs its place in `args`.
            let declared = self.declared + (data - self.at) + len + 2 + ARG_COST;
            if declared > max {
                // Over the limit: drop what has been read, and skip the
                // rest as it comes.
                let left = count - self.args.len() - 1;
                let consumed = data;
                self.reset();
                return Parsed::TooBig {
                    consumed,
                    skip: Skip {
                        args: left,
                        bulk: Some(len + 2),
                    },
                };
            }
            let end = data + len;
            if buf.len() < end + 2 {
                return Parsed::Partial;
            }
            if &buf[end..end + 2] != b"\r\n" {
                return Parsed::Broken("Protocol error: expected CRLF after a bulk string");
            }
            self.args.push(data..end);
            self.at = end + 2;
            self.declared = declared;
        }
        Parsed::Request { consumed: self.at }
    }

    /// The arguments of the request `parse` found, as places in its buffer.
    pub fn args(&self) -> &[Range<usize>] {
        &self.args
    }

    /// Forgets the request: the next `parse` starts a new one.
    pub fn reset(&mut self) {
        self.count = None;
        self.at = 0;
        self.declared = 0;
        self.args.clear();
    }

    /// Bytes the parser holds (its argument list), for the budget.
    pub fn held(&self) -> usize {
        self.args.capacity() * std::mem::size_of::<Range<usize>>()
    }

    /// Gives back the argument list's memory if it grew big.
    pub fn shrink(&mut self) {
        if self.args.capacity() > 64 {
            self.args = Vec::new();
        }
    }
}

/// What is left to drop of a request over the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip {
    /// Bulk strings still to come after the current one.
    args: usize,
    /// Bytes left of the current bulk string (its CRLF included); `None`
    /// between bulk strings, where a `$<len>\r\n` header comes next.
    bulk: Option<usize>,
}

/// How skipping went.
#[derive(Debug, PartialEq, Eq)]
pub enum Skipped {
    /// Dropped this many bytes, and the request is all gone.
    Done(usize),
    /// Dropped this many bytes; more are to come.
    More(usize),
    /// The framing broke while skipping.
    Broken(&'static str),
}

impl Skip {
    fn args(n: usize) -> Skip {
        Skip {
            args: n,
            bulk: None,
        }
    }

    /// Drops what it can of the request from the front of `buf`.
    pub fn eat(&mut self, buf: &[u8]) -> Skipped {
        let mut at = 0;
        loop {
            if let Some(left) = self.bulk {
                let take = left.min(buf.len() - at);
                at += take;
                if take < left {
                    self.bulk = Some(left - take);
                    return Skipped::More(at);
                }
                self.bulk = None;
            }
            if self.args == 0 {
                return Skipped::Done(at);
            }
            let Some(&first) = buf.get(at) else {
                return Skipped::More(at);
            };
            if first != b'$' {
                return Skipped::Broken(expected_dollar(first));
            }
            match length(buf, at + 1) {
                Ok(Some((len, data))) if len >= 0 => {
                    self.args -= 1;
                    self.bulk = Some(len as usize + 2);
                    at = data;
                }
                Ok(Some(_)) | Err(()) => {
                    return Skipped::Broken("Protocol error: invalid bulk length");
                }
                Ok(None) => return Skipped::More(at),
            }
        }
    }
}

/// The number at `buf[from..]` up to its CRLF, and where the bytes after
/// the CRLF start; `Ok(None)` if the CRLF has not come yet; `Err` if it is
/// not a number followed by CRLF.
fn length(buf: &[u8], from: usize) -> Result<Option<(i64, usize)>, ()> {
    let rest = buf.get(from..).unwrap_or_default();
    let (negative, digits) = match rest.first() {
        Some(b'-') => (true, &rest[1..]),
        _ => (false, rest),
    };
    let mut n: i64 = 0;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' if i < MAX_LENGTH_DIGITS - 1 => {
                n = n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(b - b'0')))
                    .ok_or(())?;
            }
            b'\r' if i > 0 => {
                let end = from + usize::from(negative) + i;
                return match buf.get(end + 1) {
                    None => Ok(None),
                    Some(b'\n') => Ok(Some((if negative { -n } else { n }, end + 2))),
                    Some(_) => Err(()),
                };
            }
            _ => return Err(()),
        }
    }
    Ok(None)
}

fn expected_dollar(got: u8) -> &'static str {
    // Redis names the byte; a fixed text keeps the reply allocation-free,
    // with the common cases spelled out.
    match got {
        b'\r' | b'\n' => "Protocol error: expected '$', got a line end",
        b'*' => "Protocol error: expected '$', got '*'",
        b':' => "Protocol error: expected '$', got ':'",
        b'+' => "Protocol error: expected '$', got '+'",
        _ => "Protocol error: expected '$'",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args<'a>(p: &Parser, buf: &'a [u8]) -> Vec<&'a [u8]> {
        p.args().iter().map(|r| &buf[r.clone()]).collect()
    }

    #[test]
    fn a_request_split_at_every_byte_parses_the_same() {
        let req = b"*3\r\n$5\r\nLPUSH\r\n$4\r\nk\r\nx\r\n$0\r\n\r\n";
        for cut in 0..req.len() {
            let mut p = Parser::default();
            assert_eq!(
                p.parse(&req[..cut.max(1)], 1000),
                Parsed::Partial,
                "cut {cut}"
            );
            assert_eq!(
                p.parse(req, 1000),
                Parsed::Request {
                    consumed: req.len()
                }
            );
            assert_eq!(args(&p, req), [&b"LPUSH"[..], b"k\r\nx", b""]);
        }
    }

    #[test]
    fn a_request_within_the_limit_resumed_across_reads_is_not_too_big() {
        let big = vec![b'x'; 60];
        let req = [&b"*2\r\n$4\r\nECHO\r\n$60\r\n"[..], &big, b"\r\n"].concat();
        let mut p = Parser::default();
        for cut in (20..req.len()).step_by(7) {
            assert_eq!(p.parse(&req[..cut], 120), Parsed::Partial, "cut {cut}");
        }
        assert_eq!(
            p.parse(&req, 120),
            Parsed::Request {
                consumed: req.len()
            }
        );
    }

    #[test]
    fn empty_requests_and_broken_framing() {
        let mut p = Parser::default();
        assert_eq!(p.parse(b"*0\r\n", 100), Parsed::Empty { consumed: 4 });
        assert_eq!(p.parse(b"*-1\r\n", 100), Parsed::Empty { consumed: 5 });
        let broken = |bytes: &[u8]| Parser::default().parse(bytes, 100);
        assert_eq!(
            broken(b"*x\r\n"),
            Parsed::Broken("Protocol error: invalid multibulk length")
        );
        assert_eq!(
            broken(b"*1\n$4\r\nPING\r\n"),
            Parsed::Broken("Protocol error: invalid multibulk length")
        );
        assert_eq!(
            broken(b"*1\r\nPING\r\n"),
            Parsed::Broken("Protocol error: expected '$'")
        );
        assert_eq!(
            broken(b"*1\r\n$x\r\n"),
            Parsed::Broken("Protocol error: invalid bulk length")
        );
        assert_eq!(
            broken(b"*1\r\n$-1\r\n"),
            Parsed::Broken("Protocol error: invalid bulk length")
        );
        assert_eq!(
            broken(b"*1\r\n$4\r\nPINGXX"),
            Parsed::Broken("Protocol error: expected CRLF after a bulk string")
        );
        assert_eq!(
            broken(b"*11111111111111111111111"),
            Parsed::Broken("Protocol error: invalid multibulk length")
        );
    }

    #[test]
    fn a_request_over_the_limit_is_skipped_exactly_whatever_the_cuts() {
        let big =
            b"*3\r\n$5\r\nLPUSH\r\n$1\r\nk\r\n$20\r\n01234567890123456789\r\n*1\r\n$4\r\nPING\r\n";
        let end = big.len() - 14;
        for cut in 1..end {
            let mut p = Parser::default();
            let mut buf = big[..cut].to_vec();
            let (mut gone, mut skip) = match p.parse(&buf, 30) {
                Parsed::Partial => {
                    buf = big.to_vec();
                    match p.parse(&buf, 30) {
                        Parsed::TooBig { consumed, skip } => (consumed, skip),
                        other => panic!("cut {cut}: {other:?}"),
                    }
                }
                Parsed::TooBig { consumed, skip } => {
                    buf = big.to_vec();
                    (consumed, skip)
                }
                other => panic!("cut {cut}: {other:?}"),
            };
            // The rest arrives a byte at a time.
            let mut arrived = gone;
            loop {
                arrived = (arrived + 1).min(buf.len());
                match skip.eat(&buf[gone..arrived]) {
                    Skipped::Done(n) => {
                        gone += n;
                        break;
                    }
                    Skipped::More(n) => gone += n,
                    Skipped::Broken(e) => panic!("cut {cut}: {e}"),
                }
            }
            assert_eq!(gone, end, "cut {cut}");
        }
        let mut p = Parser::default();
        match p.parse(b"*2000000\r\n", 100) {
            Parsed::TooBig { consumed: 10, .. } => {}
            other => panic!("{other:?}"),
        }
    }
}
