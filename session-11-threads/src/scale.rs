//! Threads vs async tasks: what does each waiting "thing" cost?
//!
//! The course's advice (session 10) is to use asyncio whenever an async library exists, and
//! threads otherwise. One reason, measured here: a program that mostly *waits* (sockets, timers)
//! can hold far more tasks than it could hold threads. This part spawns 10,000 OS threads that
//! each sleep briefly, then 100,000 tokio tasks that each do the same.
//!
//! * A thread gets its own stack (2 MiB of address space by default in Rust, of which only the
//!   pages actually touched count as memory) and a kernel task; creating one is a system call.
//! * A tokio task is a heap allocation holding the future's state (here, little more than a
//!   timer entry) and is scheduled by the runtime's few worker threads; spawning is a push onto
//!   a queue.
//!
//! **Measuring peak memory honestly.** The peak resident memory (RSS) of a process only grows,
//! so measuring both phases in one process would blur them together. Each phase therefore runs
//! in its own child process: the binary re-runs itself with a hidden `scale-child` subcommand,
//! which reports its own peak RSS (`getrusage(RUSAGE_SELF).ru_maxrss`, the kernel's `VmHWM`)
//! as one line of JSON. A child that spawns nothing gives the baseline of an idle process of the
//! same kind (with or without a tokio runtime), and the memory per thread or per task is
//! `(peak - baseline) / count`. That figure includes everything a spawned unit costs: its stack
//! or its task allocation, and its `JoinHandle` kept in a `Vec` until the end.
//!
//! Every unit counts itself alive, waits at a start gate until the last one is spawned, then
//! sleeps. Without the gate, spawning 10,000 threads on a busy machine can outlast the sleep,
//! the first threads would be gone before the last arrived, and the peak would be that of fewer
//! threads than asked for. The child reports the most units alive at once, so the report shows
//! that the peak really is `count` units.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::{BAD, GOOD, human, note, paint, say, thousands};

/// What a phase spawns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `std::thread` threads.
    Threads,
    /// tokio tasks on a multi-threaded runtime.
    Tasks,
}

impl Kind {
    /// The name used on the command line and in the child's JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Threads => "threads",
            Kind::Tasks => "tasks",
        }
    }
}

/// What one child process measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// How many units were asked for.
    pub count: usize,
    /// How many were actually spawned (fewer if spawning failed).
    pub spawned: usize,
    /// The most units alive at one time.
    pub peak_alive: usize,
    /// Time to spawn them all.
    pub spawn_seconds: f64,
    /// Time from the first spawn until every unit had finished.
    pub seconds: f64,
    /// Peak resident memory of the child, in KiB (`None` where the OS does not say).
    pub peak_rss_kib: Option<u64>,
    /// Peak virtual memory (address space) of the child, in KiB (Linux only).
    pub peak_virtual_kib: Option<u64>,
    /// Why spawning stopped early, if it did.
    pub error: Option<String>,
}

/// A unit of work: count in, sleep, count out.
struct Alive {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Alive {
    fn new() -> Alive {
        Alive {
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Run one phase in this process (the hidden `scale-child` subcommand).
pub fn child_run(
    kind: Kind,
    count: usize,
    sleep: Duration,
    stack_kib: Option<usize>,
) -> Result<Phase> {
    let alive = Arc::new(Alive::new());
    let start = Instant::now();
    let (spawned, spawn_time, error) = match kind {
        Kind::Threads => run_threads(&alive, count, sleep, stack_kib),
        Kind::Tasks => run_tasks(&alive, count, sleep)?,
    };
    Ok(Phase {
        count,
        spawned,
        peak_alive: alive.peak.load(Ordering::Relaxed),
        spawn_seconds: spawn_time.as_secs_f64(),
        seconds: start.elapsed().as_secs_f64(),
        peak_rss_kib: crate::rusage::peak_rss_kib(),
        peak_virtual_kib: proc_status_kib("VmPeak:"),
        error,
    })
}

/// A start gate for threads: closed while the threads are being spawned, then opened once.
///
/// Every thread counts itself alive, then waits at the gate, then sleeps. Without the gate,
/// the first threads would be done sleeping before the last were spawned (spawning 10,000
/// threads can take longer than the sleep on a busy machine), and the peak memory would be that
/// of fewer threads than asked for.
///
/// The gate is an `AtomicBool` plus `thread::park`: each thread parks until the flag is set, and
/// the spawner unparks them one by one. (A `Condvar::notify_all` would wake all 10,000 at once
/// to fight over one mutex, which costs more than the sleep being measured.)
struct Gate {
    open: AtomicBool,
}

impl Gate {
    fn wait(&self) {
        // park() may return early (spuriously, or from an unpark before the flag was set):
        // check the flag each time.
        while !self.open.load(Ordering::Acquire) {
            thread::park();
        }
    }
    fn open<'scope, T>(&self, threads: &[thread::ScopedJoinHandle<'scope, T>]) {
        self.open.store(true, Ordering::Release);
        for handle in threads {
            handle.thread().unpark();
        }
    }
}

fn run_threads(
    alive: &Alive,
    count: usize,
    sleep: Duration,
    stack_kib: Option<usize>,
) -> (usize, Duration, Option<String>) {
    let gate = Gate {
        open: AtomicBool::new(false),
    };
    let start = Instant::now();
    let mut spawn_time = Duration::ZERO;
    let mut error = None;
    let mut spawned = 0;
    // Scoped threads borrow `alive` and `gate`; the scope joins them all before it returns.
    thread::scope(|s| {
        let mut handles = Vec::with_capacity(count);
        for i in 0..count {
            let mut builder = thread::Builder::new();
            if let Some(kib) = stack_kib {
                builder = builder.stack_size(kib.saturating_mul(1024));
            }
            let gate = &gate;
            // thread::spawn panics when the OS refuses; Builder::spawn returns the error.
            match builder.spawn_scoped(s, move || {
                alive.enter();
                gate.wait();
                thread::sleep(sleep);
                alive.leave();
            }) {
                Ok(handle) => handles.push(handle),
                Err(err) => {
                    error = Some(format!(
                        "could not spawn thread {} of {}: {err}",
                        thousands(i as u64 + 1),
                        thousands(count as u64)
                    ));
                    break;
                }
            }
        }
        spawned = handles.len();
        spawn_time = start.elapsed();
        // Open the gate even after a failure, or the threads already spawned would wait forever.
        gate.open(&handles);
        for handle in handles {
            if handle.join().is_err() && error.is_none() {
                error = Some("a sleeping thread panicked".to_string());
            }
        }
    });
    (spawned, spawn_time, error)
}

fn run_tasks(
    alive: &Arc<Alive>,
    count: usize,
    sleep: Duration,
) -> Result<(usize, Duration, Option<String>)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime")?;
    runtime.block_on(async {
        // The tasks' start gate: a semaphore with no permits until every task is spawned.
        let gate = Arc::new(Semaphore::new(0));
        let start = Instant::now();
        let mut handles = Vec::with_capacity(count);
        for _ in 0..count {
            // Tasks must be 'static (the runtime may run them after this function returns),
            // hence the Arcs here where the threads could borrow.
            let alive = Arc::clone(alive);
            let gate = Arc::clone(&gate);
            // asyncio.create_task -> tokio::spawn
            handles.push(tokio::spawn(async move {
                alive.enter();
                // The permit goes straight back: this only waits for the gate to open.
                drop(gate.acquire().await);
                // await asyncio.sleep(...) -> tokio::time::sleep(...).await
                tokio::time::sleep(sleep).await;
                alive.leave();
            }));
        }
        let spawn_time = start.elapsed();
        gate.add_permits(count.max(1));
        let mut error = None;
        for handle in handles {
            if let Err(err) = handle.await {
                error.get_or_insert_with(|| format!("a task failed: {err}"));
            }
        }
        Ok((count, spawn_time, error))
    })
}

/// A `kB` field of `/proc/self/status` (Linux), e.g. `VmPeak:`.
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The machine's limits on threads, where it tells them.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// `ulimit -u`: processes (threads count too) per user; `None` = unlimited or unknown.
    pub max_user_processes: Option<u64>,
    /// `/proc/sys/kernel/threads-max`: threads on the whole system.
    pub threads_max: Option<u64>,
    /// `/proc/sys/kernel/pid_max`: every thread takes an id below this.
    pub pid_max: Option<u64>,
    /// `/proc/sys/vm/max_map_count`: memory mappings per process; each thread stack takes two.
    pub max_map_count: Option<u64>,
}

impl Limits {
    /// Read the limits of this machine.
    pub fn read() -> Limits {
        let proc_number = |path: &str| {
            std::fs::read_to_string(path)
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
        };
        Limits {
            max_user_processes: max_user_processes(),
            threads_max: proc_number("/proc/sys/kernel/threads-max"),
            pid_max: proc_number("/proc/sys/kernel/pid_max"),
            max_map_count: proc_number("/proc/sys/vm/max_map_count"),
        }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let show = |v: Option<u64>| v.map_or_else(|| "unknown/unlimited".to_string(), thousands);
        format!(
            "ulimit -u = {}, threads-max = {}, pid_max = {}, max_map_count = {} (2 per thread)",
            show(self.max_user_processes),
            show(self.threads_max),
            show(self.pid_max),
            show(self.max_map_count)
        )
    }

    /// The fewest threads one of these limits allows (other processes use some of them too).
    pub fn thread_ceiling(&self) -> Option<u64> {
        [
            self.max_user_processes,
            self.threads_max,
            self.pid_max,
            self.max_map_count.map(|m| m / 2),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

#[cfg(unix)]
fn max_user_processes() -> Option<u64> {
    // SAFETY: getrlimit writes into the struct we pass; an all-zero `rlimit` is valid.
    let limit = unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NPROC, &mut limit) != 0 {
            return None;
        }
        limit
    };
    (limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn max_user_processes() -> Option<u64> {
    None
}

/// The child's report as one line of JSON.
pub fn phase_json(phase: &Phase) -> String {
    json!({
        "count": phase.count,
        "spawned": phase.spawned,
        "peak_alive": phase.peak_alive,
        "spawn_seconds": phase.spawn_seconds,
        "seconds": phase.seconds,
        "peak_rss_kib": phase.peak_rss_kib,
        "peak_virtual_kib": phase.peak_virtual_kib,
        "error": phase.error,
    })
    .to_string()
}

/// Parse a child's JSON line back into a [`Phase`].
pub fn parse_phase(line: &str) -> Result<Phase> {
    let v: Value = serde_json::from_str(line).context("the child's report is not JSON")?;
    let int = |key: &str| {
        v[key]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| anyhow!("the child's report has no `{key}`"))
    };
    let float = |key: &str| {
        v[key]
            .as_f64()
            .ok_or_else(|| anyhow!("the child's report has no `{key}`"))
    };
    Ok(Phase {
        count: int("count")?,
        spawned: int("spawned")?,
        peak_alive: int("peak_alive")?,
        spawn_seconds: float("spawn_seconds")?,
        seconds: float("seconds")?,
        peak_rss_kib: v["peak_rss_kib"].as_u64(),
        peak_virtual_kib: v["peak_virtual_kib"].as_u64(),
        error: v["error"].as_str().map(str::to_string),
    })
}

/// Run one phase in a fresh child process (this binary, hidden `scale-child` subcommand).
pub fn run_child(
    kind: Kind,
    count: usize,
    sleep: Duration,
    stack_kib: Option<usize>,
) -> Result<Phase> {
    let exe = std::env::current_exe().context("could not find this program to re-run it")?;
    let mut cmd = Command::new(exe);
    cmd.args([
        "scale-child",
        "--kind",
        kind.name(),
        "--count",
        &count.to_string(),
        "--sleep-us",
        &sleep.as_micros().to_string(),
    ]);
    if let Some(kib) = stack_kib {
        cmd.args(["--stack-kib", &kib.to_string()]);
    }
    // The child's lifeline: it reads its stdin, the read end of this pipe, and exits when the
    // pipe closes. The kernel closes our end however this process ends (returning, Ctrl-C,
    // SIGTERM, even SIGKILL), so a child with thousands of threads never outlives its parent.
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start the child process for {}", kind.name()))?;
    let lifeline = child.stdin.take();
    let output = child
        .wait_with_output()
        .with_context(|| format!("could not read the {} child's report", kind.name()))?;
    drop(lifeline);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "the {} child process failed ({}): {}",
            kind.name(),
            output.status,
            stderr.trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    parse_phase(line)
}

/// Wait, on a thread of its own, until the parent that started this child process goes away,
/// then call `then` (the binary exits there).
///
/// [`run_child`] keeps the write end of this process's stdin open for as long as it lives; when
/// stdin reaches its end, or fails, the parent is gone.
pub fn when_parent_goes(then: impl FnOnce() + Send + 'static) {
    thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        then();
    });
}

/// Memory per unit in bytes: `(peak - baseline) / spawned`.
pub fn bytes_per_unit(phase: &Phase, baseline: &Phase) -> Option<f64> {
    let (peak, base) = (phase.peak_rss_kib?, baseline.peak_rss_kib?);
    (phase.spawned > 0).then(|| (peak.saturating_sub(base) as f64 * 1024.0) / phase.spawned as f64)
}

/// The closing line of the lesson, and whether tasks came out cheaper.
///
/// With a handful of units the per-unit figures are swamped by fixed costs (a page of heap, a
/// runtime's first allocation), and a task can even come out dearer than a thread; the line
/// says so instead of printing "0.6x below".
pub fn compare_memory(per_thread: f64, per_task: f64) -> (bool, String) {
    if per_task > 0.0 && per_thread >= per_task {
        (
            true,
            format!(
                "memory per task is {:.1}x below memory per thread",
                per_thread / per_task
            ),
        )
    } else if per_task <= 0.0 && per_thread > 0.0 {
        (
            true,
            format!(
                "memory per task is too small to measure with so few tasks (0 B), vs {} per thread",
                bytes(per_thread)
            ),
        )
    } else {
        (
            false,
            format!(
                "memory per task ({}) is not below memory per thread ({}) here: with so few \
                 units, fixed costs swamp the figures (try the defaults)",
                bytes(per_task),
                bytes(per_thread)
            ),
        )
    }
}

fn bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / 1024.0 / 1024.0 / 1024.0)
    } else if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

fn kib(k: Option<u64>) -> String {
    k.map_or_else(|| "unknown".to_string(), |k| bytes(k as f64 * 1024.0))
}

/// Measure one kind: a baseline child and a loaded child; print the results.
fn phase_report(
    kind: Kind,
    count: usize,
    sleep: Duration,
    stack_kib: Option<usize>,
) -> Result<(Phase, Option<f64>)> {
    let baseline = run_child(kind, 0, sleep, stack_kib)?;
    let phase = run_child(kind, count, sleep, stack_kib)?;
    let per_spawn = phase.spawn_seconds / phase.spawned.max(1) as f64;
    say(format!(
        "  spawned {} in {} ({:.2} µs each); all finished after {}; {} alive at the peak",
        thousands(phase.spawned as u64),
        human(Duration::from_secs_f64(phase.spawn_seconds)),
        per_spawn * 1e6,
        human(Duration::from_secs_f64(phase.seconds)),
        thousands(phase.peak_alive as u64),
    ));
    if phase.peak_alive < phase.spawned {
        say(paint(
            BAD,
            "  not all of them were alive at once: the memory per unit is understated",
        ));
    }
    let per = bytes_per_unit(&phase, &baseline);
    say(format!(
        "  peak memory (RSS) {} vs {} for the same process spawning nothing: {} per {}",
        kib(phase.peak_rss_kib),
        kib(baseline.peak_rss_kib),
        per.map_or_else(|| "unknown".to_string(), bytes),
        if kind == Kind::Threads {
            "thread"
        } else {
            "task"
        },
    ));
    if let (Kind::Threads, Some(v), Some(b)) =
        (kind, phase.peak_virtual_kib, baseline.peak_virtual_kib)
    {
        note(format!(
            "  address space reserved at the peak: {} (mostly untouched, so not memory in use)",
            bytes(v.saturating_sub(b) as f64 * 1024.0)
        ));
    }
    if let Some(err) = &phase.error {
        say(paint(BAD, format!("  {err}")));
    }
    Ok((phase, per))
}

/// The lesson: `threads` threads, then `tasks` tasks, each sleeping `sleep`.
pub fn lesson(
    threads: usize,
    tasks: usize,
    sleep: Duration,
    stack_kib: Option<usize>,
) -> Result<()> {
    if crate::DEBUG_BUILD {
        say(paint(
            BAD,
            "debug build: timings are not representative; use `cargo run --release`",
        ));
    }
    let limits = Limits::read();
    say(format!("limits on threads here: {}", limits.describe()));
    if let Some(ceiling) = limits.thread_ceiling()
        && threads as u64 > ceiling
    {
        say(paint(
            BAD,
            format!(
                "  {} threads is above this machine's limit of about {}: expect a failure",
                thousands(threads as u64),
                thousands(ceiling)
            ),
        ));
    }

    say(format!(
        "{} threads, each sleeping {} (stack: {})...",
        thousands(threads as u64),
        human(sleep),
        stack_kib.map_or_else(
            || "Rust's default, 2 MiB reserved".to_string(),
            |k| format!("{} KiB reserved", thousands(k as u64))
        )
    ));
    let (thread_phase, per_thread) = phase_report(Kind::Threads, threads, sleep, stack_kib)?;

    say(format!(
        "{} tokio tasks, each sleeping {}...",
        thousands(tasks as u64),
        human(sleep)
    ));
    let (_, per_task) = phase_report(Kind::Tasks, tasks, sleep, None)?;

    if let (Some(t), Some(k)) = (per_thread, per_task) {
        let (below, line) = compare_memory(t, k);
        say(paint(if below { GOOD } else { BAD }, line));
    }
    if let Some(err) = thread_phase.error {
        bail!(
            "{err}; only {} of {} threads ran (limits: {})",
            thousands(thread_phase.spawned as u64),
            thousands(threads as u64),
            limits.describe()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_phase_counts_every_thread_alive_at_once() {
        let phase = child_run(Kind::Threads, 50, Duration::from_millis(300), None).unwrap();
        assert_eq!(phase.spawned, 50);
        assert_eq!(phase.peak_alive, 50);
        assert!(phase.seconds >= 0.3);
        assert!(phase.error.is_none());
    }

    #[test]
    fn a_task_phase_counts_every_task_alive_at_once() {
        let phase = child_run(Kind::Tasks, 1000, Duration::from_millis(300), None).unwrap();
        assert_eq!(phase.spawned, 1000);
        assert_eq!(phase.peak_alive, 1000);
        assert!(phase.seconds >= 0.3);
    }

    #[test]
    fn an_impossible_stack_is_a_reported_error_not_a_panic() {
        // 1 TiB of stack: more than any machine here can reserve.
        let phase = child_run(Kind::Threads, 3, Duration::ZERO, Some(1 << 30)).unwrap();
        assert_eq!(phase.spawned, 0);
        let err = phase.error.unwrap();
        assert!(err.starts_with("could not spawn thread 1 of 3:"), "{err}");
    }

    #[test]
    fn the_report_survives_a_json_round_trip() {
        let phase = Phase {
            count: 10,
            spawned: 9,
            peak_alive: 8,
            spawn_seconds: 0.5,
            seconds: 1.5,
            peak_rss_kib: Some(1234),
            peak_virtual_kib: None,
            error: Some("no".into()),
        };
        assert_eq!(parse_phase(&phase_json(&phase)).unwrap(), phase);
    }

    #[test]
    fn the_comparison_never_says_a_fraction_below() {
        let (below, line) = compare_memory(9830.0, 455.0);
        assert!(below);
        assert_eq!(line, "memory per task is 21.6x below memory per thread");
        // Ten tasks, ten threads: a task came out dearer; say so plainly.
        let (below, line) = compare_memory(25.0 * 1024.0, 42.0 * 1024.0);
        assert!(!below);
        assert!(
            line.starts_with(
                "memory per task (42.0 KiB) is not below memory per thread (25.0 KiB)"
            ),
            "{line}"
        );
        // Nothing measurable on either side is not "0.0x below" either.
        assert!(!compare_memory(0.0, 0.0).0);
        // No growth at all for a few tasks: below, but not by a ratio anyone can quote.
        let (below, line) = compare_memory(18.0 * 1024.0, 0.0);
        assert!(below);
        assert!(line.contains("too small to measure"), "{line}");
    }

    #[test]
    fn per_unit_memory_subtracts_the_baseline() {
        let mut base = Phase {
            count: 0,
            spawned: 0,
            peak_alive: 0,
            spawn_seconds: 0.0,
            seconds: 0.0,
            peak_rss_kib: Some(1000),
            peak_virtual_kib: None,
            error: None,
        };
        let mut loaded = base.clone();
        loaded.spawned = 512;
        loaded.peak_rss_kib = Some(1512);
        assert_eq!(bytes_per_unit(&loaded, &base), Some(1024.0));
        base.peak_rss_kib = None;
        assert_eq!(bytes_per_unit(&loaded, &base), None);
    }
}
