//! Every example, run as a learner runs it: 41 title lines in id order, exactly as the demo site
//! in the example serves them, then the seconds, within bounds computed from the site's delay.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// What the examples' demo site serves: every page after 0.1 s, every eighth id without a
/// course, the others titled from five topics.
const PAGE_SECONDS: f64 = 0.1;
const TOPICS: [&str; 5] = [
    "آموزش پایتون",
    "برنامه\u{200c}نویسی ناهمزمان",
    "آموزش جنگو",
    "آموزش داکر",
    "آموزش Rust",
];

/// One example at a time: three at once on two cores would measure each other.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn example(name: &str) -> PathBuf {
    // target/debug/deps/examples-xxxx -> target/debug/examples/NAME
    let mut p = std::env::current_exe().unwrap();
    p.pop();
    if p.ends_with("deps") {
        p.pop();
    }
    p.join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs example `name` with stdin closed and no colour, checks the 41 title lines, and returns
/// the seconds it printed last.
fn run_and_check_titles(name: &str) -> f64 {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let output = Command::new(example(name))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{name}: {stderr}");
    assert_eq!(stderr, "", "{name}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        42,
        "{name}: 41 titles and the seconds:\n{stdout}"
    );
    for (line, id) in lines.iter().zip(6100..=6140_usize) {
        let expected = if id.is_multiple_of(8) {
            "There is no course".to_string()
        } else {
            format!("{} {id}", TOPICS[id % 5])
        };
        assert_eq!(*line, expected, "{name}: page {id}");
    }
    let seconds = lines[41]
        .strip_suffix(" seconds")
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("{name}: last line {:?}", lines[41]));
    // No run can beat the delay of one page; one page after another would take 41 of them.
    assert!(seconds >= PAGE_SECONDS, "{name}: {seconds} s");
    assert!(
        seconds < 41.0 * PAGE_SECONDS,
        "{name}: {seconds} s, the pages did not overlap"
    );
    seconds
}

#[test]
fn async_scrap_prints_41_titles_in_order_and_overlaps_the_waits() {
    run_and_check_titles("async_scrap");
}

#[test]
fn shared_client_needs_five_rounds_of_ten() {
    let seconds = run_and_check_titles("shared_client");
    // At most 10 pages in flight: ceil(41 / 10) = 5 rounds of one page's delay, at least.
    assert!(
        seconds >= 5.0 * PAGE_SECONDS,
        "{seconds} s: more than 10 at once?"
    );
}

#[test]
fn async_scrap_surf_prints_the_same_titles() {
    run_and_check_titles("async_scrap_surf");
}

#[test]
fn examples_do_not_use_the_crate_library() {
    for name in ["async_scrap", "shared_client", "async_scrap_surf"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(!source.contains("session_09_http"), "{name}");
        assert!(
            source.contains("جلسه 9"),
            "{name}: the top comment names the session"
        );
        assert!(
            source.contains(&format!("cargo run -p session-09-http --example {name}")),
            "{name}: the top comment gives the command"
        );
        assert!(
            source.contains("Needs:    examples/demo_site/mod.rs"),
            "{name}: the top comment says what a copy needs"
        );
        for word in ["writeln!", "rustls", "TcpListener"] {
            assert!(!source.contains(word), "{name}: {word}");
        }
    }
}

#[test]
fn a_closed_stdout_ends_an_example_and_never_hangs() {
    // Like `| head -0`: the reader is gone before the first title. An example prints with
    // println!, which panics on a closed pipe: it may stop there, but it must stop.
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for name in ["async_scrap", "shared_client", "async_scrap_surf"] {
        let mut child = Command::new(example(name))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(status.is_some_and(|s| !s.success()), "{name}: {status:?}");
    }
}
