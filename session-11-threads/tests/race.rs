//! The cinema under load: the one-guard booking never oversells, the two-guard booking can.

use std::sync::Barrier;
use std::thread;

use session_11_threads::race::{Booking, Cinema, book_all, oversold_rounds};

#[test]
fn one_guard_never_oversells_under_many_threads_and_many_rounds() {
    // 32 people book 3 seats each from 50, 300 times, yielding between check and act to invite
    // every interleaving the scheduler can produce.
    let bad = oversold_rounds(300, 50, 32, 3, Booking::OneLock, &thread::yield_now);
    assert_eq!(bad, 0);

    // And the bookings that succeed add up: 16 of 32 people get 3 seats, 2 seats stay free.
    let cinema = Cinema::new(50);
    let booked = book_all(&cinema, 32, 3, Booking::OneLock, &thread::yield_now);
    assert_eq!(booked.iter().filter(|b| **b).count(), 16);
    assert_eq!(cinema.seats_left(), 2);
}

#[test]
fn two_guards_oversell_when_every_check_comes_before_every_booking() {
    // A Barrier between check and book: all 16 pass the check (10 >= 2) before anyone books.
    let cinema = Cinema::new(10);
    let barrier = Barrier::new(16);
    let booked = book_all(&cinema, 16, 2, Booking::TwoLocks, &|| {
        barrier.wait();
    });
    assert!(booked.iter().all(|b| *b));
    assert_eq!(cinema.seats_left(), 10 - 16 * 2);
}

#[test]
fn two_guards_are_fine_when_bookings_do_not_overlap() {
    // The bug needs an unlucky interleaving: one booking after another is correct.
    let cinema = Cinema::new(2);
    assert!(cinema.book_two_locks(2, || {}));
    assert!(!cinema.book_two_locks(2, || {}));
    assert_eq!(cinema.seats_left(), 0);
}
