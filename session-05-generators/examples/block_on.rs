//! جلسه 5, going deeper (this project's own, not a course program): the loop under
//! `asyncio.run` and `#[tokio::main]`, small enough to read.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md#جلسه-5
//!
//!     cargo run -p session-05-generators --example block_on
//!
//! A future does nothing until it is polled. `poll` answers `Ready(value)`, or `Pending`: "not
//! yet, and I have arranged for the waker to be called when it is worth asking again". An
//! executor is the loop that asks, and sleeps in between. Python's event loop does the same
//! with generators: a Task resumes its coroutine with `send()` when what it awaits is done.
//!
//! Watch: the async block starts on the first poll, not when it is created; after `Pending` the
//! executor sleeps (parks its thread) instead of spinning; a timer thread calls the waker 300 ms
//! later, and only then is the future polled again.

use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

// The waker: "wake the executor's thread". It prints nothing: the executor says when it wakes.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

// asyncio.run(main()) / the event loop -> block_on(future)
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future); // a future must stay put once polled
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut polls = 0;
    loop {
        polls += 1;
        println!("executor: poll #{polls}");
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            // Sleep until the waker calls unpark(). A wake that came before we got here is
            // kept as a token, and park() returns at once: no wake-up is lost.
            Poll::Pending => {
                println!("executor: Pending -> park (sleep until woken)");
                thread::park();
                println!("executor: unparked -> poll again");
            }
        }
    }
}

// A leaf future, where the waiting really happens: a timer run by a helper thread.
struct Timer {
    after: Duration,
    done: Option<Arc<AtomicBool>>, // None until the first poll starts the timer
}

impl Future for Timer {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(done) = &self.done {
            if done.load(Ordering::Acquire) {
                println!("    timer: done -> Ready");
                return Poll::Ready(());
            }
            // Polled before the timer fired: still waiting. (A general future would store the
            // new `cx.waker()` here; block_on always passes the same one.)
            return Poll::Pending;
        }
        println!("    timer: not done -> start a thread that calls wake(), return Pending");
        let done = Arc::new(AtomicBool::new(false));
        self.done = Some(Arc::clone(&done));
        let (waker, after) = (cx.waker().clone(), self.after);
        thread::spawn(move || {
            thread::sleep(after);
            done.store(true, Ordering::Release);
            waker.wake();
        });
        Poll::Pending
    }
}

fn main() {
    let task = async {
        println!("  async block: starts, awaits the timer");
        Timer {
            after: Duration::from_millis(300),
            done: None,
        }
        .await;
        println!("  async block: resumes after .await, returns 42");
        42
    };
    println!("created the async block: nothing has run yet");
    let answer = block_on(task);
    println!("block_on returned {answer}");
}
