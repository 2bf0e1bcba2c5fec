//! # Sessions 11-19: threads, locks and pools (the lab)
//!
//! The course's own programs are ported one file each in `examples/`; this library is the lab
//! that measures them. Session 11's `threading.Thread` greeter says hello ten times, one second
//! apart, while the main thread prints `Task Done !` at once; the course then cancels threads,
//! meets CPU-bound work under the GIL, a cinema booking that oversells, locks, and pools. Rust
//! turns each of those into a sharper lesson, because the language and its standard library take
//! different positions from Python's:
//!
//! * **A process does not wait for its threads.** Python keeps running until every non-daemon
//!   thread is done; Rust ends the process when `main` returns, and every thread still running
//!   dies with it. Waiting is always explicit: `JoinHandle::join` ([`greet`]).
//! * **Threads cannot be killed, in either language.** A thread that must stop early is asked to,
//!   and checks the request between units of work ([`cancel`]).
//! * **Data races do not compile.** Two threads writing one counter without a lock is a compile
//!   error, not a bug you find in production. Race *conditions* (check, then act, with the world
//!   changing in between) are still possible, and the lesson shows one ([`race`]).
//! * **There is no GIL.** CPU-bound work on N threads runs on N cores: no process pool needed
//!   ([`cpu`]).
//! * **Threads are not free.** Each has its own stack and a kernel task; 100,000 async tasks cost
//!   less memory than 10,000 threads, one reason to prefer async for waiting ([`scale`]).
//!
//! Each part is a module; `src/main.rs` only parses the command line and calls them. This file
//! holds the few helpers every part shares: the `--speed` factor, coloured output, and number
//! formatting; [`rusage`] reads CPU time and peak memory.

pub mod cancel;
pub mod cpu;
pub mod greet;
pub mod race;
pub mod rusage;
pub mod scale;

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::OnceLock;
use std::time::Duration;

/// True when this binary was built without optimisations: benchmarks say so next to their
/// figures, because a debug build of the `cpu` loop is many times slower than `--release`.
pub const DEBUG_BUILD: bool = cfg!(debug_assertions);

/// `--speed F`: every delay in the lessons is divided by `F`.
///
/// The course's greeter sleeps one second between lines; a test (or an impatient learner) runs
/// the same program with `--speed 20` and each second becomes 50 ms. Nothing else changes, so
/// the order of events is the same, only faster.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed(f64);

impl Speed {
    /// Real time, no scaling.
    pub const REAL_TIME: Speed = Speed(1.0);

    /// A speed factor; `None` unless it lies in `Speed::MIN..=Speed::MAX`.
    pub fn new(factor: f64) -> Option<Speed> {
        (Speed::MIN..=Speed::MAX)
            .contains(&factor)
            .then_some(Speed(factor))
    }

    /// The factor itself, e.g. to pass it on to a child process.
    pub fn factor(self) -> f64 {
        self.0
    }

    /// The smallest and largest factors accepted. A factor far below 1 would stretch the
    /// longest delay (an hour for `cancel --cancel-after`) past what a `Duration` can hold, and
    /// `Duration::div_f64` panics on that; a factor far above makes every delay zero anyway.
    pub const MIN: f64 = 0.001;
    /// See [`Speed::MIN`].
    pub const MAX: f64 = 1_000_000.0;

    /// A delay of `ms` milliseconds at this speed.
    pub fn ms(self, ms: u64) -> Duration {
        self.scale(Duration::from_millis(ms))
    }

    /// `delay` divided by the speed factor.
    pub fn scale(self, delay: Duration) -> Duration {
        delay.div_f64(self.0)
    }
}

/// Print one line on stdout, holding the stdout lock for the whole line.
///
/// Several threads print at the same time in these lessons. `std::println!` and this function
/// both take stdout's lock for the whole line, so lines never mix mid-way; `anstream` removes
/// the colour codes when stdout is not a terminal or `NO_COLOR` is set.
pub fn say(line: impl Display) {
    let mut out = anstream::stdout().lock();
    // A closed pipe (`... | head`) or a full disk is not worth a panic in a lesson: the line is
    // lost, the first failure is kept, and the binary reports it when the part ends.
    if let Err(err) = writeln!(out, "{line}") {
        let _ = STDOUT_ERROR.set(err.kind());
    }
}

static STDOUT_ERROR: OnceLock<io::ErrorKind> = OnceLock::new();

/// The kind of the first error [`say`] met writing to stdout, if any
/// (`BrokenPipe`: the reader went away; `StorageFull`: the disk is full).
pub fn stdout_error() -> Option<io::ErrorKind> {
    STDOUT_ERROR.get().copied()
}

/// `text` wrapped in a style, for [`say`].
pub fn paint(style: anstyle::Style, text: impl Display) -> String {
    format!("{style}{text}{style:#}")
}

/// Bold: part headings.
pub const HEADING: anstyle::Style = anstyle::Style::new().bold();
/// Green: the line the lesson is about (`Task Done !`, a correct result).
pub const GOOD: anstyle::Style = anstyle::AnsiColor::Green.on_default();
/// Red: a wrong result the lesson wants you to notice (an oversold cinema).
pub const BAD: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();
/// Dimmed: explanations printed between results.
pub const NOTE: anstyle::Style = anstyle::Style::new().dimmed();

/// Print a part heading: a blank line, then the title in bold.
pub fn heading(title: &str) {
    say("");
    say(paint(HEADING, format!("== {title} ==")));
}

/// Print an explanation line, dimmed.
pub fn note(text: impl Display) {
    say(paint(NOTE, text));
}

/// `50000000` -> `"50,000,000"`: big counts are easier to read with separators.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration for people: `850 ms`, `1.25 s`.
pub fn human(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 1.0 {
        format!("{:.1} ms", secs * 1000.0)
    } else {
        format!("{secs:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(50_000_000), "50,000,000");
    }

    #[test]
    fn speed_divides_delays_and_rejects_nonsense() {
        let fast = Speed::new(20.0).unwrap();
        assert_eq!(fast.ms(1000), Duration::from_millis(50));
        assert!(Speed::new(0.0).is_none());
        assert!(Speed::new(-1.0).is_none());
        assert!(Speed::new(f64::NAN).is_none());
        assert!(Speed::new(f64::INFINITY).is_none());
        // Tiny factors would overflow a Duration (div_f64 panics): rejected up front.
        assert!(Speed::new(1e-300).is_none());
        assert!(Speed::new(1e308).is_none());
        assert!(Speed::new(Speed::MIN).is_some());
        assert!(Speed::new(Speed::MAX).is_some());
    }
}
