//! The binary as a learner runs it: output shape, Ctrl-C, the shop, and bad input.
//! stdout is a pipe here, so the binary prints plain sample lines instead of live bars.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_session-02-cpu"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn threads() -> usize {
    thread::available_parallelism().unwrap().get()
}

/// Every bad input: exit code 2 and clap's message on stderr, naming the problem.
#[test]
fn bad_input_is_refused_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--seconds", "0"], "--seconds"),
        (&["--seconds", "ten"], "--seconds"),
        // Two phases of 300 s: ten minutes at most.
        (&["--seconds", "301"], "1..=300"),
        (&["shop", "--speed", "0"], "from 0.1 to 100"),
        (&["shop", "--speed", "0.09"], "from 0.1 to 100"),
        (&["shop", "--speed", "101"], "from 0.1 to 100"),
        (&["shop", "--speed", "-2"], "from 0.1 to 100"),
        (&["shop", "--speed", "inf"], "from 0.1 to 100"),
        (&["shop", "--speed", "1e-300"], "from 0.1 to 100"),
        (&["bogus"], "bogus"),
        (&["--json", "--print"], "--print"),
        (&["--forever", "--seconds", "3"], "--forever"),
        (&["--forever", "--print"], "--print"),
    ];
    for (args, mentions) in cases {
        let output = run(args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(mentions), "{args:?}: {err}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// Issue 20, item 9: `--seconds 3600 --print` wrote about 9.4 MB/s, 68 GB in all. Now --print
/// runs 5 s a phase at most, and a longer run is refused before any work, naming the bound.
#[test]
fn print_is_bounded_to_a_few_seconds() {
    for seconds in ["3600", "6", "300"] {
        let started = std::time::Instant::now();
        let output = run(&["--seconds", seconds, "--print"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{seconds}: {err}");
        assert!(
            err.contains("1..=300") || err.contains("--seconds 5 or less"),
            "{err}"
        );
        assert!(output.stdout.is_empty(), "{seconds}");
        assert!(started.elapsed() < Duration::from_secs(5), "{seconds}");
    }
    let ok = run(&["--seconds", "5", "--print"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

/// Issue 20, item 14: a bad flag with stderr on a full disk (`2>/dev/full`) exits 2, not 101.
#[cfg(target_os = "linux")]
#[test]
fn a_bad_flag_exits_2_even_when_stderr_is_full() {
    for args in [
        &["--seconds", "0"][..],
        &["shop", "--speed", "1000"],
        &["bogus"],
    ] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
        let status = bin().args(args).stderr(full.unwrap()).status().unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}");
    }
}

/// Issue 20, item 14: on a terminal (a pty, through `script`) with `TERM=dumb` or `NO_COLOR=1`,
/// no escape codes at all, cursor movement included: plain sample lines. With a colour
/// terminal the same run draws bars with `ESC [ 2K`, which shows that the pty works.
#[cfg(target_os = "linux")]
#[test]
fn no_escape_codes_on_a_dumb_or_no_color_terminal() {
    let on_a_pty = |env: &[(&str, &str)]| {
        let command = format!("{} --seconds 1", env!("CARGO_BIN_EXE_session-02-cpu"));
        let mut script = Command::new("script");
        script.args(["-qec", &command, "/dev/null"]);
        // CI=true as on a CI machine, where anstream allows colour even with TERM=dumb.
        script
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("CI", "true");
        let output = script.envs(env.iter().copied()).output().unwrap();
        assert!(output.status.success(), "{env:?}: {}", stderr(&output));
        stdout(&output)
    };
    let bars = on_a_pty(&[("TERM", "xterm-256color")]);
    assert!(bars.contains("\x1b[2K"), "no bars on a pty: {bars:?}");
    for env in [[("TERM", "dumb")], [("NO_COLOR", "1")]] {
        let text = on_a_pty(&env);
        assert!(!text.contains('\x1b'), "{env:?}: {text:?}");
        assert!(text.contains(" s of 1 s  cpu0"), "{env:?}: {text:?}");
    }
}

#[test]
fn help_explains_every_flag_and_exits_zero() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for flag in ["--seconds", "--forever", "--print", "--json", "shop"] {
        assert!(text.contains(flag), "{flag} missing from --help");
    }
    let shop = stdout(&run(&["shop", "--help"]));
    assert!(shop.contains("--speed") && shop.contains("--sequential"));
}

#[test]
fn json_prints_one_object_with_both_phases() {
    let output = run(&["--seconds", "1", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cores = json["cores"].as_u64().unwrap();
    assert!(cores >= 1);
    let phases = json["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 2);
    assert_eq!(phases[0]["threads"], 1);
    assert_eq!(phases[1]["threads"], threads());
    for phase in phases {
        // Compare the set of keys: their order depends on serde_json's features, which another
        // crate in the same build (preserve_order) may switch on.
        let mut keys: Vec<&String> = phase.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["busy_cores", "increments_per_sec", "threads"]);
        assert!(phase["busy_cores"].as_u64().unwrap() <= cores);
        // The loop counted (how fast depends on the build and on how busy the machine is).
        assert!(
            phase["increments_per_sec"].as_f64().unwrap() > 0.0,
            "{phase}"
        );
    }
}

#[test]
fn plain_output_when_not_a_terminal() {
    let output = run(&["--seconds", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        !text.contains('\x1b'),
        "escape codes in piped output: {text:?}"
    );
    // Header, one sample line per second, result line, for each phase, then the summary.
    let samples = text.lines().filter(|l| l.contains(" s of 2 s")).count();
    assert_eq!(samples, 4, "{text}");
    for needle in [
        "phase 1: the loop on 1 thread for 2 s",
        "phase 2: the loop on",
        "summary",
        "  phase 1: 1 thread, busy cores ",
        "phase 2 / phase 1: ",
        "cpu0",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    // The build is named in the summary (stderr is kept for the one error line).
    let debug_note = text.contains("debug build: numbers are far lower than with --release");
    assert_eq!(debug_note, cfg!(debug_assertions), "{text}");
    assert_eq!(stderr(&output), "");
}

#[test]
fn print_prints_every_number_like_the_python() {
    let output = run(&["--seconds", "1", "--print"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // x = 10; x += 1; print(x): the first numbers are 11, 12, 13.
    let first: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(first, ["11", "12", "13"]);
    assert!(
        text.contains("  phase 1: 1 thread printing, busy cores "),
        "{text}"
    );
    assert!(text.contains("  phase 2: 1 thread, busy cores "), "{text}");
    assert!(text.contains("that is what printing costs"), "{text}");
    // The numbers are printed; the summary is the only non-number text.
    assert!(!text.contains(" s of 1 s"));
}

/// `--forever` runs until SIGINT (what Ctrl-C sends), then prints the summary and exits 130.
#[cfg(unix)]
#[test]
fn forever_stops_cleanly_on_ctrl_c() {
    let mut child = bin()
        .arg("--forever")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;

    // A watchdog so a broken Ctrl-C fails the test instead of hanging it.
    let (finished, watchdog) = mpsc::channel::<()>();
    thread::spawn(move || {
        if watchdog.recv_timeout(Duration::from_secs(60)).is_err() {
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });

    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    // Wait for the first sample line: the handler is installed and the loop is running.
    loop {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "exited early: {seen}"
        );
        seen.push_str(&line);
        if line.contains("(Ctrl-C stops)") {
            break;
        }
    }
    assert!(
        seen.contains("\nthe endless loop: the loop on 1 thread until Ctrl-C\n")
            || seen.starts_with("the endless loop: the loop on 1 thread until Ctrl-C\n"),
        "{seen}"
    );
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    out.read_to_string(&mut seen).unwrap();
    let status = child.wait().unwrap();
    let _ = finished.send(());

    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("summary"), "{seen}");
    assert!(seen.contains("stopped by Ctrl-C"), "{seen}");
    assert!(seen.contains("  phase 1: 1 thread, busy cores "), "{seen}");
    // Only the course's loop ran: no second phase, no ratio.
    assert!(!seen.contains("phase 2"), "{seen}");
}

/// The names of the printed timeline, in order, as (start|done, step).
fn timeline(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let rest = l.split_once("  start  ").map(|(_, r)| ("start", r));
            let rest = rest.or_else(|| l.split_once("  done   ").map(|(_, r)| ("done", r)));
            rest.map(|(kind, step)| (kind.to_string(), step.trim().to_string()))
        })
        .collect()
}

/// Real timers here (the exact times are tested under the paused clock in tests/shop.rs);
/// at `--speed 2` the three last steps finish 250 ms apart, so a busy machine keeps the order.
#[test]
fn shop_prints_the_steps_in_order_and_the_totals() {
    let output = run(&["shop", "--speed", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let got = timeline(&text);
    let want: Vec<(String, String)> = common::SHOP_ORDER
        .iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, want, "{text}");
    assert!(text.contains("all one after another: 4.000 s"), "{text}");
    assert!(
        text.contains("(sequential part + longest concurrent step): 2.750 s"),
        "{text}"
    );
    assert!(!text.contains('\x1b'));
}

#[test]
fn shop_sequential_runs_each_step_after_the_previous() {
    let output = run(&["shop", "--speed", "100", "--sequential"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let got = timeline(&stdout(&output));
    assert_eq!(got.len(), 12);
    for pair in got.chunks(2) {
        assert_eq!(pair[0].0, "start");
        assert_eq!(pair[1].0, "done");
        assert_eq!(pair[0].1, pair[1].1);
    }
}

/// Every mode of the binary: the default two phases, `--print`, `--json`, `--forever`, and the
/// shop both ways. Short settings; the modes are what matter.
const MODES: &[&[&str]] = &[
    &["--seconds", "1"],
    &["--seconds", "1", "--print"],
    &["--seconds", "1", "--json"],
    &["--forever"],
    &["shop", "--speed", "100"],
    &["shop", "--speed", "100", "--sequential"],
];

/// Waits for the child at most `secs` seconds; kills it and fails if it is still running.
fn wait_at_most(
    child: &mut std::process::Child,
    secs: u64,
    what: &str,
) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: still running {secs} s later");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A reader that goes away (`| true` before anything is read, `| head -1` after one line) ends
/// every mode quietly: exit 0, nothing on stderr, and no counting thread left spinning.
/// (Before, `--print` said "error: ... Broken pipe" and exited 1, and the default mode ran on
/// for both phases with nobody reading.)
#[test]
fn a_reader_that_goes_away_ends_every_mode_quietly() {
    for args in MODES {
        for lines_read in [0, 1] {
            let mut child = bin()
                .args(*args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut out = BufReader::new(child.stdout.take().unwrap());
            for _ in 0..lines_read {
                let mut line = String::new();
                out.read_line(&mut line).unwrap();
                assert!(!line.is_empty(), "{args:?}: no first line");
            }
            drop(out);
            let what = format!("{args:?} after {lines_read} line(s)");
            let status = wait_at_most(&mut child, 30, &what);
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            assert_eq!(status.code(), Some(0), "{what}: {err}");
            assert_eq!(err, "", "{what}");
        }
    }
}

/// `> /dev/full` (Linux's always-full device) in every mode: one error line, exit 1, no panic.
/// (Before, the default mode panicked in display.rs and the shop in shop.rs.)
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_error_line_in_every_mode() {
    for args in MODES {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut child = bin()
            .args(*args)
            .stdout(full)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_at_most(&mut child, 30, &format!("{args:?} > /dev/full"));
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: could not "), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
    }
}
