//! Cancelling background threads: ask, don't kill.
//!
//! The course's session 12 (`examples/canceling_thread.rs`) never asks its workers to stop:
//! they are daemon threads, and the end of the process kills them wherever they are. Neither
//! Python nor Rust can kill a single thread from outside (one killed half-way could leave a lock
//! held), so a thread that must stop while the program goes on is *asked*:
//!
//! * a shared `AtomicBool` says "stop"; every worker checks it between units of work, so it
//!   stops at most one unit after the request;
//! * the main thread waits on a channel for the request (`Receiver::recv_timeout` for a timer),
//!   instead of the course's `join(.001)` polling loop;
//! * then it joins every worker and reports how long stopping took: at most one unit of work.
//!   (The stdin reader cannot check a flag: it is left detached, and dies with the process.)

use std::io::{self, BufRead, IsTerminal, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};

use crate::{human, say};

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

/// One background worker: a unit of work (a sleep of `tick`) between checks of the flag.
/// `Relaxed` is enough: no other data travels with the flag.
fn worker(stop: &AtomicBool, done: &AtomicU64, tick: Duration) {
    while !stop.load(Ordering::Relaxed) {
        thread::sleep(tick);
        done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Run `workers` threads until `cancel_on` asks them to stop; then stop and join them.
pub fn run(workers: usize, tick: Duration, cancel_on: CancelOn) -> Result<CancelReport> {
    let stop = AtomicBool::new(false);
    let counters: Vec<AtomicU64> = (0..workers).map(|_| AtomicU64::new(0)).collect();
    let (tx, rx) = mpsc::channel::<()>();
    if cancel_on == CancelOn::Enter {
        // The course's `input()` on a thread of its own; it reads at most 1 KiB, so an endless
        // line (`< /dev/zero`) cannot fill the memory.
        let tx = tx.clone();
        thread::spawn(move || {
            let _ = io::stdin().lock().take(1024).read_line(&mut String::new());
            let _ = tx.send(());
        });
    }
    let start = Instant::now();
    // Scoped threads borrow `stop` and `counters`: no Arc needed.
    thread::scope(|s| {
        let handles: Vec<_> = counters
            .iter()
            .map(|done| s.spawn(|| worker(&stop, done, tick)))
            .collect();
        // Wait for the request: `tx` is still alive here, so only a timeout or a send ends it.
        let _ = match cancel_on {
            CancelOn::After(after) => rx.recv_timeout(after).ok(),
            CancelOn::Enter => rx.recv().ok(),
        };
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

/// The lesson: start the workers, stop them when asked, report the stopping time. Without
/// `after`, Enter cancels on a terminal, and `otherwise` elsewhere.
pub fn lesson(
    workers: usize,
    tick: Duration,
    after: Option<Duration>,
    otherwise: Duration,
) -> Result<()> {
    let cancel_on = match after {
        None if io::stdin().is_terminal() => CancelOn::Enter,
        None => {
            let line = format!(
                "stdin is not a terminal: cancelling after {}",
                human(otherwise)
            );
            crate::note(format!("{line} (see --cancel-after)"))?;
            CancelOn::After(otherwise)
        }
        Some(after) => CancelOn::After(after),
    };
    say(match cancel_on {
        CancelOn::Enter => format!("{workers} workers are running: press Enter to cancel them"),
        CancelOn::After(after) => format!(
            "{workers} workers are running; cancelling after {}",
            human(after)
        ),
    })?;
    let report = run(workers, tick, cancel_on)?;
    let (ran_for, units) = (human(report.ran_for), report.units);
    say(format!(
        "cancel requested after {ran_for}; the workers had done {units:?} units"
    ))?;
    let (took, tick) = (human(report.stop_took), human(tick));
    let line = format!("stopping took {took} (each worker checks the flag every {tick})");
    say(crate::paint(crate::show::GOOD, line))
}
