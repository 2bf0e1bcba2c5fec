//! Part 4: what `async fn` compiles to. A resumable state machine, Rust's counterpart of the
//! generators that Python's coroutines are built on.
//!
//! A Python generator is a function that can stop at `yield` and later resume with all its
//! locals intact. asyncio coroutines grew out of exactly that (`yield from` before `await`
//! existed). Rust's `async fn` is the same idea done at compile time: the compiler rewrites the
//! body into an enum with one variant per place it can stop (each `.await`), and each variant
//! holds the locals that are still needed after that point. Polling the future runs it from the
//! current variant to the next `.await` (or to the end).
//!
//! [`fib_async`] is written with `async`/`.await`; [`FibFuture`] is the same computation
//! written by hand as such an enum. Both give the same answer after the same number of polls,
//! and [`sizes`] shows how many bytes each occupies: the size of a future is the size of its
//! largest state, plus a tag saying which state it is in.

use std::fmt;
use std::future::Future;
use std::io::{self, Write};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use crate::fib::show;

/// A future that is `Pending` once (after asking to be polled again), then `Ready`.
///
/// This is the `.await` counterpart of a bare `yield`: hand control back to whoever is driving,
/// and carry on when polled again. (`tokio::task::yield_now` does the same for tokio.)
#[derive(Debug, Default)]
// A bare `yield` inside a generator-based coroutine (or `await asyncio.sleep(0)`) -> YieldNow.
pub struct YieldNow {
    yielded: bool,
}

impl YieldNow {
    /// A fresh yield point.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // "Poll me again": without this wake, a real executor would wait forever.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The `n`-th Fibonacci number, pausing at a `.await` after each step.
///
/// `None` when it does not fit in a `u64` (n > 93). `previous` and `current` live across the
/// `.await`, so the compiler stores them inside the future.
///
/// ```
/// use session_05_generators::{executor::block_on, state_machine::fib_async};
/// assert_eq!(block_on(fib_async(10)), Some(55));
/// assert_eq!(block_on(fib_async(94)), None);
/// ```
// ANCHOR: fib_async
pub async fn fib_async(n: u32) -> Option<u64> {
    // Starting one step "before" 0, 1 means we never compute a number past the n-th.
    let (mut previous, mut current) = (1u64, 0u64);
    for _ in 0..n {
        (previous, current) = (current, previous.checked_add(current)?);
        YieldNow::new().await;
    }
    Some(current)
}
// ANCHOR_END: fib_async

/// [`fib_async`] written by hand: one variant per place the function can be stopped.
///
/// rustc's own names for these states are `Unresumed`, `Suspend0` and `Returned` (they show
/// up in debugger output and compiler messages); we reuse them.
///
/// ```
/// use session_05_generators::{executor::block_on, state_machine::FibFuture};
/// assert_eq!(block_on(FibFuture::new(10)), Some(55));
/// ```
#[derive(Debug)]
pub enum FibFuture {
    /// Created, never polled: only the argument is stored (no code of the body has run).
    Unresumed {
        /// The argument.
        n: u32,
    },
    /// Stopped at the `.await`: everything the rest of the body still needs.
    Suspend0 {
        /// The local `previous`.
        previous: u64,
        /// The local `current`.
        current: u64,
        /// The loop's counter, `0..n`, as the `for` loop keeps it.
        steps: std::ops::Range<u32>,
        /// The future being awaited.
        yield_now: YieldNow,
    },
    /// Finished; polling again is a bug (an `async fn` panics too).
    Returned,
}

impl FibFuture {
    /// Like calling `fib_async(n)`: builds the state machine, runs nothing.
    pub fn new(n: u32) -> Self {
        FibFuture::Unresumed { n }
    }

    /// Runs the body from the top of the loop at `steps` to the next `.await` or the end.
    fn step(
        previous: u64,
        current: u64,
        mut steps: std::ops::Range<u32>,
    ) -> Result<Self, Option<u64>> {
        if steps.next().is_none() {
            return Err(Some(current)); // return Some(current)
        }
        let Some(next) = previous.checked_add(current) else {
            return Err(None); // the `?`
        };
        Ok(FibFuture::Suspend0 {
            previous: current,
            current: next,
            steps,
            yield_now: YieldNow::new(),
        })
    }
}

impl Future for FibFuture {
    type Output = Option<u64>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        // All fields are plain data, so `FibFuture` is `Unpin` and we may take `&mut Self`
        // out of the pin: no `unsafe`. The compiler cannot assume that for an async fn, whose
        // locals may borrow each other; that is why `poll` takes `Pin<&mut Self>` at all.
        let this = self.get_mut();
        loop {
            let next_state = match this {
                FibFuture::Unresumed { n } => {
                    // let (mut previous, mut current) = (1, 0); for _ in 0..n { ... }
                    FibFuture::step(1, 0, 0..*n)
                }
                FibFuture::Suspend0 {
                    previous,
                    current,
                    steps,
                    yield_now,
                } => {
                    // Resume inside the `.await`: poll the awaited future; if it is still
                    // pending, so are we (and we stay in this state).
                    if Pin::new(yield_now).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    FibFuture::step(*previous, *current, steps.clone())
                }
                FibFuture::Returned => panic!("FibFuture polled after it returned"),
            };
            match next_state {
                // Reached the `.await` again: store the state and poll the new YieldNow at
                // once (the loop), exactly as the compiled async fn does.
                Ok(state) => *this = state,
                Err(output) => {
                    *this = FibFuture::Returned;
                    return Poll::Ready(output);
                }
            }
        }
    }
}

impl fmt::Display for FibFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FibFuture::Unresumed { n } => write!(f, "Unresumed {{ n: {n} }}"),
            FibFuture::Suspend0 {
                previous,
                current,
                steps,
                ..
            } => write!(
                f,
                "Suspend0 {{ previous: {previous}, current: {current}, steps left: {} }}",
                steps.len()
            ),
            FibFuture::Returned => write!(f, "Returned"),
        }
    }
}

/// An async fn that keeps a 1 KiB buffer alive across an `.await`: the buffer is stored in
/// the future, so the future is over 1 KiB.
pub async fn keeps_buffer_across_await() -> u8 {
    let buffer = [7u8; 1024];
    YieldNow::new().await;
    buffer[1023]
}

/// The same, but the buffer is finished with before the `.await`: only one byte survives.
pub async fn drops_buffer_before_await() -> u8 {
    let last = {
        let buffer = [7u8; 1024];
        buffer[1023]
    };
    YieldNow::new().await;
    last
}

/// `std::mem::size_of_val` of the futures in this module, in bytes, as this compiler lays
/// them out. The numbers are not part of the language: another compiler version may differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// `fib_async(n)`.
    pub fib_async: usize,
    /// `FibFuture::new(n)`.
    pub fib_future: usize,
    /// `keeps_buffer_across_await()`.
    pub keeps_buffer: usize,
    /// `drops_buffer_before_await()`.
    pub drops_buffer: usize,
}

/// Measures [`Sizes`]. The futures are created and dropped without being polled.
pub fn sizes() -> Sizes {
    Sizes {
        fib_async: std::mem::size_of_val(&fib_async(10)),
        fib_future: std::mem::size_of_val(&FibFuture::new(10)),
        keeps_buffer: std::mem::size_of_val(&keeps_buffer_across_await()),
        drops_buffer: std::mem::size_of_val(&drops_buffer_before_await()),
    }
}

/// Polls `future` to the end with a waker that does nothing; returns the output and the
/// number of polls.
///
/// This busy loop is enough here because every `Pending` in this module means "poll me
/// again right away". Part 5 builds an executor that sleeps until it is woken.
pub fn poll_to_end<F: Future>(future: F) -> (F::Output, u32) {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return (output, polls);
        }
    }
}

/// Part 4: runs both versions of the `n`-th Fibonacci number side by side, shows the
/// hand-written machine's state after each poll, and prints the sizes.
pub fn run(out: &mut impl Write, n: u32) -> io::Result<()> {
    let (from_async, async_polls) = poll_to_end(fib_async(n));

    // Poll the hand-written one by hand, so we can look at its state between polls.
    let mut machine = FibFuture::new(n);
    writeln!(out, "enum FibFuture, state by state:")?;
    writeln!(out, "  before poll 1: {machine}")?;
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    let from_machine = loop {
        polls += 1;
        let poll = Pin::new(&mut machine).poll(&mut cx);
        let shown = match &poll {
            Poll::Pending => "Pending".to_string(),
            Poll::Ready(output) => format!("Ready({})", show(*output)),
        };
        writeln!(out, "  after poll {polls:>2}: {shown:<11} now {machine}")?;
        if let Poll::Ready(output) = poll {
            break output;
        }
    };

    let sizes = sizes();
    let rows = [
        (
            format!("async fn fib_async({n})"),
            from_async,
            async_polls,
            sizes.fib_async,
        ),
        (
            format!("by hand: FibFuture::new({n})"),
            from_machine,
            polls,
            sizes.fib_future,
        ),
    ];
    for (label, output, polls, size) in rows {
        writeln!(
            out,
            "{label:<28} -> {:<6} after {polls} polls; the future is {size} bytes",
            show(output),
        )?;
    }
    writeln!(
        out,
        "an async fn holding [u8; 1024] across .await: {} bytes; dropping it before: {} bytes",
        sizes.keeps_buffer, sizes.drops_buffer,
    )
}
