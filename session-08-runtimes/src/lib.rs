//! # Session 8: a faster event loop, or "swap the runtime"
//!
//! In the course, one line, `asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())`, swaps
//! asyncio's event loop for uvloop's, written in C, and the course says code gets 2 to 4 times
//! faster. Rust ships no event loop at all: a **runtime** is a library the program picks, with an
//! **executor** that polls the tasks that are ready (asyncio's ready queue) and a **reactor**
//! that wakes the tasks whose sockets and timers are ready (asyncio's selector, uvloop's libuv).
//!
//! The examples are one program on three runtimes; this library is the lab that measures the
//! swap. Its two workloads are written once, naming no runtime: [`queue`] (this project's
//! benchmark: task switching only) and [`echo`] (uvloop's kind: sockets too). [`runtimes`], the
//! only module that names a runtime, runs them on six, and [`bench`] repeats, checks and
//! tabulates the runs.

// The lesson: two workloads, written once for every runtime.
pub mod queue;

pub mod echo;

// The swap, then the measuring.
pub mod runtimes;

pub mod bench;

pub use bench::{Measurement, Outcome, Workload};
pub use queue::yield_now;
pub use runtimes::{JoinHandle, Runtime, Spawn};
