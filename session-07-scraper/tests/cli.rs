//! The binary as a learner runs it: flags, JSON, colour, errors and Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use session_07_scraper::Plan;

fn scraper(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap()
}

#[test]
fn json_has_every_field_and_the_bounds_of_the_seed() {
    let out = scraper(&["--json", "--items", "5", "--seed", "3", "--speed", "100"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["items"], 5);
    assert_eq!(json["seed"], 3);
    assert_eq!(json["speed"], 100.0);
    let runs = json["runs"].as_array().unwrap();
    let modes: Vec<_> = runs.iter().map(|r| r["mode"].as_str().unwrap()).collect();
    assert_eq!(modes, ["sync", "async"]);

    let plan = Plan::draw(5, 3, 100.0);
    for (run, bound) in runs.iter().zip([plan.sync_bound(), plan.async_bound()]) {
        let (total, bound_s) = (
            run["total_s"].as_f64().unwrap(),
            run["bound_s"].as_f64().unwrap(),
        );
        assert!((bound_s - bound.as_secs_f64()).abs() <= 0.5e-6, "{run}");
        assert!(total >= bound_s, "a run cannot beat its bound: {run}");
    }
    // The course's lines still show, on stderr, so stdout stays one JSON object.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("---- Generated item 5"), "{stderr}");
}

#[test]
fn the_report_has_the_course_lines_a_summary_and_a_timeline() {
    let out = scraper(&["--items", "4", "--seed", "9", "--speed", "100"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\x1b'),
        "no colour codes when stdout is not a terminal"
    );
    assert_eq!(text.matches("App started.").count(), 2);
    assert_eq!(text.matches("+++ Processed value 16 after ").count(), 2);
    assert!(text.contains("seed 9 (repeat this run with --seed 9)"));
    assert!(
        text.contains("async is ") && text.contains("x as fast as sync"),
        "{text}"
    );
    for row in [
        "sync           scrap_data ",
        "async          scrap_data ",
        "process_data  ",
    ] {
        assert!(text.contains(row), "missing timeline row {row:?}:\n{text}");
    }
}

#[test]
fn colour_is_forced_on_and_switched_off_by_the_usual_variables() {
    let run = |vars: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_session-07-scraper"));
        command
            .args(["--items", "1", "--speed", "100", "--mode", "sync"])
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .envs(vars.iter().copied());
        String::from_utf8(command.output().unwrap().stdout).unwrap()
    };
    // stdout is a pipe here, so colour is off unless forced on...
    assert!(!run(&[]).contains('\x1b'));
    assert!(run(&[("CLICOLOR_FORCE", "1")]).contains("\x1b["));
    // ...and NO_COLOR wins even over forcing it.
    assert!(!run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\x1b'));
}

/// Runs the binary, but kills it after `limit`: `None` if it was still running then.
fn scraper_within(args: &[&str], limit: Duration) -> Option<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child.wait_with_output().unwrap())
}

#[test]
fn bad_input_is_clap_s_message_and_exit_2() {
    for (args, expected) in [
        (&["--items", "0"][..], "--items"),
        (&["--speed", "0"][..], "from 0.1 to 100"),
        (&["--speed", "-1"][..], "from 0.1 to 100"),
        (&["--speed", "0.09"][..], "from 0.1 to 100"),
        (&["--speed", "101"][..], "from 0.1 to 100"),
        (&["--speed", "NaN"][..], "from 0.1 to 100"),
        (&["--speed", "fast"][..], "from 0.1 to 100"),
        (&["--mode", "fast"][..], "possible values"),
        (&["--seed", "-3"][..], "--seed"),
        (&["--nope"][..], "--nope"),
        (&["--items", "5", "bounds"][..], "bounds"),
    ] {
        let out = scraper_within(args, Duration::from_secs(5)).expect("bad input must not run");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        // The error line is one sentence; clap's usage and tip follow on lines of their own.
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: ") && !first.contains("Usage"),
            "{args:?}: {stderr}"
        );
        assert!(!first.contains("<COMMAND>"), "{args:?}: {stderr}");
        let end = "For more information, try '--help'.\n";
        assert!(stderr.ends_with(end), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn bad_input_with_stderr_on_a_full_disk_still_exits_2() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .arg("--nope")
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{:?}", out.status);
}

#[test]
fn a_run_that_could_take_hours_is_refused_at_once() {
    // 10000 items x (1.6 s sync + 1.2 s async) could take 7.8 h; 214 items fit in 10 minutes.
    let out = scraper_within(&["--items", "10000"], Duration::from_secs(5)).expect("it ran");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap();
    assert!(first.contains("could wait up to 7.8 h"), "{stderr}");
    assert!(
        first.contains("10 min limit: use --items 214 or fewer"),
        "{stderr}"
    );
    // The bound follows the mode and the speed: sync alone at --speed 10 fits 3750 items.
    let out = scraper_within(
        &["--items", "3751", "--speed", "10", "--mode", "sync"],
        Duration::from_secs(5),
    )
    .expect("it ran");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("use --items 3750 or fewer"), "{stderr}");
    // The slowest speed is allowed for the course's 20 items (at most 9.4 minutes).
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .args(["--speed", "0.1", "--seed", "1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.starts_with("20 items, seed 1"), "{first}");
}

/// Reads stdout up to a line containing `until`, then closes it, like `| head` would.
fn close_stdout_after(until: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .args(["--seed", "1"]) // full speed: about 35 s if it ran to the end
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains(until) {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "ended before {until:?}"
        );
    }
    drop(stdout);
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed().as_secs() < 5,
        "it ran on with nobody reading"
    );
    out
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    // Closed during the header (main's writes), and during the course's lines (the log's).
    for until in ["repeat this run", "---- Generated item 1"] {
        let out = close_stdout_after(until);
        assert!(out.status.success(), "{until}: {:?}", out.status);
        assert!(
            out.stderr.is_empty(),
            "{until}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn json_into_a_closed_pipe_ends_quietly() {
    // `--json | true`: the reader is gone before the object is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .args(["--json", "--items", "2", "--seed", "1", "--speed", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("App finished"),
        "the run itself went on: {stderr}"
    );
}

/// Runs the binary with stdout on /dev/full, where every write fails with "no space".
#[cfg(target_os = "linux")]
fn into_dev_full(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .args(args)
        .stdout(full)
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_line_and_exit_1_in_every_mode() {
    let fast = ["--items", "2", "--seed", "1", "--speed", "100"];
    for mode in [
        &["--json"][..],
        &[],
        &["--mode", "async"],
        &["--mode", "sync"],
    ] {
        let args: Vec<&str> = mode.iter().chain(&fast).copied().collect();
        let started = std::time::Instant::now();
        let out = into_dev_full(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            last.starts_with("error: ") && last.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
        if mode != ["--json"] {
            // The first line already fails: the run stops there instead of running on.
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            assert!(started.elapsed().as_secs() < 5, "{args:?}");
        }
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_run_at_once() {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-07-scraper"))
        .args(["--seed", "1"]) // full speed: about 35 s if nothing stops it
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("---- Generated item 1") {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the run ended before it started"
        );
    }
    let started = Instant::now();
    // SAFETY: kill() only sends a signal to the child we spawned.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed().as_secs() < 5,
        "Ctrl-C did not stop the run promptly"
    );
    // Nothing to clean up, so no handler: the default action ends the process (the shell's 130).
    assert_eq!(out.status.signal(), Some(libc::SIGINT), "{:?}", out.status);
}

#[test]
fn bounds_computes_the_spread_of_the_best_speed_up() {
    let out = scraper(&["bounds", "--seeds", "2000"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "20 items, 2000 seeds: best possible speed-up of async over sync"
    );
    // "  min 1.43x   median 1.57x   max 1.90x": every figure between 1x and 2x, in order.
    let figures: Vec<f64> = lines[1]
        .split_whitespace()
        .filter_map(|w| w.strip_suffix('x')?.parse().ok())
        .collect();
    assert_eq!(figures.len(), 3, "{text}");
    assert!(figures.windows(2).all(|w| w[0] <= w[1]), "{text}");
    assert!(figures.iter().all(|f| (1.0..=2.0).contains(f)), "{text}");
    assert!((1.5..1.65).contains(&figures[1]), "median: {text}");
}
