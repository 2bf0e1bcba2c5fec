//! The course's session 11: start a thread, let `main` go on, and decide whether to wait.
//!
//! The course's session 11 (`examples/greeter.rs` ports it): `main` starts a thread running
//! `greeter("Mohammad")`, which prints `N - Hello Mohammad` ten times a second apart, and prints
//! `Task Done !` itself at once.
//!
//! The Python program prints `Task Done !` at once and *still* prints all ten hellos, because
//! the interpreter waits for every non-daemon thread before it exits. Rust does not: when `main`
//! returns, the process ends and takes every thread with it. So the Rust port has three parts:
//!
//! * [`greet`]: the course's program. `main` prints `Task Done !` at once, then joins at the
//!   very end, which is what Python's interpreter does silently for a non-daemon thread.
//! * [`join`]: `t.join()` before `Task Done !`: the main thread waits for all ten lines.
//! * [`detached`]: the `JoinHandle` is dropped and nobody joins. The thread runs in the
//!   background and dies when `main` returns, which is how Python's `daemon=True` behaves. Rust
//!   has no daemon flag: *every* thread is a daemon unless someone joins it.
//!
//! [`many`] starts several greeters from a `Vec` and joins them from it, then shows scoped
//! threads (`std::thread::scope`), which may borrow the caller's local data without `Arc`
//! because the scope joins them before it returns.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

use crate::{GOOD, Speed, human, note, paint, say, thousands};

/// The course's greeter's pause between lines: one second (divided by `--speed`).
pub const GREETER_DELAY_MS: u64 = 1000;

/// How many lines the course's greeter prints.
pub const GREETER_COUNT: u32 = 10;

/// The course's `greeter(name, count)`: print `N - Hello {name}` `count` times, sleeping
/// `delay` after each line, into `out`. Returns how many lines it wrote.
///
/// `out` is stdout in the lesson; the hundred greeters of [`many`] write into
/// `std::io::sink()` so the screen stays readable. Writing one whole line per `writeln!` call
/// matters: `Stdout` is locked for the duration of one call, so lines from different threads
/// never mix mid-line.
pub fn greeter(out: &mut impl Write, name: &str, count: u32, delay: Duration) -> io::Result<u32> {
    for i in 0..count {
        writeln!(out, "{} - Hello {name}", i + 1)?;
        // time.sleep(1) -> std::thread::sleep: blocks this thread only.
        thread::sleep(delay);
    }
    Ok(count)
}

/// Join a greeter thread and turn both ways it can fail into one error: the thread panicked,
/// or it could not write to stdout.
fn join_greeter(handle: thread::JoinHandle<io::Result<u32>>, name: &str) -> Result<u32> {
    handle
        .join()
        .map_err(|_| anyhow!("the greeter thread for {name} panicked"))?
        .with_context(|| format!("the greeter for {name} could not write to stdout"))
}

/// The course's program: start the greeter, print `Task Done !` at once.
///
/// Python would then wait for the non-daemon thread before exiting; Rust would not, so this
/// function joins at the end to print the same ten lines the Python program prints.
pub fn greet(speed: Speed, name: &str, count: u32) -> Result<()> {
    let delay = speed.ms(GREETER_DELAY_MS);
    let start = Instant::now();
    let owned = name.to_string();
    // threading.Thread(target=greeter, args=("Mohammad",)); t.start() -> std::thread::spawn
    // `move` hands the thread its own copy of the name: it may outlive this stack frame.
    let t = thread::spawn(move || greeter(&mut io::stdout(), &owned, count, delay));
    say(paint(GOOD, "Task Done !"));
    let main_done = start.elapsed();
    // Python's interpreter does this silently at exit for a non-daemon thread.
    join_greeter(t, name)?;
    note(format!(
        "main printed `Task Done !` after {}; the greeter ran on and finished after {}; \
         main joined it at the end, as Python does for a non-daemon thread",
        human(main_done),
        human(start.elapsed())
    ));
    Ok(())
}

/// `t.join()` before `Task Done !`: the main thread waits for the greeter.
pub fn join(speed: Speed, name: &str, count: u32) -> Result<()> {
    let delay = speed.ms(GREETER_DELAY_MS);
    let start = Instant::now();
    let owned = name.to_string();
    let t = thread::spawn(move || greeter(&mut io::stdout(), &owned, count, delay));
    // t.join() -> JoinHandle::join: blocks until the thread returns, and hands back its result.
    let lines = join_greeter(t, name)?;
    say(paint(GOOD, "Task Done !"));
    note(format!(
        "main waited {} for the greeter's {lines} lines before printing `Task Done !`",
        human(start.elapsed())
    ));
    Ok(())
}

/// How long `main` works in [`detached`] before it returns, in greeter delays.
pub const DETACHED_MAIN_DELAYS: f64 = 3.5;

/// A detached thread: the `JoinHandle` is dropped, so nobody waits for the greeter.
///
/// `main` does its own work for 3.5 greeter delays, prints `Task Done !` and returns; the
/// caller (`main`) must then return at once, and the process ends with the greeter about four
/// lines into its ten. This is Python's `threading.Thread(..., daemon=True)`.
pub fn detached(speed: Speed, name: &str, count: u32) {
    let delay = speed.ms(GREETER_DELAY_MS);
    let start = Instant::now();
    let owned = name.to_string();
    // daemon=True -> drop the JoinHandle. Every Rust thread is "daemon" unless someone joins it.
    let t = thread::spawn(move || greeter(&mut io::stdout(), &owned, count, delay));
    drop(t);
    // main's own work: the greeter runs beside it.
    thread::sleep(delay.mul_f64(DETACHED_MAIN_DELAYS));
    say(paint(GOOD, "Task Done !"));
    note(format!(
        "main returns after {}: the process ends now and the detached greeter ({count} lines \
         planned, one every {}) dies with it, mid-way",
        human(start.elapsed()),
        human(delay)
    ));
}

/// Several threads from a list, joined from a list; then a hundred; then scoped threads.
pub fn many(speed: Speed, names: &[String], count: u32, crowd: u32) -> Result<()> {
    let delay = speed.ms(GREETER_DELAY_MS);

    // threads = [Thread(target=greeter, args=(n,)) for n in names]; [t.start() ...]; [t.join() ...]
    let start = Instant::now();
    let handles: Vec<_> = names
        .iter()
        .map(|name| {
            let name = name.clone();
            thread::spawn(move || greeter(&mut io::stdout(), &name, count, delay))
        })
        .collect();
    for (handle, name) in handles.into_iter().zip(names) {
        join_greeter(handle, name)?;
    }
    note(format!(
        "{} greeters, {count} lines each, took {}: they slept side by side, not one after another",
        names.len(),
        human(start.elapsed())
    ));

    // A crowd: each thread's result comes back through its JoinHandle.
    let start = Instant::now();
    let handles: Vec<_> = (1..=crowd)
        .map(|i| {
            let name = format!("Guest {i}");
            thread::spawn(move || greeter(&mut io::sink(), &name, count, delay))
        })
        .collect();
    let mut said = 0u64;
    for (i, handle) in handles.into_iter().enumerate() {
        said += u64::from(join_greeter(handle, &format!("Guest {}", i + 1))?);
    }
    let serial = delay.mul_f64(f64::from(crowd) * f64::from(count));
    say(format!(
        "{} threads said hello {} times (quietly) in {}; one after another they would take {}",
        thousands(u64::from(crowd)),
        thousands(said),
        human(start.elapsed()),
        human(serial)
    ));

    // Scoped threads borrow local data: no Arc, no clone, because the scope joins every thread
    // before it returns, so `guests` and `said` outlive all of them.
    let guests: Vec<String> = (1..=crowd).map(|i| format!("Guest {i}")).collect();
    let said = AtomicU64::new(0);
    let start = Instant::now();
    let results: Vec<io::Result<u32>> = thread::scope(|s| {
        let handles: Vec<_> = guests
            .iter()
            .map(|name| {
                // `name` is a &String borrowed from `guests`; `said` is borrowed too.
                let said = &said;
                s.spawn(move || {
                    let lines = greeter(&mut io::sink(), name, count, delay)?;
                    said.fetch_add(u64::from(lines), Ordering::Relaxed);
                    Ok(lines)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("panicked")))
            })
            .collect()
    });
    for (result, name) in results.into_iter().zip(&guests) {
        result.with_context(|| format!("the scoped greeter for {name} failed"))?;
    }
    say(format!(
        "{} scoped threads borrowing a local Vec<String> and a local counter said hello {} times in {}",
        thousands(guests.len() as u64),
        thousands(said.load(Ordering::Relaxed)),
        human(start.elapsed())
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greeter_writes_the_course_lines_in_order() {
        let mut out = Vec::new();
        let lines = greeter(&mut out, "Mohammad", 3, Duration::ZERO).unwrap();
        assert_eq!(lines, 3);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1 - Hello Mohammad\n2 - Hello Mohammad\n3 - Hello Mohammad\n"
        );
    }

    #[test]
    fn greeter_sleeps_after_each_line() {
        let delay = Duration::from_millis(20);
        let start = Instant::now();
        greeter(&mut io::sink(), "Ali", 5, delay).unwrap();
        assert!(start.elapsed() >= delay * 5);
    }
}
