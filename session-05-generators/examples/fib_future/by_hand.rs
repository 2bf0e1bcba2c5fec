//! `fib_async` from main.rs, written out by hand as the enum the compiler makes of it.

use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::YieldNow;

// One variant per place the function can be stopped. The names are the ones rustc uses for
// its own states (they show up in debuggers and compiler messages).
#[derive(Debug)]
pub enum FibFuture {
    // Called, not polled yet: only the argument is kept.
    Unresumed {
        n: u32,
    },
    // Stopped at the `.await`: the locals still needed after it, and the awaited future.
    Suspend0 {
        current: u64,
        nxt: u64,
        steps: Range<u32>, // the `for` loop's counter
        yield_now: YieldNow,
    },
    // Finished.
    Returned,
}

impl Future for FibFuture {
    type Output = u64;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        // Every field is plain data (Unpin), so we may take it out of the Pin: no `unsafe`.
        let this = self.get_mut();
        loop {
            // Where did we stop? Take out the locals that state kept.
            let (current, nxt, mut steps) = match this {
                // let (mut current, mut nxt) = (0, 1); for _ in 0..n
                FibFuture::Unresumed { n } => (0, 1, 0..*n),
                FibFuture::Suspend0 {
                    current,
                    nxt,
                    steps,
                    yield_now,
                } => {
                    // Still inside the `.await`: poll the awaited future.
                    if Pin::new(yield_now).poll(cx).is_pending() {
                        return Poll::Pending; // not done: stay in this state
                    }
                    (*current, *nxt, steps.clone())
                }
                // An async fn panics too when it is polled after it returned.
                FibFuture::Returned => panic!("FibFuture polled after it returned"),
            };

            // The top of the `for` loop: when it is over, `current` is the answer.
            if steps.next().is_none() {
                *this = FibFuture::Returned;
                return Poll::Ready(current);
            }

            // The loop body: (current, nxt) = (nxt, current + nxt), then the next `.await`.
            // Store the state, then go round to poll the new YieldNow at once.
            *this = FibFuture::Suspend0 {
                current: nxt,
                nxt: current + nxt,
                steps,
                yield_now: YieldNow { yielded: false },
            };
        }
    }
}
