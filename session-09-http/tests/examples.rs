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
    }
}

#[test]
fn a_closed_or_full_stdout_is_one_error_line_not_a_panic() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for name in ["async_scrap", "shared_client", "async_scrap_surf"] {
        // Like `| head -0`: the reader is gone before the first title.
        let mut child = Command::new(example(name))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains("BrokenPipe"), "{name}: {stderr}");

        #[cfg(target_os = "linux")]
        {
            let output = Command::new(example(name))
                .stdout(std::fs::File::create("/dev/full").unwrap())
                .output()
                .unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
            assert!(stderr.contains("StorageFull"), "{name}: {stderr}");
        }
    }
}
