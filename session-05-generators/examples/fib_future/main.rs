//! جلسه 5, going deeper (this project's own, not a course program): the course's `fib()`, as
//! an `async fn` beside the state machine the compiler turns it into.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md#جلسه-5
//!
//!     cargo run -p session-05-generators --example fib_future
//!
//! asyncio is built on generators: functions that stop and resume with their locals intact.
//! Rust turns an `async fn` into an enum with one variant per `.await` it can stop at, each
//! holding the locals still needed after it. This file has the `async fn`; `by_hand.rs`, beside
//! it, has the same function written out by hand as that enum.
//!
//! Watch: both say `Pending` ten times, then `Ready(55)`; after each poll the enum holds the
//! next `current` and `nxt`; and both futures are the same size, because they keep the same
//! things across the `.await`.

mod by_hand;

use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use by_hand::FibFuture;

// `Pending` once, then `Ready`: Rust's spelling of a bare `yield` (`await asyncio.sleep(0)`).
#[derive(Debug)]
struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // "Poll me again": without this, an executor would never poll us again.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

// The course's generator body, with an `.await` where the generator had its `yield`.
async fn fib_async(n: u32) -> u64 {
    let (mut current, mut nxt) = (0u64, 1u64);
    for _ in 0..n {
        (current, nxt) = (nxt, current + nxt);
        YieldNow { yielded: false }.await;
    }
    current
}

fn main() {
    // Poll both by hand, side by side. A waker that does nothing is enough here: every
    // `Pending` above means "poll me again at once" (examples/block_on.rs is a real executor).
    let mut cx = Context::from_waker(Waker::noop());
    let mut compiled = pin!(fib_async(10));
    let mut by_hand = FibFuture::Unresumed { n: 10 };
    println!("before poll  1: by hand {by_hand:?}");
    let mut polls = 0;
    loop {
        polls += 1;
        let a = compiled.as_mut().poll(&mut cx);
        let b = Pin::new(&mut by_hand).poll(&mut cx);
        println!("after  poll {polls:>2}: async fn {a:?}, by hand {b:?}, now {by_hand:?}");
        if a.is_ready() {
            break;
        }
    }

    // Sizes in bytes: the same things kept across `.await`, so the same size.
    let compiled = std::mem::size_of_val(&fib_async(10));
    let by_hand = std::mem::size_of_val(&FibFuture::Unresumed { n: 10 });
    println!("size: the async fn {compiled} bytes, by hand {by_hand} bytes");
}
