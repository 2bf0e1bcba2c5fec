//! جلسه 7: the course's `async_scraper_task.py`, in Rust on tokio.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/async_scraper_task.py
//!
//!     cargo run -p session-07-scraper --example async_scraper_task
//!
//! Watch: a yellow `Generated` line is followed at once by a green `Processed` line, because the
//! consumer works while the producer is still "scraping". The red total is about 14 s (the course
//! measured 13 s), against about 22 s for `--example sync_scraper_task`. One thread runs it all.

use std::time::{Duration, Instant};

use anstream::println; // drops the colours when stdout is not a terminal or NO_COLOR is set
use anstyle::{AnsiColor, Style};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::sleep; // asyncio.sleep

// colorama's Fore.WHITE, YELLOW, GREEN and RED. colorama never resets a colour, so in the course
// each one carries over to the next line (the terminal is still red after the program ends);
// here `{RED:#}` and its siblings reset the colour at the end of each line.
const WHITE: Style = AnsiColor::White.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();

// ANCHOR: main
// asyncio.run(main()) -> #[tokio::main]: it builds a runtime and calls block_on(main()) for you.
// "current_thread": one thread runs every task, as asyncio's event loop does.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let t0 = Instant::now();
    println!("{WHITE}App started.{WHITE:#}");

    // data = asyncio.Queue() -> an unbounded channel: a sending half and a receiving half.
    let (sender, receiver) = unbounded_channel();
    // asyncio.create_task(...) -> tokio::spawn(...): each task starts at main's next .await.
    let task_1 = tokio::spawn(scrap_data(20, sender));
    let task_2 = tokio::spawn(process_data(20, receiver));

    // await asyncio.gather(task_1, task_2) -> wait for both (an Err means a task panicked).
    let (scraped, processed) = tokio::join!(task_1, task_2);
    scraped.expect("scrap_data panicked");
    processed.expect("process_data panicked");

    let dt = t0.elapsed().as_secs_f64();
    println!("{RED}App finished, total time: {dt:.2} sec.{RED:#}");
}
// ANCHOR_END: main

// ANCHOR: scrap_data
// The producer. `scrap_data` is the course's spelling.
async fn scrap_data(num: u64, data: UnboundedSender<(u64, Instant)>) {
    for idx in 1..=num {
        let item = idx * idx;
        // await data.put(...): an unbounded channel never makes the sender wait.
        data.send((item, Instant::now()))
            .expect("the consumer is gone");
        // print(Fore.YELLOW, f'---- ...'): the comma puts a space after the colour code.
        println!("{YELLOW} ---- Generated item {idx}{YELLOW:#}");
        // await asyncio.sleep(random() + .2): this task waits, the thread runs the other one.
        let delay = Duration::from_secs_f64(fastrand::f64() + 0.2);
        sleep(delay).await;
    }
}
// ANCHOR_END: scrap_data

// ANCHOR: process_data
// The consumer.
async fn process_data(num: u64, mut data: UnboundedReceiver<(u64, Instant)>) {
    let mut processed = 0;
    while processed < num {
        // item = await data.get(): wait, without blocking the thread, for the next item.
        let Some((value, t)) = data.recv().await else {
            break; // the producer is gone: no more items will come
        };
        processed += 1;
        let dt = t.elapsed().as_secs_f64();
        println!("{GREEN}+++ Processed value {value} after {dt:.2} sec.{GREEN:#}");
        sleep(Duration::from_millis(400)).await; // await asyncio.sleep(.4)
    }
}
// ANCHOR_END: process_data
