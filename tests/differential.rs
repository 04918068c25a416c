//! The same random sequence of Redis list commands (random arities,
//! negative indexes, binary items, missing keys, bad numbers) sent to a
//! real `redis-server` and to todo-server gives the same replies, byte
//! for byte. The seed is printed; `TEST_SEED` replays a run.

use std::net::SocketAddr;

use crate::util::rng::Rng;
use crate::util::tools::{have, redis_server, Process};
use crate::util::{Client, Server};

/// One random command.
fn command(rng: &mut Rng) -> Vec<Vec<u8>> {
    let keys = ["k0", "k1", "k2", "k\u{e9}"];
    let items: [&[u8]; 6] = [b"a", b"b", b"", b"\x00\xff\r\n", b"a b", b"aa"];
    let key = |rng: &mut Rng| rng.pick(&keys).as_bytes().to_vec();
    let item = |rng: &mut Rng| rng.pick(&items).to_vec();
    let index = |rng: &mut Rng| match rng.below(14) {
        0 => b"x".to_vec(),
        1 => b"+1".to_vec(),
        // Not integers to Redis's string2ll.
        2 => b"01".to_vec(),
        3 => b"-0".to_vec(),
        _ => (rng.below(13) as i64 - 6).to_string().into_bytes(),
    };
    let mut args: Vec<Vec<u8>> = Vec::new();
    let name: &str = match rng.below(16) {
        14 | 15 => return other(rng),
        0 | 1 => {
            let name = if rng.chance(50) { "LPUSH" } else { "RPUSH" };
            args.push(key(rng));
            for _ in 0..rng.below(4) {
                args.push(item(rng));
            }
            name
        }
        2 | 3 => {
            args.push(key(rng));
            args.push(index(rng));
            args.push(index(rng));
            "LRANGE"
        }
        4 => {
            args.push(key(rng));
            "LLEN"
        }
        5 => {
            args.push(key(rng));
            args.push(index(rng));
            "LINDEX"
        }
        6 => {
            args.push(key(rng));
            args.push(index(rng));
            args.push(item(rng));
            "LREM"
        }
        7 | 8 => {
            args.push(key(rng));
            if rng.chance(50) {
                args.push(index(rng));
            }
            if rng.chance(50) {
                "LPOP"
            } else {
                "RPOP"
            }
        }
        9 => {
            for _ in 0..rng.below(4) {
                args.push(key(rng));
            }
            "DEL"
        }
        10 => {
            for _ in 0..rng.below(4) {
                args.push(key(rng));
            }
            "EXISTS"
        }
        11 => {
            args.push(key(rng));
            "TYPE"
        }
        12 => "DBSIZE",
        _ => {
            if rng.chance(50) {
                args.push(item(rng));
            }
            if rng.chance(50) {
                "PING"
            } else {
                "ECHO"
            }
        }
    };
    let mut all = vec![name.as_bytes().to_vec()];
    all.extend(args);
    all
}

/// Commands with options, connection commands and unknown ones, in the
/// shapes where todo-server means to answer as Redis does (none that
/// 7.0.15 and 7.2 answer differently, nor `CLIENT REPLY`, which would
/// silence the real Redis; no SCAN that walks keys, whose cursors differ).
fn other(rng: &mut Rng) -> Vec<Vec<u8>> {
    const SHAPES: [&[&str]; 29] = [
        &["SELECT", "0"],
        &["SELECT", "00"],
        &["SELECT", "-1"],
        &["SELECT", "2147483648"],
        &["SELECT", "x"],
        &["HELLO", "+2"],
        &["HELLO", "02"],
        &["HELLO", "x"],
        &["HELLO", "4", "BOGUS"],
        &["HELLO", "2", "SETNAME", "has space"],
        &["HELLO", "2", "AUTH", "bob", "x"],
        &["HELLO", "2", "BOGUS"],
        &["CLIENT", "SETNAME", "bad name"],
        &["CLIENT", "SETNAME", "n1"],
        &["CLIENT", "GETNAME"],
        &["CLIENT", "BOGUS"],
        &["CLIENT", "ID", "x"],
        &["CLIENT"],
        &["COMMAND", "DOCS", "nosuch"],
        &["COMMAND", "BOGUS"],
        &["COMMAND", "COUNT", "x"],
        &["CONFIG"],
        &["CONFIG", "GET"],
        &["SCAN", " 1"],
        &["SCAN", "x"],
        &["SCAN", "0", "COUNT", "01"],
        &["SCAN", "0", "COUNT", "0"],
        &["ECHO"],
        &["DEBUG"],
    ];
    // COMMAND INFO of what both servers have alike: not the containers
    // (todo-server lists only the subcommands it answers), not SCAN (7.2
    // adds a tip), not DEBUG (off here).
    const INFO: [&str; 28] = [
        "ping",
        "echo",
        "lpush",
        "rpush",
        "lrange",
        "llen",
        "lindex",
        "lrem",
        "lpop",
        "rpop",
        "del",
        "unlink",
        "exists",
        "type",
        "keys",
        "dbsize",
        "select",
        "hello",
        "quit",
        "info",
        "client|setname",
        "client|getname",
        "client|id",
        "command|count",
        "command|info",
        "command|docs",
        "config|get",
        "nosuch",
    ];
    let items: [&[u8]; 6] = [b"a", b"", b"\x00\xff\r\n", b"a b", b"x\0y", b"\xff"];
    let words =
        |words: &[&str]| -> Vec<Vec<u8>> { words.iter().map(|w| w.as_bytes().to_vec()).collect() };
    match rng.below(3) {
        0 => {
            let shape: &&[&str] = rng.pick(&SHAPES);
            words(shape)
        }
        1 => {
            let mut args = words(&["COMMAND", "INFO"]);
            for _ in 0..1 + rng.below(3) {
                args.push(rng.pick(&INFO).to_ascii_uppercase().into_bytes());
            }
            args
        }
        _ => {
            // Unknown, with binary names and arguments.
            let mut args = vec![rng.pick(&[&b"FOO"[..], b"\xff\xfe", b"no\0pe"]).to_vec()];
            for _ in 0..rng.below(5) {
                args.push(rng.pick(&items).repeat(1 + rng.below(40) as usize));
            }
            args
        }
    }
}

/// A real `redis-server` and a todo-server, and a client of each; `None`
/// (the test skips) where redis-server is not installed.
fn both_servers() -> Option<(Process, Server, Client, Client)> {
    if !have("redis-server", "apt-get install redis-server") {
        return None;
    }
    let (redis_process, port) = redis_server();
    let server = Server::start(&[]);
    let redis = Client::connect(SocketAddr::from(([127, 0, 0, 1], port)));
    let todo = server.connect();
    Some((redis_process, server, redis, todo))
}

fn ask(c: &mut Client, args: &[Vec<u8>]) -> Vec<u8> {
    let args: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    c.resp(&args)
}

#[test]
fn random_commands_get_the_same_bytes_from_redis_and_todo_server() {
    if !have("redis-server", "apt-get install redis-server") {
        return;
    }
    let (_redis, port) = redis_server();
    let server = Server::start(&[]);
    let mut rng = Rng::from_env("differential", crate::crash::time_seed());
    let mut redis = Client::connect(SocketAddr::from(([127, 0, 0, 1], port)));
    let mut todo = server.connect();
    for i in 0..3000 {
        let args = command(&mut rng);
        let want = ask(&mut redis, &args);
        let got = ask(&mut todo, &args);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "command {i}: {:?}",
            args.iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
        );
    }
}

/// The names a `KEYS` reply lists, sorted (the servers' orders differ).
fn names(reply: &[u8]) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    let mut at = reply.iter().position(|&b| b == b'\n').unwrap() + 1;
    while at < reply.len() {
        let end = at + reply[at..].iter().position(|&b| b == b'\n').unwrap();
        let len: usize = std::str::from_utf8(&reply[at + 1..end - 1])
            .unwrap()
            .parse()
            .unwrap();
        names.push(reply[end + 1..end + 1 + len].to_vec());
        at = end + 1 + len + 2;
    }
    names.sort();
    names
}

#[test]
fn keys_patterns_with_sets_escapes_and_stars_match_the_same_names_as_redis() {
    let Some((_redis, _server, mut redis, mut todo)) = both_servers() else {
        return;
    };
    let names_there: [&[u8]; 22] = [
        b"",
        b"a",
        b"b",
        b"c",
        b"]",
        b"^",
        b"-",
        b"[",
        b"\\",
        b"x[y",
        b"a]",
        b"hello",
        b"h]llo",
        b"[abc",
        b"\x80",
        b"\xff",
        b"\x00",
        b"_",
        b"hallo",
        b"a*b",
        b"a?c",
        b"aaaaaaaaab",
    ];
    for name in names_there {
        let args = vec![b"RPUSH".to_vec(), name.to_vec(), b"x".to_vec()];
        assert_eq!(ask(&mut redis, &args), ask(&mut todo, &args));
    }
    let fixed = [
        "[",
        "[]]",
        "[]a]",
        "[abc",
        "[^abc",
        "[a-]",
        "x[y",
        "a[\\]",
        "h[^a-]llo",
        "[z-a]",
        "[^]a]",
        "**",
        "",
        "h\\",
        "\\",
        "*a*a*a*b",
        "a\\*b",
        "[\\]]",
        "?",
        "*[",
    ];
    let alphabet: [&[u8]; 13] = [
        b"[", b"]", b"^", b"-", b"\\", b"*", b"?", b"a", b"b", b"h", b"l", b"x", b"\xff",
    ];
    let mut rng = Rng::from_env("differential keys", crate::crash::time_seed());
    let random = (0..600).map(|_| {
        (0..1 + rng.below(7))
            .flat_map(|_| rng.pick(&alphabet).to_vec())
            .collect::<Vec<u8>>()
    });
    let patterns: Vec<Vec<u8>> = fixed
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .chain(random)
        .collect();
    for pattern in patterns {
        let args = vec![b"KEYS".to_vec(), pattern.clone()];
        assert_eq!(
            names(&ask(&mut todo, &args)),
            names(&ask(&mut redis, &args)),
            "KEYS {:?}",
            String::from_utf8_lossy(&pattern)
        );
    }
}

#[test]
fn transactions_answer_as_redis_does() {
    let Some((_redis, _server, mut redis, mut todo)) = both_servers() else {
        return;
    };
    let script: &[&[&str]] = &[
        &["EXEC"],
        &["DISCARD"],
        &["MULTI"],
        &["LPUSH", "t", "a", "b"],
        &["LRANGE", "t", "0", "-1"],
        &["LLEN", "t"],
        &["EXEC"],
        &["MULTI"],
        &["MULTI"],
        &["LPUSH", "t", "c"],
        &["FOO", "bar"],
        &["LPUSH", "t"],
        &["EXEC"],
        &["LRANGE", "t", "0", "-1"],
        &["MULTI", "x"],
        &["MULTI"],
        &["LPUSH", "t", "d"],
        &["DISCARD"],
        &["LRANGE", "t", "0", "-1"],
        &["MULTI"],
        &["LPOP", "t", "5"],
        &["RPUSH", "t", "1", "2", "3"],
        &["LINDEX", "t", "x"],
        &["LRANGE", "t", "0", "-1"],
        &["EXEC"],
        &["MULTI"],
        &["EXEC"],
    ];
    for words in script {
        let args: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        assert_eq!(
            String::from_utf8_lossy(&ask(&mut todo, &args)),
            String::from_utf8_lossy(&ask(&mut redis, &args)),
            "{words:?}"
        );
    }
}
