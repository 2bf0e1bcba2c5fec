//! Session 5 of the course: generators, and why async is built on them.
//!
//! The course shows a Python generator, `fib()`, that hands out Fibonacci numbers one at a time
//! and remembers where it was between calls, and then claims that asyncio is built on
//! generators. The lesson is `examples/fib.rs` (start with README.md); this library is the lab
//! behind `cargo run -p session-05-generators`, which follows the thread further in Rust, one
//! part per module (LAB.md shows each part's output):
//!
//! 1. [`fib`]: the generator as a struct implementing [`Iterator`], consumed by a `for` loop
//!    that stops past 1000 (part `fib`) and by `next()` and friends (part `next`). The struct's
//!    fields are the state a Python generator keeps hidden in its suspended frame.
//! 2. [`stream`]: an *async* generator, a `Stream` whose items take time to arrive.
//! 3. [`state_machine`]: an `async fn` beside the enum the compiler turns it into, written by
//!    hand. This is the Rust version of "coroutines are resumable functions".
//! 4. [`executor`]: the loop that resumes them: a `block_on` of a few dozen lines whose trace
//!    shows every poll, `Pending`, wake-up and `Ready`.
//!
//! Why bother, if tokio does all this? Because async Rust errors and costs only make sense once
//! you see the machine: a future does nothing until polled, what it holds across `.await` decides
//! its size, and a future that returns `Pending` without arranging a wake-up hangs forever.
//!
//! ```
//! use session_05_generators::fib::Fib;
//!
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
