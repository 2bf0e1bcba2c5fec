//! The lab's library, part by part: the sums, the phases, the stop flag, the helpers.

use std::time::{Duration, Instant};

mod show {
    use super::*;
    use session_11_threads::show::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(50_000_000), "50,000,000");
    }

    #[test]
    fn speed_divides_delays_and_stays_in_its_range() {
        assert_eq!(
            Speed::new(20.0).unwrap().ms(1000),
            Duration::from_millis(50)
        );
        for bad in [0.0, 0.099, 100.1, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Speed::new(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn clean_drops_escapes_and_bidi_controls() {
        assert_eq!(clean("\u{1b}[31mAli\u{202E}\u{200F}\u{7}\n"), "[31mAli");
        assert_eq!(clean("محمد"), "محمد");
    }
}

mod greet {
    use super::*;
    use session_11_threads::greet::*;

    #[test]
    fn greeter_writes_the_course_lines_in_order_and_sleeps_after_each() {
        let mut out = Vec::new();
        let start = Instant::now();
        let delay = Duration::from_millis(20);
        greeter(&mut out, "Mohammad", 3, delay).unwrap();
        assert!(start.elapsed() >= delay * 3);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1 - Hello Mohammad\n2 - Hello Mohammad\n3 - Hello Mohammad\n"
        );
    }
}

mod cancel {
    use super::*;
    use session_11_threads::cancel::*;

    #[test]
    fn workers_stop_within_one_unit_of_work() {
        let (tick, after) = (Duration::from_millis(40), Duration::from_millis(300));
        let report = run(3, tick, CancelOn::After(after)).unwrap();
        assert!(report.ran_for >= after, "{report:?}");
        // A worker notices the flag after at most one tick; 200 ms of slack for a busy machine.
        assert!(
            report.stop_took <= tick + Duration::from_millis(200),
            "{report:?}"
        );
        let most = (report.ran_for + report.stop_took).as_millis() / tick.as_millis() + 1;
        assert!(
            report
                .units
                .iter()
                .all(|&u| u >= 1 && u128::from(u) <= most),
            "{report:?}"
        );
    }
}

mod cpu {
    use session_11_threads::cpu::*;

    /// An independent check of the value: the Euler-Maclaurin formula
    /// `sum sqrt(k), k = 1..=n  ~  2/3 n^1.5 + 1/2 n^0.5 + zeta(-1/2) + 1/24 n^-0.5`,
    /// whose next term is below `n^-2.5 / 1000`.
    pub fn closed_form(n: u64) -> f64 {
        const ZETA_MINUS_HALF: f64 = -0.207_886_224_977_354_57;
        let n = n as f64;
        2.0 / 3.0 * n.powf(1.5) + 0.5 * n.sqrt() + ZETA_MINUS_HALF + 1.0 / (24.0 * n.sqrt())
    }

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

mod scale {
    use super::*;
    use session_11_threads::scale::*;

    #[test]
    fn both_phases_run_every_unit_and_wait_for_the_sleep() {
        let sleep = Duration::from_millis(300);
        let threads = run_threads(50, sleep).unwrap();
        assert_eq!(threads.count, 50);
        assert!(threads.total >= sleep);
        let (tasks, future_size) = run_tasks(1000, sleep).unwrap();
        assert_eq!(tasks.count, 1000);
        assert!(tasks.total >= sleep);
        assert!((16..1024).contains(&future_size), "{future_size}");
        if cfg!(target_os = "linux") {
            assert!(threads.bytes_per_unit().unwrap() > 0.0);
        }
    }

    #[test]
    fn per_unit_memory_subtracts_the_reading_before() {
        let phase = Phase {
            count: 512,
            rss_kib: Some((1000, 1512)),
            spawn: Duration::ZERO,
            total: Duration::ZERO,
        };
        assert_eq!(phase.bytes_per_unit(), Some(1024.0));
    }

    #[test]
    fn the_comparison_says_the_ratio_as_it_is() {
        let (cheaper, line) = compare_memory(9830.0, 455.0);
        assert!(cheaper);
        assert_eq!(
            line,
            "a thread cost 21.6x the memory of a task (9.6 KiB vs 455 B)"
        );
        // A handful of units: fixed costs swamp the figures, and the line says 0.6x, not "below".
        let (cheaper, line) = compare_memory(25.0 * 1024.0, 42.0 * 1024.0);
        assert!(!cheaper);
        assert!(
            line.starts_with("a thread cost 0.6x the memory of a task"),
            "{line}"
        );
        assert!(!compare_memory(0.0, 0.0).0);
        let (cheaper, line) = compare_memory(18.0 * 1024.0, 0.0);
        assert!(cheaper && line.contains("too small to measure"), "{line}");
    }
}
