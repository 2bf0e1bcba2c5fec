//! The arithmetic behind the bars, kept apart from the machine so it can be tested.
//!
//! A task manager does not see "a core is busy"; it sees counters. The kernel counts, for every
//! core, how much time it has spent working and how much idling (on Linux, the `cpuN` lines of
//! `/proc/stat`). Usage is a *difference*: take two snapshots a moment apart, and
//!
//! ```text
//! usage % = 100 * (busy time between the snapshots) / (all time between the snapshots)
//! ```
//!
//! The `sysinfo` crate does exactly that step for us: every call to
//! `System::refresh_cpu_usage` reads the counters again and turns the difference since the
//! previous call into one percentage per core (busy = user + nice + system + irq + softirq +
//! steal + guest). That is why `sysinfo` insists on at least 200 ms between two refreshes: with
//! a shorter gap the counters have barely moved and the percentage is mostly noise.
//!
//! What is left for us, and what this module does, is the part of the lesson that makes a
//! claim: average each core's percentages over a whole phase, and count how many cores were
//! busy. A core counts as busy when its average is above [`BUSY_THRESHOLD`] (50%).
//! These functions take plain numbers and return plain numbers, so the tests can feed them
//! fixed samples and check the answer.

use std::time::Duration;

/// A core whose average usage over a phase is above this many percent counts as busy.
pub const BUSY_THRESHOLD: f32 = 50.0;

/// Average usage of every core over a phase.
///
/// `samples` holds one snapshot per tick, and each snapshot holds one percentage per core
/// (as `sysinfo` reports them). The result has `cores` entries; a core missing from a snapshot
/// simply does not contribute to that tick, and a core never sampled averages to 0%.
pub fn average_per_core(samples: &[Vec<f32>], cores: usize) -> Vec<f32> {
    (0..cores)
        .map(|core| {
            let values: Vec<f32> = samples
                .iter()
                .filter_map(|s| s.get(core).copied())
                .collect();
            if values.is_empty() {
                0.0
            } else {
                values.iter().sum::<f32>() / values.len() as f32
            }
        })
        .collect()
}

/// How many cores were busy: average strictly above [`BUSY_THRESHOLD`].
pub fn busy_cores(averages: &[f32]) -> usize {
    averages.iter().filter(|&&a| a > BUSY_THRESHOLD).count()
}

/// How many cores' worth of CPU time this program used: CPU time divided by wall time.
///
/// One thread spinning flat out for 5 s uses 5 s of CPU time in 5 s of wall time: 1.0 core.
/// Unlike the per-core bars, this counts only our own process, so it stays honest when other
/// programs are busy on the same machine.
pub fn cores_used(cpu_time: Duration, wall: Duration) -> f64 {
    if wall.is_zero() {
        0.0
    } else {
        cpu_time.as_secs_f64() / wall.as_secs_f64()
    }
}

/// Increments per second, the speed of the counting loop.
pub fn per_second(count: u64, wall: Duration) -> f64 {
    if wall.is_zero() {
        0.0
    } else {
        count as f64 / wall.as_secs_f64()
    }
}
