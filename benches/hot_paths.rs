//! Micro benchmarks of the request path, then a short end-to-end run of
//! todo-bench against an in-process server on an ephemeral port. Run with
//! `cargo bench --bench hot_paths`. Each figure is the best of three.

use std::hint::black_box;
use std::sync::mpsc;
use std::time::Instant;

use todo_server::config::Config;
use todo_server::net::{Proc, Server};
use todo_server::protocol::{next_line, parse, reply, Frame};
use todo_server::runtime::{Info, Mail, Runtime};
use todo_server::shared::Shared;
use todo_server::todo::{Item, Manager, Msg, Name, Todo};

/// Nanoseconds per operation: the best of three runs of `ops` operations.
fn per_op(ops: u64, mut run: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64 / ops as f64
        })
        .fold(f64::MAX, f64::min)
}

fn row(name: &str, ns: f64) {
    println!("{name:<52} {ns:>9.1} ns  {:>8.2}M/s", 1e3 / ns);
}

fn parse_requests() {
    let lines: [&[u8]; 4] = [
        b"PUT shopping milk",
        b"LIST shopping",
        b"put chores  walk   the dog ",
        b"PING",
    ];
    let n = 1_000_000;
    row(
        "parse a request line",
        per_op(n, || {
            for i in 0..n as usize {
                black_box(parse(black_box(lines[i % 4])));
            }
        }),
    );
    let pipelined = b"PUT shopping milk\n".repeat(32);
    row(
        "frame and parse 32 pipelined lines (per line)",
        per_op(32 * 100_000, || {
            for _ in 0..100_000 {
                let mut rest = &pipelined[..];
                while let Frame::Line { len, next } = next_line(rest, 65536) {
                    black_box(parse(&rest[..len]));
                    rest = &rest[next..];
                }
            }
        }),
    );
}

fn format_list_reply() {
    let items: Vec<Vec<u8>> = (0..10)
        .map(|i| format!("item-{i:011}").into_bytes())
        .collect();
    let mut out = Vec::with_capacity(4096);
    row(
        "format a LIST reply of ten 16-byte items",
        per_op(1_000_000, || {
            for _ in 0..1_000_000 {
                out.clear();
                for item in &items {
                    reply::data_line(&mut out, item);
                }
                reply::ok(&mut out);
                black_box(&out);
            }
        }),
    );
}

/// A runtime with the manager and `lists` lists named `key:N`, each with
/// one item, and a mailbox to call from.
fn populated(
    lists: usize,
) -> (
    Runtime<Proc>,
    todo_server::runtime::Pid,
    todo_server::runtime::Pid,
) {
    let mut rt: Runtime<Proc> = Runtime::new(Shared::new(&Config::default()));
    let orphans = rt.shared().budget().orphans().clone();
    let manager = rt.spawn(Proc::Todo(Todo::Manager(Box::new(Manager::new(&orphans)))));
    let client = rt.spawn_mailbox();
    for i in 0..lists {
        let msg = Msg::Put {
            name: Name::new(format!("key:{i}").as_bytes()),
            item: Item::new(b"0123456789abcdef"),
            prepaid: false,
        };
        rt.as_mailbox(client, |cx| cx.call(manager, msg.into()));
    }
    rt.run_until_idle();
    while rt.receive(client).is_some() {}
    (rt, manager, client)
}

fn manager_lookup() {
    for lists in [1_000, 1_000_000] {
        let (mut rt, manager, _) = populated(lists);
        let Some(Proc::Todo(Todo::Manager(m))) = rt.process_mut(manager) else {
            unreachable!()
        };
        let names: Vec<String> = (0..lists).map(|i| format!("key:{i}")).collect();
        let n = 1_000_000;
        row(
            &format!("manager lookup among {lists} lists"),
            per_op(n, || {
                for i in 0..n as usize {
                    black_box(m.lookup(names[(i * 7919) % lists].as_bytes()));
                }
            }),
        );
    }
}

fn put_through_the_runtime() {
    let (mut rt, manager, client) = populated(1000);
    let batch = 1000;
    let rounds = 300;
    let item = [b'x'; 16];
    let names: Vec<Name> = (0..1000)
        .map(|i| Name::new(format!("key:{i}").as_bytes()))
        .collect();
    row(
        "PUT through the runtime (connection->manager->list->reply)",
        per_op(batch * rounds, || {
            for _ in 0..rounds {
                for i in 0..batch {
                    let msg = Msg::Put {
                        name: names[i as usize % 1000].clone(),
                        item: Item::new(&item),
                        prepaid: false,
                    };
                    rt.as_mailbox(client, |cx| cx.call(manager, msg.into()));
                }
                rt.run_until_idle();
                while let Some(mail) = rt.receive(client) {
                    assert!(matches!(
                        mail,
                        Mail::Info(Info::Reply { result: Ok(_), .. })
                    ));
                }
            }
        }),
    );
}

/// todo-bench (the binary) against a server running in this process, on
/// a thread of its own, on an ephemeral loopback port.
fn end_to_end() {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let config = Config {
            port: 0,
            ..Config::default()
        };
        let mut server = Server::bind(&config).expect("bind");
        tx.send(server.local_addr()).unwrap();
        server.run().expect("serve");
    });
    let addr = rx.recv().unwrap();
    println!();
    println!("end to end: todo-bench against an in-process server at {addr} (both on this machine's cores)");
    for (workload, pipeline, requests) in [
        ("put", 32, 500_000),
        ("list", 32, 500_000),
        ("ping", 32, 500_000),
        ("put", 1, 100_000),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_todo-bench"))
            .args(["--port", &addr.port().to_string(), "-q", "-c", "50"])
            .args(["-t", workload, "-P", &pipeline.to_string()])
            .args(["-n", &requests.to_string(), "--warmup", "0.2"])
            .output()
            .expect("run todo-bench");
        assert!(out.status.success(), "errors in the end-to-end run");
        let table = String::from_utf8_lossy(&out.stdout);
        for line in table.lines().filter(|l| !l.starts_with("result ")) {
            println!("{line}");
        }
    }
}

fn main() {
    println!("hot paths (single thread, best of 3)");
    parse_requests();
    format_list_reply();
    manager_lookup();
    put_through_the_runtime();
    end_to_end();
}
