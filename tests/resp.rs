//! RESP on the same port: framing (split requests, mixed framings, limits,
//! broken streams), Redis's list commands and their rules, RESP3 after
//! `HELLO 3`, and what the todo verbs answer in RESP.

use crate::util::resp::encode;
use crate::util::{DataDir, Server};

#[test]
fn a_request_split_at_every_byte_is_answered_once() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let request = encode(&[b"LPUSH", b"k", b"a\r\nb", b""]);
    for (i, _) in request.iter().enumerate() {
        c.send(&request[i..i + 1]);
    }
    assert_eq!(c.resp_reply(), b":2\r\n");
    assert_eq!(
        c.resp(&[b"LRANGE", b"k", b"0", b"-1"]),
        b"*2\r\n$0\r\n\r\n$4\r\na\r\nb\r\n"
    );
}

#[test]
fn resp_and_lines_mix_in_one_write_and_replies_keep_their_order() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let mut bytes = b"PUT shop milk\n".to_vec();
    bytes.extend(encode(&[b"LPUSH", b"shop", b"eggs"]));
    bytes.extend(b"LIST shop\n");
    bytes.extend(encode(&[b"LRANGE", b"shop", b"0", b"-1"]));
    bytes.extend(encode(&[b"PING"]));
    bytes.extend(b"PING\n");
    c.send(&bytes);
    assert_eq!(c.reply(), b"OK\n");
    assert_eq!(c.resp_reply(), b":2\r\n");
    assert_eq!(c.reply(), b"* eggs\n* milk\nOK\n");
    assert_eq!(c.resp_reply(), b"*2\r\n$4\r\neggs\r\n$4\r\nmilk\r\n");
    assert_eq!(c.resp_reply(), b"+PONG\r\n");
    assert_eq!(c.reply(), b"OK\n");
}

#[test]
fn a_request_over_the_limit_is_skipped_exactly_and_the_connection_goes_on() {
    let server = Server::start(&["--max-line", "100"]);
    let mut c = server.connect();
    let big = vec![b'x'; 500];
    let mut bytes = encode(&[b"LPUSH", b"k", &big, b"more"]);
    bytes.extend(encode(&[b"LLEN", b"k"]));
    // In pieces, so that the skip runs across reads.
    for piece in bytes.chunks(37) {
        c.send(piece);
    }
    assert_eq!(
        c.resp_reply(),
        b"-ERR request too large (over --max-line)\r\n"
    );
    assert_eq!(c.resp_reply(), b":0\r\n");
    // Only a request's bytes count: one of exactly --max-line bytes, many
    // of its arguments empty, is served.
    let mut exact = b"*14\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$5\r\nyyyyy\r\n".to_vec();
    exact.extend(b"$0\r\n\r\n".repeat(11));
    assert_eq!(exact.len(), 100);
    c.send(&exact);
    assert_eq!(c.resp_reply(), b":12\r\n");
    // More arguments than a request may have (2^20), declared up front:
    // the error comes at once, and every one of them is skipped.
    let args = (1 << 20) + 1;
    c.send(format!("*{args}\r\n").as_bytes());
    assert_eq!(
        c.resp_reply(),
        b"-ERR too many arguments (over 1048576)\r\n"
    );
    c.send(&b"$4\r\nPING\r\n".repeat(args));
    assert_eq!(c.cmd(&["ECHO", "still here"]), "$10\r\nstill here\r\n");
}

#[test]
fn broken_framing_is_answered_then_the_connection_closes() {
    let server = Server::start(&[]);
    let multibulk = "-ERR Protocol error: invalid multibulk length\r\n";
    let bulk = "-ERR Protocol error: invalid bulk length\r\n";
    for (bytes, error) in [
        (&b"*x\r\n"[..], multibulk),
        // Lengths are read as Redis's string2ll reads them: no leading
        // zero, no `+`, no `-0`.
        (b"*01\r\n$4\r\nPING\r\n", multibulk),
        (b"*-0\r\n", multibulk),
        (b"*+1\r\n", multibulk),
        (b"*1\r\n$x\r\n", bulk),
        (b"*1\r\n$04\r\nPING\r\n", bulk),
        (b"*1\r\n$-0\r\n", bulk),
        (b"*1\r\n$-1\r\n", bulk),
        // The byte where a `$` should be, as it is; a line end as a space.
        (
            b"*1\r\nPING\r\n",
            "-ERR Protocol error: expected '$', got 'P'\r\n",
        ),
        (
            b"*1\r\n\r\n",
            "-ERR Protocol error: expected '$', got ' '\r\n",
        ),
        (
            b"*1\r\n\x01\r\n",
            "-ERR Protocol error: expected '$', got '\x01'\r\n",
        ),
        (
            b"*1\r\n$4\r\nPINGXX",
            "-ERR Protocol error: expected CRLF after a bulk string\r\n",
        ),
    ] {
        let mut c = server.connect();
        c.send(bytes);
        c.send(b"PING\n");
        assert_eq!(String::from_utf8(c.read_to_end()).unwrap(), error);
        // Everyone else is served.
        assert_eq!(server.connect().cmd(&["PING"]), "+PONG\r\n");
    }
}

#[test]
fn empty_requests_get_no_reply() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    // A count of zero or less, as Redis reads it.
    c.send(b"*0\r\n*-1\r\n*-5\r\n");
    assert_eq!(c.cmd(&["PING"]), "+PONG\r\n");
}

#[test]
fn redis_list_rules_on_todo_lists() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    // A list of PUTs reads newest first, as LPUSH would make it.
    assert_eq!(c.ask("PUT l 1"), "OK\n");
    assert_eq!(c.ask("PUT l 2"), "OK\n");
    assert_eq!(c.cmd(&["RPUSH", "l", "0"]), ":3\r\n");
    assert_eq!(
        c.cmd(&["LRANGE", "l", "0", "-1"]),
        "*3\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n0\r\n"
    );
    assert_eq!(c.ask("LIST l"), "* 2\n* 1\n* 0\nOK\n");
    assert_eq!(c.cmd(&["LINDEX", "l", "-1"]), "$1\r\n0\r\n");
    assert_eq!(c.cmd(&["LINDEX", "l", "3"]), "$-1\r\n");
    // A list emptied by a Redis command is gone.
    assert_eq!(
        c.cmd(&["LPOP", "l", "5"]),
        "*3\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n0\r\n"
    );
    assert_eq!(c.cmd(&["EXISTS", "l"]), ":0\r\n");
    assert_eq!(c.ask("LIST l"), "ERR not found\n");
    // A list made by CREATE, or emptied by the line DEL, stays.
    assert_eq!(c.ask("CREATE e"), "OK\n");
    assert_eq!(c.cmd(&["TYPE", "e"]), "+list\r\n");
    assert_eq!(c.ask("PUT d x"), "OK\n");
    assert_eq!(c.ask("DEL d x"), "OK\n");
    assert_eq!(c.cmd(&["EXISTS", "e", "d", "e", "nope"]), ":3\r\n");
    assert_eq!(c.cmd(&["LLEN", "e"]), ":0\r\n");
    // DEL over RESP is Redis's: whole lists.
    assert_eq!(c.cmd(&["DEL", "e", "d", "nope", "e"]), ":2\r\n");
    assert_eq!(c.cmd(&["DBSIZE"]), ":0\r\n");
    assert_eq!(c.cmd(&["TYPE", "e"]), "+none\r\n");
    // LREM by count and end.
    c.cmd(&["RPUSH", "r", "a", "b", "a", "c", "a"]);
    assert_eq!(c.cmd(&["LREM", "r", "-2", "a"]), ":2\r\n");
    assert_eq!(
        c.cmd(&["LRANGE", "r", "0", "-1"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(c.cmd(&["LREM", "r", "0", "a"]), ":1\r\n");
    assert_eq!(c.cmd(&["RPOP", "r"]), "$1\r\nc\r\n");
    assert_eq!(c.cmd(&["RPOP", "r", "0"]), "*0\r\n");
    assert_eq!(c.cmd(&["LPOP", "r"]), "$1\r\nb\r\n");
    assert_eq!(c.cmd(&["LPOP", "r"]), "$-1\r\n");
    assert_eq!(c.cmd(&["LPOP", "r", "2"]), "*-1\r\n");
}

#[test]
fn keys_and_a_scan_that_sees_every_name_there_throughout() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let names: Vec<String> = (0..3000).map(|i| format!("user:{i:05}")).collect();
    for name in &names {
        assert_eq!(c.resp(&[b"RPUSH", name.as_bytes(), b"x"]), b":1\r\n");
    }
    assert_eq!(
        c.cmd(&["KEYS", "user:0000?"]).matches("$10\r\n").count(),
        10
    );
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        // Names come and go meanwhile; those there throughout must be seen.
        c.cmd(&["RPUSH", &format!("temp:{calls}"), "x"]);
        c.cmd(&["DEL", &format!("temp:{}", calls / 2)]);
        let reply = c.resp(&[
            b"SCAN",
            cursor.as_bytes(),
            b"MATCH",
            b"user:*",
            b"COUNT",
            b"50",
        ]);
        let text = String::from_utf8(reply).unwrap();
        let mut lines = text.split("\r\n");
        assert_eq!(lines.next(), Some("*2"));
        lines.next();
        cursor = lines.next().unwrap().to_string();
        let words: Vec<&str> = lines.filter(|l| l.starts_with("user:")).collect();
        seen.extend(words.iter().map(|w| w.to_string()));
        calls += 1;
        assert!(calls < 1000, "the scan does not end");
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), names.len());
    assert!(
        calls > 10,
        "COUNT is about how many each call looks at: {calls}"
    );
}

#[test]
fn hello_3_switches_the_connection_to_resp3() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let hello = c.cmd(&["HELLO", "3"]);
    assert!(hello.starts_with("%7\r\n$6\r\nserver\r\n"), "{hello}");
    assert!(hello.contains("$5\r\nproto\r\n:3\r\n"), "{hello}");
    assert_eq!(c.cmd(&["LPOP", "none"]), "_\r\n");
    assert_eq!(c.cmd(&["LINDEX", "none", "0"]), "_\r\n");
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), "_\r\n");
    let config = c.cmd(&["CONFIG", "GET", "maxclients"]);
    assert_eq!(config, "%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
    assert!(c.cmd(&["INFO", "keyspace"]).starts_with("="));
    assert_eq!(
        c.cmd(&["HELLO", "4"]),
        "-NOPROTO unsupported protocol version\r\n"
    );
    assert_eq!(c.cmd(&["HELLO", "2"]).lines().next(), Some("*14"));
    assert_eq!(c.cmd(&["LPOP", "none"]), "$-1\r\n");
}

#[test]
fn the_todo_verbs_answer_in_resp() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.cmd(&["PUT", "t", "a b"]), "+OK\r\n");
    assert_eq!(c.cmd(&["LIST", "t"]), "*1\r\n$3\r\na b\r\n");
    assert_eq!(c.cmd(&["LIST", "none"]), "-ERR not found\r\n");
    assert_eq!(c.cmd(&["CREATE", "u"]), "+OK\r\n");
    assert_eq!(c.cmd(&["LISTS"]), "*2\r\n$1\r\nt\r\n$1\r\nu\r\n");
    assert_eq!(c.cmd(&["KILL", "u"]), "+OK\r\n");
    assert_eq!(c.cmd(&["DROP", "u"]), "-ERR not found\r\n");
    assert_eq!(c.cmd(&["COMPACT"]), "-ERR not persistent\r\n");
    assert!(c.cmd(&["STATS"]).contains("$5\r\nlists\r\n$1\r\n1\r\n"));
    assert!(c.cmd(&["HELP"]).starts_with("*13\r\n"));
    assert_eq!(
        c.cmd(&["FOO", "a"]),
        "-ERR unknown command 'FOO', with args beginning with: 'a' \r\n"
    );
    assert_eq!(
        c.cmd(&["LPUSH", "k"]),
        "-ERR wrong number of arguments for 'lpush' command\r\n"
    );
    assert_eq!(c.cmd(&["QUIT"]), "+OK\r\n");
    assert_eq!(c.read_to_end(), b"");
}

#[test]
fn the_memory_limit_in_redis_words() {
    let server = Server::start(&["--max-memory", "600kb"]);
    let mut c = server.connect();
    let item = "x".repeat(1000);
    let mut reply = String::new();
    for _ in 0..400 {
        reply = c.cmd(&["RPUSH", "big", &item]);
        if reply.starts_with('-') {
            break;
        }
    }
    assert_eq!(
        reply,
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
}

#[test]
fn an_lpush_is_logged_as_a_put_and_survives_a_crash() {
    let dir = DataDir::new();
    let server = Server::start_on(&dir, &["--fsync", "always"]);
    let mut c = server.connect();
    assert_eq!(c.cmd(&["LPUSH", "l", "a", "b"]), ":2\r\n");
    assert_eq!(c.cmd(&["RPUSH", "l", "z"]), ":3\r\n");
    assert_eq!(c.cmd(&["LPOP", "l"]), "$1\r\nb\r\n");
    assert_eq!(c.cmd(&["RPUSH", "gone", "x"]), ":1\r\n");
    assert_eq!(c.cmd(&["RPOP", "gone"]), "$1\r\nx\r\n");
    assert_eq!(c.cmd(&["RPUSH", "rem", "a", "b", "a"]), ":3\r\n");
    assert_eq!(c.cmd(&["LREM", "rem", "1", "a"]), ":1\r\n");
    assert_eq!(c.cmd(&["DEL", "never", "rem2"]), ":0\r\n");
    crate::durability::crash(server);
    let server = Server::start_on(&dir, &[]);
    let mut c = server.connect();
    assert_eq!(c.ask("LIST l"), "* a\n* z\nOK\n");
    assert_eq!(c.ask("LIST gone"), "ERR not found\n");
    assert_eq!(c.ask("LIST rem"), "* b\n* a\nOK\n");
}

#[test]
fn lrange_on_a_big_list_selects_the_same_items_however_it_is_served() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    // 3000 items: many chunks. Index 0 is the newest: item-2999.
    for chunk in (0..3000).collect::<Vec<_>>().chunks(100) {
        let items: Vec<String> = chunk.iter().map(|i| format!("item-{i:04}")).collect();
        let mut args: Vec<&[u8]> = vec![b"LPUSH", b"big"];
        args.extend(items.iter().map(|i| i.as_bytes()));
        c.resp(&args);
    }
    for (start, stop) in [
        (0, 9),
        (1000, 1099),
        (-5, -1),
        (2990, 5000),
        (0, -1),
        (1500, 1400),
    ] {
        let reply = c.cmd(&["LRANGE", "big", &start.to_string(), &stop.to_string()]);
        let len = 3000i64;
        let s = if start < 0 { len + start } else { start };
        let e = if stop < 0 {
            len + stop
        } else {
            stop.min(len - 1)
        };
        let want: Vec<String> = (s..=e).map(|i| format!("item-{:04}", 2999 - i)).collect();
        let mut expected = format!("*{}\r\n", want.len());
        for item in &want {
            expected.push_str(&format!("$9\r\n{item}\r\n"));
        }
        assert_eq!(reply, expected, "LRANGE big {start} {stop}");
    }
}

#[test]
fn command_info_of_a_name_that_is_no_command_and_docs_after_hello_3() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.cmd(&["COMMAND", "INFO", "nosuch"]), "*1\r\n$-1\r\n");
    assert_eq!(c.cmd(&["COMMAND", "DOCS", "x"]), "*0\r\n");
    // Redis 7's ten fields, the values Redis reports.
    let lpush = c.cmd(&["COMMAND", "INFO", "lpush"]);
    assert!(
        lpush.starts_with("*1\r\n*10\r\n$5\r\nlpush\r\n:-3\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"),
        "{lpush}"
    );
    // COMMAND COUNT counts what COMMAND lists; DEBUG is not there when off.
    let count = c.cmd(&["COMMAND", "COUNT"]);
    let all = c.cmd(&["COMMAND"]);
    assert!(all.starts_with(&format!("*{}\r\n", &count[1..count.len() - 2])));
    assert!(!all.contains("$5\r\ndebug\r\n"), "{all}");
    assert!(all.contains("$14\r\nclient|setname\r\n"), "{all}");
    c.cmd(&["HELLO", "3"]);
    assert_eq!(c.cmd(&["COMMAND", "DOCS", "x"]), "%0\r\n");
    assert_eq!(c.cmd(&["COMMAND", "INFO", "nosuch"]), "*1\r\n_\r\n");
    let lpush = c.cmd(&["COMMAND", "INFO", "LPUSH"]);
    assert!(
        lpush.contains("~3\r\n+@write\r\n+@list\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n"),
        "{lpush}"
    );
}

#[test]
fn info_keyspace_with_no_lists_has_no_db0_line() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.cmd(&["INFO", "keyspace"]), "$12\r\n# Keyspace\r\n\r\n");
    c.cmd(&["RPUSH", "k", "x"]);
    assert_eq!(
        c.cmd(&["INFO", "keyspace"]),
        "$44\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n"
    );
}

#[test]
fn unknown_commands_in_binary_debug_when_off_and_odd_scan_cursors() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    // The bytes as sent, each argument up to a NUL byte.
    assert_eq!(
        c.resp(&[b"\xff\xfe", b"\xc3", b"a\0b", b"c\r\nd"]),
        b"-ERR unknown command '\xff\xfe', with args beginning with: '\xc3' 'a' 'c  d' \r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "x", "y"]),
        "-ERR unknown command 'DEBUG', with args beginning with: 'x' 'y' \r\n"
    );
    // Redis reads a cursor with strtoul: "" is 0 and -1 the largest.
    assert_eq!(c.cmd(&["SCAN", "-1"]), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert!(c.cmd(&["SCAN", ""]).starts_with("*2\r\n"));
    assert_eq!(c.cmd(&["SCAN", " 1"]), "-ERR invalid cursor\r\n");
    // CLIENT subcommands the server does not carry out are unknown, not
    // +OK: a client that turned replies off would fall out of step.
    assert_eq!(
        c.cmd(&["CLIENT", "REPLY", "OFF"]),
        "-ERR unknown subcommand 'REPLY'. Try CLIENT HELP.\r\n"
    );
    assert_eq!(
        c.cmd(&["CLIENT", "SETINFO", "lib-name", "redis-py"]),
        "+OK\r\n"
    );
    assert_eq!(
        c.cmd(&["CLIENT", "SETINFO", "lib-name", "a b"]),
        "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n"
    );
    assert_eq!(
        c.cmd(&["HELLO", "2", "SETNAME", "me"]).lines().next(),
        Some("*14")
    );
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), "$2\r\nme\r\n");
    assert_eq!(
        c.cmd(&["HELLO", "2", "SETNAME", ""]).lines().next(),
        Some("*14")
    );
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), "$-1\r\n");
}

#[test]
fn a_transaction_is_bounded_runs_quit_at_once_and_refuses_what_it_could_not_queue() {
    let server = Server::start(&["--max-line", "1000"]);
    let mut c = server.connect();
    // Queued bytes past three --max-line: refused, and so is EXEC.
    assert_eq!(c.cmd(&["MULTI"]), "+OK\r\n");
    let item = "i".repeat(900);
    for _ in 0..3 {
        assert_eq!(c.cmd(&["RPUSH", "t", &item]), "+QUEUED\r\n");
    }
    assert!(c
        .cmd(&["RPUSH", "t", &item])
        .starts_with("-ERR transaction too long"));
    assert_eq!(
        c.cmd(&["EXEC"]),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(c.cmd(&["EXISTS", "t"]), ":0\r\n");
    // A request over --max-line inside a transaction spoils it too.
    assert_eq!(c.cmd(&["MULTI"]), "+OK\r\n");
    let big = "b".repeat(2000);
    assert!(c
        .cmd(&["RPUSH", "t", &big])
        .starts_with("-ERR request too large"));
    assert!(c.cmd(&["EXEC"]).starts_with("-EXECABORT"));
    // QUIT is run, not queued, as in Redis.
    assert_eq!(c.cmd(&["MULTI"]), "+OK\r\n");
    assert_eq!(c.cmd(&["RPUSH", "t", "x"]), "+QUEUED\r\n");
    assert_eq!(c.cmd(&["QUIT"]), "+OK\r\n");
    assert_eq!(c.read_to_end(), b"");
    let mut c = server.connect();
    assert_eq!(c.cmd(&["EXISTS", "t"]), ":0\r\n");
}

#[test]
fn a_scan_for_another_type_than_lists_finds_none_at_once() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.cmd(&["RPUSH", "l", "x"]), ":1\r\n");
    assert_eq!(
        c.cmd(&["SCAN", "0", "TYPE", "string", "COUNT", "5"]),
        "*2\r\n$1\r\n0\r\n*0\r\n"
    );
    assert_eq!(
        c.cmd(&["SCAN", "0", "TYPE", "list"]),
        "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nl\r\n"
    );
}
