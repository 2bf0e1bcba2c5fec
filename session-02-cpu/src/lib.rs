//! # Session 2: one busy loop uses one core
//!
//! The course opens with an endless Python loop, `x += 1; print(x)`, and two task-manager
//! screenshots: while it runs, only 1 of 14 cores is busy. A program is a sequence of steps on
//! one thread, and one thread runs on one core at a time. The rest of the machine sits idle
//! unless the program asks for more threads.
//!
//! This crate makes the screenshots live and measures them:
//!
//! * [`cpu`] runs the loop on one thread, then on one thread per core, draws a bar per core
//!   while it runs, and counts increments per second in both phases. In Rust the second phase
//!   really uses every core: there is no GIL (session 4), so threads run in parallel.
//! * [`shop`] is the course's online shop. Async (tokio here, asyncio in the course) does not
//!   add cores; it lets the steps that only *wait* (an e-mail, an SMS, registering the order)
//!   overlap on one thread, while the steps that depend on each other stay in order.
//! * [`display`] draws the live bars on a terminal (plain lines otherwise) and the summary.
//! * [`usage`] is the arithmetic: from per-core percentages to averages and a busy-core count,
//!   as pure functions with tests.
//!
//! Run it with `cargo run --release -p session-02-cpu` and watch the bars; then
//! `cargo run -p session-02-cpu -- shop` and watch the timeline.

pub mod cpu;
pub mod display;
pub mod shop;
pub mod usage;
