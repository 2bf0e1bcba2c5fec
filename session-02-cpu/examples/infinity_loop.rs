//! جلسه 2: the course's `Infinity_loop.py`, in Rust.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/Infinity_loop.py
//!
//!     cargo run -p session-02-cpu --example infinity_loop
//!
//! It starts at 10, adds 1 and prints the number, forever: 11, 12, 13, ... Ctrl-C stops it.
//!
//! Watch: open a task manager beside it (`htop` on Linux, Activity Monitor on macOS, Task
//! Manager's per-core CPU graphs on Windows). One core is busy; every other core stays idle,
//! as in the course's screenshots (1 of 14). A program is one thread of steps, and one thread
//! runs on one core at a time. With `--release` the numbers scroll faster; still one core.
//! (Printing is most of the work here: the terminal program may show up busy too.)

use std::io::{self, Write};
use std::process::ExitCode;

// ANCHOR: main
fn main() -> ExitCode {
    let mut out = io::stdout().lock();
    // x = 10. A u64 never wraps in practice: a billion additions a second would take 584 years.
    let mut x: u64 = 10;
    // while True -> loop
    loop {
        x += 1;
        // print(x) -> writeln!. Unlike println!, it hands back the error when stdout fails,
        // instead of panicking.
        if let Err(err) = writeln!(out, "{x}") {
            // The reader went away (`| head -3`): nobody is left to tell, stop quietly.
            if err.kind() == io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
            // Anything else (`> /dev/full`): one line on stderr and a failure code.
            eprintln!("error: could not print {x}: {err}");
            return ExitCode::FAILURE;
        }
    }
}
// ANCHOR_END: main
