//! Session 5 of the course: generators, and why async is built on them.
//!
//! The course's `fib()` generator hands out Fibonacci numbers one at a time and remembers where
//! it was between calls; asyncio, it says, is built on generators. The lesson is
//! `examples/fib.rs` (start with README.md). This library is the lab behind
//! `cargo run -p session-05-generators`, one part per module (LAB.md shows their output):
//!
//! 1. [`fib`]: the generator as an [`Iterator`], in the course's `for` loop and by `next()`.
//! 2. [`stream`]: an *async* generator, a `Stream` whose items take time to arrive.
//! 3. [`state_machine`]: an `async fn` beside the enum the compiler turns it into, written by
//!    hand, with their sizes: Rust's version of "coroutines are resumable functions".
//! 4. [`executor`]: the loop that resumes them, a `block_on` whose trace shows every poll,
//!    `Pending`, wake-up and `Ready`.
//!
//! ```
//! use session_05_generators::Fib;
//! // for item in fib(): if item > 1000: break; print(item, end=", ")
//! let line: String = Fib::new()
//!     .take_while(|&item| item <= 1000)
//!     .map(|item| format!("{item}, "))
//!     .collect();
//! assert_eq!(line, "1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, ");
//! ```

pub mod executor;
pub mod fib;
pub mod state_machine;
pub mod stream;

pub use executor::{Event, Trace, WakeFrom, block_on, block_on_traced};
pub use fib::{FIB_COUNT, Fib, LAST_FIB};
pub use state_machine::{FibFuture, YieldNow, fib_async};
pub use stream::fib_stream;
