//! جلسه 5: the course's `fib()` generator (in its README; the course has no file for it), in
//! Rust as an `Iterator`.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md#جلسه-5
//!
//!     cargo run -p session-05-generators --example fib
//!
//! Watch: the first line is the course's line, from a `for` loop that stops past 1000; the
//! second is `1`, a fresh generator asked once with `next()`; nothing is computed until someone
//! asks, since `fib()` only builds the struct.
//!
//! Where Rust differs: stable Rust has no `yield` (generators are nightly-only), so the
//! generator's two locals become the fields of a struct, and "run until the next `yield`"
//! becomes the body of `next`.

// ANCHOR: fib
// Python generator function (`def fib(): ... yield`) -> a struct + `impl Iterator`.
struct Fib {
    current: u64,
    nxt: u64,
}

// Calling `fib()` runs none of the body, in Python and here: it only sets up the state.
fn fib() -> Fib {
    Fib { current: 0, nxt: 1 }
}

impl Iterator for Fib {
    type Item = u64;

    // One trip round the generator's `while True:` loop, up to its `yield`.
    fn next(&mut self) -> Option<u64> {
        // current, nxt = nxt, current + nxt
        // (Python's ints never overflow; a u64 does. The sum runs one number ahead, and
        // `?` ends the sequence after 92 numbers instead: `None` is Rust's StopIteration.)
        let sum = self.current.checked_add(self.nxt)?;
        (self.current, self.nxt) = (self.nxt, sum);
        // yield current
        Some(self.current)
    }
}
// ANCHOR_END: fib

fn main() {
    // ANCHOR: main
    // 1. A `for` loop: it calls `next()` for us until we `break`.
    let result = fib();
    for item in result {
        if item > 1000 {
            break;
        }
        // print(item, end=", ") -> print! (no newline)
        print!("{item}, ");
    }
    // Python leaves the cursor after the last ", "; we end the line so the next one starts
    // on its own.
    println!();

    // 2. `next()` by hand: print(next(result)) -> result.next()
    let mut result = fib();
    if let Some(first) = result.next() {
        println!("{first}");
    }
    // ANCHOR_END: main
}
