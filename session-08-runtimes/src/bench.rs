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

use crate::Spawn;
use crate::echo::{EchoConfig, echo_workload};
use crate::queue::{PRODUCERS, queue_workload};
use crate::runtimes::{Runtime, run_on};

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
fn build() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Repeated runs of one workload on one runtime.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The runtime measured.
    pub runtime: Runtime,
    /// The workload measured.
    pub workload: Workload,
    /// Time of every run, in order.
    pub runs: Vec<Duration>,
    /// Items the consumer took (queue) or round trips completed (echo), in every run.
    pub processed: u64,
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

    /// Actions per second at the median: a `put` and a `get` per item (queue), or round trips
    /// per second (echo).
    pub fn rate_per_s(&self) -> f64 {
        let count = match self.workload {
            Workload::Queue { .. } => 2 * self.processed,
            Workload::Echo(_) => self.processed,
        };
        count as f64 / self.median().as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Run `workload` on `runtime` `repeat` times. `on_run(n)` is called before run `n` (from 1),
/// to show progress. A run that processed the wrong count is an error.
pub fn measure(
    runtime: Runtime,
    workload: Workload,
    repeat: usize,
    mut on_run: impl FnMut(usize),
) -> anyhow::Result<Measurement> {
    let name = runtime.name();
    let expected = workload.expected();
    let mut runs = Vec::with_capacity(repeat);
    for run in 1..=repeat {
        on_run(run);
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
        processed: expected,
    })
}

/// The results of one workload as a table and a bar chart of the medians, styled for a
/// terminal (print it with `anstream`, which strips the styles when they are not wanted).
pub fn render(measurements: &[Measurement]) -> String {
    let Some(first) = measurements.first() else {
        return String::new();
    };
    let fastest = measurements
        .iter()
        .map(Measurement::median)
        .min()
        .unwrap_or_default();
    let slowest = measurements
        .iter()
        .map(Measurement::median)
        .max()
        .unwrap_or_default();
    let (rate_title, scale, unit) = match first.workload {
        Workload::Queue { .. } => ("actions/s", 1e6, "M"),
        Workload::Echo(_) => ("round trips/s", 1e3, "k"),
    };
    let bold = Style::new().bold();
    let best = AnsiColor::Green.on_default().bold();
    let bar_style = AnsiColor::Cyan.on_default();

    let mut out = String::new();
    let runs = first.runs.len();
    let _ = writeln!(
        out,
        "{bold}{:<10} {:>12} {:>16} {:>12}{bold:#}",
        "runtime",
        format!("median of {runs}"),
        rate_title,
        "vs fastest"
    );
    for m in measurements {
        let median = m.median();
        let style = if median == fastest {
            best
        } else {
            Style::new()
        };
        let ratio = median.as_secs_f64() / fastest.as_secs_f64().max(f64::MIN_POSITIVE);
        let _ = writeln!(
            out,
            "{style}{:<10} {:>10.3} s {:>14.2} {unit} {:>11.2}x{style:#}",
            m.runtime.name(),
            median.as_secs_f64(),
            m.rate_per_s() / scale,
            ratio
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{bold}median time (shorter is faster){bold:#}");
    const WIDTH: f64 = 40.0;
    for m in measurements {
        let median = m.median().as_secs_f64();
        let cells = (median / slowest.as_secs_f64().max(f64::MIN_POSITIVE) * WIDTH).round();
        let bar = "█".repeat((cells as usize).max(1));
        let _ = writeln!(
            out,
            "{:<10} {bar_style}{bar}{bar_style:#} {median:.3} s",
            m.runtime.name()
        );
    }
    out
}

/// The `--json` object: `{"workload", "build", "results": [{"runtime", "median_s", "processed",
/// ...}]}`. Each result also names its workload, which matters for `--workload all`.
pub fn to_json(requested: &str, measurements: &[Measurement]) -> serde_json::Value {
    let results: Vec<_> = measurements
        .iter()
        .map(|m| {
            serde_json::json!({
                "runtime": m.runtime.name(),
                "workload": m.workload.name(),
                "median_s": m.median().as_secs_f64(),
                "processed": m.processed,
                "rate_per_s": m.rate_per_s(),
                "runs_s": m.runs.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "workload": requested, "build": build(), "results": results })
}
