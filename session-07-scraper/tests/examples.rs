//! The course's two programs, run as a learner runs them: the lines, their order and the totals.

use std::path::PathBuf;
use std::process::Command;

/// The built example: `cargo test` builds examples into target/<profile>/examples.
fn example(name: &str) -> PathBuf {
    let mut path = std::env::current_exe().unwrap();
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs an example with a pipe for stdout, and returns its lines and its printed total.
fn run(name: &str) -> (Vec<String>, f64) {
    let out = Command::new(example(name))
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap_or_else(|e| panic!("could not run example {name}: {e}"));
    assert!(out.status.success(), "{name}: {:?}", out.status);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\x1b'),
        "no colour codes into a pipe: {text}"
    );
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert_eq!(lines.first().map(String::as_str), Some("App started."));
    let total = lines
        .last()
        .and_then(|l| l.strip_prefix("App finished, total time: "))
        .and_then(|l| l.strip_suffix(" sec."))
        .unwrap_or_else(|| panic!("{name}: no total line in {text}"))
        .parse::<f64>()
        .unwrap();
    (lines, total)
}

/// The seconds in `+++ Processed value {value} after {secs} sec.`, if the line is that one.
fn processed(line: &str, value: u64) -> Option<f64> {
    line.strip_prefix(&format!("+++ Processed value {value} after "))?
        .strip_suffix(" sec.")?
        .parse()
        .ok()
}

/// The course's lines: 20 generated, 20 processed (value idx²), each value in order.
fn check_course_lines(lines: &[String]) -> Vec<f64> {
    assert_eq!(lines.len(), 42, "{lines:#?}");
    let generated: Vec<&String> = lines.iter().filter(|l| l.starts_with(" ---- ")).collect();
    let expected: Vec<String> = (1..=20)
        .map(|i| format!(" ---- Generated item {i}"))
        .collect();
    assert_eq!(generated, expected.iter().collect::<Vec<_>>());
    let ages: Vec<f64> = lines
        .iter()
        .filter(|l| l.starts_with("+++ "))
        .zip(1..=20u64)
        .map(|(line, idx)| processed(line, idx * idx).unwrap_or_else(|| panic!("{line}")))
        .collect();
    assert_eq!(ages.len(), 20);
    ages
}

#[test]
fn the_two_scrapers_print_the_course_lines_and_async_wins() {
    // Both run at once: they only sleep, so they do not slow each other down.
    let sync = std::thread::spawn(|| run("sync_scraper_task"));
    let (async_lines, async_total) = run("async_scraper_task");
    let (sync_lines, sync_total) = sync.join().unwrap();

    // Sync: all 20 generated lines first, then all 20 processed ones.
    let ages = check_course_lines(&sync_lines);
    assert!(sync_lines[1..21].iter().all(|l| l.starts_with(" ---- ")));
    // Each sleep is 0.2-1.2 s of scraping or 0.4 s of processing: the sum is 12-32 s.
    assert!((12.0..40.0).contains(&sync_total), "sync {sync_total}");
    // Item 1 waited for the other 20 scrapes (at least 20 x 0.2 s) before it was processed.
    assert!(ages[0] >= 4.0, "item 1 waited {} s", ages[0]);

    // Async: item 1 is processed as soon as it is made, before item 2 is generated.
    let ages = check_course_lines(&async_lines);
    assert_eq!(async_lines[1], " ---- Generated item 1");
    assert_eq!(processed(&async_lines[2], 1).map(|s| s < 0.1), Some(true));
    // The producer alone sleeps 20 x 0.2-1.2 s; the consumer can at most add its last 0.4 s.
    assert!((4.0..25.0).contains(&async_total), "async {async_total}");
    assert!(
        ages.iter().all(|&a| a < 5.0),
        "no item waits long: {ages:?}"
    );
    assert!(
        async_total < sync_total,
        "async {async_total} s, sync {sync_total} s"
    );
}

/// The text between `// ANCHOR: name` and `// ANCHOR_END: name` in a file of this crate.
fn region(path: &str, name: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let start = format!("// ANCHOR: {name}\n");
    let from = text
        .find(&start)
        .unwrap_or_else(|| panic!("{path}: no {start}"))
        + start.len();
    let to = text[from..]
        .find(&format!("// ANCHOR_END: {name}"))
        .unwrap();
    text[from..from + to].to_owned()
}

#[test]
fn the_lab_runs_the_examples_functions_word_for_word() {
    for (example, lab) in [
        ("examples/sync_scraper_task.rs", "src/sync_version.rs"),
        ("examples/async_scraper_task.rs", "src/async_version.rs"),
    ] {
        for name in ["scrap_data", "process_data"] {
            assert_eq!(
                region(lab, name),
                region(example, name),
                "{lab}'s {name} differs from {example}'s: copy the example's over it"
            );
        }
    }
}
