//! CPU-bound work on threads: no GIL, so N threads use N cores.
//!
//! The course's `do_math` computes `sqrt((position - 1_000_000) ** 2)` for 50,000,000 positions
//! (`examples/compute_example.rs` ports it). With Python threads that took about 8 s however many
//! threads were started, because the GIL lets only one thread run Python bytecode at a time; a
//! `multiprocessing.Pool` with one `apply_async` per core brought it to about 1.5 s, at the cost
//! of separate processes. Rust threads run truly in parallel, so threads are enough.
//!
//! The lab's work is ours, not the course's: the sum of `sqrt(k)` for `k` in `1..=N`, the same
//! cost per number (one square root) with a result worth checking. `python/bench_cpu.py` runs the
//! course's two Python versions next to it.
//!
//! ## Making "the parallel sum equals the serial sum" honest
//!
//! Floating-point addition is not associative: `(a + b) + c` and `a + (b + c)` can differ in
//! the last bit. If each thread summed "its share" and the shares depended on the number of
//! threads, the 1-thread and 2-thread results could differ slightly, and a test would need a
//! tolerance. Instead the work is cut into fixed chunks of [`CHUNK`] numbers that do not depend
//! on the thread count: each chunk is summed left to right, and the chunk sums are added in
//! chunk order at the end. Threads only decide *who* computes a chunk, never the order of any
//! addition, so every thread count gives the **bit-for-bit same** sum, and the tests compare
//! with `==`. (A single plain loop over 1..=N adds in a different order and may differ in the
//! last digits; [`closed_form`] checks the value itself to about 12 significant digits.)

use std::thread;
use std::time::Instant;

use anyhow::{Result, anyhow};

/// The course's N.
pub const COURSE_N: u64 = 50_000_000;

/// Numbers per chunk. 65,536 square roots take tens of microseconds: large enough that handing
/// out chunks costs nothing, small enough that the last chunk cannot unbalance the threads.
pub const CHUNK: u64 = 1 << 16;

/// The square roots of `lo..=hi`, summed left to right.
pub fn chunk_sum(lo: u64, hi: u64) -> f64 {
    let mut sum = 0.0;
    for k in lo..=hi {
        sum += (k as f64).sqrt();
    }
    sum
}

/// The sum of `sqrt(k)` for `k` in `1..=n`, computed on `threads` threads (at least one).
///
/// The chunk sums go into a `Vec<f64>`; `chunks_mut` hands each scoped thread its own
/// contiguous slice of it, so threads write without any lock and without `Arc`.
pub fn sum_sqrt(n: u64, threads: usize) -> Result<f64> {
    let chunks = usize::try_from(n.div_ceil(CHUNK))?;
    let mut sums = vec![0.0_f64; chunks];
    let per_thread = chunks.div_ceil(threads.max(1)).max(1);
    // Pool().apply_async(...) per core -> scoped threads, one contiguous run of chunks each.
    thread::scope(|s| {
        let handles: Vec<_> = sums
            .chunks_mut(per_thread)
            .enumerate()
            .map(|(t, slots)| {
                s.spawn(move || {
                    for (i, slot) in slots.iter_mut().enumerate() {
                        let c = (t * per_thread + i) as u64;
                        *slot = chunk_sum(c * CHUNK + 1, ((c + 1) * CHUNK).min(n));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().map_err(|_| anyhow!("a summing thread panicked")))
    })?;
    // Chunk order, whatever the thread count: this is what makes the sums identical.
    Ok(sums.iter().sum())
}

/// An independent check of the value: the Euler-Maclaurin formula
/// `sum sqrt(k), k = 1..=n  ~  2/3 n^1.5 + 1/2 n^0.5 + zeta(-1/2) + 1/24 n^-0.5`,
/// whose next term is below `n^-2.5 / 1000`.
pub fn closed_form(n: u64) -> f64 {
    const ZETA_MINUS_HALF: f64 = -0.207_886_224_977_354_57;
    let n = n as f64;
    2.0 / 3.0 * n.powf(1.5) + 0.5 * n.sqrt() + ZETA_MINUS_HALF + 1.0 / (24.0 * n.sqrt())
}

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Threads used.
    pub threads: usize,
    /// Median wall time over the repeats.
    pub seconds: f64,
    /// The sum (identical for every repeat and every thread count).
    pub sum: f64,
    /// Median of (CPU time used by the process) / (wall time): how many cores the run actually
    /// got. On a busy machine this shows whether a poor speed-up is the program's fault or the
    /// machine's. `None` where the OS does not report CPU time.
    pub cores_used: Option<f64>,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// Time `sum_sqrt(n, t)` for each `t` in `thread_counts`, `repeat` times each, interleaved
/// (1, 2, 1, 2, ...) so a burst of load on a shared machine hits every thread count alike.
/// Returns the median time per thread count. Fails if two runs disagree on the sum.
pub fn measure(n: u64, thread_counts: &[usize], repeat: u32) -> Result<Vec<Run>> {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); thread_counts.len()];
    let mut cores: Vec<Vec<f64>> = vec![Vec::new(); thread_counts.len()];
    let mut sums: Vec<Option<f64>> = vec![None; thread_counts.len()];
    for _ in 0..repeat.max(1) {
        for (i, &threads) in thread_counts.iter().enumerate() {
            let cpu_before = crate::rusage::cpu_time();
            let start = Instant::now();
            let sum = sum_sqrt(n, threads)?;
            let wall = start.elapsed().as_secs_f64();
            times[i].push(wall);
            if let (Some(before), Some(after)) = (cpu_before, crate::rusage::cpu_time())
                && wall > 0.0
            {
                cores[i].push((after.saturating_sub(before)).as_secs_f64() / wall);
            }
            if let Some(previous) = sums[i]
                && previous != sum
            {
                return Err(anyhow!("two runs on {threads} threads gave different sums"));
            }
            sums[i] = Some(sum);
        }
    }
    Ok(thread_counts
        .iter()
        .zip(times)
        .zip(cores)
        .zip(sums)
        .map(|(((&threads, t), c), sum)| Run {
            threads,
            seconds: median(t).unwrap_or(0.0),
            sum: sum.unwrap_or(0.0),
            cores_used: median(c),
        })
        .collect())
}

/// The JSON form:
/// `{"n":..,"repeat":..,"debug_build":..,"runs":[{"threads":..,"seconds":..,"sum":..,"cores_used":..}]}`.
pub fn to_json(n: u64, repeat: u32, runs: &[Run]) -> serde_json::Value {
    serde_json::json!({
        "n": n,
        "repeat": repeat,
        "debug_build": crate::DEBUG_BUILD,
        "runs": runs.iter().map(|r| serde_json::json!({
            "threads": r.threads,
            "seconds": r.seconds,
            "sum": r.sum,
            "cores_used": r.cores_used,
        })).collect::<Vec<_>>(),
    })
}

/// The lesson: print each run, whether the sums agree, and the speed-up.
pub fn lesson(n: u64, thread_counts: &[usize], repeat: u32) -> Result<()> {
    use crate::{BAD, GOOD, note, paint, say, thousands};
    if crate::DEBUG_BUILD {
        say(paint(
            BAD,
            "debug build: these timings are not representative; use `cargo run --release`",
        ));
    }
    say(format!(
        "sum of sqrt(k) for k = 1..={}, median of {repeat} run(s) per thread count",
        thousands(n)
    ));
    let runs = measure(n, thread_counts, repeat)?;
    for run in &runs {
        let cores = run
            .cores_used
            .map_or_else(String::new, |c| format!(" ({c:.2} cores busy)"));
        say(format!(
            "  {:>2} thread(s): {:>8.3} s{cores}   sum = {}",
            run.threads, run.seconds, run.sum
        ));
    }
    if let (Some(first), Some(last)) = (runs.first(), runs.last())
        && runs.len() > 1
    {
        let same = runs.iter().all(|r| r.sum == first.sum);
        say(if same {
            paint(GOOD, "  every thread count gave the bit-for-bit same sum")
        } else {
            paint(BAD, "  the sums differ!")
        });
        say(paint(
            GOOD,
            format!(
                "  speed-up with {} threads: {:.2}x",
                last.threads,
                first.seconds / last.seconds
            ),
        ));
        if let Some(got) = last.cores_used
            && got < 0.85 * last.threads as f64
        {
            say(paint(
                BAD,
                format!(
                    "  the machine is busy: {} threads got only {got:.2} cores, so the speed-up \
                     shows the machine's limit, not the program's; re-run on a quiet machine",
                    last.threads
                ),
            ));
        }
    }
    note(
        "The course's do_math (a different sum, the same cost per number): about 8 s with Python threads \
         (the GIL lets one run at a time), about 1.5 s with multiprocessing.Pool; \
         python/bench_cpu.py measures both here.",
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sums_are_exact() {
        assert_eq!(sum_sqrt(0, 4).unwrap(), 0.0);
        assert_eq!(sum_sqrt(1, 1).unwrap(), 1.0);
        assert_eq!(
            sum_sqrt(4, 3).unwrap(),
            1.0 + 2f64.sqrt() + 3f64.sqrt() + 2.0
        );
    }

    #[test]
    fn every_thread_count_gives_the_same_bits() {
        // Not a multiple of CHUNK, and more threads than some runs have chunks.
        let n = 5 * CHUNK + 12_345;
        let serial = sum_sqrt(n, 1).unwrap();
        for threads in [2, 3, 4, 6, 7, 16] {
            assert_eq!(
                sum_sqrt(n, threads).unwrap().to_bits(),
                serial.to_bits(),
                "{threads} threads"
            );
        }
    }

    #[test]
    fn the_sum_matches_the_closed_form() {
        for n in [1_000, 1_000_000, 3_000_001] {
            let sum = sum_sqrt(n, 2).unwrap();
            let expected = closed_form(n);
            assert!(
                ((sum - expected) / expected).abs() < 1e-12,
                "n={n}: {sum} vs {expected}"
            );
        }
    }

    #[test]
    fn measure_reports_one_median_per_thread_count() {
        let runs = measure(100_000, &[1, 2], 3).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].threads, 1);
        assert_eq!(runs[1].threads, 2);
        assert_eq!(runs[0].sum, runs[1].sum);
        assert!(runs.iter().all(|r| r.seconds > 0.0));
    }
}
