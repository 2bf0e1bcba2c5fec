//! جلسه 7: the course's `sync_scraper_task.py`, in Rust.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/sync_scraper_task.py
//!
//!     cargo run -p session-07-scraper --example sync_scraper_task
//!
//! Watch: all 20 yellow `Generated` lines come first, then all 20 green `Processed` lines; item 1
//! has waited about 14 s by the time it is processed. The red total is the sum of every sleep,
//! about 22 s (the course measured 24 s). Then run `--example async_scraper_task` and compare.

use std::thread::sleep; // time.sleep
use std::time::{Duration, Instant};

use anstream::println; // drops the colours when stdout is not a terminal or NO_COLOR is set
use anstyle::{AnsiColor, Style};

// colorama's Fore.WHITE, YELLOW, GREEN and RED. colorama never resets a colour, so in the course
// each one carries over to the next line (the terminal is still red after the program ends);
// here `{RED:#}` and its siblings reset the colour at the end of each line.
const WHITE: Style = AnsiColor::White.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();

// ANCHOR: main
fn main() {
    let t0 = Instant::now();
    println!("{WHITE}App started.{WHITE:#}");

    let mut data = Vec::new(); // data = []
    scrap_data(20, &mut data);
    process_data(20, &mut data);

    let dt = t0.elapsed().as_secs_f64();
    println!("{RED}App finished, total time: {dt:.2} sec.{RED:#}");
}
// ANCHOR_END: main

// ANCHOR: scrap_data
// The producer. `scrap_data` is the course's spelling.
fn scrap_data(num: u64, data: &mut Vec<(u64, Instant)>) {
    for idx in 1..=num {
        let item = idx * idx;
        data.push((item, Instant::now())); // data.append(...)
        // print(Fore.YELLOW, f'---- ...'): the comma puts a space after the colour code.
        println!("{YELLOW} ---- Generated item {idx}{YELLOW:#}");
        // time.sleep(random() + .2): the whole thread waits, nothing else can run.
        sleep(Duration::from_secs_f64(fastrand::f64() + 0.2));
    }
}
// ANCHOR_END: scrap_data

// ANCHOR: process_data
// The consumer.
fn process_data(num: u64, data: &mut Vec<(u64, Instant)>) {
    let mut processed = 0;
    while processed < num {
        // item = data.pop(0); the course's `if not item` check can never fire, so it is left out.
        let (value, t) = data.remove(0);
        processed += 1;
        let dt = t.elapsed().as_secs_f64();
        println!("{GREEN}+++ Processed value {value} after {dt:.2} sec.{GREEN:#}");
        sleep(Duration::from_millis(400)); // time.sleep(.4)
    }
}
// ANCHOR_END: process_data
