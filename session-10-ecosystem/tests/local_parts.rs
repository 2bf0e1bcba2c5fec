//! Tests of the parts that need no server: files, docs, blocking, and the binary's errors.

use std::process::Command;
use std::time::Duration;

use session_10_ecosystem::blocking::{self, BlockingOptions, Mode, Work};
use session_10_ecosystem::docs::{self, DocsOptions, pages_of};
use session_10_ecosystem::files::{self, FilesOptions};

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_session-10-ecosystem"));
    command.env("NO_COLOR", "1");
    command
}

#[tokio::test]
async fn files_counts_every_line_both_ways_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let report = files::run(&FilesOptions {
        files: 25,
        lines: 40,
        dir: dir.path().to_path_buf(),
    })
    .await
    .unwrap();
    assert_eq!(report.async_lines, 25 * 40);
    assert_eq!(report.std_lines, 25 * 40);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn files_rejects_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let err = files::run(&FilesOptions {
        files: 1,
        lines: 1,
        dir: missing,
    })
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("is not an existing folder"),
        "{err:#}"
    );
}

#[test]
fn files_refuses_more_lines_than_fit_in_memory_at_once() {
    // 10,000 files of 100,000 lines would hold about 20 GB in flight: refused at once, in one
    // line, before anything is written.
    let out = bin()
        .args(["files", "--files", "10000", "--lines", "100000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("is 1000000000 lines, more than 2000000"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_finds_updates_and_counts_with_several_tasks() {
    let (tasks, books) = (4, 60);
    let report = docs::run(&DocsOptions {
        tasks,
        books_per_task: books,
        db_path: None,
    })
    .await
    .unwrap();
    // The expected answers, worked out from the same data without the store.
    let all: Vec<i64> = (0..tasks)
        .flat_map(|t| (0..books).map(move |i| pages_of(t, i)))
        .collect();
    let over_100 = all.iter().filter(|p| **p > 100).count();
    let over_300 = all.iter().filter(|p| **p > 300).count();
    assert!(over_100 > 0 && over_300 > 0 && over_300 < all.len());
    assert_eq!(report.inserted, (tasks * books) as u64);
    assert_eq!(report.found_per_task, vec![over_100; tasks]);
    assert_eq!(report.updated, over_300 as u64);
    assert_eq!(report.long_reads, over_300);
}

#[tokio::test]
async fn docs_in_a_given_file_leaves_no_collection_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.db");
    let options = DocsOptions {
        tasks: 2,
        books_per_task: 10,
        db_path: Some(path.clone()),
    };
    let first = docs::run(&options).await.unwrap();
    assert_eq!(first.inserted, 20);
    assert!(path.exists());
    // A second run on the same file sees only its own books: the first run dropped its data.
    let second = docs::run(&options).await.unwrap();
    assert_eq!(second.inserted, 20);
    let names = polodb_core::Database::open_file(&path)
        .unwrap()
        .list_collection_names()
        .unwrap();
    assert!(names.is_empty(), "left behind: {names:?}");
}

// Timing tests: these measure real blocking on real threads, so tokio's paused clock cannot
// stand in. The bounds follow from the inputs and hold however slow the machine is in the
// direction that matters: inline, no tick can run during the call, so the gap between two
// ticks is at least `block` by construction; with spawn_blocking, the ticker would have to be
// starved for over half of a 300 ms call by the OS for the assertion to fail.
const PERIOD: Duration = Duration::from_millis(10);
const BLOCK: Duration = Duration::from_millis(300);

#[test]
fn inline_blocking_holds_up_the_ticker_for_the_whole_call() {
    for work in [Work::Sleep, Work::Cpu] {
        let report = blocking::measure(
            Mode::Inline,
            BlockingOptions {
                period: PERIOD,
                block: BLOCK,
                work,
            },
        )
        .unwrap();
        assert!(report.longest_gap >= BLOCK, "{work:?}: {report:?}");
        assert!(report.max_late >= BLOCK - PERIOD, "{work:?}: {report:?}");
    }
}

#[test]
fn spawn_blocking_keeps_the_ticker_on_time() {
    let report = blocking::measure(
        Mode::SpawnBlocking,
        BlockingOptions {
            period: PERIOD,
            block: BLOCK,
            work: Work::Sleep,
        },
    )
    .unwrap();
    assert!(report.max_late < BLOCK / 2, "{report:?}");
    assert!(report.longest_gap < BLOCK / 2, "{report:?}");
    // The ticker kept running during the call: roughly BLOCK / PERIOD ticks, at least half.
    assert!(report.ticks as u32 >= BLOCK.as_millis() as u32 / PERIOD.as_millis() as u32 / 2);
}

#[test]
fn binary_runs_the_local_parts() {
    let out = bin()
        .args(["files", "--files", "10", "--lines", "7"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches("70 lines counted").count(), 2, "{stdout}");

    let out = bin()
        .args(["blocking", "--block-ms", "100"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("inline") && stdout.contains("spawn_blocking"),
        "{stdout}"
    );
}

#[test]
fn bad_flags_give_one_line_and_exit_2() {
    for args in [
        &["postgres", "--ops", "0"][..],
        &["blocking", "--work", "nap"][..],
        &["redis", "--nope"][..],
    ] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
}

#[test]
fn a_bad_db_path_is_one_line_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-folder").join("books.db");
    let out = bin()
        .args(["docs", "--db-path"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("could not open the document store"),
        "{stderr}"
    );
}
