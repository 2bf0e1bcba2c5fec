//! The Fibonacci sequence: every way of writing it gives the same numbers, and it ends
//! cleanly at the largest u64 Fibonacci number.

use futures::StreamExt;
use session_05_generators::fib::{
    self, Fib, LARGEST_U64_FIB, U64_FIB_COUNT, fib_from_fn, fib_successors,
};
use session_05_generators::stream::{self, Arrival, fib_stream};
use std::time::Duration;

const COURSE_LINE: &str = "1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, \n";

/// The reference: Fibonacci numbers computed with u128 so that the u64 overflow point is
/// found independently of the code under test.
fn reference() -> Vec<u64> {
    let (mut a, mut b) = (0u128, 1u128);
    let mut out = Vec::new();
    while let Ok(item) = u64::try_from(b) {
        out.push(item);
        (a, b) = (b, a + b);
    }
    out
}

#[test]
fn the_reference_matches_the_constants() {
    let all = reference();
    assert_eq!(all.len(), U64_FIB_COUNT);
    assert_eq!(all.last(), Some(&LARGEST_U64_FIB));
    assert_eq!(LARGEST_U64_FIB, 12_200_160_415_121_876_738);
    // The next Fibonacci number really does not fit.
    assert!(all[91].checked_add(all[92]).is_none());
}

#[test]
fn the_iterator_ends_at_the_largest_u64_fibonacci_number() {
    let all: Vec<u64> = Fib::new().collect();
    assert_eq!(all, reference());
    assert_eq!(all.last(), Some(&12_200_160_415_121_876_738));
}

#[test]
fn the_iterator_stays_ended() {
    let mut fib = Fib::new();
    assert_eq!(fib.by_ref().count(), 93);
    for _ in 0..3 {
        assert_eq!(fib.next(), None);
    }
}

#[test]
fn from_fn_and_successors_give_the_same_sequence() {
    assert_eq!(fib_from_fn().collect::<Vec<_>>(), reference());
    assert_eq!(fib_successors().collect::<Vec<_>>(), reference());
}

#[test]
fn the_stream_gives_the_same_sequence() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let all: Vec<u64> = runtime.block_on(fib_stream(Duration::ZERO).collect());
    assert_eq!(all, reference());
}

#[test]
fn the_for_loop_prints_the_course_line() {
    let mut out = Vec::new();
    fib::for_loop(&mut out, 1000).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), COURSE_LINE);
}

#[test]
fn the_for_loop_limit_is_inclusive() {
    let mut out = Vec::new();
    fib::for_loop(&mut out, 987).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), COURSE_LINE);
    let mut out = Vec::new();
    fib::for_loop(&mut out, 986).unwrap();
    assert!(String::from_utf8(out).unwrap().ends_with(" 610, \n"));
}

#[test]
fn the_for_loop_with_no_limit_ends_without_overflow() {
    let mut out = Vec::new();
    fib::for_loop(&mut out, u64::MAX).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches(", ").count(), 93);
    assert!(text.ends_with(", 7540113804746346429, 12200160415121876738, \n"));
}

#[test]
fn next_prints_1_first_then_the_other_ways() {
    let mut out = Vec::new();
    fib::next_and_friends(&mut out, 1000).unwrap();
    let text = String::from_utf8(out).unwrap();
    let numbers = COURSE_LINE.trim_end_matches('\n');
    let expected = format!(
        "1\n\
         next() twice more:  1, 2   (the state it remembers now: Fib {{ current: 2, next: Some(3) }})\n\
         std::iter::from_fn:     {numbers}\n\
         std::iter::successors:  {numbers}\n\
         take_while (lazy):      {numbers}\n  \
         take_while computed 17 numbers: kept 16, and 1 more to see where to stop\n\
         the whole sequence ends by itself after 93 numbers; the last is 12200160415121876738 \
         (the next would not fit in a u64), and next() now gives None\n"
    );
    assert_eq!(text, expected);
}

#[test]
fn take_while_computes_only_one_number_past_the_limit() {
    let mut out = Vec::new();
    fib::next_and_friends(&mut out, 10).unwrap();
    let text = String::from_utf8(out).unwrap();
    // 1, 1, 2, 3, 5, 8 are kept; 13 is computed to see that the loop must stop.
    assert!(
        text.contains("take_while computed 7 numbers: kept 6, and 1 more"),
        "{text}"
    );
}

/// The stream's timing on tokio's paused clock: each number arrives exactly one delay after
/// the one before, and the loop awaits one number more than it prints.
#[tokio::test(start_paused = true)]
async fn the_stream_waits_one_delay_before_each_number() {
    let delay = Duration::from_millis(50);
    let mut out = Vec::new();
    let arrivals = stream::consume(&mut out, 1000, delay).await.unwrap();

    let expected: Vec<Arrival> = reference()
        .into_iter()
        .take_while(|&item| item <= 1000)
        .zip(1u32..)
        .map(|(item, k)| Arrival {
            item,
            at: delay * k,
        })
        .collect();
    assert_eq!(arrivals, expected);

    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("at  50 ms: 1\nat 100 ms: 1\nat 150 ms: 2\n"),
        "{text}"
    );
    assert!(text.contains("at 800 ms: 987\n"), "{text}");
    assert!(
        text.ends_with("16 numbers in 850 ms: 17 waits of 50 ms each\n"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_stream_stops_at_the_limit() {
    let mut out = Vec::new();
    let arrivals = stream::consume(&mut out, 4, Duration::from_secs(1))
        .await
        .unwrap();
    let items: Vec<u64> = arrivals.iter().map(|a| a.item).collect();
    assert_eq!(items, [1, 1, 2, 3]);
    assert_eq!(arrivals.last().unwrap().at, Duration::from_secs(4));
}
