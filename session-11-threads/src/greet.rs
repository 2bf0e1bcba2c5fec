//! The course's session 11: start a thread, let `main` go on, and wait for it at the end.
//!
//! `main` starts a thread running `greeter("Mohammad")`, which prints `N - Hello Mohammad` ten
//! times a second apart, and prints `Task Done !` itself at once. Python then waits for every
//! non-daemon thread before it exits; Rust does not: when `main` returns, the process ends and
//! takes every thread with it. So [`greet`] joins at the very end, which is what Python's
//! interpreter does silently, and reports when each side finished. (`examples/greeter.rs` shows
//! `join()` before `Task Done !`, and the daemon thread that dies with `main`.)

use std::io::{self, Write};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

use crate::show::GOOD;
use crate::{Speed, human, note, paint, say};

/// The course's greeter's pause between lines: one second (divided by `--speed`).
pub const GREETER_DELAY_MS: u64 = 1000;

/// The course's `greeter(name, count)`: print `N - Hello {name}` `count` times into `out`,
/// sleeping `delay` after each line. One `writeln!` is one whole line under stdout's lock.
pub fn greeter(out: &mut impl Write, name: &str, count: u32, delay: Duration) -> io::Result<()> {
    for i in 0..count {
        writeln!(out, "{} - Hello {name}", i + 1)?;
        // time.sleep(1) -> std::thread::sleep: blocks this thread only.
        thread::sleep(delay);
    }
    Ok(())
}

/// The course's program: start the greeter, print `Task Done !` at once, join at the end.
pub fn greet(speed: Speed, name: &str, count: u32) -> Result<()> {
    let start = Instant::now();
    let (name, delay) = (name.to_string(), speed.ms(GREETER_DELAY_MS));
    // threading.Thread(target=greeter, args=(name,)); t.start() -> std::thread::spawn;
    // `move` hands the thread its own name: it may outlive this stack frame.
    let t = thread::spawn(move || greeter(&mut io::stdout(), &name, count, delay));
    say(paint(GOOD, "Task Done !"))?;
    let main_done = start.elapsed();
    // Python's interpreter does this silently at exit for a non-daemon thread.
    let greeted = t
        .join()
        .map_err(|_| anyhow!("the greeter thread panicked"))?;
    greeted.context("the greeter could not write to stdout")?;
    note(format!(
        "main printed `Task Done !` after {}; the greeter finished after {}; main joined it at \
         the end, as Python does for a non-daemon thread",
        human(main_done),
        human(start.elapsed())
    ))
}
