//! The wire protocol of PROTOCOL.md as pure functions, with no I/O:
//! bytes to lines (`frame`), a line to a request (`request`), results to
//! reply bytes (`reply`); and RESP, the other framing on the same port
//! (`resp/`).

pub mod frame;
pub mod reply;
pub mod request;
pub mod resp;

pub use frame::{next_line, Frame};
pub use reply::Error;
pub use request::{parse, Request};
