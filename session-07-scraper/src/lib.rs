//! # Session 7: the scraper lab, sync and async measured on the same delays
//!
//! The lesson is in `examples/`: `sync_scraper_task.rs` and `async_scraper_task.rs` are the
//! course's two programs. This library runs their `scrap_data` and `process_data`, word for
//! word, with the random delays drawn from one seed ([`Plan`]), so that both versions get the
//! **same** delays and each total can be set against the best it could possibly be:
//!
//! - [`sync_version`]: scrape everything into a `Vec`, then process the `Vec`. Nothing overlaps,
//!   so the total is at least the sum of every delay ([`Plan::sync_bound`]).
//! - [`async_version`]: two tokio tasks joined by a channel (`asyncio.Queue`). The consumer
//!   processes item 3 while the producer is still scraping item 4, so the total drops to the
//!   critical path of that schedule ([`Plan::async_bound`]). Run with blocking sleeps
//!   ([`Version::AsyncBlocking`], exercise 1), it is as slow as sync.
//!
//! What async buys here is overlap of waiting, on one thread. It cannot do better than running
//! the longer of the two jobs alone, so the gain is at most 2x (exactly 2x when scraping and
//! processing take equally long); the course's delays give about 1.57x.
//!
//! [`lab`] puts the measured `sleep` and `println!` under the examples' code; [`report`] turns
//! the runs into a summary, a timeline chart or JSON.

pub mod async_version;
pub mod sync_version;

pub mod lab;
pub mod plan;
pub mod report;

pub use lab::{Run, Span, Task, Version, run};
pub use plan::Plan;
