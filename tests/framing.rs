//! Framing: LF or CRLF, blank lines, case rules, trimming, opaque bytes.

use crate::util::Server;

#[test]
fn crlf_works_like_lf() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.send(b"PUT a x\r\nLIST a\r\n");
    assert_eq!(c.reply(), b"OK\n");
    assert_eq!(c.reply(), b"* x\nOK\n");
}

#[test]
fn blank_lines_get_no_reply() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.send(b"\n \t \n\r\nPING\n");
    assert_eq!(c.reply(), b"OK\n");
    assert_eq!(
        c.ask("STATS").lines().find(|l| l.starts_with("* commands")),
        Some("* commands 2")
    );
}

#[test]
fn verbs_ignore_case_and_names_do_not() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("put Shop milk"), "OK\n");
    assert_eq!(c.ask("Put shop eggs"), "OK\n");
    assert_eq!(c.ask("lIsT Shop"), "* milk\nOK\n");
    assert_eq!(c.ask("LIST shop"), "* eggs\nOK\n");
}

#[test]
fn item_is_trimmed_and_keeps_inner_spacing_and_quotes() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT\tchores  walk   the dog \t"), "OK\n");
    assert_eq!(c.ask("PUT chores \"x"), "OK\n");
    assert_eq!(c.ask("PUT chores back\\slash"), "OK\n");
    assert_eq!(
        c.ask("LIST chores"),
        "* back\\slash\n* \"x\n* walk   the dog\nOK\n"
    );
    assert_eq!(c.ask("DEL chores walk   the dog"), "OK\n");
}

#[test]
fn non_utf8_and_nul_bytes_are_echoed_unchanged() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.request(b"PUT \xff\x00n \x00\xfe\xc3( item"), b"OK\n");
    assert_eq!(c.request(b"LIST \xff\x00n"), b"* \x00\xfe\xc3( item\nOK\n");
    assert_eq!(c.request(b"LISTS"), b"* \xff\x00n\nOK\n");
}

#[test]
fn a_cr_inside_a_line_is_data() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.request(b"PUT a x\ry"), b"OK\n");
    assert_eq!(c.request(b"LIST a"), b"* x\ry\nOK\n");
}
