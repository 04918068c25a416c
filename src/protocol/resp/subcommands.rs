//! The commands whose arguments are options or subcommands: `SCAN`'s
//! `MATCH`/`COUNT`/`TYPE`, `HELLO`'s version and options, and `CLIENT`,
//! `COMMAND` and `CONFIG`'s subcommands, with Redis's errors.

use super::command::{integer, syntax, wrong_arity, Args, Command, Refusal};

/// `SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]`.
pub(super) fn scan<'a>(args: Args<'a>, lower: &str) -> Result<Command<'a>, Refusal> {
    if args.len() < 2 {
        return Err(wrong_arity(lower));
    }
    let cursor = std::str::from_utf8(args.get(1))
        .ok()
        .and_then(|c| c.parse::<u64>().ok())
        .ok_or_else(|| "ERR invalid cursor".to_string())?;
    let (mut pattern, mut count) = (None, 10);
    let mut i = 2;
    while i < args.len() {
        let option = args.get(i).to_ascii_lowercase();
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
            (b"type", Some(_)) => count = 0,
            _ => return Err(syntax()),
        }
        i += 2;
    }
    Ok(Command::Scan {
        cursor,
        pattern,
        count,
    })
}

/// `HELLO [protover [AUTH user pass] [SETNAME name]]`.
pub(super) fn hello(args: Args<'_>) -> Result<Command<'_>, Refusal> {
    let mut version = None;
    let mut name = None;
    let mut i = 1;
    if args.len() > 1 {
        let v = std::str::from_utf8(args.get(1))
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| "ERR Protocol version is not an integer or out of range".to_string())?;
        version = Some(v);
        i = 2;
    }
    while i < args.len() {
        let option = args.get(i).to_ascii_lowercase();
        match option.as_slice() {
            // No users here: any credentials do.
            b"auth" if i + 2 < args.len() => i += 3,
            b"setname" if i + 1 < args.len() => {
                name = Some(args.get(i + 1));
                i += 2;
            }
            _ => {
                return Err(format!(
                    "ERR Syntax error in HELLO option '{}'",
                    String::from_utf8_lossy(args.get(i))
                ))
            }
        }
    }
    Ok(Command::Hello { version, name })
}

/// `CLIENT SETNAME|GETNAME|ID|SETINFO|...`.
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
        "setname" => exact(3).map(|()| Command::ClientSetName(args.get(2)))?,
        "getname" => exact(2).map(|()| Command::ClientGetName)?,
        "id" => exact(2).map(|()| Command::ClientId)?,
        "setinfo" => exact(4).map(|()| Command::ClientNoop)?,
        "no-evict" | "no-touch" | "reply" => exact(3).map(|()| Command::ClientNoop)?,
        _ => {
            return Err(format!(
                "ERR unknown subcommand '{}'. Try CLIENT HELP.",
                String::from_utf8_lossy(args.get(1))
            ))
        }
    })
}

/// `COMMAND [COUNT|DOCS|INFO]`.
pub(super) fn command(args: Args<'_>) -> Result<Command<'_>, Refusal> {
    if args.len() == 1 {
        return Ok(Command::CommandEmpty);
    }
    let sub = String::from_utf8_lossy(args.get(1)).to_ascii_lowercase();
    match sub.as_str() {
        "count" if args.len() == 2 => Ok(Command::CommandCount),
        "count" => Err(wrong_arity("command|count")),
        "docs" | "info" => Ok(Command::CommandEmpty),
        _ => Err(format!(
            "ERR unknown subcommand '{}'. Try COMMAND HELP.",
            String::from_utf8_lossy(args.get(1))
        )),
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
        _ => Err(format!(
            "ERR unknown subcommand '{}'. Try CONFIG HELP.",
            String::from_utf8_lossy(args.get(1))
        )),
    }
}
