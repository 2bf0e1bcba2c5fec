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

use crate::echo::{EchoConfig, EchoJob};
use crate::queue::{PRODUCERS, QueueJob};
use crate::runtimes::{Runtime, run_on};

/// `"debug"` or `"release"`: the kind of build this code was compiled in.
pub const BUILD: &str = if cfg!(debug_assertions) {
    "debug"
} else {
    "release"
};

/// The two workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Two producers, one consumer, a yield after every action.
    Queue,
    /// Echo server and clients on loopback.
    Echo,
}

impl Workload {
    /// The name used on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Queue => "queue",
            Workload::Echo => "echo",
        }
    }
}

/// The size of the work, for both workloads.
#[derive(Debug, Clone, Copy)]
pub struct BenchConfig {
    /// Items per producer (queue workload).
    pub items: u64,
    /// Runs per runtime; the report shows their median.
    pub repeat: usize,
    /// Clients, messages and message size (echo workload).
    pub echo: EchoConfig,
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
            Workload::Queue => 2 * self.processed,
            Workload::Echo => self.processed,
        };
        count as f64 / self.median().as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Run `workload` on `runtime` `config.repeat` times. `on_run(n)` is called before run `n`
/// (from 1), to show progress.
pub fn measure(
    runtime: Runtime,
    workload: Workload,
    config: &BenchConfig,
    mut on_run: impl FnMut(usize),
) -> anyhow::Result<Measurement> {
    let name = runtime.name();
    let mut runs = Vec::with_capacity(config.repeat);
    let mut processed = 0;
    for run in 1..=config.repeat {
        on_run(run);
        let elapsed = match workload {
            Workload::Queue => {
                let outcome = run_on(
                    runtime,
                    QueueJob {
                        items: config.items,
                    },
                )?
                .with_context(|| format!("the queue workload failed on {name}"))?;
                let expected = PRODUCERS * config.items;
                ensure!(
                    outcome.processed == expected,
                    "{name} processed {} items, expected {expected}",
                    outcome.processed
                );
                processed = outcome.processed;
                outcome.elapsed
            }
            Workload::Echo => {
                let echo = config.echo;
                let outcome = run_on(runtime, EchoJob(echo))?
                    .with_context(|| format!("the echo workload failed on {name}"))?;
                let round_trips = echo.clients * echo.messages;
                let bytes = round_trips * echo.message_size as u64;
                ensure!(
                    outcome.round_trips == round_trips
                        && outcome.bytes_sent == bytes
                        && outcome.bytes_echoed == bytes
                        && outcome.bytes_served == bytes,
                    "{name} echoed {outcome:?}, expected {round_trips} round trips of {bytes} bytes"
                );
                processed = outcome.round_trips;
                outcome.elapsed
            }
        };
        runs.push(elapsed);
    }
    Ok(Measurement {
        runtime,
        workload,
        runs,
        processed,
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
        Workload::Queue => ("actions/s", 1e6, "M"),
        Workload::Echo => ("round trips/s", 1e3, "k"),
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
    serde_json::json!({ "workload": requested, "build": BUILD, "results": results })
}
