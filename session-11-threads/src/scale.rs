//! Threads vs async tasks: what does each waiting "thing" cost?
//!
//! The course's advice (session 10): use asyncio when an async library exists. One reason: a
//! program that mostly *waits* can hold far more tasks than threads. A thread has its own stack
//! (2 MiB of address space; only touched pages count) and a kernel task; a tokio task is one
//! heap allocation holding its future, run by the runtime's few worker threads.
//!
//! **Measuring it honestly, in one process:** resident memory (`VmRSS`, Linux) is read just
//! before spawning and again when every unit is alive at a start gate; the difference over the
//! count is the memory per unit, `JoinHandle` included. Tasks go first: memory one phase frees
//! may be reused by the next, which could only understate the threads. Nothing outlives the
//! process: Ctrl-C ends the threads and the tasks with it.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::sync::Semaphore;

use crate::show::{BAD, GOOD};
use crate::{human, note, paint, say, thousands};

/// What one phase measured: how many units, resident memory in KiB before spawning and with
/// all of them alive (`None` off Linux), the time to spawn them and until all had finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub count: usize,
    pub rss_kib: Option<(u64, u64)>,
    pub spawn: Duration,
    pub total: Duration,
}

impl Phase {
    /// Memory per unit in bytes: `(alive - before) / count`.
    pub fn bytes_per_unit(&self) -> Option<f64> {
        let (before, alive) = self.rss_kib?;
        Some(alive.saturating_sub(before) as f64 * 1024.0 / self.count.max(1) as f64)
    }
}

/// This process's resident memory now, in KiB.
fn rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

/// `count` threads, each sleeping `sleep` once every thread is alive.
pub fn run_threads(count: usize, sleep: Duration) -> Result<Phase> {
    let (alive, open) = (AtomicUsize::new(0), AtomicBool::new(false));
    let before = rss_kib();
    let start = Instant::now();
    thread::scope(|s| {
        let mut handles = Vec::with_capacity(count);
        let mut failed = None;
        for i in 1..=count {
            // The start gate: each thread parks until `open` is set and it is unparked. (A
            // Condvar's notify_all would wake 10,000 threads to fight over one mutex.)
            let unit = || {
                alive.fetch_add(1, Ordering::Release);
                while !open.load(Ordering::Acquire) {
                    thread::park();
                }
                thread::sleep(sleep);
            };
            // thread::spawn panics when the OS refuses; Builder::spawn_scoped returns the error.
            match thread::Builder::new().spawn_scoped(s, unit) {
                Ok(handle) => handles.push(handle),
                Err(err) => {
                    failed = Some((i, err));
                    break;
                }
            }
        }
        let spawn = start.elapsed();
        while alive.load(Ordering::Acquire) < handles.len() {
            thread::sleep(Duration::from_millis(1));
        }
        let rss = before.zip(rss_kib());
        // Open the gate even after a failure, or the threads already spawned would wait forever.
        open.store(true, Ordering::Release);
        handles.iter().for_each(|h| h.thread().unpark());
        if let Some((i, err)) = failed {
            return Err(err).with_context(|| {
                format!(
                    "could not spawn thread {} of {}: see `ulimit -u` and \
                     /proc/sys/kernel/threads-max, or ask for fewer --threads",
                    thousands(i as u64),
                    thousands(count as u64)
                )
            });
        }
        let count = handles.len();
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a sleeping thread panicked"))?;
        }
        Ok(Phase {
            count,
            rss_kib: rss,
            spawn,
            total: start.elapsed(),
        })
    })
}

/// `count` tokio tasks, each sleeping `sleep` once every task is alive; also returns the size
/// of one task's future.
pub fn run_tasks(count: usize, sleep: Duration) -> Result<(Phase, usize)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime")?;
    runtime.block_on(async {
        let alive = Arc::new(AtomicUsize::new(0));
        // The start gate: a semaphore with no permits until every task is alive.
        let gate = Arc::new(Semaphore::new(0));
        let mut future_size = 0;
        let before = rss_kib();
        let start = Instant::now();
        let mut handles = Vec::with_capacity(count);
        for _ in 0..count {
            // Tasks must be 'static (the runtime may run them after this returns): Arcs.
            let (alive, gate) = (Arc::clone(&alive), Arc::clone(&gate));
            let unit = async move {
                alive.fetch_add(1, Ordering::Release);
                drop(gate.acquire().await);
                // await asyncio.sleep(...) -> tokio::time::sleep(...).await
                tokio::time::sleep(sleep).await;
            };
            future_size = size_of_val(&unit);
            // asyncio.create_task -> tokio::spawn
            handles.push(tokio::spawn(unit));
        }
        let spawn = start.elapsed();
        while alive.load(Ordering::Acquire) < count {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let rss = before.zip(rss_kib());
        gate.add_permits(count);
        for handle in handles {
            handle.await.context("a sleeping task failed")?;
        }
        Ok((
            Phase {
                count,
                rss_kib: rss,
                spawn,
                total: start.elapsed(),
            },
            future_size,
        ))
    })
}

/// The closing line of the lesson, and whether tasks came out cheaper. With a handful of
/// units, fixed costs swamp the figures: the line then gives the ratio as it is, or says that
/// the tasks' memory was too small to see.
pub fn compare_memory(per_thread: f64, per_task: f64) -> (bool, String) {
    if per_task <= 0.0 {
        let line = format!(
            "memory per task: too small to measure here (0 B), vs {} per thread",
            bytes(per_thread)
        );
        return (per_thread > 0.0, line);
    }
    let ratio = per_thread / per_task;
    let line = format!(
        "a thread cost {ratio:.1}x the memory of a task ({} vs {})",
        bytes(per_thread),
        bytes(per_task)
    );
    (ratio > 1.0, line)
}

fn bytes(b: f64) -> String {
    match b {
        b if b >= 1024.0 * 1024.0 => format!("{:.1} MiB", b / 1024.0 / 1024.0),
        b if b >= 1024.0 => format!("{:.1} KiB", b / 1024.0),
        b => format!("{b:.0} B"),
    }
}

/// Print one phase; return its memory per unit.
fn report(phase: &Phase, unit: &str) -> Result<Option<f64>> {
    let each = phase.spawn.as_secs_f64() / phase.count.max(1) as f64 * 1e6;
    say(format!(
        "  spawned {} in {} ({each:.2} µs each); all finished after {}",
        thousands(phase.count as u64),
        human(phase.spawn),
        human(phase.total),
    ))?;
    let per = phase.bytes_per_unit();
    let kib = |k: u64| bytes(k as f64 * 1024.0);
    say(match phase.rss_kib {
        Some((before, alive)) => format!(
            "  resident memory {} with all of them alive, {} before: {} per {unit}",
            kib(alive),
            kib(before),
            bytes(per.unwrap_or_default())
        ),
        None => "  resident memory: unknown on this system (Linux only)".to_string(),
    })?;
    Ok(per)
}

/// The lesson: `tasks` tasks, then `threads` threads, each sleeping `sleep`.
pub fn lesson(threads: usize, tasks: usize, sleep: Duration) -> Result<()> {
    crate::show::warn_if_debug_build()?;
    let (count, sleep_text) = (thousands(tasks as u64), human(sleep));
    say(format!(
        "{count} tokio tasks, each sleeping {sleep_text}..."
    ))?;
    let (task_phase, future_size) = run_tasks(tasks, sleep)?;
    let per_task = report(&task_phase, "task")?;
    note(format!(
        "  each task's future (its async block's state) is {future_size} bytes"
    ))?;

    let count = thousands(threads as u64);
    say(format!(
        "{count} threads, each sleeping {sleep_text} (2 MiB of stack reserved each)..."
    ))?;
    let per_thread = report(&run_threads(threads, sleep)?, "thread")?;
    note("  a thread's stack is address space: only the pages it touches count as memory")?;
    if let (Some(t), Some(k)) = (per_thread, per_task) {
        let (below, line) = compare_memory(t, k);
        say(paint(if below { GOOD } else { BAD }, line))?;
    }
    Ok(())
}
