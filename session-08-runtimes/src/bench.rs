//! Measuring: repeat a workload on a runtime, check its count, and report medians.
//!
//! A shared machine is noisy, so one run means little. Each runtime runs the workload
//! `repeat` times and the report uses the median, which one slow run cannot drag. Every run is
//! also checked: a runtime that lost an item or a byte would be fast for the wrong reason, so a
//! wrong count is an error, not a figure.

use std::fmt::Write as _;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::{Context as _, ensure};

use crate::echo::{EchoConfig, echo_workload};
use crate::queue::{PRODUCERS, queue_workload};
use crate::runtimes::{Runtime, Spawn, run_on};

const DEBUG: bool = cfg!(debug_assertions);
// The most one queue item, one echo round trip and each byte of its message should take, in
// seconds, for the build in use: the slowest runtime's cost measured on a busy 2-core machine,
// times 2 or 3 (LAB.md, "Flags, limits and output"). `Workload::estimate_s` uses them.
pub const ITEM_S: f64 = if DEBUG { 30e-6 } else { 3e-6 };
pub const ROUND_TRIP_S: f64 = if DEBUG { 850e-6 } else { 170e-6 };
pub const BYTE_S: f64 = if DEBUG { 120e-9 } else { 8e-9 };

/// The two workloads, with their sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Two producers put `items` each on a channel, one consumer takes them all, a yield after
    /// every action.
    Queue {
        /// Items per producer.
        items: u64,
    },
    /// Echo server and clients on loopback.
    Echo(EchoConfig),
}

/// What one run of a workload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Items the consumer took (queue) or round trips completed (echo).
    pub processed: u64,
    /// Wall-clock time of the run, from its first task to its last item or reply.
    pub elapsed: Duration,
}

impl Workload {
    /// Run the workload once on the runtime behind `spawner`.
    pub async fn run<S: Spawn>(self, spawner: &S) -> anyhow::Result<Outcome> {
        match self {
            Workload::Queue { items } => queue_workload(spawner, items).await,
            Workload::Echo(config) => echo_workload(spawner, config).await,
        }
    }

    /// What a correct run processes: every item, or every round trip.
    pub fn expected(self) -> u64 {
        match self {
            Workload::Queue { items } => PRODUCERS * items,
            Workload::Echo(config) => config.clients * config.messages,
        }
    }

    /// How long one run could take at most, in seconds, at the costs above.
    pub fn estimate_s(self) -> f64 {
        match self {
            Workload::Queue { items } => (PRODUCERS * items) as f64 * ITEM_S,
            Workload::Echo(c) => {
                let round_trips = (c.clients * c.messages) as f64;
                round_trips * (ROUND_TRIP_S + c.message_size as f64 * BYTE_S)
            }
        }
    }

    /// The name used on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Queue { .. } => "queue",
            Workload::Echo(_) => "echo",
        }
    }

    /// The heading above a table: what is measured, with its size.
    pub fn describe(self) -> String {
        let build = build();
        match self {
            Workload::Queue { items } => format!(
                "queue: {PRODUCERS} producers x {items} items, 1 consumer, a yield after every put and get ({build} build)"
            ),
            Workload::Echo(c) => format!(
                "echo: {} clients x {} messages of {} bytes on 127.0.0.1 ({build} build)",
                c.clients, c.messages, c.message_size
            ),
        }
    }
}

/// `"debug"` or `"release"`: how this code was compiled. A debug build's figures mean little.
pub fn build() -> &'static str {
    if DEBUG { "debug" } else { "release" }
}

/// Repeated runs of one workload on one runtime.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The runtime measured.
    pub runtime: Runtime,
    /// The workload measured.
    pub workload: Workload,
    /// Time of every run, in order; each processed exactly [`Workload::expected`].
    pub runs: Vec<Duration>,
}

impl Measurement {
    /// The median run time.
    pub fn median(&self) -> Duration {
        let mut runs = self.runs.clone();
        runs.sort();
        let mid = runs.len() / 2;
        match runs.len() {
            0 => Duration::ZERO,
            n if n % 2 == 1 => runs[mid],
            _ => (runs[mid - 1] + runs[mid]) / 2,
        }
    }
}

/// Run `workload` on `runtime` `repeat` times. A run that processed the wrong count is an error.
pub fn measure(runtime: Runtime, workload: Workload, repeat: usize) -> anyhow::Result<Measurement> {
    let name = runtime.name();
    let expected = workload.expected();
    let mut runs = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let outcome = run_on(runtime, workload)
            .with_context(|| format!("the {} workload failed on {name}", workload.name()))?;
        ensure!(
            outcome.processed == expected,
            "{name} processed {} in the {} workload, expected {expected}",
            outcome.processed,
            workload.name()
        );
        runs.push(outcome.elapsed);
    }
    Ok(Measurement {
        runtime,
        workload,
        runs,
    })
}

/// The results of one workload as a table of medians, styled for a terminal (print it with
/// `anstream`, which strips the styles when they are not wanted).
pub fn render(measurements: &[Measurement]) -> String {
    let median = |m: &Measurement| m.median().as_secs_f64();
    let fastest = measurements.iter().map(median).fold(f64::MAX, f64::min);
    let runs = measurements.first().map_or(0, |m| m.runs.len());
    let (bold, best) = (Style::new().bold(), AnsiColor::Green.on_default().bold());
    let header = format!(
        "{:<10} {:>12} {:>12}",
        "runtime",
        format!("median of {runs}"),
        "vs fastest"
    );
    let mut out = format!("{bold}{header}{bold:#}\n");
    for m in measurements {
        let (name, median) = (m.runtime.name(), median(m));
        let style = if median > fastest { Style::new() } else { best };
        let ratio = median / fastest.max(f64::MIN_POSITIVE);
        let _ = writeln!(
            out,
            "{style}{name:<10} {median:>10.3} s {ratio:>11.2}x{style:#}"
        );
    }
    out
}

/// The `--json` object: `{"workload", "build", "results": [{"runtime", "workload", "median_s",
/// "processed", "runs_s"}]}`.
pub fn to_json(requested: &str, measurements: &[Measurement]) -> serde_json::Value {
    let results: Vec<_> = measurements
        .iter()
        .map(|m| {
            serde_json::json!({
                "runtime": m.runtime.name(),
                "workload": m.workload.name(),
                "median_s": m.median().as_secs_f64(),
                "processed": m.workload.expected(),
                "runs_s": m.runs.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "workload": requested, "build": build(), "results": results })
}
