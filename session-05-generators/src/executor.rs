//! Part 5: the loop under `asyncio.run` and `#[tokio::main]`, small enough to read.
//!
//! A future does nothing until something *polls* it. Polling either finishes it
//! (`Poll::Ready(value)`) or gets `Poll::Pending`: "not yet; I have arranged for the waker to
//! be called when it is worth asking again". An executor is the loop that does the asking.
//! [`block_on`] is the smallest honest one:
//!
//! 1. poll the future;
//! 2. on `Pending`, put the thread to sleep (`std::thread::park`) instead of spinning;
//! 3. the waker, when someone calls it, wakes the thread (`Thread::unpark`); go to 1.
//!
//! Python's event loop is the same idea with generators underneath: a coroutine that
//! awaits something not ready yet suspends (a `yield` inside the generator machinery), and the
//! loop resumes it with `send()` when the thing is ready. Rust's executor resumes with `poll`.
//!
//! tokio adds what this one leaves out: many tasks, timers, sockets (an I/O driver that calls
//! wakers when the OS says a socket is ready) and threads. The handshake is the same.
//!
//! [`block_on_traced`] records each step in a [`Trace`] so the lesson (and the tests) can show
//! the order of events; [`block_on`] is the same loop with the recording left out.

use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// Runs a future to completion on the current thread: the whole executor.
///
/// ```
/// use session_05_generators::executor::block_on;
///
/// async fn add(a: u64, b: u64) -> u64 { a + b }
/// assert_eq!(block_on(async { add(1, 2).await * 10 }), 30);
/// ```
// ANCHOR: block_on
pub fn block_on<F: Future>(future: F) -> F::Output {
    // asyncio.run(coro) / the event loop -> block_on(future); coro.send(None) -> poll;
    // Task.__wakeup registered with add_done_callback -> the Waker.
    // `poll` takes `Pin<&mut F>`: the future must not move once polled (an async fn's state
    // may point into itself). `pin!` pins it on this stack frame.
    let mut future = pin!(future);
    // The waker: an `Arc` of something that implements `Wake`. Here, "unpark this thread".
    let waker = Waker::from(Arc::new(ThreadWaker {
        thread: thread::current(),
        trace: None,
    }));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            // Sleep until a waker calls `unpark`. If it already did (before we got here), the
            // unpark is remembered as a token and `park` returns at once: no wake is lost.
            // `park` may also return for no reason; polling again is always allowed.
            Poll::Pending => thread::park(),
        }
    }
}
// ANCHOR_END: block_on

/// [`block_on`] with every step recorded in `trace`.
pub fn block_on_traced<F: Future>(future: F, trace: &Trace) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker {
        thread: thread::current(),
        trace: Some(trace.clone()),
    }));
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    loop {
        polls += 1;
        trace.record(Event::Poll(polls));
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => {
                trace.record(Event::Ready);
                return output;
            }
            Poll::Pending => {
                trace.record(Event::Pending);
                trace.record(Event::Park);
                thread::park();
            }
        }
    }
}

/// The waker's inside: which thread to wake, and where to record that it did.
struct ThreadWaker {
    thread: Thread,
    trace: Option<Trace>,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(trace) = &self.trace {
            let from_other_thread = thread::current().id() != self.thread.id();
            trace.record(Event::Wake { from_other_thread });
        }
        self.thread.unpark();
    }
}

/// One step of a traced run, in the order it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The executor polls the top-level future for the n-th time.
    Poll(u32),
    /// The async fn's body starts running (on the first poll, not when it was called).
    AsyncFnStarted,
    /// The leaf future is not ready, has arranged a wake-up, and returns `Pending`.
    LeafPending,
    /// The leaf future is ready.
    LeafReady,
    /// The async fn continues after its `.await`.
    AsyncFnResumed,
    /// Someone called the waker.
    Wake {
        /// `false` when the future woke itself during `poll`, `true` for another thread.
        from_other_thread: bool,
    },
    /// `poll` returned `Pending` to the executor.
    Pending,
    /// The executor parks its thread until woken.
    Park,
    /// `poll` returned `Ready`: the executor returns the output.
    Ready,
}

impl fmt::Display for Event {
    /// Indented by depth: executor, then the async fn, then the leaf future inside it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Poll(n) => write!(f, "executor: poll #{n}"),
            Event::AsyncFnStarted => write!(f, "  async fn: body starts, reaches .await"),
            Event::LeafPending => write!(
                f,
                "    leaf future: not ready -> arranges a wake-up, returns Pending"
            ),
            Event::LeafReady => write!(f, "    leaf future: ready -> returns Ready"),
            Event::AsyncFnResumed => write!(f, "  async fn: resumes after .await, returns"),
            Event::Wake {
                from_other_thread: false,
            } => write!(
                f,
                "      waker: wake() called by the future itself -> unpark"
            ),
            Event::Wake {
                from_other_thread: true,
            } => write!(
                f,
                "      waker: wake() called from another thread -> unpark"
            ),
            Event::Pending => write!(f, "executor: got Pending"),
            Event::Park => write!(f, "executor: parks the thread until woken"),
            Event::Ready => write!(f, "executor: got Ready -> done"),
        }
    }
}

/// A shared, append-only list of [`Event`]s (shared because a waker may run on any thread).
#[derive(Debug, Clone, Default)]
pub struct Trace(Arc<Mutex<Vec<Event>>>);

impl Trace {
    /// An empty trace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one event.
    pub fn record(&self, event: Event) {
        // A panic elsewhere while holding the lock would not leave a Vec half-pushed.
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
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
    /// The future calls its own waker before returning `Pending`, like
    /// `tokio::task::yield_now` (or a bare `yield` in a generator-based coroutine).
    Itself,
    /// A helper thread calls the waker after a delay, like a timer or an I/O driver would.
    OtherThread(Duration),
}

/// A leaf future: `Pending` on its first poll, `Ready(())` once its wake-up has happened.
///
/// Leaf futures are where waiting really happens; everything above them (async fns, `.await`)
/// only passes `Pending` up and polls down again.
pub struct NotReadyOnce {
    wake_from: WakeFrom,
    trace: Trace,
    /// `None` before the first poll; then set to `true` by whoever performs the wake-up.
    done: Option<Arc<AtomicBool>>,
}

impl NotReadyOnce {
    /// A future that is not ready the first time it is polled.
    pub fn new(wake_from: WakeFrom, trace: Trace) -> Self {
        NotReadyOnce {
            wake_from,
            trace,
            done: None,
        }
    }
}

impl Future for NotReadyOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(done) = &self.done {
            if done.load(Ordering::Acquire) {
                self.trace.record(Event::LeafReady);
                return Poll::Ready(());
            }
            // Polled again before the wake-up (a spurious wake): still not ready. A general
            // future would store `cx.waker()` again here; `block_on` always passes the same one.
            self.trace.record(Event::LeafPending);
            return Poll::Pending;
        }
        // First poll: not ready. Record that first, then arrange the wake-up.
        self.trace.record(Event::LeafPending);
        let done = Arc::new(AtomicBool::new(false));
        self.done = Some(Arc::clone(&done));
        match self.wake_from {
            WakeFrom::Itself => {
                done.store(true, Ordering::Release);
                cx.waker().wake_by_ref();
            }
            WakeFrom::OtherThread(delay) => {
                // The future keeps no thread busy while it waits: the helper thread holds a
                // clone of the waker and calls it when its "work" is done.
                let waker = cx.waker().clone();
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

/// The async fn of the lesson: one `.await` on a future that is not ready at first.
///
/// Calling it runs nothing (like calling a Python generator function); the body starts on the
/// first poll, and stops at `.await` until the leaf future is ready.
pub async fn awaits_once(wake_from: WakeFrom, trace: Trace) -> &'static str {
    trace.record(Event::AsyncFnStarted);
    NotReadyOnce::new(wake_from, trace.clone()).await;
    trace.record(Event::AsyncFnResumed);
    "done"
}

/// Part 5: runs [`awaits_once`] under [`block_on_traced`] and returns the trace.
pub fn run(wake_from: WakeFrom) -> (&'static str, Vec<Event>) {
    let trace = Trace::new();
    let output = block_on_traced(awaits_once(wake_from, trace.clone()), &trace);
    (output, trace.events())
}
