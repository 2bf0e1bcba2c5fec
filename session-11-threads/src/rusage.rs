//! What the kernel counts for this process: CPU time and peak memory, from `getrusage`.
//!
//! `cpu` divides CPU time by wall time to show how many cores a run really got; `scale` reads
//! the peak resident memory of its child processes. Both go through [`usage`], the one place
//! that calls the C function; everything else here is safe code.

use std::time::Duration;

/// `getrusage(RUSAGE_SELF)`: what this process (all its threads) has used so far.
#[cfg(unix)]
fn usage() -> Option<libc::rusage> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes one `rusage` into the pointer we pass and keeps no reference to
    // it; the buffer is zeroed, and a zeroed `rusage` is a valid value of that plain C struct,
    // so it is initialised whether or not the call succeeds.
    let (status, usage) = unsafe {
        let status = libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        (status, usage.assume_init())
    };
    (status == 0).then_some(usage)
}

/// CPU time (user + system) used so far by this whole process, all threads together.
#[cfg(unix)]
pub fn cpu_time() -> Option<Duration> {
    let usage = usage()?;
    let time = |t: libc::timeval| -> Option<Duration> {
        Some(Duration::new(
            u64::try_from(t.tv_sec).ok()?,
            u32::try_from(t.tv_usec).ok()? * 1000,
        ))
    };
    Some(time(usage.ru_utime)? + time(usage.ru_stime)?)
}

/// Peak resident memory of this process in KiB (`ru_maxrss`, the kernel's `VmHWM` on Linux).
#[cfg(unix)]
pub fn peak_rss_kib() -> Option<u64> {
    let max = u64::try_from(usage()?.ru_maxrss).ok()?;
    // Linux reports KiB; macOS and iOS report bytes.
    Some(if cfg!(target_vendor = "apple") {
        max / 1024
    } else {
        max
    })
}

/// CPU time: not measured on this OS.
#[cfg(not(unix))]
pub fn cpu_time() -> Option<Duration> {
    None
}

/// Peak resident memory: not measured on this OS.
#[cfg(not(unix))]
pub fn peak_rss_kib() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn the_kernel_counts_cpu_time_and_memory() {
        let before = cpu_time().unwrap();
        // Burn a little CPU so the count must move.
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(cpu_time().unwrap() > before);
        // A process that has run this test holds at least a megabyte.
        assert!(peak_rss_kib().unwrap() > 1024);
    }
}
