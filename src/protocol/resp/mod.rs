//! RESP, Redis's protocol, on the same port as the lines: a request whose
//! first byte is `*` is RESP (`frame.rs` finds where it ends, `command.rs`
//! makes it a command, `subcommands.rs` those with options, `table.rs` what
//! `COMMAND` says of them) and is answered in RESP (`reply.rs`), version 2
//! or, after `HELLO 3`, 3. No I/O here.

pub mod command;
pub mod frame;
pub mod reply;
mod subcommands;
pub mod table;

pub use command::{Args, Command, End};
pub use frame::{Over, Parsed, Parser, Place, Skip, Skipped};
pub use reply::Version;
