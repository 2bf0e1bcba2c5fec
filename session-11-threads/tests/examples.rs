//! Every course program in `examples/` runs to the end with stdin closed (as CI runs it) and
//! prints what the course prints: exact lines where the course fixes them, counts, order, and
//! timing bounds computed from the program's own delays.
//!
//! Run them with `cargo test -p session-11-threads`, which builds the examples first; the
//! examples are not rebuilt by `cargo test --test examples` alone.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The built example: target/debug/deps/examples-xxxx -> target/debug/examples/NAME.
fn example(name: &str) -> PathBuf {
    let mut p = std::env::current_exe().unwrap();
    p.pop();
    if p.ends_with("deps") {
        p.pop();
    }
    p.join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn spawn(name: &str, stdin: Stdio) -> Child {
    Command::new(example(name))
        .env("NO_COLOR", "1")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start example {name}: {e}"))
}

/// Run an example with stdin closed, as CI does; fail if it runs past `limit` (a hang) or
/// exits non-zero. Returns its stdout lines and how long it ran.
fn run(name: &str, limit: Duration) -> (Vec<String>, Duration) {
    let start = Instant::now();
    let mut child = spawn(name, Stdio::null());
    // Read stdout on a thread so a chatty example cannot block on a full pipe.
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("example {name} still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    let lines = reader.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{name}: {status}\n{stderr}\n{lines:#?}");
    (lines, elapsed)
}

/// The part of `lines` after the heading line that starts with `heading`, up to the next `==`.
fn section<'a>(lines: &'a [String], heading: &str) -> &'a [String] {
    let start = lines
        .iter()
        .position(|l| l.starts_with(heading))
        .unwrap_or_else(|| panic!("no heading {heading:?} in {lines:#?}"))
        + 1;
    let len = lines[start..]
        .iter()
        .position(|l| l.starts_with("=="))
        .unwrap_or(lines.len() - start);
    &lines[start..start + len]
}

/// The greeter's line numbers for `name`, in the order printed.
fn greetings(lines: &[String], name: &str) -> Vec<u32> {
    let suffix = format!(" - Hello {name}");
    lines
        .iter()
        .filter_map(|l| l.strip_suffix(&suffix)?.parse().ok())
        .collect()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[test]
fn greeter_prints_task_done_at_once_joins_runs_a_list_and_drops_a_daemon() {
    let (lines, elapsed) = run("greeter", Duration::from_secs(90));
    let ten: Vec<u32> = (1..=10).collect();

    let one = section(&lines, "== 1.");
    assert_eq!(greetings(one, "Mohammad"), ten);
    let done = one.iter().position(|l| l == "Task Done !").unwrap();
    // At once: before the second greeting, which comes a second after the first.
    assert!(done <= 1, "{one:#?}");

    // The course's middle snippet: two threads, no join before `Task Done !`, so it comes first.
    let two = section(&lines, "== 2.");
    assert_eq!(greetings(two, "Mohammad"), ten);
    assert_eq!(greetings(two, "Ali"), ten);
    let done = two.iter().position(|l| l == "Task Done !").unwrap();
    assert!(done <= 2, "{two:#?}");

    let three = section(&lines, "== 3.");
    assert_eq!(greetings(three, "Mohammad"), ten);
    assert_eq!(greetings(three, "Ali"), ten);
    assert_eq!(three.last().unwrap(), "Task Done !", "joined before it");

    // The daemon greets at 0, 1 and 2 s; main returns at 2.5 s and the greeter dies with it.
    let four = section(&lines, "== 4.");
    let daemon = greetings(four, "Mohammad");
    assert!((2..=4).contains(&daemon.len()), "{four:#?}");
    assert_eq!(daemon, (1..=daemon.len() as u32).collect::<Vec<_>>());
    assert_eq!(four.last().unwrap(), "Task Done !");

    // Parts 1 to 3 sleep 10 x 1 s each, part 4 sleeps 2.5 s: at least 32.5 s. Had the process
    // waited for the daemon's ten seconds, it would have taken at least 40 s.
    assert!(elapsed >= Duration::from_millis(32_500), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(39), "{elapsed:?}");
}

#[test]
fn canceling_thread_with_stdin_closed_cancels_at_once() {
    let (lines, elapsed) = run("canceling_thread", Duration::from_secs(60));
    assert_eq!(lines[0], "App started...");
    assert!(
        lines.iter().any(|l| l == "press enter to exit"),
        "{lines:#?}"
    );
    let cancel = lines
        .iter()
        .position(|l| l == "cancelling your request...")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(lines[cancel + 1].starts_with("App finished. total time: "));
    assert_eq!(cancel + 2, lines.len(), "nothing after the last line");
    // EOF counts as Enter. The workers alone need 40 x 0.5 s; the program did not wait for them.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn canceling_thread_reads_at_most_one_bounded_line_from_an_endless_stdin() {
    // `< /dev/zero`: an endless line with no newline. A bounded read takes 1 KiB and returns,
    // which counts as Enter; an unbounded one would never cancel and would fill the memory
    // (capped here at 2 GB of address space, so that a failure cannot take the machine down).
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -v 2000000 && exec \"$0\""])
        .arg(example("canceling_thread"))
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    let cancelled = lines
        .map_while(Result::ok)
        .any(|l| l == "cancelling your request...");
    let took = started.elapsed();
    assert!(cancelled && took < Duration::from_secs(5), "{took:?}");
    assert!(child.wait().unwrap().success());
    // The largest resident memory of any child this test process has waited for (the other
    // examples take a few MB): a read of the endless line would show here, even when it failed.
    // SAFETY: getrusage fills the zeroed struct we pass and keeps no reference to it.
    let peak_kib = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage.ru_maxrss
    };
    assert!(peak_kib < 200_000, "a child held {peak_kib} KiB");
}

#[test]
fn canceling_thread_cancels_within_a_second_of_enter() {
    let mut child = spawn("canceling_thread", Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut generated = 0;
    let mut processed = 0;
    let mut enter = None;
    let mut latency = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.starts_with("-- generated item ") {
            generated += 1;
        }
        if line.starts_with("+++ processed value ") {
            processed += 1;
        }
        // Press Enter once the producers are clearly at work.
        if generated == 4 && enter.is_none() {
            stdin.write_all(b"\n").unwrap();
            stdin.flush().unwrap();
            enter = Some(Instant::now());
        }
        if line == "cancelling your request..." {
            latency = enter.map(|e| e.elapsed());
            break;
        }
    }
    let latency = latency.expect("cancelled before Enter, or never");
    assert!(latency < Duration::from_secs(1), "{latency:?}");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert_eq!(rest.len(), 1, "{rest:#?}");
    assert!(rest[0].starts_with("App finished. total time: "));
    assert!(child.wait().unwrap().success());
    // The workers were cut off mid-work: 40 items each way were planned.
    assert!(generated < 40 && processed < 40, "{generated} {processed}");
}

#[test]
fn race_condition_prints_the_course_lines_and_a_count_that_matches_them() {
    for _ in 0..5 {
        let (lines, _) = run("race_condition", Duration::from_secs(30));
        let lines: Vec<&String> = lines.iter().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "{lines:#?}");
        let mut booked = 0;
        for name in ["Mohammad", "Ali"] {
            let ok = format!("2 seats booked successfully for {name} ");
            let no =
                format!("{name}, number of seats that you want is greater than available seats");
            match lines.iter().filter(|l| **l == &ok || **l == &no).count() {
                1 => booked += lines.iter().filter(|l| **l == &ok).count() as i64,
                _ => panic!("{name} should have exactly one line: {lines:#?}"),
            }
        }
        assert!(booked >= 1, "someone always gets the seats");
        // Both booked (the race): -2. One booked: 0.
        assert_eq!(*lines[2], format!("Available seats: {}", 2 - 2 * booked));
    }
}

#[test]
fn lock_books_exactly_once_both_ways() {
    for _ in 0..5 {
        let (lines, _) = run("lock", Duration::from_secs(30));
        for heading in ["== way 1", "== way 2"] {
            let part: Vec<&String> = section(&lines, heading)
                .iter()
                .filter(|l| !l.is_empty())
                .collect();
            assert_eq!(part.len(), 3, "{part:#?}");
            let booked = part
                .iter()
                .filter(|l| l.starts_with("2 seats booked successfully for "))
                .count();
            let refused = part
                .iter()
                .filter(|l| {
                    l.ends_with(", number of seats that you want is greater than available seats")
                })
                .count();
            assert_eq!((booked, refused), (1, 1), "{part:#?}");
            assert_eq!(part[2], "Available seats: 0");
        }
    }
}

#[test]
fn rlock_shows_each_deadlock_and_finishes() {
    let (lines, elapsed) = run("rlock", Duration::from_secs(60));
    let sorted = |heading: &str| {
        let mut part = section(&lines, heading).to_vec();
        part.sort();
        part
    };
    assert_eq!(
        section(&lines, "== 1."),
        ["second acquire: still waiting after 1 s, a deadlock (we gave up)"]
    );
    assert_eq!(
        sorted("== 2."),
        [
            "Ali has the lock",
            "Mohammad has the lock",
            "both finished: contention is waiting, not deadlock"
        ]
    );
    assert_eq!(
        section(&lines, "== 3."),
        [
            "main holds the RLock twice",
            "Ali: still waiting after 1 s; the RLock has one owner at a time"
        ]
    );
    assert_eq!(
        sorted("== 4."),
        [
            "Ali holds payments, waits for the other: deadlock",
            "Mohammad holds seats, waits for the other: deadlock"
        ]
    );
    assert_eq!(
        sorted("== 5."),
        [
            "Ali has seats and payments",
            "Mohammad has seats and payments"
        ]
    );
    // Three waits of one second each were given up; nothing waited much longer.
    assert!(elapsed >= Duration::from_secs(3), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

#[test]
fn compute_example_splits_fifty_million_over_every_core() {
    let (lines, _) = run("compute_example", Duration::from_secs(110));
    let mut slices: Vec<(f64, f64)> = lines
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("start: ")?.strip_suffix(" ////")?;
            let (start, num) = rest.split_once(" ----------- num: ")?;
            Some((start.parse().ok()?, num.parse().ok()?))
        })
        .collect();
    assert_eq!(slices.len(), cores(), "{lines:#?}");
    // Python's `/` prints floats: `start: 0.0 ----------- num: 25000000.0 ////` on two cores.
    assert!(
        lines.iter().any(|l| l.starts_with("start: 0.0 -")),
        "{lines:#?}"
    );
    // The threads print in any order; sorted, the slices cover 0..50,000,000 without a gap.
    slices.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(slices[0].0, 0.0);
    assert_eq!(slices.last().unwrap().1, 50_000_000.0);
    assert!(slices.windows(2).all(|w| w[0].1 == w[1].0), "{slices:?}");
    let last = lines.last().unwrap();
    let secs: f64 = last
        .strip_prefix("Done in ")
        .and_then(|s| s.strip_suffix(" seconds"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{last}"));
    assert!(secs > 0.0);
}

#[test]
fn multi_process_programming_returns_each_workers_result() {
    let (lines, _) = run("multi_process_programming", Duration::from_secs(110));
    assert_eq!(lines[0], "Program has been started ...");
    assert!(lines[1].starts_with("Done in ") && lines[1].ends_with(" seconds"));
    assert_eq!(lines[2], "Our results:");
    // do_math's average, exactly: the sum of |k - 1,000,000| for k in start+1..=num, over num.
    let n = cores() as u64;
    let expected: Vec<i64> = (1..=n)
        .map(|i| {
            let (start, num) = (50_000_000 * (i - 1) / n, 50_000_000 * i / n);
            let sum: u128 = (start + 1..=num)
                .map(|k| k.abs_diff(1_000_000) as u128)
                .sum();
            (sum / num as u128) as i64
        })
        .collect();
    let got: Vec<i64> = lines[3..].iter().map(|l| l.parse().unwrap()).collect();
    assert_eq!(got.len(), expected.len(), "{lines:#?}");
    for (g, e) in got.iter().zip(&expected) {
        // Summing floats may land one below the exact integer part.
        assert!((g - e).abs() <= 1, "{got:?} vs {expected:?}");
    }
}

#[test]
fn concurrent_futures_fetches_seven_titles_in_submit_order_side_by_side() {
    let (lines, _) = run("concurrent_futures", Duration::from_secs(60));
    assert!(lines.iter().any(|l| l == "Waiting ..."), "{lines:#?}");
    let workers: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_once(", Thread Name: ").map(|(_, name)| name))
        .collect();
    assert_eq!(workers.len(), 7, "{lines:#?}");
    assert!(
        workers
            .iter()
            .all(|w| ["worker-1", "worker-2", "worker-3", "worker-4"].contains(w))
    );
    // One process: every line names the same process id.
    let pids: std::collections::HashSet<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("Process Id: ")?.split(',').next())
        .collect();
    assert_eq!(pids.len(), 1, "{lines:#?}");
    let finished = lines
        .iter()
        .position(|l| l.starts_with("Tasks finished in "))
        .unwrap();
    let secs: f64 = lines[finished]
        .strip_prefix("Tasks finished in ")
        .and_then(|s| s.strip_suffix(" seconds"))
        .and_then(|s| s.parse().ok())
        .unwrap();
    // Seven 300 ms pages on four workers: two rounds, 0.6 s at best. One after another they
    // would take 2.1 s.
    assert!(secs >= 0.6, "{secs}");
    assert!(secs < 2.1, "{secs}");
    let sites = [
        "toplearn.com",
        "ordookhani.com",
        "learnby.ir",
        "barnamenevisan.info",
        "toplearn.com/c/6140",
        "divar.ir",
        "digikala.com",
    ];
    let titles: Vec<String> = sites
        .iter()
        .map(|s| format!("title of https://{s}"))
        .collect();
    assert_eq!(lines[finished + 1..], titles);
}
