//! The Elixir guide's registry and bucket tests, in Rust: a manager and its
//! lists on a runtime driven by hand, with a mailbox as the client.

use super::*;
use crate::config::Config;
use crate::runtime::{CallError, ExitReason, Info, Mail, Pid, Runtime};

struct Setup {
    rt: Runtime<Todo>,
    manager: Pid,
    client: Pid,
}

fn setup() -> Setup {
    setup_with(Config::default())
}

fn setup_with(config: Config) -> Setup {
    let mut rt: Runtime<Todo> = Runtime::new(Shared::new(&config));
    let orphans = rt.shared().budget().orphans().clone();
    let manager = rt.spawn(Todo::Manager(Box::new(Manager::new(&orphans))));
    let client = rt.spawn_mailbox();
    Setup {
        rt,
        manager,
        client,
    }
}

/// One item per line, for readable assertions.
fn write_line(out: &mut Vec<u8>, item: &[u8]) {
    out.extend_from_slice(item);
    out.push(b'\n');
}

/// Items one per line, no header.
static LINES: crate::todo::Format = crate::todo::Format {
    header: |_, _| {},
    item: write_line,
};

impl Setup {
    /// Calls the manager as the client and runs until the answer is in.
    fn call(&mut self, msg: Msg) -> Result<Msg, CallError> {
        let manager = self.manager;
        self.rt.as_mailbox(self.client, |cx| cx.call(manager, msg));
        self.rt.run_until_idle();
        match self.rt.receive(self.client) {
            Some(Mail::Info(Info::Reply { result, .. })) => result,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    fn done(&mut self, msg: Msg) -> Outcome {
        match self.call(msg) {
            Ok(Msg::Done(outcome)) => outcome,
            other => panic!("expected Done, got {other:?}"),
        }
    }

    fn put(&mut self, name: &str, item: &str) -> Outcome {
        self.done(Msg::Put {
            name: Name::new(name.as_bytes()),
            item: Item::new(item.as_bytes()),
            prepaid: false,
        })
    }

    /// The guide's lookup: `Some(items)` or `None` for an unknown name.
    fn get(&mut self, name: &str) -> Option<Vec<String>> {
        let msg = Msg::List {
            name: Name::new(name.as_bytes()),
            room: u32::MAX,
            out: Vec::new(),
            format: &LINES,
        };
        match self.call(msg) {
            Ok(Msg::Rendered(out)) => Some(
                String::from_utf8(out)
                    .unwrap()
                    .lines()
                    .map(String::from)
                    .collect(),
            ),
            Ok(Msg::Done(Outcome::NotFound)) => None,
            other => panic!("unexpected {other:?}"),
        }
    }

    fn lookup(&mut self, name: &str) -> Option<Pid> {
        match self.rt.process_mut(self.manager) {
            Some(Todo::Manager(manager)) => manager.lookup(name.as_bytes()),
            _ => panic!("the manager is gone"),
        }
    }

    fn manager_len(&mut self) -> usize {
        match self.rt.process_mut(self.manager) {
            Some(Todo::Manager(manager)) => manager.len(),
            _ => panic!("the manager is gone"),
        }
    }

    /// Exits list `name` with `reason` and waits for its `Down`, as the
    /// guide's tests do before looking the name up again.
    fn exit_and_wait(&mut self, name: &str, reason: ExitReason) {
        let pid = self.lookup(name).expect("a live list");
        let watcher = self.rt.spawn_mailbox();
        self.rt.as_mailbox(watcher, |cx| {
            cx.monitor(pid);
            cx.exit(pid, reason);
        });
        self.rt.run_until_idle();
        assert!(matches!(
            self.rt.receive(watcher),
            Some(Mail::Info(Info::Down { .. }))
        ));
    }
}

#[test]
fn lookup_of_unknown_name_is_an_error() {
    let mut s = setup();
    assert_eq!(s.lookup("shopping"), None);
    assert_eq!(s.get("shopping"), None);
}

#[test]
fn create_then_lookup_gives_a_live_list() {
    let mut s = setup();
    assert_eq!(
        s.done(Msg::Create {
            name: Name::new(b"shopping")
        }),
        Outcome::Ok
    );
    let pid = s.lookup("shopping").expect("created");
    assert!(s.rt.is_alive(pid));
    assert_eq!(s.get("shopping"), Some(vec![]));
    // Creating again changes nothing.
    assert_eq!(
        s.done(Msg::Create {
            name: Name::new(b"shopping")
        }),
        Outcome::Ok
    );
    assert_eq!(s.lookup("shopping"), Some(pid));
}

#[test]
fn put_eggs_then_get_gives_eggs() {
    let mut s = setup();
    assert_eq!(s.put("shopping", "eggs"), Outcome::Ok);
    assert_eq!(s.get("shopping"), Some(vec!["eggs".to_owned()]));
    assert_eq!(s.put("shopping", "milk"), Outcome::Ok);
    assert_eq!(
        s.get("shopping"),
        Some(vec!["milk".to_owned(), "eggs".to_owned()])
    );
}

#[test]
fn stopped_list_is_forgotten() {
    let mut s = setup();
    s.put("shopping", "eggs");
    s.exit_and_wait("shopping", ExitReason::Shutdown);
    assert_eq!(s.lookup("shopping"), None);
}

#[test]
fn killed_list_is_forgotten_after_its_down() {
    let mut s = setup();
    s.put("shopping", "eggs");
    s.exit_and_wait("shopping", ExitReason::Kill);
    assert_eq!(s.lookup("shopping"), None);
    assert_eq!(s.get("shopping"), None);
    assert_eq!(s.rt.shared().stats().lists(), 0);
    assert_eq!(s.rt.shared().stats().items(), 0);
}

#[test]
fn list_crash_leaves_the_manager_running() {
    let mut s = setup();
    s.put("shopping", "eggs");
    s.put("work", "report");
    s.exit_and_wait("shopping", ExitReason::crash("bucket exploded"));
    assert!(s.rt.is_alive(s.manager));
    assert_eq!(s.lookup("shopping"), None);
    assert_eq!(s.get("work"), Some(vec!["report".to_owned()]));
    assert_eq!(s.put("shopping", "bread"), Outcome::Ok);
    assert_eq!(s.get("shopping"), Some(vec!["bread".to_owned()]));
}

#[test]
fn kill_through_the_manager_is_learned_from_down() {
    let mut s = setup();
    s.put("x", "1");
    let pid = s.lookup("x").unwrap();
    let manager = s.manager;
    s.rt.as_mailbox(s.client, |cx| {
        cx.call(
            manager,
            Msg::Kill {
                name: Name::new(b"x"),
            },
        )
    });
    // The manager answers and sends the kill signal...
    assert!(s.rt.run_one());
    assert_eq!(s.lookup("x"), Some(pid));
    // ...the list dies and its Down is queued: the name is still known...
    assert!(s.rt.run_one());
    assert!(!s.rt.is_alive(pid));
    assert_eq!(s.lookup("x"), Some(pid));
    // ...until the manager receives the Down.
    s.rt.run_until_idle();
    assert_eq!(s.lookup("x"), None);
    assert!(matches!(
        s.rt.receive(s.client),
        Some(Mail::Info(Info::Reply {
            result: Ok(Msg::Done(Outcome::Ok)),
            ..
        }))
    ));
    assert_eq!(
        s.done(Msg::Kill {
            name: Name::new(b"x")
        }),
        Outcome::NotFound
    );
}

#[test]
fn drop_stops_the_list_normally() {
    let mut s = setup();
    s.put("x", "1");
    assert_eq!(
        s.done(Msg::Drop {
            name: Name::new(b"x")
        }),
        Outcome::Ok
    );
    assert_eq!(s.get("x"), None);
    assert_eq!(
        s.done(Msg::Drop {
            name: Name::new(b"x")
        }),
        Outcome::NotFound
    );
}

#[test]
fn del_removes_the_newest_equal_item() {
    let mut s = setup();
    for item in ["a", "b", "a", "c"] {
        s.put("x", item);
    }
    let del = |item: &str| Msg::Del {
        name: Name::new(b"x"),
        item: Item::new(item.as_bytes()),
    };
    assert_eq!(s.done(del("a")), Outcome::Ok);
    assert_eq!(s.get("x"), Some(vec!["c".into(), "b".into(), "a".into()]));
    assert_eq!(s.done(del("zzz")), Outcome::NotFound);
    assert_eq!(s.rt.shared().stats().items(), 3);
}

#[test]
fn lists_are_sorted_bytewise() {
    let mut s = setup();
    for name in ["b", "B", "a", "\u{e9}"] {
        s.put(name, "1");
    }
    match s.call(Msg::Lists {
        room: u32::MAX,
        out: Vec::new(),
        format: &LINES,
    }) {
        Ok(Msg::Rendered(out)) => assert_eq!(out, "B\na\nb\n\u{e9}\n".as_bytes()),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(s.manager_len(), 4);
}

#[test]
fn forwarded_put_to_a_list_that_just_died_fails_the_call() {
    // The race the connection retries on: the manager still has the name
    // when the request reaches it, but the list is already dead.
    let mut s = setup();
    s.put("x", "1");
    let pid = s.lookup("x").unwrap();
    s.rt.exit(pid, ExitReason::Kill);
    let manager = s.manager;
    s.rt.as_mailbox(s.client, |cx| {
        cx.call(
            manager,
            Msg::Put {
                name: Name::new(b"x"),
                item: Item::new(b"2"),
                prepaid: false,
            },
        )
    });
    s.rt.run_one(); // the kill: the Down is now queued behind the call
    s.rt.run_until_idle();
    match s.rt.receive(s.client) {
        Some(Mail::Info(Info::Reply { result, .. })) => {
            assert_eq!(result.unwrap_err(), CallError::Exit(ExitReason::NoProc))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(s.put("x", "2"), Outcome::Ok, "a retry finds a fresh list");
    assert_eq!(s.get("x"), Some(vec!["2".into()]));
}

#[test]
fn memory_is_counted_and_given_back_by_del_drop_and_kill() {
    use super::memory::{item_cost, list_cost};
    let mut s = setup();
    s.put("ab", "xyz");
    let one = list_cost(2) + item_cost(3);
    assert_eq!(s.rt.shared().budget().used(), one);
    s.put("ab", "xyz");
    assert_eq!(s.rt.shared().budget().used(), one + item_cost(3));
    let del = Msg::Del {
        name: Name::new(b"ab"),
        item: Item::new(b"xyz"),
    };
    assert_eq!(s.done(del), Outcome::Ok);
    assert_eq!(s.rt.shared().budget().used(), one);
    assert_eq!(
        s.done(Msg::Drop {
            name: Name::new(b"ab")
        }),
        Outcome::Ok
    );
    assert_eq!(s.rt.shared().budget().used(), 0);
    s.put("k", "1");
    s.exit_and_wait("k", ExitReason::Kill);
    assert_eq!(s.rt.shared().budget().used(), 0);
    s.done(Msg::Create {
        name: Name::new(b"c"),
    });
    assert_eq!(s.rt.shared().budget().used(), list_cost(1));
    s.exit_and_wait("c", ExitReason::crash("boom"));
    assert_eq!(s.rt.shared().budget().used(), 0);
}

#[test]
fn write_over_the_memory_limit_stores_nothing() {
    use super::memory::{item_cost, list_cost};
    let limit = list_cost(1) + 2 * item_cost(10);
    // All of it for stored data (the clients' share is a byte).
    let mut s = setup_with(Config {
        max_memory: limit + 1,
        max_client_memory: Some(1),
        ..Config::default()
    });
    // A new list whose first item does not fit is not created at all.
    let huge = "h".repeat(limit as usize);
    assert_eq!(s.put("a", &huge), Outcome::OutOfMemory);
    assert_eq!(s.lookup("a"), None);
    assert_eq!(s.rt.shared().budget().used(), 0);
    assert_eq!(s.put("a", "0123456789"), Outcome::Ok);
    assert_eq!(s.put("a", "0123456789"), Outcome::Ok);
    assert_eq!(s.put("a", "x"), Outcome::OutOfMemory);
    assert_eq!(
        s.done(Msg::Create {
            name: Name::new(b"b")
        }),
        Outcome::OutOfMemory
    );
    assert_eq!(s.lookup("b"), None);
    assert_eq!(
        s.get("a"),
        Some(vec!["0123456789".into(), "0123456789".into()])
    );
    assert_eq!(s.rt.shared().budget().used(), limit);
    // Freeing memory lets writes succeed again.
    let del = Msg::Del {
        name: Name::new(b"a"),
        item: Item::new(b"0123456789"),
    };
    assert_eq!(s.done(del), Outcome::Ok);
    assert_eq!(s.put("a", "x"), Outcome::Ok);
}
