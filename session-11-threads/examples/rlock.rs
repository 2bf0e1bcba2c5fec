//! جلسه 16: deadlock and `RLock`. The session is in the course's notes:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md
//!
//!     cargo run -p session-11-threads --example rlock
//!
//! Watch: each deadlock is *shown*, not suffered: a timed lock gives up after a second and says
//! so. The course is imprecise here. Two threads reaching `acquire()` together do not deadlock:
//! one gets the lock, the other waits its turn (part 2). A deadlock is a wait that can never end:
//! one thread taking a `Lock` it already holds (part 1), or two threads each holding the lock
//! the other wants (part 4). And an `RLock` does not let "any number of threads" in: it lets the
//! thread that *holds* it take it again; every other thread still waits (part 3).
//!
//! Lock -> parking_lot::Mutex, RLock -> parking_lot::ReentrantMutex (std's reentrant lock is not
//! stable yet). parking_lot's lock can wait with a timeout, like Python's `acquire(timeout=1)`.
//! An RLock's guard cannot even be sent to another thread, so "only the owner releases it" is
//! checked by the compiler.

use parking_lot::{Mutex, ReentrantMutex};
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(1);

fn main() {
    println!("== 1. a Lock taken twice by the same thread ==");
    let lock = Mutex::new(());
    let _first = lock.lock();
    // With lock() this thread would wait for itself, forever.
    match lock.try_lock_for(PATIENCE) {
        Some(_) => println!("got it twice?"),
        None => println!("second acquire: still waiting after 1 s, a deadlock (we gave up)"),
    }
    drop(_first);

    println!("== 2. two threads reach acquire() at the same moment ==");
    let barrier = Barrier::new(2);
    thread::scope(|s| {
        for name in ["Mohammad", "Ali"] {
            let (lock, barrier) = (&lock, &barrier);
            s.spawn(move || {
                barrier.wait(); // both arrive together
                let _guard = lock.lock(); // one gets it, the other waits its turn
                println!("{name} has the lock");
            });
        }
    });
    println!("both finished: contention is waiting, not deadlock");

    println!("== 3. an RLock taken twice by its owner ==");
    let rlock = ReentrantMutex::new(());
    let outer = rlock.lock();
    let inner = rlock.lock(); // the owner may take it again: it counts 2
    println!("main holds the RLock twice");
    thread::scope(|s| {
        s.spawn(|| match rlock.try_lock_for(PATIENCE) {
            Some(_) => println!("Ali got it too?"),
            None => println!("Ali: still waiting after 1 s; the RLock has one owner at a time"),
        });
    });
    drop(inner); // every acquire needs its release; the lock is free after the last one
    drop(outer);

    println!("== 4. two threads, two locks, opposite order ==");
    let (a, b) = (Mutex::new("seats"), Mutex::new("payments"));
    let barrier = Barrier::new(2);
    // ANCHOR: opposite
    thread::scope(|s| {
        for (name, first, second) in [("Mohammad", &a, &b), ("Ali", &b, &a)] {
            let barrier = &barrier;
            s.spawn(move || {
                let held = first.lock();
                barrier.wait(); // now each thread holds one lock
                match second.try_lock_for(PATIENCE) {
                    Some(got) => println!("{name} has {} and {}", *held, *got),
                    None => println!("{name} holds {}, waits for the other: deadlock", *held),
                }
                barrier.wait(); // both gave up before either lets go: no lucky escape
            });
        }
    });
    // ANCHOR_END: opposite

    println!("== 5. the fix: every thread takes the locks in the same order ==");
    thread::scope(|s| {
        for name in ["Mohammad", "Ali"] {
            let (a, b) = (&a, &b);
            s.spawn(move || {
                let (seats, payments) = (a.lock(), b.lock()); // always a, then b
                println!("{name} has {} and {}", *seats, *payments);
            });
        }
    });
}
