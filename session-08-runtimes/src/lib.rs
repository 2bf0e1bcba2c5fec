//! # Session 8: a faster event loop, or "swap the runtime"
//!
//! In the Python course one line, `asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())`,
//! swaps asyncio's event loop for uvloop, a loop written in C. Nothing else in the program
//! changes, and the course says code gets about 2 to 4 times faster (it shows no measurement).
//!
//! Rust has the same split, only more visible. The language gives you `async fn`, `.await` and
//! the [`Future`] trait, but nothing that *runs* a future. That job belongs to a **runtime**, a
//! library the program picks, made of two parts:
//!
//! * an **executor**, which polls tasks that are ready to make progress (asyncio's ready queue);
//! * a **reactor**, which asks the operating system which sockets and timers are ready and wakes
//!   the tasks waiting on them (asyncio's selector, or uvloop's libuv).
//!
//! The course has no program for this session, so the examples (`examples/on_tokio.rs`,
//! `on_smol.rs`, `on_async_std.rs`) are one small program written three times, and this library
//! is the lab that measures the swap. It writes two workloads **once**, without naming any
//! runtime:
//!
//! * [`queue`]: two producers put items on a channel, one consumer takes them all, and every
//!   action is followed by a yield to the runtime. It is this project's benchmark, not the
//!   course's: the course gives no benchmark and no timings, only "2 to 4 times" faster.
//! * [`echo`]: what uvloop's own benchmark does. Clients send small messages to an echo server
//!   on loopback and wait for every reply.
//!
//! Then [`runtimes`], the only module that names a runtime, runs them on tokio (current-thread and
//! multi-thread), smol (one thread and several), async-std and `futures`' `LocalPool`:
//!
//! ```text
//! Runtime::AsyncStd => async_std::task::block_on(workload.run(&AsyncStdSpawner)),
//! ```
//!
//! A workload needs two things from a runtime, written down as the [`Spawn`] trait: a way to
//! start a task (`asyncio.create_task`), and its sockets and timer ([`echo::Net`]). Yielding
//! needs nothing from the runtime at all: see [`yield_now`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub mod bench;
pub mod echo;
pub mod queue;
pub mod runtimes;

pub use bench::{Measurement, Outcome, Workload};
pub use runtimes::Runtime;

/// The result of a spawned task, awaited later (asyncio's `Task` object).
///
/// Every runtime has its own join-handle type; the workloads only need "a future that gives the
/// task's output", so each runtime's handle is boxed into this one type. The box costs one
/// allocation per spawned task, and the workloads spawn only a handful.
pub type JoinHandle<T> = Pin<Box<dyn Future<Output = anyhow::Result<T>>>>;

/// What a workload needs from a runtime: start a task (`asyncio.create_task`), and the
/// runtime's sockets and timer.
///
/// Implemented in [`runtimes`] for every runtime's spawner. The task must be `Send + 'static`
/// because a multi-threaded runtime may move it to another thread; single-threaded runtimes
/// accept such tasks too, so one bound serves all.
pub trait Spawn {
    /// The sockets and timer that work on this runtime.
    type Net: echo::Net;

    /// Start `task` and return a handle to await its output.
    fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
}

/// Give the runtime a chance to run other tasks: Python's `await asyncio.sleep(0)`.
///
/// This needs nothing from any runtime, which is the point of writing it by hand. A future that
/// returns [`Poll::Pending`] tells the executor "not ready yet"; calling `wake_by_ref` first tells
/// it "but poll me again". So the executor puts this task at the back of its queue and runs the
/// others first, exactly what `asyncio.sleep(0)` does with the event loop's ready queue.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`]: pending once, ready the second time it is polled.
#[derive(Debug)]
#[must_use = "a yield does nothing unless it is awaited"]
pub struct YieldNow {
    yielded: bool,
}

// ANCHOR: yield_now
impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
// ANCHOR_END: yield_now
