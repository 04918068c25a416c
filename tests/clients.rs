//! Real Redis clients and tools against todo-server: `redis-cli` gives
//! the same output as against `redis-server`, `redis-benchmark` runs its
//! list tests without an error, redis-py works with its defaults and with
//! RESP2 (a pipeline, a pool shared by threads, `scan_iter`), and
//! nutcracker spreads lists over three todo-servers and reads each back.
//! See `util/tools.rs` for what happens where a tool is not installed.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::tools::{free_port, have, redis_server, wait_for_port, Process};
use crate::util::{Client, DataDir, Server};

/// `redis-cli -p port` with `args` (one-shot), or with `stdin` piped in.
fn redis_cli(port: u16, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run redis-cli");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn redis_cli_prints_what_it_prints_for_redis() {
    if !have("redis-server", "apt-get install redis-server")
        || !have("redis-cli", "apt-get install redis-tools")
    {
        return;
    }
    let (_redis, redis_port) = redis_server();
    let server = Server::start(&[]);
    let todo_port = server.addr.port();
    let one_shots: [&[&str]; 9] = [
        &["RPUSH", "k", "a", "b", "c"],
        &["LRANGE", "k", "0", "-1"],
        &["LINDEX", "k", "5"],
        &["LLEN", "k"],
        &["LPOP", "k", "2"],
        &["TYPE", "k"],
        &["EXISTS", "k", "none"],
        &["LPUSH", "k"],
        &["PING"],
    ];
    for args in one_shots {
        assert_eq!(
            redis_cli(todo_port, args, ""),
            redis_cli(redis_port, args, ""),
            "{args:?}"
        );
    }
    let session = "RPUSH s x y\nLRANGE s 0 -1\nLREM s 0 x\nDEL s\nDBSIZE\n";
    for port in [todo_port, redis_port] {
        redis_cli(port, &["DEL", "k"], "");
    }
    assert_eq!(
        redis_cli(todo_port, &[], session),
        redis_cli(redis_port, &[], session)
    );
}

#[test]
fn redis_benchmark_runs_its_list_tests_without_an_error() {
    if !have("redis-benchmark", "apt-get install redis-tools") {
        return;
    }
    let server = Server::start(&[]);
    let out = Command::new("redis-benchmark")
        .args(["-p", &server.addr.port().to_string()])
        .args(["-t", "ping_mbulk,lpush,rpush,lpop,lrange_100"])
        .args(["-n", "100000", "-P", "16", "-q"])
        .output()
        .expect("run redis-benchmark");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    for test in [
        "PING_MBULK:",
        "LPUSH:",
        "RPUSH:",
        "LPOP:",
        "LRANGE_100 (first 100 elements):",
    ] {
        let done = format!("{test} ");
        let finished = text
            .split(['\r', '\n'])
            .any(|l| l.trim_start().starts_with(&done) && l.contains("requests per second"));
        assert!(finished, "{test} missing: {text}");
    }
    let lower = text.to_lowercase();
    assert!(
        !lower.contains("error") && !lower.contains("warning"),
        "{text}"
    );
    // Its lists are real lists.
    let mut c = server.connect();
    assert_eq!(c.cmd(&["TYPE", "mylist"]), "+list\r\n");
}

#[test]
fn redis_py_works_with_its_defaults_and_with_resp2() {
    if !have("python3", "apt-get install python3") {
        return;
    }
    let importable = Command::new("python3")
        .args(["-c", "import redis"])
        .status()
        .is_ok_and(|s| s.success());
    if !importable {
        assert!(
            std::env::var_os("TODO_REQUIRE_TOOLS").is_none(),
            "redis-py is required here: pip install redis"
        );
        eprintln!("skipped: redis-py is not installed (pip install redis)");
        return;
    }
    for protocol in [None, Some("2")] {
        let server = Server::start(&[]);
        let out = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/clients/redis_py.py"
            ))
            .arg(server.addr.port().to_string())
            .args(protocol)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "protocol {protocol:?}: {text}");
        assert!(text.contains(" ok"), "{text}");
    }
}

#[test]
fn nutcracker_spreads_lists_over_three_servers_and_reads_each_back() {
    if !have("nutcracker", "apt-get install nutcracker") {
        return;
    }
    let servers: Vec<Server> = (0..3).map(|_| Server::start(&[])).collect();
    let dir = DataDir::new();
    let port = free_port();
    let config = dir.path.join("nutcracker.yml");
    let mut yaml = format!(
        "todo:\n  listen: 127.0.0.1:{port}\n  hash: fnv1a_64\n  distribution: ketama\n  \
         redis: true\n  auto_eject_hosts: false\n  servers:\n"
    );
    for (i, s) in servers.iter().enumerate() {
        yaml.push_str(&format!("    - 127.0.0.1:{}:1 todo{i}\n", s.addr.port()));
    }
    std::fs::write(&config, yaml).unwrap();
    let proxy = Command::new("nutcracker")
        .args(["-c", config.to_str().unwrap()])
        .args(["-s", &free_port().to_string()])
        .args(["-o", dir.path.join("nutcracker.log").to_str().unwrap()])
        .spawn()
        .expect("start nutcracker");
    let _proxy = Process(proxy);
    wait_for_port(port);
    let mut c = Client::connect(([127, 0, 0, 1], port).into());
    for i in 0..1000 {
        assert_eq!(
            c.cmd(&["RPUSH", &format!("list:{i}"), "a", &i.to_string()]),
            ":2\r\n"
        );
    }
    for i in 0..1000 {
        let got = c.cmd(&["LRANGE", &format!("list:{i}"), "0", "-1"]);
        assert_eq!(
            got,
            format!("*2\r\n$1\r\na\r\n${}\r\n{i}\r\n", i.to_string().len())
        );
    }
    let counts: Vec<u64> = servers.iter().map(|s| s.connect().stat("lists")).collect();
    assert_eq!(counts.iter().sum::<u64>(), 1000, "{counts:?}");
    assert!(counts.iter().all(|&n| n > 100), "spread: {counts:?}");
}
