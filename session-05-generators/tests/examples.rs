//! Every example, run as a learner runs it: the built binary, its exact output where the course
//! fixes it, its order of events, and timing bounds computed from its own delays.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const COURSE_LINE: &str = "1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, ";
const COURSE_NUMBERS: [u64; 16] = [
    1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987,
];

fn example(name: &str) -> PathBuf {
    // target/debug/deps/examples-xxxx -> target/debug/examples/NAME
    let mut p = std::env::current_exe().unwrap();
    p.pop();
    if p.ends_with("deps") {
        p.pop();
    }
    let binary = p
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    // `cargo test --test examples` alone does not rebuild the examples; a stale binary would
    // test old code. Plain `cargo test -p session-05-generators` rebuilds them first.
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let sources = [
        examples.join(format!("{name}.rs")),
        examples.join(name).join("main.rs"),
        examples.join(name).join("by_hand.rs"),
    ];
    let modified = |path: &PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    for source in &sources {
        if let (Some(built), Some(edited)) = (modified(&binary), modified(source)) {
            assert!(
                built >= edited,
                "{} is older than its source: run `cargo test -p session-05-generators`",
                binary.display()
            );
        }
    }
    binary
}

/// Runs an example with stdin closed and colours off; returns stdout and the time it took.
fn run(name: &str) -> (String, Duration) {
    let start = Instant::now();
    let output = Command::new(example(name))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("could not run example {name}: {err}"));
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{name}: {}\n{stderr}",
        output.status
    );
    assert_eq!(stderr, "", "{name} wrote to stderr");
    (String::from_utf8(output.stdout).unwrap(), took)
}

#[test]
fn fib_prints_the_course_line_then_next_gives_1() {
    let (out, _) = run("fib");
    // Byte for byte: the `for` loop's line (with the course's trailing ", "), then `next()`.
    assert_eq!(out, format!("{COURSE_LINE}\n1\n"));
}

#[test]
fn fib_stream_numbers_arrive_one_wait_apart() {
    let (out, took) = run("fib_stream");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 17, "{out}");
    let mut previous_ms = 0;
    for (k, (line, expected)) in lines.iter().zip(COURSE_NUMBERS).enumerate() {
        let (at, item) = line
            .strip_prefix("after ")
            .and_then(|rest| rest.split_once(" ms: "))
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        assert_eq!(item, expected.to_string(), "{line}");
        // The k-th number (from 1) comes after k waits of 100 ms, never sooner.
        let at: u64 = at.trim().parse().unwrap();
        assert!(at >= 100 * (k as u64 + 1), "{line}");
        assert!(at >= previous_ms, "{line}");
        previous_ms = at;
    }
    // 16 numbers, but 17 waits: 1597 had to arrive to end the loop.
    let summary = lines[16];
    let total: u64 = summary
        .strip_prefix("16 numbers, 17 waits of 100 ms, ")
        .and_then(|rest| rest.strip_suffix(" ms in all"))
        .unwrap_or_else(|| panic!("unexpected summary {summary:?}"))
        .parse()
        .unwrap();
    assert!(total >= 1700, "{summary}");
    assert!(took >= Duration::from_millis(1700), "{took:?}");
}

#[test]
fn fib_future_both_versions_agree_at_every_poll() {
    let (out, _) = run("fib_future");
    let mut expected = vec!["before poll  1: by hand Unresumed { n: 10 }".to_string()];
    let (mut current, mut nxt) = (0u64, 1u64);
    for poll in 1..=10 {
        (current, nxt) = (nxt, current + nxt);
        expected.push(format!(
            "after  poll {poll:>2}: async fn Pending, by hand Pending, now Suspend0 \
             {{ current: {current}, nxt: {nxt}, steps: {poll}..10, yield_now: YieldNow \
             {{ yielded: true }} }}"
        ));
    }
    expected.push("after  poll 11: async fn Ready(55), by hand Ready(55), now Returned".into());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13, "{out}");
    assert_eq!(lines[..12], expected[..]);

    // The sizes are the compiler's business, but some things must hold on any compiler:
    // both keep the same locals and the awaited future across the `.await`.
    let sizes: Vec<usize> = lines[12]
        .strip_prefix("size: the async fn ")
        .and_then(|rest| rest.strip_suffix(" bytes"))
        .and_then(|rest| rest.split_once(" bytes, by hand "))
        .map(|(a, b)| vec![a.parse().unwrap(), b.parse().unwrap()])
        .unwrap_or_else(|| panic!("unexpected size line {:?}", lines[12]));
    // The fields: two u64, the for loop's Range<u32> (8 bytes) and YieldNow (1 byte).
    let fields = 8 + 8 + 8 + 1;
    assert!(sizes[0] >= fields, "{sizes:?}");
    assert!(sizes[1] >= fields, "{sizes:?}");
    // What the example and the README say: the same things kept, the same size (true of the
    // compiler this project is tested on; a layout change upstream would show here first).
    assert_eq!(sizes[0], sizes[1], "{sizes:?}");
}

#[test]
fn block_on_polls_parks_is_woken_and_polls_again() {
    let (out, took) = run("block_on");
    assert_eq!(
        out,
        "created the async block: nothing has run yet\n\
         executor: poll #1\n\
         \x20 async block: starts, awaits the timer\n\
         \x20   timer: not done -> start a thread that calls wake(), return Pending\n\
         executor: Pending -> park (sleep until woken)\n\
         executor: unparked -> poll again\n\
         executor: poll #2\n\
         \x20   timer: done -> Ready\n\
         \x20 async block: resumes after .await, returns 42\n\
         block_on returned 42\n"
    );
    // The second poll waits for the 300 ms timer: no busy loop finishes early.
    assert!(took >= Duration::from_millis(300), "{took:?}");
}

/// Issue 20, item 12: `block_on | head -5` hung forever, because the waker thread's println!
/// panicked on the closed pipe before it could unpark the executor. An example may die on a
/// closed pipe, but it must end.
#[cfg(unix)]
#[test]
fn block_on_ends_when_its_reader_goes_away_after_5_lines() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(example("block_on"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..5 {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "fewer than 5 lines"
        );
    }
    drop(reader); // `| head -5`
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(5) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("block_on still running 5 s after its reader went away: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn examples_use_nothing_from_the_crate_library() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let files = [
        "fib.rs",
        "fib_stream.rs",
        "block_on.rs",
        "fib_future/main.rs",
        "fib_future/by_hand.rs",
    ];
    for file in files {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("session_05_generators"),
            "{} imports the crate's library",
            path.display()
        );
    }
}
