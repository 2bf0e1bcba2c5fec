//! The course's endless loop, run on one thread and then on one thread per core, with the
//! usage of every core sampled while it runs.
//!
//! The Python of session 2 is
//!
//! ```python
//! x = 10
//! while True:
//!   x += 1
//!   print(x)
//! ```
//!
//! and the course's two task-manager screenshots show 1 of 14 cores busy while it runs.
//! Here the same loop runs for a fixed time (or until Ctrl-C with `--forever`) while the main
//! thread reads the per-core usage four times a second and draws it. Phase 2 runs the loop on
//! one OS thread per core. Rust has no GIL, so those threads really do run at the same time,
//! and both the bars and the increments per second show it; Python threads would not.
//!
//! Why the loop needs `std::hint::black_box`: an optimizing compiler sees that `x += 1` a
//! million times is `x += 1_000_000` and would replace the loop with one addition. `black_box`
//! tells it "pretend you cannot see through this value", so every increment really happens,
//! as it does in the Python.

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use serde::Serialize;
use sysinfo::{CpuRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, RefreshKind, System};

use crate::display::{Display, Frame, announce, finish_line, show};
use crate::usage::{average_per_core, busy_cores, cores_used, per_second};

/// How often the main thread reads the per-core usage. `sysinfo` needs at least
/// `sysinfo::MINIMUM_CPU_UPDATE_INTERVAL` (200 ms on Linux) between two reads.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(250);

/// Increments between two looks at the "stop" flag: small enough to stop within a fraction of a
/// millisecond, large enough that the check costs nothing next to the counting.
const CHUNK: u64 = 1 << 16;

/// With `--print`, numbers printed between two looks at the "stop" flag.
const PRINT_CHUNK: u64 = 256;

/// Reads per-core usage (and this process's CPU time) through `sysinfo`.
pub struct CpuMeter {
    system: System,
    pid: Option<Pid>,
}

impl CpuMeter {
    /// Takes the first snapshot of the counters; usage is measured from here on.
    pub fn new() -> Result<Self> {
        let refresh = RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing().with_usage());
        let system = System::new_with_specifics(refresh)
            .map_err(|e| anyhow!("could not read CPU usage from the system: {e}"))?;
        if system.cpus().is_empty() {
            return Err(anyhow!(
                "could not read per-core CPU usage: the system reported no cores (is /proc mounted?)"
            ));
        }
        let mut meter = CpuMeter {
            system,
            // Without our own pid we only lose the "this program used N cores" figure.
            pid: sysinfo::get_current_pid().ok(),
        };
        meter.process_cpu_time();
        Ok(meter)
    }

    /// Number of cores the system reports (one bar each).
    pub fn cores(&self) -> usize {
        self.system.cpus().len()
    }

    /// Usage of every core since the previous call, in percent (sysinfo does the subtraction
    /// of counters; see the `usage` module).
    pub fn sample(&mut self) -> Vec<f32> {
        self.system.refresh_cpu_usage();
        self.system.cpus().iter().map(|c| c.usage()).collect()
    }

    /// Total CPU time this process has used so far, if the system tells us.
    pub fn process_cpu_time(&mut self) -> Option<Duration> {
        let pid = self.pid?;
        self.system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&[pid]),
            false,
            ProcessRefreshKind::nothing().with_cpu(),
        );
        let millis = self.system.process(pid)?.accumulated_cpu_time();
        Some(Duration::from_millis(millis))
    }
}

/// What one phase measured.
#[derive(Clone, Debug)]
pub struct Phase {
    /// Threads running the loop.
    pub threads: usize,
    /// Wall time the loop ran.
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
    /// Increments per second over all threads.
    pub fn increments_per_sec(&self) -> f64 {
        per_second(self.increments, self.wall)
    }
}

/// The whole run: what `--json` prints and what the summary is made of.
#[derive(Clone, Debug)]
pub struct Report {
    /// Cores the system reports.
    pub cores: usize,
    /// Phase 1 (one thread), then phase 2 (one thread per core) unless stopped early.
    pub phases: Vec<Phase>,
    /// With `--print`: the same loop on one thread, not printing, for one second.
    pub reference: Option<Phase>,
    /// Whether Ctrl-C ended the run.
    pub interrupted: bool,
    /// Whether every number was printed (`--print`).
    pub printed: bool,
}

/// The `--json` object: `{"cores":N,"phases":[{"threads":1,"busy_cores":..,"increments_per_sec":..},..]}`.
#[derive(Serialize)]
struct JsonReport {
    cores: usize,
    phases: Vec<JsonPhase>,
}

#[derive(Serialize)]
struct JsonPhase {
    threads: usize,
    busy_cores: usize,
    increments_per_sec: f64,
}

impl Report {
    /// Phase 2's increments per second over phase 1's, when both ran.
    pub fn ratio(&self) -> Option<f64> {
        match self.phases.as_slice() {
            [one, many, ..] if one.increments > 0 => {
                Some(many.increments_per_sec() / one.increments_per_sec())
            }
            _ => None,
        }
    }

    /// The one JSON object `--json` prints.
    pub fn to_json(&self) -> Result<String> {
        let json = JsonReport {
            cores: self.cores,
            phases: self
                .phases
                .iter()
                .map(|p| JsonPhase {
                    threads: p.threads,
                    busy_cores: p.busy_cores,
                    increments_per_sec: p.increments_per_sec().round(),
                })
                .collect(),
        };
        serde_json::to_string(&json).context("could not write the report as JSON")
    }
}

/// What the learner asked for on the command line.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Seconds per phase; `None` runs phase 1 until Ctrl-C (`--forever`).
    pub seconds: Option<u64>,
    /// Print every number, as the Python does.
    pub print: bool,
    /// How to show progress.
    pub display: Display,
}

/// Runs the lesson: phase 1 on one thread, phase 2 on one thread per core (skipped with
/// `--forever` or after Ctrl-C). `interrupted` is set by the Ctrl-C handler.
pub fn run(options: Options, interrupted: &AtomicBool) -> Result<Report> {
    let mut meter = CpuMeter::new()?;
    let cores = meter.cores();
    // os.cpu_count() -> std::thread::available_parallelism (it also respects CPU limits).
    let threads = thread::available_parallelism().map_or(cores, |n| n.get());
    let limit = options.seconds.map(Duration::from_secs);

    let mut phases = Vec::new();
    let plans = if limit.is_some() {
        vec![(1, "phase 1"), (threads, "phase 2")]
    } else {
        vec![(1, "the endless loop")]
    };
    for (n, name) in plans {
        if interrupted.load(Ordering::Relaxed) {
            break;
        }
        announce(options.display, name, n, limit);
        let phase = run_phase(&mut meter, n, limit, options, interrupted)?;
        finish_line(options.display, name, &phase);
        phases.push(phase);
    }

    let reference = if options.print && !interrupted.load(Ordering::Relaxed) {
        let quiet = Options {
            print: false,
            display: Display::Quiet,
            ..options
        };
        Some(run_phase(
            &mut meter,
            1,
            Some(Duration::from_secs(1)),
            quiet,
            interrupted,
        )?)
    } else {
        None
    };

    Ok(Report {
        cores,
        phases,
        reference,
        interrupted: interrupted.load(Ordering::Relaxed),
        printed: options.print,
    })
}

/// One thread's counter, alone on its cache line so that threads publishing their counts do
/// not slow each other down ("false sharing").
#[repr(align(128))]
struct Counter(AtomicU64);

/// Runs the loop on `threads` threads until `limit` passes (or Ctrl-C), sampling usage.
fn run_phase(
    meter: &mut CpuMeter,
    threads: usize,
    limit: Option<Duration>,
    options: Options,
    interrupted: &AtomicBool,
) -> Result<Phase> {
    let over = AtomicBool::new(false);
    let counters: Vec<Counter> = (0..threads).map(|_| Counter(AtomicU64::new(0))).collect();
    let mut samples = Vec::new();
    let mut drawn = false;
    let cpu_before = meter.process_cpu_time();
    // Start the usage measurement here. (sysinfo skips a read less than 200 ms after the
    // previous one, as right after the last phase; that interval then starts a few
    // milliseconds early, which is harmless.)
    meter.sample();
    let start = Instant::now();

    // threading.Thread(target=...) -> std::thread; a *scoped* thread may borrow `over` and
    // `counters`, because the scope waits for every thread before it returns.
    let results: Vec<io::Result<u64>> = thread::scope(|scope| {
        // If this thread panics below, the scope still waits for the counting threads, which
        // would then spin forever: on the way out, for any reason, tell them to stop.
        struct StopOnExit<'a>(&'a AtomicBool);
        impl Drop for StopOnExit<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let _stop_on_exit = StopOnExit(&over);
        let handles: Vec<_> = counters
            .iter()
            .map(|counter| {
                let over = &over;
                scope.spawn(move || {
                    let result = count(over, &counter.0, options.print);
                    if result.is_err() {
                        over.store(true, Ordering::Relaxed); // stop the others too
                    }
                    result
                })
            })
            .collect();

        // Samples are due at fixed times (start + 250 ms, + 500 ms, ...), so a late wake-up
        // does not push every later sample back, and a phase of N s takes exactly 4N samples.
        let ticks = limit.map(|l| (l.as_millis() / SAMPLE_EVERY.as_millis()) as u64);
        let mut tick = 0u64;
        loop {
            tick += 1;
            let due = start + SAMPLE_EVERY * tick as u32;
            thread::sleep(due.saturating_duration_since(Instant::now()));
            let usage = meter.sample();
            let done: u64 = counters.iter().map(|c| c.0.load(Ordering::Relaxed)).sum();
            let frame = Frame {
                usage: &usage,
                elapsed: start.elapsed(),
                limit,
                done,
                tick,
            };
            show(options.display, &frame, &mut drawn);
            samples.push(usage);
            let time_up = ticks.is_some_and(|t| tick >= t);
            if time_up || interrupted.load(Ordering::Relaxed) || over.load(Ordering::Relaxed) {
                break;
            }
        }
        over.store(true, Ordering::Relaxed);
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a counting thread panicked")))
            })
            .collect()
    });
    let wall = start.elapsed();
    let cpu_after = meter.process_cpu_time();

    let mut increments = 0;
    for result in results {
        increments += result.context("could not print the numbers")?;
    }
    let per_core = average_per_core(&samples, meter.cores());
    Ok(Phase {
        threads,
        wall,
        increments,
        busy_cores: busy_cores(&per_core),
        per_core,
        own_cores: match (cpu_before, cpu_after) {
            (Some(before), Some(after)) => Some(cores_used(after.saturating_sub(before), wall)),
            _ => None,
        },
    })
}

/// The course's loop: `x = 10; while True: x += 1` (and `print(x)` with `--print`), until
/// `over` is set. Returns how many increments it made.
fn count(over: &AtomicBool, published: &AtomicU64, print: bool) -> io::Result<u64> {
    let mut x: u64 = 10;
    // `while True` -> a loop that looks at a shared flag now and then, so it can be stopped.
    while !over.load(Ordering::Relaxed) {
        if print {
            // print(x) -> writeln!; Rust's stdout flushes at every newline, like Python's
            // print on a terminal. Taking the lock once per chunk keeps lines whole.
            let mut out = io::stdout().lock();
            for _ in 0..PRINT_CHUNK {
                x += 1;
                writeln!(out, "{x}")?;
            }
        } else {
            for _ in 0..CHUNK {
                x = black_box(x + 1);
            }
        }
        published.store(x - 10, Ordering::Relaxed);
    }
    Ok(x - 10)
}
