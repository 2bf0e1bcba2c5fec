//! The course's endless loop, run on one thread and then on one thread per core, with the
//! usage of every core sampled while it runs.
//!
//! Rust has no GIL, so phase 2's threads really do run at the same time, and both the bars and
//! the increments per second show it; Python threads would not. This module measures and never
//! draws: it hands every [`Sample`] to a callback, and the `display` module draws it.

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sysinfo::{CpuRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, RefreshKind, System};

use crate::usage::{average_per_core, busy_cores, cores_used, per_second};

/// Increments between two looks at the stop flag: a fraction of a millisecond.
const CHUNK: u64 = 1 << 16;

/// How often the per-core usage is read; `sysinfo` wants at least 200 ms between two reads.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(250);

// ANCHOR: count
/// The course's loop, `x = 10`, then `x += 1` forever, until `stop` is set. Every chunk it
/// publishes how far it got in `progress`, and at the end it returns how many increments it made.
pub fn count(stop: &AtomicBool, progress: &AtomicU64) -> u64 {
    let mut x: u64 = 10;
    // `while True` -> a loop that looks at a shared flag now and then, so it can be stopped.
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..CHUNK {
            // black_box: "pretend you cannot see this value". Without it the optimizer turns
            // 65,536 additions into one, and the loop would measure nothing.
            x = black_box(x + 1);
        }
        progress.store(x - 10, Ordering::Relaxed);
    }
    x - 10
}
// ANCHOR_END: count

/// `--print`: the same loop with the course's `print(x)` on every step; a failed write ends it.
pub fn count_printing(stop: &AtomicBool, progress: &AtomicU64) -> io::Result<u64> {
    let mut x: u64 = 10;
    while !stop.load(Ordering::Relaxed) {
        // One lock a chunk keeps lines whole and lets other threads have stdout in between.
        let mut out = io::stdout().lock();
        for _ in 0..256 {
            x += 1;
            writeln!(out, "{x}")?;
        }
        progress.store(x - 10, Ordering::Relaxed);
    }
    Ok(x - 10)
}

/// One look at the machine while a phase runs, four a second, handed to the caller.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Which phase: "phase 1", "phase 2" or "the endless loop", and on how many threads.
    pub phase: &'static str,
    pub threads: usize,
    /// Usage of every core since the previous sample, in percent.
    pub usage: Vec<f32>,
    /// Time since the phase started, and how long it runs (`None`: until Ctrl-C).
    pub elapsed: Duration,
    pub limit: Option<Duration>,
    /// Increments so far, all threads together, and which sample this is: 1, 2, 3...
    pub done: u64,
    pub tick: u64,
}

/// What one phase measured.
#[derive(Clone, Debug)]
pub struct Phase {
    pub threads: usize,
    /// Whether the loop printed every number (`--print`).
    pub printed: bool,
    pub wall: Duration,
    /// Increments summed over all threads.
    pub increments: u64,
    /// Average usage of every core over the phase, in percent.
    pub per_core: Vec<f32>,
    /// Cores whose average was above 50%.
    pub busy_cores: usize,
    /// CPU time of this process divided by wall time, if known.
    pub own_cores: Option<f64>,
}

impl Phase {
    pub fn increments_per_sec(&self) -> f64 {
        per_second(self.increments, self.wall)
    }
}

/// The whole run: what `--json` prints and what the summary is made of.
#[derive(Clone, Debug)]
pub struct Report {
    pub cores: usize,
    pub phases: Vec<Phase>,
    /// Whether Ctrl-C ended the run.
    pub interrupted: bool,
}

impl Report {
    /// Phase 2's increments per second over phase 1's, when both ran.
    pub fn ratio(&self) -> Option<f64> {
        let [one, two] = self.phases.as_slice() else {
            return None;
        };
        Some(two.increments_per_sec() / one.increments_per_sec())
    }

    /// The one JSON object `--json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let phases: Vec<_> = (self.phases.iter())
            .map(|p| {
                serde_json::json!({
                    "threads": p.threads,
                    "busy_cores": p.busy_cores,
                    "increments_per_sec": p.increments_per_sec().round(),
                })
            })
            .collect();
        serde_json::json!({ "cores": self.cores, "phases": phases })
    }
}

/// Runs the lesson. `seconds: None` is the course's endless loop on one thread until Ctrl-C;
/// otherwise phase 1 runs on one thread and phase 2 on one thread per core, or, with `print`,
/// phase 1 prints every number and phase 2 is the same thread without printing. `interrupted`
/// is set by the Ctrl-C handler. An error from `on_sample` (stdout is full) stops the run.
pub fn run(
    seconds: Option<u64>,
    print: bool,
    interrupted: &AtomicBool,
    mut on_sample: impl FnMut(&Sample) -> io::Result<()>,
) -> Result<Report> {
    let mut meter = CpuMeter::new()?;
    // os.cpu_count() -> std::thread::available_parallelism (it also respects CPU limits).
    let threads = thread::available_parallelism().map_or(meter.cores(), |n| n.get());
    let plans = match seconds {
        None => vec![("the endless loop", 1, false)],
        Some(_) if print => vec![("phase 1", 1, true), ("phase 2", 1, false)],
        Some(_) => vec![("phase 1", 1, false), ("phase 2", threads, false)],
    };
    let limit = seconds.map(Duration::from_secs);
    let mut phases = Vec::new();
    for (name, threads, print) in plans {
        if !interrupted.load(Ordering::Relaxed) {
            let phase = (name, threads, limit, print);
            phases.push(run_phase(&mut meter, phase, interrupted, &mut on_sample)?);
        }
    }
    Ok(Report {
        cores: meter.cores(),
        phases,
        interrupted: interrupted.load(Ordering::Relaxed),
    })
}

/// One thread's progress, alone on its cache line so that threads publishing their counts do
/// not slow each other down ("false sharing").
#[repr(align(128))]
struct Progress(AtomicU64);

/// Sets the flag when dropped: however a phase ends (time up, an error, a panic), the counting
/// threads are told to stop, so the scope that waits for them can end.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs [`count`] (or [`count_printing`]) on `threads` threads until `limit` passes, Ctrl-C,
/// or a write fails, handing a [`Sample`] to `on_sample` every [`SAMPLE_EVERY`].
fn run_phase(
    meter: &mut CpuMeter,
    (name, threads, limit, print): (&'static str, usize, Option<Duration>, bool),
    interrupted: &AtomicBool,
    on_sample: &mut impl FnMut(&Sample) -> io::Result<()>,
) -> Result<Phase> {
    let stop = AtomicBool::new(false);
    let progress: Vec<Progress> = (0..threads).map(|_| Progress(AtomicU64::new(0))).collect();
    let mut samples = Vec::new();
    let cpu_before = meter.process_cpu_time();
    meter.sample(); // usage is measured from here
    let start = Instant::now();

    // threading.Thread(target=...) -> std::thread; a *scoped* thread may borrow `stop` and
    // `progress`, because the scope waits for every thread before it returns.
    let (counted, shown) = thread::scope(|scope| {
        let _stop_on_exit = StopOnDrop(&stop);
        let handles: Vec<_> = (progress.iter())
            .map(|p| {
                let stop = &stop;
                scope.spawn(move || match print {
                    false => Ok(count(stop, &p.0)),
                    true => count_printing(stop, &p.0).inspect_err(|_| {
                        stop.store(true, Ordering::Relaxed); // the sampler stops too
                    }),
                })
            })
            .collect();
        // Samples are due at fixed times (start + 250 ms, 500 ms, ...), so a late wake-up does
        // not push every later sample back: a phase of N s takes 4N samples.
        let ticks = limit.map(|l| (l.as_millis() / SAMPLE_EVERY.as_millis()) as u64);
        let mut shown = Ok(());
        for tick in 1.. {
            let due = start + SAMPLE_EVERY * tick as u32;
            thread::sleep(due.saturating_duration_since(Instant::now()));
            let sample = Sample {
                phase: name,
                threads,
                usage: meter.sample(),
                elapsed: start.elapsed(),
                limit,
                done: progress.iter().map(|p| p.0.load(Ordering::Relaxed)).sum(),
                tick,
            };
            samples.push(sample.usage.clone());
            shown = on_sample(&sample);
            let time_up = ticks.is_some_and(|t| tick >= t);
            // `stop` is set early when a printing thread failed.
            let ended = interrupted.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed);
            if shown.is_err() || time_up || ended {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        let counted: io::Result<u64> = (handles.into_iter())
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a thread panicked")))
            })
            .sum();
        (counted, shown)
    });
    let wall = start.elapsed();
    let cpu_after = meter.process_cpu_time();
    let increments = counted.context("could not print the numbers")?;
    shown.context("could not write to stdout")?;

    let per_core = average_per_core(&samples, meter.cores());
    Ok(Phase {
        threads,
        printed: print,
        wall,
        increments,
        busy_cores: busy_cores(&per_core),
        per_core,
        own_cores: cpu_before
            .zip(cpu_after)
            .map(|(before, after)| cores_used(after.saturating_sub(before), wall)),
    })
}

/// Reads per-core usage (and this process's CPU time) through `sysinfo`, which subtracts the
/// kernel's counters between two reads (see the `usage` module).
struct CpuMeter {
    system: System,
    /// Without our own pid we only lose the "this program used N cores" figure.
    pid: Option<Pid>,
}

impl CpuMeter {
    fn new() -> Result<Self> {
        let refresh = RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing().with_usage());
        let system = System::new_with_specifics(refresh)
            .map_err(|e| anyhow::anyhow!("could not read CPU usage from the system: {e}"))?;
        if system.cpus().is_empty() {
            bail!(
                "could not read per-core CPU usage: the system reported no cores (is /proc mounted?)"
            );
        }
        let pid = sysinfo::get_current_pid().ok();
        Ok(CpuMeter { system, pid })
    }

    fn cores(&self) -> usize {
        self.system.cpus().len()
    }

    /// Usage of every core since the previous call, in percent.
    fn sample(&mut self) -> Vec<f32> {
        self.system.refresh_cpu_usage();
        self.system.cpus().iter().map(|c| c.usage()).collect()
    }

    /// Total CPU time this process has used so far, if the system tells us.
    fn process_cpu_time(&mut self) -> Option<Duration> {
        let pid = self.pid?;
        let what = ProcessRefreshKind::nothing().with_cpu();
        (self.system).refresh_processes_specifics(ProcessesToUpdate::Some(&[pid]), false, what);
        let millis = self.system.process(pid)?.accumulated_cpu_time();
        Some(Duration::from_millis(millis))
    }
}
