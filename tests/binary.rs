//! The `todo-server` binary: options, errors, exit codes, logging.

use std::net::TcpListener;
use std::process::Command;

use crate::util::Server;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_todo-server"))
        .args(args)
        .output()
        .expect("run todo-server");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_tells_every_option_and_exits_zero() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    for option in [
        "--bind",
        "--port",
        "--max-line",
        "--max-memory",
        "--max-clients",
        "--timeout",
        "--data-dir",
        "todo-data",
        "--fsync",
        "everysec",
        "--in-memory",
        "--repair",
        "--enable-debug",
        "1gb",
        "10000",
        "--help",
        "--version",
        "4040",
        "65536",
        "RUST_LOG",
    ] {
        assert!(stdout.contains(option), "{option} missing from --help");
    }
}

#[test]
fn version_prints_the_version() {
    let (code, stdout, _) = run(&["--version"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        stdout,
        format!("todo-server {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_options_are_clear_errors_without_panic() {
    for (args, message) in [
        (
            &["--port", "99999"][..],
            "invalid value '99999' for '--port'",
        ),
        (&["--bogus"][..], "unknown option '--bogus'"),
        (&["--max-line"][..], "option '--max-line' needs a value"),
        (
            &["--bind", "nowhere"][..],
            "invalid value 'nowhere' for '--bind'",
        ),
    ] {
        let (code, _, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn port_in_use_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, _, stderr) = run(&["--in-memory", "--port", &port]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("in use"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn logs_listening_at_info_and_connections_at_debug() {
    let server = Server::start(&[]);
    assert!(server.log.contains("INFO"));
    let mut c = server.connect();
    assert_eq!(c.ask("PING"), "OK\n");
    assert!(!server.log.contains("opened"));

    let server = Server::start_with_log(&[], "debug");
    let mut c = server.connect();
    assert_eq!(c.ask("QUIT"), "OK\n");
    assert_eq!(c.read_to_end(), b"");
    drop(c);
    // The close is logged as the server handles it.
    assert!(server.wait_for_log("quit"), "{}", server.log.text());
    assert!(server.log.contains("opened"), "{}", server.log.text());
}
