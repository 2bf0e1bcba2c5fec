//! The sync scraper: `examples/sync_scraper_task.rs` with the delays given and the lines logged.
//!
//! One thread does everything in order: scrape all items into a list, then process the list.
//! While `std::thread::sleep` (Python's `time.sleep`) waits, the thread can do nothing else, so
//! the total is the sum of every delay: [`Plan::sync_bound`](crate::Plan::sync_bound).

use std::thread::sleep;
use std::time::Duration;

use tokio::time::Instant;

use crate::Plan;
use crate::log::{Log, Task};

/// `def main()`: scrape everything, then process everything, and report the total time.
pub fn main(plan: &Plan, log: &Log) -> Duration {
    log.app_started();
    let mut data = Vec::new(); // data = []
    scrap_data(&plan.scrape, &mut data, log);
    process_data(plan.process, &mut data, log);
    log.app_finished()
}

/// The producer (the course spells it `scrap_data`): one item per delay.
pub fn scrap_data(delays: &[Duration], data: &mut Vec<(u64, Instant)>, log: &Log) {
    for (idx, &delay) in (1..).zip(delays) {
        let item = idx * idx;
        data.push((item, Instant::now())); // data.append(...)
        log.generated(idx);
        let _busy = log.busy(Task::Scrape);
        sleep(delay); // time.sleep(random() + .2): the whole thread waits
    }
}

/// The consumer: takes the items in order and "processes" each one.
pub fn process_data(process: Duration, data: &mut Vec<(u64, Instant)>, log: &Log) {
    for (value, t) in data.drain(..) {
        log.processed(value, t);
        let _busy = log.busy(Task::Process);
        sleep(process); // time.sleep(.4)
    }
}
