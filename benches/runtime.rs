//! Runtime micro benchmarks, single-threaded: one-way messages, call round
//! trips, spawn + monitor + exit + Down cycles, and the runtime's bytes of
//! bookkeeping per idle process. Run with `cargo bench --bench runtime`.
//!
//! Each figure is the best of three runs, printed with the target
//! beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use todo_server::runtime::{Caller, Context, ExitReason, Flow, Info, Pid, Process, Runtime};

/// Counts live heap bytes, to measure bookkeeping per process. (Atomics
/// here only because a global allocator must be `Sync`; the runtime itself
/// has none.)
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The benchmark's processes.
enum Bench {
    /// Passes each message on to `next`, minus one, until it reaches zero.
    Ring { next: Pid },
    /// Answers every call.
    Echo,
    /// Calls `server` again on each reply, `left` more times.
    Client { server: Pid, left: u64 },
    /// Spawns and monitors a child, kills it, and on its `Down` starts
    /// over, `left` more times.
    Parent { left: u64 },
    /// Does nothing.
    Idle,
}

impl Process for Bench {
    type Msg = u64;
    type Shared = ();

    fn handle_call(&mut self, cx: &mut Context<'_, Self>, from: Caller, msg: u64) -> Flow {
        cx.reply(from, msg);
        Flow::Continue
    }

    fn handle_info(&mut self, cx: &mut Context<'_, Self>, info: Info<u64>) -> Flow {
        match (self, info) {
            (Bench::Ring { next }, Info::Message(n)) if n > 0 => cx.send(*next, n - 1),
            (Bench::Client { server, left }, Info::Reply { .. } | Info::Message(_))
                if *left > 0 =>
            {
                *left -= 1;
                cx.call(*server, 0);
            }
            (Bench::Parent { left }, Info::Down { .. } | Info::Message(_)) if *left > 0 => {
                *left -= 1;
                let (child, _) = cx.spawn_monitor(Bench::Idle);
                cx.exit(child, ExitReason::Kill);
            }
            _ => {}
        }
        Flow::Continue
    }
}

fn best_of_three(mut run: impl FnMut() -> (u64, f64)) -> f64 {
    (0..3)
        .map(|_| {
            let (count, seconds) = run();
            count as f64 / seconds
        })
        .fold(0.0, f64::max)
}

fn one_way_sends() -> f64 {
    best_of_three(|| {
        let mut rt = Runtime::new(());
        let nodes: Vec<Pid> = (0..1000).map(|_| rt.spawn(Bench::Idle)).collect();
        for (i, &pid) in nodes.iter().enumerate() {
            let next = nodes[(i + 1) % nodes.len()];
            *rt.process_mut(pid).unwrap() = Bench::Ring { next };
        }
        let hops = 10_000_000;
        let start = Instant::now();
        // Ten tokens go round at once, so the queue is never trivially short.
        for i in 0..10 {
            rt.send(nodes[i * 100], hops / 10);
        }
        let delivered = rt.run_until_idle();
        (delivered as u64, start.elapsed().as_secs_f64())
    })
}

fn call_round_trips() -> f64 {
    best_of_three(|| {
        let mut rt = Runtime::new(());
        let server = rt.spawn(Bench::Echo);
        let trips = 2_000_000;
        let clients: Vec<Pid> = (0..10)
            .map(|_| {
                rt.spawn(Bench::Client {
                    server,
                    left: trips / 10,
                })
            })
            .collect();
        let start = Instant::now();
        for &client in &clients {
            rt.send(client, 0);
        }
        rt.run_until_idle();
        assert_eq!(rt.monitor_count(), 0);
        (trips, start.elapsed().as_secs_f64())
    })
}

fn spawn_monitor_exit_cycles() -> f64 {
    best_of_three(|| {
        let mut rt = Runtime::new(());
        let cycles = 2_000_000;
        let parent = rt.spawn(Bench::Parent { left: cycles });
        let start = Instant::now();
        rt.send(parent, 0);
        rt.run_until_idle();
        assert_eq!(rt.process_count(), 1);
        assert_eq!(rt.monitor_count(), 0);
        (cycles, start.elapsed().as_secs_f64())
    })
}

fn bytes_per_idle_process() -> f64 {
    let mut rt: Runtime<Bench> = Runtime::new(());
    let count = 1 << 20;
    let before = LIVE.load(Ordering::Relaxed);
    let pids: Vec<Pid> = (0..count).map(|_| rt.spawn(Bench::Idle)).collect();
    let pid_list = pids.len() * std::mem::size_of::<Pid>();
    let after = LIVE.load(Ordering::Relaxed);
    ((after - before - pid_list) as f64) / count as f64
}

fn main() {
    println!("runtime benchmarks (single thread, best of 3)");
    println!("{:<40} {:>14} {:>14}", "measure", "result", "target");
    let rows = [
        ("one-way messages/s", one_way_sends(), ">= 30M"),
        ("call round trips/s", call_round_trips(), ">= 5M"),
        (
            "spawn+monitor+exit+Down cycles/s",
            spawn_monitor_exit_cycles(),
            ">= 3M",
        ),
    ];
    for (name, value, target) in rows {
        println!("{name:<40} {:>13.2}M {target:>14}", value / 1e6);
    }
    println!(
        "{:<40} {:>14.1} {:>14}",
        "bytes of bookkeeping per idle process",
        bytes_per_idle_process(),
        "<= 256"
    );
}
