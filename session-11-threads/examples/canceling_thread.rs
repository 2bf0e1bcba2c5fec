//! جلسه 12: cancelling background threads. The course's file:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/canceling_thread.py
//!
//!     cargo run -p session-11-threads --example canceling_thread
//!
//! Watch: two producers and a consumer share one queue; press Enter (or close stdin) and
//! `main` prints `cancelling your request...` at once and ends, with the workers still running.
//!
//! Where Rust differs: nothing here asks the workers to stop, as in the course. There they are
//! daemon threads and the end of the process kills them mid-work; here every thread behaves like
//! that, because the process ends when `main` returns. To *ask* a thread to stop instead, share
//! an `AtomicBool`, set it, and let the worker check it between items and return: it finishes
//! its current item and nothing is cut half-way (`cargo run -p session-11-threads -- cancel`).

use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const WHITE: anstyle::Style = anstyle::AnsiColor::White.on_default();
const RED: anstyle::Style = anstyle::AnsiColor::Red.on_default();
const YELLOW: anstyle::Style = anstyle::AnsiColor::Yellow.on_default();
const GREEN: anstyle::Style = anstyle::AnsiColor::Green.on_default();

// The course's plain list `data` -> a VecDeque behind a Mutex (a channel would do too, but the
// consumer's "is there anything? if not, sleep 10 ms" loop is the course's, so we keep it).
type Data = Arc<Mutex<VecDeque<(u64, Instant)>>>;

fn scrap_data(num: u64, data: Data) {
    for idx in 1..=num {
        data.lock()
            .expect("a thread panicked")
            .push_back((idx * idx, Instant::now()));
        anstream::println!("{YELLOW}-- generated item {idx}{YELLOW:#}");
        // time.sleep(random() + .5)
        thread::sleep(Duration::from_secs_f64(fastrand::f64() + 0.5));
    }
}

fn process_data(num: u64, data: Data) {
    let mut processed = 0;
    while processed < num {
        // data.pop(0); the guard is dropped at the end of this statement, before any sleep.
        let item = data.lock().expect("a thread panicked").pop_front();
        let Some((value, t)) = item else {
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        processed += 1;
        let dt = t.elapsed().as_secs_f64();
        anstream::println!("{GREEN}+++ processed value {value} after {dt} seconds.{GREEN:#}");
        thread::sleep(Duration::from_millis(500));
    }
}

fn check_canceled() {
    anstream::println!("{RED}press enter to exit{RED:#}");
    // input() -> read one line, at most 1 KiB of it (`take`): an endless line (`< /dev/zero`)
    // must not fill the memory. End of input (stdin closed) returns too: it counts as Enter.
    let _ = std::io::stdin()
        .lock()
        .take(1024)
        .read_line(&mut String::new());
}

fn main() {
    let t0 = Instant::now();
    anstream::println!("{WHITE}App started...{WHITE:#}");
    let data: Data = Arc::default();

    let cancel_thread = thread::spawn(check_canceled);
    let (d1, d2, d3) = (data.clone(), data.clone(), data.clone());
    let threads = [
        thread::spawn(move || scrap_data(20, d1)),
        thread::spawn(move || scrap_data(20, d2)),
        thread::spawn(move || process_data(40, d3)),
    ];
    // while any(t.is_alive() for t in threads) -> JoinHandle::is_finished
    while threads.iter().any(|t| !t.is_finished()) {
        // t.join(.001): JoinHandle::join has no timeout, so we poll every millisecond instead.
        thread::sleep(Duration::from_millis(1));
        if cancel_thread.is_finished() {
            println!("cancelling your request...");
            break;
        }
    }

    let dt = t0.elapsed().as_secs_f64();
    anstream::println!("{WHITE}App finished. total time: {dt}{WHITE:#}");
    // main returns: the process ends, and the three workers with it, wherever they are.
}
