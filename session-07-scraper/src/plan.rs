//! The random delays of one run, and the fastest each version could possibly finish.
//!
//! The examples draw `fastrand::f64() + 0.2` seconds per scraped item (the course's
//! `random() + 0.2`) and sleep 0.4 s per processed item. [`Plan::draw`] makes the same draws
//! from a seed, the seed [`run`](crate::run) gives the examples' code, so both versions get the
//! *same* delays and their totals can be compared honestly: the course's 24 s vs 13 s came from
//! two different draws.
//!
//! Knowing the delays also gives the best time each version can reach. A measured total means
//! something only next to that bound: "13.02 s where 13.00 s is the best possible" says the
//! runtime added almost nothing.

use std::time::Duration;

/// The shortest scrape: the `+ 0.2` in `random() + 0.2`.
pub const SCRAPE_MIN: Duration = Duration::from_millis(200);
/// The longest scrape, never reached: `random()` is below 1.
pub const SCRAPE_MAX: Duration = Duration::from_millis(1200);
/// The processing time per item: `asyncio.sleep(.4)`.
pub const PROCESS: Duration = Duration::from_millis(400);

/// Every delay of one run, already divided by `--speed`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The seed of the thread's `fastrand` generator while the examples' code draws.
    pub seed: u64,
    /// What every delay is divided by.
    pub speed: f64,
    /// `scrape[i]` is how long scraping item `i + 1` takes.
    pub scrape: Vec<Duration>,
    /// How long processing one item takes.
    pub process: Duration,
}

impl Plan {
    /// The delays the examples' `scrap_data` draws for `items` items after `fastrand::seed(seed)`.
    pub fn draw(items: usize, seed: u64, speed: f64) -> Plan {
        let mut rng = fastrand::Rng::with_seed(seed);
        let scrape = (0..items)
            .map(|_| Duration::from_secs_f64(rng.f64() + 0.2).div_f64(speed))
            .collect();
        Plan {
            seed,
            speed,
            scrape,
            process: PROCESS.div_f64(speed),
        }
    }

    /// Number of items the producer makes.
    pub fn items(&self) -> usize {
        self.scrape.len()
    }

    /// The best the sync version can do: nothing overlaps, so it is the sum of every delay.
    pub fn sync_bound(&self) -> Duration {
        let scraping: Duration = self.scrape.iter().sum();
        scraping + self.process * self.items() as u32
    }

    /// The best the async version can do: the critical path of the producer/consumer schedule.
    ///
    /// Item `i` is put on the queue once items `1..i` have been scraped. The consumer starts on it
    /// when it is both on the queue and done with the previous item, and needs `process` for it.
    /// The run ends when the producer has slept after its last item *and* the consumer is done.
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

/// The longest `items` items can take in `version` at speed 1, whatever the draw: every scrape
/// at [`SCRAPE_MAX`]. Sync adds every delay; async's critical path is at most the producer's
/// scraping plus the last item's processing (processing is shorter than the longest scrape).
pub fn worst_case(version: crate::Version, items: u32) -> Duration {
    match version {
        crate::Version::Sync | crate::Version::AsyncBlocking => (SCRAPE_MAX + PROCESS) * items,
        crate::Version::Async => SCRAPE_MAX * items + PROCESS,
    }
}

/// The best possible speed-up of async over sync (sync bound / async bound) for the draws of
/// seeds `0..seeds`, sorted from lowest to highest. Nothing sleeps: this only computes bounds.
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
