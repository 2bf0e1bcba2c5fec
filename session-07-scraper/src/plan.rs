//! The random delays of one run, and the fastest each version could possibly finish.
//!
//! The course draws `random() + 0.2` seconds per scraped item and sleeps 0.4 s per processed item.
//! Both versions of the scraper here get the *same* draws, so their totals can be compared
//! honestly: the course's 24 s vs 13 s came from two different sets of random delays.
//!
//! Knowing the delays also tells us the best time each version can reach. A measured total is
//! only meaningful next to that bound: "13 s" says little, "13.02 s where 13.00 s is the best
//! possible" says the runtime added almost nothing.

use std::time::Duration;

/// The fixed processing time per item in the course: `time.sleep(0.4)`.
pub const PROCESS_MS: u64 = 400;
/// The shortest scraping time per item: the `+ 0.2` in `random() + 0.2`.
pub const SCRAPE_MIN_MS: u64 = 200;
/// The spread of the scraping time: Python's `random()` is uniform in [0, 1) second.
pub const SCRAPE_SPREAD_MS: u64 = 1000;

/// Every delay of one run, already divided by `--speed`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// `scrape[i]` is how long scraping item `i + 1` takes.
    pub scrape: Vec<Duration>,
    /// How long processing one item takes.
    pub process: Duration,
}

impl Plan {
    /// Draws `items` scraping delays from `seed`, like the course's `random() + 0.2`.
    ///
    /// Delays are whole milliseconds (200..=1199 ms) before the division by `speed`, so a run
    /// under tokio's paused clock, which counts in milliseconds, lands exactly on the bound.
    ///
    /// ```
    /// use session_07_scraper::Plan;
    /// let plan = Plan::draw(20, 7, 1.0);
    /// assert_eq!(plan.scrape.len(), 20);
    /// assert!(plan.scrape.iter().all(|d| d.as_millis() >= 200 && d.as_millis() < 1200));
    /// assert_eq!(plan, Plan::draw(20, 7, 1.0)); // the same seed gives the same run
    /// ```
    pub fn draw(items: usize, seed: u64, speed: f64) -> Plan {
        let mut rng = fastrand::Rng::with_seed(seed);
        let scrape = (0..items)
            .map(|_| SCRAPE_MIN_MS + rng.u64(0..SCRAPE_SPREAD_MS))
            .map(|ms| scaled(ms, speed))
            .collect();
        Plan {
            scrape,
            process: scaled(PROCESS_MS, speed),
        }
    }

    /// Builds a plan from given delays in milliseconds (for tests and experiments).
    pub fn from_millis(scrape_ms: &[u64], process_ms: u64) -> Plan {
        Plan {
            scrape: scrape_ms
                .iter()
                .map(|&ms| Duration::from_millis(ms))
                .collect(),
            process: Duration::from_millis(process_ms),
        }
    }

    /// Number of items the producer makes.
    pub fn items(&self) -> usize {
        self.scrape.len()
    }

    /// The best the sync version can do: nothing overlaps, so it is the sum of every delay.
    ///
    /// ```
    /// use session_07_scraper::Plan;
    /// use std::time::Duration;
    /// let plan = Plan::from_millis(&[500, 300], 400);
    /// assert_eq!(plan.sync_bound(), Duration::from_millis(500 + 300 + 400 + 400));
    /// ```
    pub fn sync_bound(&self) -> Duration {
        let scraping: Duration = self.scrape.iter().sum();
        scraping + self.process * self.items() as u32
    }

    /// The best the async version can do: the critical path of the producer/consumer schedule.
    ///
    /// Item `i` is put on the queue once items `1..i` have been scraped. The consumer starts on it
    /// when it is both on the queue and done with the previous item, and needs `process` for it.
    /// The run ends when the producer has slept after its last item *and* the consumer is done.
    ///
    /// ```
    /// use session_07_scraper::Plan;
    /// use std::time::Duration;
    /// // Slow scraping: the consumer keeps up, the producer decides the end (1000 + 1000 ms).
    /// assert_eq!(Plan::from_millis(&[1000, 1000], 400).async_bound(), Duration::from_millis(2000));
    /// // Fast scraping: items queue up and the consumer decides the end (0 + 3 x 400 ms).
    /// assert_eq!(Plan::from_millis(&[100, 100, 100], 400).async_bound(), Duration::from_millis(1200));
    /// ```
    pub fn async_bound(&self) -> Duration {
        // ANCHOR: async_bound
        let mut queued = Duration::ZERO; // when the current item is put on the queue
        let mut consumer_free = Duration::ZERO; // when the consumer finished the previous item
        for scrape in &self.scrape {
            consumer_free = queued.max(consumer_free) + self.process;
            queued += *scrape;
        }
        // `queued` is now the producer's end: it sleeps after its last item too.
        queued.max(consumer_free)
        // ANCHOR_END: async_bound
    }
}

/// The best possible speed-up of async over sync (sync bound / async bound) for the draws of
/// seeds `0..seeds`, sorted from lowest to highest. Nothing sleeps: this only computes bounds.
///
/// ```
/// let gains = session_07_scraper::plan::best_speedups(20, 100);
/// assert_eq!(gains.len(), 100);
/// assert!(gains.iter().all(|&g| (1.0..=2.0).contains(&g)));
/// assert!(gains.windows(2).all(|w| w[0] <= w[1]));
/// ```
pub fn best_speedups(items: usize, seeds: u64) -> Vec<f64> {
    let mut gains: Vec<f64> = (0..seeds)
        .map(|seed| {
            let plan = Plan::draw(items, seed, 1.0);
            plan.sync_bound().as_secs_f64() / plan.async_bound().as_secs_f64()
        })
        .collect();
    gains.sort_by(f64::total_cmp);
    gains
}

/// `ms` milliseconds divided by `speed`, rounded to the nanosecond (exact when `speed` is 1).
fn scaled(ms: u64, speed: f64) -> Duration {
    Duration::from_nanos((ms as f64 * 1_000_000.0 / speed).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_divides_every_delay() {
        let slow = Plan::draw(5, 3, 1.0);
        let fast = Plan::draw(5, 3, 4.0);
        for (s, f) in slow.scrape.iter().zip(&fast.scrape) {
            assert_eq!(*s, *f * 4);
        }
        assert_eq!(fast.process, Duration::from_millis(100));
    }

    #[test]
    fn the_course_delays_allow_about_one_and_a_half_times() {
        // 20 items, 0.2-1.2 s of scraping and 0.4 s of processing each: S is about 14 s and
        // P is 8 s, so the best speed-up (S + P) / max(S, P) is about 22 / 14 = 1.57.
        let gains = best_speedups(20, 10_000);
        let median = gains[gains.len() / 2];
        assert!((1.5..1.65).contains(&median), "median {median}");
        assert!(gains[0] >= 1.0 && gains[gains.len() - 1] <= 2.0);
    }

    #[test]
    fn async_bound_waits_for_a_backlog() {
        // Items at 0, 100, 200 ms; consumer busy 0-400, 400-800, 800-1200; producer ends at 300.
        let plan = Plan::from_millis(&[100, 100, 100], 400);
        assert_eq!(plan.async_bound(), Duration::from_millis(1200));
        // A long gap mid-way: item 3 only arrives at 2100 ms, then 400 ms of work; the producer
        // itself sleeps until 2200 ms.
        let plan = Plan::from_millis(&[100, 2000, 100], 400);
        assert_eq!(plan.async_bound(), Duration::from_millis(2500));
    }

    #[test]
    fn overlap_gains_at_most_twice() {
        // Scraping and processing take equally long: the best case for overlapping them, 2x.
        let plan = Plan::from_millis(&[400; 20], 400);
        assert_eq!(plan.sync_bound(), Duration::from_millis(16_000));
        assert_eq!(plan.async_bound(), Duration::from_millis(8_000));
        // In general async >= max(scraping, processing) and sync = scraping + processing,
        // so no draw can make the async version more than twice as fast.
        for seed in 0..500 {
            let plan = Plan::draw(20, seed, 1.0);
            assert!(plan.async_bound() * 2 >= plan.sync_bound(), "seed {seed}");
            assert!(plan.async_bound() < plan.sync_bound(), "seed {seed}");
        }
    }
}
