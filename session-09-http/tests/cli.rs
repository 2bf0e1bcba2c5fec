//! The binary: bad arguments, an unreachable site, the JSON output, and `serve`.
//! Every run here talks only to 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-09-http"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Asserts a clap error: exit code 2, and a first line on stderr mentioning `needle`.
fn assert_bad_argument(args: &[&str], needle: &str) {
    let output = run(args);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.starts_with("error: ") && first.contains(needle),
        "{args:?}: {text}"
    );
    assert!(output.stdout.is_empty(), "{args:?}");
}

#[test]
fn bad_arguments_give_one_clear_line_and_exit_2() {
    assert_bad_argument(&["--concurrency", "0"], "1..=1000");
    assert_bad_argument(&["--base-url", "not a url"], "is not a valid URL");
    assert_bad_argument(
        &["--base-url", "ftp://example.com/c"],
        "must start with http://",
    );
    assert_bad_argument(
        &["--base-url", "https://example.com/c"],
        "no TLS, so no https",
    );
    assert_bad_argument(
        &["--base-url", "http://u:p@example.com/c"],
        "user name or password",
    );
    assert_bad_argument(&["--pages", "0"], "1..=10000");
    assert_bad_argument(&["--pages", "10001"], "1..=10000");
    assert_bad_argument(&["--retries", "11"], "0..=10");
    assert_bad_argument(&["--mode", "parallel"], "parallel");
    assert_bad_argument(
        &["--base-url", "http://127.0.0.1:9/c", "--latency-ms", "5"],
        "cannot be used with",
    );
}

#[test]
fn help_exits_zero_and_explains_the_flags() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--client",
        "--concurrency",
        "--retries",
        "--timeout-ms",
        "--latency-ms",
        "--json",
        "serve",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn a_closed_port_gives_error_lines_and_a_non_zero_exit() {
    // Port 1: never handed out as a free port (those are 32768 and up), so nothing listens
    // there, and no other test's server can take it in the meantime.
    let port = 1;
    let base = format!("http://127.0.0.1:{port}/c");
    for client in ["reqwest", "surf"] {
        let output = run(&[
            "--client",
            client,
            "--base-url",
            &base,
            "--pages",
            "3",
            "--mode",
            "concurrent",
        ]);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{client}: {text}");
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{client}: {text}");
        assert_eq!(
            lines[0], "page 6100: could not connect: Connection refused (os error 111)",
            "{client}"
        );
        assert!(
            lines[3]
                .starts_with("error: gave up on 127.0.0.1:1: 3 pages in a row could not reach it"),
            "{text}"
        );
    }
}

#[test]
fn a_site_whose_every_page_fails_is_one_summary_line_and_exit_1() {
    // Every page answers 403 (not a failure to reach the site, so the run goes on to the end).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/c", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = [0; 1024];
            let _ = std::io::Read::read(&mut stream, &mut head);
            let _ = stream.write_all(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let output = run(&["--base-url", &base, "--pages", "5", "--mode", "sequential"]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert_eq!(text.lines().count(), 6, "{text}");
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("error: gave up on 127.0.0.1:")
            && last.contains(": none of the 5 pages could be fetched"),
        "{text}"
    );
    assert!(
        last.contains("(the last: page 6104: HTTP 403 Forbidden)"),
        "{text}"
    );
}

#[test]
fn json_smoke_run_against_the_demo_site() {
    let output = run(&["--pages", "6", "--latency-ms", "5", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // No progress bar and no error lines when stderr is not a terminal and nothing failed.
    assert_eq!(stderr(&output), "");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["client"], "reqwest");
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0]["mode"].as_str(), runs[1]["mode"].as_str()),
        (Some("sequential"), Some("concurrent"))
    );
    for run in runs {
        assert_eq!(
            (
                run["ok"].as_u64(),
                run["missing"].as_u64(),
                run["errors"].as_u64()
            ),
            (Some(5), Some(1), Some(0))
        );
        assert!(run["total_s"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(json["titles"]["6101"], "Café & co 6101");
    assert_eq!(json["titles"]["6102"], "\"Clean code\" 6102");
    assert!(json["titles"]["6104"].is_null());
    assert_eq!(json["titles"].as_object().unwrap().len(), 6);
}

#[test]
fn human_output_lists_titles_in_order_with_totals_and_the_speed_up() {
    let output = run(&["--client", "surf", "--pages", "6", "--latency-ms", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when stdout is not a terminal"
    );
    let expected =
        "  6103  آموزش داکر 6103\n  6104  There is no course\n  6105  Python & Django 6105\n";
    assert_eq!(
        text.matches(expected).count(),
        2,
        "both runs list the titles in order:\n{text}"
    );
    assert!(text.contains("sequential: 6 pages in "), "{text}");
    assert!(
        text.contains("(5 titles, 1 without a course, 0 errors)"),
        "{text}"
    );
    assert!(text.contains("speed-up: "), "{text}");
}

#[test]
fn demo_faults_print_one_line_per_failed_page_and_still_exit_zero() {
    let output = run(&[
        "--demo-faults",
        "--latency-ms",
        "1",
        // Long enough that no healthy page on a busy 2-core machine times out; only 6107 does.
        "--timeout-ms",
        "1000",
        "--retries",
        "0",
        "--mode",
        "concurrent",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stderr(&output),
        "page 6107: timed out after 1000 ms\n\
         page 6113: HTTP 503 Service Unavailable\n\
         page 6126: page is not UTF-8 (invalid byte at offset 40)\n\
         page 6133: HTTP 403 Forbidden\n"
    );
}

#[test]
fn serve_runs_the_demo_site_alone() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-09-http"))
        .args(["serve", "--port", "0", "--latency-ms", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    // "demo course site at http://127.0.0.1:PORT/ (...)"
    let addr = first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{first_line}");

    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /c/6101 HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert!(
        answer.contains("<h1>\n    Caf&eacute; &amp; co 6101\n  </h1>"),
        "{answer}"
    );
}

#[test]
fn json_to_a_closed_stdout_ends_quietly_instead_of_panicking() {
    // Like `session-09-http --json | head -c 0`: the reader is gone before the JSON is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-09-http"))
        .args(["--pages", "3", "--latency-ms", "5", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn serve_keeps_serving_when_its_stdout_is_closed() {
    // Like `session-09-http serve | head -c 0`: printing the banner must not kill the server.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_session-09-http"))
        // Each page waits 300 ms: a process that died printing its banner cannot answer.
        .args(["serve", "--port", &port.to_string(), "--latency-ms", "300"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    // Poll until the site accepts (or the process has died), within a generous deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let stream = loop {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            break Some(stream);
        }
        if child.try_wait().unwrap().is_some() || std::time::Instant::now() > deadline {
            break None;
        }
        std::thread::yield_now();
    };
    let answer = stream.map(|mut stream| {
        stream
            .write_all(b"GET /c/6101 HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    });
    let exited = child.try_wait().unwrap();
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let text = stderr(&output);
    assert_eq!(exited, None, "serve exited early: {text}");
    assert!(
        answer.is_some_and(|answer| answer.starts_with("HTTP/1.0 200")),
        "{text}"
    );
}
