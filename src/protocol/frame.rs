//! Framing: where the next request line ends in a read buffer.

/// What the front of a buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete line: its bytes are `buf[..len]` (LF, and a CR right
    /// before it, excluded); the next line starts at `next`.
    Line {
        /// Length of the line's content.
        len: usize,
        /// Where the following line starts.
        next: usize,
    },
    /// No LF yet, and not too long yet: wait for more bytes.
    Partial,
    /// The line is over the limit. If its LF is in the buffer, the next
    /// line starts at `Some(next)`; otherwise everything up to the next LF
    /// still to come must be discarded.
    TooLong {
        /// Where the following line starts, if its LF has been seen.
        next: Option<usize>,
    },
}

/// Finds the line at the front of `buf`, whose content may be at most
/// `max_line` bytes.
pub fn next_line(buf: &[u8], max_line: usize) -> Frame {
    match buf.iter().position(|&b| b == b'\n') {
        Some(lf) => {
            let len = if lf > 0 && buf[lf - 1] == b'\r' {
                lf - 1
            } else {
                lf
            };
            if len > max_line {
                Frame::TooLong { next: Some(lf + 1) }
            } else {
                Frame::Line { len, next: lf + 1 }
            }
        }
        // One byte of grace: it may be the CR of a CRLF.
        None if buf.len() > max_line + 1 => Frame::TooLong { next: None },
        None => Frame::Partial,
    }
}

/// The content of a last line that ended at EOF without an LF: a trailing
/// CR is dropped as it would be before an LF.
pub fn final_line(buf: &[u8]) -> &[u8] {
    buf.strip_suffix(b"\r").unwrap_or(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_and_crlf_end_a_line() {
        assert_eq!(next_line(b"PING\nX", 10), Frame::Line { len: 4, next: 5 });
        assert_eq!(next_line(b"PING\r\n", 10), Frame::Line { len: 4, next: 6 });
        assert_eq!(next_line(b"\n", 10), Frame::Line { len: 0, next: 1 });
    }

    #[test]
    fn only_the_cr_right_before_lf_is_dropped() {
        assert_eq!(
            next_line(b"a\rb\r\r\n", 10),
            Frame::Line { len: 4, next: 6 }
        );
    }

    #[test]
    fn incomplete_line_waits() {
        assert_eq!(next_line(b"PIN", 10), Frame::Partial);
        assert_eq!(next_line(b"", 10), Frame::Partial);
    }

    #[test]
    fn line_at_the_limit_is_fine_and_one_more_byte_is_not() {
        assert_eq!(next_line(b"abcd\r\n", 4), Frame::Line { len: 4, next: 6 });
        assert_eq!(next_line(b"abcde\n", 4), Frame::TooLong { next: Some(6) });
        // Five bytes could still be four and a CR; six cannot.
        assert_eq!(next_line(b"abcd\r", 4), Frame::Partial);
        assert_eq!(next_line(b"abcdef", 4), Frame::TooLong { next: None });
    }

    #[test]
    fn final_line_drops_a_trailing_cr() {
        assert_eq!(final_line(b"PING\r"), b"PING");
        assert_eq!(final_line(b"PING"), b"PING");
    }
}
