//! The binary: exact output of its parts, clap's errors with exit code 2, and the output rules
//! (a full disk is one line and exit 1; a reader that goes away ends the run quietly).

use std::process::{Command, Output, Stdio};

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_session-05-generators"));
    command.args(args).env("NO_COLOR", "1");
    command
}

fn run(args: &[&str]) -> (Output, String, String) {
    let output = command(args).output().unwrap();
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    (output, stdout, stderr)
}

#[test]
fn fib_prints_exactly_the_course_line() {
    let (output, stdout, stderr) = run(&["fib"]);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stdout,
        "1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, \n"
    );
    assert_eq!(run(&["fib", "--limit", "10"]).1, "1, 1, 2, 3, 5, 8, \n");
    let all = run(&["fib", "--limit", &u64::MAX.to_string()]).1;
    assert!(all.ends_with(", 7540113804746346429, \n"), "{all}");
}

#[test]
fn next_prints_1_first_and_says_where_the_sequence_ends() {
    let (output, stdout, _) = run(&["next"]);
    assert!(output.status.success());
    assert_eq!(stdout.lines().next(), Some("1"));
    assert!(stdout.contains("ends by itself after 92 numbers, at 7540113804746346429"));
}

/// Bad usage: clap's own message on stderr, exit code 2, nothing on stdout, no panic.
fn assert_usage_error(args: &[&str], must_contain: &str) {
    let (output, stdout, stderr) = run(args);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(stderr.contains(must_contain), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert_eq!(stdout, "", "{args:?}");
}

#[test]
fn bad_flags_get_clap_errors_and_exit_2() {
    assert_usage_error(
        &["next", "--limit", "abc"],
        "invalid value 'abc' for '--limit <N>'",
    );
    assert_usage_error(&["--limit", "18446744073709551616"], "number too large");
    assert_usage_error(&["fib", "--limit", "-5"], "-5");
    // 92 waits of 5 s is under 8 minutes; more would not finish in minutes.
    assert_usage_error(&["stream", "--delay-ms", "5001"], "5001 is not in 0..=5000");
    assert_usage_error(
        &["executor", "--waker", "sometimes"],
        "[possible values: self, thread]",
    );
    assert_usage_error(&["state-machine", "--steps", "x"], "'--steps <N>'");
    assert_usage_error(&["yield"], "unrecognized subcommand 'yield'");
}

/// Issue 20, item 14: with stderr on a full disk, clap's message cannot be printed; the exit
/// code must still be 2, not a panic's 101.
#[cfg(target_os = "linux")]
#[test]
fn a_bad_flag_with_stderr_on_a_full_disk_still_exits_2() {
    for args in [&["--bogus"][..], &["stream", "--delay-ms", "99999"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = command(args).stderr(full).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn executor_prints_the_trace_in_order() {
    let (output, stdout, stderr) = run(&["executor", "--waker", "self"]);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stdout,
        "executor: poll #1\n\
         \x20 async fn: body starts, reaches .await\n\
         \x20   leaf future: not ready -> arranges a wake-up, Pending\n\
         \x20     waker: wake() called by the future itself -> unpark\n\
         executor: got Pending -> parks the thread until woken\n\
         executor: poll #2\n\
         \x20   leaf future: ready -> Ready\n\
         \x20 async fn: resumes after .await, returns\n\
         executor: got Ready -> done\n\
         block_on returned \"done\"\n"
    );
}

#[test]
fn the_walk_through_runs_all_five_parts_in_order() {
    let (output, stdout, stderr) = run(&["--delay-ms", "0"]);
    assert!(output.status.success(), "{stderr}");
    let headings: Vec<&str> = stdout.lines().filter(|l| l.starts_with("== ")).collect();
    let parts = ["fib", "next", "stream", "state-machine", "executor"];
    assert_eq!(headings.len(), parts.len(), "{stdout}");
    for (number, (heading, part)) in (1..).zip(headings.iter().zip(parts)) {
        assert!(
            heading.starts_with(&format!("== {number}. {part}: ")),
            "{heading}"
        );
    }
    assert!(!stdout.contains('\x1b'), "NO_COLOR: no escape codes");
    assert!(stdout.contains("\n1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, \n"));
    assert!(stdout.contains("wake() called from another thread"));
}

#[test]
fn help_explains_every_flag_and_part() {
    let (output, stdout, _) = run(&["--help"]);
    assert!(output.status.success());
    for word in [
        "--limit",
        "--delay-ms",
        "--steps",
        "--waker",
        "state-machine",
        "executor",
    ] {
        assert!(stdout.contains(word), "{word} missing from --help");
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
        let output = command(args)
            .args(["--delay-ms", "0"])
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: could not write to stdout: "),
            "{args:?}: {stderr}"
        );
    }
}

/// `| head -1`: the reader closes the pipe; the program stops quietly with exit code 0.
#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    for args in MODES {
        let mut child = command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away at once
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}
