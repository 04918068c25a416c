//! The RESP requests answered without another process: the connection
//! commands clients send by themselves (`PING`, `ECHO`, `QUIT`, `SELECT`,
//! `HELLO`, `CLIENT`, `COMMAND`, `INFO`, `CONFIG GET`), `STATS`, `HELP`
//! and `DEBUG`.

use super::{debug, Cx, Host};
use crate::protocol::request::Debug;
use crate::protocol::request::Verb;
use crate::protocol::resp::command::{self, Args, Command};
use crate::protocol::resp::reply::{self as resp, Version};
use crate::protocol::resp::table;
use crate::protocol::Error;
use crate::todo::Name;

/// The answers that need no other process. Returns whether it was
/// `QUIT`.
pub(super) fn answer<P: Host>(
    cx: Cx<'_, '_, P>,
    out: &mut Vec<u8>,
    command: Command<'_>,
    (version, name): (&mut Version, &mut Option<Vec<u8>>),
) -> bool {
    let mut quit = false;
    match command {
        Command::Quit => {
            resp::ok(out);
            quit = true;
        }
        Command::Ping(None) => resp::simple(out, "PONG"),
        Command::Ping(Some(message)) | Command::Echo(message) => resp::bulk(out, message),
        Command::Select(0) => resp::ok(out),
        Command::Select(_) => resp::error(out, "ERR DB index is out of range"),
        Command::Hello {
            version: asked,
            name: asked_name,
        } => {
            // Checked when parsed: 2 or 3, and a valid name.
            if let Some(v) = asked {
                *version = if v == 3 { Version::Three } else { Version::Two };
            }
            if let Some(asked) = asked_name {
                *name = (!asked.is_empty()).then(|| asked.to_vec());
            }
            super::info::hello(out, *version, cx.pid().to_bits());
        }
        Command::ClientSetName(new) => {
            // Checked when parsed.
            *name = (!new.is_empty()).then(|| new.to_vec());
            resp::ok(out);
        }
        Command::ClientGetName => match name {
            Some(name) => resp::bulk(out, name),
            None => resp::null(out, *version),
        },
        Command::ClientId => resp::integer(out, cx.pid().to_bits() as i64),
        Command::ClientNoop => resp::ok(out),
        Command::CommandCount => {
            let debug = cx.shared().config().enable_debug;
            resp::integer(out, table::entries(debug).len() as i64);
        }
        Command::CommandInfo(names) => {
            let debug = cx.shared().config().enable_debug;
            table::info(out, names, *version, debug);
        }
        Command::CommandDocs => resp::map(out, 0, *version),
        Command::Info(sections) => {
            let processes = cx.process_count();
            let restarts = cx.restarts();
            let text = super::info::info(cx.shared(), processes, restarts, sections);
            resp::text(out, &text, *version);
        }
        Command::ConfigGet(patterns) => {
            super::info::config_get(out, cx.shared(), patterns, *version)
        }
        Command::Stats => {
            // Counted before the rows are taken: STATS counts itself.
            cx.shared().stats_mut().command_answered();
            let processes = cx.process_count();
            let restarts = cx.restarts();
            let rows = cx.shared().stats_rows(processes, restarts);
            resp::map(out, rows.len() as u64, *version);
            for (key, value) in rows {
                resp::bulk(out, key.as_bytes());
                resp::bulk(out, value.as_bytes());
            }
        }
        Command::Help => {
            resp::array(out, Verb::ALL.len() as u64);
            for verb in Verb::ALL {
                resp::bulk(out, verb.help().as_bytes());
            }
        }
        Command::Debug(words) => {
            let mut line = b"DEBUG".to_vec();
            for word in words.iter() {
                line.push(b' ');
                line.extend_from_slice(word);
            }
            let reply = match crate::protocol::parse(&line) {
                Some(Ok(crate::protocol::Request::Debug { command, .. }))
                    if cx.shared().config().enable_debug =>
                {
                    debug(cx.shared(), command)
                }
                Some(Err(e)) if cx.shared().config().enable_debug => Err(e),
                _ => Err(Error::UnknownCommand(b"DEBUG")),
            };
            match reply {
                Ok(()) => resp::ok(out),
                // Off, it is unknown, and said as any unknown command is.
                Err(Error::UnknownCommand(_)) => resp::error(out, &command::unknown(words.whole())),
                Err(e) => resp::protocol_error(out, &e),
            }
        }
        other => {
            log::error!("connection {}: {other:?} reached no answer", cx.pid());
            resp::error(out, "ERR internal error");
        }
    }
    quit
}

/// `DEBUG CRASH MANAGER` (`Some(None)`) or `DEBUG CRASH LIST name`
/// (`Some(Some(name))`), if the words say so.
pub(super) fn crash(words: Args<'_>) -> Option<Option<Name>> {
    let mut line = b"DEBUG".to_vec();
    for word in words.iter() {
        line.push(b' ');
        line.extend_from_slice(word);
    }
    match crate::protocol::parse(&line) {
        Some(Ok(crate::protocol::Request::Debug { command, .. })) => match command {
            Debug::CrashManager => Some(None),
            Debug::CrashList(name) => Some(Some(Name::new(name))),
            _ => None,
        },
        _ => None,
    }
}
