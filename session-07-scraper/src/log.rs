//! The course's printed lines, and a record of when each task was busy.
//!
//! The lab's scraper functions print through a [`Log`] where the examples call `println!`:
//! `App started.` (white), `---- Generated item N` (yellow), `+++ Processed value V after S sec.`
//! (green) and `App finished, total time: T sec.` (red), the colours of the course's colorama
//! output. The log also writes down each stretch of time a task spent busy, so that the timeline
//! chart after the run shows the overlap instead of asking the reader to infer it from
//! interleaved lines. A task marks itself busy with one line, `let _busy = log.busy(Task::Scrape);`,
//! and the stretch ends where that guard goes out of scope.
//!
//! A line that cannot be written (a closed pipe, a full disk) is handed to the callback given to
//! [`Log::on_write_error`]: the binary decides there whether to stop, so the library never exits
//! the process itself.
//!
//! The clock is `tokio::time::Instant`: outside a runtime it is the ordinary monotonic clock, and
//! under tokio's paused test clock it is the virtual one, so the same code is timed in both.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use tokio::time::Instant;

const WHITE: Style = AnsiColor::White.on_default(); // colorama's Fore.WHITE
const YELLOW: Style = AnsiColor::Yellow.on_default(); // Fore.YELLOW
const GREEN: Style = AnsiColor::Green.on_default(); // Fore.GREEN
const RED: Style = AnsiColor::Red.on_default(); // Fore.RED

/// The two tasks of the lesson: one row each in the timeline chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// The producer, `scrap_data`.
    Scrape,
    /// The consumer, `process_data`.
    Process,
}

impl Task {
    /// The course's function name for this task.
    pub fn name(self) -> &'static str {
        match self {
            Task::Scrape => "scrap_data",
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

type OnError = Box<dyn Fn(&io::Error) + Send>;

/// Where the lines go and what has been recorded; cheap to clone into each task.
#[derive(Clone)]
pub struct Log {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    out: Box<dyn Write + Send>,
    on_error: Option<OnError>,
    started: Instant,
    spans: Vec<Span>,
}

/// Marks a task busy from [`Log::busy`] until it is dropped.
#[must_use = "the task counts as busy only while this guard lives"]
pub struct Busy {
    log: Log,
    task: Task,
    since: Instant,
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut inner = self.log.lock();
        let started = inner.started;
        let span = Span {
            task: self.task,
            start: self.since.saturating_duration_since(started),
            end: started.elapsed(),
        };
        inner.spans.push(span);
    }
}

impl Log {
    /// A log that writes to `out`. Pass `anstream::stdout()` to get colour only on a terminal.
    pub fn new(out: impl Write + Send + 'static) -> Log {
        Log {
            inner: Arc::new(Mutex::new(Inner {
                out: Box::new(out),
                on_error: None,
                started: Instant::now(),
                spans: Vec::new(),
            })),
        }
    }

    /// Calls `f` with the error whenever a line cannot be written. Without it, errors are ignored.
    pub fn on_write_error(self, f: impl Fn(&io::Error) + Send + 'static) -> Log {
        self.lock().on_error = Some(Box::new(f));
        self
    }

    /// Starts the clock and prints `App started.`.
    pub fn app_started(&self) {
        let mut inner = self.lock();
        inner.started = Instant::now();
        inner.spans.clear();
        inner.line(WHITE, "App started.");
    }

    /// `---- Generated item {idx}`
    pub fn generated(&self, idx: u64) {
        self.lock()
            .line(YELLOW, &format!("---- Generated item {idx}"));
    }

    /// `+++ Processed value {value} after {secs:.2} sec.`, where the seconds are the item's age:
    /// how long it waited between being made and now.
    pub fn processed(&self, value: u64, made: Instant) {
        let age = made.elapsed().as_secs_f64();
        self.lock().line(
            GREEN,
            &format!("+++ Processed value {value} after {age:.2} sec."),
        );
    }

    /// Counts `task` as busy from now until the returned guard is dropped.
    pub fn busy(&self, task: Task) -> Busy {
        Busy {
            log: self.clone(),
            task,
            since: Instant::now(),
        }
    }

    /// Prints `App finished, total time: T sec.` and returns the total.
    pub fn app_finished(&self) -> Duration {
        let mut inner = self.lock();
        let total = inner.started.elapsed();
        let line = format!("App finished, total time: {:.2} sec.", total.as_secs_f64());
        inner.line(RED, &line);
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
        // Rust's stdout flushes at every newline, so the flush only matters for other writers.
        let written = writeln!(self.out, "{style}{text}{style:#}").and_then(|()| self.out.flush());
        if let (Err(err), Some(on_error)) = (written, &self.on_error) {
            on_error(&err);
        }
    }
}
