//! # Sessions 2, 3 and 4: one busy loop uses one core; async overlaps waiting
//!
//! The course's programs live in `examples/` (`infinity_loop`, `shop`, `shop_sequential`);
//! this library is the lab that measures them (`cargo run --release -p session-02-cpu`).
//!
//! * [`cpu`] is the course's endless loop, [`cpu::count`], run on one thread and then on one
//!   thread per core while the usage of every core is sampled. It only measures: every phase
//!   start, sample and end goes to a callback. In Rust the second phase really uses every
//!   core: there is no GIL (session 4), so threads run in parallel.
//! * [`display`] is that callback for a terminal (bars redrawn in place) or a pipe (a plain line
//!   a second), plus the summary. It depends on [`cpu`]; [`cpu`] does not know it exists.
//! * [`shop`] is the course's online shop on one tokio thread, with a timeline the tests check
//!   under a paused clock. Async does not add cores; it lets the steps that only *wait*
//!   overlap, while the steps that depend on each other stay in order.
//! * [`usage`] is the arithmetic: from per-core percentages to averages and a busy-core count,
//!   as pure functions with tests.

pub mod cpu;
pub mod display;
pub mod shop;
pub mod usage;
