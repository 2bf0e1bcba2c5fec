//! Parts 1 and 2: the course's `fib()` generator as a Rust [`Iterator`].
//!
//! The generator keeps two locals, `current` and `nxt`, alive between calls: each `next()` runs
//! its `while True:` loop once, up to `yield`. Stable Rust has no `yield`, so the locals become
//! the fields of a struct, and "run until the next `yield`" becomes [`Iterator::next`].
//!
//! Python's integers never overflow; a `u64` does. [`u64::checked_add`] ends the sequence
//! instead of panicking (debug) or wrapping (release). Because `nxt` runs one number ahead,
//! the sequence ends after [`FIB_COUNT`] numbers, at [`LAST_FIB`]: the next Fibonacci number
//! still fits in a `u64`, but the one after it, which `nxt` would have to hold, does not.

use std::io::{self, Write};

/// How many numbers [`Fib`] yields: 92.
pub const FIB_COUNT: usize = 92;

/// The last number [`Fib`] yields: the 92nd Fibonacci number.
pub const LAST_FIB: u64 = 7_540_113_804_746_346_429;

/// The `fib()` generator as a struct: its fields are what the generator remembers between two
/// `yield`s, in plain sight.
///
/// ```
/// use session_05_generators::Fib;
/// // result = fib(); print(next(result))
/// assert_eq!(Fib::new().next(), Some(1));
/// // Lazy, as in Python: only the numbers asked for are computed.
/// assert_eq!(Fib::new().take(7).collect::<Vec<_>>(), [1, 1, 2, 3, 5, 8, 13]);
/// ```
// Python generator function `def fib(): ... yield` -> a struct + `impl Iterator`.
#[derive(Debug, Clone)]
pub struct Fib {
    current: u64,
    nxt: u64,
}

impl Fib {
    /// A fresh generator, like calling `fib()`: nothing is computed yet.
    pub fn new() -> Self {
        Fib { current: 0, nxt: 1 }
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

    /// One trip round the generator's `while True:` loop, up to its `yield`.
    fn next(&mut self) -> Option<u64> {
        // current, nxt = nxt, current + nxt   (`?`: `None` once the sum would overflow)
        let sum = self.current.checked_add(self.nxt)?;
        (self.current, self.nxt) = (self.nxt, sum);
        // yield current
        Some(self.current)
    }
}
// ANCHOR_END: next

/// Part 1, the course's loop: `for item in fib(): if item > limit: break; print(item, end=", ")`,
/// then a newline (Python leaves the cursor after the last `", "`).
pub fn for_loop(out: &mut impl Write, limit: u64) -> io::Result<()> {
    for item in Fib::new() {
        if item > limit {
            break;
        }
        write!(out, "{item}, ")?;
    }
    writeln!(out)
}

/// Part 2: the generator driven by hand with `next()`, its remembered state, its laziness and
/// its end. The first line is the course's `print(next(result))`: `1`.
pub fn by_hand(out: &mut impl Write, limit: u64) -> io::Result<()> {
    let mut result = Fib::new();
    writeln!(out, "{}", show(result.next()))?;
    let (second, third) = (result.next(), result.next());
    writeln!(
        out,
        "next() twice more: {}, {}; the state it remembers now: {result:?}",
        show(second),
        show(third),
    )?;

    // Laziness, made visible: count how many numbers `take_while` pulled.
    let mut pulled = 0;
    let kept = Fib::new()
        .inspect(|_| pulled += 1)
        .take_while(|&item| item <= limit)
        .count();
    writeln!(
        out,
        "take_while(item <= {limit}) computed {pulled} numbers: kept {kept}, and {} more to see \
         where to stop",
        pulled - kept,
    )?;

    let mut all = Fib::new();
    let count = all.by_ref().count();
    writeln!(
        out,
        "the sequence ends by itself after {count} numbers, at {}; next() now gives {:?}",
        show(Fib::new().last()),
        all.next(),
    )
}

/// `Some(n)` as `n`, `None` as `None`.
pub(crate) fn show(item: Option<u64>) -> String {
    item.map_or_else(|| "None".to_string(), |n| n.to_string())
}
