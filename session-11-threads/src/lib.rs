//! # Sessions 11-19: threads, locks and pools (the lab)
//!
//! The course's own programs are ported one file each in `examples/`; this library is the lab
//! that measures them. Rust takes different positions from Python's, and each part shows one:
//!
//! * **A process does not wait for its threads.** Rust ends the process when `main` returns;
//!   waiting is always explicit: `JoinHandle::join` ([`greet`]).
//! * **Threads cannot be killed, in either language.** A thread that must stop early is asked
//!   to, and checks the request between units of work ([`cancel`]).
//! * **Data races do not compile; race conditions do.** Check, then act, with the world
//!   changing in between, is still possible ([`race`]).
//! * **There is no GIL.** CPU-bound work on N threads runs on N cores ([`cpu`]).
//! * **Threads are not free.** A thread costs far more memory than an async task ([`scale`]).
//!
//! `src/main.rs` parses the command line and calls the parts; [`show`] holds the helpers they
//! share (the `--speed` factor, printing, colours).

pub mod cancel;
pub mod cpu;
pub mod greet;
pub mod race;
pub mod scale;
pub mod show;

pub use show::{Speed, clean, heading, human, note, paint, say, thousands};
