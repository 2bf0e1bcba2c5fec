//! The usage arithmetic on fixed inputs (averages, the busy count, cores used), and the two
//! formatters the display uses (the bar, the metric prefix).

use std::time::Duration;

use session_02_cpu::display::{bar, human};
use session_02_cpu::usage::{BUSY_THRESHOLD, average_per_core, busy_cores, cores_used, per_second};

#[test]
fn one_busy_core_out_of_two() {
    // What phase 1 looks like on a quiet 2-core machine: one core near 100%, one near idle.
    let samples = vec![vec![98.0, 4.0], vec![100.0, 2.0], vec![99.0, 6.0]];
    let averages = average_per_core(&samples, 2);
    assert_eq!(averages, vec![99.0, 4.0]);
    assert_eq!(busy_cores(&averages), 1);
}

#[test]
fn both_cores_busy() {
    let samples = vec![vec![97.0, 95.0], vec![99.0, 97.0]];
    let averages = average_per_core(&samples, 2);
    assert_eq!(averages, vec![98.0, 96.0]);
    assert_eq!(busy_cores(&averages), 2);
}

#[test]
fn a_core_busy_half_the_time_is_judged_by_its_average() {
    // The scheduler may move the thread between cores: each core is busy half the phase.
    let samples = vec![
        vec![100.0, 0.0],
        vec![0.0, 100.0],
        vec![100.0, 0.0],
        vec![0.0, 100.0],
    ];
    let averages = average_per_core(&samples, 2);
    assert_eq!(averages, vec![50.0, 50.0]);
    // Exactly 50% is not "above 50%".
    assert_eq!(busy_cores(&averages), 0);
    assert_eq!(busy_cores(&[BUSY_THRESHOLD + 0.1, 12.0]), 1);
}

#[test]
fn missing_samples_do_not_count_as_zero() {
    // A snapshot that lacks core 1 is skipped for core 1; a core never seen averages to 0%.
    let samples = vec![vec![80.0, 60.0], vec![40.0]];
    assert_eq!(average_per_core(&samples, 3), vec![60.0, 60.0, 0.0]);
    assert_eq!(average_per_core(&[], 2), vec![0.0, 0.0]);
}

#[test]
fn cores_used_is_cpu_time_over_wall_time() {
    let wall = Duration::from_secs(5);
    assert_eq!(cores_used(Duration::from_secs(5), wall), 1.0);
    assert_eq!(cores_used(Duration::from_millis(9_900), wall), 1.98);
    assert_eq!(cores_used(Duration::from_secs(1), Duration::ZERO), 0.0);
}

#[test]
fn increments_per_second() {
    assert_eq!(per_second(3_000_000_000, Duration::from_secs(2)), 1.5e9);
    assert_eq!(per_second(10, Duration::ZERO), 0.0);
}

#[test]
fn bars_fill_in_proportion() {
    assert_eq!(bar(0.0, 10), "[..........]");
    assert_eq!(bar(50.0, 10), "[#####.....]");
    assert_eq!(bar(100.0, 10), "[##########]");
    assert_eq!(bar(140.0, 4), "[####]");
    assert_eq!(bar(-3.0, 4), "[....]");
}

#[test]
fn human_numbers() {
    assert_eq!(human(1_023_456_789.0), "1.02 G");
    assert_eq!(human(850_300_000.0), "850 M");
    assert_eq!(human(12_345.0), "12.3 k");
    assert_eq!(human(7.0), "7.00");
}
