//! `todo-bench`: the load generator shipped with todo-server. It is a
//! client: it drives todo-server (or Redis, with the same workloads) and
//! reports throughput and latency percentiles. Of the server's library it
//! uses only `net::fd_limit`, to raise its own open-file limit.
//!
//! - `args.rs`: the command line.
//! - `workload.rs`: the workloads and their setup.
//! - `driver.rs`: the client loop (one thread, one poll, many pipelines).
//! - `requests.rs`: request bytes per workload and protocol.
//! - `replies.rs`: reply framing, todo and RESP.
//! - `histogram.rs`: latency percentiles.
//! - `probe.rs`: the latency probe, a PING at a fixed rate on its own
//!   connection while a workload runs.
//! - `report.rs`: the table, CSV and `result` lines.
//! - this file: runs the workloads and prints.

mod args;
mod driver;
mod histogram;
mod probe;
mod replies;
mod report;
mod requests;
mod workload;

use std::process::ExitCode;

use todo_server::net::fd_limit;

use args::{Command, Output};
use report::{csv_header, TABLE_HEADER};
use workload::{run_workload, Proto, Workload};

fn main() -> ExitCode {
    let (config, output) = match args::parse(std::env::args().skip(1)) {
        Ok(Command::Run(config, output)) => (config, output),
        Ok(Command::Help) => {
            print!("{}", args::HELP);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("todo-bench {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("todo-bench: {e}\nTry 'todo-bench --help'.");
            return ExitCode::from(2);
        }
    };
    let _ = fd_limit::raise_to(config.connections as u64 + fd_limit::RESERVED);
    let proto = match config.proto {
        Proto::Todo => "todo-server",
        Proto::Redis => "redis",
        Proto::Resp => "a RESP server",
    };
    if config.progress {
        eprintln!(
            "todo-bench: {proto} at {}, {} connections, pipeline {}",
            config.addr, config.connections, config.pipeline
        );
    }
    let mut reports = Vec::new();
    for &workload in &config.workloads {
        match run_workload(&config, workload) {
            Ok(report) => {
                if workload != Workload::Idle {
                    reports.push(report);
                }
            }
            Err(e) => {
                eprintln!("todo-bench: {}: {e}", workload.name());
                return ExitCode::FAILURE;
            }
        }
    }
    match output {
        Output::Table => {
            println!("{TABLE_HEADER}");
            for report in &reports {
                println!("{}", report.row());
            }
        }
        Output::Csv => {
            println!("{}", csv_header());
            for report in &reports {
                println!("{}", report.csv());
            }
        }
    }
    for report in &reports {
        println!("{}", report.summary(config.proto));
    }
    if reports.iter().all(|r| r.clean()) {
        ExitCode::SUCCESS
    } else {
        eprintln!("todo-bench: some replies were errors or malformed: these numbers are not clean");
        ExitCode::FAILURE
    }
}
