//! The two versions against their bounds, and the course's lines, checked through the library.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use session_07_scraper::{Log, Plan, Task, Version, async_version, sync_version};

/// A writer the test can read back after the log has written to it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn log(&self) -> Log {
        Log::new(self.clone())
    }

    /// What was written, with the colour codes stripped as they are for a pipe.
    fn text(&self) -> String {
        let raw = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        anstream::adapter::strip_str(&raw).to_string()
    }
}

/// Runs the async version on tokio's paused clock: every sleep takes exactly its virtual time.
fn run_async_paused(plan: &Plan, log: &Log) -> Duration {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async_version::main(plan, log)).unwrap()
}

#[test]
fn async_finishes_exactly_at_its_critical_path() {
    for seed in [1, 2, 3, 42, 2024] {
        let plan = Plan::draw(20, seed, 1.0);
        let log = Log::new(io::sink());
        let total = run_async_paused(&plan, &log);
        assert_eq!(total, plan.async_bound(), "seed {seed}");
        assert!(
            total < plan.sync_bound(),
            "seed {seed}: async must beat sync"
        );
    }
}

#[test]
fn async_prints_the_course_lines_in_schedule_order() {
    // Items are put on the queue at 0, 100 and 200 ms; each takes 400 ms to process, so
    // item 2 waits 0.30 s and item 3 waits 0.60 s; the consumer ends at 1.20 s.
    let plan = Plan::from_millis(&[100, 100, 100], 400);
    let out = Captured::default();
    let total = run_async_paused(&plan, &out.log());
    assert_eq!(total, Duration::from_millis(1200));
    assert_eq!(
        out.text(),
        "App started.\n\
         ---- Generated item 1\n\
         +++ Processed value 1 after 0.00 sec.\n\
         ---- Generated item 2\n\
         ---- Generated item 3\n\
         +++ Processed value 4 after 0.30 sec.\n\
         +++ Processed value 9 after 0.60 sec.\n\
         App finished, total time: 1.20 sec.\n"
    );
}

#[test]
fn async_records_overlapping_busy_spans() {
    let plan = Plan::from_millis(&[500, 500], 400);
    let log = Log::new(io::sink());
    run_async_paused(&plan, &log);
    let ms = Duration::from_millis;
    let busy = |task| -> Vec<(Duration, Duration)> {
        log.spans()
            .iter()
            .filter(|s| s.task == task)
            .map(|s| (s.start, s.end))
            .collect()
    };
    assert_eq!(busy(Task::Scrape), [(ms(0), ms(500)), (ms(500), ms(1000))]);
    // The consumer processes item 1 while item 2 is being scraped: the overlap of the lesson.
    assert_eq!(busy(Task::Process), [(ms(0), ms(400)), (ms(500), ms(900))]);
}

/// With real sleeps the total can only exceed the bound, by the cost of waking up.
fn assert_near_bound(total: Duration, bound: Duration) {
    assert!(
        total >= bound,
        "{total:?} finished before its bound {bound:?}"
    );
    let slack = bound / 5 + Duration::from_millis(50);
    assert!(
        total <= bound + slack,
        "{total:?} is far above its bound {bound:?}"
    );
}

#[test]
fn sync_takes_the_sum_of_every_delay() {
    let plan = Plan::draw(20, 7, 20.0);
    let expected: Duration = plan.scrape.iter().sum::<Duration>() + plan.process * 20;
    assert_eq!(plan.sync_bound(), expected);

    let log = Log::new(io::sink());
    let total = sync_version::main(&plan, &log);
    assert_near_bound(total, expected);
    // Nothing overlaps: every processing span starts after the last scraping span ended.
    let spans = log.spans();
    let last_scrape = spans
        .iter()
        .filter(|s| s.task == Task::Scrape)
        .map(|s| s.end)
        .max();
    let first_process = spans
        .iter()
        .filter(|s| s.task == Task::Process)
        .map(|s| s.start)
        .min();
    assert!(last_scrape.unwrap() <= first_process.unwrap());
}

#[test]
fn blocking_sleeps_make_async_as_slow_as_sync() {
    let plan = Plan::draw(10, 11, 20.0);
    let run =
        session_07_scraper::run(Version::AsyncBlocking, &plan, &Log::new(io::sink())).unwrap();
    assert_eq!(run.bound, plan.sync_bound());
    assert_near_bound(run.total, plan.sync_bound());
    // And it is well above what the async version needs with the same delays.
    assert!(run.total > plan.async_bound() + plan.process * 5);
}

#[test]
fn sync_prints_every_item_then_processes_it_in_order() {
    let plan = Plan::draw(3, 5, 100.0);
    let out = Captured::default();
    sync_version::main(&plan, &out.log());
    let text = out.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8, "{text}");
    assert_eq!(lines[0], "App started.");
    assert_eq!(
        &lines[1..4],
        [
            "---- Generated item 1",
            "---- Generated item 2",
            "---- Generated item 3"
        ]
    );
    for (line, value) in lines[4..7].iter().zip([1, 4, 9]) {
        let secs = line
            .strip_prefix(&format!("+++ Processed value {value} after "))
            .and_then(|rest| rest.strip_suffix(" sec."))
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        assert_eq!(
            secs.split_once('.').unwrap().1.len(),
            2,
            "two decimals: {line}"
        );
        secs.parse::<f64>().unwrap();
    }
    assert!(lines[7].starts_with("App finished, total time: ") && lines[7].ends_with(" sec."));
}
