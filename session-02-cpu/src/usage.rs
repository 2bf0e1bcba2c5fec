//! The arithmetic behind the bars, kept apart from the machine so it can be tested.
//!
//! The kernel counts, for every core, time spent working and idling (on Linux, the `cpuN` lines
//! of `/proc/stat`). Usage is a difference between two snapshots:
//!
//! ```text
//! usage % = 100 * (busy time between the snapshots) / (all time between the snapshots)
//! ```
//!
//! `sysinfo` does that step on every `refresh_cpu_usage` (it wants 200 ms between two). What is
//! left, and what this module does, is the lesson's claim: average each core over a phase, and
//! count the cores above [`BUSY_THRESHOLD`] as busy.

use std::time::Duration;

/// A core whose average usage over a phase is above this many percent counts as busy.
pub const BUSY_THRESHOLD: f32 = 50.0;

/// Average usage of every core over a phase, from one snapshot (a percentage per core) per
/// tick. A core missing from a snapshot does not count for it; one never sampled averages 0%.
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

/// How many cores' worth of CPU time this program used: CPU time divided by wall time. Unlike
/// the bars, it counts only this process, so it stays honest on a busy machine.
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
