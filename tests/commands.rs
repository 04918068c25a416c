//! Every row of PROTOCOL.md's command table, with exact reply bytes.

use crate::util::{stat_in, Server};

#[test]
fn put_then_list_gives_items_newest_first() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("PUT shopping milk"), "OK\n");
    assert_eq!(c.ask("PUT shopping eggs"), "OK\n");
    assert_eq!(c.ask("LIST shopping"), "* eggs\n* milk\nOK\n");
}

#[test]
fn list_of_unknown_list_is_not_found_and_empty_list_is_just_ok() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("LIST nothing"), "ERR not found\n");
    assert_eq!(c.ask("CREATE empty"), "OK\n");
    assert_eq!(c.ask("LIST empty"), "OK\n");
}

#[test]
fn create_of_existing_list_changes_nothing() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.ask("PUT a x");
    assert_eq!(c.ask("CREATE a"), "OK\n");
    assert_eq!(c.ask("LIST a"), "* x\nOK\n");
}

#[test]
fn del_removes_the_newest_equal_item() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    for item in ["a", "b", "a"] {
        c.ask(&format!("PUT l {item}"));
    }
    assert_eq!(c.ask("DEL l a"), "OK\n");
    assert_eq!(c.ask("LIST l"), "* b\n* a\nOK\n");
    assert_eq!(c.ask("DEL l zzz"), "ERR not found\n");
    assert_eq!(c.ask("DEL nolist a"), "ERR not found\n");
}

#[test]
fn drop_removes_the_list() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.ask("PUT l a");
    assert_eq!(c.ask("DROP l"), "OK\n");
    assert_eq!(c.ask("LIST l"), "ERR not found\n");
    assert_eq!(c.ask("DROP l"), "ERR not found\n");
    assert_eq!(c.ask("PUT l b"), "OK\n");
    assert_eq!(c.ask("LIST l"), "* b\nOK\n");
}

#[test]
fn kill_removes_the_list_as_a_crash_would() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    c.ask("PUT l a");
    assert_eq!(c.ask("KILL l"), "OK\n");
    assert_eq!(c.ask("LIST l"), "ERR not found\n");
    assert_eq!(c.ask("KILL l"), "ERR not found\n");
    assert_eq!(c.ask("LISTS"), "OK\n");
}

#[test]
fn lists_are_sorted_bytewise() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("LISTS"), "OK\n");
    for name in ["b", "B", "a", "a2"] {
        c.ask(&format!("CREATE {name}"));
    }
    assert_eq!(c.ask("LISTS"), "* B\n* a\n* a2\n* b\nOK\n");
}

#[test]
fn stats_reports_the_counters() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    let _other = server.connect();
    c.ask("PUT a 1");
    c.ask("PUT a 2");
    c.ask("PUT b 1");
    let stats = c.ask("STATS");
    let value = |key| stat_in(&stats, key);
    assert!(stats.ends_with("\nOK\n"));
    assert!(value("uptime_seconds") < 3600);
    assert_eq!(value("connections"), 2);
    assert_eq!(value("lists"), 2);
    assert_eq!(value("items"), 3);
    assert_eq!(
        value("processes"),
        7,
        "root and list supervisors, manager, two lists, two connections"
    );
    assert_eq!(value("commands"), 4, "three PUTs and this STATS");
    assert_eq!(value("restarts"), 0);
}

#[test]
fn ping_help_and_quit() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.ask("PING"), "OK\n");
    let help = c.ask("HELP");
    assert!(help.starts_with("* PUT <list> <item>"));
    assert!(help.contains("\n* QUIT                 OK, then the server closes the connection\n"));
    assert!(help.contains("\n* COMPACT "));
    assert!(help.ends_with(" (--enable-debug)\nOK\n"));
    assert_eq!(help.lines().count(), 14);
    assert_eq!(c.ask("QUIT"), "OK\n");
    assert_eq!(c.read_to_end(), b"");
}
