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
fn join_waits_for_every_line_before_task_done() {
    let delay = Duration::from_millis(50);
    let (out, elapsed) = run(&["--speed", "20", "join"]);
    assert!(out.status.success());
    let lines = lines(&out);
    assert_eq!(
        greeter_numbers(&lines, "Mohammad"),
        (1..=10).collect::<Vec<_>>()
    );
    assert!(position(&lines, "10 - Hello Mohammad") < position(&lines, "Task Done !"));
    assert!(elapsed >= delay * 10, "{elapsed:?}");
}

#[test]
fn a_detached_greeter_dies_when_main_returns() {
    // --speed 5: one delay is 200 ms; main returns after 3.5 delays (700 ms). The greeter would
    // need 9 delays (1.8 s) to print its tenth line.
    let delay = Duration::from_millis(200);
    let (out, elapsed) = run(&["--speed", "5", "detached"]);
    assert!(out.status.success());
    let lines = lines(&out);
    let printed = greeter_numbers(&lines, "Mohammad");
    assert!(!printed.is_empty() && printed.len() < 10, "{printed:?}");
    assert_eq!(printed, (1..=printed.len() as u32).collect::<Vec<_>>());
    position(&lines, "Task Done !");
    assert!(
        elapsed < delay * 9,
        "the process waited for the greeter: {elapsed:?}"
    );
    assert!(elapsed >= delay.mul_f64(3.5), "{elapsed:?}");
}

#[test]
fn many_greeters_run_side_by_side() {
    let delay = Duration::from_millis(50);
    let (out, elapsed) = run(&["--speed", "20", "many", "--count", "3", "--crowd", "100"]);
    assert!(out.status.success());
    let lines = lines(&out);
    assert_eq!(greeter_numbers(&lines, "Mohammad"), vec![1, 2, 3]);
    assert_eq!(greeter_numbers(&lines, "Ali"), vec![1, 2, 3]);
    let text = stdout(&out);
    assert!(text.contains("100 threads said hello 300 times"), "{text}");
    assert!(text.contains("100 scoped threads"), "{text}");
    assert!(text.contains("said hello 300 times in"), "{text}");
    // Three groups of 3 delays each when the threads overlap; one after another the crowd alone
    // would need 100 x 3 delays = 15 s.
    assert!(elapsed >= delay * 9, "{elapsed:?}");
    assert!(elapsed < delay * 100, "{elapsed:?}");
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
        .filter_map(|l| l.trim().strip_prefix("seats left: "))
        .collect();
    // One guard: 0 left. Two guards with the course's pause: oversold. With a Barrier: -2.
    assert_eq!(left.len(), 3, "{text}");
    assert_eq!(left[0], "0");
    assert_eq!(left[2], "-2");
    assert!(
        text.contains("one guard : oversold in 0 of 200 rounds"),
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
    let sum = runs[0]["sum"].as_f64().unwrap();
    let expected = session_11_threads::cpu::closed_form(1_000_000);
    assert!(((sum - expected) / expected).abs() < 1e-12);
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
fn scale_measures_threads_and_tasks_in_child_processes() {
    let (out, _) = run(&[
        "scale",
        "--threads",
        "200",
        "--tasks",
        "2000",
        "--sleep-ms",
        "300",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.contains("spawned 200 in"), "{text}");
    assert!(text.contains("200 alive at the peak"), "{text}");
    assert!(text.contains("spawned 2,000 in"), "{text}");
    assert!(text.contains("2,000 alive at the peak"), "{text}");
    assert!(text.contains(" per thread"), "{text}");
    assert!(text.contains(" per task"), "{text}");
    assert!(text.contains("limits on threads here:"), "{text}");
}

#[test]
fn scale_reports_a_thread_that_cannot_be_spawned_in_one_line() {
    // 1 TiB of stack per thread: the OS refuses the first one.
    let (out, _) = run(&[
        "scale",
        "--threads",
        "3",
        "--tasks",
        "10",
        "--sleep-ms",
        "0",
        "--stack-kib",
        "1073741824",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: could not spawn thread 1 of 3:"),
        "{stderr}"
    );
    assert!(stderr.contains("only 0 of 3 threads ran"), "{stderr}");
    // The tasks still ran and were reported.
    assert!(stdout(&out).contains("spawned 10 in"));
}

#[test]
fn bad_input_gives_one_line_and_exit_code_2() {
    for args in [
        &["--speed", "0", "greet"][..],
        &["--speed", "fast", "greet"],
        &["--speed", "inf", "join"],
        &["--speed", "1e-300", "greet", "--count", "1"],
        &["cpu", "--n", "-5"],
        &["cpu", "--n", "0"],
        &["cpu", "--threads", "0"],
        &["cancel", "--workers", "0"],
        &["scale", "--threads", "many"],
        &["many", "--crowd", "999999"],
        // A million rounds would run for a quarter of an hour with no output.
        &["race", "--runs", "1000000"],
        &["dance"],
    ] {
        let (out, _) = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr.clone()).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn help_is_not_an_error() {
    let (out, _) = run(&["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for part in [
        "greet", "join", "detached", "many", "cancel", "race", "cpu", "scale",
    ] {
        assert!(text.contains(part), "{part} missing from --help");
    }
    assert!(
        !text.contains("scale-child"),
        "the hidden subcommand shows in --help"
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

/// Linux: the processes whose parent is `pid`, with their command lines.
#[cfg(target_os = "linux")]
fn children_of(pid: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: the command name may hold spaces, so split after ')'.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        if fields[1].parse::<u32>().ok() == Some(pid) {
            let cmdline = std::fs::read(format!("/proc/{child}/cmdline")).unwrap_or_default();
            found.push((child, String::from_utf8_lossy(&cmdline).replace('\0', " ")));
        }
    }
    found
}

/// Linux: true while process `pid` exists and is not a zombie (a zombie runs nothing).
#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| Some(stat.rsplit_once(')')?.1.split_whitespace().next()? != "Z"))
        .unwrap_or(false)
}

#[cfg(target_os = "linux")]
#[test]
fn scale_leaves_no_child_running_after_sigterm_sigint_or_sigkill() {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGKILL] {
        // 300 threads that would sleep for a minute, in a scale-child process.
        let mut parent = Command::new(env!("CARGO_BIN_EXE_session-11-threads"))
            .args([
                "scale",
                "--threads",
                "300",
                "--tasks",
                "10",
                "--sleep-ms",
                "60000",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let child = loop {
            let loaded = children_of(parent.id())
                .into_iter()
                .find(|(_, cmd)| cmd.contains("scale-child") && cmd.contains("--count 300"));
            if let Some((pid, _)) = loaded {
                break pid;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no scale-child came up"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // SAFETY: kill only sends a signal to the process we started.
        assert_eq!(unsafe { libc::kill(parent.id() as libc::pid_t, signal) }, 0);
        parent.wait().unwrap();
        // The child notices at once; it had 60 s of sleep left. Allow a loaded machine 10 s.
        let killed = Instant::now();
        while running(child) && killed.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let orphaned = running(child);
        if orphaned {
            // SAFETY: as above; do not leave the orphan behind even when the test fails.
            unsafe { libc::kill(child as libc::pid_t, libc::SIGKILL) };
        }
        assert!(
            !orphaned,
            "scale-child {child} outlived its parent (signal {signal})"
        );
    }
}

#[test]
fn bench_cpu_py_gives_one_json_object_with_python_and_rust_side_by_side() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/bench_cpu.py");
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
