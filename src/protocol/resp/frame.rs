//! Where a RESP request ends in a read buffer: `*<n>\r\n` then `n` bulk
//! strings `$<len>\r\n<bytes>\r\n`.
//!
//! Parsing resumes where it stopped when more bytes come (a big request
//! arrives in many reads), so each byte of a header is looked at once. A
//! request within the limits comes out as its arguments' places in the
//! request (8 bytes a place, against the 6 an argument takes at least, so
//! the list stays within a third more than the request). One whose lengths
//! are well formed but over the limits (more bytes than `max`, more
//! arguments than `MAX_ARGS`) is skipped exactly, by a `Skip` that eats its
//! declared bytes as they come, so the stream stays in step and the
//! connection goes on. Broken framing (a length that is not a number as
//! Redis's `string2ll` reads one, a missing CRLF, a bulk that does not
//! start with `$`) cannot be read in step any more: the connection answers
//! it, in Redis's words, and closes.

use std::ops::Range;

/// The most arguments one request may have.
pub const MAX_ARGS: usize = 1 << 20;

/// The fewest bytes an argument takes on the wire (`$0\r\n\r\n`): a
/// request of `max` bytes has at most `max / MIN_ARG` of them, which
/// bounds the argument list by the request's size.
const MIN_ARG: usize = 6;

/// The longest a length may be before its CRLF, sign included, as Redis
/// reads one (a longer one is not a number).
const MAX_LENGTH_CHARS: usize = 20;

/// What the front of a buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole request of `consumed` bytes; its arguments are in the
    /// parser (`Parser::args`).
    Request {
        /// Bytes of the request.
        consumed: usize,
    },
    /// An empty request (a count of zero or less): no reply, as Redis does.
    Empty {
        /// Bytes of it.
        consumed: usize,
    },
    /// Not complete yet: more bytes are needed.
    Partial,
    /// Well framed so far but over the limits: drop the first `consumed`
    /// bytes, then the rest with `skip`. `Parser::over` says which limit.
    TooBig {
        /// Bytes of it in the buffer that may be dropped now.
        consumed: usize,
        /// What is left of it to drop.
        skip: Skip,
    },
    /// The framing is broken: what Redis says about it.
    Broken(&'static str),
}

/// Which limit a request is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Over {
    /// More bytes than the request limit (`--max-line`).
    #[default]
    Bytes,
    /// More arguments than `MAX_ARGS`.
    Args,
}

impl Over {
    /// The error that answers the request (code included).
    pub fn text(self) -> &'static str {
        match self {
            Over::Bytes => "ERR request too large (over --max-line)",
            Over::Args => "ERR too many arguments (over 1048576)",
        }
    }
}

/// Where one argument is in its request: offsets from the request's first
/// byte. Eight bytes, so that the list of a request's places is never much
/// bigger than the request (an argument takes six bytes at least).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    start: u32,
    end: u32,
}

impl Place {
    /// The argument at `range` of its request (which fits in `u32`).
    pub fn new(range: Range<usize>) -> Place {
        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
        Place {
            start: offset(range.start),
            end: offset(range.end),
        }
    }

    /// Its bytes' place in the request.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
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
    args: Vec<Place>,
    /// Which limit the last request refused as too big was over.
    over: Over,
}

impl Parser {
    /// Parses (or goes on parsing) the request at the front of `buf`,
    /// which may have at most `max` bytes in all. After `Request`,
    /// `args` gives the arguments; call `reset` before the next request.
    pub fn parse(&mut self, buf: &[u8], max: usize) -> Parsed {
        // Places are u32 offsets.
        let max = max.min(u32::MAX as usize);
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
                    self.over = Over::Args;
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
            // header again): the request's bytes, nothing else.
            let declared = self.declared + (data - self.at) + len + 2;
            if declared > max {
                // Over the limit: drop what has been read, and skip the
                // rest as it comes.
                let left = count - self.args.len() - 1;
                let consumed = data;
                self.reset();
                self.over = Over::Bytes;
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
            self.push(Place::new(data..end), count, max);
            self.at = end + 2;
            self.declared = declared;
        }
        Parsed::Request { consumed: self.at }
    }

    /// Keeps an argument's place, growing the list no further than the
    /// request can fill: its count, and one argument per `MIN_ARG` bytes
    /// of the limit.
    fn push(&mut self, place: Place, count: usize, max: usize) {
        if self.args.len() == self.args.capacity() {
            let bound = count.min(max / MIN_ARG + 1);
            let want = (self.args.capacity() * 2).max(8).min(bound);
            self.args
                .reserve_exact(want.saturating_sub(self.args.len()).max(1));
        }
        self.args.push(place);
    }

    /// The arguments of the request `parse` found, as places in it.
    pub fn args(&self) -> &[Place] {
        &self.args
    }

    /// Which limit the last request refused as `TooBig` was over.
    pub fn over(&self) -> Over {
        self.over
    }

    /// Forgets the request: the next `parse` starts a new one.
    pub fn reset(&mut self) {
        self.count = None;
        self.at = 0;
        self.declared = 0;
        self.args.clear();
    }

    /// Bytes the parser holds (its argument list), for the budget: at most
    /// 8 bytes per 6 bytes of the request limit.
    pub fn held(&self) -> usize {
        self.args.capacity() * std::mem::size_of::<Place>()
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
                Ok(Some((len, data))) if (0..=i64::from(u32::MAX)).contains(&len) => {
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

/// A decimal integer as Redis reads one (its `string2ll`): an optional
/// `-`, then `0` alone or digits not starting with `0`, within `i64`;
/// no `+`, no `-0`, no spaces, at most 20 bytes.
pub fn integer(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > MAX_LENGTH_CHARS {
        return None;
    }
    if bytes == b"0" {
        return Some(0);
    }
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut n: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if negative {
        // i64::MIN's magnitude is one more than i64::MAX.
        0i64.checked_sub_unsigned(n)
    } else {
        i64::try_from(n).ok()
    }
}

/// The number at `buf[from..]` up to its CRLF, and where the bytes after
/// the CRLF start; `Ok(None)` if the CRLF has not come yet (and what came
/// may still be a number); `Err` if it is not a number followed by CRLF.
fn length(buf: &[u8], from: usize) -> Result<Option<(i64, usize)>, ()> {
    let rest = buf.get(from..).unwrap_or_default();
    let seen = &rest[..rest.len().min(MAX_LENGTH_CHARS + 1)];
    match seen.iter().position(|&b| b == b'\r') {
        Some(cr) => {
            let n = integer(&seen[..cr]).ok_or(())?;
            match rest.get(cr + 1) {
                None => Ok(None),
                Some(b'\n') => Ok(Some((n, from + cr + 2))),
                Some(_) => Err(()),
            }
        }
        None if seen.len() > MAX_LENGTH_CHARS => Err(()),
        None if seen.is_empty() || seen == b"-" || integer(seen).is_some() => Ok(None),
        None => Err(()),
    }
}

/// Bytes of `Protocol error: expected '$', got 'X'`.
const EXPECTED_LEN: usize = EXPECTED_PREFIX.len() + 2;
const EXPECTED_PREFIX: &[u8] = b"Protocol error: expected '$', got '";

/// Redis's text for each ASCII byte where a `$` should be: the byte as it
/// is, CR and LF as spaces (Redis keeps line ends out of errors).
static EXPECTED: [[u8; EXPECTED_LEN]; 128] = expected_texts();

const fn expected_texts() -> [[u8; EXPECTED_LEN]; 128] {
    let mut texts = [[0; EXPECTED_LEN]; 128];
    let mut byte = 0;
    while byte < 128 {
        let mut i = 0;
        while i < EXPECTED_PREFIX.len() {
            texts[byte][i] = EXPECTED_PREFIX[i];
            i += 1;
        }
        texts[byte][i] = match byte as u8 {
            b'\r' | b'\n' => b' ',
            other => other,
        };
        texts[byte][i + 1] = b'\'';
        byte += 1;
    }
    texts
}

fn expected_dollar(got: u8) -> &'static str {
    // Redis sends a byte over 0x7f as it is, which a `str` cannot hold.
    const NOT_ASCII: &str = "Protocol error: expected '$', got a byte over 0x7f";
    EXPECTED
        .get(usize::from(got))
        .and_then(|text| std::str::from_utf8(text).ok())
        .unwrap_or(NOT_ASCII)
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
