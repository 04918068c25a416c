//! Crashes: panics caught at the runtime boundary, `terminate`, and
//! GenServer's default handlers.

use super::*;

#[test]
fn panic_becomes_a_crash_of_that_process_alone() {
    let mut rt = runtime();
    let crasher = rt.spawn(echo());
    let bystander = rt.spawn(echo());
    let watcher = rt.spawn_mailbox();
    rt.as_mailbox(watcher, |cx| cx.monitor(crasher));
    rt.cast(crasher, 999);
    rt.run_until_idle();
    assert!(!rt.is_alive(crasher));
    assert_eq!(drain(&mut rt, watcher), ["down crash: boom"]);
    // Its state was dropped through terminate, and the runtime goes on.
    assert_eq!(
        rt.shared().terminated,
        [(Pid::NONE, ExitReason::crash("boom"))]
    );
    rt.as_mailbox(watcher, |cx| cx.call(bystander, 1));
    rt.run_until_idle();
    assert_eq!(drain(&mut rt, watcher), ["reply Ok(2)"]);
}

#[test]
fn panic_while_answering_a_call_fails_the_call() {
    let mut rt = runtime();
    let crasher = rt.spawn(toy(|_, _| panic!("in call")));
    let client = rt.spawn_mailbox();
    rt.as_mailbox(client, |cx| cx.call(crasher, 1));
    rt.run_until_idle();
    assert_eq!(
        drain(&mut rt, client),
        ["reply Err(Exit(Crash(\"in call\")))"]
    );
    assert_bookkeeping_empty(&rt, 1);
}

#[test]
fn terminate_runs_for_every_kind_of_exit() {
    let mut rt = runtime();
    let stopper = rt.spawn(echo());
    let killed = rt.spawn(echo());
    let crasher = rt.spawn(echo());
    rt.cast(stopper, 666);
    rt.exit(killed, ExitReason::Kill);
    rt.cast(crasher, 999);
    rt.run_until_idle();
    let reasons: Vec<String> = rt
        .shared()
        .terminated
        .iter()
        .map(|(_, r)| r.to_string())
        .collect();
    assert_eq!(reasons, ["crash: asked to", "killed", "crash: boom"]);
}

#[test]
fn default_calls_and_casts_crash_like_genserver() {
    struct Bare;
    impl Process for Bare {
        type Msg = u32;
        type Shared = ();
    }
    let mut rt: Runtime<Bare> = Runtime::new(());
    let bare = rt.spawn(Bare);
    let client = rt.spawn_mailbox();
    rt.send(bare, 1); // the catch-all: ignored
    rt.run_until_idle();
    assert!(rt.is_alive(bare));
    rt.as_mailbox(client, |cx| cx.call(bare, 1));
    rt.run_until_idle();
    match rt.receive(client) {
        Some(Mail::Info(Info::Reply { result, .. })) => {
            assert_eq!(
                result,
                Err(CallError::Exit(ExitReason::crash("unexpected call")))
            )
        }
        other => panic!("expected the call's error, got {other:?}"),
    }
    let other = rt.spawn(Bare);
    rt.cast(other, 1);
    rt.run_until_idle();
    assert!(!rt.is_alive(other));
}

#[test]
fn unexpected_info_is_ignored_and_the_process_goes_on() {
    // Answers calls and has no `handle_info` of its own: every info message
    // goes to the trait's catch-all. (A toy would see them in its closure.)
    struct CallsOnly;
    impl Process for CallsOnly {
        type Msg = u32;
        type Shared = ();
        fn handle_call(&mut self, cx: &mut Context<'_, Self>, from: Caller, msg: u32) -> Flow {
            cx.reply(from, msg + 1);
            Flow::Continue
        }
    }
    let mut rt: Runtime<CallsOnly> = Runtime::new(());
    let picky = rt.spawn(CallsOnly);
    let client = rt.spawn_mailbox();
    // A plain message and a timer's message: neither is a call.
    rt.send(picky, 5);
    let now = Instant::now();
    rt.fire_due_timers(now);
    rt.as_mailbox(client, |cx| cx.send_after(picky, Duration::ZERO, 6));
    rt.fire_due_timers(now);
    assert_eq!(rt.run_until_idle(), 2);
    assert!(rt.is_alive(picky), "the catch-all does not stop it");
    rt.as_mailbox(client, |cx| cx.call(picky, 1));
    rt.run_until_idle();
    match rt.receive(client) {
        Some(Mail::Info(Info::Reply { result, .. })) => assert_eq!(result, Ok(2)),
        other => panic!("expected the reply, got {other:?}"),
    }
}
