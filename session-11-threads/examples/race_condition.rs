//! جلسه 14: a race condition. The course's file:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/race_condition.py
//!
//!     cargo run -p session-11-threads --example race_condition
//!
//! Watch: two seats, Mohammad and Ali each book two. Usually one of them is told there are not
//! enough seats and `Available seats: 0`; run it a few times (or under load) and sometimes both
//! book and it ends at `Available seats: -2`.
//!
//! Where Rust differs: the course's program, a global that two threads change with no lock, does
//! not compile in safe Rust (see the `compile_fail` doc test in src/race.rs). That rules out
//! *data races*. It does not rule out this *race condition*: every access below goes through
//! the lock, yet the check and the booking are two separate lock scopes, and the other thread
//! can book in between. The fix is one scope around both: examples/lock.rs.

use std::sync::Mutex;
use std::thread;

// global available_seats = 2 -> a static behind a Mutex (a plain `static mut` needs `unsafe`).
static AVAILABLE_SEATS: Mutex<i64> = Mutex::new(2);

struct Movie;

impl Movie {
    fn booking(&self, number_of_seats: i64) {
        // threading.current_thread().name -> thread::current().name()
        let name = thread::current().name().unwrap_or("?").to_string();
        // Lock scope 1: the check. The guard is dropped at the end of the statement.
        let available = *AVAILABLE_SEATS.lock().expect("a thread panicked");
        if number_of_seats <= available {
            // The window: the other thread may check now, and see 2 seats too.
            println!("{number_of_seats} seats booked successfully for {name} \n");
            // Lock scope 2: the booking, on a check that may be out of date.
            *AVAILABLE_SEATS.lock().expect("a thread panicked") -= number_of_seats;
        } else if number_of_seats > available {
            println!("{name}, number of seats that you want is greater than available seats");
        } else {
            // Unreachable, as in the course: one of the two tests above is always true.
            println!("All seats are sold out");
        }
    }
}

fn main() {
    let movie = Movie;
    // [t.start() ...]; [t.join() ...] -> a thread scope joins its threads before it ends, so
    // they may borrow `movie`.
    thread::scope(|s| {
        for name in ["Mohammad", "Ali"] {
            // Thread(target=movie.booking, args=(2,), name='Mohammad') -> Builder::name
            thread::Builder::new()
                .name(name.to_string())
                .spawn_scoped(s, || movie.booking(2))
                .expect("could not start a thread");
        }
    });
    println!(
        "Available seats: {}",
        *AVAILABLE_SEATS.lock().expect("a thread panicked")
    );
}
