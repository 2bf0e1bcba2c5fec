//! جلسه 17 and جلسه 18: a pool of workers for CPU-bound work, and their results. The course's file:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/multi_process_programming.py
//!
//!     cargo run --release -p session-11-threads --example multi_process_programming
//!
//! Watch: `Done in S seconds` (the course's pool: about 1.5 s), then one result per worker, as
//! session 18 prints them with `t.get()`.
//!
//! Where Rust differs: Python needs *processes* here, because the GIL lets one thread run Python
//! at a time. Rust threads run on every core, so a pool of one thread per core does the job,
//! sharing memory, with nothing to pickle and no process to start.

use std::thread;
use std::time::Instant;

fn do_math(start: u64, num: u64) -> i64 {
    let random_number: i64 = 1000 * 1000;
    let mut position = start;
    let mut avg = 0.0;
    while position < num {
        position += 1;
        let d = position as i64 - random_number;
        let value = ((d * d) as f64).sqrt();
        // As in the course: divided by `num`, the end of the slice, not its length.
        avg += value / num as f64;
    }
    avg as i64 // int(avg)
}

fn main() {
    println!("Program has been started ...");
    let t0 = Instant::now();
    let processor_count = thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    // ANCHOR: pool
    // multiprocessing.Pool() ... pool.close(); pool.join() -> a thread scope: it joins every
    // thread it started before it ends.
    let results: Vec<i64> = thread::scope(|s| {
        let mut tasks = Vec::new();
        for n in 1..=processor_count {
            let (start, num) = (
                50_000_000 * (n - 1) / processor_count,
                50_000_000 * n / processor_count,
            );
            // pool.apply_async(do_math, args=(start, num)) -> spawn; the handle is the AsyncResult
            tasks.push(s.spawn(move || do_math(start, num)));
        }
        // t.get() -> join(), which hands back the thread's return value
        tasks
            .into_iter()
            .map(|t| t.join().expect("a thread panicked"))
            .collect()
    });
    // ANCHOR_END: pool
    println!("Done in {} seconds", t0.elapsed().as_secs_f64());
    println!("Our results:");
    for result in results {
        println!("{result}");
    }
}
