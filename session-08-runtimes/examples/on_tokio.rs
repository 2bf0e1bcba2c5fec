//! جلسه 8: the course's uvloop line (in its README; session 8 has no file), in Rust.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md
//!
//! In the course, one line swaps asyncio's event loop for uvloop and nothing else changes.
//! Rust ships no event loop at all: the program picks a runtime. on_tokio.rs, on_smol.rs and
//! on_async_std.rs are one program on three runtimes; `diff` two of them to see the swap.
//!
//! Run:   cargo run -p session-08-runtimes --example on_tokio
//! Watch: the first line is the same on every runtime; only the time differs.

use std::time::Instant;

// asyncio.Queue -> async_channel: a channel that works on any runtime, so it is not swapped.
use async_channel::{Receiver, Sender};

const PRODUCERS: u64 = 2;
const ITEMS: u64 = 10_000; // per producer

async fn producer(queue: Sender<u64>) {
    for item in 0..ITEMS {
        queue.send(item).await.expect("the consumer is gone");
        tokio::task::yield_now().await; // await asyncio.sleep(0): let the other tasks run
    }
}

async fn consumer(queue: Receiver<u64>) -> (u64, u64) {
    let (mut count, mut sum) = (0, 0);
    // `recv` fails once the queue is empty and every producer has finished: no None sentinel.
    while let Ok(item) = queue.recv().await {
        count += 1;
        sum += item;
    }
    (count, sum)
}

// ANCHOR: app
async fn app() {
    let start = Instant::now();
    let (sender, receiver) = async_channel::unbounded();
    for _ in 0..PRODUCERS {
        tokio::spawn(producer(sender.clone())); // asyncio.create_task(producer(queue))
    }
    drop(sender); // only the producers hold a sender now, so the queue closes when they finish
    let (count, sum) = consumer(receiver).await;
    println!("consumer took {count} items from {PRODUCERS} producers, sum {sum}");
    println!("time: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
}

#[tokio::main] // asyncio.run(main()), on tokio's multi-threaded runtime
async fn main() {
    app().await;
}
// ANCHOR_END: app
