//! جلسه 13 and جلسه 17: CPU-bound work on threads. The course's file:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/compute_example.py
//!
//!     cargo run --release -p session-11-threads --example compute_example
//!
//! Watch: `Done in S seconds`. The course's threads took about 8 s, no faster than one thread,
//! because of the GIL. Rust has no GIL: these threads run on every core at once, so this is
//! already the parallel version (compare with `--threads 1` in the lab:
//! `cargo run --release -p session-11-threads -- cpu`). A debug build is many times slower.

use std::hint::black_box;
use std::thread;
use std::time::Instant;

// Python's `/` makes `start` and `num` floats, printed as `0.0` and `25000000.0`: f64 here too,
// printed with `{:?}`, which keeps the `.0`.
fn do_math(start: f64, num: f64) {
    println!("start: {start:?} ----------- num: {num:?} ////");
    let random_number = 1000.0 * 1000.0;
    let mut position = start;
    while position < num {
        position += 1.0;
        // math.sqrt((position - random_number) ** 2), result thrown away. black_box stops the
        // compiler from deleting a loop whose result nobody uses.
        black_box((position - random_number).powi(2).sqrt());
    }
}

fn main() {
    let t0 = Instant::now();
    // multiprocessing.cpu_count() -> available_parallelism
    let processor_count = thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = Vec::new();
    for n in 1..=processor_count {
        let start = (50_000_000 * (n - 1)) as f64 / processor_count as f64;
        let num = (50_000_000 * n) as f64 / processor_count as f64;
        // Thread(target=do_math, kwargs=..., daemon=True) -> thread::spawn
        threads.push(thread::spawn(move || do_math(start, num)));
    }
    for t in threads {
        t.join().expect("a thread panicked");
    }
    println!("Done in {} seconds", t0.elapsed().as_secs_f64());
}
