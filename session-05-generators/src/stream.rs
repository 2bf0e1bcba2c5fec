//! Part 3: an *async* generator, the same numbers, each one taking a while to arrive.
//!
//! Python writes it as an `async def` with a `yield`, consumed with `async for` (the course
//! never does; this part goes beyond it). Rust's counterpart is a [`Stream`]: its `next()`
//! returns a future, so `async for` becomes `while let Some(item) = stream.next().await`.
//! [`futures::stream::unfold`] builds one from a state and an async closure that returns the
//! next item *and the next state*: the generator's memory stays explicit, as in [`Fib`].

use std::io::{self, Write};
use std::time::Duration;

use futures::stream::{self, Stream, StreamExt};
use tokio::time::Instant;

use crate::fib::Fib;

/// The Fibonacci numbers as a stream that waits `delay` before each one.
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

/// Consumes [`fib_stream`] like the course's `for` loop (stop past `limit`), one line per
/// number with the time it arrived; returns those times.
///
/// The number past `limit` is still awaited (the loop must see it to stop), so the loop takes
/// one wait more than it prints numbers; the summary line says so.
pub async fn consume(
    out: &mut impl Write,
    limit: u64,
    delay: Duration,
) -> io::Result<Vec<Duration>> {
    let start = Instant::now();
    let (mut arrivals, mut waits) = (Vec::new(), 0);
    // `unfold`'s async blocks must not move once polled: `pin!` fixes the stream in place.
    let mut numbers = std::pin::pin!(fib_stream(delay));
    // async for item in fib(delay): -> while let Some(item) = numbers.next().await
    while let Some(item) = numbers.next().await {
        waits += 1;
        if item > limit {
            break;
        }
        let at = start.elapsed();
        writeln!(out, "at {:>4} ms: {item}", at.as_millis())?;
        out.flush()?; // each number as it arrives, not all at the end
        arrivals.push(at);
    }
    let (took, each) = (start.elapsed().as_millis(), delay.as_millis());
    writeln!(
        out,
        "{} numbers in {took} ms: {waits} waits of {each} ms each",
        arrivals.len()
    )?;
    Ok(arrivals)
}

/// Runs [`consume`] on a one-thread tokio runtime with only a clock: `asyncio.run` of this part.
pub fn run(out: &mut impl Write, limit: u64, delay: Duration) -> anyhow::Result<()> {
    use anyhow::Context;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime for the stream")?;
    runtime
        .block_on(consume(out, limit, delay))
        .context("could not write to stdout")?;
    Ok(())
}
