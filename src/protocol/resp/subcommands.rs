//! The commands whose arguments are options or subcommands: `SCAN`'s
//! `MATCH`/`COUNT`/`TYPE`, `HELLO`'s version and options, and `CLIENT`,
//! `COMMAND` and `CONFIG`'s subcommands, with Redis's errors (7.2's texts
//! where they differ from 7.0's).

use super::command::{c_str, integer, syntax, wrong_arity, Args, Command, Refusal};

/// `SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]`.
pub(super) fn scan<'a>(args: Args<'a>, lower: &str) -> Result<Command<'a>, Refusal> {
    if args.len() < 2 {
        return Err(wrong_arity(lower));
    }
    let cursor = cursor(args.get(1)).ok_or_else(|| Refusal::from("ERR invalid cursor"))?;
    let (mut pattern, mut count, mut none) = (None, 10, false);
    let mut i = 2;
    while i < args.len() {
        // Redis compares option names as C strings.
        let option = c_str(args.get(i)).to_ascii_lowercase();
        let value = (i + 1 < args.len()).then(|| args.get(i + 1));
        match (option.as_slice(), value) {
            // `*` matches every name, the empty one too, as in Redis.
            (b"match", Some(b"*")) => pattern = None,
            (b"match", Some(p)) => pattern = Some(p),
            (b"count", Some(c)) => {
                let c = integer(c)?;
                if c < 1 {
                    return Err(syntax());
                }
                count = c.min(1 << 20) as usize;
            }
            (b"type", Some(t)) if t.eq_ignore_ascii_case(b"list") => {}
            // Every key is a list: a scan for another type finds none.
            (b"type", Some(_)) => none = true,
            _ => return Err(syntax()),
        }
        i += 2;
    }
    Ok(Command::Scan {
        cursor,
        pattern,
        count,
        none,
    })
}

/// A `SCAN` cursor as Redis reads one (C's `strtoul` in base 10, up to a
/// NUL byte): an optional sign and digits, nothing else, and not starting
/// with a space; `""` is 0 and `-n` wraps around (`-1` is the largest).
fn cursor(bytes: &[u8]) -> Option<u64> {
    let text = c_str(bytes);
    let (negative, digits) = match text.split_first() {
        None => return Some(0),
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        Some(_) => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })?;
    Some(if negative { n.wrapping_neg() } else { n })
}

/// `HELLO [protover [AUTH user pass] [SETNAME name]]`, checked in Redis
/// 7.2's order: the version, then each option (a name with a space is
/// refused there), then the credentials.
pub(super) fn hello(args: Args<'_>) -> Result<Command<'_>, Refusal> {
    let mut version = None;
    let mut name = None;
    let mut user = None;
    let mut i = 1;
    if args.len() > 1 {
        let v = integer(args.get(1))
            .map_err(|_| Refusal::from("ERR Protocol version is not an integer or out of range"))?;
        if v != 2 && v != 3 {
            return Err("NOPROTO unsupported protocol version".into());
        }
        version = Some(v);
        i = 2;
    }
    while i < args.len() {
        let option = c_str(args.get(i));
        let more = args.len() - 1 - i;
        if option.eq_ignore_ascii_case(b"auth") && more >= 2 {
            user = Some(args.get(i + 1));
            i += 3;
        } else if option.eq_ignore_ascii_case(b"setname") && more >= 1 {
            name = Some(client_name(args.get(i + 1))?);
            i += 2;
        } else {
            let mut text = b"ERR Syntax error in HELLO option '".to_vec();
            text.extend_from_slice(option);
            text.push(b'\'');
            return Err(text);
        }
    }
    // No users are configured: as in a Redis without any, the default
    // user takes any password and no one else exists.
    if user.is_some_and(|user| user != b"default") {
        return Err("WRONGPASS invalid username-password pair or user is disabled.".into());
    }
    Ok(Command::Hello { version, name })
}

/// A connection name, if Redis 7.2 takes it: bytes from `!` to `~` up to
/// the first NUL byte (7.2 looks no further; 7.0 checks every byte), or
/// empty for none.
fn client_name(name: &[u8]) -> Result<&[u8], Refusal> {
    if printable(name) {
        Ok(name)
    } else {
        Err("ERR Client names cannot contain spaces, newlines or special characters.".into())
    }
}

/// Whether an attribute has no space, line end or other special byte
/// before its first NUL, as Redis 7.2's `validateClientAttr` asks.
fn printable(value: &[u8]) -> bool {
    c_str(value).iter().all(|b| (b'!'..=b'~').contains(b))
}

/// Redis's text for a subcommand its container does not have: the
/// subcommand as sent (up to 128 bytes and a NUL byte).
fn unknown_subcommand(sub: &[u8], container: &str) -> Refusal {
    let sub = c_str(sub);
    let mut text = b"ERR unknown subcommand '".to_vec();
    text.extend_from_slice(&sub[..sub.len().min(128)]);
    text.extend_from_slice(format!("'. Try {container} HELP.").as_bytes());
    text
}

/// `CLIENT SETNAME|GETNAME|ID|SETINFO`. Other subcommands are unknown
/// here: `CLIENT REPLY OFF` or `NO-EVICT ON` answered `+OK` would promise
/// what the server does not do (a client that turned replies off would
/// read them out of step).
pub(super) fn client(args: Args<'_>) -> Result<Command<'_>, Refusal> {
    if args.len() < 2 {
        return Err(wrong_arity("client"));
    }
    let sub = String::from_utf8_lossy(args.get(1)).to_ascii_lowercase();
    let exact = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(wrong_arity(&format!("client|{sub}")))
        }
    };
    Ok(match sub.as_str() {
        "setname" => {
            exact(3)?;
            Command::ClientSetName(client_name(args.get(2))?)
        }
        "getname" => exact(2).map(|()| Command::ClientGetName)?,
        "id" => exact(2).map(|()| Command::ClientId)?,
        "setinfo" => {
            exact(4)?;
            let attr = c_str(args.get(2));
            let known = [&b"lib-name"[..], b"lib-ver"];
            if !known.iter().any(|k| attr.eq_ignore_ascii_case(k)) {
                let mut text = b"ERR Unrecognized option '".to_vec();
                text.extend_from_slice(attr);
                text.push(b'\'');
                return Err(text);
            }
            if !printable(args.get(3)) {
                let mut text = b"ERR ".to_vec();
                text.extend_from_slice(attr);
                text.extend_from_slice(b" cannot contain spaces, newlines or special characters.");
                return Err(text);
            }
            Command::ClientNoop
        }
        _ => return Err(unknown_subcommand(args.get(1), "CLIENT")),
    })
}

/// `COMMAND [COUNT|DOCS|INFO]`.
pub(super) fn command(args: Args<'_>) -> Result<Command<'_>, Refusal> {
    if args.len() == 1 {
        return Ok(Command::CommandInfo(None));
    }
    let sub = String::from_utf8_lossy(args.get(1)).to_ascii_lowercase();
    match sub.as_str() {
        "count" if args.len() == 2 => Ok(Command::CommandCount),
        "count" => Err(wrong_arity("command|count")),
        "docs" => Ok(Command::CommandDocs),
        "info" if args.len() == 2 => Ok(Command::CommandInfo(None)),
        "info" => Ok(Command::CommandInfo(Some(args.from(2)))),
        _ => Err(unknown_subcommand(args.get(1), "COMMAND")),
    }
}

/// `CONFIG GET parameter [parameter ...]`.
pub(super) fn config(args: Args<'_>) -> Result<Command<'_>, Refusal> {
    if args.len() < 2 {
        return Err(wrong_arity("config"));
    }
    let sub = String::from_utf8_lossy(args.get(1)).to_ascii_lowercase();
    match sub.as_str() {
        "get" if args.len() >= 3 => Ok(Command::ConfigGet(args.from(2))),
        "get" => Err(wrong_arity("config|get")),
        _ => Err(unknown_subcommand(args.get(1), "CONFIG")),
    }
}

#[cfg(test)]
mod tests {
    use super::cursor;

    #[test]
    fn scan_cursors_empty_signed_spaced_or_too_big() {
        assert_eq!(cursor(b""), Some(0));
        assert_eq!(cursor(b"-1"), Some(u64::MAX));
        assert_eq!(cursor(b"+1"), Some(1));
        assert_eq!(cursor(b"01"), Some(1));
        assert_eq!(cursor(b"-0"), Some(0));
        assert_eq!(cursor(b"7\0junk"), Some(7));
        assert_eq!(cursor(b"18446744073709551615"), Some(u64::MAX));
        for bad in [
            &b" 1"[..],
            b"1 ",
            b"-",
            b"+",
            b"x",
            b"18446744073709551616",
            b"0x1",
        ] {
            assert_eq!(cursor(bad), None, "{bad:?}");
        }
    }
}
