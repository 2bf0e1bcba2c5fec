//! Part 5: the loop under `asyncio.run` and `#[tokio::main]`, small enough to read.
//!
//! A future does nothing until it is *polled*. `poll` finishes it (`Ready(value)`) or answers
//! `Pending`: "not yet; I have arranged for the waker to be called when it is worth asking
//! again". [`block_on_traced`] is the smallest honest executor: poll; on `Pending`, put the
//! thread to sleep (`thread::park`) instead of spinning; the waker wakes it (`unpark`); poll
//! again. Python's loop does the same with generators: a Task resumes its coroutine with
//! `send()` when what it awaits is done. tokio adds many tasks, timers, sockets and threads;
//! the handshake is the same. Each step is recorded in a [`Trace`], which the lab prints.

use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// Runs a future to completion on this thread, recording every step in `trace`.
// ANCHOR: block_on
pub fn block_on_traced<F: Future>(future: F, trace: &Trace) -> F::Output {
    // asyncio.run(coro) -> block_on(future); coro.send(None) -> poll; a Task's wake-up
    // callback -> the Waker. A polled future must not move (an async fn's state may point into
    // itself): `pin!` pins it on this stack frame.
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker {
        thread: thread::current(),
        trace: trace.clone(),
    }));
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    loop {
        polls += 1;
        trace.record(Event::Poll(polls));
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            trace.record(Event::Ready);
            return output;
        }
        trace.record(Event::Pending);
        // Sleep until the waker calls `unpark`. An unpark that came before we got here is kept
        // as a token, and `park` returns at once: no wake-up is lost. `park` may also return
        // for no reason; polling again is always allowed.
        thread::park();
    }
}
// ANCHOR_END: block_on

/// [`block_on_traced`] without a trace anyone reads.
pub fn block_on<F: Future>(future: F) -> F::Output {
    block_on_traced(future, &Trace::default())
}

/// The waker: "unpark the executor's thread", and record that it was called.
struct ThreadWaker {
    thread: Thread,
    trace: Trace,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let from_other_thread = thread::current().id() != self.thread.id();
        self.trace.record(Event::Wake { from_other_thread });
        self.thread.unpark();
    }
}

/// One step of a traced run, in the order it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The executor polls the top-level future for the n-th time.
    Poll(u32),
    /// The async fn's body starts (on the first poll, not when it was called).
    AsyncFnStarted,
    /// The leaf future is not ready, has arranged a wake-up, and returns `Pending`.
    LeafPending,
    /// The leaf future is ready.
    LeafReady,
    /// The async fn continues after its `.await`.
    AsyncFnResumed,
    /// Someone called the waker: the future itself during `poll`, or another thread.
    Wake {
        /// `true` when another thread called it.
        from_other_thread: bool,
    },
    /// `poll` returned `Pending`; the executor parks its thread until woken.
    Pending,
    /// `poll` returned `Ready`: the executor returns the output.
    Ready,
}

impl fmt::Display for Event {
    /// Indented by depth: the executor, the async fn inside it, the leaf future inside that.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Event::Poll(n) => return write!(f, "executor: poll #{n}"),
            Event::AsyncFnStarted => "  async fn: body starts, reaches .await",
            Event::LeafPending => "    leaf future: not ready -> arranges a wake-up, Pending",
            Event::LeafReady => "    leaf future: ready -> Ready",
            Event::AsyncFnResumed => "  async fn: resumes after .await, returns",
            Event::Wake {
                from_other_thread: false,
            } => "      waker: wake() called by the future itself -> unpark",
            Event::Wake {
                from_other_thread: true,
            } => "      waker: wake() called from another thread -> unpark",
            Event::Pending => "executor: got Pending -> parks the thread until woken",
            Event::Ready => "executor: got Ready -> done",
        };
        f.write_str(text)
    }
}

/// A shared, append-only list of [`Event`]s (shared: a waker may run on any thread).
#[derive(Debug, Clone, Default)]
pub struct Trace(Arc<Mutex<Vec<Event>>>);

impl Trace {
    /// Appends one event.
    pub fn record(&self, event: Event) {
        // A panic while holding the lock cannot leave a Vec half-pushed: ignore the poison.
        let mut events = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        events.push(event);
    }

    /// A copy of the events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Who calls the waker of [`NotReadyOnce`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WakeFrom {
    /// The future wakes itself before returning `Pending`, like `tokio::task::yield_now`.
    Itself,
    /// A helper thread calls the waker after a delay, as a timer or an I/O driver would.
    OtherThread(Duration),
}

/// A leaf future, where waiting really happens: `Pending` on its first poll, `Ready` once its
/// wake-up has happened. Everything above it (async fns, `.await`) only passes `Pending` up.
pub struct NotReadyOnce {
    wake_from: WakeFrom,
    trace: Trace,
    /// `None` before the first poll; then set to `true` by whoever performs the wake-up.
    done: Option<Arc<AtomicBool>>,
}

impl Future for NotReadyOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(done) = &self.done {
            if done.load(Ordering::Acquire) {
                self.trace.record(Event::LeafReady);
                return Poll::Ready(());
            }
            // Polled before the wake-up (a spurious wake): still not ready. A general future
            // would store `cx.waker()` again here; `block_on` always passes the same one.
            self.trace.record(Event::LeafPending);
            return Poll::Pending;
        }
        self.trace.record(Event::LeafPending);
        let done = Arc::new(AtomicBool::new(false));
        self.done = Some(Arc::clone(&done));
        let waker = cx.waker().clone();
        match self.wake_from {
            WakeFrom::Itself => {
                done.store(true, Ordering::Release);
                waker.wake();
            }
            // The future keeps no thread busy while it waits: the helper holds the waker.
            WakeFrom::OtherThread(delay) => {
                thread::spawn(move || {
                    thread::sleep(delay);
                    done.store(true, Ordering::Release);
                    waker.wake();
                });
            }
        }
        Poll::Pending
    }
}

/// The lesson's async fn: one `.await` on a future that is not ready at first. Calling it runs
/// nothing (like calling a generator function); the body starts on the first poll.
pub async fn awaits_once(wake_from: WakeFrom, trace: Trace) -> &'static str {
    trace.record(Event::AsyncFnStarted);
    let leaf = NotReadyOnce {
        wake_from,
        trace: trace.clone(),
        done: None,
    };
    leaf.await;
    trace.record(Event::AsyncFnResumed);
    "done"
}

/// Part 5: runs [`awaits_once`] under [`block_on_traced`]; returns its output and the trace.
pub fn run(wake_from: WakeFrom) -> (&'static str, Vec<Event>) {
    let trace = Trace::default();
    let output = block_on_traced(awaits_once(wake_from, trace.clone()), &trace);
    (output, trace.events())
}
