//! Every row of PROTOCOL.md's error table: the exact `ERR` line, and the
//! connection and the data unharmed.

use crate::util::Server;

#[test]
fn unknown_verb_is_echoed_cut_to_32_bytes() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("FOO bar"), "ERR unknown command 'FOO'\n");
    let verb = "V".repeat(40);
    assert_eq!(
        c.ask(&verb),
        format!("ERR unknown command '{}'\n", &verb[..32])
    );
    assert_eq!(c.request(b"\xffoo x"), b"ERR unknown command '\xffoo'\n");
    assert_eq!(c.ask("PING"), "OK\n");
}

#[test]
fn missing_or_extra_words_name_the_verb_in_upper_case() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let cases = [
        ("put", "PUT"),
        ("put onlyname", "PUT"),
        ("LIST", "LIST"),
        ("list a b", "LIST"),
        ("create", "CREATE"),
        ("del a", "DEL"),
        ("drop a b", "DROP"),
        ("kill", "KILL"),
        ("lists x", "LISTS"),
        ("stats x", "STATS"),
        ("ping x", "PING"),
        ("help me", "HELP"),
        ("quit now", "QUIT"),
    ];
    for (line, verb) in cases {
        assert_eq!(
            c.ask(line),
            format!("ERR wrong number of arguments for '{verb}'\n"),
            "{line}"
        );
    }
    assert_eq!(c.ask("LISTS"), "OK\n", "nothing was created");
}

#[test]
fn name_over_255_bytes_is_too_long() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let ok_name = "n".repeat(255);
    assert_eq!(c.ask(&format!("PUT {ok_name} x")), "OK\n");
    let long = "n".repeat(256);
    for verb in ["PUT", "DEL"] {
        assert_eq!(c.ask(&format!("{verb} {long} x")), "ERR name too long\n");
    }
    for verb in ["LIST", "CREATE", "DROP", "KILL"] {
        assert_eq!(c.ask(&format!("{verb} {long}")), "ERR name too long\n");
    }
    assert_eq!(c.ask("LISTS"), format!("* {ok_name}\nOK\n"));
}

#[test]
fn over_long_line_is_refused_and_the_next_line_works() {
    let server = Server::start(&["--max-line", "100"]);
    let mut c = server.connect();
    let at_limit = format!("PUT l {}", "x".repeat(94));
    assert_eq!(at_limit.len(), 100);
    assert_eq!(c.ask(&at_limit), "OK\n");
    assert_eq!(
        c.ask(&format!("{at_limit}\r")),
        "OK\n",
        "the CR of CRLF does not count"
    );
    assert_eq!(c.ask(&format!("{at_limit}y")), "ERR line too long\n");
    assert_eq!(c.ask("PING"), "OK\n");
    // A long line that arrives in pieces, with its end much later.
    c.send(format!("PUT l {}", "z".repeat(300)).as_bytes());
    assert_eq!(c.reply(), b"ERR line too long\n");
    c.send(b"still the same long line\nPING\n");
    assert_eq!(c.reply(), b"OK\n");
    assert_eq!(
        c.ask("LIST l"),
        format!("* {0}\n* {0}\nOK\n", "x".repeat(94))
    );
}

#[test]
fn default_line_limit_is_65536_bytes() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let item = "i".repeat(65536 - 6);
    assert_eq!(c.ask(&format!("PUT l {item}")), "OK\n");
    assert_eq!(c.ask(&format!("PUT l {item}i")), "ERR line too long\n");
    assert_eq!(c.ask("LIST l"), format!("* {item}\nOK\n"));
}
