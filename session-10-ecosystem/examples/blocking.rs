//! جلسه 10 (session 10): the course's rule "asyncio or threads?", in Rust, measured.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md (no code file)
//! Run:      cargo run -p session-10-ecosystem --example blocking
//!
//! If an async package exists for the job, use it with asyncio; if the only package blocks,
//! run it on threads. This shows why.
//! Watch: a task wants to tick every 10 ms. A blocking call of 200 ms made inline (as
//! `time.sleep` inside a coroutine would be) freezes it: the worst tick is about 200 ms late.
//! The same call in `spawn_blocking` (`asyncio.to_thread`) leaves it on time, within a ms or so.

use std::time::Duration;

use tokio::time::{Instant, interval, sleep};

/// Ticks every 10 ms for 400 ms and returns how late the latest tick was.
async fn ticker() -> Duration {
    let mut ticks = interval(Duration::from_millis(10));
    let mut worst = Duration::ZERO;
    for _ in 0..40 {
        let scheduled = ticks.tick().await;
        worst = worst.max(Instant::now() - scheduled);
    }
    worst
}

/// Stands in for a call into a blocking library (a driver with no async version).
fn blocking_call() {
    std::thread::sleep(Duration::from_millis(200));
}

// One thread runs every task, as asyncio's event loop does.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // ANCHOR: two_ways
    // The mistake: time.sleep(0.2) inside a coroutine -> a blocking call inside an async fn.
    let ticks = tokio::spawn(ticker());
    sleep(Duration::from_millis(30)).await; // let the ticker get going
    blocking_call(); // the only thread is stuck here: no task can run
    let inline = ticks.await.expect("the ticker panicked");

    // The rule: await loop.run_in_executor(None, blocking_call) -> spawn_blocking(blocking_call)
    let ticks = tokio::spawn(ticker());
    sleep(Duration::from_millis(30)).await;
    tokio::task::spawn_blocking(blocking_call)
        .await
        .expect("the blocking call panicked");
    let on_a_thread = ticks.await.expect("the ticker panicked");
    // ANCHOR_END: two_ways

    println!(
        "blocking call inline:            worst tick {:>6.1} ms late",
        ms(inline)
    );
    println!(
        "blocking call in spawn_blocking: worst tick {:>6.1} ms late",
        ms(on_a_thread)
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
