//! The binary, run as a learner runs it: the order of lines, timing bounds computed from the
//! `--speed` factor, and one-line errors for bad input.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Run the binary with `args`, colour off; return its output and how long it ran.
fn run(args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_session-11-threads"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (output, start.elapsed())
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn lines(output: &Output) -> Vec<String> {
    stdout(output).lines().map(str::to_string).collect()
}

/// Position of the first line equal to `wanted`.
fn position(lines: &[String], wanted: &str) -> usize {
    lines
        .iter()
        .position(|l| l == wanted)
        .unwrap_or_else(|| panic!("no line {wanted:?} in {lines:#?}"))
}

/// The greeter's lines for `name`, as their numbers, in the order printed.
fn greeter_numbers(lines: &[String], name: &str) -> Vec<u32> {
    let suffix = format!(" - Hello {name}");
    lines
        .iter()
        .filter_map(|l| l.strip_suffix(&suffix)?.parse().ok())
        .collect()
}

#[test]
fn greet_prints_task_done_at_once_and_the_greeter_runs_on() {
    // --speed 20: one greeter delay is 50 ms.
    let delay = Duration::from_millis(50);
    let (out, elapsed) = run(&["--speed", "20", "greet"]);
    assert!(out.status.success());
    let lines = lines(&out);
    assert_eq!(
        greeter_numbers(&lines, "Mohammad"),
        (1..=10).collect::<Vec<_>>()
    );
    // Line 1 may come before or after `Task Done !` (both threads start together), but line 2
    // comes one delay later, long after main printed.
    assert!(position(&lines, "Task Done !") < position(&lines, "2 - Hello Mohammad"));
    // Main joins at the end, as Python waits for a non-daemon thread: all ten sleeps happened.
    assert!(elapsed >= delay * 10, "{elapsed:?}");
}

#[test]
fn cancel_stops_the_workers_within_one_tick() {
    let tick_ms = 50.0;
    let (out, elapsed) = run(&[
        "cancel",
        "--workers",
        "3",
        "--tick-ms",
        "50",
        "--cancel-after",
        "300",
    ]);
    assert!(out.status.success());
    let text = stdout(&out);
    let took = text
        .lines()
        .find_map(|l| l.strip_prefix("stopping took "))
        .and_then(|rest| rest.split(" ms").next())
        .and_then(|ms| ms.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no `stopping took N ms` in {text}"));
    // A worker sees the flag after at most one tick; 200 ms of slack for a loaded machine.
    assert!(took <= tick_ms + 200.0, "stopping took {took} ms");
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
}

#[test]
fn cancel_scales_its_delays_with_speed() {
    // 10 s of waiting at --speed 100 is 100 ms.
    let (out, elapsed) = run(&["--speed", "100", "cancel", "--cancel-after", "10000"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("cancel requested after"));
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn cancel_without_a_terminal_says_the_scaled_wait() {
    // stdin is not a terminal under `output()`: the default 2000 ms, divided by --speed 10.
    let (out, _) = run(&["--speed", "10", "cancel"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("stdin is not a terminal: cancelling after 200.0 ms"),
        "{text}"
    );
    assert!(text.contains("cancelling after 200.0 ms\n"), "{text}");
}

#[test]
fn race_shows_the_lock_holding_and_the_two_guards_overselling() {
    let (out, _) = run(&["--speed", "10", "race", "--runs", "200"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let left: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once("seats left: ").map(|(_, n)| n))
        .collect();
    // One guard: 0 left. Two guards with a pause between check and book: oversold.
    assert_eq!(left, ["0", "-2"], "{text}");
    assert!(
        text.contains("one guard: oversold in 0 of 200 rounds"),
        "{text}"
    );
}

#[test]
fn cpu_json_has_equal_sums_for_every_thread_count() {
    let (out, _) = run(&[
        "cpu",
        "--n",
        "1000000",
        "--threads",
        "3",
        "--repeat",
        "1",
        "--json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n"], 1_000_000);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["threads"], 1);
    assert_eq!(runs[1]["threads"], 3);
    assert_eq!(runs[0]["sum"], runs[1]["sum"]);
    assert!(runs.iter().all(|r| r["seconds"].as_f64().unwrap() > 0.0));
    // One thread keeps at most one core busy. This is checked here, in a process of its own:
    // cores_used is the process's CPU time over wall time, and in the test harness other tests
    // run in the same process at the same time.
    if cfg!(unix) {
        let cores = runs[0]["cores_used"].as_f64().unwrap();
        assert!(cores > 0.0 && cores <= 1.5, "{cores}");
    }
}

#[test]
fn cpu_lesson_reports_the_speed_up() {
    let (out, _) = run(&["cpu", "--n", "200000", "--threads", "2", "--repeat", "1"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("bit-for-bit same sum"), "{text}");
    assert!(text.contains("speed-up with 2 threads:"), "{text}");
}

#[test]
fn scale_measures_tasks_then_threads_in_this_one_process() {
    let args = [
        "scale",
        "--threads",
        "200",
        "--tasks",
        "2000",
        "--sleep-ms",
        "300",
    ];
    let (out, elapsed) = run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    let tasks = text.find("spawned 2,000 in").expect(&text);
    let threads = text.find("spawned 200 in").expect(&text);
    assert!(tasks < threads, "{text}");
    for wanted in [
        " per task",
        " per thread",
        "each task's future",
        "the memory of a task",
    ] {
        assert!(text.contains(wanted), "{wanted:?} missing from {text}");
    }
    // Two phases, each waiting for its 300 ms sleep.
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
}

/// Linux: the processes whose parent is `pid`.
#[cfg(target_os = "linux")]
fn children_of(pid: u32) -> Vec<u32> {
    let stats = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let child = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
            // pid (comm) state ppid ...: the command name may hold spaces, so split after ')'.
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .to_string();
            (ppid == pid.to_string()).then_some(child)
        });
    stats.collect()
}

#[cfg(target_os = "linux")]
#[test]
fn scale_runs_its_threads_in_process_so_ctrl_c_leaves_nothing_behind() {
    // 300 threads that would sleep for 10 s: they live in this process, not in a child.
    let mut scale = Command::new(env!("CARGO_BIN_EXE_session-11-threads"))
        .args([
            "scale",
            "--threads",
            "300",
            "--tasks",
            "10",
            "--sleep-ms",
            "10000",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let threads = || {
        let status = std::fs::read_to_string(format!("/proc/{}/status", scale.id()));
        let line = status.unwrap_or_default().lines().find_map(|l| {
            l.strip_prefix("Threads:")
                .map(|n| n.trim().parse::<u32>().unwrap())
        });
        line.unwrap_or(0)
    };
    let started = Instant::now();
    while threads() < 300 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the threads never came up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(children_of(scale.id()), Vec::<u32>::new());
    // SAFETY: kill only sends a signal to the process we started.
    assert_eq!(
        unsafe { libc::kill(scale.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let status = scale.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGINT)
    );
}

#[test]
fn bad_input_is_a_usage_error_with_exit_code_2() {
    for args in [
        &["--speed", "0", "greet"][..],
        &["--speed", "fast", "greet"],
        &["--speed", "inf", "greet"],
        &["cpu", "--n", "-5"],
        &["cpu", "--n", "0"],
        &["cpu", "--threads", "0"],
        &["cancel", "--workers", "0"],
        &["scale", "--threads", "many"],
        // A million rounds would run for a quarter of an hour with no output.
        &["race", "--runs", "1000000"],
        &["dance"],
    ] {
        let (out, _) = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr.clone()).unwrap();
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn runs_that_cannot_finish_in_minutes_are_refused_before_any_work() {
    for (args, bound) in [
        (&["--speed", "0.001", "greet"][..], "from 0.1 to 100"),
        (&["--speed", "1000", "greet"], "from 0.1 to 100"),
        (
            &["--speed", "0.1", "greet", "--count", "1000"],
            "over the 600.00 s budget",
        ),
        (&["cancel", "--cancel-after", "3600000"], "0..=600000"),
        (
            &["--speed", "0.1", "cancel", "--cancel-after", "600000"],
            "over the 600.00 s budget",
        ),
        (&["scale", "--sleep-ms", "60000"], "0..=10000"),
        (&["scale", "--threads", "1000000"], "1..=20000"),
        (
            &["cpu", "--n", "10000000000", "--repeat", "100"],
            "100,000,000,000 square roots",
        ),
    ] {
        let (out, elapsed) = run(args);
        let stderr = String::from_utf8(out.stderr.clone()).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(bound), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: work started");
        assert!(elapsed < Duration::from_secs(5), "{args:?}: {elapsed:?}");
    }
    // Inside the budget: 10 lines at --speed 0.1 wait 100 s, and are accepted (checked with
    // --help so that nothing waits).
    let (out, _) = run(&["--speed", "0.1", "greet", "--count", "10", "--help"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_name_is_printed_without_escape_codes_or_bidi_controls() {
    let name = "\u{1b}[2J\u{1b}]0;owned\u{7}Ali\u{202e}\u{200f}";
    let (out, _) = run(&["--speed", "100", "greet", "--count", "1", "--name", name]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("1 - Hello [2J]0;ownedAli\n"), "{text:?}");
    assert!(
        !text.contains(['\u{1b}', '\u{7}', '\u{202e}', '\u{200f}']),
        "{text:?}"
    );
}

#[test]
fn cpu_json_into_a_closed_pipe_ends_quietly() {
    // `cpu --json | true`: the reader is gone before the JSON is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-11-threads"))
        .args(["cpu", "--n", "5000000", "--repeat", "1", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_error_line_and_exit_1_in_every_mode() {
    for args in [
        &["cpu", "--n", "100000", "--repeat", "1", "--json"][..],
        &["cpu", "--n", "100000", "--repeat", "1"],
        &["--speed", "100", "greet", "--count", "2"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_session-11-threads"))
            .args(args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "{args:?}: {stderr}");
        assert!(errors[0].contains("could not write to stdout"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn bench_cpu_py_gives_one_json_object_with_python_and_rust_side_by_side() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/lab/bench_cpu.py");
    let out = match Command::new("python3")
        .args([
            script,
            "--n",
            "20000",
            "--workers",
            "2",
            "--json",
            "--with-rust",
        ])
        .arg(env!("CARGO_BIN_EXE_session-11-threads"))
        .output()
    {
        Ok(out) => out,
        Err(err) => return eprintln!("skipped: python3 is not available here ({err})"),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Compared as a set: in a workspace build another crate turns on serde_json's
    // `preserve_order`, and the keys then keep the script's order instead of sorting.
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["n", "python_pool_s", "python_threads_s", "rust"]);
    assert_eq!(v["n"], 20_000);
    assert!(v["python_threads_s"].as_f64().unwrap() > 0.0);
    assert!(v["python_pool_s"].as_f64().unwrap() > 0.0);
    let rust = v["rust"].as_array().unwrap();
    assert_eq!(rust[0]["threads"], 1);
    assert!(rust.iter().all(|r| r["seconds"].as_f64().unwrap() > 0.0));
    // A debug build is named as such.
    assert!(stderr.contains("debug build"), "{stderr}");
}

#[test]
fn the_full_run_stops_quietly_when_the_reader_goes_away() {
    // `session-11-threads | head`: once the reader is gone, the remaining parts (race, cpu,
    // scale: many seconds of work) are not run for no one. The reader leaves at the `cancel`
    // heading; cancel's lines go nowhere, and the run must stop before `race`.
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-11-threads"))
        .args(["--speed", "50"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let read = std::io::BufRead::lines(std::io::BufReader::new(stdout))
        .map(Result::unwrap)
        .take_while(|line| !line.starts_with("== cancel"))
        .count();
    assert!(read > 10, "{read} lines before the cancel part");
    let reached_cancel = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    // cancel alone takes 2,000 ms / 50 = 40 ms; race, cpu and scale would take many seconds.
    let rest = started.elapsed() - reached_cancel;
    assert!(
        rest < Duration::from_secs(2),
        "ran on for {rest:?} with no reader"
    );
}
