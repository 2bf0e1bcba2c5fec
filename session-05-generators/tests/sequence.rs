//! The Fibonacci sequence: the iterator and the stream give the same numbers, it ends where
//! the lessons say, and the lab's parts 1 to 3 print exactly what LAB.md shows.

use std::time::Duration;

use futures::StreamExt;
use session_05_generators::{FIB_COUNT, Fib, LAST_FIB, fib, fib_stream, stream};

const COURSE_LINE: &str = "1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, \n";

/// Every Fibonacci number that fits in a u64, computed with u128, independently of the code
/// under test.
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
fn the_iterator_ends_after_92_numbers_one_before_the_last_that_fits() {
    let all: Vec<u64> = Fib::new().collect();
    let fits = reference();
    // 93 Fibonacci numbers fit in a u64, but `nxt` runs one ahead: making the 93rd would
    // need the 94th in `nxt`, which does not fit. So the sequence ends after the 92nd.
    assert_eq!(fits.len(), 93);
    assert_eq!(all, fits[..92]);
    assert_eq!((FIB_COUNT, LAST_FIB), (92, 7_540_113_804_746_346_429));
    assert_eq!(all.last(), Some(&LAST_FIB));
    let mut fib = Fib::new();
    assert_eq!(fib.by_ref().count(), FIB_COUNT);
    assert_eq!((fib.next(), fib.next()), (None, None), "it stays ended");
}

/// Issue 21: the lab and the lesson once disagreed (93 against 92). Every document that
/// counts the sequence says what the code does.
#[test]
fn every_document_gives_the_same_count() {
    let dir = env!("CARGO_MANIFEST_DIR");
    for (file, says) in [
        ("README.md", "92 numbers"),
        ("README.fa.md", "92 عدد"),
        ("LAB.md", "after 92 numbers"),
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        assert!(text.contains(says), "{file} does not say {says:?}");
        assert!(!text.contains("93 numbers"), "{file} says 93 numbers");
        assert!(!text.contains("93 عدد"), "{file} says 93 numbers");
    }
    let example = std::fs::read_to_string(format!("{dir}/examples/fib.rs")).unwrap();
    assert!(example.contains("after 92 numbers"));
}

#[test]
fn the_stream_gives_the_same_sequence() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let all: Vec<u64> = runtime.block_on(fib_stream(Duration::ZERO).collect());
    assert_eq!(all, Fib::new().collect::<Vec<_>>());
}

#[test]
fn the_for_loop_prints_the_course_line_and_its_limit_is_inclusive() {
    let line = |limit| {
        let mut out = Vec::new();
        fib::for_loop(&mut out, limit).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(line(1000), COURSE_LINE);
    assert_eq!(line(987), COURSE_LINE);
    assert!(line(986).ends_with(" 610, \n"));
    let all = line(u64::MAX);
    assert_eq!(all.matches(", ").count(), FIB_COUNT);
    assert!(all.ends_with(", 4660046610375530309, 7540113804746346429, \n"));
}

#[test]
fn next_prints_1_then_the_state_the_laziness_and_the_end() {
    let mut out = Vec::new();
    fib::by_hand(&mut out, 1000).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "1\n\
         next() twice more: 1, 2; the state it remembers now: Fib { current: 2, nxt: 3 }\n\
         take_while(item <= 1000) computed 17 numbers: kept 16, and 1 more to see where to stop\n\
         the sequence ends by itself after 92 numbers, at 7540113804746346429; next() now gives \
         None\n"
    );
    let mut out = Vec::new();
    fib::by_hand(&mut out, u64::MAX).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("computed 92 numbers: kept 92, and 0 more"),
        "{text}"
    );
}

/// On tokio's paused clock: number k arrives exactly k delays after the start, and the loop
/// awaits one number more than it prints.
#[tokio::test(start_paused = true)]
async fn the_stream_waits_one_delay_before_each_number() {
    let delay = Duration::from_millis(50);
    let mut out = Vec::new();
    let arrivals = stream::consume(&mut out, 1000, delay).await.unwrap();
    let expected: Vec<Duration> = (1..=16).map(|k| delay * k).collect();
    assert_eq!(arrivals, expected);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("at   50 ms: 1\nat  100 ms: 1\nat  150 ms: 2\n"),
        "{text}"
    );
    assert!(text.contains("at  800 ms: 987\n"), "{text}");
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
    assert_eq!(arrivals.len(), 4); // 1, 1, 2, 3
    assert_eq!(arrivals.last(), Some(&Duration::from_secs(4)));
}
