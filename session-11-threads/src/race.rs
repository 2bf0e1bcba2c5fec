//! The course's cinema (session 14, `examples/race_condition.rs`): 2 seats, Mohammad and Ali
//! book 2 each, and sometimes the count ends at -2. Rust splits that bug in two.
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
//! **A race condition** is a wrong result that depends on timing, and the compiler cannot see
//! it: it is about *what* you lock, not *whether*. [`Cinema::book`] checks and books under one
//! guard: correct. [`Cinema::book_two_locks`] checks under one guard and books under another:
//! no data race, and it still oversells, because another booking can slip in between.
//! Python's `Lock` is `std::sync::Mutex`, except that the Rust lock *owns* the data.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// A cinema's free seats behind a `Mutex`; signed, so an oversold cinema shows -2.
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

    /// `with lock:` -> `Mutex::lock`, which returns a guard. A lock is "poisoned" when a thread
    /// panicked holding it; no booking panics with the guard held, so the count is still valid.
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

/// `people` threads book `n` seats each, all at once; `between` runs in each booking between
/// check and act. Returns who got seats.
pub fn book_all(
    cinema: &Cinema,
    people: usize,
    n: i64,
    how: Booking,
    between: &(impl Fn() + Sync),
) -> Vec<bool> {
    thread::scope(|s| {
        let handles: Vec<_> = (0..people)
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
    (0..runs)
        .filter(|_| {
            let cinema = Cinema::new(seats);
            book_all(&cinema, threads, n, how, between);
            cinema.seats_left() < 0
        })
        .count() as u32
}

/// The lesson: the course's scene with each booking method, then how often each oversells.
pub fn lesson(pause: Duration, runs: u32) -> anyhow::Result<()> {
    use crate::show::{BAD, GOOD};
    use crate::{human, note, paint, say};
    let painted = |bad: bool, line: String| paint(if bad { BAD } else { GOOD }, line);
    note(
        "2 seats; Mohammad and Ali book 2 each at once (without a lock: no compile, see race.rs)",
    )?;
    let scenes = [
        (Booking::OneLock, "one guard"),
        (Booking::TwoLocks, "two guards"),
    ];
    for (how, name) in scenes {
        let cinema = Cinema::new(2);
        let booked = book_all(&cinema, 2, 2, how, &|| thread::sleep(pause));
        let got = |b: bool| if b { "booked" } else { "sold out" };
        let (m, a, left) = (got(booked[0]), got(booked[1]), cinema.seats_left());
        let pause = human(pause);
        let line = format!("  {name}, {pause} between check and book: Mohammad {m}, Ali {a}");
        say(painted(left < 0, format!("{line}; seats left: {left}")))?;
    }
    note(format!(
        "{runs} rounds of 8 people booking 2 of 10 seats, yield_now() between:"
    ))?;
    for (how, name) in scenes {
        let bad = oversold_rounds(runs, 10, 8, 2, how, &thread::yield_now);
        say(painted(
            bad > 0,
            format!("  {name}: oversold in {bad} of {runs} rounds"),
        ))?;
    }
    note(
        "How often two guards oversell depends on timing and load: it can pass every test on \
         one machine and fail on another. One guard around check *and* act removes it.",
    )
}
