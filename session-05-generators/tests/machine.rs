//! The state machine and the executor: same answers, exact poll traces.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use session_05_generators::executor::{
    self, Event, Trace, WakeFrom, awaits_once, block_on, block_on_traced,
};
use session_05_generators::fib::Fib;
use session_05_generators::state_machine::{
    self, FibFuture, YieldNow, fib_async, poll_to_end, sizes,
};

#[test]
fn async_fn_and_hand_written_enum_agree_on_every_n() {
    for n in 0..=100u32 {
        let expected = match n {
            0 => Some(0),
            n => Fib::new().nth(n as usize - 1),
        };
        let (from_async, async_polls) = poll_to_end(fib_async(n));
        let (by_hand, hand_polls) = poll_to_end(FibFuture::new(n));
        assert_eq!(from_async, expected, "fib_async({n})");
        assert_eq!(by_hand, expected, "FibFuture::new({n})");
        // One Pending per step that fits in a u64, plus the poll that returns.
        let expected_polls = n.min(93) + 1;
        assert_eq!(async_polls, expected_polls, "fib_async({n}) polls");
        assert_eq!(hand_polls, expected_polls, "FibFuture::new({n}) polls");
    }
}

#[test]
fn both_run_under_block_on() {
    assert_eq!(block_on(fib_async(93)), Some(12_200_160_415_121_876_738));
    assert_eq!(
        block_on(FibFuture::new(93)),
        Some(12_200_160_415_121_876_738)
    );
    assert_eq!(block_on(FibFuture::new(94)), None);
}

#[test]
fn the_hand_written_enum_goes_through_its_states() {
    let mut machine = FibFuture::new(2);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert!(matches!(machine, FibFuture::Unresumed { n: 2 }));
    assert!(Pin::new(&mut machine).poll(&mut cx).is_pending());
    assert_eq!(
        machine.to_string(),
        "Suspend0 { previous: 0, current: 1, steps left: 1 }"
    );
    assert!(Pin::new(&mut machine).poll(&mut cx).is_pending());
    assert_eq!(
        machine.to_string(),
        "Suspend0 { previous: 1, current: 1, steps left: 0 }"
    );
    assert_eq!(Pin::new(&mut machine).poll(&mut cx), Poll::Ready(Some(1)));
    assert!(matches!(machine, FibFuture::Returned));
}

#[test]
fn sizes_reflect_what_lives_across_await() {
    let sizes = sizes();
    // The hand-written enum's largest state: two u64, a Range<u32> and a bool, plus a tag.
    let fields = 8 + 8 + 8 + 1;
    assert!(sizes.fib_future >= fields, "{sizes:?}");
    // The async fn stores at least the same locals.
    assert!(sizes.fib_async >= fields, "{sizes:?}");
    // A buffer held across `.await` is inside the future; one dropped before is not.
    assert!(sizes.keeps_buffer >= 1024, "{sizes:?}");
    assert!(sizes.drops_buffer < 64, "{sizes:?}");
    assert_eq!(
        block_on(state_machine::keeps_buffer_across_await()),
        block_on(state_machine::drops_buffer_before_await())
    );
}

#[test]
fn state_machine_part_prints_each_state_and_the_sizes() {
    let mut out = Vec::new();
    state_machine::run(&mut out, 3).unwrap();
    let text = String::from_utf8(out).unwrap();
    let sizes = sizes();
    let expected = format!(
        "enum FibFuture, state by state:\n  \
         before poll 1: Unresumed {{ n: 3 }}\n  \
         after poll  1: Pending     now Suspend0 {{ previous: 0, current: 1, steps left: 2 }}\n  \
         after poll  2: Pending     now Suspend0 {{ previous: 1, current: 1, steps left: 1 }}\n  \
         after poll  3: Pending     now Suspend0 {{ previous: 1, current: 2, steps left: 0 }}\n  \
         after poll  4: Ready(2)    now Returned\n\
         async fn fib_async(3)        -> 2      after 4 polls; the future is {} bytes\n\
         by hand: FibFuture::new(3)   -> 2      after 4 polls; the future is {} bytes\n\
         an async fn holding [u8; 1024] across .await: {} bytes; dropping it before: {} bytes\n",
        sizes.fib_async, sizes.fib_future, sizes.keeps_buffer, sizes.drops_buffer
    );
    assert_eq!(text, expected);
}

#[test]
fn yield_now_is_pending_exactly_once_and_wakes_itself() {
    let trace = Trace::new();
    block_on_traced(YieldNow::new(), &trace);
    assert_eq!(
        trace.events(),
        [
            Event::Poll(1),
            Event::Wake {
                from_other_thread: false
            },
            Event::Pending,
            Event::Park,
            Event::Poll(2),
            Event::Ready,
        ]
    );
}

#[test]
fn executor_trace_when_the_future_wakes_itself() {
    let (output, events) = executor::run(WakeFrom::Itself);
    assert_eq!(output, "done");
    assert_eq!(
        events,
        [
            Event::Poll(1),
            Event::AsyncFnStarted,
            Event::LeafPending,
            Event::Wake {
                from_other_thread: false
            },
            Event::Pending,
            Event::Park,
            Event::Poll(2),
            Event::LeafReady,
            Event::AsyncFnResumed,
            Event::Ready,
        ]
    );
}

/// With another thread waking, that one event may land before or after the executor parks
/// (the unpark token covers both); everything the executor thread does is in a fixed order.
#[test]
fn executor_trace_when_another_thread_wakes_it() {
    for delay in [Duration::ZERO, Duration::from_millis(5)] {
        let (output, events) = executor::run(WakeFrom::OtherThread(delay));
        assert_eq!(output, "done");
        let wake = Event::Wake {
            from_other_thread: true,
        };
        assert_eq!(
            events.iter().filter(|&&e| e == wake).count(),
            1,
            "{events:?}"
        );
        let at = |event: Event| events.iter().position(|&e| e == event).unwrap();
        assert!(at(Event::LeafPending) < at(wake), "{events:?}");
        assert!(at(wake) < at(Event::Poll(2)), "{events:?}");
        let without_wake: Vec<Event> = events.iter().copied().filter(|&e| e != wake).collect();
        assert_eq!(
            without_wake,
            [
                Event::Poll(1),
                Event::AsyncFnStarted,
                Event::LeafPending,
                Event::Pending,
                Event::Park,
                Event::Poll(2),
                Event::LeafReady,
                Event::AsyncFnResumed,
                Event::Ready,
            ]
        );
    }
}

/// A future whose wake-up is delivered by another thread *before* `poll` even returns
/// `Pending`: `block_on` must not lose it (the unpark is kept as a token for `park`).
struct WokenBeforePending {
    polled: bool,
}

impl Future for WokenBeforePending {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        if self.polled {
            return Poll::Ready(7);
        }
        self.polled = true;
        let waker = cx.waker().clone();
        // Wait for the other thread to finish waking before returning Pending.
        thread::spawn(move || waker.wake()).join().unwrap();
        Poll::Pending
    }
}

#[test]
fn a_wake_before_park_is_not_lost() {
    let (done, result) = mpsc::channel();
    // Run on a thread of its own so that a lost wake-up fails the test instead of hanging it.
    thread::spawn(move || {
        let trace = Trace::new();
        let output = block_on_traced(WokenBeforePending { polled: false }, &trace);
        done.send((output, trace.events())).unwrap();
    });
    let (output, events) = result
        .recv_timeout(Duration::from_secs(30))
        .expect("block_on lost the wake-up and parked forever");
    assert_eq!(output, 7);
    assert_eq!(
        events,
        [
            Event::Poll(1),
            Event::Wake {
                from_other_thread: true
            },
            Event::Pending,
            Event::Park,
            Event::Poll(2),
            Event::Ready,
        ]
    );
}

#[test]
fn calling_an_async_fn_runs_nothing_until_polled() {
    let trace = Trace::new();
    let future = awaits_once(WakeFrom::Itself, trace.clone());
    assert_eq!(trace.events(), []);
    assert_eq!(block_on(future), "done");
    assert_eq!(
        trace.events(),
        [
            Event::AsyncFnStarted,
            Event::LeafPending,
            Event::LeafReady,
            Event::AsyncFnResumed
        ]
    );
}
