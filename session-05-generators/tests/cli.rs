//! The binary: exact output of the course's parts, and one-line errors for bad input.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-05-generators"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn fib_prints_exactly_the_course_line() {
    let output = run(&["fib"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, \n"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn next_prints_1_first() {
    let output = run(&["next"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().next(), Some("1"));
    // The rest is the library's part 2, exactly (its own wording is pinned in tests/sequence.rs).
    let mut expected = Vec::new();
    session_05_generators::fib::next_and_friends(&mut expected, 1000).unwrap();
    assert_eq!(text, String::from_utf8(expected).unwrap());
    assert_eq!(text.lines().count(), 7, "{text}");
}

#[test]
fn limit_chooses_where_fib_stops() {
    let output = run(&["fib", "--limit", "10"]);
    assert!(output.status.success());
    assert_eq!(stdout(&output), "1, 1, 2, 3, 5, 8, \n");
}

#[test]
fn the_largest_limit_ends_at_the_last_u64_fibonacci_number() {
    let output = run(&["fib", "--limit", &u64::MAX.to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).ends_with(", 12200160415121876738, \n"));
}

/// Bad input: exactly one line on stderr, exit code 2, nothing on stdout, no panic.
fn assert_one_line_error(args: &[&str], must_contain: &str) {
    let output = run(args);
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(err.contains(must_contain), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert_eq!(stdout(&output), "", "{args:?}");
}

#[test]
fn a_limit_that_does_not_parse_is_a_one_line_error() {
    assert_one_line_error(
        &["next", "--limit", "abc"],
        "invalid value 'abc' for '--limit <N>'",
    );
    assert_one_line_error(&["fib", "--limit", "1e3"], "'--limit <N>'");
    assert_one_line_error(&["--limit", "18446744073709551616"], "number too large");
    assert_one_line_error(&["fib", "--limit", "-5"], "-5");
}

#[test]
fn other_bad_flags_are_one_line_errors() {
    assert_one_line_error(&["stream", "--delay-ms", "99999"], "not in 0..=10000");
    assert_one_line_error(
        &["executor", "--waker", "sometimes"],
        "possible values: self, thread",
    );
    assert_one_line_error(&["state-machine", "--steps", "x"], "'--steps <N>'");
    assert_one_line_error(&["yield"], "unrecognized subcommand 'yield'");
}

#[test]
fn stream_prints_each_number_then_a_summary() {
    let output = run(&["stream", "--delay-ms", "0", "--limit", "100"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let items: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_once(": ").map(|(_, item)| item))
        .collect();
    assert_eq!(
        items,
        [
            "1",
            "1",
            "2",
            "3",
            "5",
            "8",
            "13",
            "21",
            "34",
            "55",
            "89",
            "12 waits of 0.0 ms each"
        ]
    );
    assert!(text.contains("11 numbers in "), "{text}");
}

#[test]
fn executor_prints_the_trace_in_order() {
    let output = run(&["executor", "--waker", "self"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "executor: poll #1\n\
         \x20 async fn: body starts, reaches .await\n\
         \x20   leaf future: not ready -> arranges a wake-up, returns Pending\n\
         \x20     waker: wake() called by the future itself -> unpark\n\
         executor: got Pending\n\
         executor: parks the thread until woken\n\
         executor: poll #2\n\
         \x20   leaf future: ready -> returns Ready\n\
         \x20 async fn: resumes after .await, returns\n\
         executor: got Ready -> done\n\
         block_on returned \"done\"\n"
    );
}

#[test]
fn the_walk_through_runs_all_five_parts_in_order() {
    let output = run(&["--delay-ms", "0"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("== ")).collect();
    assert_eq!(headings.len(), 5, "{text}");
    for (heading, part) in
        headings
            .iter()
            .zip(["fib", "next", "stream", "state-machine", "executor"])
    {
        assert!(heading.contains(&format!(". {part}: ")), "{heading}");
    }
    // NO_COLOR: no escape codes.
    assert!(!text.contains('\x1b'));
    assert!(text.contains("\n1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, \n"));
    assert!(text.contains("wake() called from another thread"));
}

#[test]
fn help_explains_every_flag() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for flag in [
        "--limit",
        "--delay-ms",
        "--steps",
        "--waker",
        "state-machine",
        "executor",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help");
    }
}

/// Every way to run the binary: the walk-through, each part, and the help and version texts.
const MODES: [&[&str]; 8] = [
    &["--help"],
    &["--version"],
    &[],
    &["fib"],
    &["next"],
    &["stream"],
    &["state-machine"],
    &["executor"],
];

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_line_and_exit_1_in_every_mode() {
    for args in MODES {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_session-05-generators"))
            .args(args)
            .args(["--delay-ms", "0"])
            .env("NO_COLOR", "1")
            .stdout(full)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: could not write to stdout: "),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// `| head -1`: the reader closes the pipe; the program stops quietly with exit code 0.
/// The walk-through, `stream` and `executor` write after a wait, so their later writes
/// surely meet the closed pipe.
#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    use std::process::Stdio;
    for args in [&[][..], &["stream"], &["executor"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_session-05-generators"))
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away at once
        let output = child.wait_with_output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
}
