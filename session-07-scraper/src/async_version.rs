//! The async scraper: `examples/async_scraper_task.rs` with the delays given and the lines logged.
//!
//! The producer and the consumer are two tasks joined by a queue. While one task waits in
//! `tokio::time::sleep(..).await` (Python's `await asyncio.sleep(..)`), the runtime runs the
//! other, so processing overlaps scraping and the total drops to the critical path of the
//! schedule: [`Plan::async_bound`](crate::Plan::async_bound).
//!
//! The runtime is tokio's *current-thread* runtime: like asyncio, one thread runs every task.
//! Nothing here runs in parallel; the gain comes only from not wasting the waits.
//! [`async_blocking`](crate::async_blocking) is this file with `std::thread::sleep` in place of
//! the two `.await`ed sleeps: `diff` the two files to see the whole difference.

use std::time::Duration;

use anyhow::Context;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant;

use crate::Plan;
use crate::log::{Log, Task};

/// `asyncio.run(main())`: build a one-thread runtime and run [`main`] on it to the end.
/// (`#[tokio::main(flavor = "current_thread")]` in the example writes the same thing.)
pub fn run(plan: &Plan, log: &Log) -> anyhow::Result<Duration> {
    // ANCHOR: run
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime")?;
    runtime.block_on(main(plan, log))
    // ANCHOR_END: run
}

/// `async def main()`: start both tasks, wait for both, report the total time.
pub async fn main(plan: &Plan, log: &Log) -> anyhow::Result<Duration> {
    log.app_started();
    let (sender, receiver) = unbounded_channel(); // data = asyncio.Queue()
    let num = plan.items() as u64;
    let task_1 = tokio::spawn(scrap_data(plan.scrape.clone(), sender, log.clone()));
    let task_2 = tokio::spawn(process_data(num, plan.process, receiver, log.clone()));
    let (scraped, processed) = tokio::join!(task_1, task_2); // await asyncio.gather(...)
    scraped.context("the scrap_data task failed")?;
    processed.context("the process_data task failed")?;
    Ok(log.app_finished())
}

/// The producer (the course spells it `scrap_data`): one item per delay.
pub async fn scrap_data(delays: Vec<Duration>, data: UnboundedSender<(u64, Instant)>, log: Log) {
    for (idx, delay) in (1..).zip(delays) {
        let item = idx * idx;
        if data.send((item, Instant::now())).is_err() {
            return; // the consumer is gone: nobody is left to scrape for
        }
        log.generated(idx);
        let _busy = log.busy(Task::Scrape);
        tokio::time::sleep(delay).await; // await asyncio.sleep(random() + .2)
    }
}

/// The consumer: takes `num` items as they arrive and "processes" each one.
pub async fn process_data(
    num: u64,
    process: Duration,
    mut data: UnboundedReceiver<(u64, Instant)>,
    log: Log,
) {
    let mut processed = 0;
    while processed < num {
        let Some((value, t)) = data.recv().await else {
            break; // the producer is gone: no more items will come
        };
        processed += 1;
        log.processed(value, t);
        let _busy = log.busy(Task::Process);
        tokio::time::sleep(process).await; // await asyncio.sleep(.4)
    }
}
