//! What the lab slides under the examples' code: the same names, measured.
//!
//! `src/sync_version.rs` and `src/async_version.rs` hold the examples' `scrap_data` and
//! `process_data` word for word (`tests/examples.rs` fails when they differ); only their `use`
//! lines differ. Where an example imports `std::thread::sleep`, `tokio::time::sleep` and
//! `anstream::println`, the lab's copy imports [`thread::sleep`], [`time::sleep`] and
//! `println!` from here. They do what the originals do, and also:
//!
//! - every sleep is divided by `--speed`, and recorded as a [`Span`] of the task that slept
//!   ([`TASK`]), for the timeline;
//! - the lines go to the run's output (stdout, or stderr under `--json`). The first write error
//!   is kept, every later sleep returns at once, and [`run`] returns the error: a run whose reader
//!   has gone ends in milliseconds, and the library never exits the process.
//!
//! The delays come from the examples' own `fastrand::f64()`: [`run`] seeds the thread's generator,
//! so both versions draw the same delays, the ones [`Plan::draw`] computes. Everything here is per
//! thread; each version runs on the calling thread (tokio's current-thread runtime).

use std::cell::RefCell;
use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::Context as _;
use tokio::time::Instant;

use crate::{Plan, async_version, sync_version};

/// `println!` for the lab's copy of the examples: the line goes to the run's output.
macro_rules! println {
    ($($arg:tt)*) => { $crate::lab::line(format_args!($($arg)*)) };
}
pub(crate) use println;

// colorama's Fore.WHITE, YELLOW, GREEN and RED, as in the examples.
pub const WHITE: Style = AnsiColor::White.on_default();
pub const YELLOW: Style = AnsiColor::Yellow.on_default();
pub const GREEN: Style = AnsiColor::Green.on_default();
pub const RED: Style = AnsiColor::Red.on_default();

/// The three ways of running the scraper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// One thread, `std::thread::sleep`: scrape all, then process all.
    Sync,
    /// Two tokio tasks and a channel, `tokio::time::sleep(..).await`.
    Async,
    /// The async version with `std::thread::sleep` in the tasks: exercise 1's patch.
    AsyncBlocking,
}

impl Version {
    /// The name used on the command line and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Version::Sync => "sync",
            Version::Async => "async",
            Version::AsyncBlocking => "async-blocking",
        }
    }

    /// A one-line description, printed as the heading of the run.
    pub fn describe(self) -> &'static str {
        match self {
            Version::Sync => "scrape every item, then process every item (std::thread::sleep)",
            Version::Async => "two tasks and a queue on one thread (tokio::time::sleep(..).await)",
            Version::AsyncBlocking => {
                "two tasks and a queue, but std::thread::sleep inside them (time.sleep in async def)"
            }
        }
    }

    /// The fastest this version can finish with these delays. A blocking sleep never lets the
    /// other task run, so `AsyncBlocking` has the sync bound.
    pub fn bound(self, plan: &Plan) -> Duration {
        match self {
            Version::Sync | Version::AsyncBlocking => plan.sync_bound(),
            Version::Async => plan.async_bound(),
        }
    }
}

/// The two tasks of the lesson: one row each in the timeline chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// The producer, `scrap_data`.
    Scrape,
    /// The consumer, `process_data`.
    Process,
}

tokio::task_local! {
    /// The task a sleep belongs to: set around each task by the lab's `main` functions.
    pub static TASK: Task;
}

/// One stretch of time a task spent asleep (busy scraping or processing), from `App started.`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub task: Task,
    pub start: Duration,
    pub end: Duration,
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Run {
    pub version: Version,
    /// The time printed in `App finished, total time: T sec.`
    pub total: Duration,
    /// [`Version::bound`] for the same delays.
    pub bound: Duration,
    /// When each task was busy, for the timeline chart.
    pub spans: Vec<Span>,
}

/// Runs one version on the delays of `plan`, printing the course's lines to `out`.
pub fn run(version: Version, plan: &Plan, out: impl Write + 'static) -> anyhow::Result<Run> {
    let session = Session::start(plan, out, version == Version::AsyncBlocking);
    let ran = match version {
        Version::Sync => {
            sync_version::main(plan.items() as u64);
            Ok(())
        }
        Version::Async | Version::AsyncBlocking => async_version::run(plan.items() as u64),
    };
    let (total, spans) = session.finish()?;
    ran?;
    Ok(Run {
        version,
        total,
        bound: version.bound(plan),
        spans,
    })
}

struct Context {
    out: Box<dyn Write>,
    speed: f64,
    blocking: bool,
    started: Instant,
    spans: Vec<Span>,
    error: Option<io::Error>,
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// One run on this thread, from `App started.` to `App finished`. Public for tests that run a
/// version on tokio's paused clock: start it inside the runtime (`runtime.enter()`).
pub struct Session(());

impl Session {
    /// Seeds the delays, points the lines at `out` and prints `App started.`.
    pub fn start(plan: &Plan, out: impl Write + 'static, blocking: bool) -> Session {
        fastrand::seed(plan.seed);
        CONTEXT.set(Some(Context {
            out: Box::new(out),
            speed: plan.speed,
            blocking,
            started: Instant::now(),
            spans: Vec::new(),
            error: None,
        }));
        println!("{WHITE}App started.{WHITE:#}");
        Session(())
    }

    /// Prints `App finished, total time: T sec.`; returns the total and the busy spans, or the
    /// first error met in writing a line.
    pub fn finish(self) -> anyhow::Result<(Duration, Vec<Span>)> {
        let total = with(|cx| cx.started.elapsed()).unwrap_or_default();
        let secs = total.as_secs_f64();
        println!("{RED}App finished, total time: {secs:.2} sec.{RED:#}");
        let cx = CONTEXT
            .take()
            .context("the run's output was already taken")?;
        match cx.error {
            Some(err) => Err(err).context("could not write the course's lines"),
            None => Ok((total, cx.spans)),
        }
    }
}

fn with<T>(f: impl FnOnce(&mut Context) -> T) -> Option<T> {
    CONTEXT.with_borrow_mut(|cx| cx.as_mut().map(f))
}

/// What the lab's `println!` calls: one line to the run's output.
pub fn line(args: fmt::Arguments) {
    with(|cx| {
        if cx.error.is_none()
            && let Err(err) = writeln!(cx.out, "{args}")
        {
            cx.error = Some(err);
        }
    });
}

/// The real length of a sleep of `delay` (divided by the speed; none after a write error), the
/// time it starts, and whether it must block the thread.
fn begin(delay: Duration) -> (Duration, Instant, bool) {
    let (delay, blocking) = with(|cx| match cx.error {
        Some(_) => (Duration::ZERO, cx.blocking),
        None => (delay.div_f64(cx.speed), cx.blocking),
    })
    .unwrap_or((delay, false));
    (delay, Instant::now(), blocking)
}

fn end(since: Instant) {
    let Ok(task) = TASK.try_with(|task| *task) else {
        return;
    };
    with(|cx| {
        let span = Span {
            task,
            start: since.saturating_duration_since(cx.started),
            end: cx.started.elapsed(),
        };
        cx.spans.push(span);
    });
}

/// The lab's `std::thread::sleep`.
pub mod thread {
    use std::time::Duration;

    /// Blocks the thread for `delay / speed`, and records it.
    pub fn sleep(delay: Duration) {
        let (delay, since, _) = super::begin(delay);
        std::thread::sleep(delay);
        super::end(since);
    }
}

/// The lab's `tokio::time::sleep`.
pub mod time {
    use std::time::Duration;

    /// Waits `delay / speed` without holding the thread, and records it. In
    /// [`AsyncBlocking`](crate::Version::AsyncBlocking) it calls `std::thread::sleep` instead:
    /// the `.await` then finds it done, and the thread was never handed over.
    pub async fn sleep(delay: Duration) {
        let (delay, since, blocking) = super::begin(delay);
        if blocking {
            std::thread::sleep(delay);
        } else {
            tokio::time::sleep(delay).await;
        }
        super::end(since);
    }
}
