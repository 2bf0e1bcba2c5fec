//! جلسه 15: `Lock`. The course shows it in its notes (two ways), on the cinema of session 14:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md
//!
//!     cargo run -p session-11-threads --example lock
//!
//! Watch: with the check and the booking under one lock, exactly one person gets the two seats,
//! every time: `Available seats: 0`, never -2.
//!
//! Where Rust differs: a Python `Lock` sits beside the data it protects, and nothing stops code
//! from touching `available_seats` without it. A Rust `Mutex` holds the data inside: the only way
//! to reach the seats is `lock()`, which returns a guard, and the guard unlocks when it is
//! dropped. Forgetting to release, the deadlock the course warns about, cannot happen.

use std::sync::Mutex;
use std::thread;

// self.lock = threading.Lock() -> Mutex; the seats live inside it.
struct Movie {
    available_seats: Mutex<i64>,
}

impl Movie {
    // Way 1: acquire(), try: ..., finally: release().
    fn booking_by_hand(&self, number_of_seats: i64) {
        let name = thread::current().name().unwrap_or("?").to_string();
        // self.lock.acquire() -> lock(), which fails only if a thread panicked holding it.
        // The course's try/except print(e) guards the booking, which cannot fail here: no except.
        let mut seats = self.available_seats.lock().expect("a booking panicked");
        if number_of_seats <= *seats {
            println!("{number_of_seats} seats booked successfully for {name} \n");
            *seats -= number_of_seats;
        } else {
            // The course's `elif ... > ...` and its `else: print('All seats are sold out')`:
            // a number is either <= or >, so that else can never run, and Rust drops it.
            println!("{name}, number of seats that you want is greater than available seats");
        }
        // finally: self.lock.release() -> drop the guard. Leaving the function (a return, a
        // panic) drops it too, so there is no way to forget.
        drop(seats);
    }

    // ANCHOR: way2
    // Way 2 (the course recommends it): with self.lock: -> the guard's scope.
    fn booking(&self, number_of_seats: i64) {
        let name = thread::current().name().unwrap_or("?").to_string();
        {
            let mut seats = self.available_seats.lock().expect("a booking panicked");
            if number_of_seats <= *seats {
                println!("{number_of_seats} seats booked successfully for {name} \n");
                *seats -= number_of_seats;
            } else {
                println!("{name}, number of seats that you want is greater than available seats");
            }
        } // the guard goes out of scope here: unlocked, like the end of a `with` block
    }
    // ANCHOR_END: way2
}

fn book_twice(way: fn(&Movie, i64)) {
    let movie = Movie {
        available_seats: Mutex::new(2),
    };
    thread::scope(|s| {
        for name in ["Mohammad", "Ali"] {
            let movie = &movie;
            thread::Builder::new()
                .name(name.to_string())
                .spawn_scoped(s, move || way(movie, 2))
                .expect("could not start a thread");
        }
    });
    let seats = movie.available_seats.lock().expect("a booking panicked");
    println!("Available seats: {seats}");
}

fn main() {
    println!("== way 1: acquire / release by hand ==");
    book_twice(Movie::booking_by_hand);
    println!("== way 2: the guard's scope (with lock:) ==");
    book_twice(Movie::booking);
}
