//! CPU-bound work on threads: no GIL, so N threads use N cores.
//!
//! The course's `do_math` computes `sqrt((position - 1_000_000) ** 2)` for 50,000,000 positions
//! (`examples/compute_example.rs` ports it). With Python threads that took about 8 s however many
//! threads were started, because the GIL lets only one thread run Python bytecode at a time; a
//! `multiprocessing.Pool` with one `apply_async` per core brought it to about 1.5 s, at the cost
//! of separate processes. Rust threads run truly in parallel, so threads are enough.
//!
//! The lab's work is ours, not the course's: the sum of `sqrt(k)` for `k` in `1..=N`, the same
//! cost per number (one square root) with a result worth checking. `lab/bench_cpu.py` runs the
//! course's two Python versions next to it.
//!
//! Floating-point addition is not associative, so the work is cut into fixed chunks of
//! [`CHUNK`] numbers that do not depend on the thread count: each chunk is summed left to right
//! and the chunk sums are added in chunk order. Threads only decide *who* computes a chunk, so
//! every thread count gives the bit-for-bit same sum, and the tests compare with `==`.

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
    (lo..=hi).map(|k| (k as f64).sqrt()).sum()
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

/// CPU time (user + system) used so far by this whole process, all threads together, from
/// `getrusage(RUSAGE_SELF)`.
#[cfg(unix)]
fn cpu_time() -> Option<std::time::Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes one `rusage` into the pointer and keeps no reference to it; a
    // zeroed `rusage` is a valid value of that plain C struct, so it is initialised either way.
    let (status, usage) = unsafe {
        let status = libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        (status, usage.assume_init())
    };
    let time = |t: libc::timeval| {
        std::time::Duration::from_secs(t.tv_sec.try_into().ok()?)
            .checked_add(std::time::Duration::from_micros(t.tv_usec.try_into().ok()?))
    };
    (status == 0).then(|| Some(time(usage.ru_utime)? + time(usage.ru_stime)?))?
}

/// CPU time: not measured on this OS.
#[cfg(not(unix))]
fn cpu_time() -> Option<std::time::Duration> {
    None
}

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Threads used.
    pub threads: usize,
    /// Median wall time over the repeats.
    pub seconds: f64,
    /// The sum (bit-for-bit the same for every thread count).
    pub sum: f64,
    /// Median of CPU time / wall time: how many cores the run got (a busy machine shows here).
    pub cores_used: Option<f64>,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// Time `sum_sqrt(n, t)` for each `t` in `thread_counts`, `repeat` times each, interleaved
/// (1, 2, 1, 2, ...) so a burst of load on a shared machine hits every thread count alike.
/// Returns the median time per thread count.
pub fn measure(n: u64, thread_counts: &[usize], repeat: u32) -> Result<Vec<Run>> {
    let mut runs: Vec<(Vec<f64>, Vec<f64>, f64)> = vec![Default::default(); thread_counts.len()];
    for _ in 0..repeat.max(1) {
        for (&threads, (times, cores, sum)) in thread_counts.iter().zip(&mut runs) {
            let (cpu_before, start) = (cpu_time(), Instant::now());
            *sum = sum_sqrt(n, threads)?;
            let wall = start.elapsed().as_secs_f64();
            times.push(wall);
            if let (Some(before), Some(after)) = (cpu_before, cpu_time()) {
                cores.push(after.saturating_sub(before).as_secs_f64() / wall.max(1e-9));
            }
        }
    }
    let runs = thread_counts.iter().zip(runs);
    let run = |(&threads, (times, cores, sum))| Run {
        threads,
        seconds: median(times).unwrap_or(0.0),
        sum,
        cores_used: median(cores),
    };
    Ok(runs.map(run).collect())
}

/// The JSON form, one object: `n`, `repeat`, `debug_build`, and `runs` as in [`Run`].
pub fn to_json(n: u64, repeat: u32, runs: &[Run]) -> serde_json::Value {
    serde_json::json!({
        "n": n,
        "repeat": repeat,
        "debug_build": cfg!(debug_assertions),
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
    use crate::show::{BAD, GOOD};
    use crate::{note, paint, say, thousands};
    crate::show::warn_if_debug_build()?;
    let n_text = thousands(n);
    say(format!(
        "sum of sqrt(k) for k = 1..={n_text}, median of {repeat} run(s) per thread count"
    ))?;
    let runs = measure(n, thread_counts, repeat)?;
    for run in &runs {
        let cores = run
            .cores_used
            .map_or_else(String::new, |c| format!(" ({c:.2} cores busy)"));
        let (threads, seconds, sum) = (run.threads, run.seconds, run.sum);
        say(format!(
            "  {threads:>2} thread(s): {seconds:>8.3} s{cores}   sum = {sum}"
        ))?;
    }
    if let [first, .., last] = runs.as_slice() {
        if runs.iter().all(|r| r.sum == first.sum) {
            say(paint(
                GOOD,
                "  every thread count gave the bit-for-bit same sum",
            ))?;
        }
        let speed_up = first.seconds / last.seconds;
        say(paint(
            GOOD,
            format!("  speed-up with {} threads: {speed_up:.2}x", last.threads),
        ))?;
        if let Some(got) = last.cores_used.filter(|&c| c < 0.85 * last.threads as f64) {
            say(paint(
                BAD,
                format!(
                    "  the machine is busy: {} threads got only {got:.2} cores, so the speed-up \
                     shows the machine's limit, not the program's; re-run on a quiet machine",
                    last.threads
                ),
            ))?;
        }
    }
    note(
        "The course's do_math (a different sum, the same cost per number): about 8 s with \
         Python threads (the GIL lets one run at a time), about 1.5 s with multiprocessing.Pool; \
         lab/bench_cpu.py measures both here.",
    )?;
    Ok(())
}
