//! The three examples: one program, three runtimes, the same result, a small diff.

use std::path::PathBuf;
use std::process::Command;

const EXAMPLES: [&str; 3] = ["on_tokio", "on_smol", "on_async_std"];

/// How many lines `diff` may show between two of the examples: the `main` lines (attribute or
/// `block_on`), the `spawn` line, the yield line, and the `--example NAME` line of the top comment.
const MAX_DIFF_LINES: usize = 12;

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

fn source(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
    std::fs::read_to_string(path).unwrap()
}

/// The lines `diff a b` prints as removed or added: those outside a longest common subsequence.
fn changed_lines<'a>(a: &'a str, b: &'a str) -> Vec<&'a str> {
    diff(a, b).into_iter().map(|(_, line)| line).collect()
}

/// `diff a b` as ('<', removed line) and ('>', added line), removals first within a change.
fn diff<'a>(a: &'a str, b: &'a str) -> Vec<(char, &'a str)> {
    let (a, b): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..]
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut changed) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if j == b.len() || (i < a.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            changed.push(('<', a[i]));
            i += 1;
        } else {
            changed.push(('>', b[j]));
            j += 1;
        }
    }
    changed
}

#[test]
fn changed_lines_counts_what_diff_shows() {
    assert!(changed_lines("a\nb\nc\n", "a\nb\nc\n").is_empty());
    assert_eq!(changed_lines("a\nb\nc\n", "a\nx\nc\n"), ["b", "x"]);
    assert_eq!(changed_lines("a\nb\n", "a\nb\nc\nd\n"), ["c", "d"]);
    assert_eq!(changed_lines("x\na\nb\n", "a\nb\n"), ["x"]);
}

#[test]
fn the_examples_differ_only_in_the_lines_that_pick_the_runtime() {
    for (i, a) in EXAMPLES.iter().enumerate() {
        for b in &EXAMPLES[i + 1..] {
            let (text_a, text_b) = (source(a), source(b));
            let changed = changed_lines(&text_a, &text_b);
            // Seen with `--nocapture`; exercise 4's check reads it.
            println!("diff {a}.rs {b}.rs: {} lines", changed.len());
            assert!(
                changed.len() <= MAX_DIFF_LINES,
                "diff {a}.rs {b}.rs shows {} lines (at most {MAX_DIFF_LINES}):\n{}",
                changed.len(),
                changed.join("\n")
            );
            // Each changed line names a runtime, or is `main` itself.
            for line in changed {
                assert!(
                    ["tokio", "smol", "async_std", "fn main", "app().await"]
                        .iter()
                        .any(|word| line.contains(word)),
                    "diff {a}.rs {b}.rs shows a line that does not pick the runtime: {line}"
                );
            }
        }
    }
}

#[test]
fn each_example_fits_on_one_screen() {
    for name in EXAMPLES {
        let lines = source(name).lines().count();
        assert!(lines <= 55, "{name}.rs has {lines} lines");
        assert!(
            !source(name).contains("session_08_runtimes"),
            "{name}.rs uses the lab's library"
        );
    }
}

#[test]
fn every_example_prints_the_same_result_line() {
    for name in EXAMPLES {
        let out = Command::new(example(name))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<_> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{name}: {stdout}");
        // 2 producers each put 0..10_000: 20_000 items, sum 2 * (0 + ... + 9_999).
        assert_eq!(
            lines[0], "consumer took 20000 items from 2 producers, sum 99990000",
            "{name}"
        );
        let ms: f64 = lines[1]
            .strip_prefix("time: ")
            .and_then(|t| t.strip_suffix(" ms"))
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("{name}: {}", lines[1]));
        assert!(ms >= 0.0, "{name}: {}", lines[1]);
    }
}

/// The README shows `diff examples/on_tokio.rs examples/on_smol.rs`; it must be the real one.
#[test]
fn the_readme_shows_the_real_diff() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let shown: Vec<_> = readme
        .split("diff examples/on_tokio.rs examples/on_smol.rs")
        .nth(1)
        .and_then(|rest| rest.split("```text\n").nth(1))
        .and_then(|block| block.split("```").next())
        .expect("README.md shows the diff in a ```text block")
        .lines()
        .filter(|line| line.starts_with("< ") || line.starts_with("> "))
        .map(str::to_string)
        .collect();
    let (tokio, smol) = (source("on_tokio"), source("on_smol"));
    let real: Vec<_> = diff(&tokio, &smol)
        .into_iter()
        .map(|(side, line)| format!("{side} {line}"))
        .collect();
    assert_eq!(shown, real);
}
