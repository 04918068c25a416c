//! Many clients at once, and the visibility rule across connections.

use std::thread;

use crate::util::Server;

#[test]
fn two_hundred_concurrent_clients_lose_no_put() {
    let server = Server::start(&[]);
    let addr = server.addr;
    let writers: Vec<_> = (0..200)
        .map(|t| {
            thread::spawn(move || {
                let mut c = crate::util::Client::connect(addr);
                for k in 0..10 {
                    assert_eq!(c.ask(&format!("PUT shared item-{t}-{k}")), "OK\n");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let mut c = server.connect();
    let list = c.ask("LIST shared");
    let mut items: Vec<&str> = list.lines().filter_map(|l| l.strip_prefix("* ")).collect();
    assert_eq!(items.len(), 2000);
    items.sort_unstable();
    items.dedup();
    assert_eq!(items.len(), 2000, "every item once");
    // Each client's own items are in its order (newest first).
    let positions: Vec<usize> = (0..10)
        .map(|k| {
            list.lines()
                .position(|l| l == format!("* item-7-{k}"))
                .unwrap()
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] > w[1]));
}

#[test]
fn kill_on_one_connection_is_seen_at_once_by_another() {
    let server = Server::start(&[]);
    let mut a = server.connect();
    let mut b = server.connect();
    for round in 0..50 {
        assert_eq!(a.ask(&format!("PUT x {round}")), "OK\n");
        assert_eq!(b.ask("LIST x"), format!("* {round}\nOK\n"));
        assert_eq!(a.ask("KILL x"), "OK\n");
        assert_eq!(b.ask("LIST x"), "ERR not found\n");
        assert_eq!(b.ask("LISTS"), "OK\n");
    }
}

#[test]
fn drop_on_one_connection_is_seen_at_once_by_another() {
    let server = Server::start(&[]);
    let mut a = server.connect();
    let mut b = server.connect();
    for round in 0..50 {
        assert_eq!(a.ask(&format!("PUT y {round}")), "OK\n");
        assert_eq!(a.ask("DROP y"), "OK\n");
        assert_eq!(b.ask("LIST y"), "ERR not found\n");
        assert_eq!(b.ask(&format!("CREATE y{round}")), "OK\n");
        assert_eq!(a.ask(&format!("LIST y{round}")), "OK\n");
    }
}

#[test]
fn puts_racing_kills_are_never_lost() {
    // One client kills the list over and over while others put to it: a
    // PUT that found the list dying is sent again, so every PUT answered
    // OK is in the list that follows it.
    let server = Server::start(&[]);
    let addr = server.addr;
    let killer = thread::spawn(move || {
        let mut c = crate::util::Client::connect(addr);
        for _ in 0..300 {
            let reply = c.ask("KILL race");
            assert!(reply == "OK\n" || reply == "ERR not found\n", "{reply}");
        }
    });
    let putters: Vec<_> = (0..4)
        .map(|t| {
            thread::spawn(move || {
                let mut c = crate::util::Client::connect(addr);
                for k in 0..300 {
                    let item = format!("{t}-{k}");
                    assert_eq!(c.ask(&format!("PUT race {item}")), "OK\n");
                    // Right after its OK, the item is there unless a KILL
                    // came in between; either way the list answers.
                    let list = c.ask("LIST race");
                    assert!(
                        list == "ERR not found\n" || list.ends_with("OK\n"),
                        "{list}"
                    );
                }
            })
        })
        .collect();
    killer.join().unwrap();
    for p in putters {
        p.join().unwrap();
    }
    let mut c = server.connect();
    assert_eq!(c.ask("PING"), "OK\n");
}
