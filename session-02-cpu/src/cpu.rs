//! The course's endless loop, run on one thread and then on one thread per core, with the
//! usage of every core sampled while it runs.
//!
//! The course's `Infinity_loop.py` starts at 10 and adds 1 forever, printing each value, and its
//! two task-manager screenshots show 1 of 14 cores busy while it runs. Here the same loop runs
//! for a fixed time (or until Ctrl-C with `--forever`). Phase 2 runs it on one OS thread per
//! core. Rust has no GIL, so those threads really do run at the same time, and both the bars and
//! the increments per second show it; Python threads would not.
//!
//! This module measures and never draws: it hands every [`Event`] (a phase starts, a sample of
//! the per-core usage, a phase ends) to a callback, and the caller decides what to show. The
//! drawing lives in the `display` module, which depends on this one, never the reverse.

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use serde::Serialize;
use sysinfo::{CpuRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, RefreshKind, System};

use crate::usage::{average_per_core, busy_cores, cores_used, per_second};

/// Increments between two looks at the stop flag: small enough to stop within a fraction of a
/// millisecond, large enough that the check costs nothing next to the counting.
const CHUNK: u64 = 1 << 16;

/// With `--print`, numbers printed between two looks at the stop flag.
const PRINT_CHUNK: u64 = 256;

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

/// `--print`: the same loop with the course's `print(x)` on every step. A failed write (a full
/// disk, a reader that went away) ends it with the error.
pub fn count_printing(stop: &AtomicBool, progress: &AtomicU64) -> io::Result<u64> {
    let mut x: u64 = 10;
    while !stop.load(Ordering::Relaxed) {
        // print(x) -> writeln!; Rust's stdout flushes at every newline, like Python's print on
        // a terminal. Taking the lock once per chunk keeps lines whole.
        let mut out = io::stdout().lock();
        for _ in 0..PRINT_CHUNK {
            x += 1;
            writeln!(out, "{x}")?;
        }
        progress.store(x - 10, Ordering::Relaxed);
    }
    Ok(x - 10)
}

/// What the learner asked for on the command line.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Seconds per phase; `None` runs phase 1 until Ctrl-C (`--forever`).
    pub seconds: Option<u64>,
    /// Print every number, as the Python does.
    pub print: bool,
}

/// What happens while the lesson runs, in order, handed to the caller's callback.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A phase starts: its name, its threads, how long it runs (`None`: until Ctrl-C).
    Started {
        name: &'a str,
        threads: usize,
        limit: Option<Duration>,
    },
    /// A sample of the per-core usage, four a second.
    Sample(&'a Sample),
    /// A phase is over.
    Finished { name: &'a str, phase: &'a Phase },
}

/// One look at the machine while a phase runs.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Usage of every core since the previous sample, in percent.
    pub usage: Vec<f32>,
    /// Time since the phase started.
    pub elapsed: Duration,
    /// How long the phase runs (`None`: until Ctrl-C).
    pub limit: Option<Duration>,
    /// Increments so far, all threads together.
    pub done: u64,
    /// Which sample this is: 1, 2, 3...
    pub tick: u64,
}

/// Runs the lesson: phase 1 on one thread, phase 2 on one thread per core (only phase 1, until
/// Ctrl-C, with `--forever`). `interrupted` is set by the Ctrl-C handler. Every [`Event`] goes
/// to `on_event`; an error from it (stdout is full) stops the run and is returned.
pub fn run(
    options: Options,
    interrupted: &AtomicBool,
    mut on_event: impl FnMut(Event<'_>) -> io::Result<()>,
) -> Result<Report> {
    let mut meter = CpuMeter::new()?;
    let cores = meter.cores();
    // os.cpu_count() -> std::thread::available_parallelism (it also respects CPU limits).
    let threads = thread::available_parallelism().map_or(cores, |n| n.get());
    let limit = options.seconds.map(Duration::from_secs);
    let plans = if limit.is_some() {
        vec![("phase 1", 1), ("phase 2", threads)]
    } else {
        vec![("the endless loop", 1)]
    };

    let mut phases = Vec::new();
    for (name, threads) in plans {
        if interrupted.load(Ordering::Relaxed) {
            break;
        }
        on_event(Event::Started {
            name,
            threads,
            limit,
        })
        .context("could not write to stdout")?;
        let phase = run_phase(
            &mut meter,
            threads,
            limit,
            options.print,
            interrupted,
            |s| on_event(Event::Sample(s)),
        )?;
        on_event(Event::Finished {
            name,
            phase: &phase,
        })
        .context("could not write to stdout")?;
        phases.push(phase);
    }

    // With --print: the same loop for 1 s without printing, to show what printing costs.
    let reference = if options.print && !interrupted.load(Ordering::Relaxed) {
        let second = Some(Duration::from_secs(1));
        Some(run_phase(
            &mut meter,
            1,
            second,
            false,
            interrupted,
            |_| Ok(()),
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

/// How often the main thread reads the per-core usage. `sysinfo` needs at least
/// `sysinfo::MINIMUM_CPU_UPDATE_INTERVAL` (200 ms on Linux) between two reads.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(250);

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
/// or a write fails, handing a [`Sample`] to `on_sample` four times a second.
fn run_phase(
    meter: &mut CpuMeter,
    threads: usize,
    limit: Option<Duration>,
    print: bool,
    interrupted: &AtomicBool,
    mut on_sample: impl FnMut(&Sample) -> io::Result<()>,
) -> Result<Phase> {
    let stop = AtomicBool::new(false);
    let progress: Vec<Progress> = (0..threads).map(|_| Progress(AtomicU64::new(0))).collect();
    let mut samples = Vec::new();
    let cpu_before = meter.process_cpu_time();
    // Start the usage measurement here. (sysinfo skips a read less than 200 ms after the
    // previous one, as right after the last phase; that interval then starts a few
    // milliseconds early, which is harmless.)
    meter.sample();
    let start = Instant::now();

    // threading.Thread(target=...) -> std::thread; a *scoped* thread may borrow `stop` and
    // `progress`, because the scope waits for every thread before it returns.
    let (counted, shown) = thread::scope(|scope| {
        let _stop_on_exit = StopOnDrop(&stop);
        let handles: Vec<_> = progress
            .iter()
            .map(|p| {
                let stop = &stop;
                scope.spawn(move || {
                    if !print {
                        return Ok(count(stop, &p.0));
                    }
                    let result = count_printing(stop, &p.0);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed); // stop the others too
                    }
                    result
                })
            })
            .collect();
        let shown = sample_until_done(meter, start, limit, &progress, &stop, interrupted, |s| {
            samples.push(s.usage.clone());
            on_sample(s)
        });
        stop.store(true, Ordering::Relaxed);
        let counted: io::Result<u64> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a counting thread panicked")))
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

/// The main thread's part of a phase: sample the usage until the time is up, Ctrl-C, or `stop`
/// (a counting thread failed). Samples are due at fixed times (start plus 250 ms, 500 ms, ...),
/// so a late wake-up does not push every later sample back: a phase of N s takes 4N samples.
fn sample_until_done(
    meter: &mut CpuMeter,
    start: Instant,
    limit: Option<Duration>,
    progress: &[Progress],
    stop: &AtomicBool,
    interrupted: &AtomicBool,
    mut on_sample: impl FnMut(&Sample) -> io::Result<()>,
) -> io::Result<()> {
    let ticks = limit.map(|l| (l.as_millis() / SAMPLE_EVERY.as_millis()) as u64);
    let mut tick = 0u64;
    loop {
        tick += 1;
        let due = start + SAMPLE_EVERY * tick as u32;
        thread::sleep(due.saturating_duration_since(Instant::now()));
        let sample = Sample {
            usage: meter.sample(),
            elapsed: start.elapsed(),
            limit,
            done: progress.iter().map(|p| p.0.load(Ordering::Relaxed)).sum(),
            tick,
        };
        on_sample(&sample)?;
        let time_up = ticks.is_some_and(|t| tick >= t);
        if time_up || interrupted.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
    }
}

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
