//! The sync scraper: `examples/sync_scraper_task.rs`'s two functions, run by the lab.
//!
//! `scrap_data` and `process_data` below are the example's, word for word (`tests/examples.rs`
//! fails when they differ); only the `use` lines point `sleep` and `println!` at the lab's
//! [measured ones](crate::lab). One thread does everything in order: scrape all items into a list,
//! then process the list. While `sleep` (Python's `time.sleep`) waits, the thread can do nothing
//! else, so the total is the sum of every delay: [`Plan::sync_bound`](crate::Plan::sync_bound).

use std::time::Duration;

use tokio::time::Instant; // std's Instant, or tokio's paused clock in the tests

use crate::lab::thread::sleep; // std::thread::sleep, divided by --speed and recorded
use crate::lab::{GREEN, TASK, Task, YELLOW, println};

/// `main()` between its two prints (the lab prints those around every version).
pub fn main(num: u64) {
    let mut data = Vec::new(); // data = []
    TASK.sync_scope(Task::Scrape, || scrap_data(num, &mut data));
    TASK.sync_scope(Task::Process, || process_data(num, &mut data));
}

// ANCHOR: scrap_data
// The producer. `scrap_data` is the course's spelling.
fn scrap_data(num: u64, data: &mut Vec<(u64, Instant)>) {
    for idx in 1..=num {
        let item = idx * idx;
        data.push((item, Instant::now())); // data.append(...)
        // print(Fore.YELLOW, f'---- ...'): the comma puts a space after the colour code.
        println!("{YELLOW} ---- Generated item {idx}{YELLOW:#}");
        // time.sleep(random() + .2): the whole thread waits, nothing else can run.
        sleep(Duration::from_secs_f64(fastrand::f64() + 0.2));
    }
}
// ANCHOR_END: scrap_data

// ANCHOR: process_data
// The consumer.
fn process_data(num: u64, data: &mut Vec<(u64, Instant)>) {
    let mut processed = 0;
    while processed < num {
        // item = data.pop(0); the course's `if not item` check can never fire, so it is left out.
        let (value, t) = data.remove(0);
        processed += 1;
        let dt = t.elapsed().as_secs_f64();
        println!("{GREEN}+++ Processed value {value} after {dt:.2} sec.{GREEN:#}");
        sleep(Duration::from_millis(400)); // time.sleep(.4)
    }
}
// ANCHOR_END: process_data
