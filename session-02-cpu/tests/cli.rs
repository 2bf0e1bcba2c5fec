//! The binary as a learner runs it: output shape, Ctrl-C, the shop, and bad input.
//! stdout is a pipe here, so the binary prints plain sample lines instead of live bars.

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

/// Every bad input: exit code 2 and exactly one line on stderr that names the problem.
#[test]
fn bad_input_gives_one_clear_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["--seconds", "0"], "--seconds"),
        (&["--seconds", "ten"], "--seconds"),
        (&["shop", "--speed", "0"], "--speed"),
        (&["shop", "--speed", "-2"], "--speed"),
        (&["shop", "--speed", "inf"], "--speed"),
        // 8 s / 1e-300 does not fit in a Duration: rejected, not a panic.
        (&["shop", "--speed", "1e-300"], "--speed"),
        (&["bogus"], "bogus"),
        (&["--json", "--print"], "--print"),
        (&["--forever", "--seconds", "3"], "--forever"),
    ];
    for (args, mentions) in cases {
        let output = run(args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(mentions), "{args:?}: {err}");
        assert!(output.stdout.is_empty(), "{args:?}");
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
    let build_note = stderr(&output).contains("debug build");
    assert_eq!(build_note, cfg!(debug_assertions));
}

#[test]
fn print_prints_every_number_like_the_python() {
    let output = run(&["--seconds", "1", "--print"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // x = 10; x += 1; print(x): the first numbers are 11, 12, 13.
    let first: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(first, ["11", "12", "13"]);
    assert!(text.contains("printing costs: 1 thread without printing did"));
    // The numbers are printed; the summary is the only non-number text.
    assert!(!text.contains(" s of 1 s"));
}

/// `--forever` runs until SIGINT (what Ctrl-C sends), then prints the summary and exits 0.
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
    assert!(seen.starts_with("the endless loop: the loop on 1 thread until Ctrl-C"));
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    out.read_to_string(&mut seen).unwrap();
    let status = child.wait().unwrap();
    let _ = finished.send(());

    assert!(status.success(), "exit status {status:?}\n{seen}");
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
    let want: Vec<(String, String)> = [
        ("start", "view the product"),
        ("done", "view the product"),
        ("start", "add it to the cart"),
        ("done", "add it to the cart"),
        ("start", "pay"),
        ("done", "pay"),
        ("start", "register the order"),
        ("start", "send the confirmation e-mail"),
        ("start", "send the SMS"),
        ("done", "register the order"),
        ("done", "send the SMS"),
        ("done", "send the confirmation e-mail"),
    ]
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

/// A reader that stops early (`| head -1`) must not leave the counting thread spinning:
/// the binary ends on its own (before, a failed write left phase 1's thread running forever).
#[test]
fn a_closed_pipe_ends_the_run() {
    let mut child = bin()
        .args(["--seconds", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let (finished, watchdog) = mpsc::channel::<()>();
    let killer = thread::spawn(move || {
        let hung = watchdog.recv_timeout(Duration::from_secs(60)).is_err();
        if hung {
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        hung
    });
    // Read the first line, then close the pipe like `head -1` does.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("phase 1:"), "{first}");
    drop(out);
    let _ = child.wait().unwrap();
    let _ = finished.send(());
    assert!(
        !killer.join().unwrap(),
        "still running 60 s after its stdout closed"
    );
}

/// `--json` into a full disk (Linux's /dev/full) is one error line and exit 1, not a panic.
#[cfg(target_os = "linux")]
#[test]
fn json_to_a_full_disk_is_one_error_line() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = bin()
        .args(["--seconds", "1", "--json"])
        .stdout(full)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: could not write the JSON"), "{err}");
}
