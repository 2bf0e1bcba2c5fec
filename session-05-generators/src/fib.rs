//! Parts 1 and 2: the course's `fib()` generator as a Rust [`Iterator`].
//!
//! The course's generator (the "جلسه 5" section of its README) keeps two locals, `current` and
//! `nxt`, alive between calls: each `next()` runs its `while True:` loop once, up to `yield`.
//!
//! Stable Rust has no `yield`. What a generator does implicitly (remember its locals, run
//! until the next `yield`, hand back one value) an iterator does explicitly: the locals become
//! the fields of a struct, and "run until the next `yield`" becomes the body of
//! [`Iterator::next`]. The `for` loop, `next()`, and lazy evaluation all carry over unchanged.
//!
//! One real difference: Python integers grow without bound, so the Python generator never ends.
//! A `u64` overflows after the 93rd Fibonacci number. Plain `+` would panic there in a debug
//! build and silently wrap in a release build, so every version below uses
//! [`u64::checked_add`] and *ends* the sequence instead.

use std::io::{self, Write};
use std::iter::FusedIterator;

/// The largest Fibonacci number that fits in a `u64`: the 93rd, and the last item of [`Fib`].
pub const LARGEST_U64_FIB: u64 = 12_200_160_415_121_876_738;

/// How many Fibonacci numbers (1, 1, 2, 3, ...) fit in a `u64`.
pub const U64_FIB_COUNT: usize = 93;

/// The `fib()` generator as a struct: its fields are the state the generator remembers
/// between two `yield`s (Python keeps `current` and `nxt` in the suspended frame; Rust keeps
/// them here, in plain sight).
///
/// ```
/// use session_05_generators::fib::Fib;
///
/// // result = fib(); print(next(result))
/// let mut result = Fib::new();
/// assert_eq!(result.next(), Some(1));
///
/// // The same laziness as Python: only the numbers asked for are computed.
/// let first: Vec<u64> = Fib::new().take(7).collect();
/// assert_eq!(first, [1, 1, 2, 3, 5, 8, 13]);
/// ```
// Python generator function `def fib(): ... yield` -> a struct + `impl Iterator`.
#[derive(Debug, Clone)]
pub struct Fib {
    /// The number yielded last time (Python's `current`).
    current: u64,
    /// The number to yield next (Python's `nxt`); `None` once it would not fit in a `u64`.
    next: Option<u64>,
}

impl Fib {
    /// A fresh generator, like calling `fib()` in Python: nothing is computed yet.
    pub fn new() -> Self {
        Fib {
            current: 0,
            next: Some(1),
        }
    }
}

impl Default for Fib {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: next
impl Iterator for Fib {
    type Item = u64;

    /// One trip round the Python `while True:` loop, up to and including the `yield`.
    fn next(&mut self) -> Option<u64> {
        // `?` ends the iterator for good once the next number did not fit.
        let item = self.next?;
        // current, nxt = nxt, current + nxt   (but without overflowing)
        self.next = self.current.checked_add(item);
        self.current = item;
        // yield current
        Some(item)
    }
}
// ANCHOR_END: next

// Once `next` returned `None` it keeps returning `None`: the promise Python makes with
// StopIteration, written down for the type system.
impl FusedIterator for Fib {}

/// The same sequence with [`std::iter::from_fn`]: a closure whose captured variables are the
/// generator's locals. This is the closest stable Rust gets to writing the Python body as is.
///
/// ```
/// use session_05_generators::fib::{fib_from_fn, Fib};
/// assert!(fib_from_fn().eq(Fib::new()));
/// ```
pub fn fib_from_fn() -> impl Iterator<Item = u64> {
    let (mut current, mut next) = (0u64, Some(1u64));
    std::iter::from_fn(move || {
        let item = next?;
        next = current.checked_add(item);
        current = item;
        Some(item)
    })
}

/// The same sequence with [`std::iter::successors`]: each state `(current, nxt)` is computed
/// from the one before, and we keep the second half of each pair.
///
/// ```
/// use session_05_generators::fib::{fib_successors, Fib};
/// assert!(fib_successors().eq(Fib::new()));
/// ```
pub fn fib_successors() -> impl Iterator<Item = u64> {
    std::iter::successors(Some((0u64, 1u64)), |&(current, next)| {
        Some((next, current.checked_add(next)?))
    })
    .map(|(_, next)| next)
}

/// Part 1, the course's loop: `for item in fib(): if item > limit: break; print(item, end=", ")`.
///
/// Writes the numbers on one line, each followed by `", "` exactly like Python's
/// `end=", "`, then a newline (Python leaves the cursor there; a shell prompt would follow).
///
/// ```
/// let mut out = Vec::new();
/// session_05_generators::fib::for_loop(&mut out, 20).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "1, 1, 2, 3, 5, 8, 13, \n");
/// ```
pub fn for_loop(out: &mut impl Write, limit: u64) -> io::Result<()> {
    // for item in result:
    for item in Fib::new() {
        // if item > 1000: break
        if item > limit {
            break;
        }
        // print(item, end=", ")
        write!(out, "{item}, ")?;
    }
    writeln!(out)
}

/// Part 2: the same generator driven by hand with `next()`, then three other ways to write
/// and consume the sequence, each cut off after `limit`.
///
/// The first line is exactly what the course prints for `print(next(result))`: `1`.
pub fn next_and_friends(out: &mut impl Write, limit: u64) -> io::Result<()> {
    // result = fib(); print(next(result))  ->  Fib::new() and Iterator::next
    let mut result = Fib::new();
    if let Some(first) = result.next() {
        writeln!(out, "{first}")?;
    }
    // The struct remembered where it stopped: two more calls carry on from there.
    let (second, third) = (result.next(), result.next());
    writeln!(
        out,
        "next() twice more:  {}, {}   (the state it remembers now: {result:?})",
        show(second),
        show(third),
    )?;

    write_line(out, "std::iter::from_fn:", fib_from_fn(), limit)?;
    write_line(out, "std::iter::successors:", fib_successors(), limit)?;

    // Laziness, made visible: count how many numbers `take_while` actually pulled.
    let mut pulled = 0usize;
    let kept: Vec<u64> = Fib::new()
        .inspect(|_| pulled += 1)
        .take_while(|&item| item <= limit)
        .collect();
    write_line(out, "take_while (lazy):", kept.iter().copied(), limit)?;
    let dropped = pulled - kept.len();
    writeln!(
        out,
        "  take_while computed {pulled} numbers: kept {}, and {dropped} more to see where to stop",
        kept.len(),
    )?;

    // The end of the sequence: no overflow, no panic, just `None`.
    let mut all = Fib::new();
    let count = all.by_ref().count();
    let last = Fib::new().last();
    writeln!(
        out,
        "the whole sequence ends by itself after {count} numbers; the last is {} \
         (the next would not fit in a u64), and next() now gives {:?}",
        show(last),
        all.next(),
    )
}

/// Writes `label` and the items up to `limit`, Python-style (`1, 1, 2, `).
fn write_line(
    out: &mut impl Write,
    label: &str,
    items: impl Iterator<Item = u64>,
    limit: u64,
) -> io::Result<()> {
    write!(out, "{label:<24}")?;
    for item in items.take_while(|&item| item <= limit) {
        write!(out, "{item}, ")?;
    }
    writeln!(out)
}

/// `Some(n)` as `n`, `None` as `None`: how the lessons print an item that may be missing.
pub(crate) fn show(item: Option<u64>) -> String {
    item.map_or_else(|| "None".to_string(), |n| n.to_string())
}
