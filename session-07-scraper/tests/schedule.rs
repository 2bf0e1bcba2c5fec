//! The two versions against their bounds, the course's lines, and the report, through the library.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use session_07_scraper::lab::Session;
use session_07_scraper::plan::{PROCESS, SCRAPE_MAX, SCRAPE_MIN, best_speedups, worst_case};
use session_07_scraper::report::{self, shade, timeline_row};
use session_07_scraper::{Plan, Run, Span, Task, Version, async_version};

/// A writer the test can read back after the run has written to it.
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
    /// What was written, with the colour codes stripped as they are for a pipe.
    fn text(&self) -> String {
        let raw = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        anstream::adapter::strip_str(&raw).to_string()
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A plan with hand-made delays, for the bounds (not for running: a run draws from the seed).
fn plan(scrape_ms: &[u64], process_ms: u64) -> Plan {
    Plan {
        seed: 0,
        speed: 1.0,
        scrape: scrape_ms.iter().map(|&n| ms(n)).collect(),
        process: ms(process_ms),
    }
}

/// Runs the async version on tokio's paused clock: every sleep takes its virtual time, rounded
/// up to tokio's 1 ms tick.
fn run_async_paused(plan: &Plan, out: Captured) -> (Duration, Vec<Span>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let _clock = runtime.enter();
    let session = Session::start(plan, out, false);
    runtime
        .block_on(async_version::main(plan.items() as u64))
        .unwrap();
    session.finish().unwrap()
}

fn durations(spans: &[Span], task: Task) -> Vec<Duration> {
    spans
        .iter()
        .filter(|s| s.task == task)
        .map(|s| s.end - s.start)
        .collect()
}

#[test]
fn the_examples_code_draws_the_plans_delays() {
    let plan = Plan::draw(20, 42, 1.0);
    let (_, spans) = run_async_paused(&plan, Captured::default());
    let scrapes = durations(&spans, Task::Scrape);
    assert_eq!(scrapes.len(), 20);
    for (slept, drawn) in scrapes.iter().zip(&plan.scrape) {
        assert!(
            *slept >= *drawn && *slept <= *drawn + ms(1),
            "{slept:?} {drawn:?}"
        );
    }
    for slept in durations(&spans, Task::Process) {
        assert!(slept >= PROCESS && slept <= PROCESS + ms(1), "{slept:?}");
    }
}

#[test]
fn async_finishes_at_its_critical_path() {
    for seed in [1, 2, 3, 42, 2024] {
        let plan = Plan::draw(20, seed, 1.0);
        let (total, _) = run_async_paused(&plan, Captured::default());
        // Each sleep on the path ends on the first 1 ms tick after its deadline.
        let bound = plan.async_bound();
        assert!(
            total >= bound && total <= bound + ms(21),
            "seed {seed}: {total:?} {bound:?}"
        );
        assert!(
            total < plan.sync_bound(),
            "seed {seed}: async must beat sync"
        );
    }
}

#[test]
fn async_prints_the_course_lines_with_the_ages_of_the_schedule() {
    let plan = Plan::draw(20, 5, 1.0);
    let out = Captured::default();
    run_async_paused(&plan, out.clone());
    let text = out.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 42, "{text}");
    assert_eq!(
        lines[..3],
        [
            "App started.",
            " ---- Generated item 1",
            "+++ Processed value 1 after 0.00 sec."
        ]
    );
    // Item i waits from when it is queued until the consumer is free: the bound's recurrence.
    let (mut queued, mut free) = (Duration::ZERO, Duration::ZERO);
    let processed = lines.iter().filter(|l| l.starts_with("+++ "));
    for ((line, scrape), idx) in processed.zip(&plan.scrape).zip(1u64..) {
        let start = queued.max(free);
        let age = line
            .strip_prefix(&format!("+++ Processed value {} after ", idx * idx))
            .and_then(|rest| rest.strip_suffix(" sec."))
            .unwrap_or_else(|| panic!("{line}"))
            .parse::<f64>()
            .unwrap();
        let expected = (start - queued).as_secs_f64();
        assert!(
            (age - expected).abs() <= 0.005 + 0.001 * idx as f64,
            "{line}: {expected}"
        );
        free = start + plan.process;
        queued += *scrape;
    }
    assert!(lines[41].starts_with("App finished, total time: "));
}

#[test]
fn async_records_overlapping_busy_spans() {
    let (_, spans) = run_async_paused(&Plan::draw(20, 1, 1.0), Captured::default());
    let overlaps = spans.iter().filter(|p| p.task == Task::Process).any(|p| {
        spans
            .iter()
            .any(|s| s.task == Task::Scrape && s.start <= p.start && p.end <= s.end)
    });
    assert!(
        overlaps,
        "the consumer works while the producer scrapes: {spans:?}"
    );
}

/// With real sleeps the total can only exceed the bound, by the cost of waking up.
fn assert_near_bound(total: Duration, bound: Duration) {
    assert!(
        total >= bound,
        "{total:?} finished before its bound {bound:?}"
    );
    assert!(
        total <= bound + bound / 5 + ms(50),
        "{total:?} is far above its bound {bound:?}"
    );
}

#[test]
fn sync_takes_the_sum_of_every_delay_and_prints_in_order() {
    let plan = Plan::draw(20, 7, 20.0);
    let expected: Duration = plan.scrape.iter().sum::<Duration>() + plan.process * 20;
    assert_eq!(plan.sync_bound(), expected);
    let out = Captured::default();
    let run = session_07_scraper::run(Version::Sync, &plan, out.clone()).unwrap();
    assert_near_bound(run.total, expected);
    // Nothing overlaps: every processing span starts after the last scraping span ended.
    let last_scrape = run
        .spans
        .iter()
        .filter(|s| s.task == Task::Scrape)
        .map(|s| s.end)
        .max();
    let first_process = run
        .spans
        .iter()
        .filter(|s| s.task == Task::Process)
        .map(|s| s.start)
        .min();
    assert!(last_scrape.unwrap() <= first_process.unwrap());
    let text = out.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 42, "{text}");
    assert_eq!(lines[1], " ---- Generated item 1");
    assert_eq!(lines[20], " ---- Generated item 20");
    assert!(
        lines[21].starts_with("+++ Processed value 1 after "),
        "{text}"
    );
    assert!(
        lines[41].starts_with("App finished, total time: "),
        "{text}"
    );
}

#[test]
fn blocking_sleeps_make_async_as_slow_as_sync() {
    let plan = Plan::draw(10, 11, 20.0);
    let run = session_07_scraper::run(Version::AsyncBlocking, &plan, io::sink()).unwrap();
    assert_eq!(run.bound, plan.sync_bound());
    assert_near_bound(run.total, plan.sync_bound());
    // And it is well above what the async version needs with the same delays.
    assert!(run.total > plan.async_bound() + plan.process * 5);
}

#[test]
fn a_write_error_ends_the_run_at_once_and_is_returned() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::StorageFull))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let started = std::time::Instant::now();
    let err = session_07_scraper::run(Version::Async, &Plan::draw(20, 1, 1.0), Full).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "it ran on with nobody to write to"
    );
    assert!(err.to_string().contains("could not write"), "{err:#}");
}

#[test]
fn bounds_on_hand_made_delays() {
    // Slow scraping: the consumer keeps up, the producer decides the end.
    assert_eq!(plan(&[1000, 1000], 400).async_bound(), ms(2000));
    assert_eq!(
        plan(&[500, 300], 400).sync_bound(),
        ms(500 + 300 + 400 + 400)
    );
    // Fast scraping: items queue up and the consumer decides the end (0 + 3 x 400 ms).
    assert_eq!(plan(&[100, 100, 100], 400).async_bound(), ms(1200));
    // A long gap: item 3 arrives at 2100 ms, then 400 ms of work; the producer sleeps to 2200.
    assert_eq!(plan(&[100, 2000, 100], 400).async_bound(), ms(2500));
    // Equal scraping and processing: the best case for overlap, exactly 2x.
    let even = plan(&[400; 20], 400);
    assert_eq!(
        (even.sync_bound(), even.async_bound()),
        (ms(16_000), ms(8_000))
    );
}

#[test]
fn draws_are_the_courses_and_speed_divides_them() {
    let slow = Plan::draw(20, 3, 1.0);
    assert_eq!(
        slow,
        Plan::draw(20, 3, 1.0),
        "the same seed gives the same delays"
    );
    assert!(
        slow.scrape
            .iter()
            .all(|d| (SCRAPE_MIN..SCRAPE_MAX).contains(d))
    );
    let fast = Plan::draw(20, 3, 4.0);
    for (s, f) in slow.scrape.iter().zip(&fast.scrape) {
        assert!(s.abs_diff(*f * 4) < Duration::from_nanos(4), "{s:?} {f:?}");
    }
    assert_eq!(fast.process, ms(100));
}

#[test]
fn overlap_gains_at_most_twice_and_the_worst_case_holds() {
    // async >= max(scraping, processing) and sync = scraping + processing: never more than 2x.
    for seed in 0..500 {
        let plan = Plan::draw(20, seed, 1.0);
        assert!(plan.async_bound() * 2 >= plan.sync_bound(), "seed {seed}");
        assert!(plan.async_bound() < plan.sync_bound(), "seed {seed}");
        assert!(
            plan.sync_bound() <= worst_case(Version::Sync, 20),
            "seed {seed}"
        );
        assert!(
            plan.async_bound() <= worst_case(Version::Async, 20),
            "seed {seed}"
        );
    }
    // The worst draws themselves: every scrape at its maximum, or at its minimum.
    for scrape in [SCRAPE_MAX, SCRAPE_MIN] {
        let worst = Plan {
            scrape: vec![scrape; 20],
            ..plan(&[], 400)
        };
        assert!(worst.async_bound() <= worst_case(Version::Async, 20));
    }
    // 20 items, 0.2-1.2 s of scraping and 0.4 s of processing each: S is about 14 s and P is
    // 8 s, so the median best speed-up (S + P) / max(S, P) is about 22 / 14 = 1.57.
    let gains = best_speedups(20, 10_000);
    let median = gains[gains.len() / 2];
    assert!((1.5..1.65).contains(&median), "median {median}");
    assert!(gains[0] >= 1.0 && gains[gains.len() - 1] <= 2.0);
}

#[test]
fn rows_show_who_was_busy_when() {
    assert_eq!(
        [0.0, 0.2, 0.5, 0.7, 1.0]
            .map(shade)
            .iter()
            .collect::<String>(),
        "·░▒▓█"
    );
    let span = |task, start, end| Span {
        task,
        start: ms(start),
        end: ms(end),
    };
    let spans = [span(Task::Scrape, 0, 150), span(Task::Process, 200, 400)];
    assert_eq!(timeline_row(&spans, Task::Scrape, ms(400), ms(100)), "█▒··");
    assert_eq!(
        timeline_row(&spans, Task::Process, ms(400), ms(100)),
        "··██"
    );
    // A shorter run draws a shorter row on the same axis.
    assert_eq!(
        timeline_row(&spans, Task::Scrape, ms(250), ms(100))
            .chars()
            .count(),
        3
    );
}

#[test]
fn the_timeline_legend_explains_every_glyph_it_draws() {
    let span = |task, start, end| Span {
        task,
        start: ms(start),
        end: ms(end),
    };
    // Columns of 10 ms, busy for 2, 4, 7 and 10 ms of them: every shade.
    let spans = vec![
        span(Task::Scrape, 0, 2),
        span(Task::Scrape, 10, 14),
        span(Task::Scrape, 20, 27),
        span(Task::Scrape, 30, 40),
    ];
    let run = Run {
        version: Version::Sync,
        total: ms(600),
        bound: ms(600),
        spans,
    };
    let mut out = Vec::new();
    report::timeline(&mut out, &[run]).unwrap();
    let text = String::from_utf8(out).unwrap();
    let (legend, rows) = text.split_once('\n').unwrap();
    for glyph in "█▓▒░·".chars() {
        assert!(rows.contains(glyph), "the chart draws {glyph}:\n{text}");
        assert!(
            legend.contains(glyph),
            "the legend explains {glyph}: {legend}"
        );
    }
}

#[test]
fn summary_compares_with_sync() {
    let run = |version, total, bound| Run {
        version,
        total: ms(total),
        bound: ms(bound),
        spans: vec![],
    };
    let mut out = Vec::new();
    report::summary(
        &mut out,
        &[
            run(Version::Sync, 2200, 2000),
            run(Version::Async, 1100, 1000),
        ],
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("async is 2.00x as fast as sync"), "{text}");
    assert!(
        text.contains("best possible with these delays: 2.00x"),
        "{text}"
    );
    assert!(text.contains("+10.0 %"), "{text}");
}
