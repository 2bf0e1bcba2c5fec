//! جلسه 2: the course's `Infinity_loop.py`, in Rust: from 10, add 1 and print, forever.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/Infinity_loop.py
//!
//!     cargo run -p session-02-cpu --example infinity_loop
//!
//! Watch a task manager (`htop`) beside it: one core busy, the others idle. Ctrl-C stops it.

// ANCHOR: main
fn main() {
    let mut x: u64 = 10; // u64: Python's int never overflows, and this would take centuries
    loop {
        x += 1;
        println!("{x}");
    }
}
// ANCHOR_END: main
