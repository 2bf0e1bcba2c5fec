//! Every example, run as a learner runs it: the built binary, stdout read and checked.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

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

/// Starts an example with stdout and stderr piped, stdin closed, no colours.
fn spawn(name: &str) -> Child {
    Command::new(example(name))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for the child at most `secs` seconds; kills it and fails if it is still running.
fn wait_at_most(child: &mut Child, secs: u64, what: &str) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: still running {secs} s later");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr_of(child: &mut Child) -> String {
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    err
}

/// The endless loop runs until stopped: read its first lines, then kill it (what CI does too).
/// x = 10, then x += 1 and print: 11, 12, 13, and every later line one more than the last.
#[test]
fn infinity_loop_prints_11_12_13_and_counts_on() {
    let mut child = spawn("infinity_loop");
    let out = BufReader::new(child.stdout.take().unwrap());
    let lines: Vec<String> = out.lines().take(10_000).map(Result::unwrap).collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(lines[..3], ["11", "12", "13"]);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line, &(11 + i).to_string());
    }
}

/// Exercise 1, `infinity_loop | head -n 3`: 11, 12 and 13, then the next `println!` finds the
/// pipe closed and panics, which ends the loop. It never hangs. (A learner's example may end
/// this way; the lab's `--print | head` ends quietly instead.) Prints what the learner sees.
#[cfg(unix)]
#[test]
fn infinity_loop_into_head_prints_11_12_13_then_println_panics() {
    let pipeline = format!("'{}' | head -n 3", example("infinity_loop").display());
    let mut child = Command::new("sh")
        .args(["-c", &pipeline])
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_at_most(&mut child, 30, "infinity_loop | head -n 3");
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let err = stderr_of(&mut child);
    println!("{out}{err}");
    assert_eq!(out, "11\n12\n13\n");
    assert!(
        err.contains("failed printing to stdout: Broken pipe"),
        "{err}"
    );
}

/// One printed step: (seconds, "start" or "done", name).
type Line = (f64, String, String);

/// Runs a shop example to the end and returns its timeline and its total.
fn run_shop(name: &str) -> (Vec<Line>, f64) {
    let mut child = spawn(name);
    let status = wait_at_most(&mut child, 60, name);
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(status.success(), "{name}: {}", stderr_of(&mut child));
    assert!(!text.contains('\x1b'), "colour with NO_COLOR set: {text:?}");
    let mut steps = Vec::new();
    let mut total = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("total: ") {
            assert!(
                rest.ends_with(" s (one after another: 8.0 s; the longest path: 5.5 s)"),
                "{line}"
            );
            total = Some(rest.split(' ').next().unwrap().parse().unwrap());
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(
            words.len() >= 4 && words[1] == "s",
            "unexpected line {line:?}"
        );
        let at: f64 = words[0].parse().unwrap();
        steps.push((at, words[2].to_string(), words[3..].join(" ")));
    }
    (steps, total.unwrap_or_else(|| panic!("no total in {text}")))
}

/// The seconds each step waits, as the examples set them.
fn delay(step: &str) -> f64 {
    match step {
        "view the product" => 1.0,
        "add it to the cart" => 0.5,
        "pay" => 2.0,
        "register the order" => 1.0,
        "send the confirmation e-mail" => 2.0,
        "send the SMS" => 1.5,
        other => panic!("unknown step {other}"),
    }
}

/// Checks the order of the events and that no step ended before its wait was over.
fn check_timeline(steps: &[Line], want: &[(&str, &str)]) {
    let got: Vec<(&str, &str)> = steps
        .iter()
        .map(|(_, kind, name)| (kind.as_str(), name.as_str()))
        .collect();
    assert_eq!(got, want);
    for (at, kind, name) in steps {
        if kind == "done" {
            let (started, ..) = steps
                .iter()
                .find(|(_, k, n)| k == "start" && n == name)
                .unwrap();
            // Printed to the millisecond: allow the rounding of the two numbers.
            assert!(
                at - started >= delay(name) - 0.002,
                "{name}: {started} -> {at}"
            );
        }
    }
}

#[test]
fn shop_runs_the_last_three_steps_together() {
    let (steps, total) = run_shop("shop");
    check_timeline(&steps, &common::SHOP_ORDER);
    // At least the longest path (1 + 0.5 + 2 + the longest of 1, 2, 1.5 = 5.5 s), and below
    // the 8.0 s of one after another: the three waits overlapped.
    assert!((5.5..8.0).contains(&total), "total {total} s");
}

#[test]
fn shop_sequential_runs_every_step_after_the_previous() {
    let (steps, total) = run_shop("shop_sequential");
    let names = [
        "view the product",
        "add it to the cart",
        "pay",
        "register the order",
        "send the confirmation e-mail",
        "send the SMS",
    ];
    let want: Vec<(&str, &str)> = names
        .iter()
        .flat_map(|n| [("start", *n), ("done", *n)])
        .collect();
    check_timeline(&steps, &want);
    // The sum of every wait: 1 + 0.5 + 2 + 1 + 2 + 1.5 = 8.0 s.
    assert!(total >= 8.0, "total {total} s");
}
