//! The course's online shop: what must happen in order, and what can overlap.
//!
//! Viewing a product, adding it to the cart and paying depend on each other, so they run one
//! after another. Registering the order, the confirmation e-mail and the SMS do not depend on
//! each other, so they start together and the shop waits for all three. The whole order then
//! takes the sequential part plus the *longest* of the three, not their sum.
//!
//! Nothing here uses a second core: it all runs on one thread (`current_thread` runtime).
//! The steps only *wait* (here `tokio::time::sleep` stands in for a payment gateway, a
//! database, a mail server), and waiting is what async lets us overlap. That is the point of
//! session 2: async does not add cores, it stops a program from waiting in a queue.
//!
//! The course tells this shop in words, without code or times; the delays below are ours.
//! `examples/shop.rs` is the same order in one screen; this module is the lab's version, which
//! hands every start and finish to a callback so the tests can check the timeline.

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
    /// What the step does, as printed in the timeline.
    pub name: &'static str,
    /// How long it takes at speed 1.
    pub delay: Duration,
}

/// Steps that must run in order: each needs the one before it.
pub const SEQUENTIAL: [Step; 3] = [
    Step {
        name: "view the product",
        delay: Duration::from_millis(1000),
    },
    Step {
        name: "add it to the cart",
        delay: Duration::from_millis(500),
    },
    Step {
        name: "pay",
        delay: Duration::from_millis(2000),
    },
];

/// Steps that can run alongside each other once the payment is done.
pub const CONCURRENT: [Step; 3] = [
    Step {
        name: "register the order",
        delay: Duration::from_millis(1000),
    },
    Step {
        name: "send the confirmation e-mail",
        delay: Duration::from_millis(2000),
    },
    Step {
        name: "send the SMS",
        delay: Duration::from_millis(1500),
    },
];

/// Run the last three steps together (the lesson) or one after another (to compare).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Register, e-mail and SMS start together.
    Overlap,
    /// Every step waits for the previous one.
    Sequential,
}

/// One line of the timeline: a step started or finished, `at` after the order began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Time since the order began.
    pub at: Duration,
    /// The step's name.
    pub step: &'static str,
    /// `false` when the step starts, `true` when it is done.
    pub done: bool,
}

/// What one order took.
#[derive(Clone, Debug)]
pub struct ShopReport {
    /// Every start and finish, in the order they happened.
    pub events: Vec<Event>,
    /// Time from the first step to the last one finishing.
    pub total: Duration,
}

/// `delay / speed`: every delay shrinks by the same factor.
pub fn scaled(delay: Duration, speed: f64) -> Duration {
    delay.div_f64(speed)
}

/// What running every step one after another takes: the sum of all delays.
pub fn all_sequential(speed: f64) -> Duration {
    SEQUENTIAL
        .iter()
        .chain(CONCURRENT.iter())
        .map(|s| scaled(s.delay, speed))
        .sum()
}

/// The best any schedule can do: the sequential part plus the longest concurrent step.
pub fn critical_path(speed: f64) -> Duration {
    let sequential: Duration = SEQUENTIAL.iter().map(|s| scaled(s.delay, speed)).sum();
    let longest = CONCURRENT
        .iter()
        .map(|s| scaled(s.delay, speed))
        .max()
        .unwrap_or_default();
    sequential + longest
}

/// Records every event and hands it to `on_event` as it happens.
struct Timeline<'a> {
    start: Instant,
    events: RefCell<Vec<Event>>,
    on_event: &'a dyn Fn(&Event) -> io::Result<()>,
}

impl Timeline<'_> {
    fn record(&self, step: &'static str, done: bool) -> io::Result<()> {
        let event = Event {
            at: self.start.elapsed(),
            step,
            done,
        };
        // The borrow ends on this line, never across an `.await`.
        self.events.borrow_mut().push(event);
        (self.on_event)(&event)
    }

    /// One step: `async def step(): await asyncio.sleep(delay)`.
    async fn step(&self, step: &Step, speed: f64) -> io::Result<()> {
        self.record(step.name, false)?;
        // asyncio.sleep -> tokio::time::sleep: this task waits, the thread stays free.
        tokio::time::sleep(scaled(step.delay, speed)).await;
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

/// A duration for the timeline, in seconds to the millisecond (tokio's timers tick in ms).
pub fn fmt_duration(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// One line of the timeline, as the lab prints it: `    1.000 s  done   view the product`.
pub fn print_event(event: &Event) -> io::Result<()> {
    let (word, color) = if event.done {
        ("done ", AnsiColor::Green)
    } else {
        ("start", AnsiColor::Yellow)
    };
    let style = Style::new().fg_color(Some(color.into()));
    writeln!(
        anstream::stdout().lock(),
        "  {:>9}  {style}{word}{style:#}  {}",
        fmt_duration(event.at),
        event.step
    )
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
    writeln!(
        anstream::stdout().lock(),
        "{bold}the shop{bold:#} (delays / {speed}): {how}"
    )
    .context(failed)?;
    let report = runtime
        .block_on(shop(speed, mode, &print_event))
        .context(failed)?;
    writeln!(
        anstream::stdout().lock(),
        "{bold}total: {}{bold:#}   all one after another: {}   best possible (sequential part + longest concurrent step): {}",
        fmt_duration(report.total),
        fmt_duration(all_sequential(speed)),
        fmt_duration(critical_path(speed)),
    )
    .context(failed)?;
    Ok(())
}
