//! The sync scraper: the course's `sync_scraper_task.py`, line for line.
//!
//! One thread does everything in order: scrape all items into a list, then process the list.
//! While `std::thread::sleep` (Python's `time.sleep`) waits, the thread can do nothing else, so
//! the total is the sum of every delay: [`Plan::sync_bound`](crate::Plan::sync_bound).

use std::time::Duration;

use tokio::time::Instant;

use crate::log::{Log, Task};
use crate::{Item, Plan};

/// `def main()`: scrape everything, then process everything, and report the total time.
pub fn main(plan: &Plan, log: &Log) -> Duration {
    log.app_started();
    let data = scrape_data(plan, log);
    process_data(data, plan, log);
    log.app_finished()
}

/// The producer: makes `item = idx * idx` for each idx, stamping the time it was made,
/// then "scrapes" for a while (`time.sleep(random() + 0.2)`).
pub fn scrape_data(plan: &Plan, log: &Log) -> Vec<Item> {
    let mut data = Vec::with_capacity(plan.items()); // data = []
    for (idx, &delay) in (1..).zip(&plan.scrape) {
        data.push(Item::new(idx)); // data.append((idx * idx, time.time()))
        log.generated(idx);
        let since = Instant::now();
        std::thread::sleep(delay); // time.sleep(random() + 0.2): the whole thread waits
        log.busy(Task::Scrape, since);
    }
    data
}

/// The consumer: takes the items in order and "processes" each (`time.sleep(0.4)`).
pub fn process_data(data: Vec<Item>, plan: &Plan, log: &Log) {
    for item in data {
        log.processed(item.value, item.made);
        let since = Instant::now();
        std::thread::sleep(plan.process); // time.sleep(0.4)
        log.busy(Task::Process, since);
    }
}
