//! The binary: JSON output and one-line errors.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-08-runtimes"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
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
        assert!(stderr.starts_with("note: debug build"), "{stderr}");
    }
}

#[test]
fn bad_input_gets_one_line_and_a_failing_exit() {
    for (args, expected) in [
        (&["--items", "0"][..], "--items"),
        (&["--repeat", "0"][..], "--repeat"),
        (&["--runtime", "uvloop"][..], "uvloop"),
        (&["--workload", "sleep"][..], "sleep"),
        (&["--items", "many"][..], "many"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error:") && stderr.contains(expected),
            "{args:?}: {stderr}"
        );
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
