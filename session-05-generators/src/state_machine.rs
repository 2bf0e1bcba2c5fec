//! Part 4: what an `async fn` compiles to, a resumable state machine: Rust's counterpart of
//! the generators that Python's coroutines are built on.
//!
//! A generator stops at `yield` and later resumes with its locals intact; asyncio's coroutines
//! grew out of that (`yield from` before `await`). The compiler rewrites an `async fn` into an
//! enum with one variant per place it can stop (each `.await`), each holding the locals still
//! needed after it; `poll` runs from the current variant to the next `.await` or the end.
//! [`fib_async`] is written with `.await`; [`FibFuture`] is the same enum written by hand. The
//! size of a future is the size of its largest state, plus a tag saying which one it is in.

use std::future::Future;
use std::io::{self, Write};
use std::ops::Range;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use crate::fib::show;

/// `Pending` once (after asking to be polled again), then `Ready`: the `.await` counterpart of
/// a bare `yield` (`await asyncio.sleep(0)`; `tokio::task::yield_now` in tokio).
#[derive(Debug, Default)]
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

/// The `n`-th Fibonacci number, stopping at an `.await` after each step; `None` past the 92nd
/// (where `nxt` would overflow, as in [`crate::Fib`]). `current` and `nxt` live across the
/// `.await`, so the compiler stores them inside the future.
///
/// ```
/// use session_05_generators::{block_on, fib_async};
/// assert_eq!(block_on(fib_async(10)), Some(55));
/// assert_eq!(block_on(fib_async(93)), None);
/// ```
// ANCHOR: fib_async
pub async fn fib_async(n: u32) -> Option<u64> {
    let (mut current, mut nxt) = (0u64, 1u64);
    for _ in 0..n {
        (current, nxt) = (nxt, current.checked_add(nxt)?);
        YieldNow::new().await;
    }
    Some(current)
}
// ANCHOR_END: fib_async

/// [`fib_async`] written by hand: one variant per place the function can be stopped, named as
/// rustc names its own states (they show up in debuggers and compiler messages).
#[derive(Debug)]
pub enum FibFuture {
    /// Called, never polled: only the argument is stored.
    Unresumed {
        /// The argument.
        n: u32,
    },
    /// Stopped at the `.await`: the locals still needed after it, and the awaited future.
    Suspend0 {
        /// The local `current`.
        current: u64,
        /// The local `nxt`.
        nxt: u64,
        /// The `for` loop's counter.
        steps: Range<u32>,
        /// The future being awaited.
        yield_now: YieldNow,
    },
    /// Finished; polling again is a bug (an `async fn` panics too).
    Returned,
}

impl Future for FibFuture {
    type Output = Option<u64>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        // Every field is plain data, so `FibFuture` is `Unpin` and may leave its `Pin`: no
        // `unsafe`. An async fn's locals may borrow each other, hence `Pin` in `poll` at all.
        let this = self.get_mut();
        loop {
            // Where did we stop? Take out the locals that state kept.
            let (current, nxt, mut steps) = match this {
                FibFuture::Unresumed { n } => (0, 1, 0..*n),
                FibFuture::Suspend0 {
                    current,
                    nxt,
                    steps,
                    yield_now,
                } => {
                    // Still inside the `.await`: if the awaited future is pending, so are we.
                    if Pin::new(yield_now).poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    (*current, *nxt, steps.clone())
                }
                FibFuture::Returned => panic!("FibFuture polled after it returned"),
            };
            // The top of `for _ in 0..n`, then its body up to the next `.await`.
            let output = match (steps.next(), current.checked_add(nxt)) {
                (None, _) => Some(current), // the loop is over: return Some(current)
                (Some(_), None) => None,    // the `?`
                (Some(_), Some(sum)) => {
                    *this = FibFuture::Suspend0 {
                        current: nxt,
                        nxt: sum,
                        steps,
                        yield_now: YieldNow::new(),
                    };
                    continue; // poll the new YieldNow at once, as the compiled code does
                }
            };
            *this = FibFuture::Returned;
            return Poll::Ready(output);
        }
    }
}

/// Keeps a 1 KiB buffer alive across an `.await`: the buffer is stored in the future.
pub async fn keeps_buffer_across_await() -> u8 {
    let buffer = [7u8; 1024];
    YieldNow::new().await;
    buffer[1023]
}

/// The same buffer, finished with before the `.await`: only one byte survives it.
pub async fn drops_buffer_before_await() -> u8 {
    let last = [7u8; 1024][1023];
    YieldNow::new().await;
    last
}

/// Polls `future` to the end with a waker that does nothing; returns the output and the number
/// of polls. Enough here, because every `Pending` in this module means "poll me again at
/// once"; part 5 builds an executor that sleeps until it is woken.
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

/// Part 4: the hand-written machine's state after each poll, then both versions' answers,
/// polls and sizes (as this compiler lays them out), and the buffer rule.
pub fn run(out: &mut impl Write, n: u32) -> io::Result<()> {
    let mut machine = FibFuture::Unresumed { n };
    writeln!(out, "before poll  1: {machine:?}")?;
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    let by_hand = loop {
        polls += 1;
        let poll = Pin::new(&mut machine).poll(&mut cx);
        let shown = match poll {
            Poll::Pending => "Pending".to_string(),
            Poll::Ready(output) => format!("Ready({})", show(output)),
        };
        writeln!(out, "after  poll {polls:>2}: {shown}, now {machine:?}")?;
        if let Poll::Ready(output) = poll {
            break output;
        }
    };
    let (compiled, compiled_polls) = poll_to_end(fib_async(n));
    let rows = [
        (
            "async fn fib_async",
            compiled,
            compiled_polls,
            size_of_val(&fib_async(n)),
        ),
        ("by hand: FibFuture ", by_hand, polls, size_of_val(&machine)),
    ];
    for (name, answer, polls, size) in rows {
        let (label, answer) = (format!("{name}({n})"), show(answer));
        writeln!(
            out,
            "{label:<25} -> {answer} after {polls} polls, {size} bytes"
        )?;
    }
    writeln!(
        out,
        "an async fn holding [u8; 1024] across .await: {} bytes; dropping it before: {} bytes",
        size_of_val(&keeps_buffer_across_await()),
        size_of_val(&drops_buffer_before_await()),
    )
}
