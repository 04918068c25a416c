//! Integration tests: a real server over real TCP on 127.0.0.1, one module
//! per area, compiled into one binary.

mod util;

mod bench;
mod binary;
mod budget;
mod clients;
mod commands;
mod compaction;
mod concurrency;
mod crash;
mod differential;
mod disk_errors;
mod durability;
mod errors;
mod framing;
mod limits;
mod memory;
mod pipelining;
mod random;
mod recovery;
mod resp;
mod shutdown;
mod supervision;
