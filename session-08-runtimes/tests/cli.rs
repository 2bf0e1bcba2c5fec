//! The binary: JSON output and one-line errors.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Like [`run`], but a run still going after 10 s is killed and fails the test.
fn run_for_at_most_10_s(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed().as_secs() >= 10 {
            child.kill().unwrap();
            panic!("{args:?} was still running after 10 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn json_has_every_runtime_with_its_count() {
    let out = run(&[
        "--workload",
        "all",
        "--items",
        "200",
        "--repeat",
        "2",
        "--clients",
        "3",
        "--messages",
        "20",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["workload"], "all");
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    assert_eq!(json["build"], build);
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 12);
    for r in results {
        let expected = match r["workload"].as_str().unwrap() {
            "queue" => 400,
            "echo" => 60,
            other => panic!("unknown workload {other}"),
        };
        assert_eq!(r["processed"], expected, "{r}");
        assert!(r["median_s"].as_f64().unwrap() > 0.0, "{r}");
        assert_eq!(r["runs_s"].as_array().unwrap().len(), 2, "{r}");
        assert!(r["runtime"].is_string());
    }
}

#[test]
fn one_runtime_prints_a_table() {
    let out = run(&["--runtime", "smol", "--items", "100", "--repeat", "1"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("queue: 2 producers x 100 items"),
        "{stdout}"
    );
    assert!(stdout.contains("\nsmol "), "{stdout}");
    assert!(!stdout.contains("tokio"), "{stdout}");
    if cfg!(debug_assertions) {
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("note: a debug build"), "{stderr}");
    }
}

#[test]
fn bad_flags_get_clap_s_message_and_exit_2() {
    for (args, expected) in [
        (&["--items", "0"][..], "--items"),
        (&["--repeat", "0"][..], "--repeat"),
        (&["--runtime", "uvloop"][..], "uvloop"),
        (&["--workload", "sleep"][..], "sleep"),
        (&["--items", "many"][..], "many"),
        (&["--repeat", "101"][..], "--repeat"),
        (&["--bogus"][..], "--bogus"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error:") && first.contains(expected),
            "{args:?}: {stderr}"
        );
    }
}

/// Sizes that could not finish in minutes (or fit in memory) are refused at once, before any
/// work, with one line that names the bound.
#[test]
fn sizes_over_the_bounds_get_one_line_that_names_the_bound_and_exit_2() {
    for (args, expected) in [
        // It used to run: 38 minutes in the hostile test, with every runtime.
        (
            &["--items", "100000000", "--repeat", "1"][..],
            "over the 10-minute bound",
        ),
        (
            &["--items", "5000000", "--repeat", "100"][..],
            "over the 10-minute bound",
        ),
        (
            &["--workload", "all", "--repeat", "100"][..],
            "over the 10-minute bound",
        ),
        // It used to fail after 60 s with "is loopback (127.0.0.1) blocked?".
        (
            &["--workload", "echo", "--messages", "10000000"][..],
            "--clients 10 x --messages 10000000 could take",
        ),
        (
            &[
                "--workload",
                "echo",
                "--clients",
                "1",
                "--messages",
                "10000000",
            ][..],
            "over the echo run's 60 s limit",
        ),
        (
            &["--clients", "1000", "--message-size", "1048576"][..],
            "64 MiB",
        ),
    ] {
        let out = run_for_at_most_10_s(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error:") && stderr.contains(expected),
            "{args:?}: {stderr}"
        );
    }
    // The defaults, and the whole of both workloads, fit.
    let ok = run(&[
        "--workload",
        "all",
        "--items",
        "1",
        "--messages",
        "1",
        "--repeat",
        "1",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

/// A usage error with stderr on a full disk still exits 2: it used to panic in `eprintln!`
/// and exit 101.
#[test]
fn a_bad_flag_with_stderr_on_a_full_disk_still_exits_2() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    for args in [
        &["--bogus"][..],
        &["--items", "0"],
        &["--items", "100000000", "--repeat", "1"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
            .args(args)
            .stderr(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn a_closed_stdout_ends_quietly_instead_of_panicking() {
    // Like `session-08-runtimes | head -1`: the reader goes away before the tables are written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
        .args(["--items", "2000", "--repeat", "2", "--workload", "all"])
        .args(["--messages", "20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn help_into_a_full_disk_is_one_line_and_exit_1() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    let out = Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
        .arg("--help")
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: could not write to stdout"),
        "{stderr}"
    );
}

#[test]
fn json_into_a_full_disk_is_one_error_line_and_exit_1() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    let out = Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
        .args(["--items", "100", "--repeat", "1", "--json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let errors: Vec<_> = stderr.lines().filter(|l| !l.starts_with("note:")).collect();
    assert_eq!(
        errors,
        ["error: could not write to stdout: No space left on device (os error 28)"]
    );
}

/// Ctrl-C in the middle of a long run stops it at once. There is no handler: the runs make no
/// files and hold nothing that needs undoing, so the default (end the process) is right.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_run_at_once() {
    use std::io::{BufRead as _, BufReader};
    use std::os::unix::process::ExitStatusExt as _;
    use std::process::Stdio;

    let mut child = Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
        .args([
            "--items",
            "5000000",
            "--repeat",
            "1",
            "--runtime",
            "tokio-ct",
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The heading is printed before the long run starts.
    let mut heading = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut heading)
        .unwrap();
    assert!(heading.starts_with("queue:"), "{heading}");
    let started = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    assert_eq!(out.status.signal(), Some(2), "{:?}", out.status);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The Python half of the lab, when python3 is installed: a closed pipe ends quietly, a full
/// disk is one line and exit 1, never a traceback.
#[test]
fn python_script_ends_cleanly_on_a_closed_pipe_and_a_full_disk() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/lab/bench_queue.py");
    let python = |stdout: std::process::Stdio| {
        Command::new("python3")
            .args([
                script, "--items", "50", "--repeat", "1", "--loop", "asyncio",
            ])
            .stdout(stdout)
            .stderr(std::process::Stdio::piped())
            .spawn()
    };
    let Ok(mut child) = python(std::process::Stdio::piped()) else {
        return; // no python3 on this machine
    };
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("Traceback"), "{stderr}");

    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let out = python(full.into()).unwrap().wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: could not write to stdout: No space left on device"
    );
}

/// More clients than the open-file limit allows: one line that says what to change, at once.
#[cfg(unix)]
#[test]
fn too_many_clients_for_the_open_file_limit_is_one_line_with_a_hint() {
    let bin = env!("CARGO_BIN_EXE_session-08-runtimes");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec '{bin}' --workload echo --clients 100 --messages 10 --repeat 1 --runtime tokio-ct"
        ))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let errors: Vec<_> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("lower --clients or raise the limit (ulimit -n)"),
        "{stderr}"
    );
}
