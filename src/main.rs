//! The `todo-server` binary: options, logging, bind, run. Everything else
//! is in the library.

use std::process::ExitCode;

use todo_server::config::{help, Command};
use todo_server::net::{Server, StartError, Stopped};

fn main() -> ExitCode {
    let config = match Command::parse(std::env::args_os().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            print!("{}", help());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("todo-server {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("todo-server: {e}\nTry 'todo-server --help'.");
            return ExitCode::from(2);
        }
    };
    keep_heap_top();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let mut server = match Server::bind(&config) {
        Ok(server) => server,
        Err(StartError::Log(e)) => {
            eprintln!("todo-server: {e}");
            return ExitCode::FAILURE;
        }
        Err(StartError::Listen(e)) => {
            eprintln!(
                "todo-server: cannot listen on {}:{}: {e}",
                config.bind, config.port
            );
            return ExitCode::FAILURE;
        }
    };
    log::info!("listening on {}", server.local_addr());
    match server.run() {
        Ok(Stopped::Gracefully) if log_unsynced(&server) => {
            log::error!("exiting with an error: the log is not surely on disk");
            ExitCode::FAILURE
        }
        Ok(Stopped::Gracefully) => ExitCode::SUCCESS,
        Ok(Stopped::AtOnce) => ExitCode::FAILURE,
        Ok(Stopped::GaveUp) => {
            log::error!("exiting with an error: the process tree gave up");
            ExitCode::FAILURE
        }
        Err(e) => {
            log::error!("the poll loop failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// glibc gives the top of its heap back to the kernel once 128 KiB there
/// are free, and takes it again with the next burst of replies: measured,
/// about 3,000 `brk` calls per million `LIST`s pipelined 32 deep, and 9%
/// of their throughput. Keeping up to 4 MiB free at the top (and growing
/// it by 1 MiB) ends that, within the 32 MiB the memory bound allows the
/// program beside what clients make it hold.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_heap_top() {
    // SAFETY: `mallopt` only sets two of the allocator's parameters; it is
    // called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 4 << 20);
    }
}

/// Other allocators decide for themselves.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_heap_top() {}

/// Whether the log failed and was not written again by the time the
/// server stopped, its last sync included: what was acknowledged may not be
/// on disk, and whoever runs the server must hear of it.
fn log_unsynced(server: &Server) -> bool {
    server
        .shared()
        .store()
        .is_some_and(|store| store.refusal().is_some())
}
