//! Options as the command line gives them: values, bounds, conflicts.

use super::*;

fn parse(args: &[&str]) -> Result<Command, ConfigError> {
    Command::parse(args.iter().map(OsString::from))
}

fn run(args: &[&str]) -> Config {
    match parse(args) {
        Ok(Command::Run(config)) => config,
        other => panic!("{args:?}: {other:?}"),
    }
}

#[test]
fn no_arguments_give_the_defaults() {
    assert_eq!(parse(&[]), Ok(Command::Run(Config::default())));
    assert_eq!(Config::default().port, 4040);
}

#[test]
fn options_take_separate_or_inline_values() {
    let config = run(&["--port", "0", "--bind=0.0.0.0", "--max-line=100"]);
    assert_eq!(config.port, 0);
    assert_eq!(config.bind, IpAddr::from([0, 0, 0, 0]));
    assert_eq!(config.max_line, 100);
}

#[test]
fn sizes_take_redis_units() {
    assert_eq!(parse_size("1048576"), Some(1 << 20));
    assert_eq!(parse_size("64mb"), Some(64 << 20));
    assert_eq!(parse_size("1GB"), Some(1 << 30));
    assert_eq!(parse_size("2k"), Some(2000));
    assert_eq!(parse_size("0"), Some(0));
    assert_eq!(parse_size("mb"), None);
    assert_eq!(parse_size("12tb"), None);
    assert_eq!(parse_size("-1"), None);
    assert_eq!(parse_size("99999999999gb"), None);
}

#[test]
fn limits_have_safe_defaults() {
    let config = Config::default();
    assert_eq!(config.max_memory, 1 << 30);
    assert_eq!(config.client_memory(), 32 << 20);
    assert_eq!(config.store_memory(), (1 << 30) - (32 << 20));
    assert_eq!(config.max_clients, 10_000);
    assert_eq!(config.timeout, 0);
    let config = run(&["--max-memory", "64mb", "--max-clients=5", "--timeout", "30"]);
    assert_eq!(
        (config.max_memory, config.max_clients, config.timeout),
        (64 << 20, 5, 30)
    );
    assert!(parse(&["--max-clients", "0"]).is_err());
    assert!(parse(&["--timeout", "soon"]).is_err());
}

#[test]
fn the_clients_share_holds_two_requests_at_least_and_never_the_whole_budget() {
    let small = run(&["--max-memory", "1mb"]);
    let least = 3 * 65536 + 64 + 65536 + 32;
    assert_eq!(
        small.client_memory(),
        least,
        "a request finished, another answered"
    );
    assert_eq!(small.request_room(), 3 * 65536 + 64);
    assert_eq!(small.store_memory(), (1 << 20) - least);
    let short = run(&["--max-memory", "500kb", "--max-line", "1024"]);
    assert_eq!(short.client_memory(), 3 * 1024 + 64 + REPLY_AT_ONCE as u64);
    let set = run(&["--max-memory", "64mb", "--max-client-memory", "1mb"]);
    assert_eq!(
        (set.client_memory(), set.store_memory()),
        (1 << 20, 63 << 20)
    );
    let none = run(&["--max-memory", "0"]);
    assert_eq!((none.client_memory(), none.store_memory()), (0, 0));
    for args in [
        &["--max-memory", "100kb"][..],
        &["--max-memory", "64mb", "--max-client-memory", "64mb"],
        &["--max-memory", "64mb", "--max-client-memory", "32kb"],
        &["--max-client-memory", "0"],
        // Every PUT would be refused: no room for stored data.
        &["--max-memory", "131073"],
        &["--max-memory", "64mb", "--max-client-memory", "67108600"],
        // A share of nothing.
        &["--max-memory", "0", "--max-client-memory", "1mb"],
    ] {
        assert!(parse(args).is_err(), "{args:?}");
    }
}

#[test]
fn values_that_would_overflow_are_refused() {
    for (option, value) in [
        ("--timeout", "18446744073709551615"),
        ("--timeout", "315360001"),
        ("--max-line", "18446744073709551615"),
        ("--max-line", "536870913"),
        ("--max-line", "0"),
        ("--max-line", "3"),
        ("--max-line", "63"),
        ("--max-clients", "18446744073709551615"),
        ("--max-clients", "1048577"),
        ("--max-memory", "18446744073709551616"),
        ("--max-client-memory", "99999999999gb"),
        ("--port", "65536"),
    ] {
        let error = parse(&[option, value]).unwrap_err();
        assert!(
            matches!(error, ConfigError::Invalid { .. }),
            "{option} {value}: {error}"
        );
    }
    let config = run(&["--timeout", "315360000", "--max-clients", "1048576"]);
    assert_eq!(
        (config.timeout, config.max_clients),
        (TIMEOUT_LIMIT, MAX_CLIENTS_LIMIT)
    );
    let long = run(&["--max-line", "536870912", "--max-memory", "0"]);
    assert_eq!(long.max_line, MAX_LINE_LIMIT);
}

#[test]
fn the_log_options_and_flags() {
    let config = Config::default();
    assert_eq!(config.data_dir, Some(PathBuf::from("todo-data")));
    assert_eq!(config.fsync, Fsync::Everysec);
    assert!(!config.repair && !config.enable_debug);
    let config = run(&[
        "--data-dir",
        "/tmp/x",
        "--fsync=always",
        "--repair",
        "--enable-debug",
    ]);
    assert_eq!(config.data_dir, Some(PathBuf::from("/tmp/x")));
    assert_eq!(config.fsync, Fsync::Always);
    assert!(config.repair && config.enable_debug);
    assert_eq!(run(&["--in-memory"]).data_dir, None);
    assert!(parse(&["--fsync", "sometimes"]).is_err());
    assert!(parse(&["--in-memory=yes"]).is_err());
    assert!(parse(&["--in-memory", "--data-dir", "d"]).is_err());
    // No log, nothing to repair: refused as --data-dir is, in any order.
    for args in [["--in-memory", "--repair"], ["--repair", "--in-memory"]] {
        let e = parse(&args).unwrap_err().to_string();
        assert!(e.contains("--in-memory") && e.contains("--repair"), "{e}");
    }
    assert!(parse(&["--data-dir", ""]).is_err());
}

#[test]
fn help_and_version_win() {
    assert_eq!(parse(&["--port", "1", "--help"]), Ok(Command::Help));
    assert_eq!(parse(&["-V"]), Ok(Command::Version));
}

#[test]
fn bad_input_is_a_clear_error() {
    assert_eq!(
        parse(&["--port", "70000"]).unwrap_err().to_string(),
        "invalid value '70000' for '--port': expected a port number, 0 to 65535"
    );
    assert_eq!(
        parse(&["--frobnicate"]).unwrap_err().to_string(),
        "unknown option '--frobnicate'"
    );
    assert_eq!(parse(&["--port"]), Err(ConfigError::MissingValue("--port")));
    assert!(parse(&["--max-line", "0"]).is_err());
    assert!(parse(&["--bind", "localhost:1"]).is_err());
    assert_eq!(
        parse(&[
            "--max-memory",
            "64mb",
            "--max-client-memory",
            "1mb",
            "--max-line",
            "2000000"
        ])
        .unwrap_err()
        .to_string(),
        "a clients' share of 1048576 bytes is too small for --max-line 2000000: it needs \
         8000096 bytes, to finish one request and answer another; raise \
         --max-client-memory or lower --max-line"
    );
    assert_eq!(
        parse(&["--max-memory", "262600"]).unwrap_err().to_string(),
        "--max-memory 262600 leaves 360 bytes for stored data after the clients' share of \
         262240 bytes, less than 512 (room for a list or two): raise --max-memory or lower \
         --max-client-memory"
    );
    assert_eq!(
        parse(&["--max-client-memory", "1mb", "--max-memory", "0"])
            .unwrap_err()
            .to_string(),
        "--max-client-memory is a share of --max-memory, which is 0 (no limit): set \
         --max-memory too"
    );
}
