//! The course's printed lines, and a record of when each task was busy.
//!
//! Both versions of the scraper print through one [`Log`]: `App started.`, `---- Generated item N`,
//! `+++ Processed value V after S sec.` and `App finished, total time: T sec.`, coloured like the
//! course's colorama output and flushed at once (`flush=True`). The log also writes down each
//! stretch of time a task spent busy, so that the timeline chart after the run shows the overlap
//! instead of asking the reader to infer it from interleaved lines.
//!
//! The clock is `tokio::time::Instant`: outside a runtime it is the ordinary monotonic clock, and
//! under tokio's paused test clock it is the virtual one, so the same code is timed in both.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use tokio::time::Instant;

const STARTED: Style = AnsiColor::White.on_default().bold();
const GENERATED: Style = AnsiColor::Yellow.on_default(); // colorama's Fore.YELLOW
const PROCESSED: Style = AnsiColor::Cyan.on_default(); // colorama's Fore.CYAN

/// The two tasks of the lesson: one row each in the timeline chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// The producer, `scrape_data`.
    Scrape,
    /// The consumer, `process_data`.
    Process,
}

impl Task {
    /// The course's function name for this task.
    pub fn name(self) -> &'static str {
        match self {
            Task::Scrape => "scrape_data",
            Task::Process => "process_data",
        }
    }
}

/// One stretch of time a task spent busy, measured from `App started.`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub task: Task,
    pub start: Duration,
    pub end: Duration,
}

/// Where the lines go and what has been recorded; cheap to clone into each task.
#[derive(Clone)]
pub struct Log {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    out: Box<dyn Write + Send>,
    started: Instant,
    spans: Vec<Span>,
}

impl Log {
    /// A log that writes to `out`. Pass `anstream::stdout()` to get colour only on a terminal.
    pub fn new(out: impl Write + Send + 'static) -> Log {
        Log {
            inner: Arc::new(Mutex::new(Inner {
                out: Box::new(out),
                started: Instant::now(),
                spans: Vec::new(),
            })),
        }
    }

    /// Starts the clock and prints `App started.`.
    pub fn app_started(&self) {
        let mut inner = self.lock();
        inner.started = Instant::now();
        inner.spans.clear();
        inner.line(STARTED, "App started.");
    }

    /// `print(Fore.YELLOW + f"---- Generated item {idx}", flush=True)`
    pub fn generated(&self, idx: u64) {
        self.lock()
            .line(GENERATED, &format!("---- Generated item {idx}"));
    }

    /// `print(Fore.CYAN + f"+++ Processed value {value} after {secs:.2f} sec.", flush=True)`,
    /// where the seconds are the item's age: how long it waited between being made and now.
    pub fn processed(&self, value: u64, made: Instant) {
        let age = made.elapsed().as_secs_f64();
        self.lock().line(
            PROCESSED,
            &format!("+++ Processed value {value} after {age:.2} sec."),
        );
    }

    /// Records that `task` was busy from `since` until now.
    pub fn busy(&self, task: Task, since: Instant) {
        let mut inner = self.lock();
        let started = inner.started;
        inner.spans.push(Span {
            task,
            start: since.saturating_duration_since(started),
            end: started.elapsed(),
        });
    }

    /// Prints `App finished, total time: T sec.` and returns the total.
    pub fn app_finished(&self) -> Duration {
        let mut inner = self.lock();
        let total = inner.started.elapsed();
        let line = format!("App finished, total time: {:.2} sec.", total.as_secs_f64());
        inner.line(STARTED, &line);
        total
    }

    /// The busy stretches recorded since `App started.`, in the order they ended.
    pub fn spans(&self) -> Vec<Span> {
        self.lock().spans.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while printing cannot leave the log half-updated in a way that matters.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn line(&mut self, style: Style, text: &str) {
        let written = writeln!(self.out, "{style}{text}{style:#}").and_then(|()| self.out.flush());
        if let Err(err) = written
            && err.kind() == io::ErrorKind::BrokenPipe
        {
            // Whoever read the lines has gone (`| head`): stop quietly, as `yes | head` does,
            // instead of running on for half a minute with nobody listening.
            std::process::exit(0);
        }
    }
}
