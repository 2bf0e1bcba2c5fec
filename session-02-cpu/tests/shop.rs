//! The shop's schedule under tokio's paused clock: no real waiting, exact times.

use std::time::Duration;

use session_02_cpu::shop::{
    CONCURRENT, Event, Mode, SEQUENTIAL, all_sequential, critical_path, shop,
};

/// The callback that shows nothing.
fn quiet(_: &Event) -> std::io::Result<()> {
    Ok(())
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The bound, computed from the step table itself: sequential part + longest concurrent step.
fn expected_total(speed: f64) -> Duration {
    let sequential: Duration = SEQUENTIAL.iter().map(|s| s.delay).sum();
    let longest = CONCURRENT.iter().map(|s| s.delay).max().unwrap();
    (sequential + longest).div_f64(speed)
}

#[tokio::test(start_paused = true)]
async fn overlapping_order_takes_sequential_part_plus_longest_step() {
    let report = shop(1.0, Mode::Overlap, &quiet).await.unwrap();
    assert_eq!(report.total, expected_total(1.0));
    assert_eq!(report.total, ms(5_500));
    assert_eq!(critical_path(1.0), ms(5_500));
    assert!(report.total < all_sequential(1.0));
}

#[tokio::test(start_paused = true)]
async fn steps_happen_in_the_right_order_at_the_right_times() {
    let report = shop(1.0, Mode::Overlap, &quiet).await.unwrap();
    let event = |at, step, done| Event {
        at: ms(at),
        step,
        done,
    };
    let expected = vec![
        event(0, "view the product", false),
        event(1_000, "view the product", true),
        event(1_000, "add it to the cart", false),
        event(1_500, "add it to the cart", true),
        event(1_500, "pay", false),
        event(3_500, "pay", true),
        // The three start together, right after paying...
        event(3_500, "register the order", false),
        event(3_500, "send the confirmation e-mail", false),
        event(3_500, "send the SMS", false),
        // ...and finish in the order of their delays: 1.0 s, 1.5 s, 2.0 s.
        event(4_500, "register the order", true),
        event(5_000, "send the SMS", true),
        event(5_500, "send the confirmation e-mail", true),
    ];
    assert_eq!(report.events, expected);
}

#[tokio::test(start_paused = true)]
async fn speed_divides_every_delay() {
    let report = shop(4.0, Mode::Overlap, &quiet).await.unwrap();
    assert_eq!(report.total, expected_total(4.0));
    assert_eq!(report.total, ms(1_375));
}

#[tokio::test(start_paused = true)]
async fn sequential_order_takes_the_sum_of_all_steps() {
    let report = shop(1.0, Mode::Sequential, &quiet).await.unwrap();
    assert_eq!(report.total, ms(8_000));
    assert_eq!(report.total, all_sequential(1.0));
    // One after another: every step finishes before the next starts.
    for pair in report.events.windows(2) {
        if !pair[0].done {
            assert!(pair[1].done && pair[1].step == pair[0].step, "{pair:?}");
        }
    }
}

/// The callback sees every event as it happens, and its first error ends the order right there,
/// even in the middle of the three steps that run together (a full disk stops the shop at once).
#[tokio::test(start_paused = true)]
async fn a_failing_callback_ends_the_order_at_once() {
    use std::cell::RefCell;
    let seen = RefCell::new(Vec::new());
    let fail_at_seventh = |event: &Event| {
        seen.borrow_mut().push(*event);
        if seen.borrow().len() == 7 {
            Err(std::io::Error::other("disk full"))
        } else {
            Ok(())
        }
    };
    let start = tokio::time::Instant::now();
    let err = shop(1.0, Mode::Overlap, &fail_at_seventh)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    // Event 7 is "register the order" starting at 3.5 s: nothing waits for the other two.
    assert_eq!(seen.borrow().len(), 7);
    assert_eq!(start.elapsed(), ms(3_500));
}
