//! # Session 7: the scraper lab, sync and async measured on the same delays
//!
//! The lesson is in `examples/`: `sync_scraper_task.rs` and `async_scraper_task.rs` are the
//! course's two programs. This library is the lab around them. It runs the same two programs,
//! with the random delays drawn up front ([`Plan`]) and the lines printed through a [`Log`], so
//! that both versions get the **same** delays and each total can be set against the best it
//! could possibly be:
//!
//! - [`sync_version`]: scrape everything into a `Vec`, then process the `Vec`. Nothing overlaps,
//!   so the total is at least the sum of every delay ([`Plan::sync_bound`]).
//! - [`async_version`]: two tokio tasks joined by a channel (`asyncio.Queue`). The consumer
//!   processes item 3 while the producer is still scraping item 4, so the total drops to the
//!   critical path of that schedule ([`Plan::async_bound`]).
//! - [`async_blocking`]: the same tasks calling `std::thread::sleep` (`time.sleep`) instead of
//!   awaiting. It compiles and runs, and it is as slow as sync.
//!
//! What async buys here is overlap of waiting, on one thread. It cannot do better than running
//! the longer of the two jobs alone, so with scraping and processing both taking time the gain is
//! at most 2x (exactly 2x when they take equally long); the course's delays give about 1.57x.
//!
//! The [`report`] module turns the runs into a summary and a timeline chart.

pub mod async_blocking;
pub mod async_version;
pub mod log;
pub mod plan;
pub mod report;
pub mod sync_version;

use std::time::Duration;

pub use log::{Busy, Log, Span, Task};
pub use plan::Plan;

/// The three ways of running the scraper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// One thread, `std::thread::sleep`, scrape all then process all.
    Sync,
    /// Two tokio tasks and a channel, `tokio::time::sleep(..).await`.
    Async,
    /// Two tokio tasks and a channel, but `std::thread::sleep` inside them.
    AsyncBlocking,
}

impl Version {
    /// The name used on the command line and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Version::Sync => "sync",
            Version::Async => "async",
            Version::AsyncBlocking => "async-blocking",
        }
    }

    /// A one-line description, printed as the heading of the run.
    pub fn describe(self) -> &'static str {
        match self {
            Version::Sync => "scrape every item, then process every item (std::thread::sleep)",
            Version::Async => "two tasks and a queue on one thread (tokio::time::sleep(..).await)",
            Version::AsyncBlocking => {
                "two tasks and a queue, but std::thread::sleep inside them (time.sleep in async def)"
            }
        }
    }

    /// The fastest this version can finish with these delays.
    ///
    /// A blocking sleep never lets the other task run, so `AsyncBlocking` has the sync bound.
    pub fn bound(self, plan: &Plan) -> Duration {
        match self {
            Version::Sync | Version::AsyncBlocking => plan.sync_bound(),
            Version::Async => plan.async_bound(),
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Run {
    pub version: Version,
    /// The time printed in `App finished, total time: T sec.`
    pub total: Duration,
    /// [`Version::bound`] for the same delays.
    pub bound: Duration,
    /// When each task was busy, for the timeline chart.
    pub spans: Vec<Span>,
}

impl Run {
    /// How much slower than its bound the run was, in percent.
    pub fn over_bound_percent(&self) -> f64 {
        (self.total.as_secs_f64() / self.bound.as_secs_f64() - 1.0) * 100.0
    }
}

/// Runs one version with the delays of `plan`, printing the course's lines to `log`.
pub fn run(version: Version, plan: &Plan, log: &Log) -> anyhow::Result<Run> {
    let total = match version {
        Version::Sync => sync_version::main(plan, log),
        Version::Async => async_version::run(plan, log)?,
        Version::AsyncBlocking => async_blocking::run(plan, log)?,
    };
    Ok(Run {
        version,
        total,
        bound: version.bound(plan),
        spans: log.spans(),
    })
}
