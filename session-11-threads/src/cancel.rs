//! Cancelling background threads: ask, don't kill.
//!
//! The course's session 12 (`examples/canceling_thread.rs` ports it) never asks its workers to
//! stop: they are daemon threads, the main loop polls them with `join(.001)` until a fourth
//! thread has seen Enter, and the end of the process kills them wherever they are. This part of
//! the lab shows the other way. Neither Python nor Rust can kill a single thread from outside
//! (one killed half-way could leave a lock held or a structure half-updated), so a thread that
//! must stop while the program goes on is *asked*:
//!
//! * a shared `AtomicBool` says "stop"; every worker checks it between units of work, so a
//!   worker stops at most one unit after the request;
//! * the main thread waits on a channel for the request, with a timeout so it can print progress
//!   in between (Rust's `JoinHandle` has no `join(timeout)`; `Receiver::recv_timeout` waits on
//!   the request itself instead of polling like the course's `join(.001)` loop);
//! * after setting the flag, the main thread joins every worker and reports how long stopping
//!   took. That figure is the lesson: it is bounded by the size of one unit of work.
//!
//! The thread that reads stdin is the exception: it is blocked inside `read_line` and cannot
//! check anything. It is left detached; the process ending takes it away.

use std::io::{self, BufRead};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};

/// What asks the workers to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOn {
    /// The user presses Enter (or stdin reaches its end).
    Enter,
    /// A timer: `--cancel-after MS` (divided by `--speed`).
    After(Duration),
}

/// What [`run`] measured.
#[derive(Debug, Clone)]
pub struct CancelReport {
    /// Units of work each worker finished.
    pub units: Vec<u64>,
    /// From the start until the stop request.
    pub ran_for: Duration,
    /// From setting the stop flag until the last worker was joined.
    pub stop_took: Duration,
}

/// One background worker: a unit of work (here a sleep of `tick`, like the course's
/// `time.sleep`) between checks of the stop flag.
///
/// `Ordering::Relaxed` is enough for a stop flag: no other data travels with it, and an atomic
/// store becomes visible to other threads promptly whatever the ordering. (Hand data over with
/// the flag and you need `Release` on the store and `Acquire` on the load.)
fn worker(stop: &AtomicBool, done: &AtomicU64, tick: Duration) {
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(tick);
        done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Run `workers` background threads until `cancel_on` asks them to stop; `progress` is called
/// with each worker's count of finished units every `progress_every` until then.
pub fn run(
    workers: usize,
    tick: Duration,
    cancel_on: CancelOn,
    progress_every: Duration,
    mut progress: impl FnMut(&[u64]),
) -> Result<CancelReport> {
    let stop = AtomicBool::new(false);
    let counters: Vec<AtomicU64> = (0..workers).map(|_| AtomicU64::new(0)).collect();
    let (tx, rx) = mpsc::channel::<()>();
    let start = Instant::now();
    let deadline = match cancel_on {
        CancelOn::After(after) => Some(start + after),
        CancelOn::Enter => {
            // The course's "a thread waits for Enter". Detached on purpose: see the module doc.
            let tx = tx.clone();
            thread::spawn(move || {
                let mut line = String::new();
                let _ = io::stdin().lock().read_line(&mut line);
                let _ = tx.send(());
            });
            None
        }
    };

    // Scoped threads borrow `stop` and `counters` from this stack frame: no Arc needed.
    thread::scope(|s| {
        let handles: Vec<_> = counters
            .iter()
            .map(|done| {
                let stop = &stop;
                s.spawn(move || worker(stop, done, tick))
            })
            .collect();

        // The main loop: wait for the request, a little at a time, reporting progress.
        loop {
            let wait = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    left.min(progress_every)
                }
                None => progress_every,
            };
            match rx.recv_timeout(wait) {
                Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let now: Vec<u64> =
                        counters.iter().map(|c| c.load(Ordering::Relaxed)).collect();
                    progress(&now);
                }
            }
        }
        drop(tx);

        let ran_for = start.elapsed();
        let asked = Instant::now();
        stop.store(true, Ordering::Relaxed);
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow!("a worker thread panicked"))?;
        }
        Ok(CancelReport {
            units: counters.iter().map(|c| c.load(Ordering::Relaxed)).collect(),
            ran_for,
            stop_took: asked.elapsed(),
        })
    })
}

/// The lesson: start the workers, print their progress, stop them, report the stopping time.
pub fn lesson(workers: usize, tick: Duration, cancel_on: CancelOn) -> Result<()> {
    match cancel_on {
        CancelOn::Enter => crate::say(crate::paint(
            crate::HEADING,
            format!("{workers} workers are running: press Enter to cancel them"),
        )),
        CancelOn::After(after) => crate::say(format!(
            "{workers} workers are running; cancelling after {}",
            crate::human(after)
        )),
    }
    let report = run(
        workers,
        tick,
        cancel_on,
        Duration::from_millis(500).max(tick),
        |units| {
            let total: u64 = units.iter().sum();
            crate::say(format!(
                "  working... {} units of work ({} each) done so far",
                total,
                crate::human(tick)
            ));
        },
    )?;
    crate::say(format!(
        "cancel requested after {}; the workers had done {:?} units",
        crate::human(report.ran_for),
        report.units
    ));
    crate::say(crate::paint(
        crate::GOOD,
        format!(
            "stopping took {} (each worker checks the flag every {})",
            crate::human(report.stop_took),
            crate::human(tick)
        ),
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_stop_within_one_unit_of_work() {
        let tick = Duration::from_millis(40);
        let after = Duration::from_millis(300);
        let report = run(
            3,
            tick,
            CancelOn::After(after),
            Duration::from_millis(100),
            |_| {},
        )
        .unwrap();
        assert!(report.ran_for >= after, "{report:?}");
        // A worker notices the flag after at most one tick; 200 ms of slack for a busy machine.
        assert!(
            report.stop_took <= tick + Duration::from_millis(200),
            "{report:?}"
        );
        // Each worker did roughly ran_for / tick units; at least some, and not more than possible.
        let most = (report.ran_for + report.stop_took).as_millis() / tick.as_millis() + 1;
        for &units in &report.units {
            assert!(units >= 1 && u128::from(units) <= most, "{report:?}");
        }
    }

    #[test]
    fn progress_is_reported_while_waiting() {
        let mut calls = 0;
        run(
            1,
            Duration::from_millis(10),
            CancelOn::After(Duration::from_millis(250)),
            Duration::from_millis(50),
            |_| calls += 1,
        )
        .unwrap();
        // 250 ms of waiting in 50 ms steps: about four progress reports (the fifth step ends
        // at the deadline). Allow for a slow machine, but not for none.
        assert!((1..=5).contains(&calls), "{calls} progress reports");
    }
}
