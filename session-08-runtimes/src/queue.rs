//! This project's queue benchmark: two producers, one consumer, a yield after every action.
//!
//! The course gives no benchmark, only the claim that uvloop makes asyncio code "2 to 4 times"
//! faster. This workload is ours, chosen because it measures exactly what uvloop replaces: the
//! event loop's own cost of switching between tasks. Its Python version (`lab/bench_queue.py`)
//! puts 250,000 items per producer on an `asyncio.Queue` and follows every `put` and every `get`
//! with `await asyncio.sleep(0)`. There is no I/O and no real work.
//!
//! The Rust version names no runtime. The channel comes from `async-channel`, which works with
//! every executor because it only uses the [`Waker`](std::task::Waker) it is given; the yield is
//! [`yield_now`]; tasks are started through [`Spawn`]. Read it beside `examples/on_tokio.rs`.

use std::future::poll_fn;
use std::task::Poll;
use std::time::Instant;

use anyhow::Context as _;
// asyncio.Queue() (unbounded) -> async_channel::unbounded()
use async_channel::{Receiver, Sender};

use crate::{Outcome, Spawn};

/// How many producers put items on the channel.
pub const PRODUCERS: u64 = 2;

/// Run the workload once with `items` per producer; `processed` is the items the consumer took.
pub async fn queue_workload<S: Spawn>(spawner: &S, items: u64) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let (sender, receiver) = async_channel::unbounded();
    // asyncio.create_task(producer(queue)) -> spawner.spawn(producer(sender))
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|_| spawner.spawn(producer(sender.clone(), items)))
        .collect();
    // Drop our own sender: once both producers finish, the channel closes and the consumer stops.
    drop(sender);
    let consumer = spawner.spawn(consumer(receiver));
    // asyncio.gather(*tasks) -> await every handle
    for handle in producers {
        handle.await.context("a producer task failed")??;
    }
    let processed = consumer.await.context("the consumer task failed")?;
    Ok(Outcome {
        processed,
        elapsed: start.elapsed(),
    })
}

async fn producer(sender: Sender<u64>, items: u64) -> anyhow::Result<()> {
    for item in 0..items {
        // await queue.put(item)
        sender
            .send(item)
            .await
            .context("the consumer stopped early")?;
        // await asyncio.sleep(0)
        yield_now().await;
    }
    Ok(())
}

async fn consumer(receiver: Receiver<u64>) -> u64 {
    let mut processed = 0;
    // `recv` fails only when the channel is empty *and* every sender is gone: the end of the
    // work. Python needs a sentinel value (`None`) for this; a closed channel says it for free.
    while receiver.recv().await.is_ok() {
        processed += 1;
        yield_now().await;
    }
    processed
}

/// Give the runtime a chance to run other tasks: Python's `await asyncio.sleep(0)`.
///
/// It needs nothing from any runtime, which is why it is written by hand. Returning
/// [`Poll::Pending`] tells the executor "not ready yet"; calling `wake_by_ref` first adds "but
/// poll me again". So the executor puts this task at the back of its queue and runs the others
/// first, exactly what `asyncio.sleep(0)` does with the event loop's ready queue.
// ANCHOR: yield_now
pub async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}
// ANCHOR_END: yield_now
