//! The `todo-bench` binary end to end, against a real server.

use std::process::Command;

use crate::util::Server;

fn bench(server: &Server, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_todo-bench"))
        .args(["--port", &server.addr.port().to_string(), "-q"])
        .args(args)
        .output()
        .expect("run todo-bench");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn every_workload_runs_clean_and_reports_a_result_line() {
    let server = Server::start(&[]);
    let (code, out) = bench(
        &server,
        &[
            "-c",
            "4",
            "-P",
            "8",
            "-n",
            "2000",
            "-t",
            "put,list,mixed,ping",
            "--keys",
            "20",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    let results: Vec<&str> = out.lines().filter(|l| l.starts_with("result ")).collect();
    assert_eq!(results.len(), 4, "{out}");
    for (line, workload) in results.iter().zip(["put", "list", "mixed", "ping"]) {
        assert!(line.contains(&format!(" workload={workload} ")), "{line}");
        assert!(line.contains(" requests=2000 "), "{line}");
        assert!(
            line.contains(" errors=0 ") && line.ends_with("clean=true"),
            "{line}"
        );
    }
    assert!(
        out.starts_with("workload  conns  pipe"),
        "the table comes first: {out}"
    );
    // The list workload prefilled 20 lists with 10 items each.
    let mut c = server.connect();
    assert_eq!(c.ask("LIST bench:list:7").lines().count(), 11);
}

#[test]
fn csv_output_has_a_header_and_a_row_per_workload() {
    let server = Server::start(&[]);
    let (code, out) = bench(
        &server,
        &["-c", "2", "-n", "100", "-t", "ping,put", "--csv"],
    );
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "workload,connections,pipeline,requests,rps,p50_us,p90_us,p99_us,p999_us,max_us,errors"
    );
    assert!(lines[1].starts_with("ping,2,1,100,"), "{}", lines[1]);
    assert!(lines[2].starts_with("put,2,1,100,"), "{}", lines[2]);
}

#[test]
fn a_run_with_bad_replies_is_never_reported_clean() {
    // Redis commands sent to todo-server: every reply is an ERR line, which
    // is not RESP at all.
    let server = Server::start(&[]);
    let (code, out) = bench(
        &server,
        &["--proto", "redis", "-c", "2", "-n", "50", "-t", "ping"],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("NOT CLEAN"), "{out}");
    assert!(
        out.contains("errors=50 ") && out.contains("clean=false"),
        "{out}"
    );
}
