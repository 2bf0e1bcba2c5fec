//! # `blocking`: the course's rule, measured
//!
//! "If the only library blocks, use threads." Why? An async runtime runs many tasks on few
//! threads, switching only at `.await`. A call that blocks (a `std::thread::sleep`, a
//! blocking driver, a long CPU loop) never reaches an `.await`, so every other task on that
//! thread waits until it returns. In Python, `time.sleep(1)` inside a coroutine freezes the
//! event loop the same way; the fix there is `loop.run_in_executor(None, f)` (or
//! `asyncio.to_thread(f)`), and here `tokio::task::spawn_blocking(f)`.
//!
//! The experiment: a *ticker* task wants to run every `period` (10 ms by default) and records,
//! for every tick, how late it ran compared with its schedule. Meanwhile another task makes
//! one blocking call of `block` (200 ms by default):
//!
//! * **inline**: the call runs on the runtime's thread. We use a current-thread runtime, like
//!   asyncio's one event loop, so nothing else can run: the ticker is frozen for the whole call.
//! * **spawn_blocking**: the call runs on tokio's blocking pool; the runtime's thread stays
//!   free and the ticker keeps its schedule.
//!
//! Two numbers tell the story. The *longest gap* between two ticks: inline it is at least the
//! blocking time, because no tick can run during the call. The *lateness* of a tick against its
//! schedule: inline the worst tick is late by the blocking time minus at most one period
//! (depending on where in a period the call started), with `spawn_blocking` only by the noise
//! of the operating system's scheduler.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

/// Where the blocking call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Directly in the async task, on the runtime's only thread.
    Inline,
    /// Handed to tokio's blocking thread pool with `spawn_blocking`.
    SpawnBlocking,
}

/// What the blocking call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Work {
    /// `std::thread::sleep`: stands in for a blocking driver waiting on the network or disk.
    Sleep,
    /// A busy loop on the CPU for the same time: stands in for heavy computation.
    Cpu,
}

/// The knobs of one measurement.
#[derive(Debug, Clone, Copy)]
pub struct BlockingOptions {
    /// How often the ticker wants to run.
    pub period: Duration,
    /// How long the blocking call takes.
    pub block: Duration,
    /// What the blocking call does.
    pub work: Work,
}

/// How late the ticks ran in one measurement.
#[derive(Debug, Clone)]
pub struct TickReport {
    /// Where the blocking call ran.
    pub mode: Mode,
    /// Number of ticks recorded.
    pub ticks: usize,
    /// The latest any tick ran after its scheduled time.
    pub max_late: Duration,
    /// The median lateness.
    pub median_late: Duration,
    /// The longest time between two ticks that actually ran.
    pub longest_gap: Duration,
}

/// Blocks the current thread for `block`, by sleeping or by spinning.
// time.sleep(1) inside a coroutine -> std::thread::sleep inside an async fn (the mistake)
fn blocking_call(work: Work, block: Duration) {
    match work {
        Work::Sleep => std::thread::sleep(block),
        Work::Cpu => {
            let started = Instant::now();
            let mut x: u64 = 0;
            while started.elapsed() < block {
                for _ in 0..1000 {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            }
            std::hint::black_box(x);
        }
    }
}

/// Runs the ticker next to one blocking call made in `mode`, on a fresh current-thread
/// runtime, and reports how late the ticks were.
///
/// This builds its own runtime, so call it from plain (non-async) code.
pub fn measure(mode: Mode, options: BlockingOptions) -> Result<TickReport> {
    // asyncio's single event loop -> a current-thread runtime
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not build a tokio runtime")?;
    runtime.block_on(measure_async(mode, options))
}

/// The measurement itself; must run on a current-thread runtime to show the inline effect.
async fn measure_async(mode: Mode, options: BlockingOptions) -> Result<TickReport> {
    let BlockingOptions {
        period,
        block,
        work,
    } = options;
    let (ready_tx, ready_rx) = oneshot::channel::<()>();
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();

    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(period);
        // Burst: ticks missed during a block run as soon as possible afterwards, so each
        // one's lateness shows how long it was held up.
        interval.set_missed_tick_behavior(MissedTickBehavior::Burst);
        let mut ran = Vec::new(); // (scheduled, actual)
        let mut ready_tx = Some(ready_tx);
        loop {
            tokio::select! {
                scheduled = interval.tick() => {
                    ran.push((scheduled.into_std(), Instant::now()));
                    // Let the blocking call start once the ticker is running steadily.
                    if ran.len() == 3
                        && let Some(tx) = ready_tx.take()
                    {
                        let _ = tx.send(());
                    }
                }
                _ = &mut stop_rx => break,
            }
        }
        ran
    });

    ready_rx
        .await
        .context("the ticker stopped before it was ready")?;
    match mode {
        // The mistake: block right here, on the runtime's only thread.
        Mode::Inline => blocking_call(work, block),
        // loop.run_in_executor(None, f) / asyncio.to_thread(f) -> spawn_blocking(f)
        Mode::SpawnBlocking => tokio::task::spawn_blocking(move || blocking_call(work, block))
            .await
            .context("the blocking call panicked")?,
    }
    // A few more ticks after the call, so the ticks held up by it are all recorded.
    tokio::time::sleep(period * 3).await;
    let _ = stop_tx.send(());
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
    Ok(vec![
        measure(Mode::Inline, options)?,
        measure(Mode::SpawnBlocking, options)?,
    ])
}

/// Writes one line per measurement.
pub fn write_to(
    out: &mut impl std::io::Write,
    options: &BlockingOptions,
    reports: &[TickReport],
) -> std::io::Result<()> {
    writeln!(
        out,
        "  ticker every {} ms; one blocking call ({:?}) of {} ms{}",
        options.period.as_millis(),
        options.work,
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

/// A duration in milliseconds, for printing.
fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarise_finds_max_median_and_gap() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // Scheduled every 10 ms; the third tick ran 50 ms late.
        let ran = [
            (at(0), at(1)),
            (at(10), at(11)),
            (at(20), at(70)),
            (at(30), at(71)),
        ];
        let report = summarise(Mode::Inline, &ran);
        assert_eq!(report.ticks, 4);
        assert_eq!(report.max_late, Duration::from_millis(50));
        assert_eq!(report.median_late, Duration::from_millis(41));
        assert_eq!(report.longest_gap, Duration::from_millis(59));
    }
}
