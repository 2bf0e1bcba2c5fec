//! The async scraper: the course's `async_scraper_task.py`, on tokio.
//!
//! The producer and the consumer are two tasks joined by a queue. While one task waits in
//! `tokio::time::sleep(...).await` (Python's `await asyncio.sleep(...)`), the runtime runs the
//! other, so processing overlaps scraping and the total drops to the critical path of the
//! schedule: [`Plan::async_bound`](crate::Plan::async_bound).
//!
//! The runtime is tokio's *current-thread* runtime: like asyncio, one thread runs every task.
//! Nothing here runs in parallel; the gain comes only from not wasting the waits.
//!
//! [`Wait::Block`] runs the very same tasks with `std::thread::sleep` instead, the mistake the
//! course warns about (`time.sleep` inside `async def`): the one thread is stuck in each sleep,
//! no other task can run, and the async version becomes as slow as the sync one.

use std::time::Duration;

use anyhow::Context;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::log::{Log, Task};
use crate::{Item, Plan};

/// How a task waits: the course's `asyncio.sleep` vs `time.sleep` in one `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// `await asyncio.sleep(d)` -> `tokio::time::sleep(d).await`: hand the thread back to the
    /// runtime, which runs other tasks and wakes this one when the time is up.
    Yield,
    /// `time.sleep(d)` -> `std::thread::sleep(d)`: keep the thread, and with it every task.
    Block,
}

impl Wait {
    async fn sleep(self, delay: Duration) {
        match self {
            Wait::Yield => tokio::time::sleep(delay).await,
            Wait::Block => std::thread::sleep(delay),
        }
    }
}

/// `asyncio.run(main())`: build a one-thread runtime, run [`main`] on it to the end.
pub fn run(plan: &Plan, log: &Log, wait: Wait) -> anyhow::Result<Duration> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime")?;
    runtime.block_on(main(plan, log, wait))
}

/// `async def main()`: start both tasks, wait for both, report the total time.
pub async fn main(plan: &Plan, log: &Log, wait: Wait) -> anyhow::Result<Duration> {
    log.app_started();

    // data = asyncio.Queue()  ->  an unbounded channel: the producer keeps the sending half,
    // the consumer the receiving half. When the producer drops its half, the consumer's
    // `recv()` returns `None`: the queue is closed, no count of items needs to be shared.
    let (data_tx, data_rx) = mpsc::unbounded_channel();

    // task_1 = asyncio.create_task(scrape_data(20, data))  ->  tokio::spawn
    // Spawned tasks start running as soon as this task waits; they own what they use.
    let task_1 = tokio::spawn(scrape_data(plan.clone(), data_tx, log.clone(), wait));
    let task_2 = tokio::spawn(process_data(plan.process, data_rx, log.clone(), wait));

    // await asyncio.gather(task_1, task_2)  ->  await both handles. Both tasks are already
    // running, so awaiting them one after the other waits exactly as long as gather does.
    task_1.await.context("the scrape_data task failed")?;
    task_2.await.context("the process_data task failed")?;

    Ok(log.app_finished())
}

/// The producer: puts each item on the queue, then "scrapes" for a while.
pub async fn scrape_data(plan: Plan, data: mpsc::UnboundedSender<Item>, log: Log, wait: Wait) {
    for (idx, &delay) in (1..).zip(&plan.scrape) {
        // await data.put((idx * idx, time.time())): an unbounded queue never makes put() wait.
        // It fails only if the consumer is gone, and then there is nobody left to scrape for.
        if data.send(Item::new(idx)).is_err() {
            return;
        }
        log.generated(idx);
        let since = Instant::now();
        wait.sleep(delay).await; // await asyncio.sleep(random() + 0.2)
        log.busy(Task::Scrape, since);
    }
    // `data` is dropped here: the queue closes and the consumer's loop ends after the last item.
}

/// The consumer: takes items as they arrive and "processes" each one.
pub async fn process_data(
    process: Duration,
    mut data: mpsc::UnboundedReceiver<Item>,
    log: Log,
    wait: Wait,
) {
    // item = await data.get(): waits (without blocking the thread) until an item is there.
    while let Some(item) = data.recv().await {
        log.processed(item.value, item.made);
        let since = Instant::now();
        wait.sleep(process).await; // await asyncio.sleep(0.4)
        log.busy(Task::Process, since);
    }
}
