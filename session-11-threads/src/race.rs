//! The course's cinema (session 14, `examples/race_condition.rs`): a global `available_seats = 2`,
//! a `Movie` whose `booking` checks the seats, prints, then subtracts, and two threads, Mohammad
//! and Ali, each booking 2. There is no sleep: the window between check and act is the print, and
//! sometimes the count ends at -2. The lab's version below adds a pause there (ours, 100 ms by
//! default) and a `Barrier`, so the bad interleaving can be shown on demand.
//!
//! Rust splits that bug in two, and the difference is the lesson.
//!
//! **A data race** is two threads touching the same memory at once, at least one writing, with
//! no synchronisation. Safe Rust rejects it at compile time. The course's program, a global that
//! both threads change with no lock, does not compile: a mutable global is `static mut`, and
//! touching one needs `unsafe` (the doc tests below are `compile_fail`, so `cargo test` fails if
//! they ever start compiling):
//!
//! ```compile_fail,E0133
//! static mut AVAILABLE_SEATS: i64 = 2;
//!
//! struct Movie;
//! impl Movie {
//!     fn booking(&self, number_of_seats: i64) {
//!         if number_of_seats <= AVAILABLE_SEATS { // error[E0133]: use of mutable static is unsafe
//!             AVAILABLE_SEATS -= number_of_seats;
//!         }
//!     }
//! }
//!
//! std::thread::spawn(|| Movie.booking(2));
//! Movie.booking(2);
//! ```
//!
//! A plain `&mut i64` cannot be handed to two threads either:
//!
//! ```compile_fail,E0499
//! fn book(seats: &mut i64, n: i64) {
//!     if *seats >= n {
//!         *seats -= n;
//!     }
//! }
//!
//! let mut seats: i64 = 2;
//! std::thread::scope(|s| {
//!     s.spawn(|| book(&mut seats, 2));
//!     s.spawn(|| book(&mut seats, 2)); // error[E0499]: cannot borrow `seats` as mutable more than once
//! });
//! ```
//!
//! Sharing through `Arc` does not help without a lock: `Cell` is not `Sync`, so `Arc<Cell<_>>`
//! cannot be sent to another thread at all:
//!
//! ```compile_fail,E0277
//! use std::{cell::Cell, sync::Arc};
//! let seats = Arc::new(Cell::new(2i64));
//! let theirs = Arc::clone(&seats);
//! std::thread::spawn(move || theirs.set(theirs.get() - 2)); // error[E0277]: `Cell<i64>` cannot be shared
//! ```
//!
//! **A race condition** is a wrong result that depends on timing. The compiler cannot see it,
//! because it is about *what* you lock, not *whether*. [`Cinema::book`] checks and books under
//! one lock guard: correct. [`Cinema::book_two_locks`] checks under one guard and books under
//! another (the same mistake as two different locks): every access is synchronised, there is no
//! data race, and it still oversells, because another booking can slip in between the check and
//! the act.
//!
//! Python's `Lock` is `std::sync::Mutex`, except that the Rust lock *owns* the data: you cannot
//! reach `seats` without holding the guard. Python's `RLock` (re-entrant) has no stable
//! counterpart in `std` (`parking_lot::ReentrantMutex` is one: `examples/rlock.rs`); a `Mutex`
//! locked twice on one thread deadlocks or panics, so pass the guard (or `&mut` to the data) to
//! helpers instead of locking again.

use std::sync::{Barrier, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// A cinema with a count of free seats, behind a `Mutex`.
///
/// The count is signed on purpose: an oversold cinema shows a negative number, as in the course.
#[derive(Debug)]
pub struct Cinema {
    seats: Mutex<i64>,
}

impl Cinema {
    /// A cinema with `seats` free seats.
    pub fn new(seats: i64) -> Cinema {
        Cinema {
            seats: Mutex::new(seats),
        }
    }

    /// `threading.Lock()` + `with lock:` -> `Mutex::lock`, which returns a guard.
    ///
    /// A `Mutex` is "poisoned" when a thread panics while holding it. Nothing here panics with
    /// the guard held, and the count is never left half-updated, so a poisoned lock still holds
    /// a valid count and we take it.
    fn lock(&self) -> MutexGuard<'_, i64> {
        self.seats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Free seats now (negative when oversold).
    pub fn seats_left(&self) -> i64 {
        *self.lock()
    }

    /// Correct: check and book under one guard. `between` runs between the check and the
    /// booking (our pause; the course has none); other bookings wait for the guard meanwhile.
    pub fn book(&self, n: i64, between: impl FnOnce()) -> bool {
        let mut seats = self.lock();
        if *seats >= n {
            between();
            *seats -= n;
            true
        } else {
            false
        }
    }

    /// Wrong: check under one guard, book under another. `between` runs with no lock held, so
    /// another thread can check (and pass) in the meantime.
    pub fn book_two_locks(&self, n: i64, between: impl FnOnce()) -> bool {
        // The guard is a temporary: it is dropped at the end of this statement.
        let available = *self.lock() >= n;
        if !available {
            return false;
        }
        between();
        *self.lock() -= n;
        true
    }
}

/// Which booking method to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booking {
    /// [`Cinema::book`].
    OneLock,
    /// [`Cinema::book_two_locks`].
    TwoLocks,
}

/// Book `n` seats each for every person, all at once, one thread per person; `between` runs in
/// each booking between check and act. Returns who got seats, in the order of `people`.
pub fn book_all(
    cinema: &Cinema,
    people: &[&str],
    n: i64,
    how: Booking,
    between: &(impl Fn() + Sync),
) -> Vec<bool> {
    thread::scope(|s| {
        let handles: Vec<_> = people
            .iter()
            .map(|_| {
                s.spawn(move || match how {
                    Booking::OneLock => cinema.book(n, between),
                    Booking::TwoLocks => cinema.book_two_locks(n, between),
                })
            })
            .collect();
        // A booking thread never panics; if one did, count it as "no seats" rather than crash.
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(false))
            .collect()
    })
}

/// The course's scene with the two-lock booking made to fail every time: both people wait at a
/// `Barrier` between their check and their booking, so both pass the check before either books.
///
/// (The barrier cannot be used with [`Cinema::book`]: there the first person holds the lock at
/// the barrier and the second can never reach it. That deadlock is the lock doing its job.)
pub fn two_locks_with_barrier(seats: i64, people: &[&str], n: i64) -> (Vec<bool>, i64) {
    let cinema = Cinema::new(seats);
    let barrier = Barrier::new(people.len());
    let booked = book_all(&cinema, people, n, Booking::TwoLocks, &|| {
        barrier.wait();
    });
    (booked, cinema.seats_left())
}

/// How many of `runs` rounds ended oversold: each round, `threads` people book `n` seats each
/// in a cinema of `seats`, with `between` as the pause between check and act.
pub fn oversold_rounds(
    runs: u32,
    seats: i64,
    threads: usize,
    n: i64,
    how: Booking,
    between: &(impl Fn() + Sync),
) -> u32 {
    let people = vec!["someone"; threads];
    (0..runs)
        .filter(|_| {
            let cinema = Cinema::new(seats);
            book_all(&cinema, &people, n, how, between);
            cinema.seats_left() < 0
        })
        .count() as u32
}

/// The lesson: the course's scene with each booking method, then how often each oversells.
pub fn lesson(pause: Duration, runs: u32) {
    use crate::{BAD, GOOD, note, paint, say};
    let people = ["Mohammad", "Ali"];
    let show = |title: &str, booked: &[bool], left: i64| {
        say(title);
        for (who, got) in people.iter().zip(booked) {
            say(format!(
                "  {who} books 2 seats: {}",
                if *got { "booked" } else { "sold out" }
            ));
        }
        let line = format!("  seats left: {left}");
        say(if left < 0 {
            paint(BAD, line)
        } else {
            paint(GOOD, line)
        });
    };
    note("2 seats left; Mohammad and Ali each book 2 at the same time.");
    note(
        "Without a lock the program does not compile (see the compile_fail doc test in src/race.rs).",
    );

    let cinema = Cinema::new(2);
    let sleep = || thread::sleep(pause);
    let booked = book_all(&cinema, &people, 2, Booking::OneLock, &sleep);
    show(
        &format!(
            "Mutex, check and book under one guard ({} pause between):",
            crate::human(pause)
        ),
        &booked,
        cinema.seats_left(),
    );

    let cinema = Cinema::new(2);
    let booked = book_all(&cinema, &people, 2, Booking::TwoLocks, &sleep);
    show(
        &format!(
            "Mutex, check under one guard, book under another ({} pause between):",
            crate::human(pause)
        ),
        &booked,
        cinema.seats_left(),
    );

    let (booked, left) = two_locks_with_barrier(2, &people, 2);
    show(
        "Two guards again, with a Barrier between check and book (fails every time):",
        &booked,
        left,
    );

    note(format!(
        "{runs} rounds of 8 people booking 2 seats each from 10, with only a \
         thread::yield_now() between check and book:"
    ));
    let yield_now = thread::yield_now;
    for (how, name) in [
        (Booking::OneLock, "one guard "),
        (Booking::TwoLocks, "two guards"),
    ] {
        let bad = oversold_rounds(runs, 10, 8, 2, how, &yield_now);
        let line = format!("  {name}: oversold in {bad} of {runs} rounds");
        say(if bad > 0 {
            paint(BAD, line)
        } else {
            paint(GOOD, line)
        });
    }
    note(
        "How often the two-guard version oversells depends on timing and load: it can pass \
         every test on one machine and fail on another. A lock around check *and* act removes it.",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_lock_books_exactly_the_free_seats() {
        let cinema = Cinema::new(2);
        let booked = book_all(&cinema, &["Mohammad", "Ali"], 2, Booking::OneLock, &|| {
            thread::sleep(Duration::from_millis(20))
        });
        assert_eq!(booked.iter().filter(|b| **b).count(), 1);
        assert_eq!(cinema.seats_left(), 0);
    }

    #[test]
    fn two_locks_oversell_when_both_pass_the_check() {
        let (booked, left) = two_locks_with_barrier(2, &["Mohammad", "Ali"], 2);
        assert_eq!(booked, vec![true, true]);
        assert_eq!(left, -2);
    }
}
