//! The async scraper: `examples/async_scraper_task.rs`'s two functions, run by the lab.
//!
//! `scrap_data` and `process_data` below are the example's, word for word (`tests/examples.rs`
//! fails when they differ); only the `use` lines point `sleep` and `println!` at the lab's
//! [measured ones](crate::lab). The producer and the consumer are two tasks joined by a queue.
//! While one task waits in `sleep(..).await` (Python's `await asyncio.sleep(..)`), the runtime
//! runs the other, so processing overlaps scraping and the total drops to the critical path of
//! the schedule: [`Plan::async_bound`](crate::Plan::async_bound).
//!
//! The runtime is tokio's *current-thread* runtime: like asyncio, one thread runs every task.
//! Nothing here runs in parallel; the gain comes only from not wasting the waits.

use std::time::Duration;

use anyhow::Context;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant; // std's Instant, or tokio's paused clock in the tests

use crate::lab::time::sleep; // tokio::time::sleep, divided by --speed and recorded
use crate::lab::{GREEN, TASK, Task, YELLOW, println};

/// `asyncio.run(main())`, the long way: build a one-thread runtime and run [`main`] on it.
/// (`#[tokio::main(flavor = "current_thread")]` in the example writes the same thing.)
pub fn run(num: u64) -> anyhow::Result<()> {
    // ANCHOR: run
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime")?;
    runtime.block_on(main(num))
    // ANCHOR_END: run
}

/// `async def main()` between its two prints: start both tasks, wait for both.
pub async fn main(num: u64) -> anyhow::Result<()> {
    let (sender, receiver) = unbounded_channel(); // data = asyncio.Queue()
    let task_1 = tokio::spawn(TASK.scope(Task::Scrape, scrap_data(num, sender)));
    let task_2 = tokio::spawn(TASK.scope(Task::Process, process_data(num, receiver)));
    let (scraped, processed) = tokio::join!(task_1, task_2); // await asyncio.gather(...)
    scraped.context("the scrap_data task failed")?;
    processed.context("the process_data task failed")?;
    Ok(())
}

// ANCHOR: scrap_data
// The producer. `scrap_data` is the course's spelling.
async fn scrap_data(num: u64, data: UnboundedSender<(u64, Instant)>) {
    for idx in 1..=num {
        let item = idx * idx;
        // await data.put(...): an unbounded channel never makes the sender wait.
        data.send((item, Instant::now()))
            .expect("the consumer is gone");
        // print(Fore.YELLOW, f'---- ...'): the comma puts a space after the colour code.
        println!("{YELLOW} ---- Generated item {idx}{YELLOW:#}");
        // await asyncio.sleep(random() + .2): this task waits, the thread runs the other one.
        let delay = Duration::from_secs_f64(fastrand::f64() + 0.2);
        sleep(delay).await;
    }
}
// ANCHOR_END: scrap_data

// ANCHOR: process_data
// The consumer.
async fn process_data(num: u64, mut data: UnboundedReceiver<(u64, Instant)>) {
    let mut processed = 0;
    while processed < num {
        // item = await data.get(): wait, without blocking the thread, for the next item.
        let Some((value, t)) = data.recv().await else {
            break; // the producer is gone: no more items will come
        };
        processed += 1;
        let dt = t.elapsed().as_secs_f64();
        println!("{GREEN}+++ Processed value {value} after {dt:.2} sec.{GREEN:#}");
        sleep(Duration::from_millis(400)).await; // await asyncio.sleep(.4)
    }
}
// ANCHOR_END: process_data
