//! جلسه 5, going deeper (this project's own, not a course program): the course's `fib()` as an
//! *async* generator, a `Stream` whose numbers take time to arrive.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md#جلسه-5
//!
//!     cargo run -p session-05-generators --example fib_stream
//!
//! When making the next item means waiting (a reply, a timer), Python has async generators
//! (`async def` with `yield`, consumed by `async for`). Rust's counterpart is a `Stream`: its
//! `next()` returns a future, so the loop is `while let Some(item) = numbers.next().await`.
//!
//! Watch: the numbers arrive one every 100 ms, not all at once; 16 numbers take 17 waits, since
//! the loop must receive 1597 to learn that it is past 1000; the state, `(current, nxt)`, is
//! handed from one step to the next in plain sight, as in `examples/fib.rs`.

use std::time::{Duration, Instant};

use futures::stream::{self, Stream, StreamExt};

const DELAY: Duration = Duration::from_millis(100);

// Python async generator (`async def` + `await` + `yield`) -> futures::stream::unfold
fn fib_stream() -> impl Stream<Item = u64> {
    // The state is the generator's two locals; each step gets it and hands back the next one.
    stream::unfold((0u64, 1u64), |(current, nxt)| async move {
        // await asyncio.sleep(0.1) -> tokio::time::sleep(..).await
        tokio::time::sleep(DELAY).await;
        // current, nxt = nxt, current + nxt   (`?`: None ends the stream before an overflow)
        let (current, nxt) = (nxt, current.checked_add(nxt)?);
        // yield current, and keep the state for next time
        Some((current, (current, nxt)))
    })
}

// asyncio.run(main()) -> #[tokio::main]; one thread is all this needs.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    // A stream made of `async` blocks must stay in one place while it is polled: pin! it.
    let mut numbers = std::pin::pin!(fib_stream());
    let (mut printed, mut waits) = (0, 0);
    // async for item in fib(): -> while let Some(item) = numbers.next().await
    while let Some(item) = numbers.next().await {
        waits += 1;
        if item > 1000 {
            break;
        }
        println!("after {:>4} ms: {item}", start.elapsed().as_millis());
        printed += 1;
    }
    println!(
        "{printed} numbers, {waits} waits of {} ms, {} ms in all",
        DELAY.as_millis(),
        start.elapsed().as_millis()
    );
}
