//! # Session 8: a faster event loop, or "swap the runtime"
//!
//! In the Python course one line swaps asyncio's event loop for uvloop, a loop written in C:
//!
//! ```python
//! asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
//! ```
//!
//! Nothing else in the program changes, and the course measures it 2–4x faster.
//!
//! Rust has the same split, only more visible. The language gives you `async fn`, `.await` and
//! the [`Future`] trait, but nothing that *runs* a future. That job belongs to a **runtime**, a
//! library the program picks, made of two parts:
//!
//! * an **executor**, which polls tasks that are ready to make progress (asyncio's ready queue);
//! * a **reactor**, which asks the operating system which sockets and timers are ready and wakes
//!   the tasks waiting on them (asyncio's selector, or uvloop's libuv).
//!
//! This crate writes two workloads **once**, without naming any runtime:
//!
//! * [`queue`]: the course's benchmark. Two producers put items on a channel, one consumer takes
//!   them all, and every action is followed by a yield to the runtime.
//! * [`echo`]: what uvloop's own benchmark does. Clients send small messages to an echo server
//!   on loopback and wait for every reply.
//!
//! Then [`runtimes`], the only module that names a runtime, runs them on tokio (current-thread and
//! multi-thread), smol (one thread and several), async-std and `futures`' `LocalPool`. Choosing a
//! runtime is one line per runtime, as small as uvloop's.
//!
//! What a workload needs from a runtime is small, so it is written down as two traits:
//! [`Spawn`] (start a task, get a handle to await its result: `asyncio.create_task`) and
//! [`echo::Net`] (sockets and a timer). Yielding needs nothing from the runtime at all: see
//! [`yield_now`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub mod bench;
pub mod echo;
pub mod queue;
pub mod runtimes;

pub use bench::{Measurement, Workload};
pub use runtimes::Runtime;

/// The result of a spawned task, awaited later (asyncio's `Task` object).
///
/// Every runtime has its own join-handle type; the workloads only need "a future that gives the
/// task's output", so each runtime's handle is boxed into this one type. The box costs one
/// allocation per spawned task, and the workloads spawn only a handful.
pub type JoinHandle<T> = Pin<Box<dyn Future<Output = anyhow::Result<T>>>>;

/// Start a task that runs concurrently with the caller: `asyncio.create_task`.
///
/// Implemented in [`runtimes`] for every runtime's spawner. The task must be `Send + 'static`
/// because a multi-threaded runtime may move it to another thread; single-threaded runtimes
/// accept such tasks too, so one bound serves all.
pub trait Spawn {
    /// Start `task` and return a handle to await its output.
    fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
}

/// A piece of async work that can run on any runtime.
///
/// Rust has no generic closures, so "run this on whichever runtime" is a trait: the runtime
/// chooses `S` (its spawner) and `N` (its sockets and timer), the job does the rest.
pub trait Job {
    /// What the job returns.
    type Output;

    /// Build the job's future for one runtime.
    fn run<S: Spawn, N: echo::Net>(self, spawner: &S) -> impl Future<Output = Self::Output>;
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
