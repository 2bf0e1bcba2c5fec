//! The state machine and the executor: the same answers, the states in order, exact traces.

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use session_05_generators::executor::{self, awaits_once};
use session_05_generators::state_machine::{self, poll_to_end};
use session_05_generators::{
    Event, Fib, FibFuture, Trace, WakeFrom, YieldNow, block_on, block_on_traced, fib_async,
};

#[test]
fn async_fn_and_hand_written_enum_agree_on_every_n() {
    for n in 0..=100u32 {
        // F(0) = 0, then the iterator's numbers; None past the 92nd, as the iterator ends.
        let expected = match n {
            0 => Some(0),
            n => Fib::new().nth(n as usize - 1),
        };
        let (compiled, compiled_polls) = poll_to_end(fib_async(n));
        let (by_hand, hand_polls) = poll_to_end(FibFuture::Unresumed { n });
        assert_eq!((compiled, by_hand), (expected, expected), "n = {n}");
        // One Pending per step that fits, plus the poll that returns.
        let polls = n.min(92) + 1;
        assert_eq!((compiled_polls, hand_polls), (polls, polls), "n = {n}");
    }
    assert_eq!(block_on(fib_async(92)), Some(7_540_113_804_746_346_429));
    assert_eq!(block_on(FibFuture::Unresumed { n: 93 }), None);
}

#[test]
fn the_hand_written_enum_goes_through_its_states() {
    let mut machine = FibFuture::Unresumed { n: 2 };
    let mut cx = Context::from_waker(Waker::noop());
    let mut poll = |machine: &mut FibFuture| Pin::new(machine).poll(&mut cx);
    assert!(poll(&mut machine).is_pending());
    assert!(matches!(
        machine,
        FibFuture::Suspend0 {
            current: 1,
            nxt: 1,
            ..
        }
    ));
    assert!(poll(&mut machine).is_pending());
    assert!(matches!(
        machine,
        FibFuture::Suspend0 {
            current: 1,
            nxt: 2,
            ..
        }
    ));
    assert_eq!(poll(&mut machine), Poll::Ready(Some(1)));
    assert!(matches!(machine, FibFuture::Returned));
}

#[test]
fn state_machine_part_prints_each_state_and_the_sizes() {
    let mut out = Vec::new();
    state_machine::run(&mut out, 2).unwrap();
    let compiled = std::mem::size_of_val(&fib_async(2));
    let by_hand = std::mem::size_of_val(&FibFuture::Unresumed { n: 2 });
    let keeps = std::mem::size_of_val(&state_machine::keeps_buffer_across_await());
    let drops = std::mem::size_of_val(&state_machine::drops_buffer_before_await());
    let state = |current, nxt, steps| {
        format!(
            "Suspend0 {{ current: {current}, nxt: {nxt}, steps: {steps}..2, yield_now: \
             YieldNow {{ yielded: true }} }}"
        )
    };
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!(
            "before poll  1: Unresumed {{ n: 2 }}\n\
             after  poll  1: Pending, now {}\n\
             after  poll  2: Pending, now {}\n\
             after  poll  3: Ready(1), now Returned\n\
             async fn fib_async(2)     -> 1 after 3 polls, {compiled} bytes\n\
             by hand: FibFuture (2)    -> 1 after 3 polls, {by_hand} bytes\n\
             an async fn holding [u8; 1024] across .await: {keeps} bytes; dropping it before: \
             {drops} bytes\n",
            state(1, 1, 1),
            state(1, 2, 2),
        )
    );
    // The sizes are the compiler's business, but on any compiler: both keep at least two u64,
    // a Range<u32> and a bool; a buffer alive across `.await` is inside the future.
    let fields = 8 + 8 + 8 + 1;
    assert!(
        compiled >= fields && by_hand >= fields,
        "{compiled} {by_hand}"
    );
    assert!(keeps >= 1024 && drops < 64, "{keeps} {drops}");
}

#[test]
fn yield_now_is_pending_exactly_once_and_wakes_itself() {
    let trace = Trace::default();
    block_on_traced(YieldNow::new(), &trace);
    let woke_itself = Event::Wake {
        from_other_thread: false,
    };
    let expected = [
        Event::Poll(1),
        woke_itself,
        Event::Pending,
        Event::Poll(2),
        Event::Ready,
    ];
    assert_eq!(trace.events(), expected);
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
            Event::Poll(2),
            Event::LeafReady,
            Event::AsyncFnResumed,
            Event::Ready,
        ]
    );
}

/// Another thread's wake may land before or after the executor parks (the unpark token
/// covers both); everything the executor's thread does is in a fixed order.
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
        let at = |event| events.iter().position(|&e| e == event).unwrap();
        assert!(at(Event::LeafPending) < at(wake) && at(wake) < at(Event::Poll(2)));
        let rest: Vec<Event> = events.iter().copied().filter(|&e| e != wake).collect();
        assert_eq!(
            rest,
            [
                Event::Poll(1),
                Event::AsyncFnStarted,
                Event::LeafPending,
                Event::Pending,
                Event::Poll(2),
                Event::LeafReady,
                Event::AsyncFnResumed,
                Event::Ready,
            ]
        );
    }
}

/// Woken by another thread *before* `poll` even returns `Pending`: `block_on` must not lose
/// that wake-up (the unpark is kept as a token for `park`).
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
        thread::spawn(move || waker.wake()).join().unwrap();
        Poll::Pending
    }
}

#[test]
fn a_wake_before_park_is_not_lost() {
    let (done, result) = mpsc::channel();
    // On a thread of its own, so that a lost wake-up fails the test instead of hanging it.
    thread::spawn(move || {
        let trace = Trace::default();
        let output = block_on_traced(WokenBeforePending { polled: false }, &trace);
        done.send((output, trace.events())).unwrap();
    });
    let (output, events) = result
        .recv_timeout(Duration::from_secs(30))
        .expect("block_on lost the wake-up and parked forever");
    assert_eq!(output, 7);
    let woke = Event::Wake {
        from_other_thread: true,
    };
    assert_eq!(
        events,
        [
            Event::Poll(1),
            woke,
            Event::Pending,
            Event::Poll(2),
            Event::Ready
        ]
    );
}

#[test]
fn calling_an_async_fn_runs_nothing_until_polled() {
    let trace = Trace::default();
    let future = awaits_once(WakeFrom::Itself, trace.clone());
    assert_eq!(trace.events(), []);
    assert_eq!(block_on(future), "done");
    let body = [
        Event::AsyncFnStarted,
        Event::LeafPending,
        Event::LeafReady,
        Event::AsyncFnResumed,
    ];
    assert_eq!(trace.events(), body);
}
