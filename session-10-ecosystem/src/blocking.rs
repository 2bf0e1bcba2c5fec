//! # `blocking`: the course's rule, measured
//!
//! "If the only library blocks, use threads." Why? An async runtime runs many tasks on few
//! threads, switching only at `.await`. A call that blocks (a `std::thread::sleep`, a
//! blocking driver, a long CPU loop) never reaches an `.await`, so every other task on that
//! thread waits until it returns. In Python, `time.sleep(1)` inside a coroutine freezes the
//! event loop the same way; the fix there is `loop.run_in_executor(None, f)` (or
//! `asyncio.to_thread(f)`), and here `tokio::task::spawn_blocking(f)`.
//!
//! The experiment: a *ticker* wants to run every `period` (10 ms by default) and records how
//! late each tick ran against its schedule, while another task makes one blocking call of
//! `block` (200 ms by default), either **inline**, on the runtime's only thread (a
//! current-thread runtime, like asyncio's one event loop), or in **spawn_blocking**, on
//! tokio's blocking pool. Inline, no tick can run during the call: the longest gap between
//! ticks is the whole call, and the worst tick is late by the call minus at most one period.
//! With `spawn_blocking` the ticks are late only by the operating system's scheduling noise.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::time::MissedTickBehavior;

/// Where the blocking call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Directly in the async task, on the runtime's only thread.
    Inline,
    /// Handed to tokio's blocking thread pool with `spawn_blocking`.
    SpawnBlocking,
}

/// The knobs of one measurement: the ticker's period and the blocking call's length.
#[derive(Debug, Clone, Copy)]
pub struct BlockingOptions {
    pub period: Duration,
    pub block: Duration,
}

/// How late the ticks ran in one measurement (lateness: actual time minus scheduled time),
/// and the longest time between two ticks that actually ran.
#[derive(Debug, Clone)]
pub struct TickReport {
    pub mode: Mode,
    pub ticks: usize,
    pub max_late: Duration,
    pub median_late: Duration,
    pub longest_gap: Duration,
}

/// Stands in for a call into a blocking library (a driver with no async version).
// time.sleep(0.2) inside a coroutine -> std::thread::sleep inside an async fn (the mistake)
fn blocking_call(block: Duration) {
    std::thread::sleep(block);
}

/// Runs the ticker next to one blocking call made in `mode`, on a fresh current-thread
/// runtime (asyncio's single event loop), and reports how late the ticks were. It builds its
/// own runtime, so call it from plain (non-async) code.
pub fn measure(mode: Mode, options: BlockingOptions) -> Result<TickReport> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not build a tokio runtime")?
        .block_on(measure_async(mode, options))
}

async fn measure_async(mode: Mode, options: BlockingOptions) -> Result<TickReport> {
    let BlockingOptions { period, block } = options;
    // Enough ticks to cover three periods before the call, the call, and three after.
    let ticks = (block.as_micros() / period.as_micros()) as usize + 6;
    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        // Burst: ticks missed during a block run as soon as possible afterwards, so each
        // one's lateness shows how long it was held up.
        interval.set_missed_tick_behavior(MissedTickBehavior::Burst);
        let mut ran = Vec::with_capacity(ticks); // (scheduled, actual)
        for _ in 0..ticks {
            let scheduled = interval.tick().await;
            ran.push((scheduled.into_std(), Instant::now()));
        }
        ran
    });
    // Let the ticker get going first.
    tokio::time::sleep(period * 3).await;
    match mode {
        // The mistake: block right here, on the runtime's only thread.
        Mode::Inline => blocking_call(block),
        // loop.run_in_executor(None, f) / asyncio.to_thread(f) -> spawn_blocking(f)
        Mode::SpawnBlocking => tokio::task::spawn_blocking(move || blocking_call(block))
            .await
            .context("the blocking call panicked")?,
    }
    let ran = ticker.await.context("the ticker panicked")?;
    Ok(summarise(mode, &ran))
}

/// Turns the recorded (scheduled, actual) instants into the report's numbers.
fn summarise(mode: Mode, ran: &[(Instant, Instant)]) -> TickReport {
    let mut late: Vec<Duration> = ran
        .iter()
        .map(|(scheduled, actual)| actual.saturating_duration_since(*scheduled))
        .collect();
    late.sort();
    let longest_gap = ran
        .windows(2)
        .map(|pair| pair[1].1.saturating_duration_since(pair[0].1))
        .max()
        .unwrap_or_default();
    TickReport {
        mode,
        ticks: ran.len(),
        max_late: late.last().copied().unwrap_or_default(),
        median_late: late.get(late.len() / 2).copied().unwrap_or_default(),
        longest_gap,
    }
}

/// Both measurements, inline first.
pub fn run(options: BlockingOptions) -> Result<Vec<TickReport>> {
    [Mode::Inline, Mode::SpawnBlocking]
        .map(|mode| measure(mode, options))
        .into_iter()
        .collect()
}

/// Writes one line per measurement.
pub fn write_to(
    out: &mut impl std::io::Write,
    options: &BlockingOptions,
    reports: &[TickReport],
) -> std::io::Result<()> {
    writeln!(
        out,
        "  ticker every {} ms; one blocking call (a sleep) of {} ms{}",
        options.period.as_millis(),
        options.block.as_millis(),
        crate::build_note()
    )?;
    for report in reports {
        let name = match report.mode {
            Mode::Inline => "inline",
            Mode::SpawnBlocking => "spawn_blocking",
        };
        let style = if report.max_late >= options.block / 2 {
            anstyle::AnsiColor::Red.on_default()
        } else {
            anstyle::AnsiColor::Green.on_default()
        };
        writeln!(
            out,
            "  {name:<15} {style}max late {:>6.1} ms{style:#}, median late {:>5.2} ms, \
             longest gap between ticks {:>6.1} ms ({} ticks)",
            ms(report.max_late),
            ms(report.median_late),
            ms(report.longest_gap),
            report.ticks
        )?;
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
