//! The report of one workload: a table row, a CSV row, or a `key=value`
//! line for scripts.

use std::fmt::Write as _;

use crate::driver::Outcome;
use crate::histogram::Histogram;
use crate::workload::{Proto, Workload};

/// One workload's result.
#[derive(Debug)]
pub struct Report {
    /// Which.
    pub workload: Workload,
    /// Connections and pipeline it ran with.
    pub connections: usize,
    /// Requests in flight per connection.
    pub pipeline: usize,
    /// What was measured.
    pub outcome: Outcome,
    /// What the latency probe saw meanwhile, if one ran.
    pub probe: Option<Histogram>,
}

impl Report {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.outcome.completed as f64 / self.outcome.elapsed.as_secs_f64().max(1e-9)
    }

    /// Latency at quantile `q`, in microseconds.
    pub fn micros(&self, q: f64) -> f64 {
        self.outcome.latency.quantile(q) as f64 / 1000.0
    }

    /// No error reply and no malformed reply: the numbers can be trusted.
    pub fn clean(&self) -> bool {
        self.outcome.errors == 0
    }

    /// The report's figures as text, in `COLUMNS` order.
    fn figures(&self) -> [String; 11] {
        let micros = |q| format!("{:.1}", self.micros(q));
        [
            self.workload.name().to_owned(),
            self.connections.to_string(),
            self.pipeline.to_string(),
            self.outcome.completed.to_string(),
            format!("{:.0}", self.rate()),
            micros(0.5),
            micros(0.9),
            micros(0.99),
            micros(0.999),
            format!("{:.1}", self.outcome.latency.max() as f64 / 1000.0),
            self.outcome.errors.to_string(),
        ]
    }

    /// One row of the table (see `TABLE_HEADER`).
    pub fn row(&self) -> String {
        let mut row = String::new();
        for ((_, width), figure) in COLUMNS.iter().zip(self.figures()) {
            if row.is_empty() {
                let _ = write!(row, "{figure:<width$}");
            } else {
                let _ = write!(row, " {figure:>width$}");
            }
        }
        if !self.clean() {
            row.push_str("  NOT CLEAN: replies were errors or malformed");
        }
        if let Some(probe) = &self.probe {
            let [p50, p99, p999, max] = probe_micros(probe);
            let _ = write!(
                row,
                "\n  probe PING: p50 {p50:.1} us, p99 {p99:.1} us, p99.9 {p999:.1} us, max {max:.1} us ({} PINGs)",
                probe.count()
            );
        }
        row
    }

    /// One CSV row (see `csv_header`).
    pub fn csv(&self) -> String {
        self.figures().join(",")
    }

    /// One `key=value` line, for scripts: `result`, the protocol, every
    /// column, the seconds measured, and whether the run was clean.
    pub fn summary(&self, proto: Proto) -> String {
        let proto = match proto {
            Proto::Todo => "todo",
            Proto::Redis => "redis",
            Proto::Resp => "resp",
        };
        let mut line = format!("result proto={proto}");
        for ((name, _), figure) in COLUMNS.iter().zip(self.figures()) {
            let _ = write!(line, " {name}={figure}");
        }
        if let Some(probe) = &self.probe {
            let [p50, p99, p999, max] = probe_micros(probe);
            let _ = write!(
                line,
                " probe_p50_us={p50:.1} probe_p99_us={p99:.1} probe_p999_us={p999:.1} \
                 probe_max_us={max:.1}"
            );
        }
        let _ = write!(
            line,
            " seconds={:.3} clean={}",
            self.outcome.elapsed.as_secs_f64(),
            self.clean()
        );
        line
    }
}

/// The report's columns: their CSV and `key=value` names, and their width
/// in the table.
const COLUMNS: [(&str, usize); 11] = [
    ("workload", 8),
    ("connections", 6),
    ("pipeline", 5),
    ("requests", 11),
    ("rps", 12),
    ("p50_us", 9),
    ("p90_us", 9),
    ("p99_us", 9),
    ("p999_us", 9),
    ("max_us", 9),
    ("errors", 7),
];

/// The report table's header.
pub const TABLE_HEADER: &str =
    "workload  conns  pipe    requests        req/s    p50 us    p90 us    p99 us  p99.9 us    max us  errors";

/// The CSV header.
pub fn csv_header() -> String {
    COLUMNS.map(|(name, _)| name).join(",")
}

/// The probe's p50, p99, p99.9 and max, in microseconds.
fn probe_micros(probe: &Histogram) -> [f64; 4] {
    let us = |ns: u64| ns as f64 / 1000.0;
    [
        us(probe.quantile(0.5)),
        us(probe.quantile(0.99)),
        us(probe.quantile(0.999)),
        us(probe.max()),
    ]
}
