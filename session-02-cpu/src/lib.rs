//! # Sessions 2, 3 and 4: one busy loop uses one core; async overlaps waiting
//!
//! The course's programs live in `examples/`; this library is the lab that measures them
//! (`cargo run --release -p session-02-cpu`).
//!
//! * [`cpu`]: the course's endless loop on one thread, then on one per core (no GIL in Rust),
//!   while the usage of every core is sampled; every sample goes to a callback.
//! * [`shop`]: the course's online shop on one tokio thread; the waits overlap, the steps that
//!   depend on each other stay in order.
//! * [`display`]: that callback for a terminal (live bars) or a pipe (a line a second), and the
//!   summary. [`usage`]: the arithmetic, as pure functions.

pub mod cpu;
pub mod shop;

pub mod display;
pub mod usage;
