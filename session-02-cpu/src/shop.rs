//! The course's online shop: view, cart and pay depend on each other and run in order; the
//! order's registration, e-mail and SMS do not, so they start together, and the order takes the
//! sequential part plus the *longest* of the three. All on one thread: the steps only wait.
//! The course tells it in words; the delays are ours. `examples/shop.rs` is the same order on
//! one screen; this version hands every start and finish to a callback that tests can check.

use std::cell::RefCell;
use std::io::{self, Write};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::Context;
// asyncio's loop clock (loop.time()) -> tokio::time::Instant, which the tests can pause.
use tokio::time::Instant;

/// One step of an order and how long it waits at `--speed 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub name: &'static str,
    pub delay: Duration,
}

const fn step(name: &'static str, millis: u64) -> Step {
    Step {
        name,
        delay: Duration::from_millis(millis),
    }
}

/// Steps that must run in order: each needs the one before it.
pub const SEQUENTIAL: [Step; 3] = [
    step("view the product", 1000),
    step("add it to the cart", 500),
    step("pay", 2000),
];

/// Steps that can run alongside each other once the payment is done.
pub const CONCURRENT: [Step; 3] = [
    step("register the order", 1000),
    step("send the confirmation e-mail", 2000),
    step("send the SMS", 1500),
];

/// Run the last three steps together (the lesson) or one after another (to compare).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Overlap,
    Sequential,
}

/// One line of the timeline: a step started (`done: false`) or finished, `at` after the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub at: Duration,
    pub step: &'static str,
    pub done: bool,
}

/// Every start and finish in the order they happened, and the time the whole order took.
#[derive(Clone, Debug)]
pub struct ShopReport {
    pub events: Vec<Event>,
    pub total: Duration,
}

/// What running every step one after another takes: the sum of all delays.
pub fn all_sequential(speed: f64) -> Duration {
    let all = SEQUENTIAL.iter().chain(&CONCURRENT);
    all.map(|s| s.delay).sum::<Duration>().div_f64(speed)
}

/// The best any schedule can do: the sequential part plus the longest concurrent step.
pub fn critical_path(speed: f64) -> Duration {
    let sequential: Duration = SEQUENTIAL.iter().map(|s| s.delay).sum();
    let longest = CONCURRENT.iter().map(|s| s.delay).max().unwrap_or_default();
    (sequential + longest).div_f64(speed)
}

/// Records every event and hands it to `on_event` as it happens.
struct Timeline<'a> {
    start: Instant,
    events: RefCell<Vec<Event>>,
    on_event: &'a dyn Fn(&Event) -> io::Result<()>,
}

impl Timeline<'_> {
    fn record(&self, step: &'static str, done: bool) -> io::Result<()> {
        let at = self.start.elapsed();
        let event = Event { at, step, done };
        // The borrow ends on this line, never across an `.await`.
        self.events.borrow_mut().push(event);
        (self.on_event)(&event)
    }

    /// One step: `async def step(): await asyncio.sleep(delay)`.
    async fn step(&self, step: &Step, speed: f64) -> io::Result<()> {
        self.record(step.name, false)?;
        // asyncio.sleep -> tokio::time::sleep: this task waits, the thread stays free.
        tokio::time::sleep(step.delay.div_f64(speed)).await;
        self.record(step.name, true)
    }
}

// ANCHOR: shop
/// Places one order and returns its timeline, handing each event to `on_event` as it happens.
/// An error from `on_event` (stdout is full) ends the order early and is returned.
pub async fn shop(
    speed: f64,
    mode: Mode,
    on_event: &dyn Fn(&Event) -> io::Result<()>,
) -> io::Result<ShopReport> {
    let timeline = Timeline {
        start: Instant::now(),
        events: RefCell::new(Vec::new()),
        on_event,
    };
    for step in &SEQUENTIAL {
        timeline.step(step, speed).await?;
    }
    match mode {
        Mode::Overlap => {
            let [order, email, sms] = &CONCURRENT;
            // asyncio.gather(a, b, c) -> tokio::try_join!(a, b, c): all three run on this one
            // thread, each resuming when its wait is over; the first error ends all three,
            // as the first exception does in gather.
            tokio::try_join!(
                timeline.step(order, speed),
                timeline.step(email, speed),
                timeline.step(sms, speed),
            )?;
        }
        Mode::Sequential => {
            for step in &CONCURRENT {
                timeline.step(step, speed).await?;
            }
        }
    }
    Ok(ShopReport {
        total: timeline.start.elapsed(),
        events: timeline.events.into_inner(),
    })
}
// ANCHOR_END: shop

/// One line of the timeline, as the lab prints it: `    1.000 s  done   view the product`.
pub fn print_event(event: &Event) -> io::Result<()> {
    let (word, color) = match event.done {
        true => ("done ", AnsiColor::Green),
        false => ("start", AnsiColor::Yellow),
    };
    let style = Style::new().fg_color(Some(color.into()));
    let at = event.at.as_secs_f64();
    let mut out = anstream::stdout().lock();
    writeln!(out, "  {at:7.3} s  {style}{word}{style:#}  {}", event.step)
}

/// Runs the shop on a single-threaded tokio runtime and prints the timeline and the totals.
pub fn run(speed: f64, mode: Mode) -> anyhow::Result<()> {
    // asyncio.run(main()) -> a current-thread runtime: one thread, like Python's event loop.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .context("could not start the tokio runtime")?;
    let how = match mode {
        Mode::Overlap => "view, cart and pay in order; then order, e-mail and SMS together",
        Mode::Sequential => "every step after the previous one",
    };
    let bold = Style::new().bold();
    let failed = "could not write the shop's timeline to stdout";
    let head = format!("{bold}the shop{bold:#} (delays / {speed}): {how}");
    writeln!(anstream::stdout(), "{head}").context(failed)?;
    let report = (runtime.block_on(shop(speed, mode, &print_event))).context(failed)?;
    let secs = |d: Duration| d.as_secs_f64();
    writeln!(
        anstream::stdout(),
        "{bold}total: {:.3} s{bold:#}   all one after another: {:.3} s   best possible (sequential part + longest concurrent step): {:.3} s",
        secs(report.total),
        secs(all_sequential(speed)),
        secs(critical_path(speed)),
    )
    .context(failed)
}
