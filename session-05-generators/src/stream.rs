//! Part 3: an *async* generator. The same numbers, but each one takes a while to arrive.
//!
//! In Python an async generator is an `async def` with a `yield` in it, consumed with
//! `async for`:
//!
//! ```python
//! async def fib(delay):
//!     current, nxt = 0, 1
//!     while True:
//!         await asyncio.sleep(delay)
//!         current, nxt = nxt, current + nxt
//!         yield current
//!
//! async for item in fib(0.05): ...
//! ```
//!
//! An [`Iterator`] hands out its next item at once; a [`Stream`] may have to wait for it (a
//! network reply, a timer). Its `next()` therefore returns a future, and the consumer writes
//! `while let Some(item) = stream.next().await`, Rust's spelling of `async for`.
//!
//! [`futures::stream::unfold`] builds a stream from a state and an async closure that returns
//! the next item *and the next state*. That makes the generator's hidden state explicit, the
//! same lesson as the `Fib` struct. The `async-stream` crate offers `stream! { ... yield x; }`,
//! which reads more like Python; the README shows it.

use std::io::{self, Write};
use std::time::Duration;

use futures::stream::{self, Stream, StreamExt};
use tokio::time::Instant;

use crate::fib::Fib;

/// The Fibonacci numbers as a stream that waits `delay` before each item.
///
/// The state carried from item to item is the [`Fib`] iterator itself; the wait is
/// `tokio::time::sleep` (Python's `asyncio.sleep`).
///
/// ```
/// use futures::StreamExt;
/// use std::time::Duration;
///
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// let first: Vec<u64> = runtime.block_on(
///     session_05_generators::stream::fib_stream(Duration::ZERO).take(5).collect(),
/// );
/// assert_eq!(first, [1, 1, 2, 3, 5]);
/// ```
pub fn fib_stream(delay: Duration) -> impl Stream<Item = u64> {
    // Python async generator (`async def` + `yield`) -> futures::stream::unfold
    // ANCHOR: unfold
    stream::unfold(Fib::new(), move |mut fib| async move {
        // Returning `None` ends the stream, just as the iterator ended.
        let item = fib.next()?;
        // await asyncio.sleep(delay) -> tokio::time::sleep(delay).await
        tokio::time::sleep(delay).await;
        // yield current (and hand the state back for next time)
        Some((item, fib))
    })
    // ANCHOR_END: unfold
}

/// One item of the stream and when it arrived, counted from the start of the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// The Fibonacci number.
    pub item: u64,
    /// Time since the loop started.
    pub at: Duration,
}

/// Consumes [`fib_stream`] like the course's `for` loop (stop past `limit`), writing each
/// number on its own line with the time it arrived, and returns what it printed.
///
/// The number that is past `limit` is still awaited (the loop has to see it to know it must
/// stop), so the loop takes one wait more than it prints numbers; the summary line says so.
pub async fn consume(
    out: &mut impl Write,
    limit: u64,
    delay: Duration,
) -> io::Result<Vec<Arrival>> {
    let start = Instant::now();
    let mut arrivals = Vec::new();
    let mut waits = 0u32;
    // `unfold`'s stream holds an `async` block, which may not be moved once polled:
    // `pin!` fixes it in place on the stack so `next()` can poll it.
    let mut numbers = std::pin::pin!(fib_stream(delay));
    // async for item in fib(delay): -> while let Some(item) = stream.next().await
    while let Some(item) = numbers.next().await {
        waits += 1;
        if item > limit {
            break;
        }
        let at = start.elapsed();
        writeln!(out, "at {:>6}: {item}", format_ms(at))?;
        // Show each number as it arrives, not all at once when the loop ends.
        out.flush()?;
        arrivals.push(Arrival { item, at });
    }
    writeln!(
        out,
        "{} numbers in {}: {waits} waits of {} each",
        arrivals.len(),
        format_ms(start.elapsed()),
        format_ms(delay),
    )?;
    Ok(arrivals)
}

/// Runs [`consume`] on a one-thread tokio runtime (the `asyncio.run` of this part).
pub fn run(out: &mut impl Write, limit: u64, delay: Duration) -> anyhow::Result<Vec<Arrival>> {
    use anyhow::Context;
    // asyncio.run(main()) -> a current-thread runtime with only a clock enabled.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime for the stream")?;
    runtime
        .block_on(consume(out, limit, delay))
        .context("could not write to stdout")
}

/// `1234 ms`, with one decimal below 10 ms so short waits do not all read `0 ms`.
fn format_ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}
