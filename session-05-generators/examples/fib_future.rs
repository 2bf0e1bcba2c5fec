//! Going deeper, beyond the course (جلسه 5): what an `async fn` compiles to.
//! Run it: cargo run -p session-05-generators --example fib_future
//!
//! asyncio is built on generators: functions that stop and resume with their locals intact.
//! Rust turns an `async fn` into an enum with one variant per `.await` it can stop at, holding
//! the locals still needed after it; `FibFuture` is `fib_async` written out by hand that way.
//! Watch: both agree at every poll (`Pending` ten times, then `Ready(55)`), and both have the
//! same size: what they keep across `.await`, plus a tag saying which state they are in.

use std::{ops::Range, pin::Pin, pin::pin, task::Context, task::Poll, task::Waker};

// `Pending` once, then `Ready`: Rust's spelling of a bare `yield` (`await asyncio.sleep(0)`).
#[derive(Debug)]
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            return Poll::Ready(()); // polled again after its Pending: done
        }
        cx.waker().wake_by_ref(); // "poll me again": without it, an executor waits forever
        Poll::Pending
    }
}

async fn fib_async(n: u32) -> u64 {
    let (mut current, mut nxt) = (0u64, 1u64);
    for _ in 0..n {
        (current, nxt) = (nxt, current + nxt);
        YieldNow(false).await;
    }
    current
}

// The same function by hand. The names are the ones rustc uses for its own states.
#[derive(Debug)]
enum FibFuture {
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
    Returned,
}

impl Future for FibFuture {
    type Output = u64;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let this = self.get_mut(); // every field is plain data (Unpin): no `unsafe` needed
        loop {
            // Where did we stop? Take the locals out of that state.
            let (current, nxt, mut steps) = match this {
                FibFuture::Unresumed { n } => (0, 1, 0..*n),
                FibFuture::Suspend0 {
                    current,
                    nxt,
                    steps,
                    yield_now,
                } => {
                    if Pin::new(yield_now).poll(cx).is_pending() {
                        return Poll::Pending; // still inside the `.await`: stay here
                    }
                    (*current, *nxt, steps.clone())
                }
                FibFuture::Returned => panic!("polled after it returned"),
            };
            // The top of `for _ in 0..n`.
            if steps.next().is_none() {
                *this = FibFuture::Returned; // the loop is over: `current` is the answer
                return Poll::Ready(current);
            }
            let (current, nxt) = (nxt, current + nxt); // the loop body, up to the next `.await`
            *this = FibFuture::Suspend0 {
                current,
                nxt,
                steps,
                yield_now: YieldNow(false),
            };
        }
    }
}

fn main() {
    // Poll both by hand, side by side. `Waker::noop()` is enough: every `Pending` above means
    // "poll me again at once" (examples/block_on.rs shows a real executor).
    let mut cx = Context::from_waker(Waker::noop());
    let mut compiled = pin!(fib_async(10));
    let mut by_hand = FibFuture::Unresumed { n: 10 };
    println!("before poll  1: by hand {by_hand:?}");
    for polls in 1.. {
        let a = compiled.as_mut().poll(&mut cx);
        let b = Pin::new(&mut by_hand).poll(&mut cx);
        println!("after  poll {polls:>2}: async fn {a:?}, by hand {b:?}, now {by_hand:?}");
        if a.is_ready() || b.is_ready() {
            break;
        }
    }
    // Sizes in bytes: the same fields kept across `.await`, so the same size.
    let compiled = std::mem::size_of_val(&fib_async(10));
    let by_hand = std::mem::size_of_val(&FibFuture::Unresumed { n: 10 });
    println!("size: the async fn {compiled} bytes, by hand {by_hand} bytes");
}
