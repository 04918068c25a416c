//! `frame.rs`'s tests: requests split at every byte, resumed across
//! reads, over the limits and skipped, and broken framing in Redis's words.

use super::*;

fn args<'a>(p: &Parser, buf: &'a [u8]) -> Vec<&'a [u8]> {
    p.args().iter().map(|place| &buf[place.range()]).collect()
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
        Parsed::Broken("Protocol error: expected '$', got 'P'")
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

#[test]
fn lengths_with_a_leading_zero_a_plus_or_minus_zero_are_broken() {
    let broken = |bytes: &[u8]| Parser::default().parse(bytes, 100);
    for header in [
        &b"*01\r\n"[..],
        b"*-0\r\n",
        b"*+1\r\n",
        b"* 1\r\n",
        b"*\r\n",
    ] {
        assert_eq!(
            broken(header),
            Parsed::Broken("Protocol error: invalid multibulk length"),
            "{header:?}"
        );
    }
    for bulk in [
        &b"*1\r\n$04\r\nPING\r\n"[..],
        b"*1\r\n$-0\r\n",
        b"*1\r\n$+4\r\n",
    ] {
        assert_eq!(
            broken(bulk),
            Parsed::Broken("Protocol error: invalid bulk length"),
            "{bulk:?}"
        );
    }
    // Redis reads a count of zero or less as no request at all.
    let mut p = Parser::default();
    assert_eq!(p.parse(b"*-5\r\n", 100), Parsed::Empty { consumed: 5 });
    let min = b"*-9223372036854775808\r\n";
    assert_eq!(p.parse(min, 100), Parsed::Empty { consumed: 23 });
    assert_eq!(
        broken(b"*-9223372036854775809\r\n"),
        Parsed::Broken("Protocol error: invalid multibulk length")
    );
    // A prefix that can still become a number waits for its CRLF.
    assert_eq!(p.parse(b"*-", 100), Parsed::Partial);
    assert_eq!(p.parse(b"*1\r\n$1", 100), Parsed::Partial);
}

#[test]
fn integers_that_redis_string2ll_refuses() {
    for good in [
        "0",
        "1",
        "-1",
        "10",
        "9223372036854775807",
        "-9223372036854775808",
    ] {
        assert_eq!(integer(good.as_bytes()), good.parse().ok(), "{good}");
    }
    for bad in [
        "",
        "-",
        "+1",
        "01",
        "-0",
        "00",
        " 1",
        "1 ",
        "1x",
        "9223372036854775808",
        "-9223372036854775809",
        "000000000000000000001",
    ] {
        assert_eq!(integer(bad.as_bytes()), None, "{bad:?}");
    }
}

#[test]
fn a_line_end_or_a_control_byte_where_a_dollar_should_be_is_named() {
    let broken = |bytes: &[u8]| Parser::default().parse(bytes, 100);
    for (got, text) in [
        (b'\r', "Protocol error: expected '$', got ' '"),
        (b'\n', "Protocol error: expected '$', got ' '"),
        (1, "Protocol error: expected '$', got '\u{1}'"),
        (b'*', "Protocol error: expected '$', got '*'"),
        (0xff, "Protocol error: expected '$', got a byte over 0x7f"),
    ] {
        assert_eq!(
            broken(&[b'*', b'1', b'\r', b'\n', got]),
            Parsed::Broken(text)
        );
    }
}

#[test]
fn a_request_of_exactly_the_limit_in_tiny_arguments_is_taken_and_held_small() {
    // Only the request's bytes count against the limit: 1000 empty
    // arguments in 6 + 6000 bytes.
    let mut req = b"*1000\r\n".to_vec();
    req.extend(b"$0\r\n\r\n".repeat(1000));
    let mut p = Parser::default();
    assert_eq!(
        p.parse(&req, req.len()),
        Parsed::Request {
            consumed: req.len()
        }
    );
    assert_eq!(p.args().len(), 1000);
    // The places take 8 bytes for an argument's 6 at least.
    assert!(p.held() <= req.len() * 8 / 6, "{}", p.held());
    p.reset();
    assert!(matches!(
        p.parse(&req, req.len() - 1),
        Parsed::TooBig { .. }
    ));
    assert_eq!(p.over(), Over::Bytes);
    assert!(matches!(
        p.parse(b"*1048577\r\n", 100),
        Parsed::TooBig { consumed: 10, .. }
    ));
    assert_eq!(p.over(), Over::Args);
    assert_eq!(p.over().text(), "ERR too many arguments (over 1048576)");
}
